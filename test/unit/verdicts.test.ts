// The verdicts, from canned answers: what verify and status conclude, sentence by sentence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { databaseSummary, judgeRunningServer } from '../../src/verdicts/status.js';
import { judgeVerify, type VerifyAnswers, type VerifyContext } from '../../src/verdicts/verify.js';

const ctx: VerifyContext = {
  address: '10.0.0.4',
  port: 5000,
  publicHost: '10.0.0.4:5000',
  launcherPath: '/home/u/start-mlflow-server.sh',
  logPath: '/home/u/mlflow-server.log',
  artifactsDir: '/home/u/mlflow-artifacts',
};
const ok = { status: 200, body: '' };
const healthy: VerifyAnswers = {
  health: ok,
  searches: [{ name: '10.0.0.4:5000', ...ok }],
  put: ok,
  got: { status: 200, body: 'x' },
  payload: 'x',
  fromHere: true,
  foreignHost: 403,
};
const judge = (a: Partial<VerifyAnswers>, c: Partial<VerifyContext> = {}) => judgeVerify({ ...ctx, ...c }, { ...healthy, ...a });

test('a healthy server: no error, no warning, the summary says what was checked', () => {
  assert.deepEqual(judge({}), {
    warnings: [],
    summary: '/health ok, experiments search ok, artifact round trip ok, answers from here, refuses a foreign Host header',
  });
  const named = judge({
    searches: [
      { name: '10.0.0.4:5000', ...ok },
      { name: 'a:5000', ...ok },
      { name: 'b:5000', ...ok },
    ],
  });
  assert.match(named.summary, /all 2 public names answer$/);
});

test('each failure is one sentence with its fix, the first one found', () => {
  assert.equal(judge({ health: { status: 503, body: '' } }).error, 'The server on 10.0.0.4 answers /health with HTTP 503.');
  assert.match(
    judge({ searches: [{ name: '10.0.0.4:5000', status: 403, body: 'Cross-origin request blocked' }] }).error!,
    /origin is missing from --cors-allowed-origins in \/home\/u\/start-mlflow-server\.sh/,
  );
  assert.match(
    judge({ searches: [{ name: '10.0.0.4:5000', status: 403, body: 'Invalid Host header' }] }).error!,
    /rejects the Host header "10\.0\.0\.4:5000" \(403\): add it to --allowed-hosts/,
  );
  assert.match(
    judge({
      searches: [
        { name: '10.0.0.4:5000', ...ok },
        { name: 'a:5000', status: 500, body: '' },
      ],
    }).error!,
    /as the UI at http:\/\/a:5000 sends it failed with HTTP 500/,
  );
  assert.match(
    judge({ searches: [{ name: '10.0.0.4:5000', status: 401, body: '' }] }, { auth: { adminUser: 'boss', database: 'auth' } }).error!,
    /user "boss" already exists in database "auth" with another password/,
  );
  assert.match(
    judge({ anonymous: { status: 200, body: '' } }, { auth: { adminUser: 'boss', database: 'auth' } }).error!,
    /Basic auth is not in force: a call without credentials got HTTP 200/,
  );
  assert.match(judge({ searches: [{ name: '10.0.0.4:5000', status: 500, body: '' }] }).error!, /cannot use its database; see \/home\/u\/mlflow-server\.log/);
  assert.match(
    judge({ put: { status: 500, body: '' }, got: undefined }).error!,
    /round trip through the server failed \(PUT 500, GET -\): check that \/home\/u\/mlflow-artifacts is writable/,
  );
  assert.match(judge({ got: { status: 200, body: 'other' } }).error!, /PUT 200, GET 200/);
});

test("Azure Blob: the storage error names the credential to check and MLflow's own message", () => {
  const blob = {
    uri: 'wasbs://c@acct.blob.core.windows.net/p',
    container: 'c',
    account: 'acct',
    path: '/p',
    credential: { kind: 'managed-identity' as const },
  };
  const error = judge({ put: { status: 500, body: '{"message":"AuthorizationPermissionMismatch\\nmore"}' }, got: undefined }, { blob }).error!;
  assert.match(
    error,
    /\(PUT 500: AuthorizationPermissionMismatch\): check that the VM's managed identity .* "Storage Blob Data Contributor" on the storage account acct/,
  );
  assert.match(judge({ put: { status: 0, body: 'no answer within 20 s' }, got: undefined }, { blob }).error!, /PUT timeout: no answer within 20 s/);
});

test('warnings: a closed NSG, and a server that accepts a foreign Host header', () => {
  const closed = judge({ fromHere: false });
  assert.equal(closed.error, undefined);
  assert.match(closed.warnings[0]!, /does not answer from this machine: open TCP port 5000/);
  assert.match(closed.summary, /not reachable from here$/);
  const open = judge({ foreignHost: 200 }, { allowedHosts: ['*'] });
  assert.match(open.warnings[0]!, /DNS-rebinding protection is off \(--allowed-hosts \*\)/);
});

test("status: the running server's problems, and one database sentence for both commands", () => {
  assert.deepEqual(
    judgeRunningServer({
      health: { status: 200, body: 'OK' },
      version: { status: 200, body: '3.17.2\n' },
      search: { status: 200, body: '' },
      installedVersion: '3.17.2',
    }),
    { problems: [], runningVersion: '3.17.2' },
  );
  const bad = judgeRunningServer({
    health: { status: 0, body: 'no answer' },
    version: { status: 200, body: '3.16.1' },
    search: { status: 401, body: '' },
    installedVersion: '3.17.2',
  });
  assert.deepEqual(bad.problems, [
    '/health answers nothing (no answer).',
    'An experiments search answers HTTP 401: the admin credentials in the secrets file are refused.',
    'The server runs MLflow 3.16.1 but 3.17.2 is installed: rerun provision to restart it.',
  ]);
  assert.equal(
    databaseSummary({ serverVersion: '16.4', transport: 'TLS' }, { host: 'db', port: 5432 }),
    'PostgreSQL 16.4 at db:5432 reachable from the VM, TLS, login ok',
  );
});

test('--metrics: /metrics must answer in Prometheus text format; a 404 or an empty page is one sentence', () => {
  const scraped = { status: 200, body: '# HELP mlflow_http_request_total Total\n# TYPE mlflow_http_request_total counter\n' };
  assert.match(judge({ metrics: scraped }, { metrics: true }).summary, /artifact round trip ok, \/metrics ok, answers from here/);
  assert.equal(
    judge({ metrics: { status: 404, body: 'Not Found' } }, { metrics: true }).error,
    "--metrics: /metrics on 10.0.0.4 answered HTTP 404: check that /home/u/start-mlflow-server.sh passes --expose-prometheus and that the server's log /home/u/mlflow-server.log shows no import error.",
  );
  assert.match(judge({ metrics: { status: 200, body: '<html>' } }, { metrics: true }).error!, /answered HTTP 200 without any Prometheus metric/);
  assert.doesNotMatch(judge({}).summary, /metrics/);
});
