// Issue 22 item 9: the server's log is rotated by size by the launcher's own writer, under nohup and systemd
// alike, and `status` shows its size. The launcher is run for real here (bash and python3 of this machine), with
// a stand-in `mlflow` in a fake venv: what it prints must land in the files, rotated, in order, none lost.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { statusJson, statusText } from '../../src/cli/render-status.js';
import { logTailCommand } from '../../src/plan/commands.js';
import { logPart } from '../../src/plan/probe/status.js';
import { launcherLogBound, LOG_ROTATION } from '../../src/render/log-writer.js';
import { remoteLayout, renderLauncher } from '../../src/render/server-files.js';
import { logSizeOf, parseStatusExtras, type HostStatus } from '../../src/run/status.js';
import { bytesText, judgeLogSize } from '../../src/verdicts/status.js';

const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
const PYTHON = python.status === 0 ? python.stdout.trim() : undefined;

/**
 * A home with the launcher (rotating at `maxBytes`), an empty secrets file and a venv whose python3 is this
 * machine's and whose `mlflow` is `server` (a bash script).
 */
function fakeHome(maxBytes: number, server: string): { home: string; launcher: string; log: string } {
  const home = mkdtempSync(join(tmpdir(), 'prov-logrot-'));
  const layout = remoteLayout(home);
  mkdirSync(join(layout.venv, 'bin'), { recursive: true });
  symlinkSync(PYTHON!, join(layout.venv, 'bin', 'python3'));
  writeFileSync(join(layout.venv, 'bin', 'mlflow'), `#!/usr/bin/env bash\n${server}\n`, { mode: 0o755 });
  writeFileSync(layout.secrets, "MLFLOW_BACKEND_STORE_URI='postgresql://u@h/db'\n", { mode: 0o600 });
  writeFileSync(layout.launcher, renderLauncher(layout, { port: 5000, workers: 1, allowedHosts: ['a'], logMaxBytes: maxBytes }));
  chmodSync(layout.launcher, 0o755);
  return { home, launcher: layout.launcher, log: layout.log };
}

