// --tls: its options, the Caddyfile, the desired state, the proxy plan and the certificate verdicts, pure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { desiredState, type DesiredInput } from '../../src/plan/desired.js';
import { parseFacts, type Facts } from '../../src/plan/facts.js';
import { caddySite } from '../../src/plan/probe/status.js';
import { planProxy, proxyProblem } from '../../src/plan/proxy-plan.js';
import { archiveHasCaddy, installCaddyCommands } from '../../src/plan/proxy-commands.js';
import { renderCaddyfile } from '../../src/render/caddyfile.js';
import { UsageError } from '../../src/util/errors.js';
import { maskSecrets, Secret } from '../../src/util/secret.js';
import { judgeCertificate } from '../../src/verdicts/status.js';
import { judgeVerify, type VerifyAnswers } from '../../src/verdicts/verify.js';

const fresh = parseFacts(readFileSync(new URL('../../fixtures/probe/fresh-debian12.txt', import.meta.url), 'utf8'));
const booted: Facts = { ...fresh, supervisor: { systemd: true } };

/** A CA, and a certificate with its key for `name`, made by openssl in a temporary folder. */
function certificates(name: string, days = 20): { dir: string; cert: string; key: string; otherKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'prov-tls-'));
  execFileSync('bash', [
    '-c',
    `set -e; cd ${dir}
     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=unit CA" -keyout ca.key -out ca.pem 2>/dev/null
     openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${name}" -keyout key.pem -out req.csr 2>/dev/null
     openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days ${days} -extfile <(printf 'subjectAltName=DNS:${name}\\n') -out cert.pem 2>/dev/null
     openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out other.pem 2>/dev/null`,
  ]);
  return { dir, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), otherKey: join(dir, 'other.pem') };
}

function config(argv: Record<string, unknown>) {
  return buildCommandConfig(
    'provision',
    readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', ...argv }, { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: 'pw-tls-test' }),
  );
}

function input(argv: Record<string, unknown>, facts = booted): DesiredInput {
  const c = config(argv);
  return { config: c, target: c.targets[0]!, server: c.server, facts, newFlaskKey: () => new Secret('ab'.repeat(32)), newSalt: () => 'cd'.repeat(16) };
}

const usage = (argv: Record<string, unknown>, message: RegExp) =>
  assert.throws(
    () => config(argv),
    (e: unknown) => e instanceof UsageError && message.test(e.message),
  );

