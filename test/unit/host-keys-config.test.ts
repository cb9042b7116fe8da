// Which known_hosts files and name each VM's host key is checked under (--known-hosts, the ssh config's
// HostKeyAlias, UserKnownHostsFile, GlobalKnownHostsFile, OpenSSH's defaults), and a bad known_hosts path
// refused while the configuration is built (exit 2), for `provision` and `provision status`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { UsageError } from '../../src/util/errors.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const pw = 'host-keys-config-test-password';

function status(argv: Record<string, unknown>, env: Record<string, string> = {}) {
  return buildCommandConfig('status', readSettings({ 'ssh-config': '/nonexistent', ...argv }, env));
}
function provision(argv: Record<string, unknown>, env: Record<string, string> = {}) {
  return buildCommandConfig(
    'provision',
    readSettings({ 'ssh-config': '/nonexistent', ...argv }, { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: pw, ...env }),
  );
}

/** Runs `fn` with HOME set to `home` (os.homedir() follows HOME, as OpenSSH's ~ follows the user's home). */
function withHome<T>(home: string, fn: () => T): T {
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    return fn();
  } finally {
    process.env.HOME = saved;
  }
}

test('the ssh config names the known_hosts files and the name: HostKeyAlias lowercased, tokens and ~ expanded', () => {
  const home = mkdtempSync(join(tmpdir(), 'prov-khc-'));
  const config = join(home, 'ssh_config');
  writeFileSync(
    config,
    [
      'Host LabVM',
      '  HostName 10.0.0.7',
      '  User ops',
      '  Port 2222',
      '  HostKeyAlias LabVM',
      '  UserKnownHostsFile %d/kh/%h_%p_%r_%n_%k_%u_%l_%%  ~/second ${PROV_TEST_DIR}/third',
      '  GlobalKnownHostsFile ~/global1 /etc/g2_%h',
      'Host plain',
      '  HostName VM1.Example.com',
      '',
    ].join('\n'),
  );
  process.env.PROV_TEST_DIR = '/env-dir';
  const c = withHome(home, () => status({ host: ['LabVM', 'plain', 'Other.Example.COM'], 'ssh-config': config }));
  delete process.env.PROV_TEST_DIR;
  assert.deepEqual(c.targets[0]!.knownHosts, {
    name: 'labvm',
    userFiles: [`${home}/kh/10.0.0.7_2222_ops_LabVM_labvm_${userInfo().username}_${hostname()}_%`, `${home}/second`, '/env-dir/third'],
    globalFiles: [`${home}/global1`, '/etc/g2_%h'], // OpenSSH expands only ~ in GlobalKnownHostsFile
  });
  assert.deepEqual(c.targets[1]!.knownHosts, {
    name: 'vm1.example.com',
    userFiles: [`${home}/.ssh/known_hosts`, `${home}/.ssh/known_hosts2`],
    globalFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
  });
  assert.equal(c.targets[2]!.knownHosts!.name, 'other.example.com');
  assert.equal(withHome(home, () => status({ host: ['Other.Example.COM'], 'ssh-port': 2200 })).targets[0]!.knownHosts!.name, '[other.example.com]:2200');

  // --known-hosts and PROVISION_KNOWN_HOSTS win over UserKnownHostsFile; the global files stay.
  for (const c2 of [
    withHome(home, () => status({ host: ['LabVM'], 'ssh-config': config, 'known-hosts': '~/flag_kh' })),
    withHome(home, () => provision({ host: ['LabVM'], 'ssh-config': config }, { PROVISION_KNOWN_HOSTS: `${home}/flag_kh` })),
  ]) {
    assert.deepEqual(c2.targets[0]!.knownHosts, { name: 'labvm', userFiles: [`${home}/flag_kh`], globalFiles: [`${home}/global1`, '/etc/g2_%h'] });
  }
  writeFileSync(config, 'Host x\n  UserKnownHostsFile /a/%Z\n');
  assert.throws(
    () => status({ host: ['x'], 'ssh-config': config }),
    /ssh_config line 2: UserKnownHostsFile \/a\/%Z uses the unknown token %Z; write %% for a literal %\./,
  );
});

