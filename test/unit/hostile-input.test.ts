// Hostile input: every value a user (or a file) can hand the CLI is either refused with one clear sentence
// (a UsageError: exit 2, nothing touched) or accepted in a form that is safe wherever it goes next (a shell
// word, a file on the VM, a message). Examples for each rule, then properties over arbitrary text
// (fast-check, a fixed seed and a fixed number of runs, so the suite is bounded and repeatable).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { fastParse } from '../../src/cli/fast-parse.js';
import { buildParser } from '../../src/cli/parser.js';
import { buildCommandConfig } from '../../src/config/config.js';
import { readSettings } from '../../src/config/settings.js';
import {
  hostProblem,
  MAX_USER_NAME,
  parseAllowedHosts,
  parseWasbsUri,
  PORT_RULE,
  requireAbsolutePath,
  requireHost,
  requireMlflowVersion,
  requireNumber,
  requirePort,
  requireSqlName,
  requireUserName,
  shown,
  USER_NAME,
} from '../../src/config/validate.js';
import { HOST_OVERRIDE_KEYS, parseHostsFile } from '../../src/config/hosts-file.js';
import { cmd, raw, shq } from '../../src/util/shell-quote.js';
import { backendStoreUri, type DatabaseSettings } from '../../src/render/backend-uri.js';
import { parseSecretsEnv, renderSecretsEnv } from '../../src/render/server-files.js';
import { UsageError } from '../../src/util/errors.js';
import { Secret } from '../../src/util/secret.js';

const SEED = 20240611;
const runs = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: false });

// Every assertion carries its own message: without one, a failing assert.ok makes node re-parse the (tsx-
// compiled, one-line) source to quote the expression, which takes minutes inside fast-check's shrinking.

// --- helpers ---------------------------------------------------------------------------------------------

/** The value a validator returns, or the message of the UsageError it throws; anything else fails the test. */
function judge<T>(fn: () => T): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (!(err instanceof UsageError)) throw new Error(`threw ${String(err)} instead of a UsageError`, { cause: err });
    return { ok: false, message: err.message };
  }
}

/** One sentence on one line: no line break, control or bidi character may reach the terminal from a value. */
function assertOneSentence(message: string): void {
  assert.doesNotMatch(message, /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u, `raw control character in ${JSON.stringify(message)}`);
  assert.match(message, /\.$/, `not a sentence: ${JSON.stringify(message)}`);
}

/** A hosts-file problem is a clause inside the one sentence that lists them: one line, no control characters. */
function assertClause(message: string): void {
  assert.doesNotMatch(message, /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u, `raw control character in ${JSON.stringify(message)}`);
}

/** Parses argv as the CLI does (the fast path, else yargs) and reads the settings from it and `env`. */
async function settingsOf(args: string[], env: Record<string, string> = {}) {
  let argv = fastParse(args);
  if (!argv) {
    let failed: string | undefined;
    argv = await buildParser(args, '0.0.0')
      .fail((msg, err) => {
        failed = msg || err?.message || 'failed';
      })
      .parseAsync();
    if (failed) throw new Error(failed);
  }
  return readSettings({ 'ssh-config': '/nonexistent', ...argv }, env);
}