/** The log's files, oldest first (log.K ... log.1, log), each with its text. */
function logFiles(log: string): Array<{ name: string; text: string }> {
  const dir = join(log, '..');
  const base = log.slice(dir.length + 1);
  const rotated = readdirSync(dir)
    .map((f) => /^(.*)\.(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === base)
    .sort((a, b) => Number(b[2]) - Number(a[2]))
    .map((m) => m[0]);
  return [...rotated, base].map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

function needPython(t: TestContext): boolean {
  if (PYTHON) return true;
  t.skip('no python3 on this machine');
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Runs the launcher in its own process group, as `setsid nohup` does (and its own cgroup under systemd):
 * its exit code once the server ended, and once the writer has written the last line and ended as well.
 */
async function runLauncher(launcher: string, boundMs = 120_000): Promise<number | null> {
  const child = spawn(launcher, [], { detached: true, stdio: 'ignore' });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  await until(() => groupGone(child.pid!), boundMs, 'the log writer ended');
  return code;
}

/** Polls `cond` every 50 ms, at most `boundMs`; fails with `what` after that. */
async function until(cond: () => boolean, boundMs: number, what: string): Promise<void> {
  for (const start = Date.now(); Date.now() - start < boundMs; await sleep(50)) if (cond()) return;
  assert.fail(`not within ${boundMs / 1000} s: ${what}`);
}

test('the launcher rotates the log by size: every file within the bound, 5 kept, lines whole and in order, none lost; the exit status is the server’s', async (t) => {
  if (!needPython(t)) return;
  // 3000 numbered lines of 80 bytes on stdout, every 100th also on stderr: 240 KB through a 16 KiB bound.
  const server = [
    'for i in $(seq 1 3000); do printf "line %06d %s\\n" "$i" "$(printf %066d 0)"',
    '  [ $((i % 100)) = 0 ] && printf "err  %06d %s\\n" "$i" "$(printf %066d 0)" >&2',
    'done',
    'exit 3',
  ].join('\n');
  const { launcher, log } = fakeHome(16384, server);
  assert.equal(await runLauncher(launcher), 3, 'the launcher exits with the server’s status');
  const files = logFiles(log);
  assert.deepEqual(
    files.map((f) => f.name),
    ['mlflow-server.log.5', 'mlflow-server.log.4', 'mlflow-server.log.3', 'mlflow-server.log.2', 'mlflow-server.log.1', 'mlflow-server.log'],
  );
  for (const f of files) assert.ok(Buffer.byteLength(f.text) <= 16384, `${f.name}: ${Buffer.byteLength(f.text)} bytes`);
  for (const f of files.slice(0, -1)) assert.ok(Buffer.byteLength(f.text) > 16384 - 80, `${f.name} was rotated only when full`);
  const lines = files.flatMap((f) => f.text.split('\n').filter((l) => l !== ''));
  for (const l of lines) assert.match(l, /^(line|err ) \d{6} 0{66}$/, 'a whole line');
  // What is kept is the end of the output, without a gap: stdout's numbers count up by one to 3000.
  const numbers = lines.filter((l) => l.startsWith('line')).map((l) => Number(l.slice(5, 11)));
  assert.equal(numbers.at(-1), 3000);
  numbers.forEach((n, i) => assert.equal(n, numbers[0]! + i, `line ${numbers[0]! + i} lost`));
  // stderr shares the pipe: each of its lines right after stdout's of the same number.
  lines.forEach((l, i) => {
    if (l.startsWith('err') && i > 0) assert.equal(lines[i - 1]!.slice(5, 11), l.slice(5, 11));
  });
  assert.ok(lines.some((l) => l.startsWith('err')));
});

test('a log below the bound is one file holding every line; an older, larger log is rotated away at the first line', async (t) => {
  if (!needPython(t)) return;
  const { launcher, log } = fakeHome(LOG_ROTATION.maxBytes, 'for i in $(seq 1 500); do echo "line $i"; done');
  writeFileSync(log, 'x'.repeat(100) + '\n');
  assert.equal(await runLauncher(launcher), 0);
  assert.deepEqual(
    logFiles(log).map((f) => [f.name, f.text.split('\n').length - 1]),
    [['mlflow-server.log', 501]],
  );
  // A log from before rotation, over the bound: the writer's first line starts a new file.
  const big = fakeHome(1024, 'echo first; echo second');
  writeFileSync(big.log, 'old\n'.repeat(1000));
  assert.equal(await runLauncher(big.launcher), 0);
  assert.deepEqual(
    logFiles(big.log).map((f) => [f.name, f.text.length]),
    [
      ['mlflow-server.log.1', 4000],
      ['mlflow-server.log', 'first\nsecond\n'.length],
    ],
  );
});

test('SIGTERM to the server’s process group: the writer outlives it, writes its last lines and ends; the PID is the server’s', async (t) => {
  if (!needPython(t)) return;
  // The stand-in server says goodbye on SIGTERM, as uvicorn logs its shutdown.
  const server = ['trap \'echo "shutting down"; exit 0\' TERM', 'echo ready', 'while :; do sleep 0.1; done'].join('\n');
  const { launcher, log } = fakeHome(LOG_ROTATION.maxBytes, server);
  // Its own process group, as under setsid nohup (and its own cgroup under systemd).
  const child = spawn(launcher, [], { detached: true, stdio: 'ignore' });
  const pid = child.pid!;
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('ready'), 30_000, 'the server’s first line');
    // The launcher became the server (exec): the PID recorded for the start is the server's.
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /mlflow-venv\/bin\/mlflow\0server\0/);
    process.kill(-pid, 'SIGTERM');
    assert.equal(await exited, 0);
    await until(() => groupGone(pid), 30_000, 'every process of the group ended (the writer too)');
    // (bash says `Terminated` for its sleep, also in the group)
    assert.match(readFileSync(log, 'utf8'), /^ready\n(Terminated\n)?shutting down\n$/);
  } finally {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

test('the launcher says its rotation bound on a line of its own; --log-size changes it, the default is 10 MiB x 5', () => {
  const layout = remoteLayout('/home/u');
  const plain = renderLauncher(layout, { port: 5000, workers: 1, allowedHosts: ['a'] });
  assert.deepEqual(launcherLogBound(plain.split('\n')), { maxBytes: 10 * 1024 * 1024, keep: 5 });
  const small = renderLauncher(layout, { port: 5000, workers: 1, allowedHosts: ['a'], logMaxBytes: 65536 });
  assert.deepEqual(launcherLogBound(small.split('\n')), { maxBytes: 65536, keep: 5 });
  // Before the secrets are read, so an error sourcing them is in the log too; the server is still exec'd.
  const lines = small.split('\n');
  assert.ok(lines.findIndex((l) => l.startsWith('exec > >(exec ')) < lines.indexOf('. /home/u/.mlflow-server.env'));
  assert.match(small, /^exec \/home\/u\/mlflow-venv\/bin\/mlflow server \\$/m);
  assert.equal(launcherLogBound(['#!/usr/bin/env bash', 'exec mlflow server']), undefined, 'a launcher from before rotation');
  execFileSync('bash', ['-n'], { input: small });
});

test('status reads the log’s size and its rotated files, and its last lines across the newest rotation', () => {
  const home = mkdtempSync(join(tmpdir(), 'prov-logstat-'));
  const log = remoteLayout(home).log;
  writeFileSync(`${log}.2`, 'a'.repeat(1000));
  writeFileSync(`${log}.1`, 'one\ntwo\nthree\n');
  writeFileSync(log, 'four\n');
  writeFileSync(`${log}.bak`, 'not ours');
  const script = logPart.script({ mlflowPort: 5000, logLines: 3 });
  // (stat's exit status says some of the names do not exist; the probe reads only the output)
  const out = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, HOME: home } }).stdout;
  const extras = parseStatusExtras(`${out}probe_done=1\n`);
  assert.deepEqual(extras.log, ['two', 'three', 'four']);
  assert.deepEqual([extras.logBytes, extras.rotatedLogs], [5, { files: 2, bytes: 1014 }]);
  extras.launcher = ['log_max_bytes=65536 log_keep=5'];
  assert.deepEqual(logSizeOf(extras), { bytes: 5, rotatedFiles: 2, totalBytes: 1019, maxBytes: 65536, keep: 5 });
  // No log at all: no size.
  const none = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'prov-nolog-')) } }).stdout;
  assert.equal(logSizeOf(parseStatusExtras(`${none}probe_done=1\n`)), undefined);
});

