import { resolve } from 'node:path';
import kleur from 'kleur';
import type { HostTarget, ProvisionConfig } from '../config/config.js';
import { UNIT_NAME } from '../render/systemd-unit.js';
import { tildePath, VM_FILES } from '../render/vm-files.js';
import type { HostResult } from '../run/host-run.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The seed recipe's closing guidance, made true for this host. */
export function nextSteps(result: HostResult, config: ProvisionConfig, target: HostTarget): string {
  const url = result.url ?? '';
  const user = target.user;
  const ssh = `ssh ${target.user}@${target.address}${target.port !== 22 ? ` -p ${target.port}` : ''}`;
  const provision = (command: string) => `provision ${command} ${targetFlags(target)}`;
  const auth = config.auth;
  const port = new URL(url).port || config.server.port;
  const lines = [
    kleur.green().bold(`MLflow tracking server is running: ${url}`),
    `  Open the UI:        ${url}`,
    `  Point clients at it: mlflow.set_tracking_uri("${url}")   or   export MLFLOW_TRACKING_URI=${url}`,
    ...(auth
      ? [
          `  Log in:             user ${auth.adminUser} with the password from MLFLOW_AUTH_ADMIN_PASSWORD (the browser asks; /health stays open)`,
          `  Clients log in with: export MLFLOW_TRACKING_USERNAME=${auth.adminUser} MLFLOW_TRACKING_PASSWORD='<the admin password>'   (better: a user of their own, see docs/auth.md)`,
        ]
      : []),
    ...supervisorLines(result, provision),
    `  Files on the VM:    ${tildePath('launcher')}, ${tildePath('secrets')} (0600, database URI${auth ? ', admin password, session key' : ''}${config.server.blob && config.server.blob.credential.kind !== 'managed-identity' ? ', storage credential' : ''})${auth ? `, ${tildePath('authIni')}` : ''}, artifacts in ${result.artifactsDir ?? config.server.artifactsDir ?? `/home/${user}/${VM_FILES.artifactsDir}`}`,
    ...(result.tls ? tlsLines(result.tls, config.server.port, ssh) : []),
    ...(result.tls
      ? []
      : [
          auth
            ? `  Network:            the login travels over plain HTTP: allow TCP ${port} in the VM's network security group only from addresses you trust, or use --tls (docs/tls.md).`
            : `  Network:            the UI has no login; allow TCP ${port} in the VM's network security group only from addresses you trust.`,
        ]),
  ];
  for (const w of result.warnings) lines.push(kleur.yellow(`  ! ${w}`));
  return lines.join('\n');
}

/** --tls: what clients must trust, the certificate, the ports to open and close. */
function tlsLines(tls: NonNullable<HostResult['tls']>, port: number, ssh: string): string[] {
  const trust = tls.caCertPath ?? (tls.trustFile ? resolve(tls.trustFile) : undefined);
  const cert = tls.certificate ? `, valid until ${tls.certificate.validTo.slice(0, 10)}${tls.certificate.issuer ? ` (${tls.certificate.issuer})` : ''}` : '';
  return [
    `  HTTPS:              Caddy (--tls ${tls.mode}) on 443${tls.mode === 'acme' ? ', renews the certificate itself' : ''}${cert}; http:// on 80 redirects; MLflow listens on 127.0.0.1:${port} only`,
    ...(trust
      ? [
          `  Trust its CA:       export MLFLOW_TRACKING_SERVER_CERT_PATH=${trust}   (Python clients; browsers: import ${trust} as a trusted root, see docs/tls.md)`,
        ]
      : []),
    `  Proxy log:          ${ssh} sudo journalctl -u caddy`,
    `  Network:            allow TCP 443${tls.mode === 'acme' ? ' and 80 (the CA checks the name there)' : ' (and 80 for the redirect)'} in the VM's network security group; TCP ${port} need not be open.`,
  ];
}

/**
 * The flags that name this VM again for the lifecycle commands: the host as the user wrote it (an ssh config
 * alias keeps its settings), the SSH user and port, and the jump hosts. Values are validated names and numbers.
 */
export function targetFlags(target: HostTarget): string {
  const jump = target.jump?.length ? ` --jump ${target.jump.map((hop) => hostSpec(hop.user, hop.address, hop.port)).join(',')}` : '';
  return `--host ${hostSpec(target.user, target.name, target.port)}${jump}`;
}

/** [user@]host[:port] as --host and --jump read it (an IPv6 address in brackets). */
function hostSpec(user: string, host: string, port: number): string {
  return `${user}@${host.includes(':') ? `[${host}]` : host}${port !== 22 ? `:${port}` : ''}`;
}

/** How the server is kept running, and the lifecycle commands that follow, stop and start it. */
function supervisorLines(result: HostResult, provision: (command: string) => string): string[] {
  const lifecycle = [
    `  Follow the log:     ${provision('logs --follow')}${result.supervisor === 'systemd' ? `   (without --follow: systemd's own lines too)` : ''}`,
    `  Stop, start:        ${provision('stop')}   /   ${provision('start')}`,
    `  Restart it:         ${provision('restart')}   (waits until /health answers)`,
  ];
  if (result.supervisor === 'systemd') {
    return [`  Supervisor:         systemd (${UNIT_NAME}): restarted after a crash, started at boot`, ...lifecycle];
  }
  return [
    `  Supervisor:         nohup: a reboot of the VM (or an Azure stop/start) stops the server; ${provision('start')} or a rerun brings it back (--supervisor systemd starts it at boot).`,
    ...lifecycle,
  ];
}

export function summaryTable(results: HostResult[]): string {
  const rows = results.map((r) => {
    const status = r.status === 'ok' ? kleur.green('ok') : kleur.red(r.status);
    const what = r.status === 'ok' ? (r.url ?? '') : (r.error ?? '');
    const changed = r.changed.length ? r.changed.join(',') : '-';
    return `  ${r.host.padEnd(24)} ${status.padEnd(12)} ${seconds(r.durationMs).padStart(7)}  changed: ${changed}\n      ${what}${r.log ? kleur.dim(`  (log: ${r.log})`) : ''}`;
  });
  return [kleur.bold('Summary'), ...rows].join('\n');
}

export function jsonResult(r: HostResult): string {
  return JSON.stringify({
    host: r.host,
    status: r.status,
    changed: r.changed,
    url: r.url ?? null,
    error: r.error ?? null,
    warnings: r.warnings,
    durationMs: r.durationMs,
    sshConnections: r.sshConnections,
    remoteCommands: r.remoteCommands,
    portForwards: r.portForwards,
    supervisor: r.supervisor ?? null,
    tls: r.tls ?? null,
    log: r.log ?? null,
  });
}
