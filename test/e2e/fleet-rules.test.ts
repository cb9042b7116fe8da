// Issue 25 item 2: the fleet rules on the lab. Two VMs on one fresh database with --auth basic and a wasbs://
// destination: both secrets files hold the same session key (compared on the VMs as hashes, never printed), and
// a session cookie made on VM A is accepted by VM B (a CSRF-protected form: Flask signs the cookie with the key).
// Then VM-disk artifacts on the same database: refused with one sentence naming Blob, exit 2, nothing changed.
// Artifacts go to the lab's Azure Blob (Azurite): the verify step's round trip must pass on both VMs.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dbEnv, fleetBlob, newWorkdir, provision, provisionedVm } from './cli.js';
import { httpToVm } from './http.js';
import { AZURITE_CONTAINER, ensureLab, LAB_KEY, labPsql, requireLab, vmExec, vmIp } from './lab.js';

const VMS = [29, 30] as const;
const HOME = '/home/azureuser';
const DB = `fleet_${process.pid}`;
const AUTH_DB = `fleet_auth_${process.pid}`;
const ADMIN_PW = 'Fleet-Admin-Sentinel-42';
const BLOB = fleetBlob(`fleet-rules-${process.pid}`);

/** Runs on the VM and prints a hash of a file's or a value's content; the content never leaves the VM. */
const hashOnVm = async (k: number, cmd: string) => (await vmExec(k, `(${cmd}) | sha256sum | cut -c1-16`)).stdout.trim();
const keyHash = (k: number) => hashOnVm(k, `sed -n 's/^MLFLOW_FLASK_SERVER_SECRET_KEY=//p' ${HOME}/.mlflow-server.env`);
const filesHash = (k: number) => hashOnVm(k, `cat ${HOME}/.mlflow-server.env ${HOME}/start-mlflow-server.sh ${HOME}/mlflow-server.pid 2>&1`);

