import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * The TCP socket an SSH connection runs on, writing what one turn of the event loop sends as one segment.
 *
 * ssh2 writes every SSH packet as three writes (its length, the ciphertext, the MAC), often several packets in a
 * row (a channel open and its exec). With TCP_NODELAY each write is a segment of its own: three syscalls and
 * three segments a packet, the VM's kernel and sshd woken for each. Without TCP_NODELAY, Nagle's algorithm
 * holds the second write until the first is acknowledged, and the VM delays that acknowledgement by up to
 * 40 ms: every small request (an exec, a forward, an HTTP check) stalls. Corking the socket until the end of
 * the tick sends all of it in one writev, at once: one segment a burst, as OpenSSH does.
 */
export function connectPacketSocket(host: string, port: number): Socket {
  const socket = new Socket();
  socket.setNoDelay(true);
  // After connect(): net.Socket's connect() puts its own write back.
  socket.connect({ host, port });
  return coalesceWritesPerTick(socket);
}

/** `socket`, its writes of one tick held (cork) and sent together (uncork) when the tick ends. */
export function coalesceWritesPerTick<T extends Socket>(socket: T): T {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  const release = () => socket.uncork();
  socket.write = (...args: unknown[]) => {
    if (socket.writableCorked === 0) {
      socket.cork();
      process.nextTick(release);
    }
    return write(...args);
  };
  return socket;
}

/**
 * A jump host's channel that the next SSH connection runs in: what one tick writes goes as one write, so one
 * SSH packet of the inner connection travels as one packet of the outer one (ssh2's three writes a packet were
 * three channel packets: three times the outer encryption, and three writes on the jump host's own socket to
 * the VM). A channel has no writev to cork into, so the tick's chunks are joined. ssh2 writes Buffers and does
 * not look at write()'s answer; anything else (a string, a callback) is passed on as it is, after what is held.
 */
export function concatWritesPerTick<T extends Duplex>(stream: T): T {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const end = stream.end.bind(stream) as (...args: unknown[]) => T;
  let held: Buffer[] = [];
  const flush = () => {
    if (held.length === 0) return;
    const chunks = held;
    held = [];
    write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  };
  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    if (!Buffer.isBuffer(chunk) || rest.length > 0) {
      flush();
      return write(chunk, ...rest);
    }
    if (held.length === 0) process.nextTick(flush);
    held.push(chunk);
    return true;
  };
  stream.end = (...args: unknown[]) => {
    flush();
    return end(...args);
  };
  return stream;
}
