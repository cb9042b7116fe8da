import { tildePath, VM_FILES } from '../render/vm-files.js';
import { UsageError } from '../util/errors.js';

/**
 * Where artifacts may live on the VM. MLflow's artifact API reads and writes any file under the artifacts
 * folder, by default without a login: a folder that holds (or contains) the home, the secrets file, ~/.ssh,
 * the venv or a system tree turns that API into a way to read the database password or to become root
 * (a PUT to .ssh/authorized_keys, a systemd drop-in, a script in the venv). Pure: the same rules judge the
 * path as given (before connecting) and as the VM resolves it (after the probe, symlinks followed).
 */

/** Trees of the operating system: neither they nor anything inside them may hold artifacts. */
const SYSTEM_TREES = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/lost+found',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/snap',
  '/sys',
  '/usr',
  '/var',
];

/** Inside these, one level down or deeper is fine (a folder of its own, e.g. /var/lib/mlflow); the tree itself is not. */
const ROOTS_FOR_FOLDERS = ['/var/lib', '/var/opt', '/srv', '/opt', '/mnt', '/media', '/home', '/tmp', '/var/tmp'];

/** `/a/b/../c/` → `/a/c`, without touching the disk. */
export function normalizeRemotePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

function isInside(path: string, tree: string): boolean {
  return path === tree || path.startsWith(tree === '/' ? '/' : `${tree}/`);
}

/**
 * --artifacts-dir (or a hosts-file `artifacts-dir=`) before connecting: refused by its name alone, exit 2.
 * `where` prefixes the message (e.g. "hosts.txt line 3: ").
 */
export function requireSafeArtifactsDir(path: string, where = ''): string {
  const problem = artifactsPathProblem(path);
  if (problem) {
    throw new UsageError(
      `${where}--artifacts-dir ${path} is refused: ${problem}; MLflow's artifact API reads and writes every file in it. Choose a folder of its own, e.g. ${tildePath('artifactsDir')} (the default) or /srv/mlflow-artifacts.`,
    );
  }
  return path;
}

/**
 * What is wrong with a path by its name alone (no VM needed), or undefined. `path` is absolute.
 */
export function artifactsPathProblem(path: string): string | undefined {
  const p = normalizeRemotePath(path);
  if (p === '/') return 'it is the root of the file system';
  if (ROOTS_FOR_FOLDERS.includes(p)) return `it is the system folder ${p} itself`;
  const allowedRoot = ROOTS_FOR_FOLDERS.find((r) => isInside(p, r));
  if (allowedRoot) return undefined;
  const tree = SYSTEM_TREES.find((t) => isInside(p, t));
  if (tree) return `it is ${p === tree ? 'the system folder' : 'inside the system folder'} ${tree}`;
  return undefined;
}

/** What the probe saw at the artifacts path on the VM. */
export interface ArtifactsFolderFacts {
  /** The path with every symbolic link resolved (readlink -m). */
  real: string;
  /** The user's home, resolved. */
  home: string;
  state: 'ok' | 'missing' | 'not-writable' | 'symlink' | 'not-a-folder';
  /** Owner's name when the folder exists and is not the SSH user's. */
  foreignOwner?: string;
}

/**
 * One sentence that refuses the artifacts folder, or undefined when it is safe to use (or to create). Every
 * rule is judged on the resolved path: a symlink elsewhere does not hide a system tree or the home.
 */
export function artifactsFolderProblem(given: string, facts: ArtifactsFolderFacts, user: string): string | undefined {
  const shown = `${given}${facts.real && facts.real !== given ? ` (${facts.real})` : ''}`;
  const refuse = (
    why: string,
    fix = `Choose a folder of its own with --artifacts-dir, e.g. ${tildePath('artifactsDir')} (the default) or /srv/mlflow-artifacts.`,
  ) => `The artifacts folder ${shown} is refused: ${why}; MLflow's artifact API reads and writes every file in it. ${fix}`;
  if (facts.state === 'symlink') return refuse('it is a symbolic link, which provision does not follow', 'Give the folder it points to with --artifacts-dir.');
  const home = normalizeRemotePath(facts.home);
  const real = normalizeRemotePath(facts.real || given);
  const byName = artifactsPathProblem(real);
  if (byName) return refuse(byName);
  if (real === home) return refuse('it is your home folder, which holds the secrets file and ~/.ssh');
  if (isInside(home, real)) return refuse(`it contains your home folder ${home}, which holds the secrets file and ~/.ssh`);
  if (isInside(real, home)) {
    const first = real.slice(home.length + 1).split('/')[0]!;
    if (first.startsWith('.')) return refuse(`it is inside the hidden folder ~/${first} (where ~/.ssh, ~/.config and shell start-up files live)`);
    if (first === VM_FILES.venv) return refuse('it is inside the virtual environment that runs the server');
  }
  if (isInside(real, '/home') && !isInside(real, home)) {
    return refuse(`it is in another user's home folder (/home/${real.split('/')[2]})`);
  }
  if (facts.state === 'not-a-folder') return refuse('it exists and is not a folder');
  if (facts.foreignOwner) {
    return refuse(
      `it exists and belongs to ${facts.foreignOwner}, and provision never takes over a folder it did not create`,
      `Choose another folder with --artifacts-dir, or give this one to ${user} yourself (sudo chown ${user} ${real}) if that is what you mean.`,
    );
  }
  if (facts.state === 'not-writable') {
    return refuse(
      `it belongs to ${user} but is not writable, and provision never changes the mode of a folder it did not create`,
      `Run chmod u+w ${real} on the VM, or choose another folder with --artifacts-dir.`,
    );
  }
  return undefined;
}
