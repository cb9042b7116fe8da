// Issue 6 (host keys and connection faults) and issue 3's host-key rules, on a lab VM. These runs use
// --dry-run where they get past the connection: it probes and plans but touches nothing, so no apt work.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { LAB_KEY, LAB_SSH_CONFIG, LAB_STATE, ensureLab, requireLab, resetVm, vmExec, vmIp, vmReadFile } from './lab.js';
import { newWorkdir, provision } from './cli.js';

const VM = 7;
const IP = vmIp(VM);

function flags(workdir: string, extra: string[] = []): string[] {
  return ['--host', IP, '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'known_hosts'), '--yes', '--dry-run', ...extra];
}

before(async (t) => {
  if (requireLab(t as never)) {
    await ensureLab(VM);
    await resetVm(VM);
  }
});

test('a new host key is recorded as OpenSSH would, a changed one is refused with the ssh-keygen -R hint', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const kh = join(workdir, 'known_hosts');
  writeFileSync(kh, '# my own line\nother.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n');

  const first = await provision(flags(workdir), { workdir });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const vmKey = (await vmReadFile(VM, '/etc/ssh/ssh_host_ed25519_key.pub')).trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(workdir, 'vm.pub'), `${vmKey}\n`);
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(workdir, 'vm.pub')], { encoding: 'utf8' }).split(' ')[1];
  assert.ok(first.stdout.includes(`new host key ssh-ed25519 ${fp}`), 'the fingerprint is shown');
  const text = readFileSync(kh, 'utf8');
  assert.ok(text.startsWith('# my own line\nother.example.com'), 'existing lines kept');
  assert.ok(text.endsWith(`${IP} ${vmKey}\n`), 'one line appended');
  assert.equal(spawnSync('ssh-keygen', ['-F', IP, '-f', kh]).status, 0, 'ssh-keygen -F finds it');
  assert.match(first.stdout, /dry run: nothing was touched/);

  // Same key, hashed by ssh-keygen -H: still accepted, nothing appended.
  execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
  const hashed = readFileSync(kh, 'utf8');
  const second = await provision(flags(workdir), { workdir });
  assert.equal(second.code, 0, second.stdout);
  assert.doesNotMatch(second.stdout, /new host key/);
  assert.equal(readFileSync(kh, 'utf8'), hashed);

  // The VM is reinstalled: new host keys. Refused, with the fix; known_hosts untouched.
  await resetVm(VM);
  const changed = await provision(flags(workdir), { workdir });
  assert.equal(changed.code, 1);
  assert.match(
    changed.stdout,
    new RegExp(
      `The host key of ${IP.replace(/\./g, '\\.')} has CHANGED \\(now SHA256:[A-Za-z0-9+/]+; .* holds another ssh-ed25519 key\\)\\. This may be a reinstalled VM or an attack\\. If you expect it, run: ssh-keygen -R ${IP.replace(/\./g, '\\.')} -f ${kh.replace(/[.\\/]/g, '\\$&')} and rerun\\.`,
    ),
  );
  assert.equal(readFileSync(kh, 'utf8'), hashed, 'known_hosts not modified');

  // Following the hint works.
  execFileSync('ssh-keygen', ['-R', IP, '-f', kh], { stdio: 'ignore' });
  const fixed = await provision(flags(workdir), { workdir });
  assert.equal(fixed.code, 0, fixed.stdout);
  assert.match(fixed.stdout, /new host key ssh-ed25519/);
});

test('--host-key-policy strict refuses an unknown host and records nothing', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const res = await provision(flags(workdir, ['--host-key-policy', 'strict', '--json']), { workdir });
  assert.equal(res.code, 1);
  const result = JSON.parse(res.stdout.trim());
  assert.equal(result.status, 'failed');
  assert.match(result.error, /is not in .*known_hosts \(key SHA256:.*\) and --host-key-policy is strict/);
  assert.ok(!existsSync(join(workdir, 'known_hosts')) || !readFileSync(join(workdir, 'known_hosts'), 'utf8').includes(IP), 'nothing recorded');
});

