// Issue 8: `provision status` — a read-only report per VM over one SSH connection. Checked from outside the
// tool: the VM's disk (the overlay's upper directory, seen from the lab host) and its tmpfs folders change
// only as a bare SSH login changes them, plus the server's own access-log lines; the server keeps its PID.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, statusFlags } from './cli.js';
import { dbAllow, dbBlock, ensureLab, LAB_KEY, LAB_STATE, labSsh, requireLab, run, vmExec, vmIp, vmReadFile } from './lab.js';
import { DEFAULT_MLFLOW_VERSION } from '../../src/config/mlflow-version.js';

const VM = 23;
const IP = vmIp(VM);
const HOME = '/home/azureuser';

/** Every path of the VM's disk layer and tmpfs folders with size, mtime and mode: what a write would change. */
async function vmSnapshot(): Promise<Map<string, string>> {
  const upper = await run('find', [`${LAB_STATE}/vms/vm${VM}/upper`, '-printf', '/%P %s %T@ %m\\n']);
  const tmpfs = await vmExec(VM, 'find /tmp /run /dev/shm /var/tmp -printf "%p %s %T@ %m\\n" 2>/dev/null; true');
  const map = new Map<string, string>();
  for (const line of `${upper.stdout}\n${tmpfs.stdout}`.split('\n').filter(Boolean)) {
    const [path, ...rest] = line.split(' ');
    map.set(path!, rest.join(' '));
  }
  return map;
}

function changedPaths(a: Map<string, string>, b: Map<string, string>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((p) => a.get(p) !== b.get(p)).sort();
}

function statusArgs(workdir: string, extra: string[] = []): string[] {
  return ['status', ...statusFlags(VM, workdir), ...extra];
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(25);
  await provisionedVm(VM);
});
after(async () => {
  if (available) await dbAllow(VM).catch(() => undefined);
});

test('status reports a healthy server, fast, and changes nothing on the VM', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const started = await provision(labFlags(VM, workdir), { workdir }); // the snapshot is a rebooted VM: start it
  assert.equal(started.code, 0, started.stdout);
  const pidFile = await vmReadFile(VM, `${HOME}/mlflow-server.pid`);
  const pid = Number(pidFile.split(' ')[0]);
  const hashes = `sha256sum ${HOME}/start-mlflow-server.sh ${HOME}/.mlflow-server.env ${HOME}/mlflow-server.pid; find ${HOME} -path ${HOME}/mlflow-venv -prune -o -print | sort`;
  const hashesBefore = (await vmExec(VM, hashes)).stdout;

  // What a bare SSH login changes (sshd, PAM's motd, ...): the baseline for "status changed nothing".
  const s0 = await vmSnapshot();
  assert.equal((await labSsh(VM, 'true')).code, 0);
  const s1 = await vmSnapshot();
  const loginNoise = new Set(changedPaths(s0, s1));
  const logBefore = await vmReadFile(VM, `${HOME}/mlflow-server.log`);

  const human = await provision(statusArgs(workdir), { workdir, noDbEnv: true });
  t.diagnostic(`status wall time: ${human.wallMs} ms`);
  assert.equal(human.code, 0, `${human.stdout}\n${human.stderr}`);
  assert.match(human.stdout, new RegExp(`^${IP.replace(/\./g, '\\.')}: healthy  http://${IP.replace(/\./g, '\\.')}:5000`, 'm'));
  assert.match(human.stdout, new RegExp(`server +running, pid ${pid}, up \\d+ (s|min)`));
  const v = DEFAULT_MLFLOW_VERSION.replace(/\./g, '\\.');
  assert.match(human.stdout, new RegExp(`MLflow +${v} installed, the server answers ${v}`));
  assert.match(human.stdout, /\/health +200 OK/);
  assert.match(human.stdout, /API +experiments search ok/);
  assert.match(human.stdout, /database +PostgreSQL 15\.\S+ .*at 10\.231\.0\.2:5432 reachable from the VM, TLS, login ok/);
  assert.match(human.stdout, /last \d lines of \/home\/azureuser\/mlflow-server\.log:/);
  assert.ok(human.wallMs < 5000, `status took ${human.wallMs} ms`);

  const json = await provision(statusArgs(workdir, ['--json']), { workdir, noDbEnv: true });
  assert.equal(json.code, 0, json.stderr);
  const r = JSON.parse(json.stdout.trim());
  assert.equal(r.host, IP);
  assert.equal(r.healthy, true);
  assert.deepEqual(r.problems, []);
  assert.equal(r.server.running, true);
  assert.equal(r.server.pid, pid);
  assert.equal(typeof r.server.uptimeSec, 'number');
  assert.deepEqual(r.mlflow, { installed: DEFAULT_MLFLOW_VERSION, running: DEFAULT_MLFLOW_VERSION });
  assert.equal(r.health, 200);
  assert.equal(r.api, 200);
  assert.equal(r.database.reachable, true);
  assert.equal(r.auth, 'none');
  assert.ok(Array.isArray(r.log) && r.log.length > 0);

  // Nothing changed but what a login changes and the server's access log; same PID, same files.
  const s2 = await vmSnapshot();
  const changed = changedPaths(s1, s2).filter((p) => !loginNoise.has(p));
  assert.deepEqual(changed, [`${HOME}/mlflow-server.log`], 'status wrote nothing on the VM');
  assert.equal((await vmExec(VM, hashes)).stdout, hashesBefore, 'files and their list are unchanged');
  const logAfter = await vmReadFile(VM, `${HOME}/mlflow-server.log`);
  assert.ok(logAfter.startsWith(logBefore), 'the log only grew');
  for (const line of logAfter.slice(logBefore.length).split('\n').filter(Boolean)) {
    // MLflow's own lines start with a timestamp; a worker's first database call logs its pool.
    assert.match(
      line,
      /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d )?(INFO: +127\.0\.0\.1:\d+ - "(GET \/health|GET \/version|POST \/api\/2\.0\/mlflow\/experiments\/search) HTTP\/1\.1" 200 OK|INFO mlflow\.store\.db\.utils: Create SQLAlchemy engine with pool options .*)$/,
      'only access lines of the checks',
    );
  }
  assert.equal(await vmReadFile(VM, `${HOME}/mlflow-server.pid`), pidFile, 'the server keeps its PID');
  for (const out of [human.everything, json.everything]) assert.ok(!out.includes(await dbPassword()), 'no password in the output');
});

