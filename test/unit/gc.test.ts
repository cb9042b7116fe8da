// --gc-after DAYS: the mlflow gc launcher, service and timer rendered, planned and run through the fake VM
// (by command kind), a rerun that changes nothing, their removal, and what `status` says of the last run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCommandConfig, type LifecycleConfig, type StatusConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { parseFacts } from '../../src/plan/facts.js';
import { GC_LAUNCHER_MODE, gcStatusOf } from '../../src/plan/gc-plan.js';
import { statusJson, statusText } from '../../src/cli/render-status.js';
import { newHandle, runOnHosts } from '../../src/run/executor.js';
import { lifecycleCommand, type LifecycleResult } from '../../src/run/lifecycle.js';
import { statusCommand, type HostStatus } from '../../src/run/status.js';
import { sha256 } from '../../src/render/server-files.js';
import { UsageError } from '../../src/util/errors.js';
import { FakeVm, fakeIO } from './fake-host.js';
import { ADMIN_PASSWORD, config, desiredFor, healthyProbe, LOGS, PASSWORD, provision, withSystemd } from './host-run-kit.js';

const HOME = '/home/azureuser';

/** A healthy VM under systemd with this configuration's unit running, plus the gc lines given. */
function systemdProbe(c: ReturnType<typeof config>, gcLines: string[] = []): string {
  const base = healthyProbe(c);
  const d = desiredFor(c, withSystemd(base, { sha256: 'x' }));
  const probe = withSystemd(base, { sha256: sha256(d.unit!), fingerprint: d.fingerprint, mainPid: 4242 });
  return probe.replace('probe_done=1', [...gcLines, 'probe_done=1'].join('\n'));
}

/** The gc lines the probe prints for a VM that has exactly what `c` wants. */
function gcInPlace(c: ReturnType<typeof config>, more: string[] = []): string[] {
  const gc = desiredFor(c, systemdProbe(c)).gc!;
  return [
    'gc_any=1',
    `gc_service_sha256=${sha256(gc.service)}`,
    `gc_timer_sha256=${sha256(gc.timer)}`,
    `gc_launcher_sha256=${sha256(gc.launcher)}`,
    `gc_launcher_mode=${GC_LAUNCHER_MODE.toString(8)}`,
    `gc_days=${gc.days}`,
    'gc_timer_ActiveState=active',
    'gc_timer_UnitFileState=enabled',
    ...more,
  ];
}

const gcConfig = (days = 30, more: Record<string, unknown> = {}) => config({ supervisor: 'systemd', 'gc-after': days, ...more });

test('--gc-after: a number of days from 1 to 3650, from the flag or PROVISION_GC_AFTER_DAYS; without systemd one sentence, exit 2', () => {
  assert.equal(gcConfig(7).server.gcAfterDays, 7);
  const fromEnv = buildCommandConfig(
    'provision',
    readSettings(
      { host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS, supervisor: 'systemd' },
      { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: PASSWORD, PROVISION_GC_AFTER_DAYS: '90' },
    ),
  );
  assert.equal(fromEnv.server.gcAfterDays, 90);
  assert.equal(config().server.gcAfterDays, undefined);
  assert.throws(
    () => config({ 'gc-after': 30 }),
    (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /^--gc-after needs --supervisor systemd .* this run would run under nohup: .* Nothing changed\.$/);
      return true;
    },
  );
  assert.throws(() => gcConfig(0), UsageError);
  assert.throws(() => gcConfig(3651), UsageError);
});

