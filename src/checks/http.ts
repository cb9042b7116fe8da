import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Remote } from '../ssh/connection.js';
import { socketShim } from '../ssh/socket-shim.js';

export interface HttpResponse {
  status: number;
  body: string;
  headers?: http.IncomingHttpHeaders;
  /** Over https: the server's certificate as verified (the leaf). */
  cert?: ServedCertificate;
}

/** The leaf certificate a server presented. */
export interface ServedCertificate {
  /** notBefore and notAfter, ISO 8601. */
  validFrom: string;
  validTo: string;
  issuer: string;
  /** subjectAltName as Node prints it: "DNS:a, IP Address:1.2.3.4". */
  names: string;
}

/** https: the name the certificate must be for (SNI and the host check) and the CA(s) to trust; none: this machine's. */
export interface TlsCheck {
  servername: string;
  ca?: string;
}

export interface HttpRequest {
  method?: string;
  path: string;
  hostHeader?: string;
  body?: string | Buffer;
  contentType?: string;
  timeoutMs?: number;
  /** Extra request headers, e.g. Authorization for a server with basic auth. */
  headers?: Record<string, string>;
  /** Speak https, verifying the certificate fully (chain to `ca`, valid now, for `servername`). */
  tls?: TlsCheck;
}

/**
 * Full verification: the chain to `ca` (or this machine's roots), the dates, and the name, checked against
 * `servername` whatever address the connection went to. An address is never sent as SNI (RFC 6066).
 */
function tlsOptions(check: TlsCheck): tls.ConnectionOptions {
  return {
    ...(isIP(check.servername) === 0 ? { servername: check.servername } : {}),
    ...(check.ca ? { ca: check.ca } : {}),
    rejectUnauthorized: true,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(check.servername, cert),
  };
}

function request(req: HttpRequest, tunnel: Duplex | undefined, target: { host: string; port: number }): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: req.hostHeader ?? `${target.host}:${target.port}`, Connection: 'close', ...req.headers };
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    const timeoutMs = req.timeoutMs ?? 10000;
    const secure = req.tls ? tlsOptions(req.tls) : undefined;
    const options: https.RequestOptions = { host: target.host, port: target.port, method: req.method ?? 'GET', path: req.path, headers, ...secure };
    if (req.tls) headers.Host = req.hostHeader ?? req.tls.servername;
    // Node uses createConnection only when no agent is given; a direct request gets a throwaway agent.
    if (tunnel && secure) {
      // TLS inside the SSH channel, verified as a direct connection is.
      options.createConnection = () => tls.connect({ socket: tunnel, ...secure });
    } else if (tunnel) options.createConnection = () => tunnel;
    else options.agent = false;
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      const socket = res.socket as tls.TLSSocket;
      const peer = req.tls && typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
          ...(peer?.valid_to
            ? {
                cert: {
                  validFrom: new Date(peer.valid_from).toISOString(),
                  validTo: new Date(peer.valid_to).toISOString(),
                  issuer: String(peer.issuer?.CN ?? peer.issuer?.O ?? ''),
                  names: peer.subjectaltname ?? '',
                },
              }
            : {}),
        });
      });
      res.on('error', reject);
    };
    const r = req.tls ? https.request(options, onResponse) : http.request(options, onResponse);
    const timer = setTimeout(() => r.destroy(new Error(`no HTTP answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    r.end(req.body);
  });
}

/** An HTTP request to 127.0.0.1:port as seen from the VM, through a port-forward on the SSH connection. */
export async function httpOnVm(remote: Remote, port: number, req: HttpRequest): Promise<HttpResponse> {
  const channel = socketShim(await remote.forward('127.0.0.1', port, req.timeoutMs ?? 10000));
  try {
    return await request(req, channel, { host: '127.0.0.1', port });
  } finally {
    channel.destroy();
  }
}

/** A plain HTTP request from this machine, as a user's browser or client would make it. */
export function httpDirect(host: string, port: number, req: HttpRequest): Promise<HttpResponse> {
  return request(req, undefined, { host, port });
}