test('connection faults: nothing listening, closed port, wrong user, sudo with a password', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();

  const started = Date.now();
  const nobody = await provision(
    ['--host', '10.231.0.99', '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'kh'), '--yes', '--connect-timeout', '5', '--json'],
    { workdir },
  );
  assert.equal(nobody.code, 1);
  const r = JSON.parse(nobody.stdout.trim());
  assert.equal(r.status, 'unreachable');
  assert.match(r.error, /(No SSH answer from 10\.231\.0\.99:22 within 5 s|10\.231\.0\.99:22 is unreachable from this machine)/);
  assert.ok(Date.now() - started < 20_000, 'fails within the connect timeout, not minutes');

  const closed = await provision(['--host', IP, '--ssh-port', '2222', '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'kh'), '--yes'], { workdir });
  assert.equal(closed.code, 1);
  assert.match(closed.stdout, /Nothing accepts SSH connections on 10\.231\.0\.17:2222 \(connection refused\): check the VM is running and --ssh-port\./);

  const wrongUser = await provision([...flags(workdir), '--user', 'nosuchuser'], { workdir });
  assert.equal(wrongUser.code, 1);
  assert.match(wrongUser.stdout, /The VM refused SSH login as "nosuchuser": check --user/);

  const sudoers = '/etc/sudoers.d/90-cloud-init-users';
  const saved = await vmReadFile(VM, sudoers);
  await vmExec(VM, `rm -f ${sudoers}`);
  try {
    const noSudo = await provision(flags(workdir), { workdir });
    assert.equal(noSudo.code, 1);
    assert.match(noSudo.stdout, /"sudo" asks azureuser for a password on the VM; provision needs passwordless sudo/);
  } finally {
    await vmExec(VM, `cat > ${sudoers} && chmod 0440 ${sudoers}`, { input: saved });
  }
  const again = await provision(flags(workdir), { workdir });
  assert.equal(again.code, 0, 'a rerun recovers once sudo is fixed');
});

test('a ~/.ssh/config Host alias resolves HostName, User and IdentityFile', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const res = await provision(
    ['--host', `vm${VM}`, '--ssh-config', LAB_SSH_CONFIG, '--known-hosts', join(workdir, 'known_hosts'), '--yes', '--dry-run', '--json'],
    { workdir },
  );
  assert.equal(res.code, 0, res.stderr);
  const result = JSON.parse(res.stdout.trim());
  assert.equal(result.host, `vm${VM}`);
  assert.equal(result.status, 'ok');
  assert.ok(readFileSync(join(workdir, 'known_hosts'), 'utf8').startsWith(`${IP} ssh-ed25519 `), 'known_hosts records the HostName');
});

// ---- Audit: host-key lookups as OpenSSH does them (lower-case names, HostKeyAlias, UserKnownHostsFile,
// GlobalKnownHostsFile, Include), re-keys, `provision status`, and a bad --known-hosts refused up front.

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The VM's current ed25519 host key (`ssh-ed25519 AAAA...`) and its SHA256 fingerprint, read inside the VM. */
async function vmHostKey(workdir: string): Promise<{ line: string; fp: string }> {
  const line = (await vmReadFile(VM, '/etc/ssh/ssh_host_ed25519_key.pub')).trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(workdir, 'vm.pub'), `${line}\n`);
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(workdir, 'vm.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  return { line, fp };
}

/** Another ed25519 key, as a reinstalled VM (or an attacker) would present. */
function otherKey(workdir: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(workdir, 'other')]);
  return readFileSync(join(workdir, 'other.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
}

/** An ssh_config naming the VM `LabVM`, whose keys are stored under HostKeyAlias LabVM (OpenSSH: `labvm`). */
function aliasConfig(workdir: string, extra: string[] = []): string {
  const file = join(workdir, 'ssh_config');
  writeFileSync(file, ['Host LabVM', `  HostName ${IP}`, '  User azureuser', `  IdentityFile ${LAB_KEY}`, '  HostKeyAlias LabVM', ...extra, ''].join('\n'));
  return file;
}

test('HostKeyAlias: a hashed known_hosts entry for the lower-case alias holding another key is CHANGED, and nothing is recorded', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const kh = join(workdir, 'known_hosts');
  const config = aliasConfig(workdir);
  const args = ['--host', 'LabVM', '--ssh-config', config, '--known-hosts', kh, '--yes', '--dry-run'];

  const vm = await vmHostKey(workdir);
  // Another key hashed under "labvm": the VM's key is CHANGED for OpenSSH, so it is for provision.
  writeFileSync(kh, `labvm ${otherKey(workdir)}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
  const hashedOther = readFileSync(kh, 'utf8');
  const changed = await provision(args, { workdir });
  assert.equal(changed.code, 1, changed.stdout + changed.stderr);
  assert.match(
    changed.stdout,
    new RegExp(
      `The host key of labvm has CHANGED \\(now ${esc(vm.fp)}; ${esc(kh)} line 1 holds another ssh-ed25519 key\\)\\. ` +
        `This may be a reinstalled VM or an attack\\. If you expect it, run: ssh-keygen -R labvm -f ${esc(kh)} and rerun\\.`,
    ),
  );
  assert.equal(readFileSync(kh, 'utf8'), hashedOther, 'known_hosts gets no new line');

  // With the right key hashed under "labvm" (what ssh with HashKnownHosts yes records for HostKeyAlias LabVM): accepted as is.
  writeFileSync(kh, `labvm ${vm.line}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
  const hashedGood = readFileSync(kh, 'utf8');
  assert.match(hashedGood, /^\|1\|/);
  const ok = await provision(args, { workdir });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.doesNotMatch(ok.stdout, /new host key/);
  assert.equal(readFileSync(kh, 'utf8'), hashedGood, 'nothing appended');
  // The entry is under the lower-case name only (ssh-keygen -F compares hashes exactly).
  assert.equal(spawnSync('ssh-keygen', ['-F', 'labvm', '-f', kh]).status, 0);
  assert.equal(spawnSync('ssh-keygen', ['-F', 'LabVM', '-f', kh]).status, 1);
});

test('UserKnownHostsFile from the ssh config (through an Include in ~/.ssh) is where a new key is recorded; --known-hosts wins', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir(); // HOME of the run
  mkdirSync(join(workdir, '.ssh', 'conf.d'), { recursive: true });
  writeFileSync(join(workdir, '.ssh', 'conf.d', '50-lab.conf'), 'Host labvm-b\n  UserKnownHostsFile ~/hostkeys/%h_%r "~/never used"\n');
  const config = join(workdir, 'ssh_config');
  writeFileSync(config, ['Include conf.d/*.conf', 'Host labvm-b', `  HostName ${IP}`, `  IdentityFile ${LAB_KEY}`, ''].join('\n'));
  const vm = await vmHostKey(workdir);
  const recorded = join(workdir, 'hostkeys', `${IP}_azureuser`);

  const first = await provision(['--host', 'labvm-b', '--ssh-config', config, '--yes', '--dry-run'], { workdir });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.ok(first.stdout.includes(`new host key ssh-ed25519 ${vm.fp} recorded in ${recorded}`), first.stdout);
  assert.equal(readFileSync(recorded, 'utf8'), `${IP} ${vm.line}\n`);
  assert.equal(existsSync(join(workdir, '.ssh', 'known_hosts')), false, '~/.ssh/known_hosts is not used');

  const again = await provision(['--host', 'labvm-b', '--ssh-config', config, '--yes', '--dry-run'], { workdir });
  assert.equal(again.code, 0, again.stdout);
  assert.doesNotMatch(again.stdout, /new host key/, 'looked up there too');
  assert.equal(readFileSync(recorded, 'utf8'), `${IP} ${vm.line}\n`);

  const flagFile = join(workdir, 'flag_known_hosts');
  const flag = await provision(['--host', 'labvm-b', '--ssh-config', config, '--known-hosts', flagFile, '--yes', '--dry-run'], { workdir });
  assert.equal(flag.code, 0, flag.stdout);
  assert.ok(flag.stdout.includes(`new host key ssh-ed25519 ${vm.fp} recorded in ${flagFile}`));
  assert.equal(readFileSync(flagFile, 'utf8'), `${IP} ${vm.line}\n`);
});