const files: Record<string, string> = {};
const readFake = (p: string) => {
  const text = files[p.split('/').pop()!];
  if (text === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
  return text;
};

/** The provisioning configuration for these arguments, with a database host and password; the error message if it refuses. */
async function configOf(args: string[], env: Record<string, string> = {}, password = 'pw-hostile-test') {
  try {
    const settings = await settingsOf(args, { POSTGRES_HOST: 'db.example.com', POSTGRES_PASSWORD: password, ...env });
    return { ok: true as const, value: buildCommandConfig('provision', settings, { readFile: readFake }) };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { ok: false as const, message: err.message };
  }
}

async function refused(args: string[], expected: string | RegExp, env: Record<string, string> = {}, password?: string): Promise<void> {
  const res = await configOf(args, env, password);
  assert.ok(!res.ok, `accepted: ${args.join(' ')}`);
  assertOneSentence(res.message);
  if (typeof expected === 'string') assert.equal(res.message, expected, args.join(' '));
  else assert.match(res.message, expected, args.join(' '));
}

// --- examples: one per rule, with the exact sentence the user sees ---------------------------------------

test('SSH user names: --user, PROVISION_USER, the hosts file (user@ and user=) and ~/.ssh/config pass one check', async () => {
  const rule = '(at most 32 letters, digits, _, . or -, starting with a letter or _)';
  await refused(['--host', '10.0.0.4', '--user', 'root;id'], `--user "root;id" is not a valid SSH user name ${rule}.`);
  await refused(['--host', '10.0.0.4'], `PROVISION_USER "-oProxyCommand=x" is not a valid SSH user name ${rule}.`, { PROVISION_USER: '-oProxyCommand=x' });
  await refused(['--host', '10.0.0.4', '--user', 'a'.repeat(MAX_USER_NAME + 1)], /is not a valid SSH user name/);
  files['users.txt'] = '10.0.0.4\nroot;id@10.0.0.5\n10.0.0.6 user=$(id)\n';
  await refused(
    ['--hosts-file', 'users.txt'],
    `users.txt has 2 bad lines (line 2: "root;id" is not a valid SSH user name ${rule}; line 3: "$(id)" is not a valid SSH user name ${rule}); fix them and rerun: nothing was started.`,
  );
  const sshConfig = join(mkdtempSync(join(tmpdir(), 'prov-hostile-')), 'config');
  writeFileSync(sshConfig, 'Host vm1\n  HostName 10.0.0.9\n  User "bad user"\n');
  await refused(['--host', 'vm1', '--ssh-config', sshConfig], /^The User line for vm1 in .*config: "bad user" is not a valid SSH user name/);

  for (const ok of ['azureuser', '_svc', 'a.b-c_d', 'MACHINE$', 'a'.repeat(MAX_USER_NAME)]) {
    const res = await configOf(['--host', '10.0.0.4', '--user', ok]);
    assert.ok(res.ok, ok);
    assert.equal(res.value.targets[0]!.user, ok);
  }
  files['users-ok.txt'] = 'ops@10.0.0.4\n10.0.0.5 user=deploy\n';
  const res = await configOf(['--hosts-file', 'users-ok.txt']);
  assert.ok(res.ok, 'users-ok.txt accepted');
  assert.deepEqual(
    res.value.targets.map((t) => t.user),
    ['ops', 'deploy'],
  );
});

test('--connect-timeout is a number of seconds from 1 to 600; decimals from 1 up are fine', async () => {
  await refused(['--host', '10.0.0.4', '--connect-timeout', '0.0001'], '--connect-timeout must be a number of seconds from 1 to 600, not "0.0001".');
  await refused(['--host', '10.0.0.4', '--connect-timeout', '601'], '--connect-timeout must be a number of seconds from 1 to 600, not "601".');
  await refused(['--host', '10.0.0.4'], 'PROVISION_CONNECT_TIMEOUT must be a number of seconds from 1 to 600, not "0.5".', {
    PROVISION_CONNECT_TIMEOUT: '0.5',
  });
  for (const [text, ms] of [
    ['1', 1000],
    ['1.5', 1500],
    ['600', 600_000],
  ] as const) {
    const res = await configOf(['--host', '10.0.0.4', '--connect-timeout', text]);
    assert.ok(res.ok, text);
    assert.equal(res.value.ssh.connectTimeoutMs, ms);
  }
  const status = buildCommandConfig('status', await settingsOf(['--host', '10.0.0.4', '--connect-timeout', '2.5']));
  assert.equal(status.ssh.connectTimeoutMs, 2500);
});

test('every number option says what was typed, from a flag or from the environment', async () => {
  await refused(['--host', '10.0.0.4', '--ssh-port', 'abc'], '--ssh-port must be a whole number from 1 to 65535, not "abc".');
  await refused(['--host', '10.0.0.4', '--pg-port', 'abc'], '--pg-port must be a whole number from 1 to 65535, not "abc".');
  await refused(['--host', '10.0.0.4', '--mlflow-port', '5e3'], '--mlflow-port must be a whole number from 1 to 65535, not "5e3".');
  await refused(['--host', '10.0.0.4', '--mlflow-port', '0'], '--mlflow-port must be a whole number from 1 to 65535, not "0".');
  await refused(['--host', '10.0.0.4', '--concurrency', 'lots'], '--concurrency must be a whole number from 1 to 100, not "lots".');
  await refused(['--host', '10.0.0.4', '--ssh-port', '2.5'], '--ssh-port must be a whole number from 1 to 65535, not "2.5".');
  await refused(['--host', '10.0.0.4', '--ssh-port=-1'], '--ssh-port must be a whole number from 1 to 65535, not "-1".');
  await refused(['--host', '10.0.0.4'], 'POSTGRES_PORT must be a whole number from 1 to 65535, not "5432x".', { POSTGRES_PORT: '5432x' });
  const res = await configOf(['--host', '10.0.0.4', '--ssh-port', '022', '--pg-port', '6432', '--mlflow-port', '5001', '--concurrency', '3']);
  assert.ok(res.ok, 'valid numbers accepted');
  assert.deepEqual([res.value.targets[0]!.port, res.value.db.port, res.value.server.port, res.value.concurrency], [22, 6432, 5001, 3]);
});

test('IPv6 zone ids are refused by every host check, with the way out', async () => {
  const vmHint = 'has an IPv6 zone id, which is not supported: use a global address or a ~/.ssh/config alias.';
  const dnsHint = 'has an IPv6 zone id, which is not supported: use a global address or a DNS name.';
  await refused(['--host', 'fe80::1%eth0'], `--host "fe80::1%eth0" ${vmHint}`);
  await refused(['--host', '10.0.0.4', '--pg-host', 'fe80::5%2'], `--pg-host "fe80::5%2" ${dnsHint}`);
  await refused(['--host', '10.0.0.4', '--public-name', '[fe80::1%eth0]'], `--public-name "fe80::1%eth0" ${dnsHint}`);
  await refused(['--host', '10.0.0.4', '--allowed-hosts', 'x.com,[fe80::1%eth0]:5000'], `--allowed-hosts entry "[fe80::1%eth0]:5000" ${dnsHint}`);
  await refused(['--host', '10.0.0.4', '--allowed-hosts', 'fe80::1%eth0'], `--allowed-hosts entry "fe80::1%eth0" ${dnsHint}`);
  files['zones.txt'] = 'fe80::1%eth0\nazureuser@[fe80::2%eth0]:22\n10.0.0.4 allowed-hosts=[fe80::3%lo]\n';
  await refused(
    ['--hosts-file', 'zones.txt'],
    `zones.txt has 3 bad lines (line 1: "fe80::1%eth0" ${vmHint.slice(0, -1)}; line 2: "fe80::2%eth0" ${vmHint.slice(0, -1)}; ` +
      `line 3: allowed-hosts entry "[fe80::3%lo]" ${dnsHint.slice(0, -1)}); fix them and rerun: nothing was started.`,
  );
  assert.equal(hostProblem('fe80::1'), undefined);
  const ok = await configOf(['--host', 'fd00::4', '--public-name', 'fd00::7']);
  assert.ok(ok.ok, 'IPv6 without a zone id accepted');
});

test('a hosts-file setting given twice on one line is a bad line, not "the last one wins"', async () => {
  files['twice.txt'] = '10.0.0.4 artifacts-dir=/a artifacts-dir=/b\nops@10.0.0.5 user=deploy\n10.0.0.6 mlflow-port=5001\n';
  await refused(
    ['--hosts-file', 'twice.txt'],
    'twice.txt has 2 bad lines (line 1: "artifacts-dir" is given twice; line 2: "user" is given twice (as ops@ and as user=)); fix them and rerun: nothing was started.',
  );
});

test('values that would break a line are refused with the value escaped, and secrets with line breaks before they reach the VM', async () => {
  await refused(
    ['--host', '10.0.0.4', '--artifacts-dir', '/x\nY'],
    '--artifacts-dir "/x\\nY" holds a line break or control character: give the path on one line, as it is on the VM.',
  );
  await refused(
    ['--host', '10.0.0.4', '--artifacts-dir', 'relative\u001b[31m'],
    '--artifacts-dir must be an absolute path on the VM (starting with /), not "relative\\u001b[31m".',
  );
  await refused(['--host', '10.0.0.4', '--pg-user', 'ml\nflow'], '--pg-user "ml\\nflow" holds a line break or control character: give the name on one line.');
  await refused(['--host', '10.0.0.4', '--mlflow-version', '1\u202e;id'], '--mlflow-version "1\\u202e;id" is not a version number such as 3.16.1.');
  await refused(['--host', '10.0.0.4'], /^The database password contains a line break or NUL character/, {}, 'line one\nline two');
  await refused(
    ['--host', '10.0.0.4', '--artifacts-destination', 'wasbs://mlflow@acct123.blob.core.windows.net/a'],
    /^AZURE_STORAGE_ACCESS_KEY contains a line break or NUL character/,
    { AZURE_STORAGE_ACCESS_KEY: 'key\nmore' },
  );
});

// --- properties ------------------------------------------------------------------------------------------

/** Pieces that break naive checks: shell syntax, options, line breaks, NUL, zone ids, bidi and escape codes. */
const PIECES = [
  '$(id)',
  '`id`',
  ';',
  '&&',
  '|',
  '>',
  '<',
  "'",
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\0',
  ' ',
  '-',
  '--',
  '-o',
  '%',
  '%eth0',
  '@',
  ':',
  '[',
  ']',
  '*',
  '#',
  '=',
  ',',
  '/',
  '..',
  '~',
  '\u2028',
  '\u202e',
  '\u001b[31m',
  '\u009b',
  'é',
  '😀',
  'fe80::1',
  '10.0.0.4',
  'example.com',
  'azureuser',
  '5000',
  '0',
  '65536',
  'wasbs://',
  '@acct.blob.core.windows.net',
];
const piecewise = fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((p) => p.join(''));
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'binary-ascii', maxLength: 30 }),
  piecewise,
  fc.stringMatching(/^[a-z0-9.:_%$-]{1,20}$/),
);

