// Issue 4: a rerun repairs a half-configured VM and then changes nothing. Every case starts from a
// provisioned VM (a snapshot restore: like a reboot, no server running), gets a running server with one
// run, damages the VM from OUTSIDE the tool, checks that --dry-run names exactly the steps the real run
// then changes, checks the VM and the server from outside (HTTP from this machine, processes and files
// read through the lab, not through the tool), and that a further run changes nothing and keeps the PID.
// vm5 and vm6 run their cases side by side.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statusAndBody, type VmRequest } from './http.js';
import { after, before, test, type TestContext } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedSnapshotName, provisionedVm, type CliRun } from './cli.js';
import {
  ensureLab,
  hasSnapshot,
  labDbEnv,
  labPsql,
  removeSnapshot,
  requireLab,
  restoreVm,
  snapshotVm,
  vmExec,
  vmFileStat,
  vmIp,
  vmProcesses,
  vmReadFile,
} from './lab.js';

const HOME = '/home/azureuser';
const VENV = `${HOME}/mlflow-venv`;
const LAUNCHER = `${HOME}/start-mlflow-server.sh`;
const SECRETS = `${HOME}/.mlflow-server.env`;
const PIDFILE = `${HOME}/mlflow-server.pid`;
const ARTIFACTS = `${HOME}/mlruns-artifacts`;

interface Json {
  status: string;
  changed: string[];
  error: string | null;
  sshConnections: number;
  remoteCommands: number;
}
type Run = CliRun & { json: Json };

// ---------------------------------------------------------------------------------------------------
// Looking at the VM and the server from outside the tool

const httpFrom = (k: number, req: VmRequest) => statusAndBody(vmIp(k), req);

async function experimentsSearch(k: number): Promise<{ status: number; body: string }> {
  // The Default experiment by name: the shared database holds the experiments other tests logged too.
  return httpFrom(k, { method: 'POST', path: '/api/2.0/mlflow/experiments/search', body: '{"max_results":1,"filter":"name = \'Default\'"}' });
}

/** The PID recorded by the tool, checked against the VM's process list: it must be a running `mlflow server`. */
async function serverPid(k: number): Promise<number> {
  const pid = Number((await vmReadFile(k, PIDFILE)).trim().split(' ')[0]);
  const procs = await vmProcesses(k);
  const p = procs.find((x) => x.pid === pid);
  assert.ok(
    p && /\/mlflow-venv\/bin\/mlflow server /.test(p.cmdline),
    `pid ${pid} from the PID file is a running mlflow server: ${p?.cmdline ?? 'no such process'}`,
  );
  return pid;
}

/** The server answers from this machine, with the VM's public Host header, and reaches its database. */
async function assertServing(k: number): Promise<number> {
  const pid = await serverPid(k);
  assert.deepEqual(await httpFrom(k, { path: '/health' }), { status: 200, body: 'OK' });
  const search = await experimentsSearch(k);
  assert.equal(search.status, 200, `experiments search: ${search.body}`);
  assert.equal(JSON.parse(search.body).experiments[0].name, 'Default');
  return pid;
}