test('a key in a GlobalKnownHostsFile is accepted, and nothing is written anywhere', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const vm = await vmHostKey(workdir);
  const global = join(workdir, 'global_known_hosts');
  writeFileSync(global, `${IP} ${vm.line}\n`);
  const config = join(workdir, 'ssh_config');
  writeFileSync(
    config,
    ['Host labvm-c', `  HostName ${IP}`, `  IdentityFile ${LAB_KEY}`, '  GlobalKnownHostsFile ~/missing ~/global_known_hosts', ''].join('\n'),
  );
  const kh = join(workdir, 'known_hosts');
  const mtime = statSync(global).mtimeMs;

  const res = await provision(['--host', 'labvm-c', '--ssh-config', config, '--known-hosts', kh, '--yes', '--dry-run', '--host-key-policy', 'strict'], {
    workdir,
  });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const ok = await provision(['--host', 'labvm-c', '--ssh-config', config, '--known-hosts', kh, '--yes', '--dry-run'], { workdir });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.doesNotMatch(ok.stdout, /new host key/);
  assert.equal(existsSync(kh), false, 'the user known_hosts is not written');
  assert.equal(readFileSync(global, 'utf8'), `${IP} ${vm.line}\n`);
  assert.equal(statSync(global).mtimeMs, mtime, 'the global file is never written');
});

