// Issue 6 (host keys and connection faults) and issue 3's host-key rules, on a lab VM. These runs use
// --dry-run where they get past the connection: it probes and plans but touches nothing, so no apt work.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { LAB_KEY, LAB_SSH_CONFIG, ensureLab, requireLab, resetVm, vmExec, vmIp, vmReadFile } from './lab.js';
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
  assert.match(changed.stdout, new RegExp(`The host key of ${IP.replace(/\./g, '\\.')} has CHANGED \\(now SHA256:[A-Za-z0-9+/]+; .* holds another ssh-ed25519 key\\)\\. This may be a reinstalled VM or an attack\\. If you expect it, run: ssh-keygen -R ${IP.replace(/\./g, '\\.')} -f ${kh.replace(/[.\\/]/g, '\\$&')} and rerun\\.`));
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
  const nobody = await provision(['--host', '10.231.0.99', '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'kh'), '--yes', '--connect-timeout', '5', '--json'], { workdir });
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
  const res = await provision(['--host', `vm${VM}`, '--ssh-config', LAB_SSH_CONFIG, '--known-hosts', join(workdir, 'known_hosts'), '--yes', '--dry-run', '--json'], { workdir });
  assert.equal(res.code, 0, res.stderr);
  const result = JSON.parse(res.stdout.trim());
  assert.equal(result.host, `vm${VM}`);
  assert.equal(result.status, 'ok');
  assert.ok(readFileSync(join(workdir, 'known_hosts'), 'utf8').startsWith(`${IP} ssh-ed25519 `), 'known_hosts records the HostName');
});
