// Tests of the lab itself (scripts/lab.sh): what the end-to-end tests of `provision` rely on.
// Runs as root on Linux; elsewhere each test skips with the reason (and fails under CI=true).
// The last test runs `lab down` and brings the lab back up (under CI=true or LAB_TEST_DOWN=1 only).
import { test } from 'node:test';
import { DEFAULT_MLFLOW_VERSION, UPGRADE_TESTED_FROM } from '../../src/config/mlflow-version.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import pg from 'pg';
import {
  BOOTED_VMS,
  LAB_KNOWN_HOSTS,
  LAB_SSH_CONFIG,
  LAB_STATE,
  dbAllow,
  dbBlock,
  ensureLab,
  forgetLab,
  hasSnapshot,
  lab,
  labDbEnv,
  labPsql,
  labSsh,
  removeSnapshot,
  requireLab,
  resetVm,
  restoreVm,
  run,
  snapshotVm,
  startVm,
  vmExec,
  vmFileStat,
  vmIp,
  vmProcesses,
  vmReadFile,
} from './lab.js';

const PSQL = '/usr/lib/postgresql/15/bin/psql';

async function hostKey(k: number): Promise<string> {
  return (await vmReadFile(k, '/etc/ssh/ssh_host_ed25519_key.pub')).split(' ').slice(0, 2).join(' ');
}

/** psql from inside vmK's network namespace (host binary), password via the environment. */
async function psqlFromVm(k: number, conninfo: string, sql = 'select 1', password = labDbEnv().password) {
  const db = labDbEnv();
  return run(
    'ip',
    ['netns', 'exec', `prov-vm${k}`, PSQL, `host=${db.host} port=${db.port} user=${db.user} dbname=${db.db} connect_timeout=3 ${conninfo}`, '-XAtc', sql],
    {
      env: { ...process.env, PGPASSWORD: password },
      timeoutMs: 20_000,
    },
  );
}

/** Host processes whose PID namespace is vmK's: how the host sees the VM's processes. */
function hostPidsInVm(k: number): number[] {
  const [initPid] = readFileSync(`${LAB_STATE}/pids/vm${k}.init`, 'utf8').split(' ');
  const ns = readlinkSync(`/proc/${initPid}/ns/pid`);
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/ns/pid`) === ns) pids.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** A live host process's command line; null once it has exited (zombies included: this machine's PID 1
 *  does not reap the orphans it inherits, so stopped daemons may linger as <defunct> entries). */
function hostCmdline(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) return null;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return null;
  }
}

function httpGet(opts: { host: string; port: number; path: string; headers?: Record<string, string> }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ ...opts, method: 'GET', timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test('lab up 3: ssh vm1 with the lab config, key and known_hosts; passwordless sudo', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  const r = await labSsh(1, 'sudo -n true && echo sudo-ok && id -un && hostname');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'sudo-ok\nazureuser\nprov-vm1\n');
  const config = readFileSync(LAB_SSH_CONFIG, 'utf8');
  for (const line of ['Host vm3', `HostName ${vmIp(3)}`, 'StrictHostKeyChecking yes', 'IdentitiesOnly yes']) {
    assert.ok(config.includes(line), `ssh_config lacks "${line}"`);
  }
  const printed = await lab(['ssh-config']);
  assert.equal(printed.stdout, config);
});

test('password and keyboard-interactive logins are refused', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  const r = await labSsh(1, 'true', {
    extra: ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive'],
  });
  assert.equal(r.code, 255);
  assert.match(r.stderr, /Permission denied \(publickey\)/);
  const sshd = await vmExec(1, '/usr/sbin/sshd -T');
  assert.equal(sshd.code, 0, sshd.stderr);
  assert.match(sshd.stdout, /^passwordauthentication no$/m);
  assert.match(sshd.stdout, /^kbdinteractiveauthentication no$/m);
  assert.match(sshd.stdout, /^pubkeyauthentication yes$/m);
});

test('each VM has its own host keys, and the lab known_hosts has them', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  const keys = await Promise.all([1, 2, 3].map(hostKey));
  assert.equal(new Set(keys).size, 3, 'host keys are shared between VMs');
  const known = readFileSync(LAB_KNOWN_HOSTS, 'utf8');
  keys.forEach((key, i) => assert.ok(known.includes(`${vmIp(i + 1)} ${key}`), `known_hosts lacks vm${i + 1}'s key`));
});

