// Issue 8: Host allow-list and CORS derived from --host and every --public-name. Checked from this machine
// with the Host and Origin headers a browser would send at each name; the launcher read through the lab.
import assert from 'node:assert/strict';
import { httpToVm } from './http.js';
import { before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm } from './cli.js';
import { ensureLab, requireLab, vmIp, vmReadFile } from './lab.js';

const VM = 24;
const IP = vmIp(VM);
const HOME = '/home/azureuser';
async function post(host: string, origin?: string): Promise<{ status: number; body: string; acao?: string }> {
  const r = await httpToVm(IP, {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/search',
    host,
    body: '{"max_results":1}',
    ...(origin ? { headers: { Origin: origin } } : {}),
  });
  const acao = r.headers['access-control-allow-origin'];
  return { status: r.status, body: r.body, ...(acao ? { acao: String(acao) } : {}) };
}
const NAMES = ['mlflow.example.com', '203.0.113.7'];

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(25);
  await provisionedVm(VM);
});

test('without --public-name: the host alone in the allow-list and the CORS origins; a foreign Host gets 403', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const res = await provision(labFlags(VM, workdir), { workdir });
  assert.equal(res.code, 0, res.stdout);
  assert.match(res.stdout, /Health check: unchanged \(.*answers from here, refuses a foreign Host header\)/);
  const launcher = await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`);
  assert.ok(launcher.includes(`  --allowed-hosts ${IP},${IP}:5000,localhost,localhost:5000,127.0.0.1,127.0.0.1:5000 \\\n`), launcher);
  assert.ok(launcher.includes(`  --cors-allowed-origins http://${IP}:5000\n`), launcher);
  assert.equal((await post(`${IP}:5000`, `http://${IP}:5000`)).status, 200, 'the UI at the VM address may call the API');
  const foreign = await post('evil.example.com:5000');
  assert.deepEqual([foreign.status, foreign.body], [403, 'Invalid Host header - possible DNS rebinding attack detected']);
  const cross = await post(`${IP}:5000`, 'http://evil.example.com');
  assert.deepEqual([cross.status, cross.body], [403, 'Cross-origin request blocked']);
});

test('--public-name twice: each name, with and without port, is allowed and a CORS origin; others still 403', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const args = [...labFlags(VM, workdir), ...NAMES.flatMap((n) => ['--public-name', n])];
  const res = await provision(args, { workdir });
  assert.equal(res.code, 0, res.stdout);
  assert.match(res.stdout, /Launcher and secrets file: changed \(launcher different/);
  assert.match(res.stdout, /Health check: unchanged \(.*answers from here, refuses a foreign Host header, all 2 public names answer\)/);
  const launcher = await vmReadFile(VM, `${HOME}/start-mlflow-server.sh`);
  assert.ok(
    launcher.includes(
      `--allowed-hosts ${IP},${IP}:5000,mlflow.example.com,mlflow.example.com:5000,203.0.113.7,203.0.113.7:5000,localhost,localhost:5000,127.0.0.1,127.0.0.1:5000 `,
    ),
    launcher,
  );
  assert.ok(launcher.includes(`--cors-allowed-origins http://${IP}:5000,http://mlflow.example.com:5000,http://203.0.113.7:5000`), launcher);

  for (const name of NAMES) {
    for (const host of [name, `${name}:5000`]) assert.equal((await post(host)).status, 200, `Host: ${host}`);
    const fromUi = await post(`${name}:5000`, `http://${name}:5000`);
    assert.equal(fromUi.status, 200, `the UI at http://${name}:5000`);
  }
  const foreign = await post('evil.example.com:5000');
  assert.deepEqual([foreign.status, foreign.body], [403, 'Invalid Host header - possible DNS rebinding attack detected']);
  assert.equal((await post('mlflow.example.com:5000', 'http://evil.example.com')).status, 403, 'another origin is still blocked');

  const again = await provision([...args, '--json'], { workdir });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout.trim()).changed, []);

  const bad = await provision([...labFlags(VM, workdir), '--public-name', 'https://mlflow.example.com/'], { workdir });
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /--public-name "https:\/\/mlflow\.example\.com\/" is not a host name or IP address: give the name alone, e\.g\. mlflow\.example\.com \(no scheme, no port\)\./,
  );
});
