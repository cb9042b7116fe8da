// Issue 22, item 2: text from a VM reaches the terminal and the host log with its control characters and bidi
// overrides made visible, never obeyed (a window title, erased lines, a clipboard write through OSC 52).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import kleur from 'kleur';
import { safeJson, showUntrusted, showUntrustedLines } from '../../src/util/visible-text.js';
import { StepError, errorMessage } from '../../src/util/errors.js';
import { statusJson, statusText } from '../../src/cli/render-status.js';
import type { HostStatus } from '../../src/run/status.js';
import { FakeVm } from './fake-host.js';
import type { RemoteCommand } from '../../src/action/action.js';
import { HostLog } from '../../src/run/host-log.js';
import { HostRun } from '../../src/run/host-run.js';
import { stepsFor } from '../../src/run/tasks.js';
import type { ExecOptions, ExecResult } from '../../src/ssh/types.js';
import { config, fixture, LOGS } from './host-run-kit.js';
import type { HostIO } from '../../src/run/host-io.js';

/** What a terminal acts on: every control character but TAB, and the format and separator characters. */
const RAW = /(?![\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const MALICIOUS = 'Host: evil\x1b]0;PWNED\x07\x1b[2K\x1b[1Gfake.com \u202Etxt.exe\u202C \x9b31m \x1b]52;c;Zm9v\x07\r\b\x7f';

test('showUntrusted: ESC, BEL, CR, BS, DEL, C1 and bidi overrides become their escapes; TAB and printable text stay', () => {
  assert.equal(
    showUntrusted(MALICIOUS),
    'Host: evil\\x1b]0;PWNED\\x07\\x1b[2K\\x1b[1Gfake.com \\u202etxt.exe\\u202c \\x9b31m \\x1b]52;c;Zm9v\\x07\\x0d\\x08\\x7f',
  );
  assert.equal(showUntrusted('a\tb'), 'a\tb');
  assert.equal(showUntrusted('one\ntwo'), 'one\\x0atwo', 'a line from the VM stays one line');
  assert.equal(showUntrustedLines('one\ntwo\x1b'), 'one\ntwo\\x1b', 'several lines keep their breaks');
  for (const c of ['\u200e', '\u200f', '\u061c', '\u2066', '\u2067', '\u2068', '\u2069', '\u202a', '\u202b', '\u202d', '\u2028', '\ufeff']) {
    assert.equal(showUntrusted(c), `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  assert.equal(showUntrusted('\u{e0001}'), '\\u{e0001}');
  assert.equal(showUntrusted('Grüße, 日本語, مرحبا, emoji 🙂 ✔ \\x1b'), 'Grüße, 日本語, مرحبا, emoji 🙂 ✔ \\x1b');
});

test('showUntrusted: no raw control or format character survives, printable text is unchanged, and twice is once', () => {
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary-ascii', maxLength: 40 }), fc.string({ maxLength: 40 }));
  fc.assert(
    fc.property(anyText, (text) => {
      const shown = showUntrusted(text);
      assert.ok(!RAW.test(shown), JSON.stringify(shown));
      assert.ok(!RAW.test(showUntrustedLines(text).replace(/\n/g, '')));
      assert.equal(showUntrusted(shown), shown);
      if (!RAW.test(text)) assert.equal(shown, text);
    }),
    { numRuns: 2000 },
  );
});

test('safeJson: the same value for a parser, and no raw bidi or C1 character for a terminal', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      const json = safeJson({ line: text });
      assert.ok(!RAW.test(json), json);
      assert.deepEqual(JSON.parse(json), { line: text });
    }),
    { numRuns: 2000 },
  );
  assert.equal(safeJson('\u202e\x1b\x85'), '"\\u202e\\u001b\\u0085"');
});

test('errors that embed the VM text show its control characters', () => {
  const err = new StepError(`"apt-get update" failed: ${MALICIOUS}`);
  assert.ok(!RAW.test(err.message));
  assert.match(err.message, /\\x1b\]0;PWNED\\x07/);
  assert.equal(errorMessage(new Error('line1\nline2\x1b')), 'line1\nline2\\x1b');
});

const report = (): HostStatus => ({
  host: '10.0.0.4',
  healthy: false,
  problems: [`The server said: ${MALICIOUS}`],
  server: { running: true, pid: 42 },
  mlflow: { installed: '3.1\x1b[2K', running: '3.1' },
  database: { reachable: false, detail: `pg: ${MALICIOUS}` },
  auth: 'none',
  log: { path: '/home/u\u202e/mlflow-server.log', lines: [MALICIOUS, 'plain line'] },
  durationMs: 10,
});

test('status: the report shows the VM text visibly; --json keeps it as it came, escaped', () => {
  kleur.enabled = false; // our own colours are ESC sequences too
  const text = statusText(report());
  assert.ok(!RAW.test(text.replace(/\n/g, '')), text);
  assert.match(text, /Host: evil\\x1b\]0;PWNED\\x07\\x1b\[2K/);
  assert.match(text, /last 2 lines of \/home\/u\\u202e\/mlflow-server\.log/);
  const json = statusJson(report());
  assert.ok(!RAW.test(json));
  assert.deepEqual(JSON.parse(json).log, [MALICIOUS, 'plain line']);
});

/** The fake VM, whose pip install prints a hostile line and fails with a hostile last line. */
class HostileVm extends FakeVm {
  override exec(command: RemoteCommand, options: ExecOptions = {}): Promise<ExecResult> {
    if (command.kind !== 'pip-install') return super.exec(command, options);
    options.onLine?.(`Collecting ${MALICIOUS}`, 'stdout');
    return Promise.resolve({ code: 1, stdout: '', stderr: `error: ${MALICIOUS}\n` });
  }
}

test('a provisioning run: the streamed lines, the host log and the error show the VM text visibly', async () => {
  const c = config();
  const fake = new HostileVm({ probe: fixture('fresh-debian12.txt') });
  const io: HostIO = { connect: async () => fake, httpDirect: async () => ({ status: 200, body: 'OK' }), warmUp: () => undefined };
  const log = new HostLog(LOGS, 'hostile-output');
  const run = new HostRun(c.targets[0]!, c, log, undefined, io);
  const shown: string[] = [];
  run.onLine((l) => shown.push(l));
  let error: unknown;
  try {
    for (const step of stepsFor(c)) await run.execute(step);
  } catch (err) {
    error = err;
  } finally {
    run.close();
    log.close();
  }
  assert.ok(error instanceof StepError);
  assert.match(error.message, /failed on 10\.0\.0\.4 \(exit 1\): error: Host: evil\\x1b\]0;PWNED\\x07/);
  assert.ok(!RAW.test(error.message));
  assert.ok(shown.some((l) => l.includes('Collecting Host: evil\\x1b]0;PWNED\\x07')));
  for (const l of shown) assert.ok(!RAW.test(l), l);
  const file = readFileSync(log.path, 'utf8');
  assert.match(file, /Collecting Host: evil\\x1b\]0;PWNED\\x07/);
  assert.ok(!RAW.test(file.replace(/\n/g, '')), 'the host log holds no raw control character');
  assert.ok(!RAW.test(run.result(error).error ?? ''));
});
