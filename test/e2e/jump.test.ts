// Issue 15: a private VM, reachable only through a jump host (bastion). The lab VM's sshd refuses this machine
// (an nftables drop in its namespace) and lets the jump host in; provision, status and a lifecycle command go
// through --jump or the ssh config's ProxyJump; each hop's host key is checked like the VM's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { newWorkdir, provision, provisionedVm, statusFlags, withLabFlags } from './cli.js';
import { ensureLab, LAB_HOST_IP, LAB_KEY, requireLab, resetVm, vmIp } from './lab.js';

const JUMP = 36;
const PRIVATE = 37;
const workdir = newWorkdir();
const jump = `azureuser@${vmIp(JUMP)}`;

/** The private VM's sshd answers the jump host only: connections from this machine are dropped. */
function blockDirectSsh(block: boolean): void {
  const ns = `prov-vm${PRIVATE}`;
  if (block) {
    execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
      input: `table inet provjump {\n  chain input {\n    type filter hook input priority 0;\n    iifname "eth0" ip saddr ${LAB_HOST_IP} tcp dport 22 drop\n  }\n}\n`,
    });
  } else {
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'provjump'], { stdio: 'ignore' });
  }
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(PRIVATE);
  await resetVm(JUMP);
  await provisionedVm(PRIVATE);
  blockDirectSsh(true);
});
after(() => {
  if (available) {
    try {
      blockDirectSsh(false);
    } catch {
      // the VM may be gone already
    }
  }
});

test('a VM reachable only through a jump host: direct fails, --jump works for provision, status and stop/start; the hop key is recorded', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const direct = await provision(['status', ...statusFlags(PRIVATE, workdir), '--connect-timeout', '3', '--json'], { workdir });
  assert.equal(direct.code, 1);
  assert.match(direct.stdout, /"healthy":false/);

  const run = await provision(withLabFlags(PRIVATE, workdir, ['--jump', jump, '--json']), { workdir });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { status: string; sshConnections: number };
  assert.deepEqual([result.status, result.sshConnections], ['ok', 1]);
  const knownHosts = readFileSync(join(workdir, 'known_hosts'), 'utf8');
  assert.ok(
    knownHosts.split('\n').some((l) => l.startsWith(`${vmIp(JUMP)} `) || l.startsWith('|1|')),
    'the jump host key was recorded',
  );

  const status = await provision(['status', ...statusFlags(PRIVATE, workdir), '--jump', jump, '--json'], { workdir });
  assert.equal(status.code, 0, status.stdout + status.stderr);
  assert.match(status.stdout, /"healthy":true/);
  const stop = await provision(['stop', ...statusFlags(PRIVATE, workdir), '--jump', jump], { workdir });
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  const start = await provision(['start', ...statusFlags(PRIVATE, workdir), '--jump', jump], { workdir });
  assert.equal(start.code, 0, start.stdout + start.stderr);
});

test('ProxyJump from the ssh config; a jump host whose key changed is refused in one sentence', async (t: TestContext) => {
  if (!requireLab(t)) return;
  const config = join(workdir, 'ssh_config');
  writeFileSync(
    config,
    `Host private\n  HostName ${vmIp(PRIVATE)}\n  User azureuser\n  IdentityFile ${LAB_KEY}\n  ProxyJump bastion\n\nHost bastion\n  HostName ${vmIp(JUMP)}\n  User azureuser\n  IdentityFile ${LAB_KEY}\n`,
  );
  const viaConfig = await provision(['status', '--host', 'private', '--ssh-config', config, '--known-hosts', join(workdir, 'known_hosts'), '--json'], {
    workdir,
  });
  assert.equal(viaConfig.code, 0, viaConfig.stdout + viaConfig.stderr);
  assert.match(viaConfig.stdout, /"healthy":true/);

  // The jump host's recorded key no longer matches (as after a man in the middle): refused before the VM.
  const other = join(workdir, 'other_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
  const fake = `${vmIp(JUMP)} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
  const strictHosts = join(workdir, 'known_hosts_changed');
  writeFileSync(strictHosts, fake);
  const refused = await provision(['status', '--host', 'private', '--ssh-config', config, '--known-hosts', strictHosts, '--json'], { workdir });
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /the jump host bastion: .*host key/i);
  assert.doesNotMatch(refused.stdout, /"healthy":true/);
});
