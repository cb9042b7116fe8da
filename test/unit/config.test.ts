import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fastParse } from '../../src/cli/fast-parse.js';
import { buildCommandConfig } from '../../src/config/config.js';
import { flagsOf, lifecycleOptions, OPTIONS, optionsOf, PROVISION_OPTIONS } from '../../src/config/options.js';
import { corsOrigins, defaultAllowedHosts } from '../../src/plan/desired.js';
import { readSettings } from '../../src/config/settings.js';
import { Secret } from '../../src/util/secret.js';

const pw = 'config-test-password';
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
  return buildCommandConfig(
    'provision',
    readSettings({ 'ssh-config': '/nonexistent', ...argv }, { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: pw, ...env }),
    {
      readFile: read,
    },
  );
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
  // Shared database, VM-disk artifacts: no longer a warning here, the fleet rules refuse it (test/unit/fleet-rules.test.ts).
  assert.doesNotMatch(c.warnings.join('\n'), /share the database/);
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

test('the option table: a default is a value or a description, never both; a value default is one of its choices and in its range', () => {
  for (const o of OPTIONS) {
    assert.ok(o.default === undefined || o.defaultText === undefined, `${o.name}: both a default value and a default text`);
    if (o.default !== undefined && o.choices) assert.ok(o.choices.includes(String(o.default)), `${o.name}: default ${o.default} not a choice`);
    if (typeof o.default === 'number' && o.range) assert.ok(o.default >= o.range.min && o.default <= o.range.max, `${o.name}: default out of range`);
    if (o.default !== undefined) assert.equal(typeof o.default, o.type === 'number' ? 'number' : 'string', `${o.name}: default of the wrong type`);
  }
  // What each command takes stays in the table.
  assert.deepEqual(
    lifecycleOptions('logs')
      .filter((o) => o.group === 'Command')
      .map((o) => o.name),
    ['lines', 'follow'],
  );
  assert.deepEqual(
    lifecycleOptions('remove')
      .filter((o) => !optionsOf('status').includes(o))
      .map((o) => o.name),
    ['purge-artifacts'],
  );
});

