import { randomBytes } from 'node:crypto';
import type { HttpRequest, HttpResponse, TlsCheck } from '../../checks/http.js';
import { tlsCheckFor } from '../tls-trust.js';
import { StepError } from '../../util/errors.js';
import { FOREIGN_HOST, judgeVerify, roundTripOk, type Answer, type VerifyAnswers } from '../../verdicts/verify.js';
import { checkBlobAccess } from '../blob-access.js';
import type { HostRun } from '../host-run.js';
import type { ProvisionCheckedStep, StepOutcome } from './step.js';
import { urlHost } from '../../util/url-host.js';

/** How long the verify step's artifact PUT to Azure Blob may take before it counts as unreachable. */
const BLOB_ROUND_TRIP_WAIT_SEC = 20;

/**
 * How users reach the server: plain HTTP at the MLflow port, or (--tls) https through Caddy on 443, verified.
 * `send` goes from the VM's side through the SSH connection; `direct` from this machine.
 */
interface Route {
  scheme: 'http' | 'https';
  /** The Host header users send: host:port, or with --tls the first name. */
  publicHost: string;
  /** More Host headers users send: each --public-name (and, with --tls, each name the proxy serves). */
  names: string[];
  port: number;
  send(req: HttpRequest): Promise<HttpResponse>;
  direct(req: HttpRequest): Promise<HttpResponse>;
  /**
   * Where the DNS-rebinding check goes: from here to the MLflow port; with --tls to MLflow on the VM's loopback
   * (Caddy answers a foreign Host itself, with an empty 200, so only MLflow's own answer tells).
   */
  foreign(req: HttpRequest): Promise<HttpResponse>;
}

async function routeOf(run: HostRun): Promise<Route> {
  const desired = run.need(run.desired);
  const proxy = desired.proxy;
  if (!proxy) {
    const port = desired.port;
    return {
      scheme: 'http',
      publicHost: `${urlHost(run.target.address)}:${port}`,
      names: (run.serverOptions.publicNames ?? []).map((n) => `${urlHost(n)}:${port}`),
      port,
      send: (req) => run.conn.http(port, req),
      direct: (req) => run.io.httpDirect(run.target.address, port, req),
      foreign: (req) => run.io.httpDirect(run.target.address, port, req),
    };
  }
  const checks = new Map<string, TlsCheck>();
  for (const name of proxy.names) {
    const check = await tlsCheckFor(run, name);
    if (!check)
      throw new StepError(`Caddy on ${run.target.address} does not give its internal CA's root (admin API on 127.0.0.1:2019); see sudo journalctl -u caddy.`);
    checks.set(urlHost(name), check);
  }
  const first = urlHost(proxy.names[0]!);
  const tlsFor = (req: HttpRequest) => checks.get(req.hostHeader ?? first) ?? checks.get(first)!;
  return {
    scheme: 'https',
    publicHost: first,
    names: proxy.names.slice(1).map(urlHost),
    port: 443,
    send: (req) =>
      run.conn.http(443, { ...req, tls: tlsFor(req) }).catch((err: unknown) => {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (!/CERT|SELF_SIGNED|ERR_TLS|UNABLE_TO|HOSTNAME/.test(code)) throw err;
        throw new StepError(
          `The certificate Caddy serves for ${req.hostHeader ?? first} does not verify (${(err as Error).message}): ${proxy.trust ? 'check that --tls-ca-cert is the CA that issued it' : proxy.mode === 'files' ? 'check that --tls-cert holds the certificate and its chain, or give its CA with --tls-ca-cert' : "see Caddy's log (sudo journalctl -u caddy)"}.`,
        );
      }),
    direct: (req) => run.io.httpDirect(run.target.address, 443, { ...req, tls: checks.get(first)! }),
    foreign: (req) => run.conn.http(desired.port, req),
  };
}

