// Issue 14: --tls acme (a real ACME server: the lab's pebble), internal and files, behind Caddy, on a VM that
// boots (Caddy runs as its systemd service), with the real MLflow and --auth basic. Checked from outside the
// tool: https with full verification from the lab host, the MLflow port closed, keys 0600 and in no output or
// log, no-op reruns, a new name, switching modes and back to plain HTTP, a blocked 443.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { dbEnv, newWorkdir, provision, provisionedBootedVm, statusFlags, withLabFlags, type CliRun } from './cli.js';
import { httpsToVm, httpToVm } from './http.js';
import { dbAllow, ensureLab, LAB_HOST_IP, LAB_STATE, labPsql, requireLab, run as runCmd, stopVm, vmExec, vmIp, vmProcesses } from './lab.js';

const VM = 45;
const IP = vmIp(VM);
const NAME = `vm${VM}.lab.test`;
const NAME2 = `mlflow-vm${VM}.lab.test`;
const ACME_DIR = `https://${LAB_HOST_IP}:14000/dir`;
const ACME_DIR_CA = `${LAB_STATE}/acme/dir-ca.pem`;
const AUTH_DB = 'prov_tls_auth';
const ADMIN = 'admin';
const ADMIN_PW = 'Tls-Admin-pw:/#?%42';
const workdir = newWorkdir();
const logDir = join(workdir, 'logs');

let available = true;
let pebbleRoot = '';

/** pebble-challtestsrv, the lab's DNS for pebble: NAME answers with the VM's address (add-a appends: clear first). */
async function dnsA(name: string, address: string): Promise<void> {
  const post = (path: string, body: object) =>
    fetch(`http://127.0.0.1:8055${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => assert.equal(r.status, 200, `challtestsrv ${path}`));
  await post('/clear-a', { host: `${name}.` });
  await post('/add-a', { host: `${name}.`, addresses: [address] });
}

before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(1);
  // TLS is this file's subject, not a fresh VM (supervisor.test.ts proves that): a booted VM that file provisioned.
  await provisionedBootedVm(VM, 'debian12');
  await dbAllow(VM);
  await labPsql(`DROP DATABASE IF EXISTS ${AUTH_DB} WITH (FORCE); CREATE DATABASE ${AUTH_DB} OWNER mlflow;`);
  // Pebble's issuing root is new at every pebble start: what clients trust for the certificates it issues.
  const roots = await runCmd('curl', ['-sk', '--max-time', '10', 'https://127.0.0.1:15000/roots/0']);
  pebbleRoot = roots.stdout;
  assert.match(pebbleRoot, /BEGIN CERTIFICATE/, 'the lab ACME server (pebble) is not running: npm run lab -- up');
  writeFileSync(join(workdir, 'pebble-root.pem'), pebbleRoot);
  await dnsA(NAME, IP);
  await dnsA(NAME2, IP);
});
after(async () => {
  if (!available) return;
  await stopVm(VM).catch(() => undefined);
  await labPsql(`DROP DATABASE IF EXISTS ${AUTH_DB} WITH (FORCE);`).catch(() => undefined);
});

const env = { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW };
const common = ['--auth', 'basic', '--auth-db', AUTH_DB, '--supervisor', 'systemd', '--log-dir', logDir];
const acmeFlags = (name: string) => [
  '--tls',
  'acme',
  '--public-name',
  name,
  '--acme-ca',
  ACME_DIR,
  '--acme-ca-root',
  ACME_DIR_CA,
  '--tls-ca-cert',
  join(workdir, 'pebble-root.pem'),
];
const cli = (args: string[]) => provision(withLabFlags(VM, workdir, [...common, ...args]), { workdir, env });

function ok(res: CliRun): void {
  assert.equal(res.code, 0, `exit code\n${res.stdout}\n${res.stderr}`);
}

function json(res: CliRun): { status: string; changed: string[]; url: string; tls: { mode: string; caCertPath?: string } | null } {
  return JSON.parse(
    res.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .at(-1)!,
  );
}

/** Whether a TCP connection from here to the VM's port is accepted (2 s bound). */
function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: IP, port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

/** An authenticated experiments search over https as the UI at NAME sends it, and the same without credentials. */
async function searches(servername: string, ca: string): Promise<[number, number]> {
  const req = {
    path: '/api/2.0/mlflow/experiments/search',
    method: 'POST',
    body: '{"max_results":1}',
    servername,
    ca,
    headers: { Origin: `https://${servername}` },
  };
  const withLogin = await httpsToVm(IP, { ...req, user: ADMIN, password: ADMIN_PW });
  const without = await httpsToVm(IP, req);
  return [withLogin.status, without.status];
}

