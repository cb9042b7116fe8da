// Issue 22, item 13: a rerun repairs a server that runs but does not answer (its listeners gone, or wedged), and
// a request on the VM that gets no HTTP answer is told in a sentence, never as a bare socket or channel error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HttpOnVmError, httpOnVmFailure } from '../../src/checks/http.js';
import { ConnectionDropped } from '../../src/util/errors.js';
import { sha256 } from '../../src/render/server-files.js';
import { config, desiredFor, healthyProbe, provision, withSystemd } from './host-run-kit.js';

test('a live server PID with nothing of it on the port: restarted, saying why', async () => {
  const c = config();
  const probe = healthyProbe(c, (p) => p.replace('server_listening=1', 'server_listening=0'));
  const { vm, run, error } = await provision(c, { probe, serverUp: true, database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe', 'stop', 'start']);
  assert.match(
    readFileSync(run.log.path, 'utf8'),
    /== server: changed \(the server \(pid 4242\) is not answering: nothing of it listens on port 5000; started pid 5001\)/,
  );
});

test('a wedged server (it holds the port, /health gets no answer): stopped and started again; a dry run says it would', async () => {
  const c = config();
  const { vm, run, error } = await provision(c, { probe: healthyProbe(c), serverUp: true, wedged: true, database: { hasMlflowSchema: true } });
  assert.equal(error, undefined);
  assert.deepEqual(vm.commands, ['probe', 'stop', 'start']);
  const log = readFileSync(run.log.path, 'utf8');
  assert.match(log, /the server does not answer on port 5000 \(\/health got socket hang up\): restarting it/);
  assert.match(log, /== server: changed \(the server \(pid 4242\) is not answering: \/health got socket hang up; started pid 5001\)/);
  assert.deepEqual(run.result().changed, ['server']);

  const dry = await provision(config({ 'dry-run': true }), { probe: healthyProbe(c), serverUp: true, wedged: true, database: { hasMlflowSchema: true } });
  assert.deepEqual(dry.vm.commands, ['probe']);
  assert.match(readFileSync(dry.run.log.path, 'utf8'), /== server: changed \(would restart: the server \(pid 4242\) is not answering/);
});

test('under systemd too: a unit whose main process holds no listener, or does not answer, is stopped and started again', async () => {
  const c = config({ supervisor: 'systemd' });
  const unitProbe = (edit: (p: string) => string = (p) => p) => {
    const base = edit(healthyProbe(c));
    const d = desiredFor(c, withSystemd(base, { sha256: 'x' }));
    return withSystemd(base, { sha256: sha256(d.unit!), fingerprint: d.fingerprint, mainPid: 4242 });
  };
  const deaf = await provision(c, {
    probe: unitProbe((p) => p.replace('server_listening=1', 'server_listening=0')),
    serverUp: true,
    database: { hasMlflowSchema: true },
  });
  assert.equal(deaf.error, undefined);
  assert.deepEqual(deaf.vm.commands, ['probe', 'unit-stop', 'stop', 'unit-start']);
  assert.match(
    readFileSync(deaf.run.log.path, 'utf8'),
    /== server: changed \(the server \(pid 4242\) is not answering: nothing of it listens on port 5000; started pid 6001 under systemd\)/,
  );
  const wedged = await provision(c, { probe: unitProbe(), serverUp: true, wedged: true, database: { hasMlflowSchema: true } });
  assert.equal(wedged.error, undefined);
  assert.deepEqual(wedged.vm.commands, ['probe', 'unit-stop', 'stop', 'unit-start']);
});

test('no bare socket or channel error: what failed, on which VM, what to check; the cause kept apart', () => {
  const req = { path: '/health' };
  const refused = httpOnVmFailure(Object.assign(new Error('(SSH) Channel open failure: Connection refused'), { code: 'FORWARD_FAILED' }), {
    vm: '10.0.0.4',
    port: 5000,
    req,
  });
  assert.ok(refused instanceof HttpOnVmError);
  assert.equal(
    refused.message,
    'GET /health to port 5000 on 10.0.0.4 (through the SSH connection) got no answer: connection refused (nothing listens on port 5000); ' +
      'check that the server on that port runs and answers (provision status shows the MLflow server and its log), or rerun provision to restart it.',
  );
  assert.equal(refused.detail, 'connection refused (nothing listens on port 5000)');
  const hangUp = httpOnVmFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { vm: '10.0.0.4', port: 5000, req });
  assert.match(
    String((hangUp as Error).message),
    /^GET \/health to port 5000 on 10\.0\.0\.4 \(through the SSH connection\) got no answer: socket hang up; check/,
  );
  // Certificate failures and a dropped connection keep their own words (their callers say which certificate).
  const cert = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  assert.equal(httpOnVmFailure(cert, { vm: 'v', port: 443, req }), cert);
  const dropped = new ConnectionDropped('The SSH connection to v dropped.');
  assert.equal(httpOnVmFailure(dropped, { vm: 'v', port: 5000, req }), dropped);
});
