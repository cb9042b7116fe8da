// What the executor's unit tests share: a configuration, the probe fixtures filled in for it, and a run of
// every step of the real HostRun against a scripted VM (fake-host.ts).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCommandConfig, type ProvisionConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { desiredState, type Desired } from '../../src/plan/desired.js';
import { parseFacts } from '../../src/plan/facts.js';
import { sha256 } from '../../src/render/server-files.js';
import { HostLog } from '../../src/run/host-log.js';
import { HostRun } from '../../src/run/host-run.js';
import { stepsFor } from '../../src/run/tasks.js';
import { Secret } from '../../src/util/secret.js';
import { FakeVm, fakeIO, type FakeVmOptions } from './fake-host.js';

export const LOGS = mkdtempSync(join(tmpdir(), 'prov-host-run-'));
export const PASSWORD = 'pw-host-run-test';
export const ADMIN_PASSWORD = 'admin-password-123';
export const SALT = '5a'.repeat(16);
export const fixture = (name: string) => readFileSync(new URL(`../../fixtures/probe/${name}`, import.meta.url), 'utf8');

export function config(argv: Record<string, unknown> = {}): ProvisionConfig {
  return buildCommandConfig(
    'provision',
    readSettings(
      { host: ['10.0.0.4'], 'ssh-config': '/nonexistent', 'log-dir': LOGS, ...argv },
      { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: PASSWORD, MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD },
    ),
  );
}

/** The healthy fixture, its hashes and fingerprint those of the files this configuration wants. */
export function healthyProbe(c: ProvisionConfig, edit: (probe: string) => string = (p) => p): string {
  const template = edit(fixture('healthy.txt')).replace('server_fingerprint=@FP@\n', `server_fingerprint=@FP@\nserver_fingerprint_salt=${SALT}\n`);
  const facts = parseFacts(template.replace(/@[A-Z]+@/g, '0'));
  const d = desiredState({
    config: c,
    target: c.targets[0]!,
    server: c.server,
    facts,
    newFlaskKey: () => new Secret('ab'.repeat(32)),
    newSalt: () => {
      throw new Error('the probe gave the salt');
    },
  });
  return template
    .replace('@LAUNCHER@', sha256(d.launcher))
    .replace('@SECRETS@', sha256(d.secrets.reveal()))
    .replace('@RECORD@', Buffer.from(d.record).toString('base64'))
    .replace('@FP@', d.fingerprint);
}

export async function provision(c: ProvisionConfig, vm: FakeVmOptions): Promise<{ vm: FakeVm; run: HostRun; error?: unknown }> {
  const fake = new FakeVm(vm);
  const run = new HostRun(c.targets[0]!, c, new HostLog(LOGS, `t${Math.random().toString(16).slice(2)}`), undefined, fakeIO(fake));
  try {
    for (const step of stepsFor(c)) await run.execute(step);
    return { vm: fake, run };
  } catch (error) {
    return { vm: fake, run, error };
  } finally {
    run.close();
    run.log.close();
  }
}

/** The desired state a run with this configuration computes on the VM the probe describes. */
export function desiredFor(c: ProvisionConfig, probe: string): Desired {
  const facts = parseFacts(probe.replace(/@[A-Z]+@/g, '0'));
  return desiredState({ config: c, target: c.targets[0]!, server: c.server, facts, newFlaskKey: () => new Secret('ab'.repeat(32)), newSalt: () => SALT });
}

/** A probe with systemd as PID 1, and the unit as systemd would report it (omit `unit` for none). */
export function withSystemd(probe: string, unit?: { sha256: string; active?: string; enabled?: boolean; mainPid?: number; fingerprint?: string }): string {
  const lines = ['systemd=1'];
  if (unit) {
    lines.push(
      `unit_sha256=${unit.sha256}`,
      `unit_ActiveState=${unit.active ?? 'active'}`,
      `unit_UnitFileState=${unit.enabled === false ? 'disabled' : 'enabled'}`,
      `unit_MainPID=${unit.mainPid ?? 0}`,
      'unit_NeedDaemonReload=no',
      `unit_salt=${SALT}`,
    );
    if (unit.fingerprint) lines.push(`unit_fingerprint=${unit.fingerprint}`);
  }
  return probe.replace('probe_done=1', `${lines.join('\n')}\nprobe_done=1`);
}

/** What a safe upgrade runs on the VM, in order: the venv kept aside, the new MLflow, a backup with the server stopped, the migration, the start. */
export const SAFE_UPGRADE_COMMANDS = [
  'probe',
  'upgrade-keep-venv',
  'pip-install',
  'mlflow-version',
  'backup-check',
  'stop',
  'backup-dump',
  'backup-artifacts',
  'db-upgrade',
  'start',
  'upgrade-drop-venv',
];
