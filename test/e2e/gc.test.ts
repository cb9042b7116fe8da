// Issue 24 item 4: --gc-after DAYS on a VM that boots (systemd), with the real MLflow and the lab's Postgres.
// Two runs deleted through the REST API, one of them backdated in the database to 2 days ago: the daily
// service, started by hand, removes that one (row and artifact on disk) and keeps the one deleted today, with no
// secret in its files, its command line or its journal; `status --json` shows the run and its result; a rerun
// changes nothing; a rerun without --gc-after takes timer, service and launcher away. Checked from outside.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dbEnv, newWorkdir, provision, provisionedBootedVm, statusFlags, withLabFlags } from './cli.js';
import { httpToVm, logRunThroughRest } from './http.js';
import { ensureLab, labDbEnv, labPsql, requireLab, stopVm, vmExec, vmFileStat, vmIp } from './lab.js';

const VM = 46;
const IP = vmIp(VM);
const workdir = newWorkdir();
const GC_FILES = ['/etc/systemd/system/mlflow-gc.service', '/etc/systemd/system/mlflow-gc.timer', '/home/azureuser/mlflow-gc.sh'];

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(1);
  console.log(`vm${VM}: ${await provisionedBootedVm(VM, 'debian12')} booted VM`);
});
after(async () => {
  if (!available) return;
  await stopVm(VM).catch(() => undefined);
});

const cli = (args: string[]) => provision(withLabFlags(VM, workdir, ['--supervisor', 'systemd', ...args]), { workdir });
const root = async (cmd: string) => (await vmExec(VM, cmd)).stdout.trim();
const sql = async (query: string) => (await labPsql(`\\c ${labDbEnv().db}\n${query}`)).trim();

/** `systemctl start mlflow-gc.service` with a command-line sampler around it; prints what it saw, then gc_exit=N. */
const SAMPLED_GC_RUN = [
  'declare -A seen; stop=/run/prov-gc-sampler-stop; rm -f $stop',
  '( while [ ! -e $stop ]; do for f in /proc/[0-9]*/cmdline; do l=; while IFS= read -r -d "" a; do l+="$a "; done 2>/dev/null < "$f";',
  '  [[ -n $l && -z ${seen[$l]} ]] && { seen[$l]=1; printf "%s\\n" "${l% }"; }; done; sleep 0.02; done ) &',
  'sleep 0.3; systemctl start mlflow-gc.service; rc=$?; touch $stop; wait; rm -f $stop; echo "gc_exit=$rc"',
].join('\n');

async function deleteRun(runId: string): Promise<void> {
  const res = await httpToVm(IP, { method: 'POST', path: '/api/2.0/mlflow/runs/delete', body: JSON.stringify({ run_id: runId }) });
  assert.equal(res.status, 200, res.body);
}

test('--gc-after 1: the timer is enabled; its service removes a run deleted 2 days ago and keeps one deleted today; status shows the run', async (t) => {
  if (!available) return t.skip('lab not available');
  const password = dbEnv().POSTGRES_PASSWORD!;
  const first = await cli(['--gc-after', '1']);
  assert.equal(first.code, 0, first.everything);
  assert.match(first.everything, /gc: changed/);
  assert.equal(await root('systemctl is-enabled mlflow-gc.timer; systemctl is-active mlflow-gc.timer'), 'enabled\nactive');
  assert.match(await root('systemctl list-timers --all --no-pager mlflow-gc.timer'), /mlflow-gc\.timer\s+mlflow-gc\.service/);
  for (const file of GC_FILES) {
    const text = await root(`cat ${file}`);
    assert.ok(text.length > 0 && !text.includes(password), `${file}: there, and no password in it`);
  }
  assert.equal((await vmFileStat(VM, GC_FILES[2]!))?.mode, 0o700);

  const old = await logRunThroughRest(IP);
  const recent = await logRunThroughRest(IP);
  await deleteRun(old.runId);
  await deleteRun(recent.runId);
  // Deleted 2 days ago, as far as MLflow can tell: gc --older-than 1d selects by the run's deleted_time.
  await sql(`UPDATE runs SET deleted_time = deleted_time - 2 * 86400000 WHERE run_uuid = '${old.runId}';`);
  const artifact = (a: typeof old) => `/home/azureuser/mlruns-artifacts/${a.artifactPath}`;
  assert.equal(await root(`test -f ${artifact(old)} && echo there`), 'there');

  const started = Date.now();
  // Started by hand while a sampler in the VM records every command line that appears (every ~20 ms).
  const ran = await vmExec(VM, SAMPLED_GC_RUN, { timeoutMs: 120_000 });
  t.diagnostic(`mlflow gc ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.match(ran.stdout, /^gc_exit=0$/m, ran.stderr);
  const cmdlines = ran.stdout.split('\n');
  assert.ok(
    cmdlines.some((l) => l.includes('from mlflow.cli import cli') && l.includes('--older-than 1d')),
    'the sampler saw the gc process',
  );
  assert.ok(!cmdlines.some((l) => l.includes(password)), 'no password on any command line while gc ran');
  assert.equal(await root('systemctl show mlflow-gc.service -p Result --value'), 'success');
  assert.equal(await sql(`SELECT count(*) FROM runs WHERE run_uuid = '${old.runId}';`), '0', 'the run deleted 2 days ago is gone for good');
  assert.equal(await root(`test -e ${artifact(old)} && echo there || echo gone`), 'gone', 'and its artifact with it');
  assert.equal(await sql(`SELECT lifecycle_stage FROM runs WHERE run_uuid = '${recent.runId}';`), 'deleted', 'the run deleted today stays');
  assert.equal(await root(`test -f ${artifact(recent)} && echo there`), 'there');
  const journal = await root('journalctl -u mlflow-gc.service --no-pager -o cat');
  assert.match(journal, new RegExp(`Run with ID ${old.runId} has been permanently deleted`));
  assert.ok(!journal.includes(password), 'no password in the journal');
  assert.ok(!(await root('systemctl show mlflow-gc.service -p ExecStart -p Environment')).includes(password));

  const status = await provision(['status', ...statusFlags(VM, workdir), '--json'], { workdir });
  const report = JSON.parse(status.stdout) as { gc: { afterDays: number; lastRun: string; result: string } | null; problems: string[] };
  assert.equal(report.gc?.afterDays, 1);
  assert.equal(report.gc?.result, 'success');
  assert.ok(Math.abs(Date.parse(report.gc.lastRun) - Date.now()) < 120_000, `last run ${report.gc.lastRun} is now`);
  assert.deepEqual(report.problems, []);

  const again = await cli(['--gc-after', '1']);
  assert.equal(again.code, 0, again.everything);
  assert.match(again.everything, /gc: unchanged/);

  const without = await cli([]);
  assert.equal(without.code, 0, without.everything);
  assert.match(without.everything, /gc: changed \(no --gc-after now/);
  t.diagnostic(`provision: ${[first, again, without].map((r) => (r.wallMs / 1000).toFixed(1)).join(' s, ')} s (with gc, rerun, without)`);
  assert.equal(await root(`ls ${GC_FILES.join(' ')} 2>/dev/null | wc -l`), '0');
  assert.notEqual(await root('systemctl is-enabled mlflow-gc.timer 2>&1; true'), 'enabled');
});