/** Every private key Caddy or provision keeps on the VM: path, mode, owner, and one line of its body. */
async function vmPrivateKeys(): Promise<Array<{ path: string; mode: string; owner: string; line: string }>> {
  const out = await vmExec(
    VM,
    `for f in $(find /var/lib/caddy /etc/caddy -type f \\( -name '*.key' -o -name 'key.pem' \\) 2>/dev/null); do echo "$f $(stat -c '%a %U' "$f") $(sed -n 2p "$f")"; done`,
  );
  return out.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [path, mode, owner, line] = l.split(' ');
      return { path: path!, mode: mode!, owner: owner!, line: line ?? '' };
    });
}

/** No private key's body in what the CLI printed or in its logs. */
function assertNoKeyIn(keys: Array<{ line: string }>, ...runs: CliRun[]): void {
  const logs = readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(join(logDir, f), 'utf8'));
  for (const k of keys) {
    assert.ok(k.line.length >= 16, 'a key line to look for');
    for (const r of runs) assert.ok(!(r.stdout + r.stderr).includes(k.line), 'a private key in the output');
    assert.ok(!logs.some((l) => l.includes(k.line)), 'a private key in a log');
  }
}

/**
 * Issue 22: what a local user without sudo can do to the proxy. A fresh user `mallory` asks Caddy's admin API
 * (its default 127.0.0.1:2019 and ::1, a GET and the POST /load that re-routes it) and reads every private key
 * Caddy or provision keeps; Caddy listens on nothing but 80 and 443 (no admin port, no admin socket).
 */
async function assertLocalUserLockedOut(vm: number): Promise<void> {
  const probe = `id mallory >/dev/null 2>&1 || useradd -m mallory
runuser -u mallory -- python3 - <<'PY'
import urllib.request
for url, data in [('http://127.0.0.1:2019/config/', None), ('http://[::1]:2019/config/', None), ('http://127.0.0.1:2019/load', b'{}')]:
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=data, headers={'Content-Type': 'application/json'}), timeout=3)
        print('admin answered', url)
    except urllib.error.HTTPError as e:
        print('admin answered', url, e.code)
    except Exception:
        pass
PY
for f in $(find /var/lib/caddy /etc/caddy -type f \\( -name '*.key' -o -name 'key.pem' \\) 2>/dev/null); do runuser -u mallory -- cat "$f" >/dev/null 2>&1 && echo "mallory read $f"; done
ss -Hltnp | grep '"caddy"' | awk '{print $4}' | grep -Ev ':(80|443)$' | sed 's/^/caddy listens on /'
ss -Hlxp | grep '"caddy"' | sed 's/^/caddy socket /'
echo checked`;
  const out = await vmExec(vm, probe);
  assert.equal(out.stdout.trim(), 'checked', `a local user reaches Caddy's admin API or a key:\n${out.stdout}${out.stderr}`);
}

async function mlflowServers(): Promise<number> {
  return (await vmProcesses(VM)).filter((p) => /\/mlflow-venv\/bin\/mlflow server\b/.test(p.cmdline)).length;
}

