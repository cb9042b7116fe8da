import { CADDY_UNIT, CADDYFILE, CADDYFILE_MARKER, PROXY_DIR } from '../render/caddyfile.js';
import { shq } from '../util/shell-quote.js';
import { aptInstallCommand, journalTailCommand, type RemoteCommand } from './commands.js';

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
  return { label: `install ${files.map((f) => f.path).join(', ')}`, command: lines.join('\n'), timeoutSec: 60 };
}

/** The uploaded Caddyfile becomes Caddy's (root's, 0644); one we did not write is kept aside first. */
export function installCaddyfileCommand(upload: string): RemoteCommand {
  return {
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
  return { label: `remove ${paths.join(', ')}`, command: `sudo -n rm -f ${paths.map(shq).join(' ')}`, timeoutSec: 30 };
}

/** How long a reload may take before Caddy is restarted instead. */
const RELOAD_WAIT_SEC = 30;

/**
 * The configuration is validated as the caddy user (as the service reads it: our key is Caddy's alone, and
 * `tls internal` keeps its CA in Caddy's home, not root's), errors shown; then Caddy starts at boot and now,
 * or a running one reloads. Caddy 2.6 leaves systemd waiting after a reload whose configuration fails to
 * load (systemd's reload then hangs 90 s): a reload is bounded, and a restart follows one that fails.
 */
export function applyCaddyCommand(running: boolean): RemoteCommand {
  const validate = `sudo -n -u caddy caddy validate --adapter caddyfile --config ${CADDYFILE}`;
  const go = running
    ? `sudo -n timeout ${RELOAD_WAIT_SEC} systemctl reload ${CADDY_UNIT} || { echo "reload failed: restarting Caddy"; sudo -n systemctl restart ${CADDY_UNIT}; }`
    : `sudo -n systemctl reset-failed ${CADDY_UNIT} 2>/dev/null; sudo -n systemctl restart ${CADDY_UNIT}`;
  return {
    label: running ? `caddy validate, systemctl reload ${CADDY_UNIT}` : `caddy validate, systemctl enable and start ${CADDY_UNIT}`,
    command: [
      `out=$(cd / && ${validate} 2>&1) || { printf '%s\n' "$out" | grep -v '"level":"info"'; echo "caddy validate refused ${CADDYFILE}"; exit 1; }`,
      `sudo -n systemctl enable --quiet ${CADDY_UNIT} && { ${go}; }`,
    ].join('\n'),
    timeoutSec: 180,
  };
}

/** Enables Caddy at boot; nothing restarts. */
export function enableCaddyCommand(): RemoteCommand {
  return { label: `systemctl enable ${CADDY_UNIT}`, command: `sudo -n systemctl enable --quiet ${CADDY_UNIT}`, timeoutSec: 60 };
}

/**
 * --tls off after it was on: Caddy stops and stays off at boot, our Caddyfile and files (the key among them)
 * go, so nothing answers on 80 and 443 and no key is left behind. The package stays installed.
 */
export function removeProxyCommand(): RemoteCommand {
  return {
    label: `systemctl disable --now ${CADDY_UNIT}, remove ${CADDYFILE} and ${PROXY_DIR}`,
    command: [
      `sudo -n systemctl disable --now --quiet ${CADDY_UNIT} 2>/dev/null`,
      `sudo -n systemctl reset-failed ${CADDY_UNIT} 2>/dev/null`,
      // Ours goes; the Caddyfile it replaced (the package's) comes back, for a Caddy that is off anyway.
      `if head -n 1 ${CADDYFILE} 2>/dev/null | grep -q ${shq(`^${CADDYFILE_MARKER}`)}; then sudo -n rm -f ${CADDYFILE}; [ -f ${CADDYFILE_BACKUP} ] && sudo -n mv ${CADDYFILE_BACKUP} ${CADDYFILE}; fi`,
      `sudo -n rm -rf ${PROXY_DIR}`,
    ].join('\n'),
    timeoutSec: 90,
  };
}

/** Caddy's last log lines, for a proxy that got no certificate or did not start. */
export function caddyJournalCommand(lines = 20): RemoteCommand {
  return journalTailCommand(CADDY_UNIT, lines, 'cat');
}
