// A stalled apt source: a "mirror" inside the VM's network that accepts connections, reads, and never answers
// (as a broken mirror or proxy does). The run ends with one sentence naming the host, the command, the last
// line apt printed and what to check, instead of hanging for ten minutes; the rerun, with the source gone,
// completes. The watchdog's bound is lowered to 5 s by PROVISION_APT_STALL_SECONDS (documented in
// docs/troubleshooting.md) so the test takes seconds.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { newWorkdir, provision, provisionedVm, withLabFlags } from './cli.js';
import { ensureLab, requireLab, vmExec, vmIp, vmName, vmProcesses } from './lab.js';

const K = 33;
const PORT = 3149;
const SOURCE = '/etc/apt/sources.list.d/prov-test-stall.list';
const PROXY_EXCEPTION = '/etc/apt/apt.conf.d/99prov-test-stall';

/** Accepts and reads, sends nothing; ends by itself after `seconds`. Runs in the VM's network namespace. */
const LISTENER = `
const net = require('node:net');
const socks = new Set();
const srv = net.createServer((s) => { socks.add(s); s.on('data', () => {}); s.on('error', () => {}); });
srv.listen(${PORT}, '127.0.0.1', () => console.log('listening'));
setTimeout(() => { for (const s of socks) s.destroy(); process.exit(0); }, Number(process.argv[1]) * 1000);
`;

let available = true;
let listener: ReturnType<typeof spawn> | undefined;

before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(K);
  await provisionedVm(K);
});
after(async () => {
  listener?.kill();
  if (available) await vmExec(K, `rm -f ${SOURCE} ${PROXY_EXCEPTION}`).catch(() => undefined);
});

test('a silent apt source: the run stops with host, command, last line and what to check; exit 1, no apt left; the rerun completes', async (t) => {
  if (!requireLab(t)) return;
  listener = spawn('ip', ['netns', 'exec', `prov-${vmName(K)}`, process.execPath, '-e', LISTENER, '120'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(listener.stdout!, 'data'); // listening
  // One more source, reached directly (not through the lab's apt proxy): the real ones answer, this one never does.
  const setup = await vmExec(
    K,
    `echo 'deb [trusted=yes] http://127.0.0.1:${PORT}/debian stalled main' > ${SOURCE}; echo 'Acquire::http::Proxy::127.0.0.1 "DIRECT";' > ${PROXY_EXCEPTION}`,
  );
  assert.equal(setup.code, 0, setup.stderr);

  const workdir = newWorkdir();
  const stalled = await provision(withLabFlags(K, workdir, ['--upgrade']), { workdir, env: { PROVISION_APT_STALL_SECONDS: '5' } });
  t.diagnostic(`stalled run: ${(stalled.wallMs / 1000).toFixed(1)} s`);
  const out = stalled.stdout + stalled.stderr;
  t.diagnostic(out.split('\n').find((l) => l.includes('showed no progress')) ?? '(no stall sentence)');
  assert.equal(stalled.code, 1, out);
  const ip = vmIp(K).replace(/\./g, '\\.');
  assert.match(
    out,
    new RegExp(
      `"apt-get update" on ${ip} showed no progress for 5 s and was stopped; the last line it printed was "[^"\\n]+": ` +
        `check the VM's apt mirror and proxy \\(/etc/apt/sources\\.list\\.d, Acquire::http::Proxy in /etc/apt/apt\\.conf\\.d\\) and that the outbound rules ` +
        'of its network security group let it reach them, then rerun provision to continue\\.',
    ),
  );
  assert.doesNotMatch(out, /dlstatus|pmstatus/, 'apt status lines are not shown');
  assert.doesNotMatch(out, /at .*\.js:\d+/, 'no stack trace');

  // The stop reached apt: no apt-get of ours left (processes exiting a moment after get a few seconds).
  const apt = async () => (await vmProcesses(K)).filter((p) => /apt-get|\/usr\/lib\/apt\/methods/.test(p.cmdline)).map((p) => p.cmdline);
  let left = await apt();
  for (const deadline = Date.now() + 15_000; left.length > 0 && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 500));
    left = await apt();
  }
  assert.deepEqual(left, [], 'no apt process left on the VM');

  // The mirror is fixed (the source removed): the rerun continues and completes.
  listener.kill();
  await vmExec(K, `rm -f ${SOURCE} ${PROXY_EXCEPTION}`);
  const again = await provision(withLabFlags(K, workdir, ['--upgrade', '--json']), { workdir });
  t.diagnostic(`rerun: ${(again.wallMs / 1000).toFixed(1)} s`);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const result = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as { status: string; changed: string[] };
  assert.equal(result.status, 'ok');
  assert.ok(result.changed.includes('packages'), `apt ran again: ${result.changed.join(',')}`);
});
