import { CADDY_DATA_DIR, CADDYFILE, PROXY_DIR, PROXY_FILES } from '../render/caddyfile.js';
import { sha256 } from '../render/server-files.js';
import type { Action, Plan } from '../action/action.js';
import type { DesiredProxy } from './desired.js';
import type { Facts } from './facts.js';
import {
  applyCaddyCommand,
  enableCaddyCommand,
  installCaddyCommands,
  installCaddyfileCommand,
  installProxyFilesCommand,
  ourProxyUploads,
  proxyUploadPath,
  removeProxyCommand,
  removeProxyFilesCommand,
  removeProxyUploadsCommand,
} from './proxy-commands.js';

export interface ProxyPlan extends Plan {
  /** Caddy (re)loads a configuration: the step then waits until the certificate is served. */
  awaitCertificate: boolean;
}

/** Why --tls cannot work on this VM (one sentence), before anything changes. */
export function proxyProblem(facts: Facts, proxy: DesiredProxy | undefined, address: string): string | undefined {
  if (!proxy || facts.supervisor.systemd) return undefined;
  return `--tls needs systemd on ${address} (Caddy runs as its caddy.service), and this VM does not run it: use an image with systemd (every Azure Linux image has it), or leave --tls out.`;
}

/**
 * What the proxy step does, pure: with --tls, install Caddy, write what differs (Caddyfile, our files), and
 * start, reload or enable it; without --tls, take away a proxy an earlier run set up. Unchanged when the VM
 * already has it all.
 */
export function planProxy(facts: Facts, proxy: DesiredProxy | undefined, home: string): ProxyPlan {
  const have = facts.proxy;
  // An interrupted run's uploads (the key among them) go whatever else happens, with --tls or without.
  const uploads = ourProxyUploads(home, have.uploads ?? []);
  const leftovers: Action[] = uploads.length > 0 ? [removeProxyUploadsCommand(uploads)] : [];
  const leftoverWhy = uploads.length > 0 ? [`${uploads.join(', ')} left by an interrupted run`] : [];
  if (!proxy) {
    const left = have.ours || have.dir;
    if (!left && leftovers.length === 0) return { change: false, reason: 'no --tls: MLflow serves plain HTTP', actions: [], awaitCertificate: false };
    const removal = left
      ? [
          `no --tls now: Caddy is stopped and disabled; ${CADDYFILE}, ${PROXY_DIR} (our certificate and key) and Caddy's state (${CADDY_DATA_DIR}: certificates and their keys, the internal CA, ACME accounts) are removed; the caddy package stays installed`,
        ]
      : [];
    return {
      change: true,
      reason: [...removal, ...leftoverWhy.map((w) => `${w} removed`)].join('; '),
      actions: [...leftovers, ...(left ? [removeProxyCommand()] : [])],
      awaitCertificate: false,
    };
  }
  const actions: Action[] = [...leftovers];
  const why: string[] = [...leftoverWhy];
  if (!have.installed) {
    why.push('Caddy is not installed');
    actions.push(...installCaddyCommands(facts.osId, facts.osVersion));
  }
  const stale = proxy.files.filter((f) => {
    const now = have.files[PROXY_FILES[f.role].name];
    return !now || now.sha256 !== sha256(f.content) || now.mode !== f.mode || now.owner !== f.owner;
  });
  if (stale.length > 0) {
    why.push(`${stale.map((f) => f.path).join(', ')} ${stale.length === 1 ? 'differs' : 'differ'}`);
    const uploads = stale.map((f) => ({ ...f, upload: proxyUploadPath(home, PROXY_FILES[f.role].name) }));
    for (const u of uploads) actions.push({ kind: 'upload', path: u.upload, content: u.content, mode: 0o600 });
    actions.push(installProxyFilesCommand(uploads));
  }
  const wanted = new Set<string>(proxy.files.map((f) => PROXY_FILES[f.role].name));
  const extra = Object.keys(have.files).filter((name) => !wanted.has(name));
  if (extra.length > 0) {
    why.push(`${extra.map((n) => `${PROXY_DIR}/${n}`).join(', ')} no longer used`);
    actions.push(removeProxyFilesCommand(extra.map((n) => `${PROXY_DIR}/${n}`)));
  }
  const configChanged = have.caddyfileSha256 !== sha256(proxy.caddyfile);
  if (configChanged) {
    why.push(have.caddyfileSha256 === undefined ? `${CADDYFILE} is missing` : have.ours ? `${CADDYFILE} differs` : `${CADDYFILE} is not ours yet`);
    const upload = proxyUploadPath(home, 'Caddyfile');
    actions.push({ kind: 'upload', path: upload, content: proxy.caddyfile, mode: 0o600 });
    actions.push(installCaddyfileCommand(upload));
  }
  const running = have.active === 'active';
  const reload = configChanged || stale.length > 0 || extra.length > 0;
  if (!running) why.push(`Caddy is ${have.active ?? 'not running'}`);
  if (reload || !running) actions.push(applyCaddyCommand(running && have.installed));
  else if (have.enabled !== true) {
    why.push('Caddy does not start at boot');
    actions.push(enableCaddyCommand());
  }
  if (actions.length === 0) {
    return { change: false, reason: `Caddy serves ${proxy.names.join(', ')} (--tls ${proxy.mode}), configuration as wanted`, actions, awaitCertificate: false };
  }
  return { change: true, reason: why.join('; '), actions, awaitCertificate: reload || !running };
}
