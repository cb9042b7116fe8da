// The lab's stand-in mlflow (fixtures/mlflow-standin, docs/lab-standin.md), started BY HAND inside lab VM 3 against
// the lab's SSL-only Postgres, behaves like the MLflow server the provisioning tool has to deal with. Requests come
// from the root namespace (the "laptop") to 10.231.0.13 with explicit Host headers.
//
// Run: cd /work/main && node --import tsx --test test/e2e/standin.test.ts   (root, Linux; ~1 min with the snapshot)
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test, type TestContext } from 'node:test';
import {
  dbAllow,
  dbBlock,
  ensureLab,
  hasSnapshot,
  labDbEnv,
  labPsql,
  requireLab,
  resetVm,
  restoreVm,
  snapshotVm,
  vmExec,
  vmFileStat,
  vmIp,
  vmProcesses,
  vmReadFile,
  type RunResult,
} from './lab.js';

const K = 3;
const IP = vmIp(K);
const SNAPSHOT = 'standin-base';
const HOME = '/home/azureuser';
const DIR = `${HOME}/standin`;
const NEW = '3.16.1';
const OLD = '3.15.1';
const HEAD_NEW = 'c9d8e7f6a5b4';
const HEAD_OLD = 'b7e2c1a4d9f3';
const INVALID_HOST = 'Invalid Host header - possible DNS rebinding attack detected';
const DBS = ['standin_t', 'standin_up', 'standin_race', 'standin_auth'];

// ---------------------------------------------------------------------------------------------------------------------
// helpers

