// Issue 6, faults: each gives one clear sentence and a rerun recovers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, provisionInterrupted } from './cli.js';
import { statusAndBody } from './http.js';
import { dbAllow, dbBlock, ensureLab, requireLab, vmExec, vmIp, vmProcesses, vmReadFile } from './lab.js';

const VM = 12;
const HOME = '/home/azureuser';

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  await provisionedVm(VM);
});
after(async () => {
  if (available) await dbAllow(VM).catch(() => undefined);
});

test('a wrong SSH key is refused with the login hint', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const key = join(workdir, 'other_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const flags = labFlags(VM, workdir);
  flags[flags.indexOf('--identity-file') + 1] = key;
  const res = await provision(flags, { workdir });
  assert.equal(res.code, 1);
  assert.match(
    res.stdout,
    /The VM refused SSH login as "azureuser": check --user \(Azure's default is azureuser\) and --identity-file, or load your key into ssh-agent\./,
  );
});

test('a database firewall that drops packets fails within seconds, naming the firewall; a rerun recovers', async (t) => {
  if (!requireLab(t)) return;
  await dbBlock(VM, 'drop');
  const workdir = newWorkdir();
  const res = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(res.code, 1);
  assert.match(res.stdout, /The VM 10\.231\.0\.22 got no answer from the database at 10\.231\.0\.2:5432: a firewall drops the traffic\./);
  assert.ok(res.wallMs < 60_000, `failed in ${res.wallMs} ms`);
  assert.deepEqual(
    (await vmProcesses(VM)).filter((p) => /mlflow/.test(p.cmdline)),
    [],
    'nothing started',
  );
  await dbAllow(VM);
  const again = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(again.code, 0, again.stdout);
});

test('an unencrypted connection is refused by the SSL-only database with the TLS hint', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const res = await provision([...labFlags(VM, workdir), '--pg-sslmode', 'disable'], { workdir });
  assert.equal(res.code, 1);
  assert.match(res.stdout, /The database at 10\.231\.0\.2:5432 accepts only encrypted connections: use --pg-sslmode require/);
});

test('a server that runs but does not answer (its process group stopped, or its listeners gone) is restarted by a rerun', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const first = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(first.code, 0, first.stdout);
  const pidOf = async () => (await vmReadFile(VM, `${HOME}/mlflow-server.pid`)).split(' ')[0]!;
  // Wedged: every process of the server stopped. It keeps its PID and its port, and answers nothing.
  const wedged = await pidOf();
  await vmExec(VM, `kill -STOP -- -${wedged}`);
  try {
    const res = await provision(labFlags(VM, workdir), { workdir });
    assert.equal(res.code, 0, res.stdout);
    assert.match(
      res.stdout,
      new RegExp(`MLflow server: changed \\(the server \\(pid ${wedged}\\) is not answering: /health got no HTTP answer within 10 s; started pid \\d+\\)`),
    );
    assert.notEqual(await pidOf(), wedged);
    assert.equal((await vmExec(VM, `pgrep -g ${wedged}`)).stdout, '', 'nothing of the wedged server is left');
    assert.deepEqual(await statusAndBody(vmIp(VM), { path: '/health' }), { status: 200, body: 'OK' });
  } finally {
    await vmExec(VM, `kill -CONT -- -${wedged} 2>/dev/null; true`);
  }
  // Its listeners gone while the recorded process lives on (here: held stopped, as while it is exiting).
  const deaf = await pidOf();
  await vmExec(VM, `kill -STOP ${deaf}; for p in $(pgrep -g ${deaf}); do [ "$p" = ${deaf} ] || kill -KILL "$p"; done; sleep 1`);
  try {
    const res = await provision(labFlags(VM, workdir), { workdir });
    assert.equal(res.code, 0, res.stdout);
    assert.match(
      res.stdout,
      new RegExp(`MLflow server: changed \\(the server \\(pid ${deaf}\\) is not answering: nothing of it listens on port 5000; started pid \\d+\\)`),
    );
    assert.doesNotMatch(res.everything, /Channel open failure|socket hang up/);
    assert.deepEqual(await statusAndBody(vmIp(VM), { path: '/health' }), { status: 200, body: 'OK' });
  } finally {
    await vmExec(VM, `kill -CONT -- -${deaf} 2>/dev/null; true`);
  }
});

