import { VM_FILES } from '../../render/vm-files.js';
import { Secret } from '../../util/secret.js';
import { homeFile } from './part.js';
import type { Facts, FactPart } from './types.js';

type FileName = keyof Facts['files'];

/** The files whose hash, mode and owner the probe reads, in the order the script names them. */
const HASHED: readonly FileName[] = ['launcher', 'secrets', 'authIni', 'pgRootCert'];

/** The file a path printed by sha256sum or stat names; the secrets file when no other name ends it. */
function fileOf(facts: Facts, path: string): Facts['files'][FileName] {
  const name = HASHED.find((n) => n !== 'secrets' && path.endsWith(`/${VM_FILES[n]}`)) ?? 'secrets';
  return facts.files[name];
}

/**
 * The files provision writes: sha256, mode and owner of each (silent about a missing one), temporary files
 * of uploads a dropped connection left behind, provision's record (its content, read back to keep what it
 * says across reruns; a symlink there is not read), and with --auth basic the session key of an earlier run.
 */
export const filesPart: FactPart = {
  name: 'files',
  script: (input) => `
for f in "$HOME"/*.provision-* "$HOME"/.*.provision-*; do
  case "\${f##*.provision-}" in [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) [ -f "$f" ] && [ ! -L "$f" ] && printf 'leftover_upload=%s\\n' "$f";; esac
done
# One sha256sum ("HASH  PATH" lines) and one stat for all four files (launcher, secrets, auth configuration,
# the database's root certificate), each silent about a missing file; the parser tells them apart by name.
set -- ${HASHED.map(homeFile).join(' ')}
sha256sum "$@" 2>/dev/null
stat -c 'file_stat=%a %U %n' "$@" 2>/dev/null
PREC=${homeFile('record')}
[ -f "$PREC" ] && [ ! -L "$PREC" ] && { printf 'record=%s\\n' "$(head -c 4096 -- "$PREC" | base64 -w0)"; stat -c 'record_stat=%a %U' -- "$PREC"; }${
    input.readFlaskSecretKey
      ? `
[ -r ${homeFile('secrets')} ] && while IFS= read -r l; do case "$l" in MLFLOW_FLASK_SERVER_SECRET_KEY=*) echo "flask_secret_key=\${l#*=}";; esac; done < ${homeFile('secrets')}`
      : ''
  }
`,
  line: (f, line) => {
    const sha = /^([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (sha) fileOf(f, sha[2]!).sha256 = sha[1]!;
    return Boolean(sha);
  },
  keys: {
    leftover_upload: (f, _v, raw) => {
      f.leftoverUploads.push(raw);
    },
    record: (f, v) => {
      f.record = { ...f.record, content: Buffer.from(v, 'base64').toString('utf8') };
    },
    record_stat: (f, v) => {
      const [mode, owner] = v.split(' ');
      if (f.record) f.record = { ...f.record, mode: parseInt(mode ?? '', 8), ...(owner ? { owner } : {}) };
    },
    file_stat: (f, v) => {
      // "MODE OWNER PATH"
      const [mode, owner, ...path] = v.split(' ');
      const file = fileOf(f, path.join(' '));
      file.mode = parseInt(mode ?? '', 8);
      if (owner) file.owner = owner;
    },
    flask_secret_key: (f, v) => {
      // Written by us as a bare hex word; anything else (quoted, empty) is not a key we made. Read from the VM:
      // masked in that host's scope only (the connect step registers it there).
      if (/^[0-9a-f]{32,128}$/.test(v)) f.flaskSecretKey = new Secret(v, null);
    },
  },
};
