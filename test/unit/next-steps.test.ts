// The guidance printed after a run (cli/render-results.ts nextSteps): the lifecycle commands, ready to paste,
// name the same VM (user, port, jump hosts) and no hand-written ssh kill / tail -f line is left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextSteps } from '../../src/cli/render-results.js';
import type { HostTarget, ProvisionConfig } from '../../src/config/config.js';
import { parseHostSpec } from '../../src/config/hosts-file.js';
import type { HostResult } from '../../src/run/host-run.js';

process.env.NO_COLOR = '1';

const config = { server: { port: 5000 } } as unknown as ProvisionConfig;
const target = (over: Partial<HostTarget> = {}): HostTarget => ({
  label: '10.0.0.5',
  name: '10.0.0.5',
  address: '10.0.0.5',
  port: 22,
  user: 'azureuser',
  identityFiles: [],
  origin: '--host',
  overrides: {},
  ...over,
});
const result = (supervisor: 'nohup' | 'systemd'): HostResult => ({
  host: '10.0.0.5',
  status: 'ok',
  changed: [],
  url: 'http://10.0.0.5:5000',
  warnings: [],
  durationMs: 1000,
  supervisor,
  sshConnections: 1,
  remoteCommands: 1,
  portForwards: 1,
});

/** The `provision ...` commands the guidance prints, one per occurrence. */
function provisionCommands(text: string): string[] {
  return [...text.matchAll(/provision (logs --follow|stop|start|restart) (--host \S+(?: --jump \S+)?)/g)].map((m) => `${m[1]} ${m[2]}`);
}

for (const supervisor of ['nohup', 'systemd'] as const) {
  test(`next steps under ${supervisor}: provision logs/stop/start/restart, no ssh kill or tail -f`, () => {
    const text = nextSteps(result(supervisor), config, target());
    assert.doesNotMatch(text, /kill|tail -f|systemctl (restart|stop)|setsid nohup/);
    assert.deepEqual(
      provisionCommands(text).sort(),
      [
        'logs --follow --host azureuser@10.0.0.5',
        'restart --host azureuser@10.0.0.5',
        'start --host azureuser@10.0.0.5',
        'stop --host azureuser@10.0.0.5',
        ...(supervisor === 'nohup' ? ['start --host azureuser@10.0.0.5'] : []),
      ].sort(),
    );
  });
}

test('next steps name the VM as it was reached: alias, user, port, IPv6, jump hosts', () => {
  const jump = [{ label: 'bastion', address: 'bastion.example.com', port: 2200, user: 'ops', identityFiles: [] }];
  const alias = nextSteps(result('systemd'), config, target({ label: 'mlflow-vm', name: 'mlflow-vm', address: '10.0.0.9', user: 'admin', port: 2222, jump }));
  assert.match(alias, /provision stop --host admin@mlflow-vm:2222 --jump ops@bastion\.example\.com:2200\b/);
  const v6 = nextSteps(result('systemd'), config, target({ label: 'fd00::5', name: 'fd00::5', address: 'fd00::5', port: 2222 }));
  assert.match(v6, /provision restart --host azureuser@\[fd00::5\]:2222\b/);
  // The second line of a hosts file for the same host is relabelled user@host:port for output; its name stays.
  const relabelled = nextSteps(result('nohup'), config, target({ label: 'azureuser@10.0.0.5:22' }));
  assert.match(relabelled, /provision stop --host azureuser@10\.0\.0\.5\s/);
  for (const text of [alias, v6, relabelled]) {
    for (const spec of text.matchAll(/--host (\S+)/g)) assert.equal(typeof parseHostSpec(spec[1]!), 'object', spec[1]);
  }
});
