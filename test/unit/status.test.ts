import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fastParse } from '../../src/cli/fast-parse.js';
import { STATUS_OPTIONS } from '../../src/config/options.js';
import { buildParser } from '../../src/cli/parser.js';
import { duration, statusJson, statusText } from '../../src/cli/render-status.js';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import { backendStoreUri, parseBackendUri, type DatabaseSettings } from '../../src/render/backend-uri.js';
import { parseSecretsEnv, remoteLayout, renderLauncher, renderSecretsEnv } from '../../src/render/server-files.js';
import { buildStatusScript, launcherFlag, parseStatusExtras, type HostStatus } from '../../src/run/status.js';
import { Secret } from '../../src/util/secret.js';

const PASSWORD = 'p@ss:w/rd#1?x%2\'q "$HOME"';
const db: DatabaseSettings = {
  host: 'db.example.com',
  port: 6432,
  user: 'ml flow',
  database: 'mlflow',
  password: new Secret(PASSWORD),
  sslmode: 'verify-full',
};

test('the status script is valid shell, writes nothing, and ends with the probe marker', () => {
  const script = buildStatusScript(5000);
  execFileSync('bash', ['-n'], { input: script });
  assert.doesNotMatch(script, /\brm\b|\bmkdir\b|\btouch\b|>\s*[^&/]|>>/);
  assert.equal(script.match(/probe_done=1/g)?.length, 1);
  assert.match(script.trimEnd(), /echo probe_done=1$/);
});

test('the secrets file reads back exactly as written, and the database settings from its URI', () => {
  const values = parseSecretsEnv(renderSecretsEnv(db).reveal());
  const uri = values.get('MLFLOW_BACKEND_STORE_URI')!;
  assert.equal(uri.reveal(), backendStoreUri(db).reveal());
  const back = parseBackendUri(uri)!;
  assert.deepEqual({ ...back, password: back.password.reveal() }, { ...db, password: PASSWORD });
  assert.equal(parseBackendUri(new Secret('sqlite:///mlflow.db')), undefined);
});

test('launcher flags and the extra status lines are read back', () => {
  const launcher = renderLauncher(remoteLayout('/home/u'), { port: 5123, workers: 1, allowedHosts: ['a', 'a:5123'] });
  assert.equal(launcherFlag(launcher.split('\n'), '--port'), '5123');
  assert.equal(launcherFlag(launcher.split('\n'), '--app-name'), undefined);
  const x = parseStatusExtras('sys_uptime=1000.5\nclk_tck=100\nserver_start_ticks=50000\nlauncher_line=#!/bin/bash\nlog_line=INFO: a=b\nprobe_done=1\n');
  assert.equal(x.sysUptime, 1000.5);
  assert.equal(x.startTicks, 50000);
  assert.deepEqual(x.log, ['INFO: a=b']);
  assert.equal(duration(42), '42 s');
  assert.equal(duration(3 * 3600 + 120), '3 h 2 min');
  assert.equal(duration(2 * 86400 + 3600), '2 d 1 h');
});

test('status needs no database settings; its port and SSH settings come from flags and the environment', () => {
  const c = buildCommandConfig('status', readSettings({ host: ['10.0.0.4'], 'ssh-config': '/nonexistent' }, { PROVISION_MLFLOW_PORT: '5050' }));
  assert.equal(c.port, 5050);
  assert.equal(c.targets[0]!.address, '10.0.0.4');
  assert.equal(c.ssh.hostKeyPolicy, 'accept-new');
});

test('the fast path reads `status` arguments as yargs does, and leaves it the rest', async () => {
  const viaYargs = async (args: string[]) => {
    let failed: string | undefined;
    const argv = (await buildParser(args, '0')
      .fail((m) => {
        failed = m;
      })
      .parseAsync()) as Record<string, unknown>;
    if (failed) throw new Error(failed);
    return argv;
  };
  const settings = (argv: Record<string, unknown>) => [...readSettings(argv, {}).entries()];
  for (const args of [
    ['--host', 'a', '--json'],
    ['--hosts-file', 'h.txt', '--concurrency', '3', '--mlflow-port', '5001'],
  ]) {
    const fast = fastParse(args, STATUS_OPTIONS);
    assert.ok(fast);
    const y = await viaYargs(['status', ...args]);
    assert.deepEqual(y._, ['status']);
    assert.deepEqual(settings(fast), settings(y));
  }
  assert.equal(fastParse(['--host', 'a', '--pg-host', 'db'], STATUS_OPTIONS), undefined);
  await assert.rejects(viaYargs(['status', '--host', 'a', '--pg-host', 'db']), /Unknown argument/);
});

test('status says a host key it recorded as provision does: a line in the report, newHostKey in --json', () => {
  const base: HostStatus = {
    host: '10.0.0.4',
    healthy: false,
    problems: ['10.0.0.4 is not provisioned'],
    server: { running: false },
    mlflow: {},
    database: { reachable: false, detail: 'not checked' },
    auth: 'none',
    log: { lines: [] },
    durationMs: 400,
  };
  const key = { type: 'ssh-ed25519', fingerprint: 'SHA256:fYaVvnFgAT77UYw4hf/ck76fH6xyl71w3ws2DjnjvR8', recordedIn: '/home/me/.ssh/known_hosts' };
  const line = 'new host key ssh-ed25519 SHA256:fYaVvnFgAT77UYw4hf/ck76fH6xyl71w3ws2DjnjvR8 recorded in /home/me/.ssh/known_hosts';
  const text = statusText({ ...base, newHostKey: key }).split('\n');
  assert.equal(text[1], `  ${line}`, 'right under the verdict');
  // also when the connection got no further than the key (the key is recorded all the same)
  assert.ok(statusText({ ...base, error: 'reading the VM failed', newHostKey: key }).includes(`\n  ${line}\n`));
  assert.ok(!statusText(base).includes('new host key'));
  assert.deepEqual(JSON.parse(statusJson({ ...base, newHostKey: key })).newHostKey, key);
  assert.equal(JSON.parse(statusJson(base)).newHostKey, null);
});

test('status names the supervisor, what it survives, and how to see the log and restart', () => {
  const base: HostStatus = {
    host: '10.0.0.4',
    healthy: true,
    problems: [],
    server: { running: true, pid: 42 },
    mlflow: {},
    database: { reachable: true, detail: 'ok' },
    auth: 'none',
    log: { lines: [] },
    durationMs: 300,
  };
  assert.match(
    statusText({ ...base, supervisor: 'systemd' }),
    /\n {2}supervisor +systemd \(mlflow-server\.service\): restarted after a crash, started at boot; .*sudo systemctl restart mlflow-server\.service/,
  );
  assert.match(statusText({ ...base, supervisor: 'nohup' }), /\n {2}supervisor +nohup: a reboot stops the server; rerun provision to start it/);
  assert.equal(JSON.parse(statusJson({ ...base, supervisor: 'systemd' })).supervisor, 'systemd');
});
