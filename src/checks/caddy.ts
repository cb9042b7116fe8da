import { CADDY_ADMIN_PORT } from '../render/caddyfile.js';
import type { HttpRequest, HttpResponse } from './http.js';

/**
 * --tls internal: the VM's CA root, from Caddy's admin API (on the VM's loopback, reached through the SSH
 * connection by `get`); undefined until Caddy has made its CA. Public: it is what clients trust.
 */
export async function caddyInternalRoot(get: (port: number, req: HttpRequest) => Promise<HttpResponse>): Promise<string | undefined> {
  const res = await get(CADDY_ADMIN_PORT, { path: '/pki/ca/local', hostHeader: `localhost:${CADDY_ADMIN_PORT}`, timeoutMs: 5000 }).catch(() => undefined);
  if (res?.status !== 200) return undefined;
  try {
    const root = (JSON.parse(res.body) as { root_certificate?: string }).root_certificate;
    return root?.includes('-----BEGIN CERTIFICATE-----') ? root : undefined;
  } catch {
    return undefined;
  }
}
