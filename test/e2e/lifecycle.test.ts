// Issue 15: provision logs|stop|start|restart|remove on the lab, nohup (a bash VM) and systemd (a booted VM with
// --tls), checked from outside the tool: the processes and files on the VM, what the server answers, the
// database's rows, the exit codes.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { dbEnv, newWorkdir, provision, provisionedVm, provisionInterrupted, statusFlags, withLabFlags, type CliRun } from './cli.js';
import { httpToVm, logRunThroughRest } from './http.js';
import { dbAllow, ensureBootedVm, ensureLab, labPsql, requireLab, stopVm, vmExec, vmIp, vmProcesses } from './lab.js';

const VM = 35;
const BOOTED = 47;
let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (available) await ensureLab(VM);
});
after(async () => {
  if (available) await stopVm(BOOTED).catch(() => undefined);
});

const workdir = newWorkdir();
const cli = (command: string, k: number, args: string[] = []) => provision([command, ...statusFlags(k, workdir), ...args], { workdir });

function lines(res: CliRun): Array<{
  host: string;
  command: string;
  status: string;
  changed: boolean;
  summary: string | null;
  error: string | null;
  lines?: string[];
  journal?: string[];
  removed?: string[];
  kept?: string[];
}> {
  return res.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as never);
}

async function servers(k: number): Promise<number[]> {
  return (await vmProcesses(k)).filter((p) => /\/mlflow-venv\/bin\/mlflow server\b/.test(p.cmdline)).map((p) => p.pid);
}

const health = (k: number) =>
  httpToVm(vmIp(k), { path: '/health' }).then(
    (r) => r.status,
    () => 0,
  );

test('nohup: logs masks secrets; stop and start are idempotent and start keeps the configuration (a rerun is a no-op); restart gives a new server', async (t: TestContext) => {
  if (!requireLab(t)) return;
  await provisionedVm(VM);
  // A restored snapshot is a rebooted VM: no server runs until provision starts it.
  const up = await provision(withLabFlags(VM, workdir, []), { workdir });
  assert.equal(up.code, 0, up.stdout + up.stderr);
  const password = dbEnv().POSTGRES_PASSWORD!;
  // A line with the database password, as a driver error might print it: logs must show it masked.
  await vmExec(VM, 'cat >> /home/azureuser/mlflow-server.log', { input: `a line with the password ${password} in it\n` });
  const logs = await cli('logs', VM, ['--lines', '3']);
  assert.equal(logs.code, 0, logs.stdout + logs.stderr);
  assert.match(logs.stdout, /logs unchanged \(last 3 lines of \/home\/azureuser\/mlflow-server\.log\)/);
  assert.match(logs.stdout, /a line with the password \*\*\* in it/);
  assert.ok(!logs.stdout.includes(password), 'the password in the logs output');

  const before = await servers(VM);
  assert.equal(before.length, 1);
  const stop = await cli('stop', VM, ['--json']);
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  assert.deepEqual([lines(stop)[0]?.status, lines(stop)[0]?.changed], ['ok', true]);
  assert.deepEqual(await servers(VM), []);
  assert.equal(await health(VM), 0);
  const again = await cli('stop', VM, ['--json']);
  assert.deepEqual([again.code, lines(again)[0]?.changed, lines(again)[0]?.summary], [0, false, 'not running']);

  const start = await cli('start', VM);
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /start changed \(started, \/health ok\)/);
  assert.equal(await health(VM), 200);
  const started = await servers(VM);
  assert.equal(started.length, 1);
  const startAgain = await cli('start', VM, ['--json']);
  assert.deepEqual([startAgain.code, lines(startAgain)[0]?.changed], [0, false]);
  // The files were not touched and start wrote the configuration's fingerprint back: provision changes nothing.
  const rerun = await provision(withLabFlags(VM, workdir, ['--json']), { workdir });
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.deepEqual((JSON.parse(rerun.stdout.trim().split('\n').at(-1)!) as { changed: string[] }).changed, []);
  assert.deepEqual(await servers(VM), started, 'the same server');

  const restart = await cli('restart', VM);
  assert.equal(restart.code, 0, restart.stdout + restart.stderr);
  const restarted = await servers(VM);
  assert.equal(restarted.length, 1);
  assert.notDeepEqual(restarted, started);
  assert.equal(await health(VM), 200);
});

