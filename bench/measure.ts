// Shared by the benchmarks: run the built CLI once, with wall time and peak memory (VmHWM, polled).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI, dbEnv } from '../test/e2e/cli.js';

export interface Measured {
  code: number | null;
  wallMs: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
}

function hwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** `nodeArgs` go to node before the CLI (an --import hook, --cpu-prof); `cli` replaces the built one (BENCH_CLI). */
export interface RunOptions {
  nodeArgs?: string[];
  cli?: string;
}

export function runCli(args: string[], workdir: string, env: Record<string, string> = {}, timeoutMs = 900_000, options: RunOptions = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.cli ?? CLI, ...args], {
      cwd: workdir,
      env: { PATH: process.env.PATH, HOME: workdir, NO_COLOR: '1', ...dbEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const poll = setInterval(() => {
      peak = Math.max(peak, hwmKb(child.pid!));
    }, 50);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', () => {
      peak = Math.max(peak, hwmKb(child.pid!));
    });
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, wallMs: Number(process.hrtime.bigint() - started) / 1e6, peakRssMb: peak / 1024, stdout, stderr });
    });
  });
}

export function stats(values: number[]): { median: number; min: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}
