import { readSshConfig } from '../openssh/ssh-config.js';
import { UsageError } from '../util/errors.js';
import { requireSafeArtifactsDir } from './artifacts-dir.js';
import { expandHome } from './home.js';
import { knownHostsFor } from './host-keys.js';
import { parseHostSpec, parseHostsFile, type HostEntry } from './hosts-file.js';
import { defaultOf, given, sourceOf, valueOf, type Settings } from './settings.js';
import type { HostTarget, JumpHost } from './types.js';
import { parseAllowedHosts, requireAbsolutePath, requireHost, requirePort, requireSupervisor, requireUserName, parsePublicNames } from './validate.js';

/** Precedence per value: the hosts-file line, then flags/env, then ~/.ssh/config, then defaults. */
export function resolveTarget(entry: HostEntry, settings: Settings, sshConfigPath: string): HostTarget {
  const host = entry.host.trim();
  if (host === '') throw new UsageError("--host is empty; give the VM's IP address or host name.");
  const where = entry.origin === '--host' ? '' : `${entry.origin.replace(/:(\d+)$/, ' line $1')}: `;
  const fromConfig = readSshConfig(sshConfigPath, host);
  const address = requireHost(fromConfig.hostName ?? host, `${where}--host`);
  const userFlag = given(settings, 'user');
  const portFlag = given(settings, 'ssh-port');
  const identity = entry.overrides['identity-file'] ?? given(settings, 'identity-file');
  const o = entry.overrides;
  const withWhere = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof UsageError && where) throw new UsageError(`${where}${err.message}`);
      throw err;
    }
  };
  // Every SSH user name passes one check, the message naming where the name came from.
  const user =
    entry.user !== undefined
      ? withWhere(() => requireUserName(entry.user!, 'user'))
      : userFlag !== undefined
        ? requireUserName(userFlag, sourceOf(settings, 'user') === 'env' ? 'PROVISION_USER' : '--user')
        : fromConfig.user !== undefined
          ? requireUserName(fromConfig.user, `The User line for ${host} in ${sshConfigPath}:`)
          : defaultOf('user');
  const target: HostTarget = {
    label: host,
    name: host,
    address,
    port: withWhere(() => requirePort(entry.port ?? portFlag ?? fromConfig.port ?? defaultOf('ssh-port'), 'ssh-port')),
    user,
    identityFiles: identity ? [expandHome(identity)] : fromConfig.identityFiles,
    origin: entry.origin,
    overrides: {
      ...(o['mlflow-port'] !== undefined ? { port: withWhere(() => requirePort(o['mlflow-port'], 'mlflow-port')) } : {}),
      ...(o['artifacts-dir'] !== undefined
        ? { artifactsDir: withWhere(() => requireSafeArtifactsDir(requireAbsolutePath(o['artifacts-dir']!, 'artifacts-dir'))) }
        : {}),
      ...(o['allowed-hosts'] !== undefined ? { allowedHosts: withWhere(() => parseAllowedHosts(o['allowed-hosts']!)) } : {}),
      ...(o.supervisor !== undefined ? { supervisor: withWhere(() => requireSupervisor(o.supervisor!, 'supervisor')) } : {}),
      ...(o['public-name'] !== undefined ? { publicNames: withWhere(() => parsePublicNames(o['public-name']!)) } : {}),
    },
  };
  target.knownHosts = knownHostsFor(target, fromConfig, settings);
  const jump = jumpHosts(given(settings, 'jump') ?? fromConfig.proxyJump, target, settings, sshConfigPath, where);
  if (jump.length > 0) target.jump = jump;
  return target;
}

/**
 * --jump (or the host's ProxyJump): `[user@]host[:port]` hops, comma-separated, each resolved through the ssh
 * config as OpenSSH does (HostName, User, Port, IdentityFile, its known_hosts settings). A hop without a user
 * logs in as the VM's user, and without keys of its own offers the VM's. `none`: a direct connection.
 */
function jumpHosts(spec: string | undefined, target: HostTarget, settings: Settings, sshConfigPath: string, where: string): JumpHost[] {
  if (spec === undefined || spec.trim() === '' || spec.trim().toLowerCase() === 'none') return [];
  return spec.split(',').map((raw) => {
    const parsed = parseHostSpec(raw.trim().replace(/^ssh:\/\//, ''));
    if (typeof parsed === 'string') throw new UsageError(`${where}the jump host ${shownSpec(raw)} is not [user@]host[:port]: ${parsed}.`);
    const cfg = readSshConfig(sshConfigPath, parsed.host);
    const hop: JumpHost = {
      label: parsed.host,
      address: requireHost(cfg.hostName ?? parsed.host, `${where}--jump`),
      port: requirePort(parsed.port ?? cfg.port ?? defaultOf('ssh-port'), 'jump'),
      user: requireUserName(parsed.user ?? cfg.user ?? target.user, 'jump'),
      identityFiles: cfg.identityFiles.length > 0 ? cfg.identityFiles : target.identityFiles,
    };
    hop.knownHosts = knownHostsFor(hop, cfg, settings);
    return hop;
  });
}

const shownSpec = (s: string) => JSON.stringify(s.trim());

function hostEntries(settings: Settings, readFile: (path: string) => string, warnings: string[]): HostEntry[] {
  const entries: HostEntry[] = (given(settings, 'host') ?? [])
    .flatMap((h) => String(h).split(','))
    .filter((h) => h.trim() !== '')
    .map((h) => ({ origin: '--host', host: h.trim(), overrides: {} }));
  const file = given(settings, 'hosts-file');
  if (file) {
    let text: string;
    try {
      text = readFile(expandHome(file));
    } catch (err) {
      throw new UsageError(`Cannot read the hosts file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check --hosts-file.`);
    }
    const parsed = parseHostsFile(text, file);
    if (parsed.problems.length > 0) {
      const list = parsed.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ');
      throw new UsageError(
        `${file} has ${parsed.problems.length === 1 ? 'a bad line' : `${parsed.problems.length} bad lines`} (${list}); fix ${parsed.problems.length === 1 ? 'it' : 'them'} and rerun: nothing was started.`,
      );
    }
    for (const d of parsed.duplicates) warnings.push(`${file} line ${d.line}: ${d.message}.`);
    if (parsed.entries.length === 0 && entries.length === 0) throw new UsageError(`${file} names no host: write one VM a line, e.g. "azureuser@20.61.1.2".`);
    entries.push(...parsed.entries);
  }
  return entries;
}

/** The VMs named by --host and --hosts-file, each resolved once; duplicates become warnings. */
export function resolveTargets(settings: Settings, readFile: (path: string) => string, warnings: string[]): HostTarget[] {
  const entries = hostEntries(settings, readFile, warnings);
  if (entries.length === 0) throw new UsageError('No VM given: pass --host <vm-ip> or --hosts-file hosts.txt (or set PROVISION_HOST).');
  const sshConfigPath = expandHome(valueOf(settings, 'ssh-config'));
  const targets: HostTarget[] = [];
  const seen = new Map<string, HostTarget>();
  for (const entry of entries) {
    const target = resolveTarget(entry, settings, sshConfigPath);
    const key = `${target.user}@${target.address.toLowerCase()}:${target.port}`;
    const first = seen.get(key);
    if (first) {
      warnings.push(`${target.label} (${target.origin}) is the same VM as ${first.label} (${first.origin}); it runs once.`);
      continue;
    }
    seen.set(key, target);
    if (targets.some((t) => t.label === target.label)) target.label = `${target.user}@${target.label}:${target.port}`;
    targets.push(target);
  }
  return targets;
}
