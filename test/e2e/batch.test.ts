// Issue 5: a hosts file of several VMs plus an address where nothing answers and a VM blocked from the
// database, on one fresh shared database; Ctrl-C during a batch; a changed host key inside a batch.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { httpToVm } from './http.js';
import { dbEnv, fleetBlob, newWorkdir, provision, provisionedVm, provisionInterrupted } from './cli.js';
import { LAB_KEY, LAB_STATE, dbAllow, dbBlock, ensureLab, labPsql, requireLab, vmExec, vmIp, vmName, vmProcesses, vmReadFile } from './lab.js';

const HEALTHY = [9, 10];
const BLOCKED = 11;
const NOBODY = '10.231.0.99';
const DB = `batch_${process.pid}`;

async function get(ip: string, path: string, method = 'GET', body?: string): Promise<number> {
  return (await httpToVm(ip, { path, method, ...(body !== undefined ? { body } : {}) })).status;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(BLOCKED);
  for (const k of [...HEALTHY, BLOCKED]) await provisionedVm(k);
  await labPsql(`CREATE DATABASE ${DB} OWNER mlflow;`);
});
after(async () => {
  if (!available) return;
  await dbAllow(BLOCKED).catch(() => undefined);
});

test('a batch: healthy VMs provisioned, the unreachable and the DB-blocked ones reported, exit 1, logs without the password; a rerun fixes the blocked VM', async (t) => {
  if (!requireLab(t)) return;
  await dbBlock(BLOCKED);
  const workdir = newWorkdir();
  const hostsFile = join(workdir, 'hosts.txt');
  writeFileSync(
    hostsFile,
    [
      '# batch test',
      ...HEALTHY.map((k) => `azureuser@${vmIp(k)}`),
      `${NOBODY}   # nothing answers here`,
      `${vmIp(BLOCKED)} mlflow-port=5000`,
      `azureuser@${vmIp(HEALTHY[0]!)}`,
      '',
    ].join('\n'),
  );
  const blob = fleetBlob(`batch-${Date.now()}`);
  const args = [
    '--hosts-file',
    hostsFile,
    '--identity-file',
    LAB_KEY,
    '--known-hosts',
    join(workdir, 'known_hosts'),
    '--yes',
    '--connect-timeout',
    '5',
    ...blob.args,
  ];
  const env = { POSTGRES_DB: DB, ...blob.env };
  const res = await provision(args, { workdir, env });
  t.diagnostic(`batch of 4 wall time: ${(res.wallMs / 1000).toFixed(1)} s`);
  assert.equal(res.code, 1, res.stdout + res.stderr);
  assert.match(res.stderr + res.stdout, new RegExp(`hosts\\.txt line 6: azureuser@${esc(vmIp(HEALTHY[0]!))} repeats line 2; it runs once`));

  const summary = res.stdout.slice(res.stdout.lastIndexOf('Summary'));
  for (const k of HEALTHY) assert.match(summary, new RegExp(`${vmIp(k).replace(/\./g, '\\.')}\\s+ok[\\s\\S]*?http://${vmIp(k).replace(/\./g, '\\.')}:5000`));
  assert.match(summary, /10\.231\.0\.99\s+unreachable[\s\S]*?(No SSH answer from 10\.231\.0\.99:22 within 5 s|10\.231\.0\.99:22 is unreachable)/);
  assert.match(
    summary,
    new RegExp(
      `${esc(vmIp(BLOCKED))}\\s+failed[\\s\\S]*?refuses connections from the VM ${esc(vmIp(BLOCKED))} \\(no pg_hba\\.conf entry\\): add a firewall rule`,
    ),
  );

  for (const k of HEALTHY) {
    assert.equal(await get(vmIp(k), '/health'), 200);
    assert.equal(await get(vmIp(k), '/api/2.0/mlflow/experiments/search', 'POST', '{"max_results":1}'), 200);
    const log = await vmExec(k, 'cat /home/azureuser/mlflow-server.log');
    assert.doesNotMatch(log.stdout, /Error initializing backend store/);
  }
  const password = dbEnv().POSTGRES_PASSWORD!;
  for (const host of [...HEALTHY.map(vmIp), NOBODY, vmIp(BLOCKED)]) {
    const logFile = join(workdir, 'provision-logs', `${host}.log`);
    assert.ok(existsSync(logFile), `log for ${host}`);
    const text = readFileSync(logFile, 'utf8');
    assert.ok(!text.includes(password) && !text.includes(encodeURIComponent(password)));
  }
  assert.ok(!res.everything.includes(password));

  await dbAllow(BLOCKED);
  const again = await provision([...args, '--json'], { workdir, env });
  assert.equal(again.code, 1, 'still 1: one host stays unreachable');
  const results = again.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const byHost = Object.fromEntries(results.map((r) => [r.host, r]));
  assert.equal(byHost[vmIp(BLOCKED)].status, 'ok');
  assert.ok(byHost[vmIp(BLOCKED)].changed.includes('server'));
  assert.equal(byHost[NOBODY].status, 'unreachable');
  for (const k of HEALTHY) assert.deepEqual(byHost[vmIp(k)].changed, [], `vm${k} unchanged on the rerun`);
  assert.equal(await get(vmIp(BLOCKED), '/health'), 200);
});