test('a fresh VM: Debian 12, azureuser, apt and pip pointed at the lab, no python3/pip/psql, no route out', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  await resetVm(1);
  const r = await vmExec(1, '. /etc/os-release; echo "$ID $VERSION_ID"; for c in python3 pip3 psql curl; do command -v $c || echo "no $c"; done; ip -4 route');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `debian 12\nno python3\nno pip3\nno psql\nno curl\n10.231.0.0/24 dev eth0 proto kernel scope link src ${vmIp(1)} \n`);
  assert.deepEqual(await vmFileStat(1, '/etc/sudoers.d/90-cloud-init-users'), { mode: 0o440, uid: 0, user: 'root' });
  assert.deepEqual(await vmFileStat(1, '/home/azureuser/.ssh/authorized_keys'), { mode: 0o600, uid: 1000, user: 'azureuser' });
  assert.equal(await vmFileStat(1, '/nonexistent'), null);
  assert.match(await vmReadFile(1, '/etc/pip.conf'), /index-url = http:\/\/10\.231\.0\.1:3141\/simple/);
  assert.match(await vmReadFile(1, '/etc/apt/apt.conf.d/01prov-lab-proxy'), /Proxy "http:\/\/10\.231\.0\.1:3142"/);
  const sources = await vmReadFile(1, '/etc/apt/sources.list.d/debian.sources');
  assert.match(sources, /bookworm bookworm-updates/);
  assert.match(sources, /bookworm-security/);
  const who = await vmExec(1, 'id -un; pwd; sudo -n id -u', { user: 'azureuser' });
  assert.equal(who.stdout, 'azureuser\n/home/azureuser\n0\n');
});

test('from the bridge, a VM reaches only the apt proxy and the pip index on the host', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  const server = createServer((s) => s.end('hello\n'));
  await new Promise<void>((resolve) => server.listen(39_871, '10.231.0.1', resolve));
  try {
    const probe = (port: number) => vmExec(2, `timeout 3 bash -c 'exec 3<>/dev/tcp/10.231.0.1/${port}' && echo open || echo closed`);
    assert.equal((await probe(39_871)).stdout, 'closed\n');
    assert.equal((await probe(3142)).stdout, 'open\n');
    assert.equal((await probe(3141)).stdout, 'open\n');
    const fromHost = await run('bash', ['-c', 'exec 3<>/dev/tcp/10.231.0.1/39871 && head -1 <&3'], { timeoutMs: 5000 });
    assert.equal(fromHost.stdout, 'hello\n');
  } finally {
    server.close();
  }
});

test('apt-get inside a VM installs from Debian through the lab proxy', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  await resetVm(2);
  const r = await vmExec(
    2,
    'export DEBIAN_FRONTEND=noninteractive; apt-get update -q >/dev/null && ' +
      'apt-get install -y -q --no-install-recommends python3-minimal >/dev/null && python3 -c "print(6*7)"',
    { timeoutMs: 180_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '42\n');
  await resetVm(2);
  assert.notEqual((await vmExec(2, 'command -v python3')).code, 0, 'reset did not drop the installed package');
});

test('the apt proxy serves Debian only; the pip index answers on the bridge', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(1);
  const other = await httpGet({ host: '10.231.0.1', port: 3142, path: 'http://prov-lab.invalid/x', headers: { Host: 'prov-lab.invalid' } });
  assert.equal(other.status, 403);
  const index = await httpGet({ host: '10.231.0.1', port: 3141, path: '/simple/' });
  assert.equal(index.status, 200);
  for (const name of ['mlflow', 'mlflow-skinny', 'psycopg2-binary', 'flask-wtf', 'azure-storage-blob', 'azure-identity', 'uv']) {
    assert.match(index.body, new RegExp(`href="${name}/"`), `the wheelhouse serves ${name}`);
  }
});

