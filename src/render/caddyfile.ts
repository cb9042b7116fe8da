import { isIP } from 'node:net';

/** The reverse proxy of --tls: Caddy, from the distribution's packages, run by its own systemd unit. */

export const CADDY_UNIT = 'caddy.service';
export const CADDYFILE = '/etc/caddy/Caddyfile';
/** Our files beside it: root's, group caddy, 0750 (Caddy reads them; other users cannot list them). */
export const PROXY_DIR = '/etc/caddy/provision';
/** The first line of a Caddyfile we wrote: the probe tells ours from one an admin wrote. */
export const CADDYFILE_MARKER = '# Managed by provision';
/** Caddy's admin API, on the VM's loopback only (its default): the internal CA's root is read from it. */
export const CADDY_ADMIN_PORT = 2019;

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
  const global: string[] = [];
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
    ...(global.length > 0 ? ['{', ...global.map((l) => `\t${l}`), '}', ''] : ['']),
    `${site.names.join(', ')} {`,
    ...tls.map((l) => `\t${l}`),
    '\theader Strict-Transport-Security "max-age=31536000"',
    `\treverse_proxy 127.0.0.1:${site.upstreamPort}`,
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