test('the rendered files: no secret; the launcher reads the secrets file and hands the URI to mlflow gc inside Python', () => {
  const c = gcConfig(30, { auth: 'basic' });
  const gc = desiredFor(c, systemdProbe(c)).gc!;
  for (const text of [gc.launcher, gc.service, gc.timer]) {
    assert.ok(!text.includes(PASSWORD) && !text.includes(ADMIN_PASSWORD), 'no secret in the files');
  }
  assert.match(gc.launcher, new RegExp(`^\\. ${HOME}/\\.mlflow-server\\.env$`, 'm'));
  assert.match(gc.launcher, /^export MLFLOW_TRACKING_URI=http:\/\/127\.0\.0\.1:5000$/m);
  assert.match(gc.launcher, /^export MLFLOW_TRACKING_USERNAME=admin$/m);
  assert.match(gc.launcher, /os\.environ\["MLFLOW_BACKEND_STORE_URI"\]/);
  assert.match(gc.launcher, /^ {2}--older-than 30d \\$/m);
  assert.match(gc.launcher, new RegExp(`^ {2}--artifacts-destination ${HOME}/mlruns-artifacts$`, 'm'));
  assert.doesNotMatch(gc.launcher, /--backend-store-uri "\$/, 'the URI is never expanded onto a command line');
  assert.match(gc.service, /^Type=oneshot$/m);
  assert.match(gc.service, /^User=azureuser$/m);
  assert.match(gc.service, new RegExp(`^ExecStart=${HOME}/mlflow-gc\\.sh$`, 'm'));
  assert.match(gc.timer, /^OnCalendar=daily$/m);
  assert.match(gc.timer, /^Persistent=true$/m);
  assert.match(gc.timer, /^RandomizedDelaySec=/m);
  assert.match(gc.timer, /^WantedBy=timers\.target$/m);
  assert.equal(desiredFor(config({ supervisor: 'systemd' }), systemdProbe(c)).gc, undefined);
});

test('provision with --gc-after: launcher, service and timer uploaded, then installed, enabled and started; a rerun runs nothing', async () => {
  const c = gcConfig(30);
  const first = await provision(c, { probe: systemdProbe(c), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(first.error, undefined);
  assert.deepEqual(first.vm.commands, ['probe', 'gc-install']);
  const gcEvents = first.vm.events.filter((e) => /gc/.test(e));
  assert.deepEqual(gcEvents, [`upload ${HOME}/mlflow-gc.sh 700`, `upload ${HOME}/.mlflow-gc.service 644`, `upload ${HOME}/.mlflow-gc.timer 644`, 'gc-install']);
  const install = first.vm.commandsRun.find((r) => r.kind === 'gc-install')!;
  assert.match(install.command, /install -m 0644 -o root -g root .*\/etc\/systemd\/system\/mlflow-gc\.service/);
  assert.match(install.command, /systemctl enable --quiet mlflow-gc\.timer && sudo -n systemctl restart mlflow-gc\.timer$/);
  assert.match(readFileSync(first.run.log.path, 'utf8'), /== gc: changed \(.*mlflow-gc\.sh is missing/);

  const rerun = await provision(c, { probe: systemdProbe(c, gcInPlace(c)), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(rerun.error, undefined);
  assert.deepEqual(rerun.vm.commands, ['probe'], 'nothing runs');
  assert.deepEqual(
    rerun.vm.events.filter((e) => e.startsWith('upload')),
    [],
    'nothing is uploaded',
  );
  assert.match(readFileSync(rerun.run.log.path, 'utf8'), /== gc: unchanged \(mlflow-gc\.timer runs mlflow gc daily for runs deleted more than 30 days ago\)/);
});

test('a new DAYS rewrites the launcher only; a stopped timer is started; without --gc-after the timer, service and launcher go', async () => {
  const was30 = gcInPlace(gcConfig(30));
  const c7 = gcConfig(7);
  const days = await provision(c7, { probe: systemdProbe(c7, was30), serverUp: true, database: { hasMlflowSchema: true } });
  assert.deepEqual(days.vm.commands, ['probe']);
  assert.deepEqual(
    days.vm.events.filter((e) => e.startsWith('upload')),
    [`upload ${HOME}/mlflow-gc.sh 700`],
  );
  assert.match(days.vm.uploads.get(`${HOME}/mlflow-gc.sh`)!.content, /--older-than 7d/);
  assert.match(readFileSync(days.run.log.path, 'utf8'), /== gc: changed \(gc after 7 days \(was 30\)\)/);

  const c = gcConfig(30);
  const stopped = gcInPlace(c).map((l) => l.replace('gc_timer_ActiveState=active', 'gc_timer_ActiveState=inactive'));
  const start = await provision(c, { probe: systemdProbe(c, stopped), serverUp: true, database: { hasMlflowSchema: true } });
  assert.deepEqual(start.vm.commands, ['probe', 'gc-enable']);

  const plain = config({ supervisor: 'systemd' });
  const gone = await provision(plain, { probe: systemdProbe(plain, was30), serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(gone.error, undefined);
  assert.deepEqual(gone.vm.commands, ['probe', 'gc-remove']);
  const remove = gone.vm.commandsRun.find((r) => r.kind === 'gc-remove')!;
  assert.match(remove.command, /systemctl disable --now --quiet mlflow-gc\.timer/);
  assert.match(remove.command, /rm -f \/etc\/systemd\/system\/mlflow-gc\.service \/etc\/systemd\/system\/mlflow-gc\.timer/);
  assert.match(remove.command, new RegExp(`rm -f -- '?${HOME}/mlflow-gc\\.sh`));
  const none = await provision(plain, { probe: systemdProbe(plain), serverUp: true, database: { hasMlflowSchema: true } });
  assert.deepEqual(none.vm.commands, ['probe'], 'no gc, nothing to remove');
});

function statusConfig(): StatusConfig {
  return buildCommandConfig('status', readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS }, {}));
}

async function onFake<R>(make: (io: ReturnType<typeof fakeIO>) => Parameters<typeof runOnHosts>[0], vm: FakeVm, c: StatusConfig): Promise<R> {
  const handle = newHandle();
  await runOnHosts(make(fakeIO(vm)), c, handle, { silent: true });
  return handle.results.get('10.0.0.4') as R;
}

test('provision remove takes the gc timer, service and launcher away', async () => {
  const c = gcConfig(30);
  const d = desiredFor(c, systemdProbe(c));
  const lc: LifecycleConfig = { ...statusConfig(), command: 'remove', lines: 50, follow: false, purgeArtifacts: false, yes: false, interactive: false };
  const vm = new FakeVm({ probe: systemdProbe(c, gcInPlace(c)), serverUp: true, launcher: d.launcher.split('\n'), secrets: d.secrets.reveal().split('\n') });
  const result = await onFake<LifecycleResult>((io) => lifecycleCommand(lc, { io }), vm, lc);
  assert.deepEqual(vm.commands, ['status-probe', 'unit-remove', 'gc-remove', 'stop', 'remove-files', 'remove-venv']);
  assert.ok(result.removed!.includes('/etc/systemd/system/mlflow-gc.timer'));
  assert.ok(result.removed!.includes(`${HOME}/mlflow-gc.sh`));
});

test('status shows the last gc run and its result, in text and JSON; a failed run is a problem', async () => {
  const c = gcConfig(30);
  const d = desiredFor(c, systemdProbe(c));
  const files = { launcher: d.launcher.replace(/\n$/, '').split('\n'), secrets: d.secrets.reveal().replace(/\n$/, '').split('\n') };
  const ran = ['gc_service_Result=success', 'gc_service_ExecMainStatus=0', 'gc_last_run=2026-12-06T00:17:03Z', 'gc_next_run=2026-12-07T00:41:12Z'];
  const vm = new FakeVm({ probe: systemdProbe(c, gcInPlace(c, ran)), serverUp: true, ...files });
  const ok = await onFake<HostStatus>((io) => statusCommand(statusConfig(), io), vm, statusConfig());
  assert.deepEqual(ok.gc, { afterDays: 30, lastRun: '2026-12-06T00:17:03Z', result: 'success', nextRun: '2026-12-07T00:41:12Z', timer: 'active' });
  assert.ok(!ok.problems.some((p) => /gc/.test(p)), ok.problems.join('; '));
  assert.deepEqual(JSON.parse(statusJson(ok)).gc, ok.gc);
  assert.match(statusText(ok), /gc +mlflow gc daily \(mlflow-gc\.timer active\), runs deleted more than 30 days ago; last run 2026-12-06T00:17:03Z: success/);

  const failed = gcInPlace(c, ['gc_service_Result=exit-code', 'gc_service_ExecMainStatus=1', 'gc_last_run=2026-12-06T00:17:03Z']);
  const bad = await onFake<HostStatus>(
    (io) => statusCommand(statusConfig(), io),
    new FakeVm({ probe: systemdProbe(c, failed), serverUp: true, ...files }),
    statusConfig(),
  );
  assert.equal(bad.gc!.result, 'exit-code');
  assert.ok(bad.problems.includes('The last mlflow gc run (2026-12-06T00:17:03Z) failed (exit-code, exit status 1): see journalctl -u mlflow-gc.service.'));
  assert.equal(bad.healthy, false);

  const plain = config({ supervisor: 'systemd' });
  const without = await onFake<HostStatus>(
    (io) => statusCommand(statusConfig(), io),
    new FakeVm({ probe: systemdProbe(plain), serverUp: true, ...files }),
    statusConfig(),
  );
  assert.equal(without.gc, undefined);
  assert.equal(JSON.parse(statusJson(without)).gc, null);
});

test('the gc probe part: its lines become facts; never run yet means no result and no problem', () => {
  const facts = parseFacts(
    `gc_any=1\ngc_launcher_mode=700\ngc_days=14\ngc_timer_ActiveState=active\ngc_timer_UnitFileState=enabled\ngc_service_Result=success\ngc_service_ExecMainStatus=0\nprobe_done=1\n`,
  );
  assert.deepEqual(facts.gc, { launcherMode: 0o700, days: 14, timerActive: 'active', timerEnabled: true, result: 'success', exitStatus: 0 });
  assert.deepEqual(gcStatusOf(facts), { gc: { afterDays: 14, lastRun: null, result: null, nextRun: null, timer: 'active' }, problems: [] });
  assert.equal(parseFacts('probe_done=1\n').gc, undefined);
});