/** A string a shell or a file on the VM can carry (no NUL). */
const noNul = hostile.map((s) => s.replace(/\0/g, ''));

test('property: host checks refuse with one sentence or return a name that is safe as a word anywhere', () => {
  fc.assert(
    fc.property(hostile, (value) => {
      for (const vm of [true, false]) {
        const r = judge(() => requireHost(value, '--host', vm));
        if (!r.ok) {
          assertOneSentence(r.message);
          continue;
        }
        assert.match(r.value, /^[A-Za-z0-9_.:]([A-Za-z0-9_.:-]*)$/, `accepted ${JSON.stringify(r.value)}`);
        assert.equal(r.value.includes('%'), false);
        assert.equal(shq(r.value), r.value, 'needs no quoting');
      }
    }),
    runs(1000),
  );
});

test('property: user names refuse with one sentence or match the one rule', () => {
  fc.assert(
    fc.property(hostile, (value) => {
      const r = judge(() => requireUserName(value, '--user'));
      if (!r.ok) return assertOneSentence(r.message);
      assert.match(r.value, USER_NAME);
      assert.ok(r.value.length <= MAX_USER_NAME, `${r.value.length} characters`);
      if (!r.value.endsWith('$')) assert.equal(shq(r.value), r.value, 'needs no quoting');
    }),
    runs(1000),
  );
});

