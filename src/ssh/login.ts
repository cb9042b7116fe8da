import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import type { HostTarget } from '../config/config.js';
import { HostKeyVerifier } from '../openssh/known-hosts.js';
import { HostUnreachable, StepError } from '../util/errors.js';
import { ALL_HOST_KEY_ALGORITHMS, HOST_KEY_ALGORITHMS, keyCandidates, knownHostsFilesFor } from './client-auth.js';
import { describeConnectError } from './errors.js';
import { concatWritesPerTick, connectPacketSocket } from './tcp.js';
import type { ConnectOptions } from './types.js';

/** A logged-in SSH client, the jump hosts' clients it runs through, and why our host-key check closed it (if it did). */
export interface Login {
  client: Client;
  hops: Client[];
  refusedKey: () => StepError | undefined;
}

/**
 * The SSH connection to the VM, host key verified; with jump hosts (--jump, ProxyJump) first to each hop in
 * turn, each hop's host key verified the same way, the next one reached through a channel of the one before:
 * the VM's connection then runs inside the last hop's channel.
 */
export async function logIn(target: HostTarget, options: ConnectOptions): Promise<Login> {
  const hops: Client[] = [];
  let sock: Duplex | undefined;
  try {
    for (const hop of target.jump ?? []) {
      const opened = await handshake({ ...hop, name: hop.label, origin: 'jump', overrides: {} }, options, sock, `the jump host ${hop.label}`);
      hops.push(opened.client);
      const next = hops.length < (target.jump?.length ?? 0) ? target.jump![hops.length]! : target;
      sock = await new Promise<Duplex>((resolve, reject) => {
        opened.client.forwardOut('127.0.0.1', 0, next.address, next.port, (err, channel) => {
          if (err)
            reject(
              new HostUnreachable(
                `The jump host ${hop.label} cannot open a connection to ${next.address}:${next.port} (${err.message}): check that it reaches the VM and that its sshd allows TCP forwarding (AllowTcpForwarding).`,
              ),
            );
          else resolve(concatWritesPerTick(channel));
        });
      });
    }
    const opened = await handshake(target, options, sock);
    return { ...opened, hops };
  } catch (err) {
    for (const c of hops.reverse()) c.end();
    throw err;
  }
}

/** One SSH handshake and login, directly or over `sock` (a jump host's channel); `via` names a hop in errors. */
function handshake(
  target: HostTarget,
  options: ConnectOptions,
  sock?: Duplex,
  via?: string,
): Promise<{ client: Client; refusedKey: () => StepError | undefined }> {
  const verifier = new HostKeyVerifier(knownHostsFilesFor(target, options.knownHostsPath), options.hostKeyPolicy, options.onNewHostKey);
  const preferred = verifier.knownKeyTypes().flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []);
  const methods = keyCandidates(target, options.passphrase);
  if (methods.length === 0) {
    return Promise.reject(new StepError('No SSH key to log in with: pass --identity-file, load a key into ssh-agent, or create ~/.ssh/id_ed25519.'));
  }
  let hostKeyProblem: StepError | undefined;
  const named = (e: StepError): StepError => (via ? new StepError(`${via}: ${e.message}`) : e);

  const client = new Client();
  const config: ConnectConfig = {
    host: target.address,
    port: target.port,
    username: target.user,
    readyTimeout: options.connectTimeoutMs,
    keepaliveInterval: 5000,
    keepaliveCountMax: 4,
    authHandler: methods as unknown as ConnectConfig['authHandler'],
    algorithms: {
      serverHostKey: [...new Set([...preferred, ...ALL_HOST_KEY_ALGORITHMS])] as never,
    },
    // Called at the first key exchange and again at every re-key (the verifier pins the first key).
    hostVerifier: (key: Buffer) => {
      const ok = verifier.verify(key);
      if (!ok && verifier.problem) hostKeyProblem = named(new StepError(verifier.problem));
      return ok;
    },
    // A jump host's channel, or our own TCP socket (one segment a burst, src/ssh/tcp.ts), connecting before
    // ssh2 sees it: ssh2 then waits for its 'connect', and its readyTimeout covers the TCP connect too.
    sock: sock ?? connectPacketSocket(target.address, target.port),
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    client.once('ready', () => {
      settled = true;
      resolve({ client, refusedKey: () => hostKeyProblem });
    });
    // `on`, not `once`: a second 'error' (ssh2 sends "Connection lost before handshake" after a handshake
    // timeout) must not find the process without a listener.
    client.on('error', (err: NodeJS.ErrnoException & { level?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      if (hostKeyProblem) {
        reject(hostKeyProblem);
        return;
      }
      const sentence = describeConnectError(err, target, options.connectTimeoutMs);
      const unreachable = err.level !== 'client-authentication' && err.level !== 'protocol';
      reject(unreachable ? new HostUnreachable(via ? `${via}: ${sentence}` : sentence) : named(new StepError(sentence)));
    });
    client.once('close', () => {
      if (settled) return;
      settled = true;
      reject(hostKeyProblem ?? named(new StepError(`${target.address}:${target.port} closed the SSH connection before login finished.`)));
    });
    client.connect(config);
  });
}
