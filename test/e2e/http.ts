// HTTP from this machine to a lab VM's MLflow server, as a user's laptop or browser would send it.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';

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
      res
        .setEncoding('utf8')
        .on('data', (d: string) => (body += d))
        .on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
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

/**
 * What a client such as `mlflow.log_metric` / `mlflow.log_artifact` does, through the REST API: an experiment, a
 * run with a metric and an artifact (sent through the server's artifact proxy), the run finished; then read back
 * through the API. Returns the ids and what the server answered when read back.
 */
export async function logRunThroughRest(
  ip: string,
  auth: Pick<VmRequest, 'user' | 'password'> = {},
): Promise<{
  experimentId: string;
  runId: string;
  artifactPath: string;
  payload: string;
  metric: unknown;
  listed: string[];
}> {
  const call = async (method: string, path: string, body?: unknown, contentType?: string): Promise<Record<string, any>> => {
    const res = await httpToVm(ip, {
      method,
      path,
      ...auth,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), ...(contentType ? { contentType } : {}) } : {}),
    });
    if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body}`);
    return res.body ? (JSON.parse(res.body) as Record<string, any>) : {};
  };
  const now = Date.now();
  const { experiment_id: experimentId } = await call('POST', '/api/2.0/mlflow/experiments/create', {
    name: `e2e-${now}-${Math.random().toString(16).slice(2, 8)}`,
  });
  const { run } = await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId, start_time: now, run_name: 'e2e' });
  const runId = String(run.info.run_id);
  await call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: runId, key: 'loss', value: 0.25, timestamp: now, step: 3 });
  // artifact_uri is mlflow-artifacts:/<experiment>/<run>/artifacts: the client uploads through the proxy.
  const root = String(run.info.artifact_uri).replace(/^mlflow-artifacts:\//, '');
  const payload = `model weights ${now}`;
  const putRes = await httpToVm(ip, {
    method: 'PUT',
    path: `/api/2.0/mlflow-artifacts/artifacts/${root}/model.txt`,
    body: payload,
    contentType: 'application/octet-stream',
    ...auth,
  });
  if (putRes.status !== 200) throw new Error(`artifact upload: HTTP ${putRes.status} ${putRes.body}`);
  await call('POST', '/api/2.0/mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  const got = await call('GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`);
  const listed = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}`);
  return {
    experimentId: String(experimentId),
    runId,
    artifactPath: `${root}/model.txt`,
    payload,
    metric: (got.run.data.metrics as Array<{ key: string }>).find((m) => m.key === 'loss'),
    listed: ((listed.files ?? []) as Array<{ path: string }>).map((f) => f.path),
  };
}

/** https from this machine to a VM's address, verified against `ca` for `servername` (sent as SNI unless an address). */
export function httpsToVm(
  ip: string,
  req: VmRequest & { servername: string; ca: string },
): Promise<VmResponse & { cert: { validTo: string; names: string; issuer: string } }> {
  const headers: Record<string, string | number> = { Host: req.host ?? req.servername, ...req.headers };
  if (req.body !== undefined) Object.assign(headers, { 'Content-Type': req.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(req.body) });
  if (req.user !== undefined) headers.Authorization = `Basic ${Buffer.from(`${req.user}:${req.password ?? ''}`).toString('base64')}`;
  const sni = isIP(req.servername) === 0 ? { servername: req.servername } : {};
  return new Promise((resolve, reject) => {
    const r = https.request(
      {
        host: ip,
        port: req.port ?? 443,
        method: req.method ?? 'GET',
        path: req.path,
        agent: false,
        timeout: 10_000,
        headers,
        ca: req.ca,
        ...sni,
        checkServerIdentity: (_h, cert) => tls.checkServerIdentity(req.servername, cert),
      },
      (res) => {
        const peer = (res.socket as tls.TLSSocket).getPeerCertificate();
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (d: string) => (body += d))
          .on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              headers: res.headers,
              cert: { validTo: peer.valid_to, names: peer.subjectaltname ?? '', issuer: String(peer.issuer?.CN ?? '') },
            }),
          );
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no HTTPS answer from ${ip} within 10 s`)));
    r.on('error', reject);
    r.end(req.body);
  });
}