test('the wheelhouse: the real MLflow wheels at both pinned versions; a second up downloads nothing', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(1);
  const mlflow = await httpGet({ host: '10.231.0.1', port: 3141, path: '/simple/mlflow/' });
  for (const v of [DEFAULT_MLFLOW_VERSION, UPGRADE_TESTED_FROM]) {
    assert.match(mlflow.body, new RegExp(`mlflow-${v.replace(/\./g, '\\.')}-py3-none-any\\.whl#sha256=[0-9a-f]{64}`), `mlflow ${v}`);
  }
  const wheel = /href="\.\.\/\.\.\/(wheels\/[^"#]+)#sha256=([0-9a-f]{64})"/.exec(mlflow.body)!;
  const got = await run('python3', [
    '-c',
    `import hashlib,urllib.request as u; print(hashlib.sha256(u.urlopen("http://10.231.0.1:3141/${wheel[1]}").read()).hexdigest())`,
  ]);
  assert.equal(got.stdout.trim(), wheel[2], 'the wheel is the one the index names');
  const again = await lab(['up']);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout + again.stderr, /wheelhouse: (filling|pip download)|Downloading/, 'nothing downloaded');
});

test('a nohup process belongs to its VM (own PID namespace) and dies with it', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  const started = await labSsh(2, 'cd ~; nohup sleep 4242 </dev/null >/dev/null 2>&1 & (sleep 0.2 &); echo started');
  assert.equal(started.code, 0, started.stderr);
  await new Promise((r) => setTimeout(r, 1000));
  const procs = await vmProcesses(2);
  const sleeper = procs.find((p) => p.cmdline === 'sleep 4242');
  assert.ok(sleeper, `no nohup'd process in vm2: ${JSON.stringify(procs)}`);
  assert.equal(sleeper.user, 'azureuser');
  assert.equal(procs.find((p) => p.pid === 1)?.cmdline, '/bin/bash /run/prov-init');
  assert.ok(procs.length < 15, `vm2 sees processes that are not its own: ${JSON.stringify(procs)}`);
  assert.ok(!(await vmProcesses(1)).some((p) => p.cmdline === 'sleep 4242'), 'vm1 sees a process of vm2');
  const zombies = await vmExec(2, "ps -eo stat= | grep -c '^Z' || true");
  assert.equal(zombies.stdout.trim(), '0', 'orphans are not reaped');

  const onHost = hostPidsInVm(2).filter((pid) => hostCmdline(pid) === 'sleep 4242');
  assert.equal(onHost.length, 1);
  await resetVm(2);
  assert.equal(hostCmdline(onHost[0]!), null, 'the process outlived its VM');
});

