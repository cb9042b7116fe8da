import { artifactsFolderRefusal, shownFolder, type ArtifactsFolderFacts } from '../config/artifacts-dir.js';
import { parseRecord } from '../render/record.js';
import { tildePath } from '../render/vm-files.js';
import { shq } from '../util/shell-quote.js';
import type { RemoteCommand } from '../action/action.js';
import type { Facts } from './facts.js';

/**
 * What `provision remove` does with the artifacts folder. `--purge-artifacts` deletes only a folder that
 * provision's record (render/record.ts) says provision created, and only after the VM resolved it and the
 * artifacts rules (config/artifacts-dir.ts) passed it: the record is VM data, and a local user may have
 * edited it. The launcher is never read for it. Every refusal is one sentence and deletes nothing.
 */
export interface ArtifactsOnRemove {
  /** The folder to delete: the record's path and the VM's resolution of it, judged safe. */
  purge?: { recorded: string; real: string };
  /** What the "kept" list says about the artifacts. */
  kept?: string;
  /** The record stays: it names a folder provision created that stays, so a later --purge-artifacts can still delete it. */
  keepRecord: boolean;
}

const KEEP_HINT = 'Run remove without --purge-artifacts, and delete the artifacts by hand if you mean to.';

/** From the record alone: keep (and what to say), refuse, or resolve the recorded folder on the VM first. */
export function artifactsOnRemove(facts: Pick<Facts, 'record'>, purge: boolean): ArtifactsOnRemove | { refuse: string } | { resolve: string } {
  const file = tildePath('record');
  if (!facts.record) {
    if (!purge) return { kept: 'the artifacts folder, if any (provision has no record of it on this VM)', keepRecord: false };
    return {
      refuse: `--purge-artifacts refused: this VM has no record of an artifacts folder provision created (${file} is missing: provisioned by an older version, or deleted), and provision deletes only what it recorded; nothing was removed. ${KEEP_HINT}`,
    };
  }
  const record = parseRecord(facts.record.content);
  if ('problem' in record) {
    if (!purge) return { kept: `the artifacts folder, if any (provision's record ${file} is unreadable: ${record.problem})`, keepRecord: true };
    return {
      refuse: `--purge-artifacts refused: ${file} on the VM is not a record this version of provision reads (${record.problem}); nothing was removed. ${KEEP_HINT}`,
    };
  }
  const dir = record.artifactsDir;
  if (dir === undefined) return { kept: 'no artifacts folder on this VM (the artifacts go to --artifacts-destination)', keepRecord: false };
  if (!record.artifactsDirCreated) {
    if (!purge) return { kept: `${dir} (the artifacts; provision did not create it, so --purge-artifacts leaves it)`, keepRecord: false };
    return {
      refuse: `--purge-artifacts refused: provision did not create ${dir} (it was there before provision used it, or before provision recorded what it made); nothing was removed. ${KEEP_HINT}`,
    };
  }
  if (!purge) return { kept: `${dir} (the artifacts; --purge-artifacts removes it)`, keepRecord: true };
  return { resolve: dir };
}

/** What the VM says about the recorded folder: its resolution (realpath -e), kind and owner, the homes. */
export interface PurgeFacts {
  state: 'ok' | 'missing' | 'symlink' | 'not-a-folder';
  real: string;
  home: string;
  owner?: string;
  /** Every account's home: `[user, home]`. */
  homes: Array<[string, string]>;
}

/** Reads the recorded folder as the VM resolves it; reads only. */
export function purgeCheckCommand(recorded: string): RemoteCommand {
  const p = shq(recorded);
  return {
    kind: 'purge-check',
    label: `check the artifacts folder ${recorded}`,
    command: [
      `printf 'home_real=%s\\n' "$(readlink -m -- "$HOME")"`,
      `if [ -L ${p} ]; then echo state=symlink`,
      `elif r=$(realpath -e -- ${p} 2>/dev/null); then`,
      `  printf 'real=%s\\n' "$r"`,
      `  if [ ! -d "$r" ]; then echo state=not-a-folder; else echo state=ok; [ -O "$r" ] || printf 'owner=%s\\n' "$(stat -c %U -- "$r")"; fi`,
      `else echo state=missing; fi`,
      `getent passwd | while IFS=: read -r n _ _ _ _ h _; do printf 'home=%s %s\\n' "$n" "$h"; done`,
    ].join('\n'),
    timeoutSec: 30,
  };
}

