// Issue 5: a hosts file of several VMs plus an address where nothing answers and a VM blocked from the
// database, on one fresh shared database.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dbEnv, newWorkdir, provision, provisionedVm } from './cli.js';
import { LAB_KEY, dbAllow, dbBlock, ensureLab, labPsql, requireLab, vmExec, vmIp } from './lab.js';

const HEALTHY = [9, 10];
const BLOCKED = 11;
const NOBODY = '10.231.0.99';
const DB = `batch_${process.pid}`;

function get(ip: string, path: string, method = 'GET', body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: ip, port: 5000, path, method, agent: false, timeout: 10_000, headers: { Host: `${ip}:5000`, ...(body ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(BLOCKED);
  for (const k of [...HEALTHY, BLOCKED]) await provisionedVm(k);
  await labPsql(`CREATE DATABASE ${DB} OWNER mlflow;`);
});
after(async () => {
  if (!available) return;
  await dbAllow(BLOCKED).catch(() => undefined);
});

test('a batch: healthy VMs provisioned, the unreachable and the DB-blocked ones reported, exit 1, logs without the password; a rerun fixes the blocked VM', async (t) => {
  if (!requireLab(t)) return;
  await dbBlock(BLOCKED);
  const workdir = newWorkdir();
  const hostsFile = join(workdir, 'hosts.txt');
  writeFileSync(hostsFile, [
    '# batch test',
    ...HEALTHY.map((k) => `azureuser@${vmIp(k)}`),
    `${NOBODY}   # nothing answers here`,
    `${vmIp(BLOCKED)} mlflow-port=5000`,
    `azureuser@${vmIp(HEALTHY[0]!)}`,
    '',
  ].join('\n'));
  const args = ['--hosts-file', hostsFile, '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'known_hosts'), '--yes', '--connect-timeout', '5'];
  const env = { POSTGRES_DB: DB };
  const res = await provision(args, { workdir, env });
  t.diagnostic(`batch of 4 wall time: ${(res.wallMs / 1000).toFixed(1)} s`);
  assert.equal(res.code, 1, res.stdout + res.stderr);
  assert.match(res.stderr + res.stdout, new RegExp(`hosts\\.txt line 6: azureuser@${esc(vmIp(HEALTHY[0]!))} repeats line 2; it runs once`));
  assert.match(res.stderr + res.stdout, /share the database 10\.231\.0\.2\/batch_\d+ but keep artifacts on their own disks/);

  const summary = res.stdout.slice(res.stdout.lastIndexOf('Summary'));
  for (const k of HEALTHY) assert.match(summary, new RegExp(`${vmIp(k).replace(/\./g, '\\.')}\\s+ok[\\s\\S]*?http://${vmIp(k).replace(/\./g, '\\.')}:5000`));
  assert.match(summary, /10\.231\.0\.99\s+unreachable[\s\S]*?(No SSH answer from 10\.231\.0\.99:22 within 5 s|10\.231\.0\.99:22 is unreachable)/);
  assert.match(summary, new RegExp(`${esc(vmIp(BLOCKED))}\\s+failed[\\s\\S]*?refuses connections from the VM ${esc(vmIp(BLOCKED))} \\(no pg_hba\\.conf entry\\): add a firewall rule`));

  for (const k of HEALTHY) {
    assert.equal(await get(vmIp(k), '/health'), 200);
    assert.equal(await get(vmIp(k), '/api/2.0/mlflow/experiments/search', 'POST', '{"max_results":1}'), 200);
    const log = await vmExec(k, 'cat /home/azureuser/mlflow-server.log');
    assert.doesNotMatch(log.stdout, /Error initializing backend store/);
  }
  const password = dbEnv().POSTGRES_PASSWORD!;
  for (const host of [...HEALTHY.map(vmIp), NOBODY, vmIp(BLOCKED)]) {
    const logFile = join(workdir, 'provision-logs', `${host}.log`);
    assert.ok(existsSync(logFile), `log for ${host}`);
    const text = readFileSync(logFile, 'utf8');
    assert.ok(!text.includes(password) && !text.includes(encodeURIComponent(password)));
  }
  assert.ok(!res.everything.includes(password));

  await dbAllow(BLOCKED);
  const again = await provision([...args, '--json'], { workdir, env });
  assert.equal(again.code, 1, 'still 1: one host stays unreachable');
  const results = again.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const byHost = Object.fromEntries(results.map((r) => [r.host, r]));
  assert.equal(byHost[vmIp(BLOCKED)].status, 'ok');
  assert.ok(byHost[vmIp(BLOCKED)].changed.includes('server'));
  assert.equal(byHost[NOBODY].status, 'unreachable');
  for (const k of HEALTHY) assert.deepEqual(byHost[vmIp(k)].changed, [], `vm${k} unchanged on the rerun`);
  assert.equal(await get(vmIp(BLOCKED), '/health'), 200);
});
