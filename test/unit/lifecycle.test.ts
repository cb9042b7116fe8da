// provision logs|stop|start|restart|remove and completion: the pure plans, and the CLI's own refusals.
import { commandsOf } from '../../src/action/action.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseFacts, type Facts } from '../../src/plan/facts.js';
import { planRemove, planStop } from '../../src/plan/lifecycle.js';
import { readSecretsFile, remoteLayout } from '../../src/render/server-files.js';
import { hostMasker } from '../../src/util/secret.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'prov-lifecycle-'));

/** The real CLI (TypeScript sources through tsx), clean environment, no terminal. */
function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30000,
    env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const healthy = parseFacts(readFileSync(new URL('../../fixtures/probe/healthy.txt', import.meta.url), 'utf8'));
const fresh = parseFacts(readFileSync(new URL('../../fixtures/probe/fresh-debian12.txt', import.meta.url), 'utf8'));
const layout = remoteLayout('/home/azureuser');
const underSystemd = (active: string): Facts => ({
  ...healthy,
  supervisor: { systemd: true, unit: { sha256: 'ab', active, enabled: true, mainPid: 4242 } },
});

test('stop: a running server stops and keeps its record; a stopped one is unchanged; under systemd a plain systemctl stop', () => {
  assert.equal(healthy.server.running, true);
  const stop = planStop(healthy, layout);
  assert.equal(stop.change, true);
  assert.equal(commandsOf(stop.actions).length, 1);
  // The record (fingerprint and salt) stays under a PID of no process: start writes them back.
  assert.match(commandsOf(stop.actions)[0]!.command, /echo "0 0 \$fp \$salt" > '?\/home\/azureuser\/mlflow-server\.pid/);
  const stopped = planStop({ ...healthy, server: { running: false }, listeners: [] }, layout);
  assert.deepEqual([stopped.change, stopped.reason, commandsOf(stopped.actions).length], [false, 'not running', 0]);
  const unit = planStop(underSystemd('active'), layout);
  assert.deepEqual(
    commandsOf(unit.actions).map((c) => c.command),
    ['sudo -n systemctl stop mlflow-server.service'],
  );
  assert.match(unit.applied!, /starts again at boot/);
  assert.equal(unit.reason, 'mlflow-server.service is active', 'what --dry-run says');
  assert.equal(planStop(underSystemd('inactive'), layout).change, false);
});

test('remove: unit, proxy, files and venv go; artifacts, log and database stay unless purged, and the record of a folder provision made stays with it', () => {
  const withProxy: Facts = {
    ...underSystemd('active'),
    proxy: { installed: true, ours: true, dir: true, active: 'active', enabled: true, files: {}, uploads: ['/home/azureuser/.provision-caddy-key.pem'] },
  };
  const plan = planRemove(withProxy, layout, { kept: '/home/azureuser/mlruns-artifacts (the artifacts; --purge-artifacts removes it)', keepRecord: true });
  assert.equal(plan.change, true);
  assert.deepEqual(
    commandsOf(plan.actions).map((c) => c.label),
    [
      'systemctl disable --now mlflow-server.service and remove it',
      'stop the running server',
      'systemctl disable --now caddy.service, remove /etc/caddy/Caddyfile, /etc/caddy/provision, /var/lib/caddy/.local/share/caddy, /var/lib/caddy/.config/caddy',
      'remove 6 files of provision',
      'remove /home/azureuser/mlflow-venv',
    ],
  );
  // The key an interrupted --tls run left in the home goes too, and Caddy's state (keys, CA, ACME accounts) is said.
  assert.match(commandsOf(plan.actions)[3]!.command, /'\/home\/azureuser\/\.provision-caddy-key\.pem'|\/home\/azureuser\/\.provision-caddy-key\.pem/);
  assert.ok(plan.removed.includes('/var/lib/caddy/.local/share/caddy'), plan.removed.join(', '));
  assert.ok(plan.kept.some((k) => k.startsWith('/home/azureuser/mlruns-artifacts (the artifacts; --purge-artifacts removes it)')));
  assert.ok(plan.kept.includes('the database and its data'));
  assert.ok(!commandsOf(plan.actions).some((c) => /mlruns-artifacts|mlflow-provision/.test(c.command)), 'the artifacts and their record are kept');
  const purge = planRemove(healthy, layout, { purge: { recorded: '/srv/ml art', real: '/srv/ml art' }, keepRecord: false });
  assert.equal(commandsOf(purge.actions).at(-1)?.label, 'remove the artifacts folder /srv/ml art');
  assert.match(commandsOf(purge.actions).at(-1)!.command, /find '\/srv\/ml art' -mindepth 1/);
  assert.match(commandsOf(purge.actions).at(-1)!.command, /rm -f -- \/home\/azureuser\/\.mlflow-provision\.json$/, 'the record goes last');
  assert.ok(purge.removed.includes('/srv/ml art'));
  const nothing = planRemove(fresh, layout, { keepRecord: false });
  assert.deepEqual([nothing.change, nothing.reason], [false, 'nothing of provision is on this VM']);
  // After a plain remove only the artifacts and their record are left: a second remove is unchanged, a purge is not.
  const leftover: Facts = { ...fresh, record: { content: '{}', mode: 0o600, owner: 'azureuser' } };
  assert.equal(planRemove(leftover, layout, { keepRecord: true }).change, false);
  assert.equal(planRemove(leftover, layout, { purge: { recorded: '/srv/a', real: '/srv/a' }, keepRecord: false }).change, true);
});

test('the lifecycle commands: help, completion, and refusals before connecting', () => {
  const help = runCli(['logs', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /provision logs --host <vm-ip> \[--lines N\] \[--follow\]/);
  const completion = runCli(['completion']);
  assert.equal(completion.code, 0, completion.stderr);
  assert.match(completion.stdout, /###-begin-provision-completions-###/);
  const purge = runCli(['remove', '--host', '10.0.0.4', '--purge-artifacts']);
  assert.equal(purge.code, 2);
  assert.match(purge.stderr, /--purge-artifacts deletes the artifacts folder .* add --yes to confirm/);
  const follow = runCli(['logs', '--host', '10.0.0.4', '--follow', '--json']);
  assert.equal(follow.code, 2);
  assert.match(follow.stderr, /--follow and --json exclude each other/);
  const lines = runCli(['logs', '--host', '10.0.0.4', '--lines', '0']);
  assert.equal(lines.code, 2);
  assert.match(lines.stderr, /--lines/);
  const unknown = runCli(['stop', '--host', '10.0.0.4', '--purge-artifacts']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown argument: purge-artifacts\. Run provision stop --help/);
});

test("the VM's secrets file read back: every value masked, and the password inside the URI too (a log line may print it plain)", () => {
  const pw = 'Lab@pw:/x#y?z%life42';
  const masker = hostMasker();
  readSecretsFile(`MLFLOW_BACKEND_STORE_URI='postgresql://mlflow:${encodeURIComponent(pw)}@db.example.com:5432/mlflow?sslmode=require'\n`, masker);
  assert.equal(masker.mask(`connection failed for password ${pw} here`), 'connection failed for password *** here');
});
