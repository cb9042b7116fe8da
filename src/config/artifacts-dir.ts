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
  /** The home folders of the VM's other accounts (`getent passwd`), when known: none may hold or be inside the folder. */
  otherHomes?: string[];
}

/** Why the rules refuse a folder, and (when the usual advice does not fit) what to do instead. */
export interface FolderRefusal {
  why: string;
  fix?: string;
}

/**
 * One sentence that refuses the artifacts folder, or undefined when it is safe to use (or to create). Every
 * rule is judged on the resolved path: a symlink elsewhere does not hide a system tree or the home.
 */
export function artifactsFolderProblem(given: string, facts: ArtifactsFolderFacts, user: string): string | undefined {
  const refusal = artifactsFolderRefusal(given, facts, user);
  if (!refusal) return undefined;
  const fix = refusal.fix ?? `Choose a folder of its own with --artifacts-dir, e.g. ${tildePath('artifactsDir')} (the default) or /srv/mlflow-artifacts.`;
  return `The artifacts folder ${shownFolder(given, facts.real)} is refused: ${refusal.why}; MLflow's artifact API reads and writes every file in it. ${fix}`;
}

/** `given`, and the resolved path beside it when they differ. */
export function shownFolder(given: string, real: string): string {
  return `${given}${real && real !== given ? ` (${real})` : ''}`;
}

/**
 * The artifacts rules, reason only: what provision refuses to serve artifacts from, and what
 * `remove --purge-artifacts` refuses to delete, whatever its record says.
 */
export function artifactsFolderRefusal(given: string, facts: ArtifactsFolderFacts, user: string): FolderRefusal | undefined {
  if (facts.state === 'symlink')
    return { why: 'it is a symbolic link, which provision does not follow', fix: 'Give the folder it points to with --artifacts-dir.' };
  const home = normalizeRemotePath(facts.home);
  const real = normalizeRemotePath(facts.real || given);
  const byName = artifactsPathProblem(real);
  if (byName) return { why: byName };
  if (real === home) return { why: 'it is your home folder, which holds the secrets file and ~/.ssh' };
  if (isInside(home, real)) return { why: `it contains your home folder ${home}, which holds the secrets file and ~/.ssh` };
  if (isInside(real, home)) {
    const first = real.slice(home.length + 1).split('/')[0]!;
    if (first.startsWith('.')) return { why: `it is inside the hidden folder ~/${first} (where ~/.ssh, ~/.config and shell start-up files live)` };
    if (first === VM_FILES.venv) return { why: 'it is inside the virtual environment that runs the server' };
  }
  if (isInside(real, '/home') && !isInside(real, home)) return { why: `it is in another user's home folder (/home/${real.split('/')[2]})` };
  const other = otherHomeProblem(real, home, facts.otherHomes ?? []);
  if (other) return { why: other };
  if (facts.state === 'not-a-folder') return { why: 'it exists and is not a folder' };
  if (facts.foreignOwner) {
    return {
      why: `it exists and belongs to ${facts.foreignOwner}, and provision never takes over a folder it did not create`,
      fix: `Choose another folder with --artifacts-dir, or give this one to ${user} yourself (sudo chown ${user} ${real}) if that is what you mean.`,
    };
  }
  if (facts.state === 'not-writable') {
    return {
      why: `it belongs to ${user} but is not writable, and provision never changes the mode of a folder it did not create`,
      fix: `Run chmod u+w ${real} on the VM, or choose another folder with --artifacts-dir.`,
    };
  }
  return undefined;
}

/** Another account's home inside the folder, or the folder inside one (homes of `/` are no one's in particular). */
function otherHomeProblem(real: string, home: string, otherHomes: string[]): string | undefined {
  for (const h of otherHomes) {
    if (!h.startsWith('/')) continue;
    const other = normalizeRemotePath(h);
    if (other === '/' || other === home) continue;
    if (isInside(real, other)) return `it is in another user's home folder (${other})`;
    if (isInside(other, real)) return `it contains another user's home folder (${other})`;
  }
  return undefined;
}