test('logs --follow streams new lines until Ctrl-C (exit 130)', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const marker = `follow-${Date.now()}`;
  let asking = true;
  const ask = (async () => {
    const until = Date.now() + 30_000;
    while (asking && Date.now() < until) {
      await httpToVm(vmIp(VM), { path: `/health?${marker}` }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  const run = await provisionInterrupted(['logs', ...statusFlags(VM, workdir), '--follow', '--lines', '1'], {
    workdir,
    timeoutMs: 60_000,
    when: (out) => out.includes(marker),
  });
  asking = false;
  await ask;
  assert.ok(run.sentAt > 0, `no new line reached the output: ${run.stdout}\n${run.stderr}`);
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stdout, new RegExp(`GET /health\\?${marker}`));
});

test('remove: --dry-run lists and touches nothing; remove keeps artifacts, log and database; a second remove is unchanged; provision starts from scratch and finds the runs', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const logged = await logRunThroughRest(vmIp(VM));
  const experiments = await labPsql(`\\connect mlflow\nSELECT count(*) FROM experiments;`);
  const refused = await cli('remove', VM, ['--purge-artifacts']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /add --yes to confirm/);

  const dry = await cli('remove', VM, ['--dry-run', '--json']);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.ok(lines(dry)[0]?.removed?.includes('/home/azureuser/mlflow-venv'));
  assert.equal((await vmExec(VM, 'test -x /home/azureuser/start-mlflow-server.sh && echo there')).stdout.trim(), 'there');
  assert.equal(await health(VM), 200);

  const removed = await cli('remove', VM);
  assert.equal(removed.code, 0, removed.stdout + removed.stderr);
  assert.match(removed.stdout, /kept: +\/home\/azureuser\/mlruns-artifacts \(the artifacts; --purge-artifacts removes it\)/);
  const left = (await vmExec(VM, 'cd /home/azureuser && ls -A')).stdout.split('\n').filter(Boolean).sort();
  // The record of the folder provision made stays with it: a later remove --purge-artifacts can still delete it.
  assert.deepEqual(
    left.filter((f) => /mlflow|mlruns/.test(f)),
    ['.mlflow-provision.json', 'mlflow-server.log', 'mlruns-artifacts'],
  );
  assert.deepEqual(await servers(VM), []);
  assert.equal(
    (await vmExec(VM, `find /home/azureuser/mlruns-artifacts -name '${logged.artifactPath.split('/').pop()}' | wc -l`)).stdout.trim(),
    '1',
    'the artifact stays',
  );
  assert.equal(await labPsql(`\\connect mlflow\nSELECT count(*) FROM experiments;`), experiments, 'the database is untouched');
  const twice = await cli('remove', VM, ['--json']);
  assert.deepEqual([twice.code, lines(twice)[0]?.changed, lines(twice)[0]?.summary], [0, false, 'nothing of provision is on this VM']);

  const fresh = await provision(withLabFlags(VM, workdir, []), { workdir });
  assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
  assert.match(fresh.stdout + fresh.stderr, /MLflow in a virtual environment: changed/);
  const run = await httpToVm(vmIp(VM), { path: `/api/2.0/mlflow/runs/get?run_id=${logged.runId}` });
  assert.equal(run.status, 200, 'the run logged before remove is found again');
});

test('remove --purge-artifacts deletes only what its record says provision made, by the artifacts rules: a record edited to the home is refused and nothing goes; a folder with a space is removed and reported', async (t: TestContext) => {
  if (!requireLab(t)) return;
  await provisionedVm(VM);
  const home = '/home/azureuser';
  // A local user edits the record (and the launcher) to name the home, spelt so that a check by name misses it.
  await vmExec(
    VM,
    `printf '%s\\n' '{"version":1,"artifactsDir":"/home//azureuser","artifactsDirCreated":true}' > .mlflow-provision.json && sed -i 's#--artifacts-destination [^ ]*#--artifacts-destination /home//azureuser#' start-mlflow-server.sh`,
    { user: 'azureuser' },
  );
  const before = (await vmExec(VM, `cd ${home} && ls -A | sort && wc -c < .ssh/authorized_keys`)).stdout;
  const refused = await cli('remove', VM, ['--purge-artifacts', '--yes']);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(
    refused.stdout,
    /--purge-artifacts refused for the recorded artifacts folder \/home\/\/azureuser \(\/home\/azureuser\): it is your home folder, which holds the secrets file and ~\/\.ssh; nothing was removed\./,
  );
  assert.equal((await vmExec(VM, `cd ${home} && ls -A | sort && wc -c < .ssh/authorized_keys`)).stdout, before, 'the home, ~/.ssh and the log are untouched');
  assert.match(before, /^mlflow-server\.log$/m);

  // Provisioned with a folder whose name has a space: provision makes it and records it; purge deletes it and says so.
  const art = '/srv/ml art';
  const moved = await provision(withLabFlags(VM, workdir, ['--artifacts-dir', art]), { workdir });
  assert.equal(moved.code, 0, moved.stdout + moved.stderr);
  await vmExec(VM, `touch '${art}/run-file'`, { user: 'azureuser' });
  const purged = await cli('remove', VM, ['--purge-artifacts', '--yes', '--json']);
  assert.equal(purged.code, 0, purged.stdout + purged.stderr);
  const [one] = lines(purged);
  assert.ok(one?.removed?.includes(art), JSON.stringify(one));
  assert.ok(one?.removed?.includes(`${home}/.mlflow-provision.json`), JSON.stringify(one));
  assert.ok(one?.kept?.includes(`${home}/mlflow-server.log and ${home}/mlflow-server.log.1 … (the log and its rotated files)`), JSON.stringify(one));
  assert.equal(
    (await vmExec(VM, `test -e '${art}' && echo there; test -d /srv && echo srv; test -s ${home}/.ssh/authorized_keys && echo keys`)).stdout,
    'srv\nkeys\n',
  );
});

test('systemd with --tls: stop leaves the unit enabled, start and a no-op rerun; remove takes unit and proxy away, --purge-artifacts --yes the artifacts; a second VM that does not answer fails alone (exit 1)', async (t: TestContext) => {
  if (!requireLab(t)) return;
  await ensureBootedVm(BOOTED, 'debian12', { fresh: true });
  await dbAllow(BOOTED);
  const dir = newWorkdir();
  const first = await provision(withLabFlags(BOOTED, dir, ['--supervisor', 'systemd', '--tls', 'internal']), { workdir: dir });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const stop = await provision(['stop', ...statusFlags(BOOTED, dir)], { workdir: dir });
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  assert.equal((await vmExec(BOOTED, 'systemctl is-active mlflow-server; systemctl is-enabled mlflow-server; true')).stdout.trim(), 'inactive\nenabled');
  const start = await provision(['start', ...statusFlags(BOOTED, dir)], { workdir: dir });
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /started under systemd, \/health ok/);
  // Under systemd, logs adds the unit's journal: systemd's own lines about the stop and the start.
  const logs = await provision(['logs', ...statusFlags(BOOTED, dir), '--lines', '20', '--json'], { workdir: dir });
  assert.equal(logs.code, 0, logs.stdout + logs.stderr);
  const journal = lines(logs)[0]?.journal ?? [];
  assert.ok(
    journal.some((l) => /Stopped .*MLflow|Stopping .*MLflow|mlflow-server\.service: Deactivated/.test(l)),
    journal.join('\n'),
  );
  assert.ok(
    journal.some((l) => /Started .*MLflow/.test(l)),
    journal.join('\n'),
  );
  const rerun = await provision(withLabFlags(BOOTED, dir, ['--supervisor', 'systemd', '--tls', 'internal', '--json']), { workdir: dir });
  assert.deepEqual((JSON.parse(rerun.stdout.trim().split('\n').at(-1)!) as { changed: string[] }).changed, []);

  const both = await provision(
    ['remove', ...statusFlags(BOOTED, dir), '--host', '10.231.0.250', '--connect-timeout', '2', '--purge-artifacts', '--yes', '--json'],
    {
      workdir: dir,
    },
  );
  assert.equal(both.code, 1, both.stdout + both.stderr);
  const [vm, missing] = lines(both);
  assert.deepEqual([vm?.status, vm?.changed, missing?.status], ['ok', true, 'unreachable']);
  assert.ok(vm?.removed?.includes('/home/azureuser/mlruns-artifacts'));
  const state = await vmExec(
    BOOTED,
    'ls /etc/systemd/system/mlflow-server.service /etc/caddy/provision /home/azureuser/mlruns-artifacts /home/azureuser/mlflow-venv 2>&1 | grep -c "No such file"; systemctl is-enabled caddy; true',
  );
  assert.equal(state.stdout.trim(), '4\ndisabled');
  assert.equal((await vmExec(BOOTED, 'ss -ltn | grep -cE ":(443|5000) "; true')).stdout.trim(), '0');
});
