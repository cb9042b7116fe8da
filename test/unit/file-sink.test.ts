import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { FileSink } from '../../src/run/file-sink.js';

test('a stream of 32 KiB chunks (as SSH brings them) lands whole in a 0600 file, its size and SHA-256 told', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sink-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // About 13 MiB, more than the write-ahead; sizes that do not divide the hashing thread's 1 MiB batches.
  const chunks = Array.from({ length: 400 }, (_, i) => randomBytes(32 * 1024 + (i % 7) * 1001));
  const sink = new FileSink(join(dir, 'artifacts.tar'));
  await pipeline(Readable.from(chunks), sink);
  const told = await sink.written();
  const whole = Buffer.concat(chunks);
  assert.equal(told.bytes, whole.length);
  assert.equal(told.sha256, createHash('sha256').update(whole).digest('hex'));
  assert.ok(readFileSync(join(dir, 'artifacts.tar')).equals(whole));
  assert.equal(statSync(join(dir, 'artifacts.tar')).mode & 0o777, 0o600);
});

test('an existing file is never overwritten: the stream fails with EEXIST and the file keeps its content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sink-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'database.dump'), 'earlier backup');
  const sink = new FileSink(join(dir, 'database.dump'));
  await assert.rejects(pipeline(Readable.from([Buffer.from('new')]), sink), { code: 'EEXIST' });
  assert.equal(readFileSync(join(dir, 'database.dump'), 'utf8'), 'earlier backup');
});

test('a stream cut off midway (the connection dropped) leaves no hashing thread behind: the process exits', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sink-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const program = `
    import { FileSink } from ${JSON.stringify(new URL('../../src/run/file-sink.ts', import.meta.url).href)};
    const sink = new FileSink(${JSON.stringify(join(dir, 'artifacts.tar'))});
    sink.write(Buffer.alloc(3 << 20));
    setTimeout(() => { sink.destroy(); console.log('destroyed'); }, 100);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.signal, null, 'the process was still running after 20 s');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'destroyed');
});