test('Postgres: TLS + scram from the VMs only, with Azure refusal texts; db-block / db-allow', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  const db = labDbEnv();
  assert.deepEqual([db.host, db.port, db.user, db.db], ['10.231.0.2', 5432, 'mlflow', 'mlflow']);
  for (const c of ['@', ':', '/', '#', '?', '%']) assert.ok(db.password.includes(c), `password lacks ${c}`);
  const envOut = await lab(['env']);
  assert.match(envOut.stdout, /^POSTGRES_PASSWORD='.+'$/m);

  assert.equal((await labPsql("select current_setting('ssl'), current_setting('password_encryption');")).trim(), 'on|scram-sha-256');
  assert.equal((await labPsql("select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = 'mlflow';")).trim(), 't');

  // From the root namespace (the "laptop"): refused even with TLS, as Azure's firewall would.
  const client = new pg.Client({ ...db, database: db.db, ssl: { rejectUnauthorized: false }, connectionTimeoutMillis: 5000 });
  await assert.rejects(client.connect(), /no pg_hba\.conf entry for host "10\.231\.0\.1", user "mlflow", database "mlflow", SSL encryption/);
  await client.end().catch(() => {});

  const ok = await psqlFromVm(1, 'sslmode=require', 'select ssl from pg_stat_ssl where pid = pg_backend_pid()');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 't\n');
  const plain = await psqlFromVm(1, 'sslmode=disable');
  assert.match(plain.stderr, /no pg_hba\.conf entry for host "10\.231\.0\.11", user "mlflow", database "mlflow", no encryption/);
  const wrong = await psqlFromVm(1, 'sslmode=require', 'select 1', 'not-the-password');
  assert.match(wrong.stderr, /password authentication failed for user "mlflow"/);

  try {
    await dbBlock(1);
    const blocked = await psqlFromVm(1, 'sslmode=require');
    assert.match(blocked.stderr, /no pg_hba\.conf entry for host "10\.231\.0\.11", user "mlflow", database "mlflow", SSL encryption/);
    assert.equal((await psqlFromVm(2, 'sslmode=require')).stdout, '1\n', 'blocking vm1 blocked vm2');

    await dbBlock(1, 'drop');
    const dropped = await psqlFromVm(1, 'sslmode=require');
    assert.notEqual(dropped.code, 0);
    assert.match(dropped.stderr, /timeout expired/);
  } finally {
    await dbAllow(1);
  }
  assert.equal((await psqlFromVm(1, 'sslmode=require')).stdout, '1\n');
});

test('snapshot / restore: disk as saved, processes gone, host keys from the snapshot; any VM can restore it', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  const name = `labtest-${process.pid}`;
  await resetVm(2);
  await vmExec(2, 'echo kept > /home/azureuser/before.txt');
  const keyAtSnapshot = await hostKey(2);
  await snapshotVm(2, name);
  assert.ok(hasSnapshot(name));
  assert.match((await lab(['snapshots'])).stdout, new RegExp(`^${name} `, 'm'));

  await vmExec(2, 'echo lost > /home/azureuser/after.txt');
  await labSsh(2, 'cd ~; nohup sleep 4343 </dev/null >/dev/null 2>&1 &');
  await restoreVm(2, name);
  assert.equal(await vmReadFile(2, '/home/azureuser/before.txt'), 'kept\n');
  assert.equal(await vmFileStat(2, '/home/azureuser/after.txt'), null);
  assert.ok(!(await vmProcesses(2)).some((p) => p.cmdline === 'sleep 4343'), 'a process survived the restore');
  assert.equal(await hostKey(2), keyAtSnapshot);
  assert.equal((await labSsh(2, 'cat before.txt')).stdout, 'kept\n');

  await restoreVm(1, name);
  assert.equal(await vmReadFile(1, '/home/azureuser/before.txt'), 'kept\n');
  assert.equal(await hostKey(1), keyAtSnapshot);
  const ssh1 = await labSsh(1, 'hostname; cat before.txt');
  assert.equal(ssh1.code, 0, ssh1.stderr);
  assert.equal(ssh1.stdout, 'prov-vm1\nkept\n');

  await assert.rejects(removeSnapshot(name), /in use by: vm1 vm2/);
  await resetVm(1);
  await resetVm(2);
  await removeSnapshot(name);
  assert.ok(!hasSnapshot(name));
});

test('reset: fresh disk, new host keys, known_hosts follows', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  await vmExec(1, 'touch /root/marker');
  const before = await hostKey(1);
  await resetVm(1);
  assert.equal(await vmFileStat(1, '/root/marker'), null);
  assert.notEqual(await hostKey(1), before);
  const r = await labSsh(1, 'true');
  assert.equal(r.code, 0, r.stderr);
});

