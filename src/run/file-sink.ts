import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { Sha256InWorker } from '../util/sha256-worker.js';

/** What a command streamed into a local file: its size and SHA-256. */
export interface StreamedFile {
  bytes: number;
  sha256: string;
}

/** Bytes that may wait for the disk while the next chunks arrive. */
const WRITE_AHEAD = 4 << 20;

/**
 * A new local file (mode 0600; an existing file is never overwritten) that counts and hashes what is written
 * to it. Up to WRITE_AHEAD bytes wait for the disk while the next chunks arrive (one 32 KiB write at a time
 * kept the SSH stream waiting on each); beyond that a slow disk slows the VM down instead of filling this
 * process's memory.
 */
export class FileSink extends Writable {
  bytes = 0;
  private readonly hash = new Sha256InWorker();
  private readonly file: WriteStream;

  constructor(
    readonly path: string,
    private readonly onBytes: (bytes: number) => void = () => undefined,
  ) {
    super();
    this.file = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: WRITE_AHEAD });
    this.file.on('error', (err) => this.destroy(err));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.bytes += chunk.length;
    this.onBytes(this.bytes);
    const fileReady = this.file.write(chunk) ? undefined : once(this.file, 'drain');
    Promise.all([this.hash.update(chunk), fileReady]).then(() => done(), done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.file.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.file.destroy();
    // Destroyed after 'finish' too (autoDestroy): the worker then still owes the digest.
    if (err || !this.writableFinished) this.hash.discard();
    done(err);
  }

  /** Waits until everything written is on disk: the file's size and hash. */
  async written(): Promise<StreamedFile> {
    if (!this.writableEnded) this.end();
    await finished(this);
    await finished(this.file).catch(() => undefined);
    return { bytes: this.bytes, sha256: await this.hash.digest() };
  }
}
