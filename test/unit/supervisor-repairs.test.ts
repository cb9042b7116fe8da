// --supervisor systemd decisions that test/e2e/supervisor.test.ts now proves on Debian 12 only (Debian 13 keeps the
// first provision, kill -9 and the reboot): a unit stopped by hand is started again without a new upload, and
// --auth basic under systemd keeps every secret out of the unit. Through the real HostRun and the fake VM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sha256 } from '../../src/render/server-files.js';
import { ADMIN_PASSWORD, config, desiredFor, fixture, healthyProbe, PASSWORD, provision, withSystemd } from './host-run-kit.js';

const systemd = config({ supervisor: 'systemd' });

/** A VM whose unit is the one this configuration wants, stopped (`systemctl stop`): no main process, nothing listening. */
function stoppedUnitProbe(): string {
  const base = healthyProbe(systemd);
  const d = desiredFor(systemd, withSystemd(base, { sha256: 'x' }));
  return withSystemd(base, { sha256: sha256(d.unit!), fingerprint: d.fingerprint, active: 'inactive', mainPid: 0 })
    .split('\n')
    .filter((l) => !/^(listener|server_pid|server_fingerprint)/.test(l))
    .join('\n');
}

test('a unit stopped by hand (inactive): started again, nothing uploaded; the log says why', async () => {
  const { vm, run, error } = await provision(systemd, { probe: stoppedUnitProbe(), database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe', 'unit-start']);
  assert.deepEqual(
    vm.events.filter((e) => e.startsWith('upload ')),
    [],
  );
  assert.deepEqual(run.result().changed, ['server']);
  assert.match(readFileSync(run.log.path, 'utf8'), /== server: changed \(the unit is inactive; started pid 6001 under systemd\)/);
});

test('--auth basic under systemd: the unit holds no secret; the admin password goes up only in 0600 files', async () => {
  const c = config({ supervisor: 'systemd', auth: 'basic' });
  const { vm, error } = await provision(c, { probe: withSystemd(fixture('fresh-debian12.txt')), database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands.slice(-2), ['unit-install', 'unit-start']);
  const unit = vm.uploads.get('/home/azureuser/.mlflow-server.service');
  assert.equal(unit?.mode, 0o644);
  for (const secret of [ADMIN_PASSWORD, PASSWORD, encodeURIComponent(PASSWORD)]) assert.ok(!unit.content.includes(secret), 'a secret in the unit');
  const holders = [...vm.uploads].filter(([, u]) => u.content.includes(ADMIN_PASSWORD));
  assert.ok(holders.length > 0, 'the admin password goes up');
  for (const [path, u] of holders) assert.equal(u.mode, 0o600, path);
  for (const e of vm.events) assert.ok(!e.includes(ADMIN_PASSWORD), `the admin password in "${e}"`);
});
