// Records what a real, healthy lab VM answers, for the simulated VMs of `npm run bench:fleet-cli`
// (bench/sim-vm.ts): run once as root with the lab up, `npm run build` first; writes fixtures/sim-vm/.
//   node --import tsx bench/record-vm-answers.ts
// vm13 is reset and provisioned by the real CLI as `127.0.0.1` (through TCP forwards on this machine, so the
// files it writes are those the CLI wants for a simulated host at 127.0.0.1:PORT); then the CLI's own no-op
// rerun and `status` run through bench/sim-vm.ts in recording mode, which passes every command to vm13 and
// saves its output by kind; then MLflow's HTTP answers; then vm13's server is stopped.
import { createServer, connect as tcpConnect, type Server } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Client } from 'ssh2';
import { dbEnv, newWorkdir } from '../test/e2e/cli.js';
import { ensureLab, labAvailable, LAB_KEY, resetVm, vmIp, waitForSsh } from '../test/e2e/lab.js';
import { defaultAllowedHosts } from '../src/plan/desired.js';
import { httpDirect } from '../src/checks/http.js';
import { runCli, type Measured } from './measure.js';
import {
  ANSWER_KINDS,
  commandKind,
  connectVia,
  FIXTURES,
  makeKeys,
  PASSWORD_MARK,
  SIM_BLOB_DESTINATION,
  SIM_BLOB_ENV,
  SIM_MLFLOW_PORT,
  startSshServers,
  withPassword,
  type ExecHandler,
} from './sim-vm.js';

const VM = 13;
const FORWARD_SSH_PORT = 22013;
const RECORD_SSH_PORT = 22113;

/** 127.0.0.1:from -> to, for the CLI to reach vm13 as 127.0.0.1. */
function forward(from: number, toHost: string, toPort: number): Promise<Server> {
  const server = createServer((client) => {
    const upstream = tcpConnect(toPort, toHost);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(from, '127.0.0.1', () => resolve(server));
  });
}

function jsonResults(m: Measured, label: string): Array<{ status: string; changed?: string[] }> {
  const lines = m.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  if (m.code !== 0 || lines.length === 0) throw new Error(`${label}: exit ${m.code}\n${m.stdout}\n${m.stderr}`);
  return lines.map((l) => JSON.parse(l) as { status: string; changed?: string[] });
}

/** Runs each command on vm13, answers with what vm13 said, and keeps the output by kind. */
function recorder(vm: Client, saved: Map<string, string>): ExecHandler {
  return (command, channel, counters) => {
    const kind = commandKind(command);
    counters.execs[kind] = (counters.execs[kind] ?? 0) + 1;
    vm.exec(command, (err, stream) => {
      if (err) {
        channel.stderr.write(`${err.message}\n`);
        channel.exit(255);
        channel.end();
        return;
      }
      let out = '';
      stream.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        channel.write(d);
      });
      stream.stderr.on('data', (d: Buffer) => channel.stderr.write(d));
      channel.on('data', (d: Buffer) => stream.write(d));
      stream.on('exit', (code: number | null) => {
        if (code === 0 && kind !== 'unknown') saved.set(kind, out);
        if (kind === 'unknown') counters.unknown.push(command.slice(0, 300));
        channel.exit(code ?? 255);
      });
      stream.on('close', () => channel.end());
    });
  };
}

/**
 * The answers without the lab database's password (each lab makes its own): the mark stands in its place, and
 * withPassword must give back exactly what the VM said, else the simulator could not answer as it did.
 */
function redacted(saved: Map<string, string>): Map<string, string> {
  const password = dbEnv().POSTGRES_PASSWORD!;
  const marked = new Map([...saved].map(([kind, text]) => [kind, text.replaceAll(encodeURIComponent(password), PASSWORD_MARK)]));
  const back = withPassword(marked, password);
  for (const [kind, text] of saved) {
    if (back.get(kind) !== text) throw new Error(`the ${kind} answer does not come back from its redacted form: check withPassword`);
    if (marked.get(kind)!.includes(password) || marked.get(kind)!.includes(encodeURIComponent(password)))
      throw new Error(`the ${kind} answer still holds the password`);
  }
  return marked;
}

async function recordHttp(): Promise<void> {
  const host = `127.0.0.1:${SIM_MLFLOW_PORT}`;
  const ask = (path: string, extra: { method?: 'POST'; hostHeader?: string; body?: string } = {}) =>
    httpDirect('127.0.0.1', SIM_MLFLOW_PORT, { path, timeoutMs: 10_000, ...extra }).then((r) => ({ status: r.status, body: r.body }));
  const answers = {
    health: await ask('/health'),
    version: await ask('/version'),
    search: await ask('/api/2.0/mlflow/experiments/search', { method: 'POST', hostHeader: host, body: '{"max_results":1}' }),
    foreignHost: await ask('/api/2.0/mlflow/experiments/search', { method: 'POST', hostHeader: 'dns-rebinding-check.invalid', body: '{}' }),
    allowedHosts: defaultAllowedHosts({ address: '127.0.0.1', name: '127.0.0.1' }, SIM_MLFLOW_PORT),
  };
  if (answers.health.status !== 200 || answers.search.status !== 200 || answers.foreignHost.status !== 403)
    throw new Error(`vm${VM}'s MLflow did not answer as a healthy server: ${JSON.stringify(answers)}`);
  writeFileSync(join(FIXTURES, 'http.json'), `${JSON.stringify(answers, null, 2)}\n`);
}