async function hashes(k: number): Promise<string> {
  // Contents of the tool's files, and names, modes, owners and mtimes in the home and artifacts folders (not
  // the server's log, which grows with every request).
  return (await vmExec(k, `sha256sum ${LAUNCHER} ${SECRETS} ${PIDFILE} 2>&1; ls -la --time-style=+%s ${HOME} ${ARTIFACTS} 2>&1 | grep -v mlflow-server.log`))
    .stdout;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

async function root(k: number, cmd: string, user: 'root' | 'azureuser' = 'root'): Promise<string> {
  const r = await vmExec(k, cmd, { user });
  assert.equal(r.code, 0, `in vm${k} as ${user}: ${cmd}\n${r.stderr}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------------
// Running the CLI

/** Every CLI run of the file, for the timeline printed at the end. */
const timeline: string[] = [];
const started = Date.now();

async function cli(k: number, workdir: string, args: string[] = [], env: Record<string, string> = {}, timeoutMs = 180_000): Promise<Run> {
  const res = await provision([...labFlags(k, workdir), '--json', ...args], { workdir, env, timeoutMs });
  const line = res.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  assert.ok(line, `a JSON result on stdout (exit ${res.code})\n${res.stdout}\n${res.stderr}`);
  const json = JSON.parse(line) as Json;
  timeline.push(
    `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  vm${k} ${args.join(' ').padEnd(12)} exit ${res.code} in ${(res.wallMs / 1000).toFixed(1)} s, changed [${json.changed.join(', ')}]`,
  );
  return { ...res, json };
}

function show(r: CliRun): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/**
 * The repair: a dry run first (exit 0, touches nothing), then the real run; the dry run must name exactly
 * the steps the real run changes, and those must be `expected`.
 */
async function repair(
  t: TestContext,
  k: number,
  workdir: string,
  expected: string[],
  opts: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  const before = await hashes(k);
  const dry = await cli(k, workdir, ['--dry-run', ...(opts.args ?? [])], opts.env);
  assert.equal(dry.code, 0, show(dry));
  assert.equal(await hashes(k), before, 'the dry run touched nothing');
  const real = await cli(k, workdir, opts.args, opts.env, opts.timeoutMs);
  assert.equal(real.code, 0, show(real));
  assert.deepEqual(real.json.changed, dry.json.changed, `the dry run named exactly the steps the real run changed\n${dry.stderr}\n${real.stderr}`);
  assert.deepEqual(real.json.changed, expected, show(real));
  t.diagnostic(`vm${k}: changed ${real.json.changed.join(', ') || 'nothing'} in ${(real.wallMs / 1000).toFixed(1)} s`);
  return real;
}

/** The pyinfra rule: a further run changes nothing, and the server keeps its PID. */
async function secondRunChangesNothing(k: number, workdir: string, opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<number> {
  const pid = await serverPid(k);
  const again = await cli(k, workdir, opts.args, opts.env);
  assert.equal(again.code, 0, show(again));
  assert.deepEqual(again.json.changed, [], show(again));
  assert.equal(again.json.sshConnections, 1);
  assert.equal(await serverPid(k), pid, 'the server kept its PID');
  return pid;
}

/**
 * vmK on the provisioned snapshot, just restored: as after a reboot, no server running. (provisionedVm leaves
 * a VM it provisioned running when another test process saved the snapshot meanwhile: restore it then.)
 */
async function provisionedAndRebooted(k: number): Promise<void> {
  const name = provisionedSnapshotName();
  if (hasSnapshot(name)) {
    await restoreVm(k, name);
    return;
  }
  await provisionedVm(k, name);
  await restoreVm(k, name);
}

/** A provisioned VM after a reboot (snapshot restore), then one run to get a running server. */
async function runningServer(k: number, env: Record<string, string> = {}): Promise<{ workdir: string; pid: number }> {
  await provisionedAndRebooted(k);
  const workdir = newWorkdir();
  const first = await cli(k, workdir, [], env);
  assert.equal(first.code, 0, show(first));
  assert.ok(first.json.changed.includes('server'), 'a restored VM has no server running');
  return { workdir, pid: await assertServing(k) };
}

// ---------------------------------------------------------------------------------------------------

const ROLE = 'rerun_pw';
const PW_A = `pw-A-${randomBytes(4).toString('hex')}@:/%`;
const PW_B = `pw-B-${randomBytes(4).toString('hex')}#?%`;
const DB_ENV = (password: string): Record<string, string> => ({ POSTGRES_USER: ROLE, POSTGRES_DB: ROLE, POSTGRES_PASSWORD: password });

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(6);
  // Case 4 changes a password: a role and database of its own, so nobody else using the lab's `mlflow`
  // role is disturbed.
  await labPsql(`
    SELECT 'CREATE ROLE ${ROLE} LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}') \\gexec
    ALTER ROLE ${ROLE} PASSWORD '${PW_A}';
    SELECT 'CREATE DATABASE ${ROLE} OWNER ${ROLE}' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${ROLE}') \\gexec
  `);
  // Both VMs restore the same snapshot: make it (if missing) before they run side by side.
  await provisionedVm(5);
});
after(async () => {
  if (!available) return;
  process.stderr.write(`CLI runs (seconds since start):\n${timeline.join('\n')}\n`);
  await ensureLab(6);
  // Stop the servers (a restore is a reboot); never provision afresh just to clean up.
  const snap = provisionedSnapshotName();
  if (hasSnapshot(snap)) await Promise.all([restoreVm(5, snap), restoreVm(6, snap)]).catch(() => undefined);
  await labPsql(`DROP DATABASE IF EXISTS ${ROLE} WITH (FORCE); DROP ROLE IF EXISTS ${ROLE};`).catch(() => undefined);
});

test('reruns repair a half-configured VM, and a further rerun changes nothing (issue 4)', { concurrency: 2, timeout: 900_000 }, async (t) => {
  if (!requireLab(t)) return;
  await Promise.all([
    t.test('vm5', async (t5) => {
      await t5.test('(1) the server killed, its uvicorn left holding the port, the VM rebooted: started again', case1);
      await t5.test('(3) launcher and secrets deleted, edited, loosened: rewritten, restarted only on a new configuration', case3);
      await t5.test('(5) the artifacts folder deleted or taken away: recreated', case5);
      await t5.test('(7) a foreign process on the MLflow port: named, exit 1, nothing killed or changed', case7);
      await t5.test('(8) the SSH connection dropped during apt: one sentence, exit 1; the next run completes', case8);
    }),
    t.test('vm6', async (t6) => {
      await t6.test('(2) the venv deleted: rebuilt, server restarted on it', case2);
      await t6.test('(4) a new database password or host: checked first, files rewritten, restarted; a wrong one changes nothing', case4);
      await t6.test('(6) an interrupted dpkg and a held dpkg lock: repaired and waited for, visibly, within a bound', case6);
    }),
  ]);
});

async function case1(t: TestContext): Promise<void> {
  const k = 5;
  const { workdir, pid } = await runningServer(k);

  // The whole server killed (every process of its group).
  await root(k, `kill -KILL -- -${pid}`);
  await until('the killed server is gone', 10_000, async () => !(await vmProcesses(k)).some((p) => p.cmdline.includes('mlflow')));
  await repair(t, k, workdir, ['server']);
  const pid2 = await assertServing(k);
  assert.notEqual(pid2, pid);
  await secondRunChangesNothing(k, workdir);

  // Only `mlflow server` killed: its uvicorn keeps port 5000; the tool recognises it as its own, stops it
  // as a group and starts a fresh server.
  const uvicorn = (await vmProcesses(k)).filter((p) => p.cmdline.includes('-m uvicorn')).map((p) => p.pid);
  assert.ok(uvicorn.length > 0);
  await root(k, `kill -KILL ${pid2}`);
  await until('uvicorn still answers without its parent', 10_000, async () => (await httpFrom(k, { path: '/health' })).status === 200);
  await repair(t, k, workdir, ['server']);
  const pid3 = await assertServing(k);
  assert.notEqual(pid3, pid2);
  const left = (await vmProcesses(k)).filter((p) => uvicorn.includes(p.pid));
  assert.deepEqual(left, [], 'the orphaned uvicorn processes are gone');
  await secondRunChangesNothing(k, workdir);

  // A reboot keeping the disk (the lab saves the disk and restarts the VM on it): every process gone.
  const snap = `rerun-reboot-vm${k}-${randomBytes(4).toString('hex')}`;
  try {
    await snapshotVm(k, snap);
    assert.ok(!(await vmProcesses(k)).some((p) => p.cmdline.includes('mlflow')), 'nothing of the server survived the reboot');
    await repair(t, k, workdir, ['server']);
    await assertServing(k);
    await secondRunChangesNothing(k, workdir);
  } finally {
    await provisionedAndRebooted(k);
    await removeSnapshot(snap);
  }
}

async function case3(t: TestContext): Promise<void> {
  const k = 5;
  const { workdir, pid } = await runningServer(k);
  const launcher = await vmReadFile(k, LAUNCHER);
  const secrets = await vmReadFile(k, SECRETS);
  const damage: Array<[string, string]> = [
    ['launcher deleted', `rm ${LAUNCHER}`],
    ['launcher edited', `sed -i 's/--port 5000/--port 5001/' ${LAUNCHER} && grep -q 5001 ${LAUNCHER}`],
    ['launcher chmod 644', `chmod 644 ${LAUNCHER}`],
    ['secrets chmod 644', `chmod 644 ${SECRETS}`],
    ['secrets deleted', `rm ${SECRETS}`],
    ['secrets edited', `sed -i 's/sslmode=require/sslmode=disable/' ${SECRETS} && grep -q disable ${SECRETS}`],
  ];
  for (const [what, cmd] of damage) {
    await root(k, cmd, 'azureuser');
    // The running server's effective configuration is still the wanted one: files rewritten, no restart.
    await repair(t, k, workdir, ['files']);
    assert.equal(await vmReadFile(k, LAUNCHER), launcher, `${what}: launcher rewritten`);
    assert.equal(await vmReadFile(k, SECRETS), secrets, `${what}: secrets rewritten`);
    assert.deepEqual(await vmFileStat(k, LAUNCHER), { mode: 0o700, uid: 1000, user: 'azureuser' }, what);
    assert.deepEqual(await vmFileStat(k, SECRETS), { mode: 0o600, uid: 1000, user: 'azureuser' }, what);
    assert.equal(await assertServing(k), pid, `${what}: the server was not restarted`);
    await secondRunChangesNothing(k, workdir);
  }

  // A changed setting changes the effective configuration: files rewritten AND the server restarted.
  const ip = vmIp(k);
  const args = ['--allowed-hosts', `${ip},${ip}:5000,tracking.example.com`];
  assert.equal((await httpFrom(k, { path: '/api/2.0/mlflow/experiments/search', method: 'POST', host: 'tracking.example.com', body: '{}' })).status, 403);
  await repair(t, k, workdir, ['files', 'server'], { args });
  const pid2 = await assertServing(k);
  assert.notEqual(pid2, pid);
  assert.equal(
    (await httpFrom(k, { path: '/api/2.0/mlflow/experiments/search', method: 'POST', host: 'tracking.example.com', body: '{"max_results":1}' })).status,
    200,
  );
  await secondRunChangesNothing(k, workdir, { args });
}

async function case5(t: TestContext): Promise<void> {
  const k = 5;
  const { workdir, pid } = await runningServer(k);
  for (const [what, cmd] of [['deleted', `rm -rf ${ARTIFACTS}`]] as const) {
    await root(k, cmd);
    await repair(t, k, workdir, ['artifacts']);
    const st = await vmFileStat(k, ARTIFACTS);
    assert.equal(st?.user, 'azureuser', what);
    assert.equal(st.mode & 0o700, 0o700, `${what}: writable by azureuser`);
    assert.equal(await assertServing(k), pid, `${what}: the server was not restarted`);
    const payload = `artifact after the folder was ${what} ${Date.now()}`;
    const put = await httpFrom(k, { method: 'PUT', path: '/api/2.0/mlflow-artifacts/artifacts/rerun/a.txt', body: payload, contentType: 'text/plain' });
    assert.equal(put.status, 200, put.body);
    assert.equal(await vmReadFile(k, `${ARTIFACTS}/rerun/a.txt`), payload);
    await secondRunChangesNothing(k, workdir);
  }
  // Taken away (root's now): refused, never re-owned (issue 16: provision takes over no folder it did not
  // create); given back as the message says, a rerun changes nothing.
  await root(k, `chown root:root ${ARTIFACTS} && chmod 0755 ${ARTIFACTS}`);
  const refused = await cli(k, workdir);
  assert.equal(refused.code, 1, show(refused));
  assert.match(
    refused.json.error ?? '',
    new RegExp(
      `^The artifacts folder ${ARTIFACTS} is refused: it exists and belongs to root, and provision never takes over a folder it did not create; .* give this one to azureuser yourself \\(sudo chown azureuser ${ARTIFACTS}\\)`,
    ),
  );
  const st = await vmFileStat(k, ARTIFACTS);
  assert.deepEqual([st?.user, st?.mode], ['root', 0o755], 'not re-owned, not re-moded');
  assert.equal(await assertServing(k), pid, 'the server was not restarted');
  await root(k, `chown azureuser:azureuser ${ARTIFACTS} && chmod 0750 ${ARTIFACTS}`);
  await secondRunChangesNothing(k, workdir);
}

async function case7(t: TestContext): Promise<void> {
  const k = 5;
  const { workdir, pid } = await runningServer(k);
  await root(k, `kill -TERM -- -${pid}`, 'azureuser');
  await until('the server stopped', 20_000, async () => !(await vmProcesses(k)).some((p) => p.cmdline.includes('mlflow')));
  await root(k, 'cd /tmp; setsid nohup runuser -u nobody -- python3 -m http.server 5000 </dev/null >/dev/null 2>&1 &');
  await until('the foreign server listens', 15_000, async () => (await httpFrom(k, { path: '/' })).status === 200);
  const foreign = (await vmProcesses(k)).find((p) => p.user === 'nobody' && p.cmdline === 'python3 -m http.server 5000');
  assert.ok(foreign, 'the foreign listener runs as nobody');
  const before = await hashes(k);

  const expected = new RegExp(
    `^Port 5000 on ${vmIp(k).replace(/\./g, '\\.')} is already in use by "python3 -m http\\.server 5000" \\(pid ${foreign.pid}, user nobody\\), which provision did not start: stop it or choose another --mlflow-port\\. Nothing was changed or killed\\.$`,
  );
  for (const args of [['--dry-run'], []]) {
    const r = await cli(k, workdir, args);
    assert.equal(r.code, 1, show(r));
    assert.equal(r.json.status, 'failed');
    assert.match(r.json.error ?? '', expected);
    assert.deepEqual(r.json.changed, []);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
    t.diagnostic(`vm${k}${args.length ? ' (dry run)' : ''}: ${r.json.error}`);
  }
  // Its human output says the same (a run without --json).
  const human = await provision(labFlags(k, workdir), { workdir });
  assert.equal(human.code, 1);
  assert.match(human.stdout, /✖ 10\.231\.0\.15: Port 5000 on 10\.231\.0\.15 is already in use by "python3 -m http\.server 5000"/);
  assert.ok(
    (await vmProcesses(k)).some((p) => p.pid === foreign.pid && p.user === 'nobody'),
    'the foreign process is still alive',
  );
  assert.equal((await httpFrom(k, { path: '/' })).status, 200, 'and still serving');
  assert.equal(await hashes(k), before, 'nothing on the VM changed');

  // Its owner stops it: the next run starts the server.
  await root(k, `kill ${foreign.pid}`);
  await until('the foreign server stopped', 10_000, async () => !(await vmProcesses(k)).some((p) => p.pid === foreign.pid));
  await repair(t, k, workdir, ['server']);
  await assertServing(k);
  await secondRunChangesNothing(k, workdir);
}

async function case8(t: TestContext): Promise<void> {
  const k = 5;
  const { workdir, pid } = await runningServer(k);
  // --upgrade forces the package step; once apt runs, the VM side kills the SSH session (not sshd's listener).
  const running = cli(k, workdir, ['--upgrade']);
  let apt = '';
  await until('apt-get runs on the VM', 60_000, async () => {
    apt = (await vmProcesses(k)).find((p) => p.cmdline.startsWith('apt-get '))?.cmdline ?? '';
    return apt !== '';
  });
  // sshd's per-connection processes ("sshd: azureuser@notty", its title padded with spaces); never the
  // listener ("sshd: /usr/sbin/sshd -D -e [listener] ...", root).
  const sessions = (await vmProcesses(k)).filter((p) => p.user === 'azureuser' && /^sshd: azureuser@notty\s*$/.test(p.cmdline));
  assert.ok(sessions.length > 0, "the CLI's sshd session is visible");
  assert.ok(!sessions.some((p) => p.cmdline.includes('listener')));
  await root(k, `kill -KILL ${sessions.map((p) => p.pid).join(' ')}`);
  const dropped = await running;
  t.diagnostic(`vm${k}: killed the session during "${apt.slice(0, 60)}": ${dropped.json.error}`);
  assert.equal(dropped.code, 1, show(dropped));
  assert.match(
    dropped.json.error ?? '',
    /^The SSH connection to 10\.231\.0\.15 dropped while "apt-get [a-z]+" was running; rerun provision to continue from there\.$/,
  );
  assert.doesNotMatch(dropped.stdout + dropped.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(
    (await vmProcesses(k)).some((p) => p.user === 'root' && p.cmdline.includes('sshd') && p.cmdline.includes('listener')),
    "the VM's sshd still listens",
  );

  // The next run completes, whatever the interrupted apt left; then nothing changes.
  await until('the orphaned apt finished', 120_000, async () => !(await vmProcesses(k)).some((p) => p.cmdline.startsWith('apt-get ')));
  const next = await repair(t, k, workdir, (await cli(k, workdir, ['--dry-run'])).json.changed, { timeoutMs: 300_000 });
  t.diagnostic(`vm${k}: the run after the drop changed [${next.json.changed.join(', ')}]`);
  assert.equal(await assertServing(k), pid, 'the server was never touched');
  await secondRunChangesNothing(k, workdir);
}

async function case2(t: TestContext): Promise<void> {
  const k = 6;
  const { workdir, pid } = await runningServer(k);
  // The venv deleted: a real rebuild (venv, uv, the wheels) and a restart on it. A venv broken in place (MLflow
  // gone from site-packages) is the same repair, told apart by the probe: test/unit/rerun-repairs.test.ts (the
  // probe's shell on such a venv, then the run through the fake VM). Rebuilding a second time here cost 50 s.
  await root(k, `rm -rf ${VENV}`, 'azureuser');
  await repair(t, k, workdir, ['python', 'server'], { timeoutMs: 300_000 });
  assert.match(await root(k, `${VENV}/bin/mlflow --version`, 'azureuser'), /^mlflow, version \d+\.\d+\.\d+/m, 'mlflow runs again');
  assert.notEqual(await assertServing(k), pid, 'the server restarted on the rebuilt venv');
  await secondRunChangesNothing(k, workdir);
}

async function case4(t: TestContext): Promise<void> {
  const k = 6;
  const { workdir, pid } = await runningServer(k, DB_ENV(PW_A));
  assert.ok((await vmReadFile(k, SECRETS)).includes(`${ROLE}:${encodeURIComponent(PW_A)}@`));

  // The password is changed on the database server.
  await labPsql(`ALTER ROLE ${ROLE} PASSWORD '${PW_B}';`);

  // A wrong new value: the check through the tunnel fails first, and nothing on the VM changes.
  const before = await hashes(k);
  for (const args of [['--dry-run'], []]) {
    const wrong = await cli(k, workdir, args, DB_ENV('wrong-Password-42'));
    assert.equal(wrong.code, 1, show(wrong));
    assert.equal(wrong.json.error, `The database rejected the password for user "${ROLE}": check POSTGRES_PASSWORD.`);
    assert.deepEqual(wrong.json.changed, []);
    assert.ok(!wrong.everything.includes('wrong-Password-42'), 'the wrong password is not echoed');
    t.diagnostic(`vm${k}${args.length ? ' (dry run)' : ''}: ${wrong.json.error}`);
  }
  assert.equal(await hashes(k), before, 'files unchanged');
  assert.equal(await serverPid(k), pid, 'same PID');

  // The new value: files rewritten, the server restarted on it and answering a DB-touching call.
  const real = await repair(t, k, workdir, ['files', 'server'], { env: DB_ENV(PW_B) });
  for (const pw of [PW_A, PW_B]) assert.ok(!real.everything.includes(pw), 'no password in output or logs');
  const secrets = await vmReadFile(k, SECRETS);
  assert.ok(secrets.includes(`${ROLE}:${encodeURIComponent(PW_B)}@`), 'the secrets file holds the new password');
  assert.ok(!secrets.includes(encodeURIComponent(PW_A)));
  assert.deepEqual(await vmFileStat(k, SECRETS), { mode: 0o600, uid: 1000, user: 'azureuser' });
  const pid2 = await assertServing(k);
  assert.notEqual(pid2, pid);
  await secondRunChangesNothing(k, workdir, { env: DB_ENV(PW_B) });

  // A new host name for the same database (resolved on the VM, as Azure's private DNS names are).
  const db = labDbEnv();
  await root(k, `echo '${db.host} pg.rerun.lab' >> /etc/hosts`);
  const env = { ...DB_ENV(PW_B), POSTGRES_HOST: 'pg.rerun.lab' };
  await repair(t, k, workdir, ['files', 'server'], { env });
  assert.ok((await vmReadFile(k, SECRETS)).includes('@pg.rerun.lab:5432/'));
  assert.notEqual(await assertServing(k), pid2);
  await secondRunChangesNothing(k, workdir, { env });
}

/**
 * How long the dpkg lock is held in case (6): long enough that the run meets it (the run starts within a second
 * of the lock being taken), short enough not to idle (it was 15 s, twice, on the file's slowest VM).
 */
const LOCK_HOLD_SEC = 8;

/** Holds dpkg's frontend lock in the VM for `seconds`, as apt or unattended-upgrades would (fcntl lock). */
async function holdDpkgLock(k: number, seconds: number): Promise<void> {
  const marker = `/run/rerun-lock-${randomBytes(4).toString('hex')}`;
  await root(
    k,
    `setsid nohup python3 -c 'import fcntl, sys, time; f = open("/var/lib/dpkg/lock-frontend", "a"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[1], "w").close(); time.sleep(${seconds})' ${marker} </dev/null >/dev/null 2>&1 &`,
  );
  await until('the lock holder holds the lock', 10_000, async () => (await vmExec(k, `test -e ${marker}`)).code === 0);
}

async function case6(t: TestContext): Promise<void> {
  const k = 6;
  const { workdir, pid } = await runningServer(k);

  // An interrupted dpkg run: a package unpacked but never configured, and a journal entry dpkg did not fold
  // into its status file (apt then refuses: "dpkg was interrupted, you must manually run 'dpkg --configure -a'").
  await root(
    k,
    [
      'set -e',
      'deb=$(ls /var/cache/apt/archives/postgresql-client-1[0-9]_*.deb 2>/dev/null | head -n 1)',
      'if [ -z "$deb" ]; then cd /tmp && apt-get download -q postgresql-client-15 && deb=$(ls /tmp/postgresql-client-15_*.deb | head -n 1); fi',
      'dpkg --unpack "$deb" >/dev/null',
      'touch /var/lib/dpkg/updates/0000',
    ].join('\n'),
  );
  assert.match((await vmExec(k, 'apt-get install -y postgresql-client')).stderr, /dpkg was interrupted/);
  assert.match(await root(k, 'dpkg --audit'), /unpacked but not yet configured/);

  // ... while another process holds the dpkg lock for LOCK_HOLD_SEC.
  let dry = await cli(k, workdir, ['--dry-run']);
  assert.deepEqual(dry.json.changed, ['packages']);
  await holdDpkgLock(k, LOCK_HOLD_SEC);
  let real = await cli(k, workdir, [], {}, 240_000);
  assert.equal(real.code, 0, show(real));
  assert.deepEqual(real.json.changed, dry.json.changed);
  assert.match(real.stderr, /Waiting for the dpkg lock, held by python3 \(pid \d+\): 0 of 300 s/, 'the wait is shown');
  assert.ok(real.wallMs > (LOCK_HOLD_SEC - 3) * 1000 && real.wallMs < 120_000, `it waited for the lock, within a bound (${real.wallMs} ms)`);
  // The run's log lists each remote command: dpkg --configure -a first, then apt-get (no update or upgrade).
  const configure = real.everything.indexOf('$ finish an interrupted dpkg run (dpkg --configure -a)');
  const install = real.everything.indexOf('$ apt-get install');
  assert.ok(configure >= 0 && install > configure, 'dpkg --configure -a ran before apt-get install');
  assert.ok(!real.everything.includes('$ apt-get update'), 'no apt-get update for an interrupted dpkg alone');
  t.diagnostic(`vm${k}: interrupted dpkg + lock: ${(real.wallMs / 1000).toFixed(1)} s`);
  assert.equal(await root(k, 'dpkg --audit; ls /var/lib/dpkg/updates'), '');
  assert.equal(await root(k, "dpkg-query -W -f='${db:Status-Status}' postgresql-client-15"), 'installed');
  assert.equal(await serverPid(k), pid, 'packages only: the server kept its PID');
  await secondRunChangesNothing(k, workdir);

  // A required package missing while the lock is held: apt waits for it and says so.
  await root(k, 'dpkg -r postgresql-client >/dev/null');
  dry = await cli(k, workdir, ['--dry-run']);
  assert.deepEqual(dry.json.changed, ['packages']);
  await holdDpkgLock(k, LOCK_HOLD_SEC);
  real = await cli(k, workdir, [], {}, 300_000);
  assert.equal(real.code, 0, show(real));
  assert.deepEqual(real.json.changed, dry.json.changed);
  assert.match(real.stderr, /Waiting for cache lock: Could not get lock \/var\/lib\/dpkg\/lock-frontend\. It is held by process \d+ \(python3\)/);
  t.diagnostic(`vm${k}: missing package + lock: ${(real.wallMs / 1000).toFixed(1)} s`);
  assert.equal(await root(k, "dpkg-query -W -f='${db:Status-Status}' postgresql-client"), 'installed');
  assert.equal(await serverPid(k), pid, 'packages only: the server kept its PID');
  await secondRunChangesNothing(k, workdir);
}
