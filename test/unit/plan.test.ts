import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { remoteLayout, sha256 } from '../../src/render/server-files.js';
import { packageCommands, pythonCommands, startServerCommand, stopServerCommand } from '../../src/plan/commands.js';
import { SERVER_PROCESS_FUNCTIONS } from '../../src/plan/server-process.js';
import { buildProbeScript, parseFacts } from '../../src/plan/facts.js';
import {
  planArtifacts,
  planFiles,
  planPackages,
  planPython,
  preflightProblems,
  pythonInstallChanged,
  pythonRestartExpected,
  type Desired,
} from '../../src/plan/plan.js';
import { foreignListeners, planServer, portProblem } from '../../src/plan/server-plan.js';
import { Secret } from '../../src/util/secret.js';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { desiredState } from '../../src/plan/desired.js';
import { execFileSync, spawn, spawnSync } from 'node:child_process';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/probe/${name}`, import.meta.url), 'utf8');

/** The desired state as a run computes it, for 10.0.0.4 with these flags and this database password. */
function desired(argv: Record<string, unknown> = {}, password = 'pw-plan-test'): Desired {
  const c = buildCommandConfig(
    'provision',
    readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', ...argv }, { POSTGRES_HOST: 'db', POSTGRES_PASSWORD: password }),
  );
  const facts = parseFacts(fixture('healthy.txt'));
  return desiredState({ config: c, target: c.targets[0]!, server: c.server, facts, newFlaskKey: () => new Secret('ab'.repeat(32)), newSalt: () => '' });
}

function healthyFacts(d: Desired) {
  return parseFacts(
    fixture('healthy.txt')
      .replace('@LAUNCHER@', sha256(d.launcher))
      .replace('@SECRETS@', sha256(d.secrets.reveal()))
      .replace('@RECORD@', Buffer.from(d.record).toString('base64'))
      .replace('@FP@', d.fingerprint),
  );
}

test('the probe script is valid shell and reads nothing it writes', () => {
  const script = buildProbeScript({ mlflowPort: 5000, artifactsDir: "/data/it's here" });
  execFileSync('bash', ['-n'], { input: script });
  assert.doesNotMatch(script, /\brm\b|\bmkdir\b|>\s*[^&/]/);
});

test('a probe without its end marker is rejected', () => {
  assert.throws(() => parseFacts('os_id=debian\n'), /probe output incomplete/);
});

test('a fresh Debian 12 VM: everything changes, with reasons', () => {
  const facts = parseFacts(fixture('fresh-debian12.txt'));
  const d = desired();
  assert.deepEqual(preflightProblems(facts, 'azureuser'), []);
  assert.deepEqual(planPackages(facts, false), { change: true, fullUpgrade: true, reason: 'missing python3, python3-pip, python3-venv, postgresql-client' });
  assert.equal(planPython(facts, d).recreate, true);
  assert.equal(planArtifacts(facts, d).change, true);
  assert.deepEqual({ ...planFiles(facts, d) }, { change: true, launcher: true, secrets: true, record: true, reason: 'launcher missing, secrets file missing' });
  assert.equal(planServer(facts, d).action, 'start');
});

test('a healthy VM with the same configuration: nothing changes', () => {
  const d = desired();
  const facts = healthyFacts(d);
  assert.equal(planPackages(facts, false).change, false);
  assert.equal(planPython(facts, d).change, false);
  assert.equal(planArtifacts(facts, d).change, false);
  assert.equal(planFiles(facts, d).change, false);
  const server = planServer(facts, d);
  assert.equal(server.action, 'keep');
  assert.deepEqual(server.stopGroups, []);
  assert.deepEqual(foreignListeners(facts), [], "the server's own uvicorn child is not foreign");
  assert.equal(portProblem(facts, d, '10.0.0.4'), undefined);
});

test('--upgrade forces apt; a pinned other version reinstalls MLflow', () => {
  const d = desired({ 'mlflow-version': '3.15.1' });
  const facts = healthyFacts(d);
  assert.equal(planPackages(facts, true).change, true);
  assert.match(planPython(facts, d).reason, /MLflow 3\.16\.1 installed, 3\.15\.1 asked for/);
});

test('loose permissions or an edited file are rewritten; a changed password restarts the server', () => {
  const d = desired();
  const facts = healthyFacts(d);
  facts.files.secrets.mode = 0o644;
  assert.deepEqual({ ...planFiles(facts, d) }, { change: true, launcher: false, secrets: true, record: false, reason: 'secrets file mode 644' });
  assert.equal(planServer(facts, d).action, 'keep', 'a mode fix alone does not restart');
  const other = desired({}, 'new-password');
  assert.equal(planServer(facts, other).action, 'restart');
});

test('a foreign listener on the port is named, with its owner, and stops the run before anything changes', () => {
  const d = desired();
  const facts = parseFacts(fixture('fresh-debian12.txt').replace('probe_done=1', 'listener=777 777 nobody 0 python3 -m http.server 5000\nprobe_done=1'));
  assert.equal(
    portProblem(facts, d, '10.0.0.4'),
    'Port 5000 on 10.0.0.4 is already in use by "python3 -m http.server 5000" (pid 777, user nobody), which provision did not start: stop it or choose another --mlflow-port. Nothing was changed or killed.',
  );
  assert.equal(portProblem(healthyFacts(d), d, '10.0.0.4'), undefined, "the server's own uvicorn child is not foreign");
});

test('a process of our user but NOT from our venv on the port is foreign too', () => {
  const d = desired();
  const facts = healthyFacts(d);
  facts.server = { running: false };
  facts.listeners = [{ pid: 900, pgid: 900, user: 'azureuser', ours: false, command: 'python3 -m http.server 5000' }];
  assert.match(portProblem(facts, d, 'vm') ?? '', /"python3 -m http\.server 5000" \(pid 900, user azureuser\)/);
});

test('uvicorn left holding the port after its mlflow parent was killed: stopped as a group, then started', () => {
  const d = desired();
  const facts = healthyFacts(d);
  facts.server = { running: false }; // the PID file names a dead process
  const plan = planServer(facts, d);
  assert.equal(portProblem(facts, d, 'vm'), undefined);
  assert.equal(plan.action, 'restart');
  assert.deepEqual(plan.stopGroups, [4242]);
  assert.match(
    plan.reason,
    /^the server is not running; processes of an earlier MLflow server \("\/home\/azureuser\/mlflow-venv\/bin\/python3 -m uvicorn .*" \(pid 4250, user azureuser\)\) hold port 5000$/,
  );
  const stop = stopServerCommand(d.layout, plan.stopGroups);
  assert.match(stop.command, /^groups="4242"$/m);
  assert.match(stop.command, /kill -TERM -- "-\$g"/);
  assert.doesNotMatch(stop.command, /kill -(TERM|KILL) "\$g"/, 'never a bare PID that may have been reused');
  execFileSync('bash', ['-n'], { input: stop.command });
});

test('a running server restarts after a rebuilt venv, a new version or a new driver, not after a no-op --upgrade', () => {
  const facts = healthyFacts(desired());
  assert.equal(pythonInstallChanged(facts, false, '3.16.1'), false);
  assert.equal(pythonInstallChanged(facts, false, '3.17.0'), true);
  assert.equal(pythonInstallChanged(facts, true, '3.16.1'), true);
  assert.equal(pythonInstallChanged({ ...facts, driverImportable: false }, false, '3.16.1'), true);
  // A dry run predicts the same before pip runs; a bare --upgrade predicts no restart.
  assert.equal(pythonRestartExpected(facts, desired(), true), true);
  assert.equal(pythonRestartExpected(facts, desired({ 'mlflow-version': '3.15.1' }), false), true);
  assert.equal(pythonRestartExpected(facts, desired({ upgrade: true }), false), false);
});

test('an interrupted dpkg alone: dpkg --configure -a before apt-get, no apt update or upgrade', () => {
  const facts = healthyFacts(desired());
  facts.dpkgInterrupted = true;
  const plan = planPackages(facts, false);
  assert.deepEqual(plan, { change: true, fullUpgrade: false, reason: 'an interrupted dpkg run needs finishing' });
  const cmds = packageCommands({ cloudInit: false, dpkgInterrupted: true, fullUpgrade: plan.fullUpgrade });
  assert.deepEqual(
    cmds.map((c) => c.label.split(' ')[0]),
    ['finish', 'apt-get'],
  );
  assert.match(cmds[0]!.command, /dpkg --force-confdef --force-confold --configure -a/);
  assert.match(cmds[0]!.command, /Waiting for the dpkg lock, held by/);
  assert.match(cmds[0]!.command, /seq 1 60\b/, 'the wait is bounded');
});

test('unsupported OS, sudo with a password and a full disk are each one sentence', () => {
  const facts = parseFacts(
    'os_id=centos\nos_version=9\nos_pretty=CentOS Stream 9\nsudo=0\ndisk_free_kb=1024\nhome=/home/u\nmissing_package=python3\nprobe_done=1\n',
  );
  const problems = preflightProblems(facts, 'u');
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /The VM runs CentOS Stream 9; provision supports Ubuntu 22\.04, Ubuntu 24\.04, Debian 12/);
  assert.match(problems[1]!, /"sudo" asks u for a password/);
  assert.match(problems[2]!, /Only 1 MB are free/);
});

test('apt runs non-interactively, waits for locks, keeps config files', () => {
  const cmds = packageCommands({ cloudInit: true, dpkgInterrupted: true, fullUpgrade: true });
  assert.deepEqual(
    cmds.map((c) => c.label.split(' ').slice(0, 2).join(' ')),
    ['wait for', 'finish an', 'apt-get update', 'apt-get upgrade', 'apt-get install'],
  );
  for (const c of cmds.filter((x) => x.label.startsWith('apt-get'))) {
    assert.match(c.command, /^sudo -n env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a /m);
    assert.match(c.command, /DPkg::Lock::Timeout=\d+/);
    assert.match(c.command, /--force-confold/);
  }
  for (const c of cmds) execFileSync('bash', ['-n'], { input: c.command });
});

test('apt waits for a lock its own timeout does not cover (apt-daily holding the lists lock), saying who holds it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-apt-'));
  try {
    // A `sudo` that runs apt-get as a VM busy with apt-daily would: the lists lock is held on the first try.
    writeFileSync(
      join(dir, 'sudo'),
      [
        '#!/bin/bash',
        `n=$(cat ${dir}/tries 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/tries`,
        'if [ "$n" = 0 ]; then echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1 (apt-get)"; exit 100; fi',
        'echo "Reading package lists... Done"',
      ].join('\n'),
      { mode: 0o755 },
    );
    const [update] = packageCommands({ cloudInit: false, dpkgInterrupted: false, fullUpgrade: true });
    const out = execFileSync('bash', ['-c', update!.command], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    assert.match(out, /Could not get lock[\s\S]*Waiting for the apt lock, held by \S+ \(pid 1\): 5 of 300 s\nReading package lists\.\.\. Done/);
    assert.equal(readFileSync(join(dir, 'tries'), 'utf8').trim(), '2');
    // Another failure is not waited for: it fails at once, with apt's own last line.
    writeFileSync(join(dir, 'sudo'), '#!/bin/bash\necho "E: Unable to locate package python3-venv"; exit 100\n', { mode: 0o755 });
    const failed = spawnSync('bash', ['-c', update!.command], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    assert.equal(failed.status, 100);
    assert.doesNotMatch(failed.stdout, /Waiting/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('MLflow goes into a venv, never pip --user', () => {
  const layout = remoteLayout('/home/azureuser');
  const cmds = pythonCommands(layout, { recreate: true, mlflowVersion: '3.16.1', upgrade: false });
  assert.match(cmds[0]!.command, /python3 -m venv \/home\/azureuser\/mlflow-venv/);
  // uv into the venv, with pip's own index; pip the fallback. Both with the pinned version, into the venv.
  assert.match(
    cmds[1]!.command,
    /^ {2}\/home\/azureuser\/mlflow-venv\/bin\/uv pip install --python \/home\/azureuser\/mlflow-venv\/bin\/python --compile-bytecode --upgrade \$\{idx:\+--index-url "\$idx"\} mlflow==3\.16\.1 psycopg2-binary && exit 0$/m,
  );
  assert.match(cmds[1]!.command, /^exec \/home\/azureuser\/mlflow-venv\/bin\/pip install .*mlflow==3\.16\.1 psycopg2-binary$/m);
  execFileSync('bash', ['-n'], { input: cmds[1]!.command });
  assert.doesNotMatch(cmds.map((c) => c.command).join('\n'), /--user/);
});

test('the server starts detached with all streams redirected, and stops only its own process group', () => {
  const layout = remoteLayout('/home/azureuser');
  const start = startServerCommand(layout, 'abc123').command;
  assert.match(start, /setsid nohup \/home\/azureuser\/start-mlflow-server\.sh <\/dev\/null >>\/home\/azureuser\/mlflow-server\.log 2>&1 &/);
  assert.doesNotMatch(start, /&&\s*nohup/);
  const stop = stopServerCommand(layout).command;
  assert.match(stop, /recorded_server_alive \/home\/azureuser\/mlflow-server\.pid && groups="\$pid \$groups"/, 'checks the start time before killing');
  assert.ok(stop.startsWith(SERVER_PROCESS_FUNCTIONS), 'with the one definition of that check');
  execFileSync('bash', ['-n'], { input: start });
  execFileSync('bash', ['-n'], { input: stop });
});

test('a nearly full disk blocks installing, not a rerun that only changes configuration', () => {
  const d = desired();
  const facts = healthyFacts(d);
  facts.diskFreeMb = 5;
  assert.deepEqual(preflightProblems(facts, 'azureuser'), []);
  facts.venvPython = false;
  assert.match(preflightProblems(facts, 'azureuser')[0]!, /Only 5 MB are free in \/home\/azureuser on the VM; installing needs at least 2500 MB \(MLflow/);
});

test('the start time of a PID is read after the process name, which may hold spaces and ") "; the recorded server is alive only with it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-stat-'));
  const odd = join(dir, 'a) b c');
  copyFileSync('/bin/sleep', odd);
  chmodSync(odd, 0o755);
  const child = spawn(odd, ['5'], { stdio: 'ignore' });
  try {
    let stat = '';
    for (let i = 0; i < 50 && !stat.includes('a) b c'); i++) {
      stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      if (!stat.includes('a) b c')) execFileSync('sleep', ['0.02']);
    }
    const expected = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
    const sh = (script: string) => execFileSync('bash', ['-c', `${SERVER_PROCESS_FUNCTIONS}\n${script}`], { encoding: 'utf8' });
    const got = sh(`start_ticks ${child.pid} && echo "$ticks"`).trim();
    assert.match(got, /^\d+$/);
    assert.equal(got, expected);
    assert.equal(sh('start_ticks 999999999 || echo none').trim(), 'none', 'no such process: it fails');
    // The recorded server: alive only while that PID runs the process with that start time.
    const pidFile = join(dir, 'mlflow-server.pid');
    writeFileSync(pidFile, `${child.pid} ${expected} fp1 salt1\n`);
    assert.equal(sh(`recorded_server_alive '${pidFile}' && echo "alive $pid $fp $salt"`).trim(), `alive ${child.pid} fp1 salt1`);
    writeFileSync(pidFile, `${child.pid} 1 fp1\n`);
    assert.equal(sh(`recorded_server_alive '${pidFile}' || echo reused`).trim(), 'reused', 'another start time: a reused PID');
    assert.equal(sh(`recorded_server_alive '${join(dir, 'none')}' || echo missing`).trim(), 'missing');
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