interface Http {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the VM with an explicit Host header; rejects on connection errors (e.g. refused). */
function http(
  port: number,
  method: string,
  path: string,
  opts: { host?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Http> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: opts.host ?? `${IP}:${port}`, ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = request({ host: IP, port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last error: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resolves when GET /health answers 200 on the port. */
function healthy(port: number, timeoutMs = 30_000): Promise<true> {
  return waitFor(`${IP}:${port}/health`, timeoutMs, async () => ((await http(port, 'GET', '/health')).status === 200 ? true : undefined));
}

async function refused(port: number): Promise<boolean> {
  try {
    await http(port, 'GET', '/health', { timeoutMs: 2_000 });
    return false;
  } catch (e) {
    return /ECONNREFUSED/.test(String(e));
  }
}

async function sh(cmd: string, opts: { user?: 'root' | 'azureuser'; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return vmExec(K, cmd, { user: opts.user ?? 'azureuser', timeoutMs: opts.timeoutMs, input: opts.input });
}

async function shOk(cmd: string, opts: { user?: 'root' | 'azureuser'; timeoutMs?: number; input?: string } = {}): Promise<string> {
  const r = await sh(cmd, opts);
  assert.equal(r.code, 0, `\`${cmd}\` exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

const started = new Set<number>();

/** Starts `mlflow ... server ...` in the background in its own process group; returns the PID (= group id). */
async function startServer(venv: string, args: string, log: string, env: Record<string, string> = {}): Promise<number> {
  const vars = Object.entries(env)
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  // `;` before nohup and all three streams redirected, or the exec session would wait for the server
  const out = await shOk(`cd ${DIR}; ${vars} nohup setsid ${HOME}/${venv}/bin/mlflow ${args} </dev/null >${log} 2>&1 & echo $!`);
  const pid = Number(out.trim());
  started.add(pid);
  return pid;
}

/** PIDs among `pids` that still run (zombies count as gone). */
async function alive(pids: number[]): Promise<number[]> {
  const r = await sh(`for p in ${pids.join(' ')}; do s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo $p; done; true`);
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

/** SIGTERM to the server's process group (mlflow CLI, uvicorn, workers); waits until all are gone. */
async function stopServer(pgid: number): Promise<void> {
  await sh(`kill -TERM -- -${pgid} 2>/dev/null; true`);
  await waitFor(`process group ${pgid} to exit`, 15_000, async () => {
    const r = await sh(`ps -o stat= -g ${pgid} | grep -v '^Z' | grep -q . && echo alive || echo gone`);
    return r.stdout.trim() === 'gone' ? true : undefined;
  });
  started.delete(pgid);
}

/** Waits until the server process (the mlflow CLI) exits; returns its log. */
async function exited(pid: number, log: string, timeoutMs = 20_000): Promise<string> {
  await waitFor(`mlflow (pid ${pid}) to exit`, timeoutMs, async () => ((await alive([pid])).length === 0 ? true : undefined));
  started.delete(pid);
  return vmReadFile(K, `${DIR}/${log}`);
}

/** Percent-encodes every character outside RFC 3986's unreserved set. */
function pct(s: string): string {
  return Array.from(new TextEncoder().encode(s))
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

function search(port: number, host: string, extra: { headers?: Record<string, string> } = {}): Promise<Http> {
  return http(port, 'POST', '/api/2.0/mlflow/experiments/search', {
    host,
    body: '{"max_results":1}',
    headers: { 'content-type': 'application/json', ...(extra.headers ?? {}) },
  });
}

// ---------------------------------------------------------------------------------------------------------------------

test('stand-in mlflow, started by hand in a lab VM, behaves like the MLflow server', { timeout: 10 * 60_000 }, async (t: TestContext) => {
  if (!requireLab(t)) return;
  await ensureLab(K);
  const db = labDbEnv();
  const uri = (name: string) => `postgresql+psycopg2://${db.user}:${pct(db.password)}@${db.host}:${db.port}/${name}?sslmode=require`;

  // A VM with python3, venv and psql (what the tool installs); saved once, restored afterwards (~40 s saved).
  if (hasSnapshot(SNAPSHOT)) {
    await restoreVm(K, SNAPSHOT);
  } else {
    await resetVm(K);
    await shOk(
      'export DEBIAN_FRONTEND=noninteractive; apt-get -o DPkg::Lock::Timeout=120 update -q && ' +
        'apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends python3 python3-venv postgresql-client',
      { user: 'root', timeoutMs: 300_000 },
    );
    await snapshotVm(K, SNAPSHOT);
  }
  t.after(async () => {
    await dbAllow(K).catch(() => {});
    for (const pgid of [...started]) await stopServer(pgid).catch(() => {});
    await labPsql(DBS.map((d) => `DROP DATABASE IF EXISTS ${d} WITH (FORCE);`).join('\n')).catch(() => {});
  });

  await labPsql(DBS.map((d) => `DROP DATABASE IF EXISTS ${d} WITH (FORCE);\nCREATE DATABASE ${d} OWNER ${db.user};`).join('\n'));
  // Two venvs from the lab's pip index (/etc/pip.conf): the current and an older stand-in version.
  await shOk(
    `mkdir -p ${DIR} && python3 -m venv ${HOME}/venv && python3 -m venv ${HOME}/venv15 && ` +
      `${HOME}/venv/bin/pip install -q mlflow==${NEW} psycopg2-binary && ${HOME}/venv15/bin/pip install -q mlflow==${OLD} psycopg2-binary`,
    { timeoutMs: 180_000 },
  );
  // The secrets file: 0600, the URI with the percent-encoded password; read by `mlflow --env-file`.
  await shOk(`umask 077; cat > ${DIR}/secrets.env`, {
    input:
      `MLFLOW_BACKEND_STORE_URI='${uri('standin_t')}'\n` +
      `MLFLOW_ARTIFACTS_DESTINATION=${DIR}/artifacts\n` +
      '# what blog recipes set; MLflow does not read it\n' +
      'MLFLOW_ALLOWED_HOSTS=evil.example.com\n',
  });
  assert.equal((await vmFileStat(K, `${DIR}/secrets.env`))?.mode, 0o600);

  await t.test('mlflow --version prints "mlflow, version X.Y.Z"', async () => {
    assert.equal((await shOk(`${HOME}/venv/bin/mlflow --version`)).trim(), `mlflow, version ${NEW}`);
    assert.equal((await shOk(`${HOME}/venv15/bin/mlflow --version`)).trim(), `mlflow, version ${OLD}`);
  });

  // -------------------------------------------------------------------------------------------------------------------
  await t.test('server with --env-file: host check, CORS, DB-backed API, artifacts, process tree, secrets', async (t) => {
    const pid = await startServer(
      'venv',
      `--env-file secrets.env server --host 0.0.0.0 --port 5000 --workers 2 --allowed-hosts ${IP}:5000 ` +
        `--cors-allowed-origins http://${IP}:5000 --frobnicate-widgets 3`,
      'server1.log',
    );
    t.after(() => stopServer(pid));
    await healthy(5000);
    const log = await vmReadFile(K, `${DIR}/server1.log`);
    assert.match(log, /^Loaded environment variables from: secrets\.env$/m);
    assert.match(log, /WARNING: \[mlflow stand-in\] ignoring unknown option '--frobnicate-widgets=3'/);
    assert.match(log, /Running upgrade {2}-> a3f1c2d4e5b6/); // fresh database: schema created on first start
    assert.match(log, /INFO: {5}Uvicorn running on http:\/\/0\.0\.0\.0:5000 \(Press CTRL\+C to quit\)/);

    await t.test('/health and /version answer without a Host check; other paths enforce it', async () => {
      const h = await http(5000, 'GET', '/health', { host: 'evil.example.com' });
      assert.deepEqual([h.status, h.body], [200, 'OK']);
      const v = await http(5000, 'GET', '/version', { host: 'evil.example.com' });
      assert.deepEqual([v.status, v.body], [200, NEW]);
      for (const host of ['evil.example.com', IP /* no port: the allow-list entry has one */, `${IP}:5001`]) {
        const r = await search(5000, host);
        assert.deepEqual([r.status, r.body], [403, INVALID_HOST], host);
      }
      // MLFLOW_ALLOWED_HOSTS=evil.example.com in the env file changed nothing (already 403 above)
    });

    await t.test('experiments/search answers from Postgres in MLflow\'s JSON shape', async () => {
      const r = await search(5000, `${IP}:5000`);
      assert.equal(r.status, 200, r.body);
      const exp = JSON.parse(r.body).experiments[0];
      assert.equal(exp.experiment_id, '0');
      assert.equal(exp.name, 'Default');
      assert.equal(exp.lifecycle_stage, 'active');
      assert.equal(exp.artifact_location, 'mlflow-artifacts:/0');
      const c = await http(5000, 'POST', '/api/2.0/mlflow/experiments/create', { body: '{"name":"from-the-laptop"}' });
      assert.equal(c.status, 200, c.body);
      const id = JSON.parse(c.body).experiment_id as string;
      const rows = await labPsql(`\\c standin_t\nSELECT experiment_id, name, artifact_location FROM experiments ORDER BY experiment_id;`);
      assert.match(rows, new RegExp(`^${id}\\|from-the-laptop\\|mlflow-artifacts:/${id}$`, 'm'));
      const again = await http(5000, 'POST', '/api/2.0/mlflow/experiments/create', { body: '{"name":"from-the-laptop"}' });
      assert.equal(again.status, 400);
      assert.equal(JSON.parse(again.body).error_code, 'RESOURCE_ALREADY_EXISTS');
    });

    await t.test('CORS: a state-changing call from a foreign origin is blocked, the allowed origin is not', async () => {
      const foreign = await search(5000, `${IP}:5000`, { headers: { origin: 'http://evil.example.com' } });
      assert.deepEqual([foreign.status, foreign.body], [403, 'Cross-origin request blocked']);
      const own = await search(5000, `${IP}:5000`, { headers: { origin: `http://${IP}:5000` } });
      assert.equal(own.status, 200);
      assert.equal(own.headers['access-control-allow-origin'], '*'); // starlette CORSMiddleware(allow_origins=["*"])
      const pre = await http(5000, 'OPTIONS', '/api/2.0/mlflow/experiments/search', {
        headers: { origin: `http://${IP}:5000`, 'access-control-request-method': 'POST' },
      });
      assert.equal(pre.status, 200);
      assert.equal(pre.headers['access-control-allow-origin'], `http://${IP}:5000`);
    });

    await t.test('artifact proxy: PUT/GET/DELETE land under --artifacts-destination; traversal is refused', async () => {
      const path = '/api/2.0/mlflow-artifacts/artifacts/0/run-1/model/hello.txt';
      const put = await http(5000, 'PUT', path, { body: 'hello from the laptop' });
      assert.deepEqual([put.status, put.body], [200, '{}']);
      assert.equal(await vmReadFile(K, `${DIR}/artifacts/0/run-1/model/hello.txt`), 'hello from the laptop');
      const get = await http(5000, 'GET', path);
      assert.deepEqual([get.status, get.body], [200, 'hello from the laptop']);
      const list = await http(5000, 'GET', '/api/2.0/mlflow-artifacts/artifacts?path=0/run-1/model');
      assert.deepEqual(JSON.parse(list.body), { files: [{ path: 'hello.txt', is_dir: false, file_size: 21 }] });
      const del = await http(5000, 'DELETE', path);
      assert.equal(del.status, 200);
      assert.equal(await vmFileStat(K, `${DIR}/artifacts/0/run-1/model/hello.txt`), null);
      assert.equal((await http(5000, 'GET', path)).status, 404);
      const evil = await http(5000, 'GET', '/api/2.0/mlflow-artifacts/artifacts/0/../../../../etc/passwd');
      assert.deepEqual([evil.status, JSON.parse(evil.body).message], [400, 'Invalid path']);
    });

    await t.test('process tree like the real one; the password is on no command line', async () => {
      const procs = await vmProcesses(K);
      const uvicorn = procs.filter((p) => p.cmdline.includes('-m uvicorn') && p.cmdline.includes('--port 5000'));
      assert.equal(uvicorn.length, 3, 'uvicorn parent + 2 workers'); // --workers 2
      assert.match(uvicorn[0]!.cmdline, /venv\/bin\/python3? -m uvicorn --host 0\.0\.0\.0 --port 5000 --workers 2 mlflow\.server\.fastapi_app:app$/);
      assert.ok(procs.some((p) => p.pid === pid && /bin\/mlflow --env-file secrets\.env server/.test(p.cmdline)));
      for (const p of procs) {
        for (const secret of [db.password, pct(db.password)]) {
          assert.ok(!p.cmdline.includes(secret), `password on the command line of pid ${p.pid}: ${p.cmdline.slice(0, 80)}`);
        }
      }
    });

    await t.test('a DB outage while serving: /health stays 200, DB calls answer 503', async () => {
      await dbBlock(K);
      try {
        const r = await search(5000, `${IP}:5000`);
        assert.equal(r.status, 503, r.body);
        const err = JSON.parse(r.body);
        assert.equal(err.error_code, 'TEMPORARILY_UNAVAILABLE');
        assert.match(err.message, /no pg_hba\.conf entry for host "10\.231\.0\.13"/);
        assert.equal((await http(5000, 'GET', '/health')).status, 200);
      } finally {
        await dbAllow(K);
      }
      assert.equal((await search(5000, `${IP}:5000`)).status, 200);
    });
  });

  // -------------------------------------------------------------------------------------------------------------------
  await t.test('DB unreachable at start: retries, logs each failure, binds the port only once the DB answers', async (t) => {
    await dbBlock(K);
    let blocked = true;
    t.after(async () => {
      if (blocked) await dbAllow(K);
    });
    const pid = await startServer('venv', '--env-file secrets.env server --host 0.0.0.0 --port 5001 -w 1', 'retry.log', {
      MLFLOW_STANDIN_DB_RETRY_MAX_SLEEP: '1',
    });
    t.after(() => stopServer(pid));
    await waitFor('two logged connection failures', 30_000, async () => {
      const log = await vmReadFile(K, `${DIR}/retry.log`);
      return (log.match(/SQLAlchemy engine could not be created/g) ?? []).length >= 2 ? log : undefined;
    }).then((log) => assert.match(log, /no pg_hba\.conf entry for host "10\.231\.0\.13".*SSL encryption/));
    assert.ok(await refused(5001), 'port 5001 must not be bound while the DB is unreachable');
    await dbAllow(K);
    blocked = false;
    await healthy(5001, 30_000);
    // Default allow-list (no --allowed-hosts): localhost and private ranges such as 10.*; a public name is refused,
    // and MLFLOW_ALLOWED_HOSTS=evil.example.com from the env file is not read.
    assert.equal((await search(5001, `${IP}:5001`)).status, 200);
    assert.equal((await search(5001, 'evil.example.com')).status, 403);
    assert.deepEqual([(await search(5001, 'mlflow.example.com')).status], [403]);
    assert.deepEqual([(await search(5001, '20.30.40.50:5001')).status], [403]);
  });

  // -------------------------------------------------------------------------------------------------------------------
  await t.test('schema versions: a newer server refuses an old schema until `mlflow db upgrade`', async () => {
    const env = { MLFLOW_BACKEND_STORE_URI: uri('standin_up'), MLFLOW_ARTIFACTS_DESTINATION: `${DIR}/artifacts` };
    const old = await startServer('venv15', 'server --host 0.0.0.0 --port 5002 -w 1', 'old.log', env);
    await healthy(5002);
    await stopServer(old);
    assert.equal((await labPsql('\\c standin_up\nSELECT version_num FROM alembic_version;')).trim(), HEAD_OLD);

    const refusedPid = await startServer('venv', 'server --host 0.0.0.0 --port 5002 -w 1', 'new-refused.log', env);
    const log = await exited(refusedPid, 'new-refused.log');
    assert.match(log, /ERROR mlflow\.cli: Error initializing backend store/);
    assert.match(
      log,
      new RegExp(`Detected out-of-date database schema \\(found version ${HEAD_OLD}, but expected ${HEAD_NEW}\\)\\. Take a backup of your database, then run 'mlflow db upgrade <database_uri>'`),
    );
    assert.doesNotMatch(log, /Uvicorn running/);

    // `mlflow db upgrade` takes the URL as a required argument: keep the password off argv with ~/.pgpass.
    const missing = await sh(`${HOME}/venv/bin/mlflow db upgrade`);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Error: Missing argument 'URL'\./);
    const pgpassLine = [db.host, String(db.port), 'standin_up', db.user, db.password].map((f) => f.replace(/\\/g, '\\\\').replace(/:/g, '\\:')).join(':');
    await shOk(`umask 077; cat > ${HOME}/.pgpass`, { input: `${pgpassLine}\n` });
    const noPassword = `'postgresql://${db.user}@${db.host}:${db.port}/standin_up?sslmode=require'`;
    try {
      const up = await sh(`${HOME}/venv/bin/mlflow db upgrade ${noPassword}`);
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stderr, new RegExp(`Running upgrade ${HEAD_OLD} -> ${HEAD_NEW}`));
      assert.equal((await labPsql('\\c standin_up\nSELECT version_num FROM alembic_version;')).trim(), HEAD_NEW);
      // the older version does not know the newer revision (as alembic cannot downgrade from an unknown one)
      const back = await sh(`${HOME}/venv15/bin/mlflow db upgrade ${noPassword}`);
      assert.equal(back.code, 1);
      assert.match(back.stderr, new RegExp(`Can't locate revision identified by '${HEAD_NEW}'`));
    } finally {
      await sh(`rm -f ${HOME}/.pgpass`);
    }

    const fresh = await startServer('venv', 'server --host 0.0.0.0 --port 5002 -w 1', 'new.log', env);
    await healthy(5002);
    assert.equal((await search(5002, `${IP}:5002`)).status, 200);
    await stopServer(fresh);
  });

  // -------------------------------------------------------------------------------------------------------------------
  await t.test('two servers initializing one fresh database at once: one dies with "Error initializing backend store"', async () => {
    // Different TMPDIRs play two machines: on one machine MLflow serializes the initialization with a file lock in
    // the temp directory. MLFLOW_STANDIN_INIT_SECONDS holds the init transaction open as real migrations take time.
    const env = { MLFLOW_BACKEND_STORE_URI: uri('standin_race'), MLFLOW_STANDIN_INIT_SECONDS: '2' };
    await shOk(`mkdir -p ${DIR}/tmp-a ${DIR}/tmp-b`);
    const a = await startServer('venv', 'server --host 0.0.0.0 --port 5003 -w 1', 'race-a.log', { ...env, TMPDIR: `${DIR}/tmp-a` });
    const b = await startServer('venv', 'server --host 0.0.0.0 --port 5004 -w 1', 'race-b.log', { ...env, TMPDIR: `${DIR}/tmp-b` });
    const outcome = await waitFor('one server up and one dead', 30_000, async () => {
      const running = await alive([a, b]);
      const log = (f: string) => vmReadFile(K, `${DIR}/${f}`);
      if (running.length !== 1 || !/Uvicorn running/.test((await log('race-a.log')) + (await log('race-b.log')))) return undefined;
      return { up: running[0]!, down: running[0] === a ? b : a };
    });
    const deadLog = await vmReadFile(K, `${DIR}/${outcome.down === a ? 'race-a.log' : 'race-b.log'}`);
    assert.match(deadLog, /ERROR mlflow\.cli: Error initializing backend store/);
    await healthy(outcome.up === a ? 5003 : 5004);
    await stopServer(outcome.up);
  });

  // -------------------------------------------------------------------------------------------------------------------
  await t.test('wasbs:// artifacts destination: starts, artifact calls fail as without Azure', async (t) => {
    const pid = await startServer('venv', '--env-file secrets.env server --host 0.0.0.0 --port 5006 -w 1', 'wasbs.log', {
      MLFLOW_ARTIFACTS_DESTINATION: 'wasbs://mlartifacts@labaccount.blob.core.windows.net/prefix',
      AZURE_STORAGE_ACCESS_KEY: 'bGFiLWtleQ==',
    });
    t.after(() => stopServer(pid));
    await healthy(5006);
    assert.equal((await search(5006, `${IP}:5006`)).status, 200);
    const path = '/api/2.0/mlflow-artifacts/artifacts/0/x.txt';
    const noModule = await http(5006, 'PUT', path, { body: 'x' });
    assert.equal(noModule.status, 500);
    assert.match(JSON.parse(noModule.body).message, /No module named 'azure\.storage'/);
    await shOk(`${HOME}/venv/bin/pip install -q azure-storage-blob`, { timeoutMs: 60_000 });
    const lab = await http(5006, 'PUT', path, { body: 'x' });
    assert.equal(lab.status, 500);
    assert.match(JSON.parse(lab.body).message, /cannot reach Azure Blob in the lab/);
  });

  // -------------------------------------------------------------------------------------------------------------------
  await t.test('--app-name basic-auth: needs mlflow[auth]; /health open, API 401 without and 200 with credentials', async (t) => {
    const adminPassword = 'lab-admin-pw:@/#?%-0123';
    await shOk(`umask 077; cat > ${DIR}/auth.ini`, {
      // configparser interpolation: a literal % in the ini must be written %%
      input: `[mlflow]\ndefault_permission = READ\ndatabase_uri = ${uri('standin_auth').replace(/%/g, '%%')}\nadmin_username = admin\n`,
    });
    await shOk(`umask 077; cat > ${DIR}/auth.env`, {
      input:
        `MLFLOW_BACKEND_STORE_URI='${uri('standin_t')}'\n` +
        `MLFLOW_AUTH_CONFIG_PATH=${DIR}/auth.ini\n` +
        `MLFLOW_FLASK_SERVER_SECRET_KEY=0123456789abcdef0123456789abcdef\n` +
        `MLFLOW_AUTH_ADMIN_USERNAME=admin\n` +
        `MLFLOW_AUTH_ADMIN_PASSWORD='${adminPassword}'\n`,
    });
    const noExtra = await startServer('venv', '--env-file auth.env server --app-name basic-auth --host 0.0.0.0 --port 5005 -w 1', 'auth-noextra.log');
    const log = await exited(noExtra, 'auth-noextra.log');
    assert.match(log, /The MLflow basic auth app requires the Flask-WTF package to perform CSRF validation\. Please run `pip install mlflow\[auth\]`/);

    await shOk(`${HOME}/venv/bin/pip install -q 'mlflow[auth]==${NEW}'`, { timeoutMs: 120_000 });
    const pid = await startServer('venv', '--env-file auth.env server --app-name basic-auth --host 0.0.0.0 --port 5005 -w 2', 'auth.log');
    t.after(() => stopServer(pid));
    await healthy(5005);
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    const none = await search(5005, `${IP}:5005`);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic realm="mlflow"');
    assert.match(none.body, /^You are not authenticated\./);
    assert.equal((await search(5005, `${IP}:5005`, { headers: basic('admin', 'wrong-password-123') })).status, 401);
    const ok = await search(5005, `${IP}:5005`, { headers: basic('admin', adminPassword) });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(JSON.parse(ok.body).experiments[0].name, 'Default');
    assert.equal((await http(5005, 'GET', '/health')).status, 200);
    // the Host check still comes first
    assert.equal((await search(5005, 'evil.example.com', { headers: basic('admin', adminPassword) })).status, 403);
    const users = await labPsql('\\c standin_auth\nSELECT username, is_admin, password_hash FROM users;');
    assert.match(users, /^admin\|t\|pbkdf2:sha256:/m);
    assert.ok(!users.includes(adminPassword));
    for (const p of await vmProcesses(K)) assert.ok(!p.cmdline.includes(adminPassword), `admin password on argv of ${p.pid}`);
  });
});