test('up repairs a VM that was killed without down (stale mount and namespace)', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(3);
  for (const f of ['vm1.init', 'vm1.unshare']) {
    process.kill(Number(readFileSync(`${LAB_STATE}/pids/${f}`, 'utf8').split(' ')[0]), 'SIGKILL');
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.match((await lab(['status'])).stdout, /^vm1\s+\S+\s+stopped/m);
  assert.match(readFileSync('/proc/mounts', 'utf8'), /\/var\/lib\/prov-lab\/vms\/vm1\/root /);
  await lab(['up', '3']);
  assert.match((await lab(['status'])).stdout, /^vm1\s+\S+\s+running/m);
  const r = await labSsh(1, 'hostname');
  assert.equal(r.stdout, 'prov-vm1\n', r.stderr);
  assert.equal(
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes('/vms/vm1/root ')).length,
    1,
  );
});

test('up refuses to start when something else routes the lab subnet', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(1);
  await run('ip', ['link', 'del', 'provtst0'], { timeoutMs: 5000 });
  const add = await run(
    'bash',
    [
      '-c',
      'ip link add provtst0 type veth peer name provtst1 && ip link set provtst0 up && ip link set provtst1 up && ip route add 10.231.0.128/25 dev provtst0',
    ],
    { timeoutMs: 5000 },
  );
  try {
    assert.equal(add.code, 0, add.stderr);
    const r = await run('bash', ['scripts/lab.sh', 'up', '1'], { timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing to start: 10\.231\.0\.0\/24 is already in use .*provtst0/);
  } finally {
    await run('ip', ['link', 'del', 'provtst0'], { timeoutMs: 5000 });
  }
});

test('down leaves no process, mount or namespace of the lab; up brings it back', async (t) => {
  if (!requireLab(t)) return;
  // `down` stops the lab under anyone else using it on this machine: CI runs it, developers opt in.
  if (process.env.CI !== 'true' && process.env.LAB_TEST_DOWN !== '1') {
    t.skip('stops the shared lab: runs under CI=true or LAB_TEST_DOWN=1');
    return;
  }
  await ensureLab(3);
  const status = (await lab(['status'])).stdout;
  const running = [...status.matchAll(/^vm(\d+)\s+\S+\s+running/gm)].map((m) => Number(m[1]));
  const pidFiles = readdirSync(`${LAB_STATE}/pids`).map((f) => readFileSync(`${LAB_STATE}/pids/${f}`, 'utf8').split(' ')[0]);
  assert.ok(pidFiles.length >= 2 + 3 * 2);

  await lab(['down']);

  const netns = await run('ip', ['netns', 'list']);
  assert.doesNotMatch(netns.stdout, /prov-/);
  const mounts = readFileSync('/proc/mounts', 'utf8');
  assert.doesNotMatch(mounts, /prov-lab|\/run\/netns\/prov-/);
  for (const pid of pidFiles) assert.equal(hostCmdline(Number(pid)), null, `pid ${pid} of the lab still runs`);
  const strays = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => hostCmdline(Number(d)) ?? '')
    .filter((c) => c.includes('/var/lib/prov-lab') || c.includes('/run/prov-init'));
  assert.deepEqual(strays, []);
  assert.notEqual((await run('ip', ['link', 'show', 'provbr0'])).code, 0, 'the bridge is still there');
  assert.notEqual((await run('nft', ['list', 'table', 'inet', 'prov'])).code, 0, 'the nft table is still there');
  for (const h of ['systemd', 'unified', '']) {
    assert.ok(!existsSync(`/sys/fs/cgroup/${h}/prov-lab`.replace('//', '/')), `a cgroup of the lab is left in /sys/fs/cgroup/${h}`);
  }
  assert.match((await lab(['status'])).stdout, /^vm1\s+\S+\s+stopped/m);

  forgetLab();
  // `up N` starts vm1..vmN; the booted VMs (vm41..vm48, see lab-boot.test.ts) that ran are started one by one.
  await ensureLab(Math.max(3, ...running.filter((k) => !BOOTED_VMS.includes(k))));
  for (const k of running.filter((k) => BOOTED_VMS.includes(k))) await startVm(k);
  const r = await labSsh(1, 'sudo -n true');
  assert.equal(r.code, 0, r.stderr);
});
