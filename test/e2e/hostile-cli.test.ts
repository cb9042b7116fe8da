// Hostile values through the real CLI, started the way `provision ...` starts it: the kernel runs
// src/cli/main.ts through its own shebang line (tsx compiles it on the fly, so no build and no lab is
// needed). Every value is refused before anything connects: exit 2, exactly one `provision: ...` sentence on
// stderr, no stack trace, nothing on stdout. The VMs are in 192.0.2.0/24 (TEST-NET-1), never contacted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');

/**
 * The kernel runs `#!INTERPRETER ARG` scripts as `INTERPRETER ARG SCRIPT ARGS...` (ARG one word, whatever
 * spaces it holds); so does this, with main.ts's own first line: a shebang that lets node read the CLI's
 * options as its own (node's `--env-file`) fails here as it fails for the user.
 */
const shebang = /^#!(\S+)(?:[ \t]+(.*))?$/.exec(readFileSync(MAIN, 'utf8').split('\n')[0]!);
assert.ok(shebang, 'src/cli/main.ts starts with a shebang');
const [interpreter, interpreterArg] = [shebang[1]!, shebang[2]?.trim()];

const home = mkdtempSync(join(tmpdir(), 'prov-hostile-cli-'));
mkdirSync(join(home, 'a-folder'));
writeFileSync(
  join(home, 'hostile-hosts.txt'),
  [
    '# every line but the first is wrong',
    '192.0.2.10',
    '192.0.2.11 artifacts-dir=/a artifacts-dir=/b',
    'root;id@192.0.2.12',
    '$(id)',
    '192.0.2.13 user=-oProxyCommand=x',
    'fe80::1%eth0',
    '192.0.2.14 allowed-hosts=a,b;c',
    '192.0.2.15 mlflow-port=0x50',
    '`id`@192.0.2.16',
    '',
  ].join('\n'),
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function provision(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(interpreter, [...(interpreterArg ? [interpreterArg] : []), MAIN, ...args], {
      cwd: home,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        NO_COLOR: '1',
        NODE_OPTIONS: `--import=${TSX}`,
        POSTGRES_HOST: 'db.example.com',
        POSTGRES_PASSWORD: 'pw-for-hostile-tests',
        // Were a value ever accepted, the run would fail fast on the unreachable TEST-NET address.
        PROVISION_CONNECT_TIMEOUT: '2',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const VM = ['--host', '192.0.2.1', '--yes'];
const USER_RULE = '(at most 32 letters, digits, _, . or -, starting with a letter or _)';
const ZONE = 'has an IPv6 zone id, which is not supported: use a global address or';

const CASES: Array<{ name: string; args: string[]; env?: Record<string, string>; says: string | RegExp }> = [
  { name: 'a host with a shell command', args: ['--host', 'a;rm -rf /', '--yes'], says: '--host "a;rm -rf /" is not a valid host name or IP address.' },
  {
    name: 'a host that is a command substitution',
    args: ['--host', '$(touch pwned)', '--yes'],
    says: '--host "$(touch pwned)" is not a valid host name or IP address.',
  },
  { name: 'a host with an IPv6 zone id', args: ['--host', 'fe80::1%eth0', '--yes'], says: `--host "fe80::1%eth0" ${ZONE} a ~/.ssh/config alias.` },
  { name: 'a user with a shell command', args: [...VM, '--user', 'root;id'], says: `--user "root;id" ${`is not a valid SSH user name ${USER_RULE}`}.` },
  {
    name: 'a user from PROVISION_USER that is an option',
    args: VM,
    env: { PROVISION_USER: '-oProxyCommand=x' },
    says: `PROVISION_USER "-oProxyCommand=x" is not a valid SSH user name ${USER_RULE}.`,
  },
  {
    name: 'a relative artifacts folder',
    args: [...VM, '--artifacts-dir', 'relative'],
    says: '--artifacts-dir must be an absolute path on the VM (starting with /), not "relative".',
  },
  {
    name: 'an artifacts folder with a line break',
    args: [...VM, '--artifacts-dir', '/x\nY'],
    says: '--artifacts-dir "/x\\nY" holds a line break or control character: give the path on one line, as it is on the VM.',
  },
  { name: 'MLflow port 0', args: [...VM, '--mlflow-port', '0'], says: '--mlflow-port must be a whole number from 1 to 65535, not "0".' },
  { name: 'an SSH port that is not a number', args: [...VM, '--ssh-port', 'abc'], says: '--ssh-port must be a whole number from 1 to 65535, not "abc".' },
  { name: 'a database port that is not a number', args: [...VM, '--pg-port', '54x'], says: '--pg-port must be a whole number from 1 to 65535, not "54x".' },
  { name: 'a concurrency in exponent form', args: [...VM, '--concurrency', '1e3'], says: '--concurrency must be a whole number from 1 to 100, not "1e3".' },
  {
    name: 'a connect timeout below a second',
    args: [...VM, '--connect-timeout', '0.0001'],
    says: '--connect-timeout must be a number of seconds from 1 to 600, not "0.0001".',
  },
  {
    name: 'an allow-list with a space',
    args: [...VM, '--allowed-hosts', 'a b'],
    says: /^--allowed-hosts entry "a b" is not a host, host:port or \*; give a comma-separated list/,
  },
  {
    name: 'a public name with a scheme',
    args: [...VM, '--public-name', 'http://x'],
    says: /^--public-name "http:\/\/x" is not a host name or IP address: give the name alone/,
  },
  { name: 'a public name with a zone id', args: [...VM, '--public-name', 'fe80::1%eth0'], says: `--public-name "fe80::1%eth0" ${ZONE} a DNS name.` },
  {
    name: 'an allow-list entry with a zone id',
    args: [...VM, '--allowed-hosts', '[fe80::1%eth0]:5000'],
    says: `--allowed-hosts entry "[fe80::1%eth0]:5000" ${ZONE} a DNS name.`,
  },
  {
    name: 'an MLflow version with a command',
    args: [...VM, '--mlflow-version', '1;id'],
    says: '--mlflow-version "1;id" is not a version number such as 3.16.1.',
  },
  {
    name: 'a database host that is an ssh option',
    args: [...VM, '--pg-host=-oProxyCommand=x'],
    says: '--pg-host "-oProxyCommand=x" is not a valid host name or IP address.',
  },
  {
    name: 'a database host from the environment that is an ssh option',
    args: VM,
    env: { POSTGRES_HOST: '-oProxyCommand=x' },
    says: '--pg-host "-oProxyCommand=x" is not a valid host name or IP address.',
  },
  { name: 'a database host with a zone id', args: [...VM, '--pg-host', 'fe80::5%eth0'], says: `--pg-host "fe80::5%eth0" ${ZONE} a DNS name.` },
  {
    name: 'a hosts file of hostile lines',
    args: ['--hosts-file', 'hostile-hosts.txt', '--yes'],
    says:
      'hostile-hosts.txt has 8 bad lines (line 3: "artifacts-dir" is given twice; ' +
      `line 4: "root;id" is not a valid SSH user name ${USER_RULE}; line 5: "$(id)" is not a valid host name or IP address; ` +
      `line 6: "-oProxyCommand=x" is not a valid SSH user name ${USER_RULE}; line 7: "fe80::1%eth0" ${ZONE} a ~/.ssh/config alias; ` +
      'line 8: allowed-hosts entry "b;c" is not a host, host:port or *; give a comma-separated list such as "mlflow.example.com,10.0.0.4:5000"; ' +
      'line 9: mlflow-port must be a whole number from 1 to 65535, not "0x50"; ' +
      `line 10: "\`id\`" is not a valid SSH user name ${USER_RULE}); fix them and rerun: nothing was started.`,
  },
  {
    name: 'an env file that does not exist',
    args: ['--env-file', 'missing.env', ...VM],
    says: 'Cannot read the env file "missing.env" (no such file): check --env-file.',
  },
  {
    name: 'an env file given as --env-file=',
    args: ['--env-file=missing.env', ...VM],
    says: 'Cannot read the env file "missing.env" (no such file): check --env-file.',
  },
  {
    name: 'an env file that is a folder',
    args: [...VM, '--env-file', 'a-folder'],
    says: 'Cannot read the env file "a-folder" (it is a folder): check --env-file.',
  },
  {
    name: 'an env file from PROVISION_ENV_FILE that does not exist',
    args: VM,
    env: { PROVISION_ENV_FILE: 'gone.env' },
    says: 'Cannot read the env file "gone.env" (no such file): check PROVISION_ENV_FILE.',
  },
];

// All at once, a few at a time: each run starts node and tsx (about half a second), none connects anywhere.
const results = new Map<string, Promise<Run>>();
const queue = [...CASES];
const slots = Array.from({ length: 6 }, async () => {
  for (let c = queue.shift(); c; c = queue.shift()) {
    const run = provision(c.args, c.env ?? {});
    results.set(c.name, run);
    await run;
  }
});
const allDone = Promise.all(slots);

for (const c of CASES) {
  test(`hostile input through the CLI: ${c.name} -> exit 2 and one sentence`, async () => {
    await allDone;
    const res = await results.get(c.name)!;
    assert.equal(res.code, 2, `exit code; stderr: ${res.stderr}`);
    assert.equal(res.stdout, '', 'nothing on stdout');
    assert.doesNotMatch(res.stderr, /^\s+at /m, 'no stack trace');
    const lines = res.stderr.split('\n');
    assert.equal(lines.pop(), '', 'stderr ends with a line break');
    assert.equal(lines.length, 1, `exactly one line on stderr: ${JSON.stringify(res.stderr)}`);
    const m = /^provision: (.*\.)$/.exec(lines[0]!);
    assert.ok(m, `one "provision: ..." sentence: ${JSON.stringify(lines[0])}`);
    if (typeof c.says === 'string') assert.equal(m[1], c.says);
    else assert.match(m[1]!, c.says);
  });
}

test('no hostile value ran anything on this machine', async () => {
  await allDone;
  assert.equal(existsSync(join(home, 'pwned')), false);
});
