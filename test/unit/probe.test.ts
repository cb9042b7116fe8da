// The probe script run by this machine's bash against a home directory laid out like a provisioned VM's.
// Only `sudo` is replaced (by a script printing a given `ss -ltnpH` line): everything else is the real
// shell, coreutils and /proc.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sha256 } from '../../src/render/server-files.js';
import { buildProbeScript, parseFacts } from '../../src/plan/facts.js';
import { foreignListeners } from '../../src/plan/server-plan.js';
import { writeFakeVenv } from './fake-venv.js';

const root = mkdtempSync(join(tmpdir(), 'probe-test-'));
const home = join(root, 'home');
const venv = join(home, 'mlflow-venv');
const fakeBin = join(root, 'bin');
const LAUNCHER = '#!/bin/sh\nexec mlflow server\n';
const SECRETS = 'MLFLOW_BACKEND_STORE_URI=postgresql://u:p@db/mlflow\n';
let server: ChildProcess;

function startTicks(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

function probe(ss: string) {
  const out = execFileSync('bash', ['-c', buildProbeScript({ mlflowPort: 5000 })], {
    env: { HOME: home, USER: userInfo().username, PATH: `${fakeBin}:${process.env.PATH}`, FAKE_SS: ss },
    encoding: 'utf8',
  });
  return parseFacts(out);
}

before(() => {
  // A venv whose python links to an interpreter named python3.42, with that version's site-packages.
  writeFakeVenv(root, venv, { modules: ['mlflow', 'psycopg2', 'flask_wtf'], mlflowVersion: '3.16.1', metadataTail: 'Version: 9.9.9\n' });
  mkdirSync(join(home, 'mlruns-artifacts'));
  writeFileSync(join(home, 'start-mlflow-server.sh'), LAUNCHER);
  chmodSync(join(home, 'start-mlflow-server.sh'), 0o700);
  writeFileSync(join(home, '.mlflow-server.env'), SECRETS);
  chmodSync(join(home, '.mlflow-server.env'), 0o644);
  // The "server": a real process leading its own process group, recorded as provision records it.
  server = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  writeFileSync(join(home, 'mlflow-server.pid'), `${server.pid} ${startTicks(server.pid!)} fp-1\n`);
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && [ "$2" = ss ] || exit 1\nprintf "%s\\n" "$FAKE_SS"\n', { mode: 0o755 });
});

after(() => {
  server.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

test('the probe reads the venv, MLflow version, files and the live server without starting python', () => {
  const facts = probe('');
  assert.equal(facts.sudo, true);
  assert.equal(facts.venvPython, true);
  assert.equal(facts.mlflowVersion, '3.16.1', 'the first Version: line of the header only');
  assert.equal(facts.mlflowImportable, true);
  assert.equal(facts.driverImportable, true);
  assert.deepEqual(facts.modules, ['flask_wtf']);
  assert.equal(facts.artifactsDir, 'ok');
  assert.deepEqual(facts.files.launcher, { sha256: sha256(LAUNCHER), mode: 0o700, owner: userInfo().username });
  assert.deepEqual(facts.files.secrets, { sha256: sha256(SECRETS), mode: 0o644, owner: userInfo().username });
  assert.deepEqual(facts.files.authIni, {});
  // Nothing listens on the port (ss printed nothing): the live PID is no answering server.
  assert.deepEqual(facts.server, { running: true, pid: server.pid, fingerprint: 'fp-1', listening: false });
  assert.deepEqual(facts.listeners, []);
});

test("listeners in the live server's process group are the server; any other is listed with its command", () => {
  const own = `LISTEN 0 128 0.0.0.0:5000 0.0.0.0:* users:(("sleep",pid=${server.pid},fd=3))`;
  assert.deepEqual(probe(own).listeners, []);
  assert.equal(probe(own).server.listening, true, 'the live server holds the port');
  const foreign = `LISTEN 0 128 0.0.0.0:5000 0.0.0.0:* users:(("sleep",pid=${server.pid},fd=3),("node",pid=${process.pid},fd=20))`;
  const facts = probe(foreign);
  assert.deepEqual(facts.listeners.map((l) => l.pid).sort(), [server.pid, process.pid].sort());
  const others = foreignListeners(facts);
  assert.equal(others.length, 1, JSON.stringify(others));
  assert.equal(others[0]!.pid, process.pid);
  assert.equal(others[0]!.ours, false);
  assert.match(others[0]!.command, /node/);
});

test('a venv whose interpreter no longer matches its site-packages (system python upgraded) is not working', () => {
  const lib = join(venv, 'lib');
  renameSync(join(lib, 'python3.42'), join(lib, 'python3.41'));
  try {
    const facts = probe('');
    assert.equal(facts.venvPython, false);
    assert.equal(facts.mlflowImportable, false);
  } finally {
    renameSync(join(lib, 'python3.41'), join(lib, 'python3.42'));
  }
  rmSync(join(root, 'usr', 'python3.42'));
  try {
    assert.equal(probe('').venvPython, false, 'a dangling interpreter link');
  } finally {
    writeFileSync(join(root, 'usr', 'python3.42'), '#!/bin/sh\n', { mode: 0o755 });
  }
});

test('a PID file whose process is gone (or whose PID was reused) is no live server; its listeners are all listed', () => {
  const pidFile = join(home, 'mlflow-server.pid');
  const saved = readFileSync(pidFile, 'utf8');
  writeFileSync(pidFile, `${server.pid} 1 fp-1\n`);
  try {
    const facts = probe(`LISTEN 0 128 0.0.0.0:5000 0.0.0.0:* users:(("sleep",pid=${server.pid},fd=3))`);
    assert.equal(facts.server.running, false);
    assert.deepEqual(
      facts.listeners.map((l) => [l.pid, l.pgid]),
      [[server.pid, server.pid]],
    );
  } finally {
    writeFileSync(pidFile, saved);
  }
});

/** A process group like a server's: its leader runs `leader` with bash's `-c script`, spawned in a new group. */
async function group(leader: string, script: string): Promise<ChildProcess> {
  const child = spawn(leader, ['-c', script], { detached: true, stdio: 'ignore' });
  // Until the group's children exist (bounded): the leader's /proc children list fills as it starts them.
  for (let i = 0; i < 50; i++) {
    const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
    if (kids.split(' ').filter(Boolean).length >= 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

/** The first child of `pid`, waiting (bounded) until it has one: a grandchild may not be forked yet. */
async function firstChild(pid: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (kids !== '') return Number(kids.split(' ')[0]);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} started no child within 2 s`);
}

test("a dead server's leftover group is ours when every process in it comes from the venv or was started by it", async () => {
  // The venv's "server": bash linked into $V/bin, whose child (like a uvicorn worker's psql) is not from the venv.
  symlinkSync('/bin/bash', join(venv, 'bin', 'fake-server'));
  const leftover = await group(join(venv, 'bin', 'fake-server'), 'sleep 60 & wait');
  // A group of a user's shell that started a venv program: not ours, never to be stopped.
  const byHand = await group('/bin/bash', `${join(venv, 'bin', 'fake-server')} -c 'sleep 61 & wait' & wait`);
  try {
    const worker = await firstChild(leftover.pid!);
    const handStarted = await firstChild(await firstChild(byHand.pid!));
    const ss = `LISTEN 0 128 0.0.0.0:5000 0.0.0.0:* users:(("sleep",pid=${worker},fd=3),("sleep",pid=${handStarted},fd=4))`;
    const facts = probe(ss); // the PID file's server is alive but in neither group
    const byPid = new Map(facts.listeners.map((l) => [l.pid, l]));
    assert.equal(byPid.get(worker)?.pgid, leftover.pid);
    assert.equal(byPid.get(worker)?.ours, true, JSON.stringify(facts.listeners));
    assert.equal(byPid.get(handStarted)?.pgid, byHand.pid);
    assert.equal(byPid.get(handStarted)?.ours, false, JSON.stringify(facts.listeners));
  } finally {
    process.kill(-leftover.pid!, 'SIGKILL');
    process.kill(-byHand.pid!, 'SIGKILL');
  }
});
