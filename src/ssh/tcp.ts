import { Socket } from 'node:net';

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
