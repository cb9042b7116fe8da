// Simulated healthy VMs for `npm run bench:fleet-cli`: ssh2's Server on loopback, one port a host (the hosts
// file's `127.0.0.1:PORT`), real SSH crypto (a host key made once per run, in a bench known_hosts; public-key
// login with a bench key), and canned answers recorded from a real lab VM (fixtures/sim-vm/, made by
// bench/record-vm-answers.ts). It measures the CLI's own cost only; the lab stays the truth.
//   exec          answered by recognising the command (the probe, the status probe, the Blob access check); an unknown one is
//                 counted and fails (exit 127), so a bench run shows it
//   direct-tcpip  127.0.0.1:MLFLOW_PORT is the HTTP server below (answers recorded from the VM's MLflow);
//                 any other address (the database) through a real lab VM's own forward (VIA: one SSH
//                 connection the simulator holds), so the lab's real Postgres sees a VM's address, as it allows
//   sftp          refused and counted: a no-op rerun uploads nothing
// Run as its own process (so its CPU is not the CLI's):
//   node --import tsx bench/sim-vm.ts DIR HOSTS BASE_PORT VIA_HOST VIA_KEY
// It writes DIR/id_ed25519 and DIR/known_hosts, prints one JSON line when it listens, and on SIGTERM
// (or stdin closing) prints its counters as one JSON line and exits.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { connect as tcpConnect, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timingSafeEqual } from 'node:crypto';
import ssh2 from 'ssh2';
import type { ServerChannel, Connection } from 'ssh2';
import { BLOB_CHECK_PREFIX } from '../src/plan/blob-check.js';
import { configFingerprint, sha256 } from '../src/render/server-files.js';
import { Secret } from '../src/util/secret.js';
import { coalesceWritesPerTick } from '../src/ssh/tcp.js';

const { Server, utils } = ssh2;

export const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'sim-vm');
/** The MLflow port the recorded VM was provisioned with (the bench passes the same --mlflow-port). */
export const SIM_MLFLOW_PORT = 18500;
export const SIM_USER = 'azureuser';

/**
 * The simulated VMs share one database, so they are a fleet and must share their artifacts (docs/fleet.md):
 * Azure Blob, here the lab's Azurite (scripts/lab/azurite.sh) with the development account and Microsoft's
 * published development key (not a secret). The recording and the bench pass the same, so the recorded
 * launcher, secrets file and fingerprint are those of a Blob server.
 */
export const SIM_BLOB_DESTINATION = 'wasbs://mlflow@devstoreaccount1.blob.core.windows.net/bench';
const AZURITE_DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const SIM_BLOB_ENV = {
  AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_DEV_KEY};BlobEndpoint=http://10.231.0.3:10000/devstoreaccount1;`,
};

/** What a command is, told from its text (the simulator sees shell text only, as sshd does). */
export function commandKind(command: string): string {
  // The status probe is the probe's parts plus the status-only ones: test for the longer one first.
  if (command.includes('launcher_line=')) return 'status-probe';
  if (command.includes('probe_done=1')) return 'probe';
  // The Blob access check (plan/blob-check.ts): status runs it on a Blob server, verify when a round trip fails.
  if (command.includes(BLOB_CHECK_PREFIX) && command.includes('BlobServiceClient')) return 'blob-check';
  return 'unknown';
}

export interface SimCounters {
  connections: number;
  execs: Record<string, number>;
  forwards: number;
  sftp: number;
  unknown: string[];
}

export type ExecHandler = (command: string, channel: ServerChannel, counters: SimCounters) => void;

export interface SimKeys {
  clientKeyPath: string;
  knownHostsPath: string;
  hostKey: string;
  clientPublic: ReturnType<typeof utils.parseKey>;
}

/** A host key and a client key for this run; known_hosts names every port. */
export function makeKeys(dir: string, ports: number[]): SimKeys {
  const host = utils.generateKeyPairSync('ed25519');
  const client = utils.generateKeyPairSync('ed25519');
  const clientKeyPath = join(dir, 'id_ed25519');
  writeFileSync(clientKeyPath, client.private, { mode: 0o600 });
  writeFileSync(`${clientKeyPath}.pub`, `${client.public}\n`);
  const knownHostsPath = join(dir, 'known_hosts');
  const hostPublic = host.public.split(' ').slice(0, 2).join(' ');
  writeFileSync(knownHostsPath, ports.map((p) => `[127.0.0.1]:${p} ${hostPublic}\n`).join(''), { mode: 0o600 });
  const parsed = utils.parseKey(client.public);
  if (parsed instanceof Error) throw parsed;
  return { clientKeyPath, knownHostsPath, hostKey: host.private, clientPublic: parsed };
}