// The VMs of the two tests below (vm9-11 are the first test's).
const INTERRUPTED = [26, 27, 28];
const KEYS_CHANGED = 26;
const KEYS_OK = 27;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** sshd on a lab VM logs to the VM's console log: its size now, and what it logged from that offset on. */
function consoleOffset(k: number): number {
  return statSync(join(LAB_STATE, 'vms', vmName(k), 'console.log')).size;
}
function consoleSince(k: number, offset: number): string {
  return readFileSync(join(LAB_STATE, 'vms', vmName(k), 'console.log'))
    .subarray(offset)
    .toString('utf8');
}

/** Processes of ours a Ctrl-C must not leave behind on vmK: apt and dpkg, the command wrapper, an SSH session, apt/dpkg lock holders. */
async function leftovers(k: number): Promise<string[]> {
  const procs = (await vmProcesses(k))
    .filter((p) => /apt-get|\/usr\/lib\/apt\/|dpkg|timeout --kill-after|sshd: azureuser/.test(p.cmdline))
    .map((p) => `${vmName(k)} pid ${p.pid} (${p.user}): ${p.cmdline}`);
  const locks = await vmExec(
    k,
    [
      'for d in /proc/[0-9]*; do for f in "$d"/fd/*; do l=$(readlink "$f" 2>/dev/null) || continue',
      '  case "$l" in /var/lib/dpkg/lock*|/var/lib/apt/lists/lock|/var/cache/apt/archives/lock) echo "pid ${d#/proc/} holds $l";; esac',
      'done; done; true',
    ].join('\n'),
  );
  return [
    ...procs,
    ...locks.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `${vmName(k)} ${l}`),
  ];
}