test('--tls acme against the lab ACME server: https verified from here, login over https, MLflow port closed, keys 0600 and never printed, HSTS and the redirect, status with the expiry, a no-op rerun', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const first = await cli([...acmeFlags(NAME), '--json']);
  ok(first);
  const result = json(first);
  assert.deepEqual([result.status, result.url, result.tls?.mode], ['ok', `https://${NAME}`, 'acme']);
  assert.ok(result.changed.includes('proxy'), result.changed.join(','));
  const waited = /serving https:\/\/\S+, certificate by .* after ([\d.]+) s/.exec(first.stderr + first.stdout)?.[1];
  t.diagnostic(`acme: first provision ${(first.wallMs / 1000).toFixed(1)} s; first certificate served ${waited ?? '?'} s after Caddy loaded its configuration`);

  const health = await httpsToVm(IP, { path: '/health', servername: NAME, ca: pebbleRoot });
  assert.equal(health.status, 200);
  assert.match(health.cert.names, new RegExp(`DNS:${NAME.replace(/\./g, '\\.')}`));
  assert.match(health.cert.issuer, /Pebble/);
  assert.equal(health.headers['strict-transport-security'], 'max-age=31536000');
  assert.deepEqual(await searches(NAME, pebbleRoot), [200, 401]);
  // Verification is real: the same request trusting another CA fails.
  await assert.rejects(httpsToVm(IP, { path: '/health', servername: NAME, ca: readFileSync(ACME_DIR_CA, 'utf8') }));
  const redirect = await httpToVm(IP, { path: '/health?x=1', port: 80, host: NAME });
  assert.deepEqual([redirect.status, redirect.headers.location], [308, `https://${NAME}/health?x=1`]);
  assert.equal(await tcpOpen(5000), false, 'the MLflow port answers from outside the VM');
  assert.match((await vmExec(VM, 'cat /home/azureuser/start-mlflow-server.sh')).stdout, /--host 127\.0\.0\.1/);

  const keys = await vmPrivateKeys();
  assert.ok(
    keys.some((k) => k.path.includes('/certificates/')),
    `Caddy's certificate key: ${keys.map((k) => k.path).join(', ')}`,
  );
  for (const k of keys) assert.deepEqual([k.mode, k.owner], ['600', 'caddy'], k.path);
  await assertLocalUserLockedOut(VM);

  const status = await provision(['status', ...statusFlags(VM, workdir), '--tls-ca-cert', join(workdir, 'pebble-root.pem'), '--json'], { workdir });
  assert.equal(status.code, 0, status.stdout + status.stderr);
  const report = JSON.parse(status.stdout.trim().split('\n').at(-1)!) as { healthy: boolean; url: string; tls: { verified: boolean; validTo: string } };
  assert.deepEqual([report.healthy, report.url, report.tls.verified], [true, `https://${NAME}`, true]);
  assert.ok(new Date(report.tls.validTo).getTime() > Date.now() + 86400_000, report.tls.validTo);
  const statusText = await provision(['status', ...statusFlags(VM, workdir), '--tls-ca-cert', join(workdir, 'pebble-root.pem')], { workdir });
  assert.match(statusText.stdout, /https +Caddy \(--tls acme\) for vm45\.lab\.test: certificate valid until \d{4}-\d\d-\d\d.*verified/);

  const again = await cli([...acmeFlags(NAME), '--json']);
  ok(again);
  assert.deepEqual(json(again).changed, []);
  t.diagnostic(`acme: no-op rerun ${(again.wallMs / 1000).toFixed(2)} s`);
  assertNoKeyIn(keys, first, again, status, statusText);
});