async function dbPassword(): Promise<string> {
  return (await import('./lab.js')).labDbEnv().password;
}

test('status: a stopped server, a blocked database and an unreachable VM give exit 1 and say why', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const up = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(up.code, 0, up.stdout);

  await dbBlock(VM);
  const blocked = await provision(statusArgs(workdir, ['--json']), { workdir, noDbEnv: true });
  assert.equal(blocked.code, 1);
  const b = JSON.parse(blocked.stdout.trim());
  assert.equal(b.healthy, false);
  assert.equal(b.server.running, true);
  assert.equal(b.database.reachable, false);
  assert.match(b.problems.join(' '), /refuses connections from the VM 10\.231\.0\.33 \(no pg_hba\.conf entry\)/);
  await dbAllow(VM);

  // Stopped from outside the tool: the server's process group gets SIGTERM.
  await vmExec(
    VM,
    `kill -TERM -- -$(cut -d" " -f1 ${HOME}/mlflow-server.pid); for i in $(seq 50); do pgrep -f mlflow-venv >/dev/null || break; sleep 0.1; done`,
  );
  const stopped = await provision(statusArgs(workdir), { workdir, noDbEnv: true });
  assert.equal(stopped.code, 1);
  assert.match(stopped.stdout, /: NOT HEALTHY/);
  assert.match(stopped.stdout, /server +not running/);
  assert.match(stopped.stdout, /! The MLflow server is not running \(no live process in \/home\/azureuser\/mlflow-server\.pid\)\./);
  assert.match(stopped.stdout, /database +PostgreSQL .* reachable from the VM/, 'the database is still checked');

  // Several VMs from a hosts file: one report each, in order; one unreachable makes the exit 1.
  const hostsFile = join(workdir, 'hosts.txt');
  writeFileSync(hostsFile, `${IP}\n${IP}:2222\n`);
  const restart = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(restart.code, 0);
  const batch = await provision(['status', '--hosts-file', hostsFile, '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'known_hosts'), '--json'], {
    workdir,
    noDbEnv: true,
  });
  assert.equal(batch.code, 1);
  const lines = batch.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.host, l.healthy]),
    [
      [IP, true],
      [`azureuser@${IP}:2222`, false],
    ],
  );
  assert.match(lines[1].error, /Nothing accepts SSH connections on 10\.231\.0\.33:2222 \(connection refused\)/);
});

/** A request with a Host header MLflow rejects and logs as it came: a window title, an erased line. */
const EVIL_HOST = 'evil\x1b]0;PWNED\x07\x1b[2K\x1b[1Gfake.com';

