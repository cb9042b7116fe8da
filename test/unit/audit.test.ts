// The pure parts of the audit fixes (issue 16): the artifacts-folder rules, masking by value, the private
// host log, the keyed configuration fingerprint and the command builders that never touch what is not ours.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { adminPasswordProblem } from '../../src/config/config.js';
import { artifactsFolderProblem, artifactsPathProblem, requireSafeArtifactsDir } from '../../src/config/artifacts-dir.js';
import { HostLog } from '../../src/run/host-log.js';
import { configFingerprint, renderSecretsEnv, sha256 } from '../../src/render/server-files.js';
import { artifactsCommand, removeLeftoverUploadsCommand, startServerCommand } from '../../src/plan/commands.js';
import { buildProbeScript, parseFacts } from '../../src/plan/facts.js';
import { remoteLayout } from '../../src/render/server-files.js';
import { UsageError } from '../../src/util/errors.js';
import { maskSecrets, Secret } from '../../src/util/secret.js';

test('artifacts paths refused by name: the root, system trees and the bare roots of user folders', () => {
  for (const p of [
    '/',
    '/etc',
    '/etc/mlflow',
    '/usr/local/x',
    '/var',
    '/var/log/mlflow',
    '/root/a',
    '/boot',
    '/home',
    '/srv',
    '/opt',
    '/tmp',
    '/proc/1',
    '/run/x',
    '/a/../etc',
    '/etc/',
  ]) {
    assert.ok(artifactsPathProblem(p), `${p} is refused`);
    assert.throws(() => requireSafeArtifactsDir(p), UsageError);
  }
  for (const p of [
    '/srv/mlflow',
    '/opt/mlflow/artifacts',
    '/var/lib/mlflow',
    '/mnt/data/mlflow',
    '/datadrive/mlflow',
    '/home/azureuser/mlruns-artifacts',
    '/tmp/x',
  ]) {
    assert.equal(artifactsPathProblem(p), undefined, `${p} is allowed`);
  }
  assert.throws(
    () => requireSafeArtifactsDir('/etc', 'hosts.txt line 2: '),
    /^Error: hosts\.txt line 2: --artifacts-dir \/etc is refused: it is the system folder \/etc; MLflow's artifact API reads and writes every file in it\./,
  );
});

