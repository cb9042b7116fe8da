import { CADDY_CONFIG_DIR, CADDY_DATA_DIR, CADDY_INTERNAL_ROOT, CADDY_UNIT, CADDYFILE, CADDYFILE_MARKER, PROXY_DIR } from '../render/caddyfile.js';
import { shq } from '../util/shell-quote.js';
import { aptInstallCommand, journalTailCommand } from './commands.js';
import type { RemoteCommand } from '../action/action.js';

/** Where a Caddyfile that we did not write is kept before ours replaces it (once). */
export const CADDYFILE_BACKUP = `${CADDYFILE}.before-provision`;

/** Caddy's own apt repository (Cloudsmith), for releases whose archive has no caddy package (Ubuntu 22.04). */
const CADDY_REPO = {
  key: 'https://dl.cloudsmith.io/public/caddy/stable/gpg.key',
  keyring: '/usr/share/keyrings/caddy-stable-archive-keyring.gpg',
  list: '/etc/apt/sources.list.d/caddy-stable.list',
  line: 'deb [signed-by=/usr/share/keyrings/caddy-stable-archive-keyring.gpg] https://dl.cloudsmith.io/public/caddy/stable/deb/debian any-version main',
};

/** Whether the distribution's own archive has Caddy: Debian 12 and 13 (main), Ubuntu 24.04 and later (universe). */
export function archiveHasCaddy(osId: string, osVersion: string): boolean {
  if (osId === 'ubuntu') return Number.parseFloat(osVersion) >= 24.04;
  return true;
}

/** Installs Caddy: from the archive, or first Caddy's signed repository where the archive has none. */
export function installCaddyCommands(osId: string, osVersion: string): RemoteCommand[] {
  // With apt-get update first: a VM whose packages were all there skipped it, and its lists may be stale.
  if (archiveHasCaddy(osId, osVersion)) return [aptInstallCommand(['caddy'], true)];
  return [
    {
      kind: 'proxy-install',
      label: `add Caddy's apt repository (${CADDY_REPO.list}; ${osId} ${osVersion} has no caddy package)`,
      command: [
        `curl -fsSL ${shq(CADDY_REPO.key)} | sudo -n gpg --batch --yes --dearmor -o ${CADDY_REPO.keyring}`,
        `echo ${shq(CADDY_REPO.line)} | sudo -n tee ${CADDY_REPO.list} >/dev/null`,
      ].join(' && '),
      timeoutSec: 120,
    },
    aptInstallCommand(['caddy'], true),
  ];
}

/** Where a proxy file is uploaded (as the SSH user, 0600, over SFTP) before root installs it. */
export function proxyUploadPath(home: string, name: string): string {
  return `${home}/.provision-caddy-${name}`;
}

/** Of the paths the probe listed (text from the VM), the uploads of ours: directly in the home. */
export function ourProxyUploads(home: string, paths: string[]): string[] {
  return paths.filter((p) => p.startsWith(`${home}/.provision-caddy-`) && !p.slice(home.length + 1).includes('/'));
}

/** The uploads an interrupted run left in the home go. */
export function removeProxyUploadsCommand(paths: string[]): RemoteCommand {
  return { kind: 'remove-leftovers', label: `remove ${paths.join(', ')}`, command: `rm -f -- ${paths.map(shq).join(' ')}`, timeoutSec: 30 };
}

/**
 * Root installs the uploaded files with their owner and mode (our folder root:caddy 0750 first), and the
 * uploads go, also when an install fails.
 */
export function installProxyFilesCommand(files: Array<{ upload: string; path: string; mode: number; owner: string }>): RemoteCommand {
  const lines = [`sudo -n install -d -m 0750 -o root -g caddy ${PROXY_DIR} || exit 1`, 'rc=0'];
  for (const f of files) {
    lines.push(`sudo -n install -m 0${f.mode.toString(8)} -o ${f.owner} -g ${f.owner === 'root' ? 'caddy' : f.owner} ${shq(f.upload)} ${shq(f.path)} || rc=1`);
  }
  lines.push(`rm -f ${files.map((f) => shq(f.upload)).join(' ')}`, 'exit $rc');
  return { kind: 'proxy-files', label: `install ${files.map((f) => f.path).join(', ')}`, command: lines.join('\n'), timeoutSec: 60 };
}

/** The uploaded Caddyfile becomes Caddy's (root's, 0644); one we did not write is kept aside first. */
export function installCaddyfileCommand(upload: string): RemoteCommand {
  return {
    kind: 'proxy-files',
    label: `install ${CADDYFILE}`,
    command: [
      `if [ -f ${CADDYFILE} ] && ! head -n 1 ${CADDYFILE} | grep -q ${shq(`^${CADDYFILE_MARKER}`)} && [ ! -e ${CADDYFILE_BACKUP} ]; then sudo -n cp -p ${CADDYFILE} ${CADDYFILE_BACKUP} && echo "kept the earlier Caddyfile as ${CADDYFILE_BACKUP}"; fi`,
      `sudo -n install -m 0644 -o root -g root ${shq(upload)} ${CADDYFILE}; rc=$?`,
      `rm -f ${shq(upload)}`,
      'exit $rc',
    ].join('\n'),
    timeoutSec: 60,
  };
}

/** Our files that the desired state no longer has (e.g. the key after --tls files) go. */
export function removeProxyFilesCommand(paths: string[]): RemoteCommand {
  return { kind: 'proxy-files', label: `remove ${paths.join(', ')}`, command: `sudo -n rm -f ${paths.map(shq).join(' ')}`, timeoutSec: 30 };
}

