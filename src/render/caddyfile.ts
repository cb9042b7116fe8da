import { isIP } from 'node:net';

/** The reverse proxy of --tls: Caddy, from the distribution's packages, run by its own systemd unit. */

export const CADDY_UNIT = 'caddy.service';
export const CADDYFILE = '/etc/caddy/Caddyfile';
/** Our files beside it: root's, group caddy, 0750 (Caddy reads them; other users cannot list them). */
export const PROXY_DIR = '/etc/caddy/provision';
/** The first line of a Caddyfile we wrote: the probe tells ours from one an admin wrote. */
export const CADDYFILE_MARKER = '# Managed by provision';
/**
 * Caddy's state, in the caddy user's home (Debian's package: /var/lib/caddy): certificates and their keys, the
 * internal CA (pki), ACME accounts and locks under the data folder; the last configuration loaded
 * (autosave.json) under the config folder. Only Caddy (and root) can read them.
 */
export const CADDY_DATA_DIR = '/var/lib/caddy/.local/share/caddy';
export const CADDY_CONFIG_DIR = '/var/lib/caddy/.config/caddy';
/** --tls internal: the root of Caddy's CA, what clients trust. */
export const CADDY_INTERNAL_ROOT = `${CADDY_DATA_DIR}/pki/authorities/local/root.crt`;

/** The files the proxy uses besides the Caddyfile, by role: name in PROXY_DIR, mode, owner. */
export const PROXY_FILES = {
  acmeRoot: { name: 'acme-ca.pem', mode: 0o644, owner: 'root' },
  cert: { name: 'cert.pem', mode: 0o644, owner: 'root' },
  key: { name: 'key.pem', mode: 0o600, owner: 'caddy' },
} as const;
export type ProxyFileRole = keyof typeof PROXY_FILES;

export const proxyFilePath = (role: ProxyFileRole): string => `${PROXY_DIR}/${PROXY_FILES[role].name}`;

export interface CaddySite {
  mode: 'acme' | 'internal' | 'files';
  /** The site's names: the certificate is for these, and Caddy answers only them. */
  names: string[];
  /** MLflow on the VM's loopback. */
  upstreamPort: number;
  acme?: { directory?: string; directoryRoot?: boolean; email?: string };
}

/**
 * The Caddyfile: one site for the names, TLS as asked, HSTS, everything proxied to MLflow on 127.0.0.1. Caddy
 * redirects http:// to https:// on 80 by itself and answers ACME's HTTP-01 challenges there. The Host header
 * passes through as the client sent it, so MLflow's allow-list and CORS see the public name.
 */
export function renderCaddyfile(site: CaddySite): string {
  // Caddy's admin API is off: on 127.0.0.1:2019 (its default) any local user could load a configuration that
  // serves Caddy's keys or re-routes the proxy; it has no login. A changed configuration restarts Caddy instead.
  const global: string[] = ['admin off'];
  if (site.acme?.directory) global.push(`acme_ca ${site.acme.directory}`);
  if (site.acme?.directoryRoot) global.push(`acme_ca_root ${proxyFilePath('acmeRoot')}`);
  if (site.acme?.email) global.push(`email ${site.acme.email}`);
  // The internal CA stays Caddy's: it is not added to the VM's own trust store.
  if (site.mode === 'internal') global.push('skip_install_trust');
  // Clients of https://ADDRESS send no server name (RFC 6066 has none for addresses): Caddy then needs to be told
  // which certificate to serve, or it ends the handshake ("internal error").
  const address = site.names.find((n) => isIP(n.replace(/^\[(.*)\]$/, '$1')) !== 0);
  if (address) global.push(`default_sni ${address.replace(/^\[(.*)\]$/, '$1')}`);
  const tls = site.mode === 'internal' ? ['tls internal'] : site.mode === 'files' ? [`tls ${proxyFilePath('cert')} ${proxyFilePath('key')}`] : [];
  const lines = [
    `${CADDYFILE_MARKER} (--tls ${site.mode}); a rerun rewrites it. See docs/tls.md.`,
    '{',
    ...global.map((l) => `\t${l}`),
    '}',
    '',
    `${site.names.join(', ')} {`,
    ...tls.map((l) => `\t${l}`),
    '\theader Strict-Transport-Security "max-age=31536000"',
    // Idle connections to MLflow are closed by Caddy after 1 s, before uvicorn closes them (5 s; gunicorn 2 s):
    // otherwise a request Caddy sends on a connection the server is just closing gets a reset, and the client a 502.
    `\treverse_proxy 127.0.0.1:${site.upstreamPort} {`,
    '\t\ttransport http {',
    '\t\t\tkeepalive 1s',
    '\t\t}',
    '\t}',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