test('property: number options accept exactly the digits of a number in range, and show any other text', () => {
  const text = fc.oneof(hostile, fc.integer({ min: -5, max: 70000 }).map(String), fc.double({ min: 0, max: 700, noNaN: true }).map(String));
  const rules = [{ ...PORT_RULE }, { min: 1, max: 100 }, { min: 1, max: 600, decimals: true, unit: 'seconds' }];
  fc.assert(
    fc.property(text, fc.constantFrom(...rules), (value, rule) => {
      const r = judge(() => requireNumber(value, '--n', rule));
      const trimmed = value.trim();
      if (!r.ok) {
        assertOneSentence(r.message);
        assert.ok(r.message.endsWith(`not ${shown(trimmed)}.`), r.message);
        return;
      }
      assert.ok(r.value >= rule.min && r.value <= rule.max, `${r.value} out of range`);
      assert.match(trimmed, rule.decimals ? /^[0-9]+(\.[0-9]+)?$/ : /^[0-9]+$/);
      assert.equal(r.value, Number(trimmed));
    }),
    runs(1000),
  );
  assert.equal(requirePort(5000, 'mlflow-port'), 5000);
});

test('property: paths, allow-lists, versions, SQL names and wasbs URIs refuse with one sentence or are safe', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        hostile,
        hostile.map((s) => `/${s}`),
      ),
      (value) => {
        const path = judge(() => requireAbsolutePath(value, 'artifacts-dir'));
        if (path.ok) {
          assert.ok(path.value.startsWith('/'), `accepted ${JSON.stringify(value)} as ${JSON.stringify(path.value)}`);
          assert.doesNotMatch(path.value, /\p{Cc}/u);
          shq(path.value);
        } else assertOneSentence(path.message);

        const allowed = judge(() => parseAllowedHosts(value));
        if (allowed.ok) for (const e of allowed.value) assert.match(e, /^(\*|(\*\.)?[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/, e);
        else assertOneSentence(allowed.message);

        const version = judge(() => requireMlflowVersion(value));
        if (version.ok) assert.match(version.value, /^[0-9][0-9a-z.]*$/);
        else assertOneSentence(version.message);

        const sql = judge(() => requireSqlName(value, 'pg-user'));
        if (sql.ok) assert.doesNotMatch(sql.value, /\p{Cc}/u);
        else assertOneSentence(sql.message);

        const blob = judge(() => parseWasbsUri(`wasbs://mlflow@acct123.blob.core.windows.net/${value}`));
        if (blob.ok) assert.doesNotMatch(blob.value.uri, /[\s\p{Cc}?#]/u);
        else assertOneSentence(blob.message);
      },
    ),
    runs(1000),
  );
});

