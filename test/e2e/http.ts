// HTTP from this machine to a lab VM's MLflow server, as a user's laptop or browser would send it.
import http from 'node:http';

export interface VmRequest {
  method?: string;
  path: string;
  /** The Host header; default "<ip>:<port>", as a client that opened the VM's address sends it. */
  host?: string;
  body?: string;
  contentType?: string;
  /** HTTP basic auth, as MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD make clients send it. */
  user?: string;
  password?: string;
  headers?: Record<string, string>;
  port?: number;
}

export interface VmResponse {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export function httpToVm(ip: string, req: VmRequest): Promise<VmResponse> {
  const port = req.port ?? 5000;
  const headers: Record<string, string | number> = { Host: req.host ?? `${ip}:${port}`, ...req.headers };
  if (req.body !== undefined) Object.assign(headers, { 'Content-Type': req.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(req.body) });
  if (req.user !== undefined) headers.Authorization = `Basic ${Buffer.from(`${req.user}:${req.password ?? ''}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const r = http.request({ host: ip, port, method: req.method ?? 'GET', path: req.path, agent: false, timeout: 10_000, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    r.on('timeout', () => r.destroy(new Error(`no HTTP answer from ${ip}:${port} within 10 s`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Only the status and the body, for tests that compare whole answers. */
export async function statusAndBody(ip: string, req: VmRequest): Promise<{ status: number; body: string }> {
  const { status, body } = await httpToVm(ip, req);
  return { status, body };
}
