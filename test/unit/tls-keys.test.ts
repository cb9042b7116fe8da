// Issue 22 (security audit) for --tls: Caddy's admin API off and the CA root read from its file, keys left behind
// by an interrupted run or by --tls off, the CA root saved without following links, and a served certificate
// that this machine does not trust said at once. Pure functions, the probe fragment in a made-up home, and
// real TLS handshakes on this machine's loopback.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { internalRootOf, issuerOf } from '../../src/checks/caddy.js';
import { httpDirect } from '../../src/checks/http.js';
import { parseFacts, type Facts } from '../../src/plan/facts.js';
import { readProbeOutput } from '../../src/plan/probe/part.js';
import { proxyPart } from '../../src/plan/probe/proxy.js';
import { emptyFacts } from '../../src/plan/probe/types.js';
import { planProxy } from '../../src/plan/proxy-plan.js';
import { renderCaddyfile } from '../../src/render/caddyfile.js';
import { saveCaRoot } from '../../src/run/tls-trust.js';
import { StepError } from '../../src/util/errors.js';
import { isUntrustedChain, untrustedSentence } from '../../src/verdicts/certificate-wait.js';

const fresh = parseFacts(readFileSync(new URL('../../fixtures/probe/fresh-debian12.txt', import.meta.url), 'utf8'));
const booted: Facts = { ...fresh, supervisor: { systemd: true } };

