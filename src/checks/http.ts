import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Remote } from '../ssh/connection.js';
import { socketShim } from '../ssh/socket-shim.js';

export interface HttpResponse {
  status: number;
  body: string;
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
}

function request(req: HttpRequest, tunnel: Duplex | undefined, target: { host: string; port: number }): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: req.hostHeader ?? `${target.host}:${target.port}`, Connection: 'close', ...req.headers };
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    const timeoutMs = req.timeoutMs ?? 10000;
    const r = http.request(
      {
        host: target.host,
        port: target.port,
        method: req.method ?? 'GET',
        path: req.path,
        headers,
        // Node uses createConnection only when no agent is given; a direct request gets a throwaway agent.
        ...(tunnel ? { createConnection: () => tunnel } : { agent: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
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
