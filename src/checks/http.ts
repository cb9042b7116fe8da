import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Forwarder } from '../ssh/connection.js';
import { closeChannel, socketShim } from '../ssh/socket-shim.js';
import { ConnectionDropped, Interrupted, StepError } from '../util/errors.js';

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
    // Destroying a request on a tunnel may surface as "socket hang up" first: the timeout is what is told.
    const timeout = new Error(`no HTTP answer within ${Math.round(timeoutMs / 1000)} s`);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      r.destroy(timeout);
    }, timeoutMs);
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(timedOut ? timeout : err);
    });
    r.end(req.body);
  });
}

/**
 * A request through the SSH connection to a port on the VM got no HTTP answer (the VM refused the channel, the
 * socket hung up, no answer in time): the message is the sentence for the user (what, where, what to check),
 * `detail` the bare cause for a caller that words its own sentence; `code` stays the original error's.
 */
export class HttpOnVmError extends StepError {
  constructor(
    readonly detail: string,
    readonly code: string | undefined,
    where: { vm: string; port: number; req: HttpRequest },
  ) {
    super(
      `${where.req.method ?? 'GET'} ${where.req.path} to port ${where.port} on ${where.vm} (through the SSH connection) got no answer: ${detail}; ` +
        `check that the server on that port runs and answers (provision status shows the MLflow server and its log), or rerun provision to restart it.`,
    );
  }
}

/** What a failed request said, in a few words (a connection refused by the VM said plainly). */
function failureDetail(err: Error & { code?: string }, port: number): string {
  const message = err.message.replace(/^\(SSH\) /, '');
  if (err.code === 'FORWARD_FAILED' && /Connection refused/i.test(message)) return `connection refused (nothing listens on port ${port})`;
  return message;
}

/** The bare cause of a failed request on the VM (HttpOnVmError's detail, else the message). */
export function httpFailureDetail(err: unknown): string {
  if (err instanceof HttpOnVmError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

/** Certificate and TLS failures stay as they are: their callers word them (which certificate, which CA). */
const TLS_FAILURE = /CERT|SELF_SIGNED|ERR_TLS|UNABLE_TO|HOSTNAME|EPROTO|ERR_SSL/;

/** An HTTP request to 127.0.0.1:port as seen from the VM, through a port-forward on the SSH connection. */
export async function httpOnVm(remote: Forwarder, port: number, req: HttpRequest): Promise<HttpResponse> {
  try {
    const channel = socketShim(await remote.forward('127.0.0.1', port, req.timeoutMs ?? 10000));
    try {
      return await request(req, channel, { host: '127.0.0.1', port });
    } finally {
      closeChannel(channel);
    }
  } catch (err) {
    throw httpOnVmFailure(err, { vm: remote.target.address, port, req });
  }
}

/**
 * What a failed request on the VM becomes: a failure below HTTP (channel refused, socket hung up, no answer in
 * time) an HttpOnVmError with its sentence; certificate and TLS failures, Ctrl-C and a dropped connection stay.
 */
export function httpOnVmFailure(err: unknown, where: { vm: string; port: number; req: HttpRequest }): unknown {
  const e = err as Error & { code?: string };
  if (!(e instanceof Error) || e instanceof Interrupted || e instanceof ConnectionDropped || TLS_FAILURE.test(e.code ?? '')) return err;
  return new HttpOnVmError(failureDetail(e, where.port), e.code, where);
}

/** A plain HTTP request from this machine, as a user's browser or client would make it. */
export function httpDirect(host: string, port: number, req: HttpRequest): Promise<HttpResponse> {
  return request(req, undefined, { host, port });
}
