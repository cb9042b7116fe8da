import { shq } from '../../util/shell-quote.js';
import { homeFile } from './part.js';
import type { Facts, FactPart } from './types.js';

/**
 * The artifacts folder as the VM resolves it (symlinks followed), next to the resolved home: its state, and its
 * owner when not the user. A folder that is not ours is only named, never changed.
 */
export const artifactsPart: FactPart = {
  name: 'artifacts',
  script: (input) => `
A=${input.artifactsDir ? shq(input.artifactsDir) : homeFile('artifactsDir')}
# The artifacts folder is judged as the VM resolves it (symlinks followed), next to the resolved home; a
# folder that is not ours is only named, never changed.
{ IFS= read -r hr; IFS= read -r ar; } <<PROBE_PATHS
$(readlink -m -- "$HOME" "$A")
PROBE_PATHS
printf 'home_real=%s\\nartifacts_real=%s\\n' "$hr" "$ar"
if [ -L "$A" ]; then echo artifacts=symlink
elif [ -d "$A" ]; then
  [ -O "$A" ] || printf 'artifacts_owner=%s\\n' "$(stat -c %U -- "$A")"
  if [ -w "$A" ]; then echo artifacts=ok; else echo artifacts=not-writable; fi
elif [ -e "$A" ]; then echo artifacts=not-a-folder
else echo artifacts=missing; fi
`,
  keys: {
    artifacts: (f, v) => {
      f.artifactsDir = v as Facts['artifactsDir'];
    },
    artifacts_real: (f, v) => {
      f.artifactsReal = v;
    },
    home_real: (f, v) => {
      f.homeReal = v;
    },
    artifacts_owner: (f, v) => {
      f.artifactsOwner = v;
    },
  },
};