test('status shows the log’s size in its report and --json; a log past its bound is a problem', () => {
  const base: HostStatus = {
    host: '10.0.0.4',
    healthy: true,
    problems: [],
    server: { running: true, pid: 42 },
    mlflow: {},
    database: { reachable: true, detail: 'ok' },
    auth: 'none',
    log: { path: '/home/u/mlflow-server.log', lines: [] },
    durationMs: 300,
  };
  const size = { bytes: 3_355_443, rotatedFiles: 4, totalBytes: 45_298_483, maxBytes: 10 * 1024 * 1024, keep: 5 };
  assert.match(
    statusText({ ...base, log: { ...base.log, size } }),
    /\n {2}log {8}3\.2 MiB, and 4 rotated files: 43\.2 MiB in all \(rotated at 10\.0 MiB, 5 kept\)/,
  );
  assert.match(statusText({ ...base, log: { ...base.log, size: { bytes: 812, rotatedFiles: 0, totalBytes: 812 } } }), /\n {2}log {8}812 B, not rotated(\n|$)/);
  assert.deepEqual(JSON.parse(statusJson({ ...base, log: { ...base.log, size } })).logSize, {
    bytes: 3_355_443,
    rotatedFiles: 4,
    totalBytes: 45_298_483,
    maxBytes: 10 * 1024 * 1024,
  });
  assert.equal(JSON.parse(statusJson(base)).logSize, null);
  assert.deepEqual([bytesText(0), bytesText(1023), bytesText(1024), bytesText(2.5 * 1024 ** 3)], ['0 B', '1023 B', '1.0 KiB', '2.5 GiB']);

  assert.deepEqual(judgeLogSize(size, '/home/u/mlflow-server.log'), []);
  assert.deepEqual(judgeLogSize({ ...size, bytes: 30 * 1024 * 1024 }, '/home/u/mlflow-server.log'), [
    "The server's log /home/u/mlflow-server.log is 30.0 MiB, past its rotation size of 10.0 MiB: restart the server (provision restart) to restart its log writer.",
  ]);
  assert.deepEqual(judgeLogSize({ bytes: 2 * 1024 ** 3, rotatedFiles: 0, totalBytes: 2 * 1024 ** 3 }, '/home/u/mlflow-server.log'), [
    "The server's log /home/u/mlflow-server.log is 2.0 GiB and never rotated (its launcher predates log rotation): rerun provision to restart the server with a rotated log.",
  ]);
  assert.deepEqual(judgeLogSize({ bytes: 5000, rotatedFiles: 0, totalBytes: 5000 }, '/home/u/mlflow-server.log'), [], 'a small log from before rotation');
});

test('a failed start is explained from its own lines also when the log was rotated since', () => {
  const home = mkdtempSync(join(tmpdir(), 'prov-logtail-'));
  const layout = remoteLayout(home);
  const offset = 4000; // where the start's lines began: the old log was rotated at its first line
  writeFileSync(`${layout.log}.1`, 'old\n'.repeat(1000));
  writeFileSync(layout.log, 'Error: the start failed\n');
  assert.equal(execFileSync('bash', ['-c', logTailCommand(layout, 20, offset).command], { encoding: 'utf8' }), 'Error: the start failed\n');
});