function authenticate(conn: Connection, keys: SimKeys): void {
  const allowed = keys.clientPublic as Exclude<SimKeys['clientPublic'], Error | unknown[]>;
  const wanted = allowed.getPublicSSH();
  conn.on('authentication', (ctx) => {
    if (ctx.method !== 'publickey' || ctx.username !== SIM_USER) return ctx.reject(['publickey']);
    const same = ctx.key.algo === allowed.type && ctx.key.data.length === wanted.length && timingSafeEqual(ctx.key.data, wanted);
    if (!same) return ctx.reject(['publickey']);
    if (ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
    ctx.accept();
  });
}

/** One connection: login, then sessions (exec, sftp) and forwards. */
function serve(conn: Connection, keys: SimKeys, onExec: ExecHandler, counters: SimCounters, via?: ssh2.Client): void {
  counters.connections += 1;
  authenticate(conn, keys);
  conn.on('error', () => undefined);
  conn.on('ready', () => {
    conn.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acceptExec, _reject, info) => onExec(info.command, acceptExec(), counters));
      session.on('sftp', (_accept, reject) => {
        counters.sftp += 1;
        reject();
      });
    });
    conn.on('tcpip', (accept, reject, info) => {
      counters.forwards += 1;
      if (via && !/^(127\.|localhost$|::1$)/.test(info.destIP)) {
        via.forwardOut('127.0.0.1', 0, info.destIP, info.destPort, (err, upstream) => {
          if (err) return reject();
          const channel = accept();
          channel.on('error', () => upstream.destroy());
          upstream.on('error', () => channel.destroy());
          channel.pipe(upstream).pipe(channel);
        });
        return;
      }
      const socket = tcpConnect(info.destPort, info.destIP);
      socket.once('error', () => reject());
      socket.once('connect', () => {
        const channel = accept();
        socket.removeAllListeners('error');
        socket.on('error', () => channel.destroy());
        channel.on('error', () => socket.destroy());
        channel.pipe(socket).pipe(channel);
      });
    });
  });
}

/** SSH servers on 127.0.0.1, one a port, answering through `onExec`. */
export async function startSshServers(
  keys: SimKeys,
  ports: number[],
  onExec: ExecHandler,
  via?: ssh2.Client,
): Promise<{ counters: SimCounters; close: () => void }> {
  const counters: SimCounters = { connections: 0, execs: {}, forwards: 0, sftp: 0, unknown: [] };
  const servers = ports.map((port) => {
    const ssh = new Server({ hostKeys: [keys.hostKey] }, (conn) => serve(conn, keys, onExec, counters, via));
    // Each SSH packet in one segment, sent at once, as OpenSSH sends it (ssh2 alone writes a packet in three
    // writes, and Nagle's algorithm then holds the rest of each packet for the client's delayed ACK: 40 ms).
    const server = createTcpServer((socket) => {
      socket.setNoDelay(true);
      ssh.injectSocket(coalesceWritesPerTick(socket));
    });
    return new Promise<TcpServer>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  });
  const listening = await Promise.all(servers);
  return { counters, close: () => listening.forEach((s) => s.close()) };
}

/** One SSH connection to a real VM, whose forwards reach what the VM reaches (the database). */
export function connectVia(host: string, privateKey: Buffer): Promise<ssh2.Client> {
  const client = new ssh2.Client();
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({ host, port: 22, username: SIM_USER, privateKey, keepaliveInterval: 10_000 });
  });
}

/** The kinds of command a healthy VM is asked, each answered from fixtures/sim-vm/<kind>.txt. */
export const ANSWER_KINDS = ['probe', 'status-probe', 'blob-check'] as const;

/** The recorded answers: fixtures/sim-vm/<kind>.txt (standard output of a command that exited 0). */
export function loadAnswers(dir = FIXTURES): Map<string, string> {
  const answers = new Map<string, string>();
  for (const kind of ANSWER_KINDS) {
    const file = join(dir, `${kind}.txt`);
    if (existsSync(file)) answers.set(kind, readFileSync(file, 'utf8'));
  }
  return answers;
}

/** Where the fixtures had the lab database's password (percent-encoded, in the status probe's secrets lines). */
export const PASSWORD_MARK = '@@LAB_DB_PASSWORD@@';

/**
 * The recorded answers for this lab's database password: it goes back into the secrets file's lines, and what
 * is derived from that file (its SHA-256 and the server's salted fingerprint, in both probes) is computed again,
 * as the VM would have them. record-vm-answers.ts checks that this gives back exactly what the VM said.
 */