test('property: parseHostsFile never throws; it returns numbered problems or entries the validators accept', () => {
  const spec = fc.oneof(hostile, fc.constantFrom('10.0.0.4', 'ops@vm.example.com:2222', '[fd00::4]:22', 'fe80::1%eth0', 'a;b@10.0.0.5'));
  const pair = fc.oneof(
    fc
      .tuple(fc.constantFrom(...HOST_OVERRIDE_KEYS, 'colour'), fc.oneof(hostile, fc.constantFrom('5001', '/data/a', 'x.com,x.com:5000', 'deploy', '~/.ssh/k')))
      .map(([k, v]) => `${k}=${v}`),
    hostile,
  );
  const line = fc.oneof(
    fc.tuple(spec, fc.array(pair, { maxLength: 4 })).map(([s, ps]) => [s, ...ps].join(' ')),
    hostile,
    fc.constant('# comment'),
  );
  const text = fc.oneof(
    fc.tuple(fc.array(line, { maxLength: 8 }), fc.constantFrom('\n', '\r\n')).map(([ls, eol]) => ls.join(eol)),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
  fc.assert(
    fc.property(text, (t) => {
      const lines = t.split(/\r?\n/).length;
      const { entries, problems, duplicates } = parseHostsFile(t, 'h.txt');
      for (const p of [...problems, ...duplicates]) {
        assert.ok(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines, `line ${p.line} of ${lines}`);
        assertClause(p.message);
      }
      for (const e of entries) {
        const n = Number(/^h\.txt:(\d+)$/.exec(e.origin)?.[1]);
        assert.ok(n >= 1 && n <= lines, e.origin);
        assert.equal(
          problems.some((p) => p.line === n),
          false,
          'a line is an entry or a problem, not both',
        );
        requireHost(e.host, '--host');
        if (e.user !== undefined) requireUserName(e.user, 'user');
        if (e.port !== undefined) requirePort(e.port, 'ssh-port');
        const o = e.overrides;
        if (o['mlflow-port'] !== undefined) requirePort(o['mlflow-port'], 'mlflow-port');
        if (o['artifacts-dir'] !== undefined) requireAbsolutePath(o['artifacts-dir'], 'artifacts-dir');
        if (o['allowed-hosts'] !== undefined) parseAllowedHosts(o['allowed-hosts']);
        if (o.user !== undefined) requireUserName(o.user, 'user');
        if (o['identity-file'] !== undefined) assert.doesNotMatch(o['identity-file'], /\p{Cc}/u);
      }
    }),
    runs(1000),
  );
});

test('property: a setting given twice on a line always makes that line a problem', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...HOST_OVERRIDE_KEYS),
      fc.constantFrom('5001', '/a', 'x.com', 'deploy'),
      fc.constantFrom('5002', '/b', 'y.com', 'ops'),
      (key, a, b) => {
        const { entries, problems } = parseHostsFile(`10.0.0.4 ${key}=${a} ${key}=${b}`, 'h.txt');
        assert.equal(entries.length, 0);
        assert.ok(problems.length > 0 && problems.every((p) => p.line === 1), JSON.stringify(problems));
        assert.ok(
          problems.some((p) => p.message === `"${key}" is given twice`),
          JSON.stringify(problems),
        );
      },
    ),
    runs(40),
  );
});

