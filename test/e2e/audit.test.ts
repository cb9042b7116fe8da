// Issue 16, the outside audit: each finding reproduced on a lab VM, and what the tool now does instead.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { CLI, dbEnv, fleetBlob, labFlags, newWorkdir, provision, provisionedVm, statusFlags } from './cli.js';
import { httpToVm } from './http.js';
import { ensureLab, labDbEnv, labPsql, requireLab, vmExec, vmFileStat, vmIp, vmProcesses, vmReadFile } from './lab.js';

const VM = 14;
const HOME = '/home/azureuser';
const SFTP = '/usr/lib/openssh/sftp-server';

// Every test starts from the VM this sets up (each test checks the lab itself and skips without it).
before(async (t) => {
  if (!requireLab(t as never)) return;
  await ensureLab(VM);
  await provisionedVm(VM);
});

async function serverPid(): Promise<string> {
  return (await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0]!;
}

test('--artifacts-dir: the home, a folder containing it, system trees, symlinks and foreign folders are refused; nothing is re-owned', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const up = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(up.code, 0, up.stdout);
  const pid = await serverPid();
  const homeBefore = await vmFileStat(VM, HOME);

  // Judged on the VM: the home itself (the audit's remote-root reproduction).
  const home = await provision([...labFlags(VM, workdir), '--artifacts-dir', HOME], { workdir });
  assert.equal(home.code, 1, home.stdout);
  assert.match(
    home.stdout,
    /The artifacts folder \/home\/azureuser is refused: it is your home folder, which holds the secrets file and ~\/\.ssh; MLflow's artifact API reads and writes every file in it\. Choose a folder of its own/,
  );
  assert.equal(await serverPid(), pid, 'the server was not touched');
  assert.deepEqual(await vmFileStat(VM, HOME), homeBefore);
  const leak = await httpToVm(vmIp(VM), { path: '/api/2.0/mlflow-artifacts/artifacts/.mlflow-server.env' });
  assert.notEqual(leak.status, 200, 'the artifact API does not serve the secrets file');
  assert.doesNotMatch(leak.body, /MLFLOW_BACKEND_STORE_URI/);

  // Refused by name before connecting: exit 2, /etc untouched.
  const etcBefore = await vmFileStat(VM, '/etc');
  for (const dir of ['/', '/etc', '/home', '/usr/lib/x']) {
    const res = await provision([...labFlags(VM, workdir), '--artifacts-dir', dir], { workdir });
    assert.equal(res.code, 2, `${dir}: ${res.stderr}`);
    assert.match(res.stderr, /^provision: --artifacts-dir \S+ is refused: it is (the root of the file system|the system folder|inside the system folder)/m);
  }
  assert.deepEqual(await vmFileStat(VM, '/etc'), etcBefore);

  // A symlink to the home, a folder owned by root, one that is a parent of the home: refused by what they are.
  await vmExec(VM, `rm -rf /srv/audit-*; ln -s ${HOME} /srv/audit-link; mkdir -m 0755 /srv/audit-root`);
  const link = await provision([...labFlags(VM, workdir), '--artifacts-dir', '/srv/audit-link'], { workdir });
  assert.equal(link.code, 1);
  assert.match(link.stdout, /The artifacts folder \/srv\/audit-link \(\/home\/azureuser\) is refused: it is a symbolic link, which provision does not follow/);
  const rootOwned = await provision([...labFlags(VM, workdir), '--artifacts-dir', '/srv/audit-root'], { workdir });
  assert.equal(rootOwned.code, 1);
  assert.match(
    rootOwned.stdout,
    /The artifacts folder \/srv\/audit-root is refused: it exists and belongs to root, and provision never takes over a folder it did not create/,
  );
  assert.deepEqual(await vmFileStat(VM, '/srv/audit-root'), { mode: 0o755, uid: 0, user: 'root' }, 'not re-owned, not re-moded');
  const parent = await provision([...labFlags(VM, workdir), '--artifacts-dir', `${HOME}/../azureuser/.ssh`], { workdir });
  assert.equal(parent.code, 1);
  assert.match(parent.stdout, /is refused: it is inside the hidden folder ~\/\.ssh/);

  // The same rules for a hosts file's artifacts-dir=.
  writeFileSync(join(workdir, 'hosts.txt'), `# vms\n${vmIp(VM)} artifacts-dir=/\n`);
  const file = await provision(['--hosts-file', join(workdir, 'hosts.txt'), ...labFlags(VM, workdir).slice(2)], { workdir });
  assert.equal(file.code, 2);
  assert.match(file.stderr, /hosts\.txt line 2: --artifacts-dir \/ is refused: it is the root of the file system/);
  assert.equal(await serverPid(), pid, 'no refused run touched the server');

  // A new folder of its own is created for the user, 0750; the artifact round trip passes.
  const fresh = await provision([...labFlags(VM, workdir), '--artifacts-dir', '/srv/audit-new/artifacts'], { workdir });
  assert.equal(fresh.code, 0, fresh.stdout);
  assert.deepEqual(await vmFileStat(VM, '/srv/audit-new/artifacts'), { mode: 0o750, uid: 1000, user: 'azureuser' });
  assert.deepEqual(await vmFileStat(VM, '/srv/audit-new'), { mode: 0o755, uid: 0, user: 'root' });
  await vmExec(VM, 'rm -rf /srv/audit-*');
});

