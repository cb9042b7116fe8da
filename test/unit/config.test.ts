import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig } from '../../src/config/config.js';
import { corsOrigins, defaultAllowedHosts } from '../../src/plan/desired.js';
import { readSettings } from '../../src/config/settings.js';
import { Secret } from '../../src/util/secret.js';

const pw = new Secret('config-test-password');
const files: Record<string, string> = {
  'hosts.txt': '# two VMs\n10.0.0.4\nops@10.0.0.5:2222 mlflow-port=5001 artifacts-dir=/data/a\n10.0.0.4\n',
  'bad.txt': '10.0.0.4\n10.0.0.5 mlflow-port=0\n',
};
const read = (p: string) => {
  const text = files[p.split('/').pop()!];
  if (text === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
  return text;
};

function config(argv: Record<string, unknown>, env: Record<string, string> = {}) {
  return buildConfig(readSettings({ 'ssh-config': '/nonexistent', ...argv }, { POSTGRES_HOST: 'db.example.com', ...env }), pw, undefined, read);
}

test('flags win over the environment; defaults fill the rest', () => {
  const c = config({ host: ['10.0.0.4'], 'mlflow-port': 6000 }, { PROVISION_MLFLOW_PORT: '7000', POSTGRES_USER: 'u1' });
  assert.equal(c.server.port, 6000);
  assert.equal(c.db.user, 'u1');
  assert.equal(c.db.database, 'mlflow');
  assert.equal(c.db.sslmode, 'require');
  assert.equal(c.targets[0]!.user, 'azureuser');
  assert.equal(c.targets[0]!.port, 22);
  assert.equal(c.concurrency, 10);
});

test('--host repeated and a hosts file combine; duplicates run once, with a warning; overrides apply per host', () => {
  const c = config({ host: ['10.0.0.9'], 'hosts-file': 'hosts.txt' });
  assert.deepEqual(
    c.targets.map((t) => [t.label, t.user, t.port, t.origin, t.overrides]),
    [
      ['10.0.0.9', 'azureuser', 22, '--host', {}],
      ['10.0.0.4', 'azureuser', 22, 'hosts.txt:2', {}],
      ['10.0.0.5', 'ops', 2222, 'hosts.txt:3', { port: 5001, artifactsDir: '/data/a' }],
    ],
  );
  assert.match(c.warnings.join('\n'), /hosts\.txt line 4: 10\.0\.0\.4 repeats line 2; it runs once/);
  assert.match(c.warnings.join('\n'), /3 VMs share the database db\.example\.com\/mlflow but keep artifacts on their own disks/);
});

test('a bad override names the file and line; an unreadable file says so', () => {
  assert.throws(() => config({ 'hosts-file': 'bad.txt' }), /bad\.txt has a bad line \(line 2: mlflow-port must be a whole number from 1 to 65535, not "0"\)/);
  assert.throws(() => config({ 'hosts-file': 'missing.txt' }), /Cannot read the hosts file missing\.txt \(ENOENT\)/);
});

test('the default allow-list: the host as given and as connected to, with and without port, plus localhost', () => {
  const c = config({ host: ['10.0.0.4'] });
  assert.deepEqual(defaultAllowedHosts(c.targets[0]!, 5000), ['10.0.0.4', '10.0.0.4:5000', 'localhost', 'localhost:5000', '127.0.0.1', '127.0.0.1:5000']);
});

test('--public-name joins the allow-list (with and without port) and the CORS origins', () => {
  const c = config({ host: ['10.0.0.4'], 'public-name': ['MLflow.Example.com', '203.0.113.7,fd00::7'] });
  assert.deepEqual(c.server.publicNames, ['mlflow.example.com', '203.0.113.7', 'fd00::7']);
  const t = c.targets[0]!;
  assert.deepEqual(defaultAllowedHosts(t, 5000, c.server.publicNames), [
    '10.0.0.4',
    '10.0.0.4:5000',
    'mlflow.example.com',
    'mlflow.example.com:5000',
    '203.0.113.7',
    '203.0.113.7:5000',
    '[fd00::7]',
    '[fd00::7]:5000',
    'localhost',
    'localhost:5000',
    '127.0.0.1',
    '127.0.0.1:5000',
  ]);
  assert.deepEqual(corsOrigins(t, 5000, c.server.publicNames), [
    'http://10.0.0.4:5000',
    'http://mlflow.example.com:5000',
    'http://203.0.113.7:5000',
    'http://[fd00::7]:5000',
  ]);
  assert.deepEqual(corsOrigins(t, 80), ['http://10.0.0.4']);
  assert.throws(
    () => config({ host: ['10.0.0.4'], 'public-name': ['mlflow.example.com:5000'] }),
    /--public-name "mlflow\.example\.com:5000" is not a host name/,
  );
});
