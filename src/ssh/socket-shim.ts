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