/** The checks, all at once over the same connection (each on its own forwarded channel), plus some from here. */
async function gather(run: HostRun, route: Route): Promise<VerifyAnswers> {
  const { port } = run.need(run.desired);
  const auth = run.authHeaders();
  const { publicHost, names } = route;
  const fromHere = route.direct({ path: '/health', timeoutMs: 5000 }).then(
    (r) => r.status === 200,
    () => false,
  );
  // From here too: a request with a foreign Host header must be refused (MLflow's DNS-rebinding protection).
  const foreignHost = route.foreign({ method: 'POST', path: '/api/2.0/mlflow/experiments/search', hostHeader: FOREIGN_HOST, body: '{}', timeoutMs: 5000 }).then(
    (r) => r.status,
    () => 0,
  );
  // With --tls the MLflow port must not answer from outside the VM: it listens on 127.0.0.1.
  const plainPort =
    route.scheme === 'https'
      ? run.io.httpDirect(run.target.address, port, { path: '/health', timeoutMs: 3000 }).then(
          () => true,
          () => false,
        )
      : undefined;
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
    headers: { ...auth.headers, Origin: `${route.scheme}://${host.replace(/:80$/, '')}` },
  });
  const [health, searches, roundTrip, anonymous, metrics] = await Promise.all([
    run.conn.http(port, { path: '/health' }),
    // The public host, then each --public-name, as the UI opened at that name calls the API.
    Promise.all([publicHost, ...names].map((name) => route.send(asBrowser(name)).then((r) => ({ name, ...r })))),
    artifactRoundTrip(run, route, payload),
    // --auth basic: the same call without credentials must be refused.
    run.config.auth ? route.send(searchReq) : undefined,
    // --metrics: as a scraper on the VM's network asks (behind the login with --auth basic).
    run.serverOptions.metrics ? run.conn.http(port, { path: '/metrics', ...auth }) : undefined,
  ]);
  for (const r of searches) if (r.cert && r.name === publicHost) run.notes.servedCertificate = r.cert;
  const plain = plainPort === undefined ? {} : { plainPortFromHere: await plainPort };
  return {
    health,
    searches,
    ...roundTrip,
    ...(anonymous ? { anonymous } : {}),
    ...(metrics ? { metrics } : {}),
    payload,
    fromHere: await fromHere,
    foreignHost: await foreignHost,
    ...plain,
  };
}

/** PUT an artifact through the server, GET it back, DELETE it. */
async function artifactRoundTrip(run: HostRun, route: Route, payload: string): Promise<{ put: Answer; got?: Answer }> {
  const auth = run.authHeaders();
  const publicHost = route.publicHost;
  const blob = run.serverOptions.blob;
  const path = `/api/2.0/mlflow-artifacts/artifacts/provision-check/${randomBytes(6).toString('hex')}.txt`;
  // To Azure Blob the PUT is bounded: when MLflow cannot reach the storage account, it retries for more than
  // a minute (77 s measured) before it answers 500, with no reason given.
  const put = await route
    .send({
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
  if (put.status !== 200) return { put }; // nothing was stored: nothing to read back or delete
  const bounded = blob ? { timeoutMs: BLOB_ROUND_TRIP_WAIT_SEC * 1000 } : {};
  const got = await route.send({ path, hostHeader: publicHost, ...auth, ...bounded });
  await route.send({ method: 'DELETE', path, hostHeader: publicHost, ...auth, ...bounded }).catch(() => undefined);
  return { put, got };
}

async function verify(run: HostRun): Promise<StepOutcome> {
  const desired = run.need(run.desired);
  const server = run.serverOptions;
  const route = await routeOf(run);
  const answers = await gather(run, route);
  if (server.blob && !roundTripOk(answers)) {
    const ctx = { dest: server.blob, credential: server.blob.credential.kind, secretsPath: desired.layout.secrets };
    answers.blobCheck = await checkBlobAccess(run, desired.layout, ctx);
  }
  const verdict = judgeVerify(
    {
      address: run.target.address,
      port: desired.port,
      publicHost: route.publicHost,
      scheme: route.scheme,
      launcherPath: desired.layout.launcher,
      logPath: desired.layout.log,
      artifactsDir: desired.layout.artifactsDir,
      ...(run.config.auth ? { auth: run.config.auth } : {}),
      ...(server.blob ? { blob: server.blob } : {}),
      ...(server.allowedHosts ? { allowedHosts: server.allowedHosts } : {}),
      ...(server.metrics ? { metrics: true } : {}),
      ...(desired.proxy ? { tls: { mode: desired.proxy.mode } } : {}),
      ...(run.target.jump?.length ? { viaJump: true } : {}),
    },
    answers,
  );
  if (verdict.error) throw new StepError(verdict.error);
  run.warnings.push(...verdict.warnings);
  return { changed: false, summary: verdict.summary };
}

export const verifyStep: ProvisionCheckedStep = { id: 'verify', title: 'Health check', liveOnly: true, run: verify };
