// Prompts through a real terminal (a pseudo-terminal driven by test/e2e/pty-driver.py): asked before the
// task list starts, defaults shown, the password masked; and never asked with --yes.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { dbEnv, provisionedVm } from './cli.js';
import { ensureLab, LAB_KEY, requireLab, vmIp } from './lab.js';
import { onTerminal } from './terminal.js';

const VM = 23;
/** As labFlags (cli.ts): the provisioned snapshot's server has one worker, so a run here starts it as it is (the
 * default from the VM's memory would rewrite the launcher and start 4 workers, about 1.3 GB); prompts never ask it. */
const ONE_WORKER = ['--workers', '1'];

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  await provisionedVm(VM);
});

test('on a terminal, missing values are asked before any task: defaults shown, the password masked', async (t) => {
  if (!available) return t.skip('lab not available');
  const { POSTGRES_HOST, POSTGRES_PASSWORD } = dbEnv();
  const flags = ['--host', vmIp(VM), '--identity-file', LAB_KEY, '--known-hosts', 'known_hosts', ...ONE_WORKER];
  const { code, screen } = await onTerminal(
    flags,
    [
      { expect: 'PostgreSQL user', send: '\r' }, // accept the default
      { expect: 'PostgreSQL database', send: '\r' },
      { expect: 'Password for PostgreSQL user mlflow', send: `${POSTGRES_PASSWORD!}\r` },
    ],
    { POSTGRES_HOST: POSTGRES_HOST! },
  );
  assert.equal(code, 0, screen);
  assert.match(screen, /PostgreSQL user.*mlflow/, 'the default user is shown');
  assert.ok(!screen.includes(POSTGRES_PASSWORD!), 'the typed password is never shown');
  assert.match(screen, /Password for PostgreSQL user mlflow.*\*{4,}/, 'the password is shown masked');
  const asked = screen.lastIndexOf('Password for PostgreSQL user');
  const firstTask = screen.indexOf('Connect and check the VM');
  assert.ok(firstTask > asked, 'every prompt comes before the task list');
  assert.match(screen, /no changes|unchanged/);
});

test('on a terminal with --yes, nothing is asked: a missing password is an error naming where to set it (exit 2)', async (t) => {
  if (!available) return t.skip('lab not available');
  const flags = ['--host', vmIp(VM), '--identity-file', LAB_KEY, '--known-hosts', 'known_hosts', '--yes', ...ONE_WORKER];
  const { code, screen } = await onTerminal(flags, [], { POSTGRES_HOST: dbEnv().POSTGRES_HOST! });
  assert.equal(code, 2, screen);
  assert.match(screen, /POSTGRES_PASSWORD/);
  assert.doesNotMatch(screen, /\? |Password for/, 'no prompt was drawn');
});

test('a terminal that reports no width gets plain lines, not the redrawing task list', async (t) => {
  if (!available) return t.skip('lab not available');
  const flags = ['--host', vmIp(VM), '--identity-file', LAB_KEY, '--known-hosts', 'known_hosts', '--yes', ...ONE_WORKER];
  const { code, screen } = await onTerminal(flags, [], dbEnv(), 0);
  assert.equal(code, 0, screen);
  assert.match(screen, /^✔ Connect and check the VM: unchanged \(/m, 'one plain line per finished step');
  assert.doesNotMatch(screen, /^.$/m, 'no line holds a single character');
});

test('on a terminal, NO_COLOR turns colours off; without it the task list is coloured', async (t) => {
  if (!available) return t.skip('lab not available');
  const flags = ['--host', vmIp(VM), '--identity-file', LAB_KEY, '--known-hosts', 'known_hosts', '--yes', ...ONE_WORKER];
  // eslint-disable-next-line no-control-regex -- an ANSI escape sequence is what it looks for
  const sgr = /\x1b\[[0-9;]*m/;
  const plain = await onTerminal(flags, [], { ...dbEnv(), NO_COLOR: '1' });
  assert.equal(plain.code, 0, plain.screen);
  assert.doesNotMatch(plain.raw, sgr, 'no colour or style codes with NO_COLOR');
  const coloured = await onTerminal(flags, [], dbEnv());
  assert.equal(coloured.code, 0, coloured.screen);
  // eslint-disable-next-line no-control-regex -- an ANSI escape sequence is what it looks for
  assert.match(coloured.raw, /\x1b\[32m/, 'green ticks without NO_COLOR');
});

// These two never reach a VM: the prompts come first, and Ctrl-C at a prompt ends the run.
const typedSecret = 'Typed-Sentinel-4711';

test('--auth basic on a terminal: the admin password is asked masked; Ctrl-C there exits 130 before any connection', async () => {
  const flags = ['--host', '10.231.0.250', '--identity-file', LAB_KEY, '--known-hosts', 'known_hosts', '--auth', 'basic'];
  const { code, screen } = await onTerminal(
    flags,
    [
      { expect: 'Password for the MLflow admin user "admin"', send: typedSecret },
      { expect: '\\*{19}', send: '\x03' },
    ],
    dbEnv(),
  );
  assert.equal(code, 130, screen);
  assert.ok(!screen.includes(typedSecret), 'the typed admin password is never shown');
  assert.match(screen, /Cancelled\./);
  assert.doesNotMatch(screen, /Connect and check the VM/, 'no task started');
});

test('--artifacts-destination on a terminal: the storage key is asked masked; Ctrl-C there exits 130', async () => {
  const flags = [
    '--host',
    '10.231.0.250',
    '--identity-file',
    LAB_KEY,
    '--known-hosts',
    'known_hosts',
    '--artifacts-destination',
    'wasbs://runs@provlabacct.blob.core.windows.net/mlflow',
  ];
  const { code, screen } = await onTerminal(
    flags,
    [
      { expect: 'Access key of the storage account provlabacct', send: typedSecret },
      { expect: '\\*{19}', send: '\x03' },
    ],
    dbEnv(),
  );
  assert.equal(code, 130, screen);
  assert.ok(!screen.includes(typedSecret), 'the typed key is never shown');
  assert.doesNotMatch(screen, /Connect and check the VM/, 'no task started');
});
