// Jump hosts: --jump and the ssh config's ProxyJump resolved into hops, each with its own login and known_hosts.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { UsageError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'prov-jump-'));
const sshConfig = join(dir, 'config');
writeFileSync(
  sshConfig,
  [
    'Host private',
    '  HostName 10.1.0.5',
    '  User deploy',
    '  ProxyJump bastion',
    'Host bastion',
    '  HostName bastion.example.com',
    '  Port 2222',
    '  User ops',
    `  IdentityFile ${join(dir, 'bastion_key')}`,
    'Host direct',
    '  HostName 10.1.0.6',
    '  ProxyJump none',
    '',
  ].join('\n'),
);

const targets = (argv: Record<string, unknown>) => buildCommandConfig('status', readSettings({ 'ssh-config': sshConfig, ...argv }, {})).targets;

test('ProxyJump from the ssh config: the hop resolved through the same config (HostName, Port, User, IdentityFile)', () => {
  const [t] = targets({ host: ['private'] });
  assert.equal(t?.address, '10.1.0.5');
  assert.deepEqual(
    t?.jump?.map((h) => [h.label, h.address, h.port, h.user, h.identityFiles]),
    [['bastion', 'bastion.example.com', 2222, 'ops', [join(dir, 'bastion_key')]]],
  );
  assert.equal(t?.jump?.[0]?.knownHosts?.name, '[bastion.example.com]:2222');
  assert.equal(targets({ host: ['direct'] })[0]?.jump, undefined, 'ProxyJump none');
});

test('--jump wins over ProxyJump: hops in order, the VM user and keys by default; none turns it off; a bad hop is one sentence', () => {
  const [t] = targets({ host: ['10.0.0.4'], jump: 'admin@203.0.113.9:2200,10.9.9.9', user: 'azureuser', 'identity-file': '/keys/vm' });
  assert.deepEqual(
    t?.jump?.map((h) => [h.address, h.port, h.user, h.identityFiles]),
    [
      ['203.0.113.9', 2200, 'admin', ['/keys/vm']],
      ['10.9.9.9', 22, 'azureuser', ['/keys/vm']],
    ],
  );
  assert.equal(targets({ host: ['private'], jump: 'none' })[0]?.jump, undefined);
  assert.throws(
    () => targets({ host: ['10.0.0.4'], jump: 'bad host!' }),
    (e: unknown) => e instanceof UsageError && /the jump host "bad host!" is not \[user@\]host\[:port\]/.test(e.message),
  );
});