export function withPassword(answers: Map<string, string>, password: string): Map<string, string> {
  const encoded = encodeURIComponent(password);
  const status = answers.get('status-probe')!.replaceAll(PASSWORD_MARK, encoded);
  const lines = (key: string) => [...status.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => `${m[1]}\n`).join('');
  const secrets = lines('secret_line');
  const salt = /^server_fingerprint_salt=(.*)$/m.exec(status)?.[1];
  const fingerprint = configFingerprint(lines('launcher_line'), new Secret(secrets), undefined, salt);
  const keyed = (text: string) =>
    text
      .replaceAll(PASSWORD_MARK, encoded)
      .replace(/^[0-9a-f]{64}( {2}\S+\/\.mlflow-server\.env)$/m, `${sha256(secrets)}$1`)
      .replace(/^server_fingerprint=.*$/m, `server_fingerprint=${fingerprint}`);
  return new Map([...answers].map(([kind, text]) => [kind, keyed(text)]));
}

/** Replays a recorded answer by the command's kind; an unknown command exits 127 and is counted. */
export function replay(answers: Map<string, string>): ExecHandler {
  return (command, channel, counters) => {
    const kind = commandKind(command);
    counters.execs[kind] = (counters.execs[kind] ?? 0) + 1;
    const out = answers.get(kind);
    if (out === undefined) {
      if (counters.unknown.length < 20) counters.unknown.push(command.slice(0, 300));
      channel.stderr.write('bash: simulated VM: command not recognised\n');
      channel.exit(127);
    } else {
      channel.write(out);
      channel.exit(0);
    }
    channel.end();
  };
}

/** The recorded HTTP answers of the VM's MLflow (fixtures/sim-vm/http.json). */
interface HttpAnswers {
  health: { status: number; body: string };
  version: { status: number; body: string };
  search: { status: number; body: string };
  foreignHost: { status: number; body: string };
  /** Host headers MLflow accepted (its allow-list as provisioned). */
  allowedHosts: string[];
}

/** MLflow as the VM's answers say: /health, /version, a search, the DNS-rebinding refusal, artifacts in memory. */
export function startHttpServer(port: number, dir = FIXTURES): Promise<HttpServer> {
  const answers = JSON.parse(readFileSync(join(dir, 'http.json'), 'utf8')) as HttpAnswers;
  const artifacts = new Map<string, string>();
  const send = (res: ServerResponse, a: { status: number; body: string }, type = 'application/json') =>
    res.writeHead(a.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(a.body) }).end(a.body);
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/health') return send(res, answers.health, 'text/html; charset=utf-8');
    if (path === '/version') return send(res, answers.version, 'text/html; charset=utf-8');
    if (!answers.allowedHosts.includes(req.headers.host ?? '')) return send(res, answers.foreignHost, 'text/plain');
    if (path === '/api/2.0/mlflow/experiments/search') return send(res, answers.search);
    if (path.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      if (req.method === 'PUT') artifacts.set(path, body);
      if (req.method === 'DELETE') artifacts.delete(path);
      if (req.method === 'GET') return send(res, { status: 200, body: artifacts.get(path) ?? '' }, 'text/plain');
      return send(res, { status: 200, body: '{}' });
    }
    return send(res, { status: 404, body: '{"error_code":"ENDPOINT_NOT_FOUND"}' });
  };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function main(): Promise<void> {
  const [dir, hosts, basePort, viaHost, viaKey] = process.argv.slice(2);
  if (!dir || !hosts || !basePort || !viaHost || !viaKey) throw new Error('usage: sim-vm.ts DIR HOSTS BASE_PORT VIA_HOST VIA_KEY');
  const ports = Array.from({ length: Number(hosts) }, (_, i) => Number(basePort) + i);
  const password = process.env.SIM_DB_PASSWORD;
  if (!password) throw new Error("SIM_DB_PASSWORD (the lab database's password) is not set");
  const answers = withPassword(loadAnswers(), password);
  const missing = ANSWER_KINDS.filter((kind) => !answers.has(kind));
  if (missing.length > 0) throw new Error(`no recorded answer for ${missing.join(', ')} in ${FIXTURES}: run bench/record-vm-answers.ts (root, the lab) first`);
  const keys = makeKeys(dir, ports);
  const http = await startHttpServer(SIM_MLFLOW_PORT);
  const via = await connectVia(viaHost, readFileSync(viaKey));
  const ssh = await startSshServers(keys, ports, replay(answers), via);
  process.stdout.write(`${JSON.stringify({ ready: true, clientKey: keys.clientKeyPath, knownHosts: keys.knownHostsPath, ports: ports.length })}\n`);
  const stop = () => {
    process.stdout.write(`${JSON.stringify({ counters: ssh.counters, cpu: process.resourceUsage() })}\n`);
    ssh.close();
    http.close();
    via.end();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  // A line on stdin asks for the counters so far (then zeroed): one bench phase's.
  process.stdin.setEncoding('utf8').on('data', () => {
    process.stdout.write(`${JSON.stringify({ counters: ssh.counters, cpu: process.resourceUsage() })}\n`);
    Object.assign(ssh.counters, { connections: 0, execs: {}, forwards: 0, sftp: 0, unknown: [] });
  });
  process.stdin.on('end', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`sim-vm: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
