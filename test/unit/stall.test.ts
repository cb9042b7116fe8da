// A stalled apt download (a mirror or proxy that accepts and then sends nothing): apt's own network bounds in
// every apt command, and the stall watchdog of the executor, on a fake clock (node:test's mock timers).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { aptInstallCommand, packageCommands } from '../../src/plan/commands.js';
import { HostLog } from '../../src/run/host-log.js';
import { HostRun } from '../../src/run/host-run.js';
import { StallWatch, stallSeconds, type Timers } from '../../src/run/stall-watch.js';
import { stepsFor } from '../../src/run/tasks.js';
import { CommandStalled, exitCodeOf } from '../../src/util/errors.js';
import { FakeVm, fakeIO } from './fake-host.js';
import { config, fixture, LOGS } from './host-run-kit.js';

test('every apt command bounds its network waits, reports its progress, and has the stall watchdog', () => {
  const apt = [...packageCommands({ cloudInit: true, dpkgInterrupted: true, fullUpgrade: true }), aptInstallCommand(['caddy'], true)].filter((c) =>
    c.command.includes('apt-get'),
  );
  assert.equal(apt.length, 4);
  for (const c of apt) {
    for (const option of ['-o Acquire::http::Timeout=30', '-o Acquire::https::Timeout=30', '-o Acquire::Retries=2', '-o APT::Status-Fd=1']) {
      assert.ok(c.command.includes(option), `${c.label}: ${option}`);
    }
    assert.equal(c.stall?.seconds, 60, c.label);
    assert.match(c.stall.check, /apt mirror and proxy .* network security group/);
  }
});

/** A fake clock: `advance` runs what is due. */
function fakeTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout: (fn, ms) => {
      due.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (h) => void due.delete(h as number),
    advance(ms) {
      now += ms;
      for (const [h, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          due.delete(h);
          t.fn();
        }
      }
    },
  };
}

test('the watchdog fires after its bound of silence; output lines and changing apt status lines are life, a repeated one is not', () => {
  const clock = fakeTimers();
  let fired = 0;
  const w = new StallWatch(60, () => fired++, clock);
  assert.equal(w.line('Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]'), true);
  clock.advance(59_000);
  assert.equal(w.line('dlstatus:1:10.0000:Retrieving file 1 of 3'), false, 'status lines are not shown');
  clock.advance(59_000);
  w.line('dlstatus:1:20.0000:Retrieving file 1 of 3'); // bytes arrived: a slow download is alive
  for (let i = 0; i < 119; i++) {
    clock.advance(500);
    w.line('dlstatus:1:20.0000:Retrieving file 1 of 3'); // apt repeats it while nothing arrives
  }
  assert.equal(fired, 0);
  clock.advance(1_000);
  assert.equal(fired, 1);
  assert.equal(w.lastLine, 'Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]');
});

test('the watchdog pauses while dpkg works (pmstatus) and watches again at the next download', () => {
  const clock = fakeTimers();
  let fired = 0;
  const w = new StallWatch(60, () => fired++, clock);
  w.line('pmstatus:python3.11:20.0000:Configuring python3.11');
  clock.advance(600_000); // a long, silent postinst
  assert.equal(fired, 0);
  w.line('dlstatus:1:0.0000:Retrieving file 1 of 1');
  clock.advance(60_000);
  assert.equal(fired, 1);
});

test("the configured bound (--apt-stall-seconds, PROVISION_APT_STALL_SECONDS: test/unit/config.test.ts) replaces the command's own", () => {
  assert.equal(stallSeconds(60, undefined), 60);
  assert.equal(stallSeconds(60, 5), 5);
});

test('an apt command that prints a line and then nothing is stopped: one sentence with host, command, last line, what to check; exit 1', async (t) => {
  const c = config();
  const fake = new FakeVm({
    probe: fixture('fresh-debian12.txt'),
    hangOn: 'apt-update',
    hangAfter: ['Ign:1 http://deb.debian.org/debian bookworm-updates InRelease', 'dlstatus:1:0.0000:Retrieving file 1 of 3'],
  });
  const run = new HostRun(c.targets[0]!, c, new HostLog(LOGS, 'stall'), undefined, fakeIO(fake));
  const [connect, database, packages] = stepsFor(c);
  await run.execute(connect!);
  await run.execute(database!);
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const pending = run.execute(packages!).then(
    () => undefined,
    (e: unknown) => e,
  );
  await new Promise((r) => setImmediate(r));
  t.mock.timers.tick(59_000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(fake.commands, ['probe', 'apt-update'], 'still running after 59 s');
  t.mock.timers.tick(1_000);
  const err = await pending;
  t.mock.timers.reset();
  assert.ok(err instanceof CommandStalled, String(err));
  assert.equal(exitCodeOf(err), 1);
  assert.equal(
    (err as Error).message,
    '"apt-get update" on 10.0.0.4 showed no progress for 60 s and was stopped; the last line it printed was "Ign:1 http://deb.debian.org/debian bookworm-updates InRelease": ' +
      "check the VM's apt mirror and proxy (/etc/apt/sources.list.d, Acquire::http::Proxy in /etc/apt/apt.conf.d) and that the outbound rules of its network security group let it reach them, then rerun provision to continue.",
  );
  assert.deepEqual(fake.commands, ['probe', 'apt-update', 'stopped apt-update'], 'nothing ran after it');
  run.log.close();
  const log = readFileSync(run.log.path, 'utf8');
  assert.match(log, /Ign:1 http:\/\/deb\.debian\.org\/debian bookworm-updates InRelease/);
  assert.doesNotMatch(log, /dlstatus/, 'status lines stay out of the log');
});
