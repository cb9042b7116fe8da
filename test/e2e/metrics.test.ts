// Issue 25 item 5: --metrics turns on MLflow's Prometheus exporter (--expose-prometheus). Checked from outside
// the tool: /metrics answers Prometheus's text format at the VM's address after traffic, the exporter's folder is
// emptied at each start (a file left in it is gone after a restart), and a rerun without --metrics takes it away.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, statusFlags } from './cli.js';
import { httpToVm, logRunThroughRest } from './http.js';
import { ensureLab, requireLab, vmExec, vmIp } from './lab.js';

const VM = 22;
const IP = vmIp(VM);
const DIR = '/home/azureuser/.mlflow-metrics';

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  await provisionedVm(VM);
});

after(async () => {
  if (available) await provision(['stop', ...statusFlags(VM, newWorkdir())]).catch(() => undefined);
});

test('--metrics: /metrics answers Prometheus text, its folder starts empty at each start, a rerun without it takes it away', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const on = await provision([...labFlags(VM, workdir), '--metrics'], { workdir });
  assert.equal(on.code, 0, `${on.stdout}\n${on.stderr}`);
  assert.match(on.stdout + on.stderr, /\/metrics ok/);

  await logRunThroughRest(IP);
  const scraped = await httpToVm(IP, { path: '/metrics' });
  assert.equal(scraped.status, 200);
  assert.match(scraped.body, /^# TYPE mlflow_http_request_total counter$/m);
  assert.match(scraped.body, /^mlflow_http_request_total\{.*status="200".*\} [1-9]/m, 'the REST calls above are counted');

  // A file an earlier server left would be counted again: the launcher empties the folder at each start.
  assert.equal((await vmExec(VM, `touch ${DIR}/left-by-an-earlier-server.db && ls ${DIR} | wc -l`)).code, 0);
  const restarted = await provision(['restart', ...statusFlags(VM, workdir)], { workdir });
  assert.equal(restarted.code, 0, `${restarted.stdout}\n${restarted.stderr}`);
  const listing = await vmExec(VM, `ls -A ${DIR}; stat -c %a ${DIR}`);
  assert.doesNotMatch(listing.stdout, /left-by-an-earlier-server/);
  assert.match(listing.stdout, /^700$/m);

  const off = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(off.code, 0, `${off.stdout}\n${off.stderr}`);
  assert.equal((await httpToVm(IP, { path: '/metrics' })).status, 404, 'the exporter is gone after a rerun without --metrics');
});