/** Replaces the VM's sftp-server with one that passes everything through but never answers a WRITE. */
async function stallSftpWrites(): Promise<void> {
  const wrapper = [
    '#!/usr/bin/python3',
    '# Test stand-in: the real sftp-server, except that the first WRITE request is never answered.',
    'import struct, subprocess, sys, time',
    `p = subprocess.Popen(["${SFTP}.real"], stdin=subprocess.PIPE, stdout=sys.stdout.fileno())`,
    'inp = sys.stdin.buffer',
    'def readn(n):',
    '    b = b""',
    '    while len(b) < n:',
    '        c = inp.read(n - len(b))',
    '        if not c: return None',
    '        b += c',
    '    return b',
    'while True:',
    '    h = readn(4)',
    '    if h is None: break',
    '    body = readn(struct.unpack(">I", h)[0])',
    '    if body is None: break',
    '    if body[0] == 6:',
    '        time.sleep(90); break',
    '    p.stdin.write(h + body); p.stdin.flush()',
  ].join('\n');
  const r = await vmExec(VM, `[ -e ${SFTP}.real ] || mv ${SFTP} ${SFTP}.real; cat > ${SFTP} && chmod 755 ${SFTP}`, { input: `${wrapper}\n` });
  assert.equal(r.code, 0, r.stderr);
}

async function restoreSftp(): Promise<void> {
  await vmExec(VM, `[ -e ${SFTP}.real ] && mv -f ${SFTP}.real ${SFTP}; pkill -f 'sleep|sftp-server' -u azureuser || true`);
}