/** A raw HTTP request (node:http refuses control characters in a header), bounded; the answer's first line, if any. */
function rawRequest(ip: string, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port, timeout: 10_000 });
    let answer = '';
    socket.on('connect', () =>
      socket.end(`GET /api/2.0/mlflow/experiments/search?max_results=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 'latin1'),
    );
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('timeout', () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
  });
}

/** What a terminal would obey: ESC, BEL, CR, bidi overrides and isolates. */
const hasRawControl = (text: string) => ['\x07', '\x1b', '\r'].some((c) => text.includes(c)) || /[\u202a-\u202e\u2066-\u2069]/.test(text);

test("issue 22: the VM's control characters are shown, not obeyed; a log kept without its secrets file still masks the password", async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const up = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(up.code, 0, up.stdout);
  // MLflow refuses the request (it closes the connection without an answer) and logs the header as it came.
  await rawRequest(IP, 5000, EVIL_HOST);
  const logged = await vmExec(VM, `grep -c 'Rejected request with invalid Host header: evil' ${HOME}/mlflow-server.log`);
  assert.notEqual(logged.stdout.trim(), '0', 'MLflow logged the rejected Host header');
  const pw = await dbPassword();
  // What the server could log itself: a bidi override, and a driver error with the password (plain and in a URI).
  const written = await vmExec(VM, `cat >> ${HOME}/mlflow-server.log`, {
    user: 'azureuser',
    input: `bidi: \u202Egnp.exe\u202C\nOperationalError: password=${pw} uri=postgresql://mlflow:${encodeURIComponent(pw)}@10.231.0.2/mlflow\n`,
  });
  assert.equal(written.code, 0, written.stderr);

  const human = await provision(statusArgs(workdir), { workdir, noDbEnv: true });
  const logs = await provision(['logs', ...statusFlags(VM, workdir), '--lines', '20'], { workdir, noDbEnv: true });
  for (const out of [human, logs]) {
    assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
    assert.ok(!hasRawControl(`${out.stdout}${out.stderr}`), `no raw control character: ${JSON.stringify(out.stdout)}`);
    assert.ok(out.stdout.includes('\\x1b]0;PWNED\\x07\\x1b[2K'), `shown visibly: ${out.stdout}`);
    assert.ok(out.stdout.includes('bidi: \\u202egnp.exe\\u202c'), out.stdout);
    assert.ok(!out.everything.includes(pw), 'the password is masked (the secrets file names it)');
  }
  // status shows 5 lines and its own checks log 3: the rejected request is further up by now.
  const json = await provision(['logs', ...statusFlags(VM, workdir), '--lines', '20', '--json'], { workdir, noDbEnv: true });
  assert.ok(!hasRawControl(json.stdout), 'JSON-escaped');
  const lines: string[] = JSON.parse(json.stdout.trim()).lines;
  assert.ok(lines.some((l) => l.includes('\x1b]0;PWNED\x07')) && lines.some((l) => l.includes('\u202Egnp.exe')), JSON.stringify(lines));

  // After `remove` the log stays and the secrets file is gone: the password in .env/the environment masks it.
  const secrets = `${HOME}/.mlflow-server.env`;
  assert.equal((await vmExec(VM, `mv ${secrets} ${secrets}.aside`)).code, 0);
  try {
    for (const extra of [[], ['--json']]) {
      const removed = await provision(statusArgs(workdir, extra), { workdir });
      assert.equal(removed.code, 1);
      assert.match(removed.stdout, /is not provisioned/);
      assert.match(removed.stdout, /OperationalError: password=\*\*\* uri=postgresql:\/\/mlflow:\*\*\*@10\.231\.0\.2\/mlflow/);
      assert.ok(!removed.everything.includes(pw) && !removed.everything.includes(encodeURIComponent(pw)), 'no password in the output');
    }
    const kept = await provision(['logs', ...statusFlags(VM, workdir), '--lines', '10'], { workdir });
    assert.match(kept.stdout, /OperationalError: password=\*\*\* /);
    assert.ok(!kept.everything.includes(pw), 'no password in logs either');
  } finally {
    await vmExec(VM, `mv ${secrets}.aside ${secrets}`);
  }
});

test('status takes only its own options: a provisioning option is a usage error (exit 2)', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const res = await provision(['status', '--host', IP, '--pg-host', 'db'], { workdir, noDbEnv: true });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /Unknown argument: pg-host\. Run provision status --help for the options\./);
  const none = await provision(['status'], { workdir, noDbEnv: true });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /No VM given: pass --host <vm-ip> or --hosts-file hosts\.txt/);
});
