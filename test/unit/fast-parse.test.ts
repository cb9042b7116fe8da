// The yargs-free fast path must read exactly what yargs reads, or step aside: yargs is the oracle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fastParse } from '../../src/cli/fast-parse.js';
import { buildParser } from '../../src/cli/parser.js';
import { readSettings } from '../../src/config/settings.js';

async function viaYargs(args: string[]): Promise<Record<string, unknown>> {
  let failed: string | undefined;
  const argv = (await buildParser(args, '0.0.0')
    .fail((msg, err) => {
      failed = msg || err?.message || 'failed';
    })
    .parseAsync()) as Record<string, unknown>;
  if (failed) throw new Error(failed);
  return argv;
}

const settings = (argv: Record<string, unknown>) => [...readSettings(argv, {}).entries()];

const ACCEPTED: string[][] = [
  ['--host', '10.0.0.4'],
  ['--host=10.0.0.4', '--yes', '--json'],
  ['--host', 'a', '--host', 'b', '--dry-run', '--upgrade', '--verbose'],
  ['--host', 'a,b', '--user', 'admin', '--ssh-port', '2222', '--identity-file', '/k/id', '--known-hosts', '/k/kh'],
  ['--host', 'vm', '--host-key-policy', 'strict', '--ssh-config', '/c', '--connect-timeout', '5'],
  ['--host', 'vm', '--pg-host', 'db.example.com', '--pg-port', '6432', '--pg-user', 'u', '--pg-db', 'd', '--pg-sslmode', 'verify-full'],
  ['--host', 'vm', '--pg-password-stdin', '--mlflow-port', '5001', '--artifacts-dir', '/data/a', '--allowed-hosts', 'x,x:5001'],
  ['--host', 'vm', '--mlflow-version', '3.16.1', '--log-dir', 'logs', '--env-file', 'prod.env', '--ssh-port', '022'],
  ['--allowed-hosts', '*', '--host', 'vm'],
  [],
];

const DECLINED: string[][] = [
  ['--help'],
  ['-h'],
  ['--version'],
  ['--host'],
  ['--host', '--yes'],
  ['--host', ''],
  ['--host', '-x'],
  ['--bogus'],
  ['--no-json'],
  ['--json=false'],
  ['positional'],
  ['--host', 'a', 'b'],
  ['--', '--host', 'a'],
  ['--user', 'a', '--user', 'b'],
  ['--ssh-port', 'abc'],
  ['--ssh-port', '-1'],
  ['--ssh-port', '2.5'],
  ['--pg-sslmode', 'bogus'],
  ['--host-key-policy', 'maybe'],
];

test('the fast path reads exactly what yargs reads', async () => {
  for (const args of ACCEPTED) {
    const fast = fastParse(args);
    assert.ok(fast, `accepted: ${args.join(' ')}`);
    assert.deepEqual(settings(fast), settings(await viaYargs(args)), args.join(' '));
  }
});

test('everything else is left to yargs: help, version, mistakes, repeats', () => {
  for (const args of DECLINED) assert.equal(fastParse(args), undefined, args.join(' '));
});