test('--tls acme with a new --public-name: a certificate this machine does not trust is said at once; then the new name, the old one no longer served', async (t: TestContext) => {
  if (!requireLab(t)) return;
  // Issue 22: --tls-ca-cert names another CA than pebble's: the served certificate is named at once, no 120 s wait.
  const wrong = await cli([...acmeFlags(NAME2).slice(0, -1), ACME_DIR_CA]);
  assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
  assert.match(
    wrong.stdout + wrong.stderr,
    new RegExp(
      `The certificate Caddy serves for ${NAME2.replace(/\./g, '\\.')} is issued by "Pebble[^"]*", which the CA in --tls-ca-cert \\S+ does not vouch for \\([A-Z_]+\\): if that is the CA you meant .*pass its root certificate with --tls-ca-cert FILE`,
    ),
  );
  assert.doesNotMatch(wrong.stdout + wrong.stderr, /within 120 s|network security group/);
  const log = readFileSync(join(logDir, `${IP}.log`), 'utf8')
    .trim()
    .split('\n');
  const serverDone = log.find((l) => / == server: /.test(l))?.split(' ')[0] ?? '';
  const proxySeconds = (Date.parse(log.at(-1)!.split(' ')[0]!) - Date.parse(serverDone)) / 1000;
  t.diagnostic(`an untrusted certificate: exit 1 after ${(wrong.wallMs / 1000).toFixed(1)} s, the proxy step's part ${proxySeconds.toFixed(1)} s`);
  const res = await cli([...acmeFlags(NAME2), '--json']);
  ok(res);
  assert.equal(json(res).url, `https://${NAME2}`);
  const health = await httpsToVm(IP, { path: '/health', servername: NAME2, ca: pebbleRoot });
  assert.equal(health.status, 200);
  assert.match(health.cert.names, new RegExp(`DNS:${NAME2.replace(/\./g, '\\.')}`));
  assert.deepEqual(await searches(NAME2, pebbleRoot), [200, 401]);
  await assert.rejects(httpsToVm(IP, { path: '/health', servername: NAME, ca: pebbleRoot }), 'the old name is still served');
});

