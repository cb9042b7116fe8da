import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Writable } from 'node:stream';

/** What a command streamed into a local file: its size and SHA-256. */
export interface StreamedFile {
  bytes: number;
  sha256: string;
}

/**
 * A new local file (mode 0600; an existing file is never overwritten) that counts and hashes what is written
 * to it. Each chunk is written before the next is taken, so a slow disk slows the VM down instead of filling
 * this process's memory.
 */
export class FileSink extends Writable {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly file: WriteStream;

  constructor(
    readonly path: string,
    private readonly onBytes: (bytes: number) => void = () => undefined,
  ) {
    super();
    this.file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.file.on('error', (err) => this.destroy(err));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes(this.bytes);
    this.file.write(chunk, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.file.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.file.destroy();
    done(err);
  }

  /** Waits until everything written is on disk: the file's size and hash. */
  async written(): Promise<StreamedFile> {
    if (!this.writableEnded) this.end();
    await finished(this);
    await finished(this.file).catch(() => undefined);
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}