/** The check's answer. Untrusted text: anything unexpected leaves a field empty, and the rules then refuse. */
export function parsePurgeCheck(stdout: string): PurgeFacts {
  const facts: PurgeFacts = { state: 'missing', real: '', home: '', homes: [] };
  let state: string | undefined;
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i < 0) continue;
    const [key, value] = [line.slice(0, i), line.slice(i + 1)];
    if (key === 'home_real') facts.home = value;
    else if (key === 'state') state = value;
    else if (key === 'real') facts.real = value;
    else if (key === 'owner') facts.owner = value;
    else if (key === 'home') {
      const space = value.indexOf(' ');
      if (space > 0) facts.homes.push([value.slice(0, space), value.slice(space + 1)]);
    }
  }
  // No answer about the folder: treated as a symlink (refused), never as missing (nothing to refuse).
  facts.state = state === 'ok' || state === 'missing' || state === 'not-a-folder' || state === 'symlink' ? state : 'symlink';
  return facts;
}

/** The artifacts rules on the folder the VM resolved: delete it, or refuse (one sentence, nothing deleted). */
export function judgePurge(recorded: string, seen: PurgeFacts, user: string): ArtifactsOnRemove | { refuse: string } {
  if (seen.state === 'missing') return { kept: `${recorded} (the artifacts folder: no longer on the VM)`, keepRecord: false };
  const folder: ArtifactsFolderFacts = {
    real: seen.real,
    home: seen.home,
    state: seen.state,
    ...(seen.owner ? { foreignOwner: seen.owner } : {}),
    otherHomes: seen.homes.filter(([name]) => name !== user).map(([, home]) => home),
  };
  // eslint-disable-next-line no-control-regex
  const unreadable = seen.state === 'ok' && (!seen.real.startsWith('/') || !seen.home.startsWith('/') || /[\u0000-\u001f\u007f]/.test(seen.real));
  const refusal = unreadable ? { why: 'the VM did not resolve it to a plain absolute path' } : artifactsFolderRefusal(recorded, folder, user);
  if (refusal) {
    return {
      refuse: `--purge-artifacts refused for the recorded artifacts folder ${shownFolder(recorded, seen.real)}: ${refusal.why}; nothing was removed. ${KEEP_HINT}`,
    };
  }
  return { purge: { recorded, real: seen.real }, keepRecord: false };
}

/**
 * Deletes the judged folder, after checking again that the record's path still resolves to it (a folder
 * swapped for a symlink since the check is not followed). The contents go as the SSH user, without crossing
 * into another file system; the then empty folder goes as the user, or with sudo when its parent is root's
 * (provision made it with sudo there). The record goes last, once nothing of what it names is left.
 */
export function purgeArtifactsCommand(recorded: string, real: string, record: string): RemoteCommand {
  const [p, r] = [shq(recorded), shq(real)];
  return {
    kind: 'purge-artifacts',
    label: `remove the artifacts folder ${real}`,
    command: [
      `if [ -L ${p} ] || [ "$(realpath -e -- ${p} 2>/dev/null)" != ${r} ] || [ ! -d ${r} ]; then echo "the artifacts folder changed since it was checked: nothing of it was deleted" >&2; exit 3; fi`,
      `find ${r} -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system -- {} +`,
      `rmdir -- ${r} 2>/dev/null || sudo -n rmdir -- ${r}`,
      `rm -f -- ${shq(record)}`,
    ].join(' && \\\n'),
    timeoutSec: 600,
  };
}