test('--tls internal: the VM CA root is saved here and verifies; a no-op rerun; a blocked 443 is named in one warning', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const res = await cli(['--tls', 'internal', '--json']);
  ok(res);
  const result = json(res);
  assert.equal(result.url, `https://${IP}`);
  const caPath = result.tls?.caCertPath;
  assert.ok(caPath, 'the CA root path in --json');
  const ca = readFileSync(caPath, 'utf8');
  assert.match(ca, /BEGIN CERTIFICATE/);
  // The file is the VM's own root (what Caddy keeps), and it verifies the server from here.
  assert.equal(ca.trim(), (await vmExec(VM, 'cat /var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt')).stdout.trim());
  const health = await httpsToVm(IP, { path: '/health', servername: IP, ca });
  assert.equal(health.status, 200);
  assert.match(health.cert.names, new RegExp(`IP Address:${IP.replace(/\./g, '\\.')}`));
  assert.deepEqual(await searches(IP, ca), [200, 401]);
  assert.equal(await tcpOpen(5000), false);
  await assertLocalUserLockedOut(VM);
  const text = await cli(['--tls', 'internal']);
  ok(text);
  assert.match(text.stdout, new RegExp(`MLFLOW_TRACKING_SERVER_CERT_PATH=${caPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(text.stdout, /HTTPS proxy \(Caddy\): unchanged/);

  // An NSG that blocks 443: the server is healthy on the VM, the warning names the port.
  execFileSync('ip', ['netns', 'exec', `prov-vm${VM}`, 'nft', '-f', '-'], {
    input: 'table inet provtest {\n  chain input {\n    type filter hook input priority 0;\n    iifname "eth0" tcp dport 443 drop\n  }\n}\n',
  });
  try {
    const blocked = await cli(['--tls', 'internal']);
    ok(blocked);
    assert.match(blocked.stdout, /https:\/\/10\.231\.0\.55\/ does not answer from this machine: open TCP port 443 \(and 80 for the redirect\)/);
  } finally {
    execFileSync('ip', ['netns', 'exec', `prov-vm${VM}`, 'nft', 'delete', 'table', 'inet', 'provtest']);
  }
});

test('--tls files: the user certificate and key (0600, Caddy only, never printed), verified with its CA; a no-op rerun', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const dir = join(workdir, 'own-ca');
  execFileSync('bash', [
    '-c',
    `set -e; mkdir -p ${dir}; cd ${dir}
     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=provision test CA" -keyout ca.key -out ca.pem 2>/dev/null
     openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${NAME}" -keyout key.pem -out req.csr 2>/dev/null
     openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 20 -extfile <(printf 'subjectAltName=DNS:${NAME}\\n') -out cert.pem 2>/dev/null`,
  ]);
  const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const flags = [
    '--tls',
    'files',
    '--public-name',
    NAME,
    '--tls-cert',
    join(dir, 'cert.pem'),
    '--tls-key',
    join(dir, 'key.pem'),
    '--tls-ca-cert',
    join(dir, 'ca.pem'),
  ];
  const res = await cli(flags);
  ok(res);
  const health = await httpsToVm(IP, { path: '/health', servername: NAME, ca });
  assert.deepEqual([health.status, health.cert.issuer], [200, 'provision test CA']);
  assert.deepEqual(await searches(NAME, ca), [200, 401]);
  assert.equal(
    (
      await vmExec(VM, 'stat -c "%a %U" /etc/caddy/provision/key.pem; cmp /etc/caddy/provision/key.pem -', {
        input: readFileSync(join(dir, 'key.pem'), 'utf8'),
      })
    ).stdout.trim(),
    '600 caddy',
  );
  assert.equal((await vmExec(VM, 'ls -a /home/azureuser | grep -c provision-caddy; true')).stdout.trim(), '0', 'an upload left in the home');
  await assertLocalUserLockedOut(VM);
  const again = await cli([...flags, '--json']);
  ok(again);
  assert.deepEqual(json(again).changed, []);
  const ownKey = readFileSync(join(dir, 'key.pem'), 'utf8').split('\n')[1]!;
  assertNoKeyIn([...(await vmPrivateKeys()), { line: ownKey }], res, again);
});

test('without --tls again: plain HTTP on the MLflow port, Caddy stopped and disabled, no key or configuration of ours left, one server', async (t: TestContext) => {
  if (!requireLab(t)) return;
  // Issue 22: a key upload a Ctrl-C left in the home, and Caddy's own keys (internal CA, ACME account, certificates).
  await vmExec(VM, 'umask 077; echo key > /home/azureuser/.provision-caddy-key.pem', { user: 'azureuser' });
  assert.ok(
    (await vmPrivateKeys()).some((k) => k.path.includes('/pki/authorities/local/')),
    "Caddy's internal CA keys before",
  );
  const res = await cli(['--json']);
  ok(res);
  assert.deepEqual([json(res).url, json(res).tls], [`http://${IP}:5000`, null]);
  assert.match(
    res.stdout + res.stderr,
    /Caddy is stopped and disabled; \/etc\/caddy\/Caddyfile, \/etc\/caddy\/provision \(our certificate and key\) and Caddy's state \(\/var\/lib\/caddy\/\.local\/share\/caddy: certificates and their keys, the internal CA, ACME accounts\) are removed; the caddy package stays installed/,
  );
  assert.deepEqual(await vmPrivateKeys(), []);
  assert.equal(
    (
      await vmExec(
        VM,
        'ls -A /home/azureuser | grep provision-caddy; ls -A /var/lib/caddy/.local/share /var/lib/caddy/.config; dpkg -s caddy | grep -c "ok installed"',
      )
    ).stdout,
    '/var/lib/caddy/.config:\n\n/var/lib/caddy/.local/share:\n1\n',
    "what stays: the caddy package and its user's empty folders",
  );
  assert.equal((await httpToVm(IP, { path: '/health' })).status, 200);
  assert.equal(await tcpOpen(443), false, '443 still answers');
  assert.equal((await vmExec(VM, 'systemctl is-active caddy; systemctl is-enabled caddy; true')).stdout.trim(), 'inactive\ndisabled');
  assert.equal((await vmExec(VM, 'test -e /etc/caddy/provision && echo left; grep -c "Managed by provision" /etc/caddy/Caddyfile; true')).stdout.trim(), '0');
  assert.equal(await mlflowServers(), 1);
  const again = await cli(['--json']);
  assert.deepEqual(json(again).changed, []);
});

test('--tls refused before anything changes: acme without a DNS name (exit 2), a VM without systemd (exit 1)', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const usage = await provision(withLabFlags(VM, workdir, ['--tls', 'acme']), { workdir, env: dbEnv() });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--tls acme needs --public-name: the DNS name that points at the VM's public address/);
  const k = 1; // vm1: bash as PID 1, no systemd
  const noSystemd = await provision(withLabFlags(k, workdir, ['--tls', 'internal']), { workdir });
  assert.equal(noSystemd.code, 1, noSystemd.stdout + noSystemd.stderr);
  assert.match(noSystemd.stdout + noSystemd.stderr, /--tls needs systemd on 10\.231\.0\.11 \(Caddy runs as its caddy\.service\), and this VM does not run it/);
});

