// The database check's TLS: libpq's sslmode fallback (prefer, allow) as pure decisions and against a small fake
// Postgres, the root certificate of --pg-ssl-root-cert (trusted alone, uploaded, named in the URIs), and the
// up-front checks of the option.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';
import { after, before, test } from 'node:test';
import { buildCommandConfig } from '../../src/config/config.js';
import { parseRootCertificates } from '../../src/config/root-certificates.js';
import { readSettings } from '../../src/config/settings.js';
import { backendStoreUri, backendUriWithoutPassword, parseBackendUri, type DatabaseSettings } from '../../src/render/backend-uri.js';
import { configFingerprint, remoteLayout, renderAuthIni, renderLauncher, renderSecretsEnv, sha256 } from '../../src/render/server-files.js';
import { renderRecord } from '../../src/render/record.js';
import { parseStatusExtras, vmRootCertificate, buildStatusScript } from '../../src/run/status.js';
import type { Remote } from '../../src/ssh/connection.js';
import {
  attemptEnd,
  checkDatabase,
  describeTransport,
  failureToReport,
  fallbackTransport,
  firstTransport,
  type AttemptEnd,
  type Transport,
} from '../../src/checks/database.js';
import { sharedSecureContext, tlsChecks, tlsOptions } from '../../src/checks/db-tls.js';
import { buildProbeScript, parseFacts } from '../../src/plan/facts.js';
import { planFiles, type Desired } from '../../src/plan/plan.js';
import { UsageError } from '../../src/util/errors.js';
import { Secret } from '../../src/util/secret.js';

const dir = mkdtempSync(join(tmpdir(), 'db-tls-test-'));

/** A self-signed CA-style certificate (and key) naming `san`, made by openssl. */
function makeCert(name: string, san: string): { cert: string; key: string; certFile: string } {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
}

const base: DatabaseSettings = {
  host: 'db.example.com',
  port: 5432,
  user: 'mlflow',
  database: 'mlflow',
  password: new Secret('db-tls-test-pw'),
  sslmode: 'require',
};

// ---- libpq's sslmode decisions, as pure functions ----