/**
 * The configuration is validated as the caddy user (as the service reads it: our key is Caddy's alone, and
 * `tls internal` keeps its CA in Caddy's home, not root's), errors shown; then Caddy starts at boot and
 * (re)starts now. Never `systemctl reload`: Debian's unit reloads through Caddy's admin API, which our
 * Caddyfile turns off (docs/security.md), so a changed configuration is a restart (HTTPS pauses for about a second).
 */
export function applyCaddyCommand(running: boolean): RemoteCommand {
  const validate = `sudo -n -u caddy caddy validate --adapter caddyfile --config ${CADDYFILE}`;
  return {
    kind: 'proxy-apply',
    label: running ? `caddy validate, systemctl restart ${CADDY_UNIT}` : `caddy validate, systemctl enable and start ${CADDY_UNIT}`,
    command: [
      `out=$(cd / && ${validate} 2>&1) || { printf '%s\n' "$out" | grep -v '"level":"info"'; echo "caddy validate refused ${CADDYFILE}"; exit 1; }`,
      `sudo -n systemctl enable --quiet ${CADDY_UNIT} && { sudo -n systemctl reset-failed ${CADDY_UNIT} 2>/dev/null; sudo -n systemctl restart ${CADDY_UNIT}; }`,
    ].join('\n'),
    timeoutSec: 180,
  };
}

/** Enables Caddy at boot; nothing restarts. */
export function enableCaddyCommand(): RemoteCommand {
  return { kind: 'proxy-enable', label: `systemctl enable ${CADDY_UNIT}`, command: `sudo -n systemctl enable --quiet ${CADDY_UNIT}`, timeoutSec: 60 };
}

/** What taking the proxy away removes, for the user: our configuration and files, and Caddy's state. */
export const PROXY_REMOVED_PATHS = [CADDYFILE, PROXY_DIR, CADDY_DATA_DIR, CADDY_CONFIG_DIR] as const;

/**
 * --tls off after it was on, and `remove`: Caddy stops and stays off at boot; our Caddyfile and files (our
 * key among them) go, and, when the Caddyfile in place is ours, Caddy's state that our configuration made:
 * certificates and their keys, the internal CA's root and intermediate keys, ACME accounts and their keys,
 * and the autosaved configuration. Removed as the caddy user (its files; a link planted there cannot send
 * root elsewhere). The package, the caddy user and its empty home stay.
 */
export function removeProxyCommand(): RemoteCommand {
  return {
    kind: 'proxy-remove',
    label: `systemctl disable --now ${CADDY_UNIT}, remove ${PROXY_REMOVED_PATHS.join(', ')}`,
    command: [
      `sudo -n systemctl disable --now --quiet ${CADDY_UNIT} 2>/dev/null`,
      `sudo -n systemctl reset-failed ${CADDY_UNIT} 2>/dev/null`,
      'rc=0',
      // Ours goes; the Caddyfile it replaced (the package's) comes back, for a Caddy that is off anyway.
      `if head -n 1 ${CADDYFILE} 2>/dev/null | grep -q ${shq(`^${CADDYFILE_MARKER}`)}; then`,
      `  sudo -n -u caddy rm -rf -- ${CADDY_DATA_DIR} ${CADDY_CONFIG_DIR} || { echo "could not remove all of Caddy's state (${CADDY_DATA_DIR}, ${CADDY_CONFIG_DIR}): remove it as root"; rc=1; }`,
      `  sudo -n rm -f ${CADDYFILE}; [ -f ${CADDYFILE_BACKUP} ] && sudo -n mv ${CADDYFILE_BACKUP} ${CADDYFILE}`,
      'fi',
      `sudo -n rm -rf ${PROXY_DIR} || rc=1`,
      'exit $rc',
    ].join('\n'),
    timeoutSec: 90,
  };
}

/** The certificates Caddy stored for `name` (chains, public), read as the caddy user: whoever issued them. */
export function readStoredCertificatesCommand(name: string): RemoteCommand {
  const script = 'for f in "$1"/certificates/*/"$2"/"$2".crt; do [ -f "$f" ] && cat -- "$f"; done; true';
  return {
    kind: 'proxy-read',
    label: `read Caddy's certificates for ${name}`,
    command: `sudo -n -u caddy sh -c ${shq(script)} sh ${CADDY_DATA_DIR} ${shq(name.toLowerCase())}`,
    timeoutSec: 15,
  };
}

/** --tls internal: the CA's root, read as the caddy user (the file is Caddy's). */
export function readInternalRootCommand(): RemoteCommand {
  return { kind: 'proxy-read', label: `read ${CADDY_INTERNAL_ROOT}`, command: `sudo -n -u caddy cat -- ${CADDY_INTERNAL_ROOT}`, timeoutSec: 15 };
}

/** Whether Caddy runs (`systemctl is-active`: active, failed, inactive...). */
export function caddyActiveCommand(): RemoteCommand {
  return { kind: 'proxy-state', label: `systemctl is-active ${CADDY_UNIT}`, command: `systemctl is-active ${CADDY_UNIT}`, timeoutSec: 15 };
}

/** Caddy's last log lines, for a proxy that got no certificate or did not start. */
export function caddyJournalCommand(lines = 20): RemoteCommand {
  return journalTailCommand(CADDY_UNIT, lines, 'cat');
}