test('Debian 13: --tls acme, verified over https from here, a no-op rerun, no local user reaches the admin API or a key; remove takes Caddy state and a stray key upload', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const vm = 46;
  const ip = vmIp(vm);
  const name = `vm${vm}.lab.test`;
  t.diagnostic(`vm${vm}: ${await provisionedBootedVm(vm, 'debian13')} booted VM`);
  await dbAllow(vm);
  await dnsA(name, ip);
  const dir = newWorkdir();
  const run = (args: string[]) => provision(withLabFlags(vm, dir, ['--log-dir', join(dir, 'logs'), ...args]), { workdir: dir });
  try {
    const first = await run([...acmeFlags(name), '--json']);
    ok(first);
    t.diagnostic(`debian13 acme: first provision ${(first.wallMs / 1000).toFixed(1)} s`);
    const health = await httpsToVm(ip, { path: '/health', servername: name, ca: pebbleRoot });
    assert.deepEqual([health.status, health.headers['strict-transport-security']], [200, 'max-age=31536000']);
    assert.match((await vmExec(vm, 'caddy version')).stdout, /^v?2\.\d+\.\d+/, "Debian 13's caddy");
    const again = await run([...acmeFlags(name), '--json']);
    ok(again);
    assert.deepEqual(json(again).changed, []);
    await assertLocalUserLockedOut(vm);

    // Issue 22: remove takes Caddy's state (ACME account and certificate keys) and a key upload a Ctrl-C left.
    await vmExec(vm, 'umask 077; echo key > /home/azureuser/.provision-caddy-key.pem', { user: 'azureuser' });
    const removed = await provision(['remove', ...statusFlags(vm, dir)], { workdir: dir });
    assert.equal(removed.code, 0, removed.stdout + removed.stderr);
    assert.match(removed.stdout, /removed: .*\/etc\/caddy\/provision, \/var\/lib\/caddy\/\.local\/share\/caddy, \/var\/lib\/caddy\/\.config\/caddy/);
    assert.match(removed.stdout, /kept: .*the apt packages \(python3, postgresql-client, caddy\)/);
    const left = await vmExec(
      vm,
      'find /var/lib/caddy/.local/share /var/lib/caddy/.config /etc/caddy -mindepth 1; ls -A /home/azureuser | grep provision-caddy; true',
    );
    assert.equal(left.stdout.trim(), '/etc/caddy/Caddyfile', "Caddy's state or a key left after remove");
  } finally {
    await stopVm(vm).catch(() => undefined);
  }
});