test('artifacts folders refused on the VM, judged on the resolved path', () => {
  const home = '/home/azureuser';
  const judge = (given: string, real: string, state: 'ok' | 'missing' | 'not-writable' | 'symlink' | 'not-a-folder' = 'missing', foreignOwner?: string) =>
    artifactsFolderProblem(given, { real, home, state, ...(foreignOwner ? { foreignOwner } : {}) }, 'azureuser');
  assert.match(judge(home, home, 'ok')!, /it is your home folder/);
  assert.match(judge('/home/azureuser/', home, 'ok')!, /it is your home folder/);
  assert.match(judge('/srv/link', home, 'symlink')!, /symbolic link/);
  assert.match(judge('/srv/a', home, 'ok')!, /\(\/home\/azureuser\) is refused: it is your home folder/, 'a path that resolves to the home');
  assert.match(judge('/home/azureuser/.ssh', '/home/azureuser/.ssh', 'ok')!, /hidden folder ~\/\.ssh/);
  assert.match(judge('/home/azureuser/.config/x', '/home/azureuser/.config/x')!, /hidden folder ~\/\.config/);
  assert.match(judge('/home/azureuser/mlflow-venv/bin', '/home/azureuser/mlflow-venv/bin', 'ok')!, /virtual environment/);
  assert.match(judge('/home/other/a', '/home/other/a')!, /another user's home folder \(\/home\/other\)/);
  assert.match(judge('/data/x', '/data/x', 'ok', 'root')!, /belongs to root, and provision never takes over a folder it did not create/);
  assert.match(judge('/data/x', '/data/x', 'not-writable')!, /chmod u\+w \/data\/x/);
  assert.match(judge('/data/x', '/data/x', 'not-a-folder')!, /not a folder/);
  assert.match(judge('/srv/x', '/etc/x', 'ok')!, /\(\/etc\/x\) is refused: it is inside the system folder \/etc/);
  assert.equal(judge('/home/azureuser/mlruns-artifacts', '/home/azureuser/mlruns-artifacts'), undefined);
  assert.equal(judge('/srv/mlflow', '/srv/mlflow', 'ok'), undefined);
});

test('the probe resolves the artifacts path and the home, and tells a symlink, a file and leftovers apart', () => {
  const root = mkdtempSync(join(tmpdir(), 'audit-probe-'));
  const home = join(root, 'home');
  mkdirSync(home);
  symlinkSync(home, join(root, 'to-home'));
  writeFileSync(join(root, 'a-file'), '');
  writeFileSync(join(home, '.mlflow-server.env.provision-0a1b2c3d'), 'partial');
  writeFileSync(join(home, 'start-mlflow-server.sh.provision-zzzz'), 'not ours: not 8 hex digits');
  const probe = (artifactsDir: string) =>
    parseFacts(
      execFileSync('bash', ['-c', buildProbeScript({ mlflowPort: 5000, artifactsDir })], {
        env: { HOME: home, PATH: process.env.PATH },
        encoding: 'utf8',
      }),
    );
  const link = probe(join(root, 'to-home'));
  assert.equal(link.artifactsDir, 'symlink');
  assert.equal(link.artifactsReal, home);
  assert.equal(link.homeReal, home);
  assert.deepEqual(link.leftoverUploads, [join(home, '.mlflow-server.env.provision-0a1b2c3d')]);
  assert.equal(probe(join(root, 'a-file')).artifactsDir, 'not-a-folder');
  const through = probe(join(root, 'to-home', 'sub'));
  assert.equal(through.artifactsDir, 'missing');
  assert.equal(through.artifactsReal, join(home, 'sub'), 'a symlinked parent is resolved');
});

test('the artifacts folder is created with mkdir (never an existing one), chown -h, no install -d', () => {
  const c = artifactsCommand('/srv/ml flow', 'azureuser');
  assert.equal(c.command, `sudo -n mkdir -p -- /srv && sudo -n mkdir -m 0750 -- '/srv/ml flow' && sudo -n chown -h -- azureuser:"$(id -gn)" '/srv/ml flow'`);
  assert.doesNotMatch(c.command, /install -d|chmod/);
});

test('leftover uploads: only <file>.provision-<8 hex> directly in the home are removed', () => {
  const c = removeLeftoverUploadsCommand('/home/u', [
    '/home/u/.mlflow-server.env.provision-0a1b2c3d',
    '/etc/passwd',
    '/home/u/x/.a.provision-0a1b2c3d',
    '/home/u/a.provision-0a1b2c3',
  ]);
  assert.equal(c.command, 'rm -f -- /home/u/.mlflow-server.env.provision-0a1b2c3d');
});

test('masking by value: whole values only for short secrets, anywhere for long ones, every length', () => {
  new Secret('dat');
  assert.equal(maskSecrets('the database dat is ready'), 'the database *** is ready', 'not inside "database"');
  new Secret('q');
  assert.equal(maskSecrets('q: quit'), '***: quit', 'a one-character secret is masked too');
  new Secret('x7');
  assert.equal(maskSecrets('pw=x7;'), 'pw=***;');
  new Secret('LongSecretValue42');
  assert.equal(maskSecrets('prefixLongSecretValue42suffix'), 'prefix***suffix');
  new Secret('quote"back\\slash');
  assert.equal(maskSecrets(JSON.stringify({ e: 'was quote"back\\slash' })), '{"e":"was ***"}', 'the JSON-escaped form');
  new Secret('p@ss/word!');
  assert.equal(maskSecrets('postgresql://u:p%40ss%2Fword!@h'), 'postgresql://u:***@h', 'the percent-encoded form');
});

test('the host log is 0600 even over an existing 0644 file, and never written through a symlink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-log-'));
  writeFileSync(join(dir, 'vm1.log'), 'old');
  chmodSync(join(dir, 'vm1.log'), 0o644);
  const log = new HostLog(dir, 'vm1');
  log.write('hello');
  log.close();
  assert.equal(statSync(join(dir, 'vm1.log')).mode & 0o777, 0o600);
  assert.match(readFileSync(join(dir, 'vm1.log'), 'utf8'), /hello/);
  const target = join(dir, 'target');
  writeFileSync(target, 'precious');
  symlinkSync(target, join(dir, 'vm2.log'));
  assert.throws(() => new HostLog(dir, 'vm2'), /The log file .*vm2\.log is a symbolic link; provision does not write logs through links/);
  assert.equal(readFileSync(target, 'utf8'), 'precious');
  assert.ok(lstatSync(join(dir, 'vm2.log')).isSymbolicLink());
});

test('the configuration fingerprint is salted (HMAC), and the PID file is written 0600 with the salt', () => {
  const secrets = renderSecretsEnv({ host: 'db', port: 5432, user: 'u', database: 'd', password: new Secret('pw-fp-test'), sslmode: 'require' });
  const k1 = 'a'.repeat(32);
  const k2 = 'b'.repeat(32);
  const unkeyed = sha256(`${sha256('L')}\n${sha256(secrets.reveal())}`).slice(0, 16);
  assert.notEqual(configFingerprint('L', secrets, undefined, k1), unkeyed);
  assert.notEqual(configFingerprint('L', secrets, undefined, k1), configFingerprint('L', secrets, undefined, k2));
  assert.equal(configFingerprint('L', secrets, undefined, k1), configFingerprint('L', secrets, undefined, 'a'.repeat(32)));
  const start = startServerCommand(remoteLayout('/home/u'), 'f00d', k1).command;
  assert.match(start, new RegExp(`rm -f /home/u/mlflow-server\\.pid\n\\(umask 077; echo "\\$pid \\$start f00d ${k1}" > /home/u/mlflow-server\\.pid\\)`));
  assert.doesNotMatch(startServerCommand(remoteLayout('/home/u'), 'f00d', 'x; rm -rf ~').command, /rm -rf ~/, 'only a hex salt reaches the shell');
});

test('admin passwords MLflow refuses are refused before the run', () => {
  assert.match(adminPasswordProblem(new Secret('short'))!, /at least 12 characters/);
  assert.match(adminPasswordProblem(new Secret('password1234'))!, /default password older MLflow versions shipped/);
  assert.match(adminPasswordProblem(new Secret('twelve chars\nmore'))!, /line break/);
  assert.equal(adminPasswordProblem(new Secret('ünïcödé-pässwörd')), undefined);
  assert.match(adminPasswordProblem(new Secret('ü'.repeat(11)))!, /at least 12/, 'counted in characters, as Python does');
});
