import { randomBytes } from 'node:crypto';
import type { HttpRequest } from '../../checks/http.js';
import { StepError } from '../../util/errors.js';
import { FOREIGN_HOST, judgeVerify, type Answer, type VerifyAnswers } from '../../verdicts/verify.js';
import type { HostRun } from '../host-run.js';
import type { CheckedStep, StepOutcome } from './step.js';
import { urlHost } from '../../util/url-host.js';

/** How long the verify step's artifact PUT to Azure Blob may take before it counts as unreachable. */
const BLOB_ROUND_TRIP_WAIT_SEC = 20;

/** The checks, all at once over the same connection (each on its own forwarded channel), plus two from here. */
async function gather(run: HostRun, publicHost: string, names: string[]): Promise<VerifyAnswers> {
  const { port } = run.need(run.desired);
  const conn = run.conn;
  const address = run.target.address;
  const auth = run.authHeaders();
  const fromHere = run.io.httpDirect(address, port, { path: '/health', timeoutMs: 5000 }).then(
    (r) => r.status === 200,
    () => false,
  );
  // From here too: a request with a foreign Host header must be refused (MLflow's DNS-rebinding protection).
  const foreignHost = run.io
    .httpDirect(address, port, {
      method: 'POST',
      path: '/api/2.0/mlflow/experiments/search',
      hostHeader: FOREIGN_HOST,
      body: '{}',
      timeoutMs: 5000,
    })
    .then(
      (r) => r.status,
      () => 0,
    );
  const payload = `provision artifact check ${new Date().toISOString()}`;
  // As the UI at the public address sends it: that Host header and that Origin (the CORS check).
  const searchReq: HttpRequest = {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/search',
    hostHeader: publicHost,
    body: JSON.stringify({ max_results: 1 }),
  };
  const asBrowser = (host: string): HttpRequest => ({
    ...searchReq,
    hostHeader: host,
    headers: { ...auth.headers, Origin: `http://${host.replace(/:80$/, '')}` },
  });
  const [health, searches, roundTrip, anonymous] = await Promise.all([
    conn.http(port, { path: '/health' }),
    // The public host, then each --public-name, as the UI opened at that name calls the API.
    Promise.all([publicHost, ...names].map((name) => conn.http(port, asBrowser(name)).then((r) => ({ name, ...r })))),
    artifactRoundTrip(run, publicHost, payload),
    // --auth basic: the same call without credentials must be refused.
    run.config.auth ? conn.http(port, searchReq) : undefined,
  ]);
  return { health, searches, ...roundTrip, ...(anonymous ? { anonymous } : {}), payload, fromHere: await fromHere, foreignHost: await foreignHost };
}

/** PUT an artifact through the server, GET it back, DELETE it. */
async function artifactRoundTrip(run: HostRun, publicHost: string, payload: string): Promise<{ put: Answer; got?: Answer }> {
  const { port } = run.need(run.desired);
  const auth = run.authHeaders();
  const blob = run.serverOptions.blob;
  const path = `/api/2.0/mlflow-artifacts/artifacts/provision-check/${randomBytes(6).toString('hex')}.txt`;
  // To Azure Blob the PUT is bounded: when MLflow cannot reach the storage account, it retries for more than
  // a minute (77 s measured) before it answers 500, with no reason given.
  const put = await run.conn
    .http(port, {
      method: 'PUT',
      path,
      hostHeader: publicHost,
      body: payload,
      contentType: 'text/plain',
      ...auth,
      ...(blob ? { timeoutMs: BLOB_ROUND_TRIP_WAIT_SEC * 1000 } : {}),
    })
    .catch((err: unknown) => {
      if (!blob || run.interrupted) throw err;
      return { status: 0, body: `no answer within ${BLOB_ROUND_TRIP_WAIT_SEC} s; MLflow retries a storage account it cannot reach for over a minute` };
    });
  const got = put.status === 200 ? await run.conn.http(port, { path, hostHeader: publicHost, ...auth }) : undefined;
  await run.conn.http(port, { method: 'DELETE', path, hostHeader: publicHost, ...auth }).catch(() => undefined);
  return { put, ...(got ? { got } : {}) };
}

async function verify(run: HostRun): Promise<StepOutcome> {
  const desired = run.need(run.desired);
  const server = run.serverOptions;
  const publicHost = `${urlHost(run.target.address)}:${desired.port}`;
  const names = (server.publicNames ?? []).map((n) => `${urlHost(n)}:${desired.port}`);
  const answers = await gather(run, publicHost, names);
  const verdict = judgeVerify(
    {
      address: run.target.address,
      port: desired.port,
      publicHost,
      launcherPath: desired.layout.launcher,
      logPath: desired.layout.log,
      artifactsDir: desired.layout.artifactsDir,
      ...(run.config.auth ? { auth: run.config.auth } : {}),
      ...(server.blob ? { blob: server.blob } : {}),
      ...(server.allowedHosts ? { allowedHosts: server.allowedHosts } : {}),
    },
    answers,
  );
  if (verdict.error) throw new StepError(verdict.error);
  run.warnings.push(...verdict.warnings);
  return { changed: false, summary: verdict.summary };
}

export const verifyStep: CheckedStep = { id: 'verify', title: 'Health check', liveOnly: true, run: verify };
