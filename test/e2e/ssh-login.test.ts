// Issue 3's ways to log in, each against a provisioned lab VM (so each run is a quick no-op): ssh-agent,
// the default key file, an encrypted key (passphrase from the environment, or asked on a terminal), and an
// ~/.ssh/config alias.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dbEnv, newWorkdir, provision, provisionedVm } from './cli.js';
import { ensureLab, LAB_KEY, requireLab, vmIp } from './lab.js';
import { onTerminal } from './terminal.js';

const VM = 24;
const IP = vmIp(VM);
const PASSPHRASE = 'correct horse battery staple';
const agents: ChildProcess[] = [];

/** A no-op run against the VM with these flags and environment (no --identity-file unless given). */
async function noop(workdir: string, flags: string[], env: Record<string, string> = {}) {
  return provision([...flags, '--known-hosts', join(workdir, 'known_hosts'), '--yes', '--json'], { workdir, env });
}

function okResult(res: { code: number | null; stdout: string; stderr: string }, noop = true): { host: string; url: string } {
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const r = JSON.parse(res.stdout.trim()) as { host: string; status: string; url: string; changed: string[] };
  assert.equal(r.status, 'ok');
  if (noop) assert.deepEqual(r.changed, []);
  return r;
}

/** The one-sentence error of a run that failed (exit 1). */
function failure(res: { code: number | null; stdout: string; stderr: string }): string {
  assert.equal(res.code, 1, res.stdout + res.stderr);
  const r = JSON.parse(res.stdout.trim()) as { status: string; error: string };
  assert.equal(r.status, 'failed');
  return r.error;
}

/** An ssh-agent of the test's own, on a socket in the workdir. */
async function startAgent(workdir: string): Promise<string> {
  const sock = join(workdir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  agents.push(agent);
  for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(sock), 'ssh-agent is listening');
  return sock;
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  await provisionedVm(VM);
  // The snapshot was provisioned on another VM (another default --allowed-hosts): one run settles it.
  const workdir = newWorkdir();
  okResult(await noop(workdir, ['--host', IP, '--identity-file', LAB_KEY]), false);
});

after(() => {
  for (const a of agents) a.kill();
});

test('without --identity-file, the key loaded in ssh-agent logs in; an empty agent gets the login hint', async (t) => {
  if (!available) return t.skip('lab not available');
  const workdir = newWorkdir();
  const sock = await startAgent(workdir);
  execFileSync('ssh-add', ['-q', LAB_KEY], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  okResult(await noop(workdir, ['--host', IP], { SSH_AUTH_SOCK: sock }));

  execFileSync('ssh-add', ['-q', '-D'], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  assert.match(
    failure(await noop(workdir, ['--host', IP], { SSH_AUTH_SOCK: sock })),
    /^The VM refused SSH login as "azureuser": check --user .* or load your key into ssh-agent\./,
  );
});

test('without --identity-file or an agent, ~/.ssh/id_ed25519 logs in; with no key at all, one sentence says what to do', async (t) => {
  if (!available) return t.skip('lab not available');
  const workdir = newWorkdir();
  assert.match(
    failure(await noop(workdir, ['--host', IP])),
    /^No SSH key to log in with: pass --identity-file, load a key into ssh-agent, or create ~\/\.ssh\/id_ed25519\./,
  );

  mkdirSync(join(workdir, '.ssh'), { mode: 0o700 });
  copyFileSync(LAB_KEY, join(workdir, '.ssh', 'id_ed25519'));
  chmodSync(join(workdir, '.ssh', 'id_ed25519'), 0o600);
  okResult(await noop(workdir, ['--host', IP]));
});

test('an encrypted key: PROVISION_SSH_PASSPHRASE unlocks it, and on a terminal the passphrase is asked, masked', async (t) => {
  if (!available) return t.skip('lab not available');
  const workdir = newWorkdir();
  const key = join(workdir, 'encrypted_key');
  copyFileSync(LAB_KEY, key);
  chmodSync(key, 0o600);
  execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', PASSPHRASE, '-f', key]); // the lab key, now encrypted
  okResult(await noop(workdir, ['--host', IP, '--identity-file', key], { PROVISION_SSH_PASSPHRASE: PASSPHRASE }));

  const steps = [{ expect: 'Passphrase for', send: `${PASSPHRASE}\r` }];
  const res = await onTerminal(['--host', IP, '--identity-file', key, '--known-hosts', join(workdir, 'known_hosts')], steps, dbEnv());
  assert.equal(res.code, 0, res.screen);
  assert.match(res.screen, new RegExp(`Passphrase for ${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  assert.ok(!res.raw.includes(PASSPHRASE), 'the passphrase is never shown');
});

test('an ~/.ssh/config alias: its HostName, User, Port and IdentityFile are used', async (t) => {
  if (!available) return t.skip('lab not available');
  const workdir = newWorkdir();
  mkdirSync(join(workdir, '.ssh'), { mode: 0o700 });
  writeFileSync(join(workdir, '.ssh', 'config'), `Host labvm\n  HostName ${IP}\n  User azureuser\n  Port 22\n  IdentityFile ${LAB_KEY}\n`);
  // The alias joins the default --allowed-hosts (the host as given), so the first run updates the launcher.
  const r = okResult(await noop(workdir, ['--host', 'labvm']), false);
  assert.equal(r.url, `http://${IP}:5000`, 'the server URL is the HostName the alias stands for');
  okResult(await noop(workdir, ['--host', 'labvm']));

  // The alias's User wins over the default: a wrong one there is what the VM refuses.
  writeFileSync(join(workdir, '.ssh', 'config'), `Host labvm\n  HostName ${IP}\n  User nobody-here\n  IdentityFile ${LAB_KEY}\n`);
  assert.match(failure(await noop(workdir, ['--host', 'labvm'])), /refused SSH login as "nobody-here"/);
});
