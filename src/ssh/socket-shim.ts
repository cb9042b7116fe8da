import type { Duplex } from 'node:stream';

/** node-postgres and node:http treat their stream as a net.Socket; an SSH channel needs these no-ops. */
export function socketShim<T extends Duplex>(stream: T): T {
  const s = stream as unknown as Record<string, unknown>;
  s.setNoDelay = () => stream;
  s.setKeepAlive = () => stream;
  s.setTimeout = () => stream;
  s.ref = () => stream;
  s.unref = () => stream;
  s.connect = () => {
    process.nextTick(() => stream.emit('connect'));
    return stream;
  };
  return stream;
}

/**
 * Done with a forwarded channel: closed (an SSH channel close) and, if its writing side is still open, ended
 * first. ssh2's destroy() ends it again when HTTP or TLS already did, and Node then builds an error with its
 * stack trace that nobody reads: a third of a millisecond a request at 200 hosts (bench:fleet-cli).
 */
export function closeChannel(channel: Duplex & { close?: () => void }): void {
  // (A test's stand-in for a channel may be a plain socket, which has no close().)
  if (channel.writableEnded && typeof channel.close === 'function') channel.close();
  else channel.destroy();
}