test('the first attempt: plain for disable and allow, TLS for prefer and stronger', () => {
  assert.deepEqual((['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const).map(firstTransport), [
    'plain',
    'plain',
    'tls',
    'tls',
    'tls',
    'tls',
  ]);
});

test('prefer falls back to plain when the server offers no TLS, the handshake fails or it rejects the TLS login; allow retries with TLS when the server rejects plain', () => {
  const cases: Array<[Parameters<typeof fallbackTransport>[0], Transport, AttemptEnd, Transport | undefined]> = [
    ['prefer', 'tls', 'tls-refused', 'plain'], // the server does not offer TLS: prefer passes unencrypted
    ['prefer', 'tls', 'tls-failed', 'plain'],
    ['prefer', 'tls', 'rejected', 'plain'],
    ['prefer', 'tls', 'failed', undefined], // no answer, or an error after the login: no retry
    ['prefer', 'tls', 'ok', undefined],
    ['prefer', 'plain', 'rejected', undefined], // only one retry
    ['allow', 'plain', 'rejected', 'tls'], // pg_hba accepts only TLS: allow passes encrypted
    ['allow', 'plain', 'failed', undefined],
    ['allow', 'tls', 'rejected', undefined],
    ['require', 'tls', 'tls-refused', undefined], // require never drops TLS
    ['require', 'tls', 'rejected', undefined],
    ['verify-full', 'tls', 'tls-failed', undefined],
    ['disable', 'plain', 'rejected', undefined], // disable never tries TLS
  ];
  for (const [mode, tried, end, want] of cases) assert.equal(fallbackTransport(mode, tried, end), want, `${mode} after ${tried} ${end}`);
});

test('how an attempt ended: the "no TLS" answer, a server error before or after the login, a failed handshake', () => {
  const p = { transport: 'tls' as const, tlsStarted: false, tlsDone: false, authenticated: false };
  assert.equal(attemptEnd(new Error('The server does not support SSL connections'), p), 'tls-refused');
  assert.equal(attemptEnd({ message: 'no pg_hba.conf entry', code: '28000', severity: 'FATAL' }, p), 'rejected');
  assert.equal(
    attemptEnd({ message: 'database "x" does not exist', code: '3D000', severity: 'FATAL' }, { ...p, tlsStarted: true, tlsDone: true, authenticated: true }),
    'failed',
  );
  assert.equal(attemptEnd({ message: 'self-signed certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, { ...p, tlsStarted: true }), 'tls-failed');
  assert.equal(attemptEnd({ message: 'timeout expired' }, p), 'failed');
  assert.equal(attemptEnd({ message: 'Connection terminated unexpectedly' }, { ...p, transport: 'plain' }), 'failed');
});

test('when both attempts fail, the failure that says more than "wrong transport" is explained', () => {
  const noEncryption = {
    transport: 'plain' as const,
    end: 'rejected' as const,
    message: 'no pg_hba.conf entry for host "10.0.0.4", user "mlflow", database "mlflow", no encryption',
  };
  const password = { transport: 'tls' as const, end: 'rejected' as const, message: 'password authentication failed for user "mlflow"' };
  assert.equal(failureToReport([password, noEncryption]), password); // prefer
  assert.equal(failureToReport([noEncryption, password]), password); // allow
  const noTls = { transport: 'tls' as const, end: 'tls-refused' as const, message: 'The server does not support SSL connections' };
  assert.equal(failureToReport([noTls, password]), password);
  assert.equal(failureToReport([noTls]), noTls);
});

// ---- the root certificate: what is trusted, what is checked ----

let good: ReturnType<typeof makeCert>;
let other: ReturnType<typeof makeCert>;
before(() => {
  good = makeCert('prov-test-db', 'DNS:db.example.com,IP:127.0.0.1');
  other = makeCert('someone-else', 'DNS:db.example.com');
});

test('verify-full trusts exactly the given root certificate(s) and checks the host name; verify-ca only the chain; require neither', () => {
  assert.deepEqual(tlsOptions(base), { rejectUnauthorized: false });
  const full = { ...base, sslmode: 'verify-full' as const, sslRootCert: { pem: good.cert, source: 'roots.pem' } };
  const o = tlsOptions(full);
  assert.equal(o.rejectUnauthorized, true);
  assert.equal(o.ca, good.cert, "the file content, not this machine's CA store");
  const peer = new X509Certificate(good.cert).toLegacyObject();
  assert.equal(o.checkServerIdentity!('ignored', peer), undefined);
  assert.match(String(o.checkServerIdentity!('ignored', { ...peer, subjectaltname: 'DNS:other.example.com' })), /does not match certificate's altnames/);
  const ca = tlsOptions({ ...full, sslmode: 'verify-ca' });
  assert.equal(ca.checkServerIdentity!('ignored', { ...peer, subjectaltname: 'DNS:other.example.com' }), undefined);
  // libpq verifies the chain whenever it has a root file, also with require; never the host name then.
  assert.deepEqual(tlsChecks({ ...full, sslmode: 'require' }), { chain: true, hostName: false });
  assert.throws(() => tlsOptions({ ...base, sslmode: 'verify-ca' }), /needs the database server's root certificate/);
});

test("a run makes one TLS context per root certificate (a fleet's checks share it), never one across roots", () => {
  const first = sharedSecureContext({ ca: good.cert });
  assert.equal(sharedSecureContext({ ca: good.cert }), first, 'the same root: the same context');
  assert.notEqual(sharedSecureContext({ ca: other.cert }), first, 'another root: its own context');
  assert.equal(sharedSecureContext({}), sharedSecureContext({}), 'no root (require without a file): one context');
  assert.notEqual(sharedSecureContext({}), first);
});

test('the summary says whether the connection is encrypted, and how it was verified', () => {
  assert.equal(describeTransport(base, 'tls'), 'TLS');
  assert.equal(describeTransport({ ...base, sslmode: 'disable' }, 'plain'), 'unencrypted');
  assert.equal(
    describeTransport({ ...base, sslmode: 'prefer' }, 'plain', { end: 'tls-refused', message: '' }),
    'unencrypted (sslmode=prefer: the server does not offer TLS)',
  );
  assert.equal(describeTransport({ ...base, sslmode: 'allow' }, 'tls'), 'TLS (sslmode=allow: the server refused a connection without TLS)');
  const root = { pem: 'x', source: 'roots.pem' };
  assert.equal(
    describeTransport({ ...base, sslmode: 'verify-full', sslRootCert: root }, 'tls'),
    'TLS (certificate chains to roots.pem and names db.example.com)',
  );
  assert.equal(describeTransport({ ...base, sslmode: 'verify-ca', sslRootCert: root }, 'tls'), 'TLS (certificate chains to roots.pem, host name not checked)');
});

// ---- --pg-ssl-root-cert up front ----

function config(argv: Record<string, unknown>, files: Record<string, string> = {}) {
  const read = (p: string) => {
    const text = files[p];
    if (text === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
    return text;
  };
  return buildCommandConfig(
    'provision',
    readSettings({ 'ssh-config': '/nonexistent', host: ['10.0.0.4'], ...argv }, { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: 'pw-config' }),
    { readFile: read },
  );
}

test("verify-ca and verify-full without --pg-ssl-root-cert are a usage error naming the option, the variable and Azure's roots", () => {
  for (const mode of ['verify-ca', 'verify-full']) {
    assert.throws(
      () => config({ 'pg-sslmode': mode }),
      (err: Error) => {
        assert.ok(err instanceof UsageError, 'a usage error: exit 2');
        assert.match(
          err.message,
          new RegExp(`^--pg-sslmode ${mode} needs the database server's root certificate: pass --pg-ssl-root-cert FILE \\(or set POSTGRES_SSLROOTCERT\\)`),
        );
        assert.match(err.message, /DigiCert Global Root G2 and Microsoft RSA Root CA 2017/);
        assert.equal(err.message.split('. ').length, 1, 'one sentence');
        return true;
      },
    );
  }
});

test('the root certificate file must exist, hold a PEM certificate and no private key; its content is kept exactly', () => {
  assert.throws(
    () => config({ 'pg-sslmode': 'verify-full', 'pg-ssl-root-cert': '/nope/roots.pem' }),
    /Cannot read the root certificate file \/nope\/roots\.pem \(ENOENT\): check --pg-ssl-root-cert\./,
  );
  assert.throws(
    () => config({ 'pg-sslmode': 'verify-full', 'pg-ssl-root-cert': 'empty.pem' }, { 'empty.pem': 'hello\n' }),
    /empty\.pem holds no PEM certificate .*openssl x509 -inform der/,
  );
  assert.throws(
    () => config({ 'pg-sslmode': 'verify-full', 'pg-ssl-root-cert': 'k.pem' }, { 'k.pem': `${good.cert}${good.key}` }),
    /k\.pem holds a private key/,
  );
  const broken = good.cert.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
  assert.throws(() => config({ 'pg-sslmode': 'verify-full', 'pg-ssl-root-cert': 'b.pem' }, { 'b.pem': broken }), /Certificate 1 in b\.pem cannot be read/);
  assert.throws(() => config({ 'pg-sslmode': 'disable', 'pg-ssl-root-cert': 'r.pem' }, { 'r.pem': good.cert }), /--pg-ssl-root-cert goes with a TLS mode/);
  const bundle = `# two roots\n${good.cert}${other.cert}`;
  const c = config({ 'pg-sslmode': 'verify-full', 'pg-ssl-root-cert': 'r.pem' }, { 'r.pem': bundle });
  assert.deepEqual(c.db.sslRootCert, { pem: bundle, source: 'r.pem' });
  const parsed = parseRootCertificates(bundle, 'r.pem');
  assert.ok('certificates' in parsed && parsed.certificates.length === 2);
  assert.equal(config({}).db.sslRootCert, undefined);
  assert.equal(config({ 'pg-sslmode': 'allow' }).db.sslmode, 'allow');
});

// ---- the VM side: the URIs, the file, the plan, the probe, status ----

test('the backend URI and the auth configuration name the uploaded root file; status parses it back', () => {
  const layout = remoteLayout('/home/azureuser');
  const db: DatabaseSettings = { ...base, sslmode: 'verify-full', sslRootCert: { pem: good.cert, source: 'r.pem' }, sslRootCertPath: layout.pgRootCert };
  assert.equal(layout.pgRootCert, '/home/azureuser/.mlflow-pg-root.crt');
  const uri = backendStoreUri(db).reveal();
  assert.equal(
    uri,
    'postgresql+psycopg2://mlflow:db-tls-test-pw@db.example.com:5432/mlflow?sslmode=verify-full&connect_timeout=10&sslrootcert=/home/azureuser/.mlflow-pg-root.crt',
  );
  assert.match(backendUriWithoutPassword(db), /\?sslmode=verify-full&connect_timeout=10&sslrootcert=\/home\/azureuser\/\.mlflow-pg-root\.crt$/);
  assert.match(
    renderAuthIni(db, { adminUser: 'admin', database: 'mlflow_auth' }),
    /^database_uri = postgresql\+psycopg2:\/\/mlflow@db\.example\.com:5432\/mlflow_auth\?sslmode=verify-full&connect_timeout=10&sslrootcert=\/home\/azureuser\/\.mlflow-pg-root\.crt$/m,
  );
  const back = parseBackendUri(new Secret(uri))!;
  assert.equal(back.sslmode, 'verify-full');
  assert.equal(back.sslRootCertPath, '/home/azureuser/.mlflow-pg-root.crt');
  // A path with URI-special characters survives the round trip (SQLAlchemy decodes the query the same way).
  const odd = parseBackendUri(backendStoreUri({ ...db, sslRootCertPath: '/home/a b/x+y&z#.crt' }))!;
  assert.equal(odd.sslRootCertPath, '/home/a b/x+y&z#.crt');
  // Without the option, the URI is what it always was.
  assert.equal(backendStoreUri(base).reveal(), 'postgresql+psycopg2://mlflow:db-tls-test-pw@db.example.com:5432/mlflow?sslmode=require&connect_timeout=10');
});

test('the root file is planned like the other files: missing or different -> written 0644, same hash and mode -> unchanged', () => {
  const layout = remoteLayout('/home/azureuser');
  const launcher = renderLauncher(layout, { port: 5000, workers: 1, allowedHosts: ['10.0.0.4'] });
  const secrets = renderSecretsEnv({ ...base, sslRootCertPath: layout.pgRootCert });
  const d: Desired = {
    user: 'azureuser',
    layout,
    launcher,
    secrets,
    fingerprint: configFingerprint(launcher, secrets),
    port: 5000,
    upgrade: false,
    supervisor: 'nohup',
    pgRootCert: good.cert,
    record: renderRecord({ artifactsDir: layout.artifactsDir, artifactsDirCreated: true }),
  };
  const probe = (root: string) =>
    parseFacts(
      [
        `${sha256(launcher)}  /home/azureuser/start-mlflow-server.sh`,
        `${sha256(secrets.reveal())}  /home/azureuser/.mlflow-server.env`,
        root,
        'file_stat=700 azureuser /home/azureuser/start-mlflow-server.sh',
        'file_stat=600 azureuser /home/azureuser/.mlflow-server.env',
        `record=${Buffer.from(d.record).toString('base64')}`,
        'record_stat=600 azureuser',
        'probe_done=1',
      ].join('\n'),
    );
  const missing = planFiles(probe(''), d);
  assert.deepEqual(
    { ...missing },
    { change: true, launcher: false, secrets: false, pgRootCert: true, record: false, reason: 'database root certificate missing' },
  );
  const same = probe(`${sha256(good.cert)}  /home/azureuser/.mlflow-pg-root.crt\nfile_stat=644 azureuser /home/azureuser/.mlflow-pg-root.crt`);
  assert.equal(same.files.pgRootCert.sha256, sha256(good.cert));
  assert.equal(same.files.secrets.sha256, sha256(secrets.reveal()), 'the root file is not mistaken for the secrets file');
  assert.deepEqual(
    { ...planFiles(same, d) },
    {
      change: false,
      launcher: false,
      secrets: false,
      pgRootCert: false,
      record: false,
      reason: 'launcher, database root certificate and secrets file are up to date',
    },
  );
  const loose = probe(`${sha256(good.cert)}  /home/azureuser/.mlflow-pg-root.crt\nfile_stat=666 azureuser /home/azureuser/.mlflow-pg-root.crt`);
  assert.equal(planFiles(loose, d).reason, 'database root certificate mode 666');
  assert.equal(planFiles(same, { ...d, pgRootCert: other.cert }).reason, 'database root certificate different');
  // Without the option the file is not part of the plan.
  const { pgRootCert: _drop, ...without } = d;
  assert.equal('pgRootCert' in planFiles(probe(''), without), false);
  assert.match(buildProbeScript({ mlflowPort: 5000 }), /"\$HOME\/\.mlflow-pg-root\.crt"/);
});

test('status reads the root file back from the VM and verifies with it; without one it says so', async () => {
  const x = parseStatusExtras(
    `${good.cert
      .trimEnd()
      .split('\n')
      .map((l) => `pg_root_line=${l}`)
      .join('\n')}\nprobe_done=1\n`,
  );
  assert.equal(x.pgRoot.join('\n'), good.cert.trimEnd());
  assert.match(buildStatusScript(5000), /pg_root_line=/);
  const uploaded = '/home/azureuser/.mlflow-pg-root.crt';
  const noRemote = () => Promise.reject(new Error('the file provision uploads needs no read'));
  const db = { ...base, sslmode: 'verify-full' as const, sslRootCertPath: uploaded };
  const withRoot = await vmRootCertificate(noRemote, db, '/home/azureuser', uploaded, x.pgRoot);
  assert.ok(typeof withRoot !== 'string');
  assert.equal(withRoot.sslRootCert!.pem, `${good.cert.trimEnd()}\n`);
  assert.equal(withRoot.sslRootCert!.source, `${uploaded} on the VM`);
  const missing = await vmRootCertificate(noRemote, db, '/home/azureuser', uploaded, []);
  assert.ok(typeof missing === 'string', inspect(missing));
  assert.match(missing, /The root certificate \/home\/azureuser\/\.mlflow-pg-root\.crt that libpq on the VM needs for sslmode=verify-full is missing/);
  assert.equal(await vmRootCertificate(noRemote, base, '/home/azureuser', uploaded, []), base, 'require without a root file: nothing to read');
});

// ---- the retry itself, against a fake Postgres speaking just enough of the protocol ----

interface FakeOptions {
  offerTls: boolean;
  requireTls: boolean;
}
const connections: Array<{ tls: boolean }> = [];

function msg(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), len, body]);
}
const cstr = (s: string) => Buffer.from(`${s}\0`);
const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

function fakePostgres(opts: FakeOptions): Promise<{ server: Server; port: number }> {
  const serve = (sock: Socket | TLSSocket, encrypted: boolean) => {
    let buf = Buffer.alloc(0);
    let started = false;
    sock.on('error', () => undefined);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!started) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          buf = buf.subarray(len);
          if (code === 80877103) {
            // SSLRequest
            if (!opts.offerTls) {
              sock.write('N');
              continue;
            }
            sock.removeAllListeners('data');
            sock.write('S');
            const secure = new TLSSocket(sock, { isServer: true, key: good.key, cert: good.cert });
            serve(secure, true);
            return;
          }
          started = true;
          connections.push({ tls: encrypted });
          if (opts.requireTls && !encrypted) {
            sock.end(
              msg(
                'E',
                Buffer.concat([
                  cstr('SFATAL'),
                  cstr('C28000'),
                  cstr('Mno pg_hba.conf entry for host "10.0.0.4", user "mlflow", database "mlflow", no encryption'),
                  Buffer.from([0]),
                ]),
              ),
            );
            return;
          }
          sock.write(Buffer.concat([msg('R', i32(0)), msg('Z', Buffer.from('I'))]));
          continue;
        }
        if (buf.length < 5) return;
        const type = String.fromCharCode(buf[0]!);
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) return;
        buf = buf.subarray(len + 1);
        if (type === 'X') {
          sock.end();
          return;
        }
        if (type === 'Q') {
          const field = (name: string, oid: number) => Buffer.concat([cstr(name), i32(0), i16(0), i32(oid), i16(-1), i32(-1), i16(0)]);
          const col = (v: string) => Buffer.concat([i32(Buffer.byteLength(v)), Buffer.from(v)]);
          sock.write(
            Buffer.concat([
              msg('T', Buffer.concat([i16(3), field('version', 25), field('can_create', 16), field('has_schema', 16)])),
              msg('D', Buffer.concat([i16(3), col('15.99'), col('t'), col('f')])),
              msg('C', cstr('SELECT 1')),
              msg('Z', Buffer.from('I')),
            ]),
          );
        }
      }
    });
  };
  return new Promise((resolve) => {
    const server = createServer((sock) => serve(sock, false));
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** A Remote whose forwards go to the fake server, counted. */
function fakeRemote(port: number): Remote & { forwards: number } {
  const r = {
    forwards: 0,
    target: { address: '10.0.0.4' },
    forward(): Promise<Socket> {
      r.forwards += 1;
      return new Promise((resolve) => {
        const s = netConnect(port, '127.0.0.1', () => resolve(s));
      });
    },
  };
  return r as unknown as Remote & { forwards: number };
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function against(opts: FakeOptions, db: Partial<DatabaseSettings>) {
  const { server, port } = await fakePostgres(opts);
  servers.push(server);
  connections.length = 0;
  const remote = fakeRemote(port);
  const settings = { ...base, host: '127.0.0.1', ...db };
  const result = await checkDatabase(remote, settings, 5000).then(
    (r) => r,
    (err: Error) => err,
  );
  return { result, forwards: remote.forwards, connections: [...connections] };
}

test('prefer against a server without TLS: TLS first, then a second connection without it, and the summary says unencrypted', async () => {
  const { result, forwards, connections: c } = await against({ offerTls: false, requireTls: false }, { sslmode: 'prefer' });
  assert.ok(!(result instanceof Error), inspect(result));
  assert.equal(result.encrypted, false);
  assert.equal(result.transport, 'unencrypted (sslmode=prefer: the server does not offer TLS)');
  assert.equal(result.serverVersion, '15.99');
  assert.equal(forwards, 2);
  assert.deepEqual(c, [{ tls: false }]);
});

test('require against a server without TLS still fails, with the TLS hint', async () => {
  const { result, forwards } = await against({ offerTls: false, requireTls: false }, { sslmode: 'require' });
  assert.ok(result instanceof Error);
  assert.match(result.message, /The database at 127\.0\.0\.1:5432 does not offer TLS/);
  assert.equal(forwards, 1);
});

test('allow against a pg_hba that only accepts TLS: plain is rejected, TLS gets in, and the summary says TLS', async () => {
  const { result, forwards, connections: c } = await against({ offerTls: true, requireTls: true }, { sslmode: 'allow' });
  assert.ok(!(result instanceof Error), inspect(result));
  assert.equal(result.encrypted, true);
  assert.equal(result.transport, 'TLS (sslmode=allow: the server refused a connection without TLS)');
  assert.equal(forwards, 2);
  assert.deepEqual(c, [{ tls: false }, { tls: true }]);
});

test('prefer and require with a server offering TLS: one TLS connection', async () => {
  for (const sslmode of ['prefer', 'require'] as const) {
    const { result, forwards } = await against({ offerTls: true, requireTls: true }, { sslmode });
    assert.ok(!(result instanceof Error), inspect(result));
    assert.equal(result.encrypted, true);
    assert.equal(result.transport, 'TLS');
    assert.equal(forwards, 1);
  }
});

test('verify-full trusts only the given root: the right one passes, another one fails naming the file; a host the certificate does not name fails', async () => {
  const ok = await against({ offerTls: true, requireTls: true }, { sslmode: 'verify-full', sslRootCert: { pem: good.cert, source: 'good.pem' } });
  assert.ok(!(ok.result instanceof Error), inspect(ok.result));
  assert.equal(ok.result.transport, 'TLS (certificate chains to good.pem and names 127.0.0.1)');
  const wrong = await against({ offerTls: true, requireTls: true }, { sslmode: 'verify-full', sslRootCert: { pem: other.cert, source: 'wrong.pem' } });
  assert.ok(wrong.result instanceof Error);
  assert.match(
    wrong.result.message,
    /^The database server's certificate at 127\.0\.0\.1:5432 does not chain to the root certificate\(s\) in wrong\.pem \(TLS: self[- ]signed certificate\): pass with --pg-ssl-root-cert the root CA certificate\(s\) that issued it/,
  );
  assert.deepEqual(wrong.connections, [], 'no login was attempted');
  // The fake's certificate names db.example.com and 127.0.0.1; connect by another address.
  const { server, port } = await fakePostgres({ offerTls: true, requireTls: true });
  servers.push(server);
  const named = await checkDatabase(
    fakeRemote(port),
    { ...base, host: '127.0.0.2', sslmode: 'verify-full', sslRootCert: { pem: good.cert, source: 'good.pem' } },
    5000,
  ).catch((e: Error) => e);
  assert.ok(named instanceof Error);
  assert.match(named.message, /^The database server's certificate does not name "127\.0\.0\.2" .*use --pg-sslmode verify-ca to verify only the chain\.$/);
  const chainOnly = await checkDatabase(
    fakeRemote(port),
    { ...base, host: '127.0.0.2', sslmode: 'verify-ca', sslRootCert: { pem: good.cert, source: 'good.pem' } },
    5000,
  );
  assert.equal(chainOnly.transport, 'TLS (certificate chains to good.pem, host name not checked)');
});

test('prefer with a root certificate the server does not chain to: libpq drops to plain, so does the check, and says why', async () => {
  const { result } = await against({ offerTls: true, requireTls: false }, { sslmode: 'prefer', sslRootCert: { pem: other.cert, source: 'wrong.pem' } });
  assert.ok(!(result instanceof Error), inspect(result));
  assert.equal(result.encrypted, false);
  assert.match(result.transport, /^unencrypted \(sslmode=prefer: the TLS attempt failed: self[- ]signed certificate\)$/);
});