function hostsFile(workdir: string): string {
  const path = join(workdir, 'hosts.txt');
  writeFileSync(path, `${VMS.map((k) => `azureuser@${vmIp(k)}`).join('\n')}\n`);
  return path;
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(30);
  await labPsql(
    `DROP DATABASE IF EXISTS ${DB} WITH (FORCE); CREATE DATABASE ${DB} OWNER mlflow; DROP DATABASE IF EXISTS ${AUTH_DB} WITH (FORCE); CREATE DATABASE ${AUTH_DB} OWNER mlflow;`,
  );
  for (const k of VMS) await provisionedVm(k);
});
after(async () => {
  if (!available) return;
  for (const k of VMS) await vmExec(k, "pkill -KILL -f '^/home/[^/]+/mlflow-venv/bin/python' || true", { timeoutMs: 20_000 }).catch(() => undefined);
  await labPsql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE); DROP DATABASE IF EXISTS ${AUTH_DB} WITH (FORCE);`).catch(() => undefined);
});

test('a fleet of two VMs on one database: one session key, a session made on A accepted by B; VM-disk artifacts refused, nothing changed', async (t) => {
  if (!requireLab(t)) return;
  const started = Date.now();
  const workdir = newWorkdir();
  const common = ['--hosts-file', hostsFile(workdir), '--identity-file', LAB_KEY, '--known-hosts', join(workdir, 'known_hosts'), '--yes', '--workers', '1'];
  const env = { POSTGRES_DB: DB, POSTGRES_AUTH_DB: AUTH_DB, MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PW, ...BLOB.env };
  const res = await provision([...common, '--auth', 'basic', ...BLOB.args], { workdir, env });
  t.diagnostic(`fleet of 2 with --auth basic and wasbs://: ${(res.wallMs / 1000).toFixed(1)} s, exit ${res.code}`);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.ok(!res.everything.includes(ADMIN_PW), 'the admin password in the output or a log');

  // One key: same hash on both VMs, and a 64-hex key (the hash of an empty value would match too).
  const [a, b] = [await keyHash(VMS[0]), await keyHash(VMS[1])];
  assert.equal(a, b, `the session keys differ: sha256 ${a} on vm${VMS[0]}, ${b} on vm${VMS[1]}`);
  const keyShape = await vmExec(VMS[0], `grep -cE "^MLFLOW_FLASK_SERVER_SECRET_KEY='?[0-9a-f]{64}'?$" ${HOME}/.mlflow-server.env`);
  assert.equal(keyShape.stdout.trim(), '1', 'a 64-hex session key in the secrets file');
  for (const k of VMS)
    assert.ok(
      !res.everything.includes((await vmExec(k, `sed -n 's/^MLFLOW_FLASK_SERVER_SECRET_KEY=//p' ${HOME}/.mlflow-server.env | tr -d "'"`)).stdout.trim()),
    );

  // A session made on A (the signup form's CSRF token, its session cookie signed with the key) is accepted by B.
  const admin = { user: 'admin', password: ADMIN_PW };
  const form = await httpToVm(vmIp(VMS[0]), { path: '/signup', ...admin });
  assert.equal(form.status, 200, form.body.slice(0, 300));
  const cookie = String(form.headers['set-cookie']?.find((c) => c.startsWith('session=')) ?? '').split(';')[0]!;
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(form.body)?.[1];
  assert.ok(cookie && csrf, 'the signup form sets a session cookie and holds a CSRF token');
  const user = `fleet${process.pid}`;
  const created = await httpToVm(vmIp(VMS[1]), {
    method: 'POST',
    path: '/api/2.0/mlflow/users/create-ui',
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ csrf_token: csrf, username: user, password: 'Fleet-User-Password-1' }).toString(),
    headers: { Cookie: cookie },
    ...admin,
  });
  assert.equal(created.status, 200, `VM B refused VM A's session: ${created.status} ${created.body.slice(0, 200)}`);
  assert.doesNotMatch(created.body, /CSRF/);
  const got = await httpToVm(vmIp(VMS[0]), { path: `/api/2.0/mlflow/users/get?username=${user}`, ...admin });
  assert.equal(got.status, 200, 'the user made through B is known to A (one auth database)');

  // status --hosts-file: the fleet's verdict after the VMs' reports (one JSON line), the key compared by hash only.
  const status = await provision(['status', ...common.slice(0, 6), '--json'], { workdir, noDbEnv: true });
  const fleetLine = status.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { fleet?: Record<string, unknown> })
    .find((l) => l.fleet);
  assert.deepEqual(
    fleetLine?.fleet,
    {
      database: `10.231.0.2:${dbEnv().POSTGRES_PORT}/${DB}`,
      hosts: VMS.map(vmIp),
      consistent: true,
      blobContainer: `${AZURITE_CONTAINER}@devstoreaccount1`,
      sameSecretKey: true,
      mlflowVersion: fleetLine?.fleet?.mlflowVersion,
      problems: [],
    },
    status.stdout,
  );
  assert.match(String(fleetLine?.fleet?.mlflowVersion), /^\d+\.\d+\.\d+$/);

  // VM-disk artifacts on the same database: refused before connecting, nothing changed on either VM.
  const before = await Promise.all(VMS.map(filesHash));
  const refused = await provision([...common, '--auth', 'basic'], { workdir, env: { ...env, AZURE_STORAGE_CONNECTION_STRING: '' } });
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(
    refused.stderr,
    new RegExp(
      `2 VMs share the database 10\\.231\\.0\\.2:\\d+/${DB}, so they must share their artifacts too.*Azure Blob with --artifacts-destination wasbs://`,
    ),
  );
  assert.doesNotMatch(refused.stdout + refused.stderr, /Connect and check|new host key/, 'nothing connected');
  assert.deepEqual(await Promise.all(VMS.map(filesHash)), before, 'the files and the server on the VMs are as they were');
  t.diagnostic(`refused run: ${(refused.wallMs / 1000).toFixed(1)} s; test body: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