function usageError(re: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof UsageError, `a UsageError (exit 2), not ${String(err)}`);
    assert.match(err.message, re);
    return true;
  };
}

test('a --known-hosts that is a directory or cannot be created is a usage error before anything runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-khbad-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  for (const build of [status, provision]) {
    assert.throws(
      () => build({ host: ['10.0.0.4'], 'known-hosts': dir }),
      usageError(
        new RegExp(`^--known-hosts ${esc(dir)} is a directory, not a known_hosts file: give --known-hosts another file, e\\.g\\. ${esc(dir)}/known_hosts\\.$`),
      ),
    );
    assert.throws(
      () => build({ host: ['10.0.0.4'], 'known-hosts': join(file, 'sub', 'known_hosts') }),
      usageError(
        new RegExp(
          `^--known-hosts ${esc(file)}/sub/known_hosts cannot be created \\(${esc(file)} is not a folder\\): give --known-hosts another file in a folder you can write to\\.$`,
        ),
      ),
    );
    assert.throws(
      () => build({ host: ['10.0.0.4'] }, { PROVISION_KNOWN_HOSTS: dir }),
      usageError(new RegExp(`^PROVISION_KNOWN_HOSTS=${esc(dir)} is a directory, not a known_hosts file: set PROVISION_KNOWN_HOSTS to another file, e\\.g\\. `)),
    );
    // a file in folders that do not exist yet is fine: they are created when the first key is recorded
    assert.equal(build({ host: ['10.0.0.4'], 'known-hosts': join(dir, 'new', 'deeper', 'known_hosts') }).targets.length, 1);
    // with --host-key-policy strict nothing is written: a missing file only holds no keys
    assert.equal(build({ host: ['10.0.0.4'], 'known-hosts': join(file, 'sub', 'kh'), 'host-key-policy': 'strict' }).targets.length, 1);
  }
  const config = join(dir, 'ssh_config');
  writeFileSync(config, `Host vm\n  UserKnownHostsFile ${dir}\n`);
  assert.throws(
    () => status({ host: ['vm'], 'ssh-config': config }),
    usageError(
      new RegExp(
        `^UserKnownHostsFile ${esc(dir)} \\(${esc(config)} line 2\\) is a directory, not a known_hosts file: change that line or give --known-hosts another file`,
      ),
    ),
  );
});

test('an unreadable --known-hosts is a usage error (checked as an unprivileged user)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-khperm-'));
  chmodSync(dir, 0o755);
  const file = join(dir, 'known_hosts');
  writeFileSync(file, '');
  chmodSync(file, 0o000);
  const script = `
    const { buildCommandConfig } = await import(${JSON.stringify(join(REPO, 'src/config/config.ts'))});
    const { readSettings } = await import(${JSON.stringify(join(REPO, 'src/config/settings.ts'))});
    const settings = readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'known-hosts': ${JSON.stringify(file)} }, { POSTGRES_HOST: 'db', POSTGRES_PASSWORD: 'x' });
    for (const build of [() => buildCommandConfig('status', settings), () => buildCommandConfig('provision', settings)]) {
      try { build(); console.log('no error'); } catch (err) { console.log(err.constructor.name + ': ' + err.message); }
    }`;
  let res;
  if (process.getuid?.() === 0) {
    // root reads any file: run the check as nobody
    res = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, HOME: '/nonexistent' },
    });
    if (res.error) {
      t.skip(`cannot drop privileges: ${res.error.message}`);
      return;
    }
  } else {
    res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
  }
  const expected = `UsageError: --known-hosts ${file} cannot be read (EACCES): fix its permissions or give --known-hosts another file.`;
  assert.deepEqual(res.stdout.trim().split('\n'), [expected, expected], res.stderr);
});
