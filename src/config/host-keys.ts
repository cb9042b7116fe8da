// Where each VM's host key is looked up and recorded: --known-hosts / PROVISION_KNOWN_HOSTS, the ssh config's
// UserKnownHostsFile, GlobalKnownHostsFile and HostKeyAlias, and OpenSSH's defaults. Checked before anything
// connects, so a bad path is one usage error (exit 2) instead of a failure on every host.
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_GLOBAL_KNOWN_HOSTS, knownHostsName, type KnownHostsFiles } from '../openssh/known-hosts.js';
import { expandTokens, type SshConfigHost } from '../openssh/ssh-config.js';
import { UsageError } from '../util/errors.js';
import { expandHome } from './home.js';
import { given, sourceOf, valueOf, type Settings } from './settings.js';

/** OpenSSH's UserKnownHostsFile default: both are looked up, new keys go to the first. */
export function defaultUserKnownHosts(): string[] {
  return [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')];
}

/** The known_hosts file named by --known-hosts or PROVISION_KNOWN_HOSTS, and how to name it in a message. */
export function knownHostsOverride(settings: Settings): { path: string; subject: string; other: string } | undefined {
  const file = given(settings, 'known-hosts');
  if (file === undefined) return undefined;
  const path = expandHome(file);
  return sourceOf(settings, 'known-hosts') === 'env'
    ? { path, subject: `PROVISION_KNOWN_HOSTS=${file}`, other: 'set PROVISION_KNOWN_HOSTS to another file' }
    : { path, subject: `--known-hosts ${file}`, other: 'give --known-hosts another file' };
}

/**
 * The known_hosts files and the name one VM's host key is checked under, as OpenSSH resolves them:
 * - the name is HostKeyAlias, lowercased (ssh.c), else the host connected to, lowercased, `[host]:port` off port 22;
 * - user files: --known-hosts / PROVISION_KNOWN_HOSTS, else UserKnownHostsFile (`~` then %tokens and ${VAR}
 *   expanded), else ~/.ssh/known_hosts and ~/.ssh/known_hosts2; new keys are recorded in the first;
 * - global files: GlobalKnownHostsFile (`~` expanded; OpenSSH expands no tokens there), else
 *   /etc/ssh/ssh_known_hosts and /etc/ssh/ssh_known_hosts2: looked up, never written.
 * The file new keys go to is checked now (see checkKnownHostsFile).
 */
export function knownHostsFor(
  target: { label: string; address: string; port: number; user: string },
  fromConfig: SshConfigHost,
  settings: Settings,
): KnownHostsFiles {
  const alias = fromConfig.hostKeyAlias?.toLowerCase();
  const name = alias ?? knownHostsName(target.address, target.port);
  const override = knownHostsOverride(settings);
  const policy = valueOf(settings, 'host-key-policy') === 'strict' ? 'strict' : 'accept-new';
  let userFiles: string[];
  if (override) {
    userFiles = [override.path];
    checkKnownHostsFile(override.path, override.subject, override.other, policy);
  } else if (fromConfig.userKnownHostsFiles) {
    const where = fromConfig.origins.userknownhostsfile ?? 'the ssh config';
    userFiles = fromConfig.userKnownHostsFiles.map((f) =>
      expandTokens(
        expandHome(f),
        {
          home: homedir(),
          host: target.address.toLowerCase(),
          hostArg: target.label,
          keyAlias: alias ?? target.label,
          port: target.port,
          remoteUser: target.user,
        },
        { what: `UserKnownHostsFile ${f}`, where, dollar: true },
      ),
    );
    if (userFiles[0] !== undefined) {
      checkKnownHostsFile(userFiles[0], `UserKnownHostsFile ${userFiles[0]} (${where})`, 'change that line or give --known-hosts another file', policy);
    }
  } else {
    userFiles = defaultUserKnownHosts();
    checkKnownHostsFile(userFiles[0]!, `The known_hosts file ${userFiles[0]}`, 'give --known-hosts another file', policy);
  }
  const globalFiles = fromConfig.globalKnownHostsFiles?.map(expandHome) ?? DEFAULT_GLOBAL_KNOWN_HOSTS;
  return { name, userFiles, globalFiles };
}

/**
 * The file new host keys are recorded in must be a readable file, or (when keys may be recorded, i.e. not
 * --host-key-policy strict) a file that can be created: its nearest existing folder is writable.
 */
export function checkKnownHostsFile(path: string, subject: string, other: string, policy: 'accept-new' | 'strict'): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`${subject} cannot be read (${code ?? 'error'}): fix its permissions or ${other}.`);
    if (policy === 'strict') return; // nothing will be written: a missing file only holds no keys
    const why = whyNotCreatable(path);
    if (why) throw new UsageError(`${subject} cannot be created (${why}): ${other} in a folder you can write to.`);
    return;
  }
  if (isDir) throw new UsageError(`${subject} is a directory, not a known_hosts file: ${other}, e.g. ${join(path, 'known_hosts')}.`);
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw new UsageError(`${subject} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): fix its permissions or ${other}.`);
  }
}

/** Why `path` cannot be created with its missing folders (mkdir -p, then the file), or undefined if it can. */
function whyNotCreatable(path: string): string | undefined {
  let dir = dirname(path);
  for (;;) {
    try {
      const st = statSync(dir);
      if (!st.isDirectory()) return `${dir} is not a folder`;
      accessSync(dir, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        const parent = dirname(dir);
        if (parent === dir) return `${dir} does not exist`;
        dir = parent;
        continue;
      }
      return `the folder ${dir} is not writable (${code ?? 'error'})`;
    }
  }
}