/** A CA (CN "unit CA 22"), and a server certificate for localhost from it, made by openssl in a temporary folder. */
function pki(): { dir: string; ca: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'prov-tls22-'));
  execFileSync('bash', [
    '-c',
    `set -e; cd ${dir}
     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=unit CA 22" -keyout ca.key -out ca.pem 2>/dev/null
     openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" -keyout key.pem -out req.csr 2>/dev/null
     openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 20 -extfile <(printf 'subjectAltName=DNS:localhost\\n') -out cert.pem 2>/dev/null
     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=other CA" -keyout other.key -out other.pem 2>/dev/null`,
  ]);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { dir, ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

test("Caddy's admin API is off in every mode (no listener on 127.0.0.1:2019 for local users to reconfigure it)", () => {
  for (const mode of ['acme', 'internal', 'files'] as const) {
    assert.match(renderCaddyfile({ mode, names: ['a.example'], upstreamPort: 5000 }), /^\{\n\tadmin off\n/m, mode);
  }
});

test("the internal CA's root is taken from Caddy's file only as one CA certificate; the issuer of a served chain is read", () => {
  const p = pki();
  assert.equal(internalRootOf(`${p.ca}`), p.ca);
  assert.equal(internalRootOf(`noise\n${p.ca}noise\n`), p.ca);
  assert.equal(internalRootOf(p.cert), undefined, 'a leaf is no CA');
  assert.equal(internalRootOf(p.ca + p.ca), undefined, 'two certificates');
  assert.equal(internalRootOf('root:x:0:0:root:/root:/bin/bash\n'), undefined);
  assert.equal(issuerOf(p.cert + p.ca), 'unit CA 22');
  assert.equal(issuerOf(''), undefined);
});

test('an upload an interrupted run left in the home (the key) is found by the probe and removed by any rerun, with --tls or without', () => {
  const home = mkdtempSync(join(tmpdir(), 'prov-home-'));
  writeFileSync(join(home, '.provision-caddy-key.pem'), 'k', { mode: 0o600 });
  writeFileSync(join(home, '.provision-other'), 'not ours');
  const out = execFileSync('bash', ['-c', proxyPart.script({} as never)], { env: { ...process.env, HOME: home }, encoding: 'utf8' });
  const facts = emptyFacts();
  readProbeOutput(`${out}probe_done=1\n`, [proxyPart], facts);
  assert.deepEqual(facts.proxy.uploads, [join(home, '.provision-caddy-key.pem')], 'only names of ours, in the home');

  const left: Facts = { ...booted, proxy: { ...booted.proxy, uploads: ['/home/azureuser/.provision-caddy-key.pem'] } };
  const off = planProxy(left, undefined, '/home/azureuser');
  assert.equal(off.change, true);
  assert.deepEqual(
    off.actions.map((a) => (a.kind === 'upload' ? a.path : a.command)),
    ['rm -f -- /home/azureuser/.provision-caddy-key.pem'],
  );
  assert.match(off.reason, /\/home\/azureuser\/\.provision-caddy-key\.pem left by an interrupted run removed/);
  assert.equal(planProxy(booted, undefined, '/home/azureuser').change, false);
  // A path that is not ours (text from the VM) is never passed to rm.
  const odd: Facts = { ...booted, proxy: { ...booted.proxy, uploads: ['/etc/.provision-caddy-key.pem'] } };
  assert.equal(planProxy(odd, undefined, '/home/azureuser').change, false);
});

test('the CA root is saved as the log is: not through a planted link (one sentence, target untouched), 0644, in a 0700 folder', () => {
  const base = mkdtempSync(join(tmpdir(), 'prov-ca-'));
  const dir = join(base, 'logs');
  const path = join(dir, 'vm_1-ca.pem');
  saveCaRoot(path, 'ROOT\n');
  assert.equal(readFileSync(path, 'utf8'), 'ROOT\n');
  assert.equal(statSync(path).mode & 0o777, 0o644);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  saveCaRoot(path, 'NEW\n');
  assert.equal(readFileSync(path, 'utf8'), 'NEW\n', 'rewritten, not appended');

  const target = join(base, 'victim');
  writeFileSync(target, 'precious\n', { mode: 0o600 });
  const linked = join(dir, 'vm_2-ca.pem');
  symlinkSync(target, linked);
  assert.throws(
    () => saveCaRoot(linked, 'ROOT\n'),
    (e: unknown) =>
      e instanceof StepError &&
      /^The CA root file .*vm_2-ca\.pem is a symbolic link; provision does not write through links: remove it or choose another --log-dir\.$/.test(e.message),
  );
  assert.equal(readFileSync(target, 'utf8'), 'precious\n');
  assert.equal(statSync(target).mode & 0o777, 0o600);
  assert.ok(lstatSync(linked).isSymbolicLink());
  mkdirSync(join(dir, 'vm_3-ca.pem'));
  assert.throws(() => saveCaRoot(join(dir, 'vm_3-ca.pem'), 'x'), StepError);
});

test('a served certificate whose chain this machine does not trust is told apart from one not there yet, and said in one sentence with --tls-ca-cert', async () => {
  const p = pki();
  const server = https.createServer({ cert: p.cert + p.ca, key: p.key }, (_req, res) => res.end('OK'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const ask = (ca?: string) => httpDirect('127.0.0.1', port, { path: '/health', timeoutMs: 5000, tls: { servername: 'localhost', ...(ca ? { ca } : {}) } });
  try {
    assert.equal((await ask(p.ca)).status, 200);
    // Real handshakes: this machine's roots, and another CA given with --tls-ca-cert.
    for (const ca of [undefined, readFileSync(join(p.dir, 'other.pem'), 'utf8')]) {
      const err = await ask(ca).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isUntrustedChain(err), `${(err as { code?: string })?.code}`);
    }
  } finally {
    server.close();
  }
  // Not served yet: a refused connection, an alert, a timeout.
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR', 'ERR_TLS_CERT_ALTNAME_INVALID', undefined]) {
    assert.equal(isUntrustedChain(Object.assign(new Error('x'), { code })), undefined, String(code));
  }
  assert.equal(
    untrustedSentence({ name: 'mlflow.example.com', mode: 'acme', code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', issuer: '(STAGING) Ersatz Edamame E1' }),
    'The certificate Caddy serves for mlflow.example.com is issued by "(STAGING) Ersatz Edamame E1", which this machine does not trust (UNABLE_TO_GET_ISSUER_CERT_LOCALLY): if that is the CA you meant (a staging or private ACME CA), pass its root certificate with --tls-ca-cert FILE; otherwise check --acme-ca.',
  );
  assert.match(
    untrustedSentence({ name: 'a.example', mode: 'files', code: 'SELF_SIGNED_CERT_IN_CHAIN', issuer: 'unit CA 22', trustFile: 'ca.pem' }),
    /^The certificate Caddy serves for a\.example is issued by "unit CA 22", which the CA in --tls-ca-cert ca\.pem does not vouch for \(SELF_SIGNED_CERT_IN_CHAIN\): pass that CA's root certificate with --tls-ca-cert FILE/,
  );
});