test('Ctrl-C during a batch: exit 130, the summary lists every host, the unstarted one untouched, no apt of ours left; a rerun completes', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(Math.max(...INTERRUPTED));
  // Provisioned VMs (a snapshot restore, seconds) with their apt lists emptied, run with --upgrade: the package step
  // downloads every index again, as on a fresh VM, so Ctrl-C lands in apt; the rerun is then apt and a server start
  // per host, not the three fresh provisions (150 s) it was. Fresh VMs are provisioned in provision.test.ts.
  for (const k of INTERRUPTED) await provisionedVm(k);
  for (const k of INTERRUPTED) assert.equal((await vmExec(k, 'rm -rf /var/lib/apt/lists/* && apt-get clean')).code, 0);
  const offsets = Object.fromEntries(INTERRUPTED.map((k) => [k, consoleOffset(k)]));
  const [first, second, third] = INTERRUPTED.map(vmIp) as [string, string, string];
  const workdir = newWorkdir();
  const hostsFile = join(workdir, 'hosts.txt');
  writeFileSync(hostsFile, `${INTERRUPTED.map((k) => `azureuser@${vmIp(k)}`).join('\n')}\n`);
  const knownHosts = join(workdir, 'known_hosts');
  const blob = fleetBlob(`batch-interrupted-${Date.now()}`);
  const common = ['--hosts-file', hostsFile, '--identity-file', LAB_KEY, '--known-hosts', knownHosts, '--yes', '--upgrade', ...blob.args];
  const args = [...common, '--concurrency', '2'];
  const env = { POSTGRES_DB: DB, ...blob.env };

  // Both running hosts are in "System packages" (its title shows twice) and apt is talking (Get:/Hit: lines after that).
  const inPackages = (stdout: string) => {
    const starts = [...stdout.matchAll(/^\S+ System packages$/gm)];
    if (starts.length < 2) return false;
    return [...stdout.slice(starts[1]!.index).matchAll(/^\S+ (Get|Hit):\d+ /gm)].length >= 2;
  };
  const {
    code,
    stdout,
    stderr,
    startedAt: started,
    sentAt,
    stoppedAt,
  } = await provisionInterrupted(args, { workdir, env, timeoutMs: 240_000, when: inPackages });
  t.diagnostic(`SIGINT ${((sentAt - started) / 1000).toFixed(1)} s after the start; exit ${((stoppedAt - sentAt) / 1000).toFixed(1)} s after SIGINT`);
  assert.ok(sentAt > 0, `the package step started on two hosts:\n${stdout}\n${stderr}`);
  assert.equal(code, 130, stdout + stderr);
  assert.ok(stoppedAt - sentAt < 20_000, `exited ${stoppedAt - sentAt} ms after SIGINT`);
  assert.match(stderr, /Interrupted: stopping remote commands and closing connections/);

  // The summary so far: every host, the running two interrupted in their package step, the third never started.
  assert.ok(stdout.includes('Summary'), stdout);
  const summary = stdout.slice(stdout.lastIndexOf('Summary'));
  for (const ip of [first, second]) {
    assert.match(summary, new RegExp(`^  ${esc(ip)}\\s+failed\\s+[\\d.]+ s  changed: -\\n\\s+Interrupted while "apt-get [^"]+" was running\\.`, 'm'));
    const log = readFileSync(join(workdir, 'provision-logs', `${ip}.log`), 'utf8');
    assert.match(log, /^\S+ \$ apt-get /m, `${ip} was running apt when interrupted`);
    assert.doesNotMatch(log, /== packages: /, `${ip} did not finish its package step`);
  }
  assert.match(summary, new RegExp(`^  ${esc(third)}\\s+failed\\s+0\\.0 s  changed: -\\n\\s+not started \\(interrupted\\)$`, 'm'));
  assert.equal(summary.match(/^ {2}10\.231\.0\.\d+ /gm)?.length, 3, summary);

  // No apt, dpkg, command wrapper or SSH session of ours left on any VM, and nobody holds an apt/dpkg lock.
  // The CLI signals each running command and waits for it to end; processes exiting a moment after the
  // session closed get a few seconds, never the tens of seconds an unsignalled apt run would take.
  let left = (await Promise.all(INTERRUPTED.map(leftovers))).flat();
  if (left.length > 0) t.diagnostic(`right after the exit: ${left.join('; ')}`);
  for (const deadline = Date.now() + 3_000; left.length > 0 && Date.now() < deadline;) {
    await sleep(500);
    left = (await Promise.all(INTERRUPTED.map(leftovers))).flat();
  }
  t.diagnostic(`remote leftovers gone ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the exit`);
  assert.deepEqual(left, [], 'no remote process of ours left running or holding the apt lock');

  // The third host was never connected to: no login in sshd's log, no host key recorded, no log file, no apt run.
  for (const k of INTERRUPTED.slice(0, 2)) assert.match(consoleSince(k, offsets[k]!), /Accepted publickey for azureuser from 10\.231\.0\.1 /);
  assert.doesNotMatch(consoleSince(INTERRUPTED[2]!, offsets[INTERRUPTED[2]!]!), /Accepted publickey|Connection from|Disconnected from/);
  const recorded = readFileSync(knownHosts, 'utf8');
  assert.match(recorded, new RegExp(`^${esc(first)} `, 'm'));
  assert.match(recorded, new RegExp(`^${esc(second)} `, 'm'));
  assert.doesNotMatch(recorded, new RegExp(`^${esc(third)} `, 'm'), 'the third host key was never seen');
  assert.ok(!existsSync(join(workdir, 'provision-logs', `${third}.log`)), 'no log for the third host');
  const untouched = await vmExec(INTERRUPTED[2]!, "ls /var/lib/apt/lists | grep -c _Packages; pgrep -fc '[m]lflow-venv/bin'; true");
  assert.equal(untouched.stdout.trim(), '0\n0', `no apt update and no server on ${third}`);

  // A rerun of the same hosts file recovers every host (all three at once: one round of apt and server starts).
  const again = await provision([...common, '--concurrency', '3', '--json'], { workdir, env });
  t.diagnostic(`rerun wall time: ${(again.wallMs / 1000).toFixed(1)} s`);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const results = again.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { host: string; status: string; changed: string[] });
  assert.deepEqual(
    results.map((r) => r.host),
    [first, second, third],
  );
  for (const r of results) {
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.ok(r.changed.includes('packages') && r.changed.includes('server'), `${r.host}: apt and the server on the rerun: ${r.changed.join(',')}`);
  }
  for (const k of INTERRUPTED) {
    const apt = await vmExec(k, 'dpkg --audit; ls /var/lib/apt/lists | grep -c _Packages');
    assert.match(apt.stdout.trim(), /^[1-9]\d*$/, `vm${k}: dpkg consistent, and apt's lists back`);
  }
  for (const ip of [first, second, third]) assert.equal(await get(ip, '/health'), 200);
});

