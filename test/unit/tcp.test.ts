import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { Duplex } from 'node:stream';
import { concatWritesPerTick, connectPacketSocket } from '../../src/ssh/tcp.js';

/** A loopback server that keeps every byte it receives; `received()` resolves once the client has ended. */
async function sink(): Promise<{ port: number; received: () => Promise<Buffer>; close: () => void }> {
  let done!: (b: Buffer) => void;
  const all = new Promise<Buffer>((r) => (done = r));
  const server = createServer((s) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => done(Buffer.concat(chunks)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, received: () => all, close: () => server.close() };
}

/** How the socket hands its data to the kernel: one entry a syscall, the number of buffers in it. */
function syscalls(socket: Socket): number[] {
  const calls: number[] = [];
  const s = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (chunks: unknown[], cb: unknown) => void };
  const [write, writev] = [s._write.bind(socket), s._writev.bind(socket)];
  s._write = (...a) => (calls.push(1), write(...a));
  s._writev = (chunks, cb) => (calls.push(chunks.length), writev(chunks, cb));
  return calls;
}

test('what ssh2 writes in one tick (a packet is three writes) leaves in one writev; later ticks each in their own', async () => {
  const server = await sink();
  const socket = connectPacketSocket('127.0.0.1', server.port);
  const calls = syscalls(socket);
  await once(socket, 'connect');
  socket.write(Buffer.from('len1'));
  socket.write(Buffer.from('ciphertext-1'));
  socket.write(Buffer.from('mac-1'));
  await new Promise((r) => setImmediate(r));
  socket.write(Buffer.from('len2'));
  socket.write(Buffer.from('mac-2'));
  await new Promise((r) => setImmediate(r));
  socket.write(Buffer.from('last'));
  socket.end(); // in the same tick: end() sends what is held
  assert.equal((await server.received()).toString(), 'len1ciphertext-1mac-1len2mac-2last');
  assert.deepEqual(calls, [3, 2, 1]);
  assert.equal(socket.writableCorked, 0);
  server.close();
});

test('writes made while the TCP connection is still being set up arrive, in order, once it is', async () => {
  const server = await sink();
  const socket = connectPacketSocket('127.0.0.1', server.port);
  socket.write(Buffer.from('SSH-2.0-'));
  socket.write(Buffer.from('provision'));
  socket.end();
  assert.equal((await server.received()).toString(), 'SSH-2.0-provision');
  server.close();
});

test('a refused connection is an error event (ssh2 turns it into the sentence), not a throw', async () => {
  const server = await sink();
  server.close();
  await new Promise((r) => setTimeout(r, 50));
  const socket = connectPacketSocket('127.0.0.1', server.port);
  const [err] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNREFUSED');
});

/** A stand-in for a jump host's channel: each write it is given, as it was given. */
function recordingChannel(): { channel: Duplex; writes: string[] } {
  const writes: string[] = [];
  const channel = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { channel, writes };
}

test("a jump host's channel: one tick's writes (an inner SSH packet) become one channel write; end() sends what is held first", async () => {
  const { channel, writes } = recordingChannel();
  concatWritesPerTick(channel);
  channel.write(Buffer.from('len1'));
  channel.write(Buffer.from('ciphertext-1'));
  channel.write(Buffer.from('mac-1'));
  await new Promise((r) => setImmediate(r));
  channel.write(Buffer.from('len2'));
  channel.write('text', 'utf8'); // not what ssh2 writes: passed on as it is, after what was held
  channel.write(Buffer.from('mac-2'));
  channel.end();
  await once(channel, 'finish');
  assert.deepEqual(writes, ['len1ciphertext-1mac-1', 'len2', 'text', 'mac-2']);
});
