// Issue 6, secrets: a sentinel password must appear in no output, no log, no remote command line (sampled
// during and after each run) and no file on the VM but the 0600 secrets file, across the CLI's modes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, type CliRun, provisionSampled } from './cli.js';
import { dbAllow, dbBlock, ensureLab, labPsql, requireLab, vmExec, vmIp, vmProcesses } from './lab.js';

const VM = 8;
const SENTINEL = 'Sentinel@pw:/#?%-7f3a9c';
const ROLE = 'sentinel_user';
const FORMS = [SENTINEL, encodeURIComponent(SENTINEL)];

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function assertNoLeak(label: string, run: { res: CliRun; cmdlines: string[] }): void {
  for (const s of FORMS) {
    assert.ok(!run.res.everything.includes(s), `${label}: sentinel in output or logs`);
    assert.ok(!run.cmdlines.some((c) => c.includes(s)), `${label}: sentinel on a VM command line`);
  }
}

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  await labPsql(`DROP DATABASE IF EXISTS ${ROLE} WITH (FORCE); DROP ROLE IF EXISTS ${ROLE};`);
  await labPsql(`CREATE ROLE ${ROLE} LOGIN PASSWORD ${shq(SENTINEL)}; CREATE DATABASE ${ROLE} OWNER ${ROLE};`);
  await provisionedVm(VM);
});
after(async () => {
  if (available) await dbAllow(VM).catch(() => undefined);
});

test('the sentinel password leaks nowhere, in success and failure paths of every mode', async (t) => {
  if (!requireLab(t)) return;
  const env = { POSTGRES_USER: ROLE, POSTGRES_DB: ROLE, POSTGRES_PASSWORD: SENTINEL };
  const runs: Array<[string, string[], Record<string, string>, number]> = [
    ['first run, --verbose', ['--verbose'], env, 0],
    ['no-op rerun, --json', ['--json'], env, 0],
    ['dry run', ['--dry-run'], env, 0],
    ['wrong password containing the sentinel', ['--verbose'], { ...env, POSTGRES_PASSWORD: `${SENTINEL}x` }, 1],
    ['password from stdin, --json', ['--pg-password-stdin', '--json'], { POSTGRES_USER: ROLE, POSTGRES_DB: ROLE }, 0],
    // The real server with every process it can have: 2 workers and the job runner (its huey consumers).
    ['2 workers and the job runner', ['--workers', '2', '--job-runner'], env, 0],
  ];
  for (const [label, args, runEnv, code] of runs) {
    const noPw = !('POSTGRES_PASSWORD' in runEnv);
    const run = noPw
      ? await (async () => {
          const workdir = newWorkdir();
          const res = await provision([...labFlags(VM, workdir), ...args], { workdir, env: { ...runEnv, POSTGRES_PASSWORD: '' }, input: `${SENTINEL}\n` });
          return { res, cmdlines: (await vmProcesses(VM)).map((p) => p.cmdline) };
        })()
      : await provisionSampled(VM, args, { env: runEnv });
    assert.equal(run.res.code, code, `${label}: exit code\n${run.res.stdout}\n${run.res.stderr}`);
    if (label.includes('job runner')) {
      // The job runner starts its huey consumers some seconds after the server answers: wait for them (bounded).
      for (let i = 0; i < 60 && !run.cmdlines.some((c) => c.includes('huey_consumer')); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        run.cmdlines.push(...(await vmProcesses(VM)).map((p) => p.cmdline));
      }
      assert.ok(
        run.cmdlines.some((c) => c.includes('huey_consumer')),
        "the job runner's processes were seen",
      );
      assert.ok(run.cmdlines.filter((c) => c.includes('multiprocessing.spawn')).length >= 2, 'and both workers');
    }
    assertNoLeak(label, run);
  }

  await dbBlock(VM);
  const blocked = await provisionSampled(VM, ['--verbose', '--upgrade'], { env });
  assert.equal(blocked.res.code, 1);
  assert.match(blocked.res.stdout, /refuses connections from the VM/);
  assertNoLeak('database blocked', blocked);
  await dbAllow(VM);

  // On the VM, only the 0600 secrets file holds it.
  const holders = await vmExec(VM, `grep -rlF -e ${shq(FORMS[0]!)} -e ${shq(FORMS[1]!)} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null`, {
    timeoutMs: 120_000,
  });
  assert.deepEqual(holders.stdout.trim().split('\n'), ['/home/azureuser/.mlflow-server.env']);
  const mode = await vmExec(VM, 'stat -c "%a %U" /home/azureuser/.mlflow-server.env');
  assert.equal(mode.stdout.trim(), '600 azureuser');
  void vmIp;
});