/** The CLI with --json; `act` runs once the files step has been uploading for a moment. */
async function runDuringUpload(
  workdir: string,
  act: (child: ReturnType<typeof spawn>) => Promise<void>,
): Promise<{ code: number | null; stdout: string; stderr: string; actedAt: number; endedAt: number }> {
  const child = spawn(process.execPath, [CLI, ...labFlags(VM, workdir), '--json', '--allowed-hosts', `${vmIp(VM)}:5000,audit.example`], {
    cwd: workdir,
    env: { PATH: process.env.PATH, HOME: workdir, NO_COLOR: '1', ...dbEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let actedAt = 0;
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    if (!actedAt && /Launcher and secrets file/.test(stderr)) {
      actedAt = -1;
      setTimeout(() => {
        actedAt = Date.now();
        void act(child);
      }, 2000);
    }
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, stdout, stderr, actedAt, endedAt: Date.now() };
}

test('an SFTP upload that never finishes: Ctrl-C exits 130 with the --json line, a dropped connection exits 1 at once; the next run cleans up', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  await stallSftpWrites();
  try {
    const interrupted = await runDuringUpload(workdir, async (child) => {
      child.kill('SIGINT');
    });
    assert.ok(interrupted.actedAt > 0, `the upload started: ${interrupted.stderr}`);
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const lines = interrupted.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; error: string });
    assert.equal(lines.length, 1, 'one --json line for the host it started');
    assert.equal(lines[0]!.status, 'failed');
    assert.match(lines[0]!.error, /^Interrupted while uploading \/home\/azureuser\/start-mlflow-server\.sh\.$/);
    assert.ok(interrupted.endedAt - interrupted.actedAt < 10_000, `exited ${interrupted.endedAt - interrupted.actedAt} ms after Ctrl-C`);
    t.diagnostic(`Ctrl-C during a stalled upload: exit 130 ${interrupted.endedAt - interrupted.actedAt} ms later`);

    const dropped = await runDuringUpload(workdir, async () => {
      await vmExec(VM, 'pkill -KILL -f "^sshd: azureuser"');
    });
    assert.equal(dropped.code, 1, dropped.stderr);
    const [line] = dropped.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; error: string });
    assert.equal(line!.status, 'failed');
    assert.match(
      line!.error,
      /^The SSH connection to 10\.231\.0\.24 dropped while uploading \/home\/azureuser\/start-mlflow-server\.sh; rerun provision to continue\.$/,
    );
    assert.ok(dropped.endedAt - dropped.actedAt < 15_000, `failed ${dropped.endedAt - dropped.actedAt} ms after the drop`);
    t.diagnostic(`connection dropped during a stalled upload: exit 1 ${dropped.endedAt - dropped.actedAt} ms after the kill was sent`);
  } finally {
    await restoreSftp();
  }
  const left = await vmExec(VM, `ls -a ${HOME} | grep -c '\\.provision-' || true`);
  assert.ok(Number(left.stdout.trim()) >= 1, 'the stalled upload left its temporary file');
  const again = await provision([...labFlags(VM, workdir), '--allowed-hosts', `${vmIp(VM)}:5000,audit.example`], { workdir });
  assert.equal(again.code, 0, again.stdout);
  assert.match(again.stdout, /removed \d leftover temporary uploads? from an interrupted run/);
  assert.equal((await vmExec(VM, `ls -a ${HOME} | grep -c '\\.provision-' || true`)).stdout.trim(), '0');
  assert.match(await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`), /audit\.example/);
});

test('a host that accepts TCP but never speaks SSH fails alone; the batch goes on and reports every host', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const listener =
    'import socket, time\ns = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(("0.0.0.0", 2222)); s.listen(8)\nconns = []\nend = time.time() + 90\nwhile time.time() < end:\n    s.settimeout(1)\n    try: conns.append(s.accept()[0])\n    except OSError: pass\n';
  await vmExec(VM, `cat > /tmp/silent.py && (setsid timeout 90 python3 /tmp/silent.py </dev/null >/dev/null 2>&1 &)`, { input: listener });
  try {
    writeFileSync(join(workdir, 'hosts.txt'), `${vmIp(VM)}:2222\n${vmIp(VM)}\n`);
    // Two hosts on one database are a fleet: artifacts in the lab's Blob.
    const blob = fleetBlob(`audit-${Date.now()}`);
    const res = await provision(
      ['--hosts-file', join(workdir, 'hosts.txt'), ...labFlags(VM, workdir).slice(2), '--connect-timeout', '2', '--upgrade', '--json', ...blob.args],
      { workdir, env: blob.env },
    );
    assert.equal(res.code, 1, res.stderr);
    assert.doesNotMatch(res.stderr, /Unhandled 'error' event|^\s+at /m, 'no crash, no stack trace');
    const results = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { host: string; status: string; error?: string; changed: string[] });
    assert.equal(results.length, 2);
    const silent = results.find((r) => r.status !== 'ok')!;
    assert.equal(silent.status, 'unreachable');
    assert.match(silent.error!, /No SSH answer from 10\.231\.0\.24:2222 within 2 s/);
    const healthy = results.find((r) => r.status === 'ok');
    assert.ok(healthy, 'the healthy host finished');
    assert.ok(healthy.changed.includes('packages'), 'it ran apt (--upgrade) while the silent host failed');
  } finally {
    await vmExec(VM, 'pkill -f /tmp/silent.py || true');
  }
});

test('secrets in server log lines are masked on the terminal and in status, text and --json', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const { password } = labDbEnv();
  const mlflow = `${HOME}/mlflow-venv/bin/mlflow`;
  // A server that prints its secrets file to its log and dies: the failed start shows the log's last lines.
  await vmExec(VM, `cp -a ${mlflow} /tmp/mlflow.real && printf '#!/bin/sh\\ncat ~/.mlflow-server.env\\nexit 1\\n' > ${mlflow}`);
  try {
    const res = await provision([...labFlags(VM, workdir), '--allowed-hosts', `${vmIp(VM)}:5000,mask.example`], { workdir });
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stdout, /log: MLFLOW_BACKEND_STORE_URI='\*\*\*'/, "the server's log lines are shown, masked");
    assert.ok(!res.everything.includes(password) && !res.everything.includes(encodeURIComponent(password)), 'the password is in no output and no log');
    for (const json of [false, true]) {
      const status = await provision(['status', ...statusFlags(VM, workdir), ...(json ? ['--json'] : [])], { workdir, noDbEnv: true });
      assert.equal(status.code, 1);
      assert.match(status.stdout, /MLFLOW_BACKEND_STORE_URI=/, 'the log tail is shown');
      assert.ok(
        !status.stdout.includes(password) && !status.stdout.includes(encodeURIComponent(password)),
        `status${json ? ' --json' : ''} masks the password`,
      );
    }
  } finally {
    await vmExec(VM, `cp -a /tmp/mlflow.real ${mlflow}`);
  }
  const again = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(again.code, 0, again.stdout);
});

test('waiting for the first database call ends at once on Ctrl-C', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  await labPsql('DROP DATABASE IF EXISTS prov_audit_fresh; CREATE DATABASE prov_audit_fresh OWNER mlflow;');
  const mlflow = `${HOME}/mlflow-venv/bin/mlflow`;
  // A server that answers /health but never a database call, on a database without MLflow's schema.
  const fake =
    '#!/usr/bin/python3\nimport http.server\nclass H(http.server.BaseHTTPRequestHandler):\n    def do_GET(self): self.send_response(200 if self.path == "/health" else 503); self.end_headers()\n    do_POST = do_GET\n    def log_message(self, *a): pass\nhttp.server.HTTPServer(("0.0.0.0", 5000), H).serve_forever()\n';
  await vmExec(VM, `cp -a ${mlflow} /tmp/mlflow.real && cat > ${mlflow}`, { input: fake });
  try {
    const child = spawn(process.execPath, [CLI, ...labFlags(VM, workdir), '--pg-db', 'prov_audit_fresh'], {
      cwd: workdir,
      env: { PATH: process.env.PATH, HOME: workdir, NO_COLOR: '1', ...dbEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let sentAt = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!sentAt && /waiting for the server's first database call/.test(out)) {
        sentAt = Date.now();
        setTimeout(() => child.kill('SIGINT'), 1000);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const took = Date.now() - sentAt - 1000;
    assert.ok(sentAt > 0, out);
    assert.equal(code, 130, out);
    assert.match(out, /Interrupted while waiting for the server's first database call\./);
    assert.ok(took < 8000, `exited ${took} ms after Ctrl-C`);
    t.diagnostic(`Ctrl-C while waiting for the first database call: exit 130 ${took} ms later`);
  } finally {
    await vmExec(VM, `cp -a /tmp/mlflow.real ${mlflow}; pkill -f 'mlflow-venv/bin/mlflow' || true`);
    await labPsql('DROP DATABASE IF EXISTS prov_audit_fresh;').catch(() => undefined);
  }
  const again = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(again.code, 0, again.stdout);
  assert.deepEqual(
    (await vmProcesses(VM)).filter((p) => /http\.server|silent\.py/.test(p.cmdline)),
    [],
  );
});

test('the PID file is 0600 and its configuration fingerprint is salted, not a bare hash over the secrets', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const run = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(run.code, 0, run.stdout);
  const [, , fp, salt] = (await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).trim().split(' ');
  const launcher = await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`);
  const secrets = await vmReadFile(VM, `${HOME}/.mlflow-server.env`);
  const { createHash, createHmac } = await import('node:crypto');
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  assert.match(salt ?? '', /^[0-9a-f]{32}$/, 'a random salt beside the fingerprint');
  const text = `${sha(launcher)}\n${sha(secrets)}`;
  assert.notEqual(fp, sha(text).slice(0, 16), 'not a bare hash over the secrets');
  assert.equal(fp, createHmac('sha256', salt!).update(text).digest('hex').slice(0, 16), 'an HMAC keyed with that salt');
  assert.equal((await vmFileStat(VM, `${HOME}/mlflow-server.pid`))!.mode, 0o600);
});
