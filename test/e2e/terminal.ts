// The CLI on a real terminal: a pseudo-terminal driven by test/e2e/pty-driver.py, typed at as a person would.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CLI, newWorkdir, noteVms } from './cli.js';
import { REPO_ROOT, run } from './lab.js';

const DRIVER = join(REPO_ROOT, 'test', 'e2e', 'pty-driver.py');

/** Wait until the terminal shows `expect` (a regular expression), then type `send`. */
export interface Step {
  expect: string;
  send: string;
}

/**
 * Runs the CLI on a terminal `columns` wide (0: unsized), typed at as the steps say. `screen` is what the
 * terminal showed without control sequences, `raw` with them.
 */
export async function onTerminal(
  args: string[],
  steps: Step[],
  env: Record<string, string>,
  columns = 120,
): Promise<{ code: number | null; screen: string; raw: string }> {
  const workdir = newWorkdir();
  noteVms(args, workdir); // its servers are stopped after the file, as for cli.ts's runs
  const res = await run('python3', [DRIVER, JSON.stringify(steps), '120', String(columns), '--', process.execPath, CLI, ...args], {
    // No CI and no NO_COLOR: a person's terminal. TERM makes enquirer and Listr2 draw as they would there.
    env: { PATH: process.env.PATH, HOME: workdir, TERM: 'xterm-256color', ...env },
    cwd: workdir,
    timeoutMs: 150_000,
  });
  assert.doesNotMatch(res.stderr, /pty-driver/, res.stdout);
  // eslint-disable-next-line no-control-regex -- strips the terminal's ANSI escape sequences
  return { code: res.code, screen: res.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''), raw: res.stdout };
}