test('re-keys during a run record the new key once, not once per key exchange', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const consoleLog = join(LAB_STATE, 'vms', `vm${VM}`, 'console.log');
  // sshd re-keys after every KiB or second, and logs each key exchange (debug1: SSH2_MSG_KEXINIT sent).
  const conf = '/etc/ssh/sshd_config.d/00-prov-test-rekey.conf';
  await vmExec(VM, `printf 'RekeyLimit 1K 1s\\nLogLevel DEBUG1\\n' > ${conf} && kill -HUP "$(cat /run/sshd.pid)" && sleep 0.5`);
  try {
    const logStart = statSync(consoleLog).size;
    const res = await provision(flags(workdir), { workdir });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const kexes = readFileSync(consoleLog, 'utf8')
      .slice(logStart)
      .split('\n')
      .filter((l) => l.includes('SSH2_MSG_KEXINIT sent')).length;
    assert.ok(kexes >= 3, `the connection re-keyed (${kexes} key exchanges)`);
    const lines = readFileSync(join(workdir, 'known_hosts'), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    assert.deepEqual(lines, [`${IP} ${(await vmHostKey(workdir)).line}`], 'one line');
    assert.equal(res.stdout.match(/^› new host key ssh-ed25519/gm)?.length, 1, 'said once');
  } finally {
    await vmExec(VM, `rm -f ${conf} && kill -HUP "$(cat /run/sshd.pid)" && sleep 0.5`);
  }
});

test('provision status says a host key it records, in its report and in --json', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const kh = join(workdir, 'known_hosts');
  const vm = await vmHostKey(workdir);
  const statusArgs = ['status', '--host', IP, '--identity-file', LAB_KEY, '--known-hosts', kh];

  const text = await provision(statusArgs, { workdir, noDbEnv: true });
  assert.equal(text.code, 1, 'the VM is not provisioned'); // the VM is a fresh one here
  assert.match(text.stdout, new RegExp(`^${esc(IP)}: NOT HEALTHY .*\\n  new host key ssh-ed25519 ${esc(vm.fp)} recorded in ${esc(kh)}\\n`));
  assert.equal(readFileSync(kh, 'utf8'), `${IP} ${vm.line}\n`);

  const kh2 = join(workdir, 'known_hosts2');
  const json = await provision([...statusArgs.slice(0, -1), kh2, '--json'], { workdir, noDbEnv: true });
  const r = JSON.parse(json.stdout.trim());
  assert.deepEqual(r.newHostKey, { type: 'ssh-ed25519', fingerprint: vm.fp, recordedIn: kh2 });
  const known = JSON.parse((await provision([...statusArgs.slice(0, -1), kh2, '--json'], { workdir, noDbEnv: true })).stdout.trim());
  assert.equal(known.newHostKey, null, 'a known key is not new');
});

test('a bad --known-hosts stops provision and provision status before anything connects (exit 2, one sentence)', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const plainFile = join(workdir, 'a-file');
  writeFileSync(plainFile, '');
  const cases: Array<[string, string]> = [
    [workdir, `--known-hosts ${workdir} is a directory, not a known_hosts file: give --known-hosts another file, e.g. ${workdir}/known_hosts.`],
    [
      join(plainFile, 'sub', 'known_hosts'),
      `--known-hosts ${plainFile}/sub/known_hosts cannot be created (${plainFile} is not a folder): give --known-hosts another file in a folder you can write to.`,
    ],
  ];
  for (const [path, message] of cases) {
    for (const args of [
      ['--host', IP, '--identity-file', LAB_KEY, '--yes'],
      ['status', '--host', IP, '--identity-file', LAB_KEY],
    ]) {
      const res = await provision([...args, '--known-hosts', path], { workdir, noDbEnv: args[0] === 'status' });
      assert.equal(res.code, 2, `${args[0]}: ${res.stdout}${res.stderr}`);
      assert.equal(res.stderr.trim(), `provision: ${message}`);
      assert.equal(res.stdout.trim(), '', 'nothing ran');
    }
  }
});