test("the defaults the builders use are the table's: a changed table default changes the configuration", () => {
  const c = config({ host: ['10.0.0.4'] });
  const byName = (name: string) => OPTIONS.find((o) => o.name === name)!;
  assert.equal(c.db.user, byName('pg-user').default);
  assert.equal(c.db.database, byName('pg-db').default);
  assert.equal(c.db.port, byName('pg-port').default);
  assert.equal(c.server.port, byName('mlflow-port').default);
  assert.equal(c.ssh.connectTimeoutMs, (byName('connect-timeout').default as number) * 1000);
  assert.equal(c.concurrency, byName('concurrency').default);
  assert.equal(c.server.logMaxBytes, undefined, "the log size default is the launcher writer's: nothing in the configuration fingerprint");
  const logs = buildCommandConfig('logs', readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent' }, {}, lifecycleOptions('logs')));
  assert.equal(logs.lines, byName('lines').default);
});

test('secrets are options of the table, read from the environment only, and reach the configuration as Secrets', () => {
  const secrets = OPTIONS.filter((o) => o.type === 'secret').map((o) => o.env[0]);
  assert.deepEqual(secrets.sort(), [
    'AZURE_STORAGE_ACCESS_KEY',
    'AZURE_STORAGE_CONNECTION_STRING',
    'MLFLOW_AUTH_ADMIN_PASSWORD',
    'POSTGRES_PASSWORD',
    'PROVISION_SSH_PASSPHRASE',
  ]);
  assert.deepEqual(
    flagsOf(OPTIONS).filter((o) => o.type === 'secret'),
    [],
  );
  assert.equal(fastParse(['--host', '10.0.0.4', '--ssh-passphrase', 'x'], PROVISION_OPTIONS), undefined, 'not a flag: yargs refuses it');
  assert.equal(readSettings({ 'pg-password': 'from-a-flag' }, {}).has('pg-password'), false);

  const c = config({ host: ['10.0.0.4'] }, { PROVISION_SSH_PASSPHRASE: 'passphrase-from-env' });
  assert.ok(c.db.password instanceof Secret);
  assert.equal(c.db.password.reveal(), pw);
  assert.equal(c.ssh.passphrase?.reveal(), 'passphrase-from-env');
  assert.equal(String(c.db.password), '***');
  const status = buildCommandConfig(
    'status',
    readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent' }, { PROVISION_SSH_PASSPHRASE: 'pp-status' }, optionsOf('status')),
  );
  assert.equal(status.ssh.passphrase?.reveal(), 'pp-status');
  assert.throws(() => config({ host: ['10.0.0.4'] }, { POSTGRES_PASSWORD: '' }), /The database password is empty/);
});

test("PROVISION_APT_STALL_SECONDS (or --apt-stall-seconds) is the configuration's apt stall bound; anything but whole seconds is refused", () => {
  assert.equal(config({ host: ['10.0.0.4'] }).aptStallSeconds, undefined);
  assert.equal(config({ host: ['10.0.0.4'] }, { PROVISION_APT_STALL_SECONDS: '5' }).aptStallSeconds, 5);
  assert.equal(config({ host: ['10.0.0.4'], 'apt-stall-seconds': '7' }, { PROVISION_APT_STALL_SECONDS: '5' }).aptStallSeconds, 7);
  for (const bad of ['0', '-1', '1.5', 'soon']) {
    assert.throws(
      () => config({ host: ['10.0.0.4'] }, { PROVISION_APT_STALL_SECONDS: bad }),
      new RegExp(`PROVISION_APT_STALL_SECONDS must be a whole number from 1 to 999999, not "${bad.replace('.', '\\.')}"\\.$`),
    );
  }
});

test('the lifecycle commands: their own options, --yes, and --follow with --json refused', () => {
  const lifecycle = (command: 'logs' | 'remove', argv: Record<string, unknown>, env: Record<string, string> = {}, interactive = false) =>
    buildCommandConfig(command, readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', ...argv }, env, lifecycleOptions(command)), { interactive });
  const logs = lifecycle('logs', { lines: '20', follow: true });
  assert.deepEqual([logs.command, logs.lines, logs.follow, logs.purgeArtifacts, logs.dryRun, logs.yes], ['logs', 20, true, false, false, false]);
  assert.throws(() => lifecycle('logs', { follow: true, json: true }), /--follow and --json exclude each other/);
  const remove = lifecycle('remove', { 'purge-artifacts': true }, { PROVISION_YES: '1' }, true);
  assert.deepEqual([remove.purgeArtifacts, remove.yes, remove.interactive], [true, true, true]);
});

test('before parsing: every secret option given as a flag is refused in one sentence; --verbose or its variable asks for stack traces', async () => {
  const { secretFlagRefusal, verboseRequested } = await import('../../src/config/early.js');
  assert.equal(
    secretFlagRefusal(['--host', 'a', '--pg-password=x']),
    '--pg-password is not accepted: a password on the command line leaks into shell history and ps. Set POSTGRES_PASSWORD in .env or use --pg-password-stdin.',
  );
  assert.match(secretFlagRefusal(['--auth-admin-password', 'x'])!, /Set MLFLOW_AUTH_ADMIN_PASSWORD in \.env, or run in a terminal to be asked\.$/);
  assert.equal(
    secretFlagRefusal(['--azure-storage-access-key', 'k']),
    '--azure-storage-access-key is not accepted: a secret on the command line leaks into shell history and ps. Set AZURE_STORAGE_ACCESS_KEY in .env.',
  );
  assert.equal(secretFlagRefusal(['--pg-password-stdin', '--host', 'a']), undefined);
  assert.equal(verboseRequested(['--verbose'], {}), true);
  assert.equal(verboseRequested([], { PROVISION_VERBOSE: 'true' }), true);
  assert.equal(verboseRequested([], {}), false);
});