const db: DatabaseSettings = { host: 'db.example.com', port: 5432, user: 'mlflow', database: 'mlflow', password: new Secret('x'), sslmode: 'require' };
const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/).filter((n) => n !== 'MLFLOW_BACKEND_STORE_URI');
const secretValue = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), piecewise);
const secretEntries = fc.uniqueArray(fc.tuple(envName, secretValue), { maxLength: 6, selector: ([n]) => n });

test('property: the secrets file reads back every value exactly; a value with a line break or NUL is refused', () => {
  fc.assert(
    fc.property(secretValue, secretEntries, (password, extra) => {
      const database = { ...db, password: new Secret(password) };
      const render = () =>
        renderSecretsEnv(
          database,
          extra.map(([n, v]): [string, Secret] => [n, new Secret(v)]),
        );
      if (extra.some(([, v]) => /[\0\r\n]/.test(v))) {
        assert.throws(render, /cannot hold/);
        return;
      }
      const back = parseSecretsEnv(render().reveal());
      assert.equal(back.get('MLFLOW_BACKEND_STORE_URI')?.reveal(), backendStoreUri(database).reveal());
      for (const [name, value] of extra) assert.equal(back.get(name)?.reveal(), value, name);
    }),
    runs(1000),
  );
});

/** bash, found once: the shell tests run it with an empty PATH, so only builtins could ever run. */
const BASH = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();

/** Runs `script` in one bash with no PATH: returns what it printed, split at NULs; fails on any stderr. */
function inBash(script: string, args: string[] = []): string[] {
  // No stdin: bash reads ~/.bashrc when its stdin is a socket (as under sshd), and node's pipes are sockets.
  const res = spawnSync(BASH, ['--norc', '--noprofile', '-c', script, 'bash', ...args], {
    env: { PATH: '/nonexistent', LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(res.stderr.toString(), '', 'bash wrote to stderr: something other than printf ran');
  assert.equal(res.status, 0);
  const parts = res.stdout.toString('utf8').split('\0');
  assert.equal(parts.pop(), '', 'output ends with the last NUL');
  return parts;
}

test('property: sourcing the secrets file in bash yields exactly the values written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-hostile-'));
  const names = ['PROV_T_A', 'PROV_T_B', 'PROV_T_C'];
  const value = secretValue.filter((v) => !/[\0\r\n]/.test(v));
  fc.assert(
    fc.property(fc.array(value, { minLength: 3, maxLength: 3 }), (values) => {
      const file = join(dir, 'env');
      writeFileSync(
        file,
        renderSecretsEnv(
          db,
          names.map((n, i): [string, Secret] => [n, new Secret(values[i]!)]),
        ).reveal(),
      );
      assert.deepEqual(inBash(`set -a; . "$1"; printf '%s\\0' "$PROV_T_A" "$PROV_T_B" "$PROV_T_C"`, [file]), values);
    }),
    runs(25),
  );
});

test('property: shq and cmd make any string (without NUL) one shell word that bash prints back and runs nothing else', () => {
  // Many strings per bash process: 8 runs of up to 40 strings each, a few hundred strings in all.
  fc.assert(
    fc.property(fc.array(noNul, { minLength: 20, maxLength: 40 }), (values) => {
      assert.deepEqual(inBash(values.map((v) => `printf '%s\\0' ${shq(v)}`).join('\n')), values);
      assert.deepEqual(inBash(cmd(raw('printf'), '%s\\0', ...values)), values);
    }),
    runs(8),
  );
});

test('property: shq and cmd refuse a string with a NUL, which no shell word can hold', () => {
  fc.assert(
    fc.property(noNul, noNul, (a, b) => {
      assert.throws(() => shq(`${a}\0${b}`), /NUL/);
      assert.throws(() => cmd('printf', '%s', `${a}\0${b}`), /NUL/);
    }),
    runs(200),
  );
});