test('a changed host key inside a batch fails that host with the ssh-keygen -R hint, the other ends ok, known_hosts kept', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(Math.max(KEYS_CHANGED, KEYS_OK));
  for (const k of [KEYS_CHANGED, KEYS_OK]) await provisionedVm(k);
  const workdir = newWorkdir();
  const hostsFile = join(workdir, 'hosts.txt');
  writeFileSync(hostsFile, `${vmIp(KEYS_CHANGED)}\nazureuser@${vmIp(KEYS_OK)}\n`);

  // known_hosts: a line of the user's own, and for vm26 a key it does not have (as after a reinstall or an attack).
  const other = join(workdir, 'other_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', other]);
  const wrongKey = readFileSync(`${other}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const kh = join(workdir, 'known_hosts');
  const original = `# my own line\n${vmIp(KEYS_CHANGED)} ${wrongKey}\n`;
  writeFileSync(kh, original);

  const realKey = (await vmReadFile(KEYS_CHANGED, '/etc/ssh/ssh_host_ed25519_key.pub')).trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(workdir, 'vm.pub'), `${realKey}\n`);
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(workdir, 'vm.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  assert.notEqual(realKey, wrongKey);
  const okKey = (await vmReadFile(KEYS_OK, '/etc/ssh/ssh_host_ed25519_key.pub')).trim().split(' ').slice(0, 2).join(' ');
  const changedMessage = new RegExp(
    `The host key of ${esc(vmIp(KEYS_CHANGED))} has CHANGED \\(now ${esc(fp)}; ${esc(kh)} line 2 holds another ssh-ed25519 key\\)\\. ` +
      `This may be a reinstalled VM or an attack\\. If you expect it, run: ssh-keygen -R ${esc(vmIp(KEYS_CHANGED))} -f ${esc(kh)} and rerun\\.`,
  );
  const blob = fleetBlob(`batch-keys-${Date.now()}`);
  const args = ['--hosts-file', hostsFile, '--identity-file', LAB_KEY, '--known-hosts', kh, '--yes', ...blob.args];

  // The default policy (accept-new): vm27 is new, its key is appended; the file is otherwise as it was.
  const offset = consoleOffset(KEYS_CHANGED);
  const offsetOk = consoleOffset(KEYS_OK);
  const first = await provision(args, { workdir, env: blob.env });
  t.diagnostic(`default policy: ${(first.wallMs / 1000).toFixed(1)} s`);
  assert.equal(first.code, 1, first.stdout + first.stderr);
  const summary = first.stdout.slice(first.stdout.lastIndexOf('Summary'));
  assert.match(summary, new RegExp(`^  ${esc(vmIp(KEYS_CHANGED))}\\s+failed\\s+[\\d.]+ s  changed: -\\n\\s+${changedMessage.source}`, 'm'));
  assert.match(summary, new RegExp(`^  ${esc(vmIp(KEYS_OK))}\\s+ok\\s[\\s\\S]*?http://${esc(vmIp(KEYS_OK))}:5000`, 'm'));
  assert.equal(readFileSync(kh, 'utf8'), `${original}${vmIp(KEYS_OK)} ${okKey}\n`, 'the wrong line kept byte for byte, only vm27 appended');
  assert.doesNotMatch(consoleSince(KEYS_CHANGED, offset), /Accepted publickey/, 'never logged in to the host with the changed key');

  // Explicitly accept-new, and strict: the changed key fails that host all the same, nothing is written.
  const kept = readFileSync(kh);
  for (const policy of ['accept-new', 'strict']) {
    const res = await provision([...args, '--host-key-policy', policy, '--json'], { workdir, env: blob.env });
    t.diagnostic(`--host-key-policy ${policy}: ${(res.wallMs / 1000).toFixed(1)} s`);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const byHost = Object.fromEntries(
      res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { host: string; status: string; error: string | null })
        .map((r) => [r.host, r]),
    );
    assert.deepEqual(Object.keys(byHost).sort(), [vmIp(KEYS_CHANGED), vmIp(KEYS_OK)].sort());
    assert.equal(byHost[vmIp(KEYS_CHANGED)]!.status, 'failed', policy);
    assert.match(byHost[vmIp(KEYS_CHANGED)]!.error ?? '', changedMessage, policy);
    assert.equal(byHost[vmIp(KEYS_OK)]!.status, 'ok', `${policy}: ${byHost[vmIp(KEYS_OK)]!.error}`);
    assert.ok(readFileSync(kh).equals(kept), `${policy}: known_hosts not modified`);
  }
  assert.doesNotMatch(consoleSince(KEYS_CHANGED, offset), /Accepted publickey/, 'never logged in to the host with the changed key');
  assert.equal(consoleSince(KEYS_OK, offsetOk).match(/Accepted publickey for azureuser /g)?.length, 3, 'one login per run to the other host');
});
