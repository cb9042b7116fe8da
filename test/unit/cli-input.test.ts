import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'prov-cli-'));
const encryptedKey = join(dir, 'enc_key');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-pass', '-f', encryptedKey]);
writeFileSync(join(dir, 'bad-hosts.txt'), '10.0.0.4\nbad!host\n10.0.0.5:0\n');
const plainKey = join(dir, 'plain_key');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plainKey]);

/** Runs the real CLI (TypeScript sources through tsx) with a clean environment and no terminal. */
export function runCli(args: string[], env: Record<string, string> = {}, input = ''): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: dir,
    input,
    encoding: 'utf8',
    timeout: 30000,
    env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', ...env },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const DB = { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: 'pw-for-tests' };

const CASES: Array<{ name: string; args: string[]; env?: Record<string, string>; expect: RegExp }> = [
  { name: 'unknown flag', args: ['--host', '10.0.0.4', '--colour'], env: DB, expect: /Unknown argument: colour\. Run provision --help/ },
  { name: 'password as a plain flag', args: ['--host', '10.0.0.4', '--pg-password', 'x'], env: DB, expect: /--pg-password is not accepted/ },
  { name: 'missing host under --yes', args: ['--yes'], env: DB, expect: /Missing --host <vm-ip>.*--yes never prompts|Missing --host <vm-ip>/ },
  {
    name: 'missing database host and password',
    args: ['--host', '10.0.0.4', '--yes'],
    expect: /Missing --pg-host \(or POSTGRES_HOST in \.env\), the database password/,
  },
  { name: 'malformed host', args: ['--host', 'bad host!'], env: DB, expect: /--host "bad host!" is not a valid host name or IP address/ },
  { name: 'ssh port out of range', args: ['--host', '10.0.0.4', '--ssh-port', '70000'], env: DB, expect: /--ssh-port must be a whole number from 1 to 65535/ },
  {
    name: 'mlflow port not a number',
    args: ['--host', '10.0.0.4', '--mlflow-port', 'abc'],
    env: DB,
    expect: /--mlflow-port must be a whole number from 1 to 65535/,
  },
  { name: 'pg port zero', args: ['--host', '10.0.0.4', '--pg-port', '0'], env: DB, expect: /--pg-port must be a whole number/ },
  {
    name: 'unreadable identity file',
    args: ['--host', '10.0.0.4', '--identity-file', '/nonexistent/key'],
    env: DB,
    expect: /Cannot read the identity file \/nonexistent\/key \(no such file\)/,
  },
  {
    name: 'public key given as identity',
    args: ['--host', '10.0.0.4', '--identity-file', `${plainKey}.pub`],
    env: DB,
    expect: /is a public key|not a usable private key/,
  },
  {
    name: 'encrypted key without a passphrase',
    args: ['--host', '10.0.0.4', '--identity-file', encryptedKey],
    env: DB,
    expect: /is encrypted and no passphrase is available: set PROVISION_SSH_PASSPHRASE/,
  },
  {
    name: 'encrypted key with a wrong passphrase',
    args: ['--host', '10.0.0.4', '--identity-file', encryptedKey],
    env: { ...DB, PROVISION_SSH_PASSPHRASE: 'nope' },
    expect: /passphrase for .* is wrong/,
  },
  { name: 'relative artifacts path', args: ['--host', '10.0.0.4', '--artifacts-dir', 'mlruns'], env: DB, expect: /--artifacts-dir must be an absolute path/ },
  {
    name: 'allowed-hosts not a host list',
    args: ['--host', '10.0.0.4', '--allowed-hosts', 'http://x.com/'],
    env: DB,
    expect: /--allowed-hosts entry "http:\/\/x\.com\/" is not a host/,
  },
  {
    name: 'allowed-hosts with a bad port',
    args: ['--host', '10.0.0.4', '--allowed-hosts', 'x.com:99999'],
    env: DB,
    expect: /--allowed-hosts entry "x\.com:99999"/,
  },
  { name: 'bad sslmode', args: ['--host', '10.0.0.4', '--pg-sslmode', 'maybe'], env: DB, expect: /Invalid values:[\s\S]*pg-sslmode/ },
  {
    name: 'bad mlflow version',
    args: ['--host', '10.0.0.4', '--mlflow-version', '3.x; rm'],
    env: DB,
    expect: /--mlflow-version "3\.x; rm" is not a version number/,
  },
  { name: 'flag without its value', args: ['--host'], env: DB, expect: /Not enough arguments following: host/ },
  {
    name: 'hosts-file with bad lines',
    args: ['--hosts-file', 'bad-hosts.txt'],
    env: DB,
    expect:
      /bad-hosts\.txt has 2 bad lines \(line 2: "bad!host" is not a valid host name or IP address; line 3: port "0" is not a number from 1 to 65535\); fix them and rerun: nothing was started\./,
  },
  {
    name: 'hosts-file that cannot be read',
    args: ['--hosts-file', 'missing.txt'],
    env: DB,
    expect: /Cannot read the hosts file missing\.txt \(ENOENT\): check --hosts-file\./,
  },
  {
    name: 'concurrency out of range',
    args: ['--host', '10.0.0.4', '--concurrency', '0'],
    env: DB,
    expect: /--concurrency must be a whole number from 1 to 100, not "0"\./,
  },
  {
    name: 'bad boolean in the environment',
    args: ['--host', '10.0.0.4'],
    env: { ...DB, PROVISION_YES: 'maybe' },
    expect: /PROVISION_YES="maybe" is not a boolean/,
  },
];

for (const c of CASES) {
  test(`bad input: ${c.name} -> one clear sentence, exit 2`, () => {
    const res = runCli(c.args, c.env);
    assert.equal(res.code, 2, `exit code; stderr: ${res.stderr}`);
    assert.match(res.stderr, c.expect);
    assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(res.stdout.trim(), '', 'nothing on stdout');
  });
}

test('--help and --version exit 0', () => {
  const help = runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--pg-password-stdin/);
  const version = runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('.env values are read, and flags win over them', () => {
  writeFileSync(join(dir, '.env'), 'POSTGRES_HOST=db.example.com\nPOSTGRES_PASSWORD=from-dotenv\nPROVISION_MLFLOW_PORT=abc\n');
  const fromEnv = runCli(['--host', '10.0.0.4']);
  assert.equal(fromEnv.code, 2);
  assert.match(fromEnv.stderr, /PROVISION_MLFLOW_PORT must be a whole number from 1 to 65535, not "abc"\./);
  const res = runCli(['--host', '10.0.0.4', '--mlflow-port', '5000', '--identity-file', '/nonexistent']);
  assert.match(res.stderr, /Cannot read the identity file/);
});