test('--tls options: each refusal is one sentence, before anything runs', () => {
  usage({ tls: 'acme' }, /--tls acme needs --public-name: the DNS name that points at the VM's public address/);
  usage({ tls: 'acme', 'public-name': ['20.1.2.3'] }, /--tls acme needs DNS names, and --public-name 20\.1\.2\.3 is an address/);
  usage({ tls: 'acme', 'public-name': ['a.example'], 'acme-ca': 'http://ca.example/dir' }, /--acme-ca must be the https:\/\/ URL of an ACME directory/);
  usage({ tls: 'acme', 'public-name': ['a.example'], 'acme-ca-root': '/x.pem' }, /--acme-ca-root goes with --acme-ca/);
  usage({ tls: 'internal', 'tls-cert': '/x.pem' }, /--tls-cert goes with --tls files, not --tls internal/);
  usage({ 'acme-ca': 'https://ca.example/dir' }, /--acme-ca goes with --tls: add --tls acme, internal or files/);
  usage({ tls: 'https' }, /--tls must be one of none, acme, internal, files/);
  usage({ tls: 'internal', 'mlflow-port': 443 }, /--mlflow-port 443 is the proxy's with --tls/);
  usage({ tls: 'files' }, /--tls files needs --tls-cert FILE .* and --tls-key FILE/);
  const own = certificates('mlflow.example.com');
  usage({ tls: 'files', 'tls-cert': own.cert, 'tls-key': own.otherKey }, /does not belong to the first certificate/);
  usage({ tls: 'files', 'tls-cert': own.cert, 'tls-key': own.key, 'public-name': ['other.example.com'] }, /does not cover --public-name other\.example\.com/);
  usage({ tls: 'files', 'tls-cert': own.cert, 'tls-key': own.key }, /does not cover 10\.0\.0\.4 \(it is for DNS:mlflow\.example\.com\): pass --public-name/);
  usage({ tls: 'files', 'tls-cert': own.key, 'tls-key': own.key, 'public-name': ['mlflow.example.com'] }, /holds a private key: pass it with --tls-key/);
  const c = config({ tls: 'files', 'tls-cert': own.cert, 'tls-key': own.key, 'public-name': ['mlflow.example.com'] });
  assert.equal(c.tls?.mode, 'files');
  // The key is a secret: whole, and each of its lines, masked wherever it would be printed.
  const keyLine = readFileSync(own.key, 'utf8').split('\n')[1]!;
  assert.equal(String(c.tls?.files?.key), '***');
  assert.equal(maskSecrets(`oops ${keyLine}`), 'oops ***');
});

test('the Caddyfile: acme with another directory and its root, internal for a name and an address, files; HSTS and the upstream on loopback', () => {
  const acme = renderCaddyfile({
    mode: 'acme',
    names: ['a.example'],
    upstreamPort: 5000,
    acme: { directory: 'https://ca.lab/dir', directoryRoot: true, email: 'ops@example.com' },
  });
  assert.equal(
    acme,
    [
      '# Managed by provision (--tls acme); a rerun rewrites it. See docs/tls.md.',
      '{',
      '\tadmin off',
      '\tacme_ca https://ca.lab/dir',
      '\tacme_ca_root /etc/caddy/provision/acme-ca.pem',
      '\temail ops@example.com',
      '}',
      '',
      'a.example {',
      '\theader Strict-Transport-Security "max-age=31536000"',
      '\treverse_proxy 127.0.0.1:5000 {',
      '\t\ttransport http {',
      '\t\t\tkeepalive 1s',
      '\t\t}',
      '\t}',
      '}',
      '',
    ].join('\n'),
  );
  const internal = renderCaddyfile({ mode: 'internal', names: ['a.example', '10.0.0.4'], upstreamPort: 5001 });
  assert.match(internal, /\tskip_install_trust\n\tdefault_sni 10\.0\.0\.4\n/);
  assert.match(internal, /^a\.example, 10\.0\.0\.4 \{\n\ttls internal\n/m);
  assert.match(internal, /reverse_proxy 127\.0\.0\.1:5001/);
  const files = renderCaddyfile({ mode: 'files', names: ['a.example'], upstreamPort: 5000 });
  assert.match(
    files,
    /^# Managed by provision \(--tls files\).*\n\{\n\tadmin off\n\}\n\na\.example \{\n\ttls \/etc\/caddy\/provision\/cert\.pem \/etc\/caddy\/provision\/key\.pem\n/,
  );
  assert.deepEqual(caddySite(internal.split('\n')), { mode: 'internal', names: ['a.example', '10.0.0.4'] });
  assert.deepEqual(caddySite(acme.split('\n')), { mode: 'acme', names: ['a.example'] });
});

test('desired state with --tls: MLflow on 127.0.0.1, https origins, the names per mode, the key 0600 for caddy', () => {
  const acme = desiredState(input({ tls: 'acme', 'public-name': ['mlflow.example.com'] }));
  assert.match(acme.launcher, /--host 127\.0\.0\.1/);
  assert.match(acme.launcher, /--cors-allowed-origins https:\/\/mlflow\.example\.com\s/);
  assert.match(acme.launcher, /--allowed-hosts [^\n]*mlflow\.example\.com,/);
  assert.deepEqual(acme.proxy?.names, ['mlflow.example.com']);
  assert.deepEqual(acme.proxy?.files, []);
  const internal = desiredState(input({ tls: 'internal' }));
  assert.deepEqual(internal.proxy?.names, ['10.0.0.4']);
  assert.match(internal.launcher, /--cors-allowed-origins https:\/\/10\.0\.0\.4\s/);
  const own = certificates('mlflow.example.com');
  const files = desiredState(input({ tls: 'files', 'tls-cert': own.cert, 'tls-key': own.key, 'public-name': ['mlflow.example.com'] }));
  assert.deepEqual(
    files.proxy?.files.map((f) => [f.path, f.mode.toString(8), f.owner]),
    [
      ['/etc/caddy/provision/cert.pem', '644', 'root'],
      ['/etc/caddy/provision/key.pem', '600', 'caddy'],
    ],
  );
  const plain = desiredState(input({}));
  assert.match(plain.launcher, /--host 0\.0\.0\.0/);
  assert.equal(plain.proxy, undefined);
});

/** The probe's proxy lines for a VM where everything of `desired` is in place. */
function provisioned(d: ReturnType<typeof desiredState>, over: Partial<Facts['proxy']> = {}): Facts {
  const files: Facts['proxy']['files'] = {};
  for (const f of d.proxy!.files) {
    files[f.path.split('/').pop()!] = { sha256: typeof f.content === 'string' ? sha(f.content) : f.content.sha256(), mode: f.mode, owner: f.owner };
  }
  return {
    ...booted,
    proxy: { installed: true, ours: true, active: 'active', enabled: true, dir: true, caddyfileSha256: sha(d.proxy!.caddyfile), files, ...over },
  };
}
const sha = (s: string) => new Secret(s).sha256();

test('the proxy plan: a fresh VM gets Caddy, files and configuration; an unchanged one nothing; a disabled one is enabled; without --tls ours goes', () => {
  const own = certificates('mlflow.example.com');
  const d = desiredState(input({ tls: 'files', 'tls-cert': own.cert, 'tls-key': own.key, 'public-name': ['mlflow.example.com'] }));
  const first = planProxy(booted, d.proxy, '/home/azureuser');
  assert.equal(first.change, true);
  assert.equal(first.awaitCertificate, true);
  assert.deepEqual(
    first.actions.map((a) => (a.kind !== 'upload' ? a.label : `upload ${a.path} ${a.mode.toString(8)}`)),
    [
      'apt-get update and apt-get install caddy',
      'upload /home/azureuser/.provision-caddy-cert.pem 600',
      'upload /home/azureuser/.provision-caddy-key.pem 600',
      'install /etc/caddy/provision/cert.pem, /etc/caddy/provision/key.pem',
      'upload /home/azureuser/.provision-caddy-Caddyfile 600',
      'install /etc/caddy/Caddyfile',
      'caddy validate, systemctl enable and start caddy.service',
    ],
  );
  const install = first.actions.find((a) => a.kind !== 'upload' && a.label.startsWith('install /etc/caddy/provision'));
  assert.match(install && install.kind !== 'upload' ? install.command : '', /install -m 0600 -o caddy -g caddy .*key\.pem/);
  for (const a of first.actions)
    if (a.kind !== 'upload') assert.ok(!a.command.includes(readFileSync(own.key, 'utf8').split('\n')[1]!), 'the key on a command line');

  const same = planProxy(provisioned(d), d.proxy, '/home/azureuser');
  assert.deepEqual([same.change, same.actions.length], [false, 0]);
  assert.match(same.reason, /Caddy serves mlflow\.example\.com \(--tls files\)/);
  const disabled = planProxy(provisioned(d, { enabled: false }), d.proxy, '/home/azureuser');
  assert.deepEqual(
    disabled.actions.map((a) => (a.kind !== 'upload' ? a.label : a.path)),
    ['systemctl enable caddy.service'],
  );
  const stopped = planProxy(provisioned(d, { active: 'failed' }), d.proxy, '/home/azureuser');
  assert.match(stopped.reason, /Caddy is failed/);
  assert.equal(stopped.awaitCertificate, true);
  const keyChanged = planProxy(
    provisioned(d, { files: { ...provisioned(d).proxy.files, 'key.pem': { sha256: 'x', mode: 0o600, owner: 'caddy' } } }),
    d.proxy,
    '/home/azureuser',
  );
  assert.match(keyChanged.reason, /\/etc\/caddy\/provision\/key\.pem differs/);
  // A running Caddy restarts after validating as the caddy user: a reload would need its admin API, which is off.
  const reload = keyChanged.actions.at(-1);
  assert.equal(reload && reload.kind !== 'upload' ? reload.label : '', 'caddy validate, systemctl restart caddy.service');
  assert.match(reload && reload.kind !== 'upload' ? reload.command : '', /sudo -n -u caddy caddy validate[\s\S]*systemctl restart caddy\.service/);
  assert.doesNotMatch(reload && reload.kind !== 'upload' ? reload.command : '', /reload/);

  // Another mode: the files of the last one go.
  const acme = desiredState(input({ tls: 'acme', 'public-name': ['mlflow.example.com'] }));
  const switched = planProxy(provisioned(d), acme.proxy, '/home/azureuser');
  assert.match(switched.reason, /\/etc\/caddy\/provision\/cert\.pem, \/etc\/caddy\/provision\/key\.pem no longer used; \/etc\/caddy\/Caddyfile differs/);

  const off = planProxy(provisioned(d), undefined, '/home/azureuser');
  assert.equal(off.change, true);
  // Caddy's state goes with our files (as the caddy user, only when the Caddyfile is ours), and the reason says so.
  assert.match(
    off.actions[0] && off.actions[0].kind !== 'upload' ? off.actions[0].command : '',
    /systemctl disable --now --quiet caddy\.service[\s\S]*Managed by provision[\s\S]*sudo -n -u caddy rm -rf -- \/var\/lib\/caddy\/\.local\/share\/caddy \/var\/lib\/caddy\/\.config\/caddy[\s\S]*rm -rf \/etc\/caddy\/provision/,
  );
  assert.match(
    off.reason,
    /Caddy's state \(\/var\/lib\/caddy\/\.local\/share\/caddy: certificates and their keys, the internal CA, ACME accounts\) are removed; the caddy package stays installed/,
  );
  assert.deepEqual(planProxy(booted, undefined, '/home/azureuser').change, false);
  assert.match(proxyProblem(fresh, d.proxy, '10.0.0.4') ?? '', /--tls needs systemd on 10\.0\.0\.4/);
  assert.equal(proxyProblem(booted, d.proxy, '10.0.0.4'), undefined);
});

test('Caddy from the archive where it is (Debian 12/13, Ubuntu 24.04), else from its signed repository (Ubuntu 22.04)', () => {
  assert.equal(archiveHasCaddy('debian', '12'), true);
  assert.equal(archiveHasCaddy('ubuntu', '24.04'), true);
  assert.equal(archiveHasCaddy('ubuntu', '22.04'), false);
  const jammy = installCaddyCommands('ubuntu', '22.04');
  assert.match(jammy[0]!.command, /gpg --batch --yes --dearmor -o \/usr\/share\/keyrings\/caddy-stable-archive-keyring\.gpg/);
  assert.match(
    jammy[0]!.command,
    /signed-by=\/usr\/share\/keyrings\/caddy-stable-archive-keyring\.gpg\] https:\/\/dl\.cloudsmith\.io\/public\/caddy\/stable\/deb\/debian any-version main/,
  );
  assert.equal(jammy[1]!.label, 'apt-get update and apt-get install caddy');
});

test('certificate verdicts: unverified, expired, a renewal that fails, the user own certificate near its end; fine otherwise', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  assert.deepEqual(judgeCertificate({ name: 'a', mode: 'acme', validFrom: '2026-11-01T00:00:00Z', validTo: '2027-01-30T00:00:00Z', now }), []);
  // An internal leaf lives 12 hours: 5 hours left is fine, 1 hour is a failing renewal.
  assert.deepEqual(judgeCertificate({ name: 'a', mode: 'internal', validFrom: '2026-12-01T05:00:00Z', validTo: '2026-12-01T17:00:00Z', now }), []);
  assert.match(
    judgeCertificate({ name: 'a', mode: 'internal', validFrom: '2026-12-01T01:00:00Z', validTo: '2026-12-01T13:00:00Z', now })[0] ?? '',
    /expires on 2026-12-01 13:00 UTC and Caddy has not renewed it/,
  );
  assert.match(
    judgeCertificate({ name: 'a', mode: 'acme', validFrom: '2026-09-10T00:00:00Z', validTo: '2026-12-09T00:00:00Z', now })[0] ?? '',
    /port 80 or 443 closed/,
  );
  assert.match(judgeCertificate({ name: 'a', mode: 'files', validTo: '2026-12-08T00:00:00Z', now })[0] ?? '', /expires in 6 days .* renewed --tls-cert/);
  assert.match(judgeCertificate({ name: 'a', mode: 'files', validTo: '2026-11-08T00:00:00Z', now })[0] ?? '', /expired on 2026-11-08/);
  assert.match(judgeCertificate({ name: 'a', mode: 'acme', error: 'self-signed certificate in certificate chain', now })[0] ?? '', /does not verify/);
});

test('verify over https: a blocked 443 (and 80 for acme) is one warning; the MLflow port closed from here is said', () => {
  const answers: VerifyAnswers = {
    health: { status: 200, body: 'OK' },
    searches: [{ name: 'a.example', status: 200, body: '{}' }],
    put: { status: 200, body: '' },
    got: { status: 200, body: 'p' },
    payload: 'p',
    fromHere: false,
    foreignHost: 403,
    plainPortFromHere: false,
  };
  const ctx = { address: '20.1.2.3', port: 5000, publicHost: 'a.example', scheme: 'https' as const, launcherPath: 'l', logPath: 'g', artifactsDir: 'd' };
  const acme = judgeVerify({ ...ctx, tls: { mode: 'acme' } }, answers);
  assert.deepEqual(acme.warnings, [
    "The server is healthy on the VM, but https://a.example/ does not answer from this machine: open TCP ports 443 and 80 (the CA checks the name on both) in the VM's network security group (Azure portal > VM > Networking > Add inbound port rule) and any firewall on the way.",
  ]);
  const reachable = judgeVerify({ ...ctx, tls: { mode: 'internal' } }, { ...answers, fromHere: true });
  assert.deepEqual(reachable.warnings, []);
  assert.match(reachable.summary, /^https verified, .*refuses a foreign Host header, port 5000 closed from here/);
  const open = judgeVerify({ ...ctx, tls: { mode: 'internal' } }, { ...answers, fromHere: true, plainPortFromHere: true });
  assert.match(open.warnings[0] ?? '', /Port 5000 answers plain HTTP from this machine/);
});

test('--tls acme for many VMs: each needs its own name (public-name= on its hosts-file line); the desired state takes it', () => {
  const batch = (lines: string, argv: Record<string, unknown> = {}) =>
    buildCommandConfig(
      'provision',
      readSettings(
        { 'hosts-file': 'hosts.txt', 'ssh-config': '/nonexistent', tls: 'acme', ...argv },
        { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: 'pw-tls-test' },
      ),
      { readFile: () => lines },
    );
  assert.throws(
    () => batch('10.0.0.4\n10.0.0.5\n', { 'public-name': ['one.example.com'] }),
    /10\.0\.0\.4 and 10\.0\.0\.5 would both ask for a certificate for one\.example\.com/,
  );
  assert.throws(
    () => batch('10.0.0.4 public-name=a.example.com\n10.0.0.5\n'),
    /--tls acme needs --public-name: .*; 10\.0\.0\.5 has none \(public-name= on its hosts-file line\)/,
  );
  assert.throws(() => batch('10.0.0.4 public-name=10.9.9.9\n'), /--public-name 10\.9\.9\.9 is an address/);
  const c = batch('10.0.0.4 public-name=a.example.com\n10.0.0.5 public-name=b.example.com,www.b.example.com\n');
  const second = c.targets[1]!;
  const d = desiredState({
    config: c,
    target: second,
    server: { ...c.server, ...second.overrides },
    facts: booted,
    newFlaskKey: () => new Secret('ab'.repeat(32)),
    newSalt: () => 'cd'.repeat(16),
  });
  assert.deepEqual(d.proxy?.names, ['b.example.com', 'www.b.example.com']);
  assert.match(d.launcher, /--cors-allowed-origins https:\/\/b\.example\.com,https:\/\/www\.b\.example\.com\s/);
});

test('verify through a jump host: a server that does not answer from here is a private VM, not an NSG to open', () => {
  const answers: VerifyAnswers = {
    health: { status: 200, body: 'OK' },
    searches: [{ name: '10.1.0.5:5000', status: 200, body: '{}' }],
    put: { status: 200, body: '' },
    got: { status: 200, body: 'p' },
    payload: 'p',
    fromHere: false,
    foreignHost: 0,
  };
  const ctx = { address: '10.1.0.5', port: 5000, publicHost: '10.1.0.5:5000', launcherPath: 'l', logPath: 'g', artifactsDir: 'd', viaJump: true };
  assert.match(judgeVerify(ctx, answers).warnings[0] ?? '', /reached through a jump host\): its users need a route to it \(VPN, peering/);
});