test('a full disk during the upload leaves the old launcher and secrets intact; a rerun with space completes', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const first = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(first.code, 0, first.stdout);
  const before = await vmExec(VM, `sha256sum ${HOME}/start-mlflow-server.sh ${HOME}/.mlflow-server.env`);
  // Put the home directory on a small tmpfs and fill it. The venv (about 900 MB) stays on the disk, bound in.
  const fill = await vmExec(
    VM,
    [
      'set -e',
      `mkdir -p /tmp/orig-home && mount --bind ${HOME} /tmp/orig-home`,
      `mount -t tmpfs -o size=64m,mode=0750,uid=1000,gid=1000 tmpfs ${HOME}`,
      `(cd /tmp/orig-home && tar --exclude=./mlflow-venv --exclude=./.cache -cf - .) | (cd ${HOME} && tar -xpf -)`,
      `mkdir ${HOME}/mlflow-venv && mount --bind /tmp/orig-home/mlflow-venv ${HOME}/mlflow-venv`,
      `dd if=/dev/zero of=${HOME}/filler bs=1M 2>/dev/null || true`,
      `df -k ${HOME} | tail -1`,
    ].join('\n'),
    { timeoutMs: 120_000 },
  );
  assert.equal(fill.code, 0, fill.stderr);
  try {
    const res = await provision([...labFlags(VM, workdir), '--allowed-hosts', `${vmIp(VM)}:5000,mlflow.example.com`], { workdir });
    assert.equal(res.code, 1);
    assert.match(
      res.stdout,
      /Uploading \/home\/azureuser\/\S+ to 10\.231\.0\.22 failed: .*\(is the VM's disk full\?\)\. The previous file, if any, is unchanged\./,
    );
    const after = await vmExec(VM, `sha256sum ${HOME}/start-mlflow-server.sh ${HOME}/.mlflow-server.env; ls -a ${HOME} | grep -c provision- || true`);
    assert.equal(after.stdout.split('\n').slice(0, 2).join('\n'), before.stdout.trim());
  } finally {
    await vmExec(VM, `rm -f ${HOME}/filler`);
  }
  const res = await provision([...labFlags(VM, workdir), '--allowed-hosts', `${vmIp(VM)}:5000,mlflow.example.com`], { workdir });
  assert.equal(res.code, 0, res.stdout);
  assert.match(await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`), /mlflow\.example\.com/);
  // The server runs from the bound venv and in the tmpfs home: it goes first, or neither unmounts.
  const restore = await vmExec(
    VM,
    `pkill -KILL -f '^/home/[^/]+/mlflow-venv/bin/python' || true; sleep 1; set -e; umount ${HOME}/mlflow-venv; (cd ${HOME} && tar --exclude=./mlflow-venv -cf - .) | (cd /tmp/orig-home && tar -xpf -); umount ${HOME}; umount /tmp/orig-home`,
  );
  assert.equal(restore.code, 0, restore.stderr);
});

test('Ctrl-C mid-run: exit 130, connection closed, no apt of ours left running; a rerun completes', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const run = await provisionInterrupted([...labFlags(VM, workdir), '--upgrade'], {
    workdir,
    timeoutMs: 120_000,
    when: (out) => /apt-get|Get:|Hit:/.test(out.slice(out.indexOf('System packages'))),
  });
  const out = run.stdout + run.stderr;
  const { code } = run;
  const sent = run.sentAt > 0;
  assert.ok(sent, 'the package step started');
  assert.equal(code, 130, out);
  assert.match(out, /Interrupted: stopping remote commands and closing connections/);
  assert.match(out, /Interrupted while "apt-get [^"]+" was running\./, 'apt was signalled and ended, not left behind');
  // apt got SIGTERM and ended before the CLI exited: only a moment is allowed for processes on their way out.
  let leftovers: string[] = [];
  for (let i = 0; i < 6; i++) {
    leftovers = (await vmProcesses(VM)).filter((p) => /apt-get|dpkg|timeout --kill-after/.test(p.cmdline)).map((p) => p.cmdline);
    if (leftovers.length === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(leftovers, [], 'no remote apt of ours left running');
  const again = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(again.code, 0, again.stdout);
});
