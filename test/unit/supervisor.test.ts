// --supervisor systemd through the executor and a scripted VM: what reaches the VM when the unit is new, healthy,
// edited, failed or disabled, and when a server moves between nohup and systemd (one server, always).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sha256 } from '../../src/render/server-files.js';
import { renderUnit } from '../../src/render/systemd-unit.js';
import { remoteLayout } from '../../src/render/server-files.js';
import { parseFacts } from '../../src/plan/facts.js';
import { serverUptimeSec } from '../../src/run/status.js';
import { emptyStatusExtras } from '../../src/plan/probe/status.js';
import { config, desiredFor, fixture, healthyProbe, PASSWORD, provision, withSystemd } from './host-run-kit.js';

const systemd = config({ supervisor: 'systemd' });

/** A VM whose unit runs with what this configuration wants (edit: how the unit differs). */
function healthyUnitProbe(c = systemd, edit: Partial<Parameters<typeof withSystemd>[1] & object> = {}): string {
  const base = healthyProbe(c);
  const d = desiredFor(c, withSystemd(base, { sha256: 'x' }));
  return withSystemd(base, { sha256: sha256(d.unit!), fingerprint: d.fingerprint, mainPid: 4242, ...edit });
}

test('the unit: the launcher in the foreground as the user, restarted after a crash, at boot, no secret in it', () => {
  const unit = renderUnit(remoteLayout('/home/azureuser'), 'azureuser', 'f1f2');
  for (const line of [
    'User=azureuser',
    'ExecStart=/home/azureuser/start-mlflow-server.sh',
    'Restart=on-failure',
    'After=network-online.target',
    'WantedBy=multi-user.target',
    // The launcher's log writer writes (and rotates) the log; an append: file would be systemd's, never rotated.
    'StandardOutput=journal',
    'Environment=PROVISION_FINGERPRINT=f1f2',
  ]) {
    assert.ok(unit.split('\n').includes(line), line);
  }
  assert.match(renderUnit(remoteLayout('/home/50%'), 'u', 'f'), /^WorkingDirectory=\/home\/50%%$/m, 'a % is not a specifier');
  assert.throws(() => renderUnit(remoteLayout('/home/a b'), 'u', 'f'), /cannot be written into a systemd unit/);
});

test('a fresh VM with --supervisor systemd: the unit goes up 0644 and is installed and started; no nohup', async () => {
  const { vm, run, error } = await provision(systemd, { probe: withSystemd(fixture('fresh-debian12.txt')) });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands.slice(-3), ['mkdir-artifacts', 'unit-install', 'unit-start']);
  assert.ok(!vm.commands.includes('start'), 'no nohup start');
  const unit = vm.uploads.get('/home/azureuser/.mlflow-server.service');
  assert.equal(unit?.mode, 0o644);
  assert.doesNotMatch(unit.content, new RegExp(PASSWORD));
  assert.match(readFileSync(run.log.path, 'utf8'), /== server: changed \(no systemd unit yet; started pid 6001 under systemd\)/);
});

test('a healthy unit with this configuration: only the probe runs', async () => {
  const { vm, run, error } = await provision(systemd, { probe: healthyUnitProbe(), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe']);
  assert.deepEqual(run.result().changed, []);
  assert.match(readFileSync(run.log.path, 'utf8'), /== server: unchanged \(running as pid 4242 under systemd with this configuration\)/);
});

test('a unit edited by hand is rewritten and the server restarts; a failed unit starts; a disabled one is only enabled', async () => {
  const edited = await provision(systemd, { probe: healthyUnitProbe(systemd, { sha256: 'edited' }), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(edited.error, undefined);
  assert.deepEqual(edited.vm.commands, ['probe', 'unit-stop', 'stop', 'unit-install', 'unit-start']);
  // Failed: no main process, nothing on the port, the PID file's process gone.
  const gone = (probe: string) =>
    probe
      .split('\n')
      .filter((l) => !/^(listener|server_pid|server_fingerprint)/.test(l))
      .join('\n');
  const failed = await provision(systemd, { probe: gone(healthyUnitProbe(systemd, { active: 'failed', mainPid: 0 })), database: { hasMlflowSchema: true } });
  assert.equal(failed.error, undefined);
  assert.deepEqual(failed.vm.commands, ['probe', 'unit-start'], 'the unit file is right: no upload');
  assert.match(readFileSync(failed.run.log.path, 'utf8'), /== server: changed \(the unit is failed; started pid 6001 under systemd\)/);
  const disabled = await provision(systemd, { probe: healthyUnitProbe(systemd, { enabled: false }), serverUp: true, database: { hasMlflowSchema: true } });
  assert.deepEqual(disabled.vm.commands, ['probe', 'unit-enable']);
  assert.deepEqual(disabled.run.result().changed, ['server']);
});

test('nohup -> systemd: the nohup server stops, then the unit starts; systemd -> nohup: the unit goes, then nohup starts', async () => {
  const toUnit = await provision(systemd, { probe: withSystemd(healthyProbe(config())), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(toUnit.error, undefined);
  assert.deepEqual(toUnit.vm.commands, ['probe', 'stop', 'unit-install', 'unit-start']);
  assert.match(readFileSync(toUnit.run.log.path, 'utf8'), /the server runs under nohup; --supervisor systemd asked for/);
  const toNohup = await provision(config(), { probe: healthyUnitProbe(), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(toNohup.error, undefined);
  assert.deepEqual(toNohup.vm.commands, ['probe', 'unit-remove', 'stop', 'start']);
});

test('--supervisor systemd on a VM without systemd stops before anything changes', async () => {
  const { error, vm } = await provision(systemd, { probe: fixture('fresh-debian12.txt') });
  assert.match(String((error as Error).message), /--supervisor systemd needs systemd as the init system of 10\.0\.0\.4.*use --supervisor nohup there/);
  assert.deepEqual(vm.commands, ['probe']);
});

test("status counts a systemd server's uptime from the unit, also after systemd restarted it; a stale PID file gives none", () => {
  const probe = withSystemd(healthyProbe(systemd), { sha256: 'x', mainPid: 4242 }).replace(
    'probe_done=1',
    'unit_ExecMainStartTimestampMonotonic=1000000000\nprobe_done=1',
  );
  const facts = parseFacts(probe);
  assert.equal(facts.supervisor.unit?.startedMonotonicUs, 1_000_000_000);
  const extras = { ...emptyStatusExtras(), sysUptime: 1100, startTicks: 100, startPid: 4242 };
  assert.equal(serverUptimeSec(facts, extras), 100, 'from the unit: 1100 s up, started at 1000 s');
  const restarted = parseFacts(probe.replace('unit_MainPID=4242', 'unit_MainPID=5000'));
  assert.equal(serverUptimeSec(restarted, { ...extras, startPid: 4242 }), 100, 'the PID file names the old process; the unit knows');
  const nohup = parseFacts(healthyProbe(config()));
  assert.equal(serverUptimeSec(nohup, { ...extras, clkTck: 100, startTicks: 50_000 }), 600, 'nohup: from the PID file (500 s after boot)');
  assert.equal(serverUptimeSec(nohup, { ...extras, startPid: 1 }), undefined, 'a PID file about another process');
});