async function main(): Promise<void> {
  const lab = labAvailable();
  if (!lab.ok) throw new Error(`recording needs the lab: ${lab.reason}`);
  await ensureLab(VM);
  await resetVm(VM);
  await waitForSsh(VM);
  const forwards = await Promise.all([forward(FORWARD_SSH_PORT, vmIp(VM), 22), forward(SIM_MLFLOW_PORT, vmIp(VM), SIM_MLFLOW_PORT)]);
  const direct = newWorkdir();
  const flags = ['--host', '127.0.0.1', '--identity-file', LAB_KEY, '--known-hosts', join(direct, 'known_hosts'), '--mlflow-port', String(SIM_MLFLOW_PORT)];
  // A Blob server, as every VM of the simulated fleet must be (artifacts shared).
  const blob = ['--artifacts-destination', SIM_BLOB_DESTINATION];
  const viaForward = [...flags, '--ssh-port', String(FORWARD_SSH_PORT)];
  try {
    process.stderr.write(`vm${VM}: provisioning as 127.0.0.1:${FORWARD_SSH_PORT} (fresh VM, about a minute)...\n`);
    jsonResults(await runCli([...viaForward, ...blob, '--yes', '--workers', '1', '--json'], direct, SIM_BLOB_ENV), 'first provision');
    const again = jsonResults(await runCli([...viaForward, ...blob, '--yes', '--workers', '1', '--json'], direct, SIM_BLOB_ENV), 'no-op rerun');
    if (again[0]?.changed?.length) throw new Error(`the rerun changed ${again[0].changed.join(', ')}: not a no-op`);

    const simDir = newWorkdir();
    const keys = makeKeys(simDir, [RECORD_SSH_PORT]);
    const vm = await connectVia(vmIp(VM), readFileSync(LAB_KEY));
    const saved = new Map<string, string>();
    const sim = await startSshServers(keys, [RECORD_SSH_PORT], recorder(vm, saved), vm);
    const simFlags = [
      '--host',
      '127.0.0.1',
      '--ssh-port',
      String(RECORD_SSH_PORT),
      '--identity-file',
      keys.clientKeyPath,
      '--known-hosts',
      keys.knownHostsPath,
    ];
    const simArgs = [...simFlags, '--mlflow-port', String(SIM_MLFLOW_PORT)];
    const rerun = jsonResults(await runCli([...simArgs, ...blob, '--yes', '--workers', '1', '--json'], simDir, SIM_BLOB_ENV), 'rerun through the recorder');
    if (rerun[0]?.changed?.length) throw new Error(`the recorded rerun changed ${rerun[0].changed.join(', ')}`);
    const status = jsonResults(await runCli(['status', ...simArgs, '--json'], simDir), 'status through the recorder');
    sim.close();
    vm.end();
    process.stderr.write(`recorded: ${JSON.stringify(sim.counters)}; status: ${JSON.stringify(status[0]).slice(0, 300)}\n`);
    if (sim.counters.unknown.length > 0 || sim.counters.sftp > 0) throw new Error(`commands the simulator cannot tell: ${sim.counters.unknown.join(' | ')}`);
    // What the simulated VMs will say must be a healthy Blob server's answers, every kind of them.
    if ((status[0] as { healthy?: boolean } | undefined)?.healthy !== true) throw new Error(`vm${VM} is not healthy in status: ${JSON.stringify(status[0])}`);
    const missing = ANSWER_KINDS.filter((kind) => !saved.has(kind));
    if (missing.length > 0) throw new Error(`no answer recorded for ${missing.join(', ')}`);

    mkdirSync(FIXTURES, { recursive: true });
    for (const [kind, out] of redacted(saved)) writeFileSync(join(FIXTURES, `${kind}.txt`), out);
    await recordHttp();
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const meta = {
      vm: `vm${VM} (${vmIp(VM)}), provisioned as 127.0.0.1`,
      mlflowPort: SIM_MLFLOW_PORT,
      artifactsDestination: SIM_BLOB_DESTINATION,
      recordedAt: new Date().toISOString(),
      commit,
    };
    writeFileSync(join(FIXTURES, 'recorded.json'), `${JSON.stringify(meta, null, 2)}\n`);
    process.stderr.write(`wrote ${[...saved.keys()].join(', ')}, http.json to ${FIXTURES}\n`);
  } finally {
    // The VM's MLflow holds hundreds of MB: stop it (the machine is shared).
    await runCli(['stop', ...viaForward, '--yes'], direct).catch(() => undefined);
    forwards.forEach((f) => f.close());
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`record-vm-answers failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
