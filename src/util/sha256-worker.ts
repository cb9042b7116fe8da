import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program: hash each batch it is sent, then give the batch's buffer back (transferred) for the
 * next one; the digest at the end.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (batch) => {
  if (batch === null) return parentPort.postMessage({ digest: hash.digest('hex') });
  hash.update(new Uint8Array(batch.buffer, 0, batch.length));
  parentPort.postMessage({ hashed: batch }, [batch.buffer]);
});
`;

/** The size of a batch sent to the worker: one message a MiB instead of one a 32 KiB SSH packet. */
const BATCH_BYTES = 1 << 20;
/** Batches at the worker and not hashed yet, beyond which `update` waits: the memory it may hold (8 MiB). */
const MAX_IN_FLIGHT = 8;

interface Batch {
  buffer: ArrayBuffer;
  length: number;
}

/**
 * A SHA-256 computed on a worker thread. A backup's stream comes through ssh2, which decrypts each packet on
 * the main thread; hashing there too (about 0.4 s of CPU for 500 MB) made the main thread the bottleneck
 * (bench:backup). Chunks are copied into 1 MiB batches handed over to the worker (transferred, not cloned),
 * which hands each buffer back for a later batch: at most MAX_IN_FLIGHT + 1 buffers ever exist.
 */
export class Sha256InWorker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private readonly free: ArrayBuffer[] = [];
  private current?: Batch;
  private inFlight = 0;
  private onHashed?: () => void;
  private failure?: Error;
  private readonly digestSent: Promise<string>;

  constructor() {
    this.digestSent = new Promise<string>((resolve, reject) => {
      this.worker.on('message', (m: { hashed?: Batch; digest?: string }) => {
        if (m.digest !== undefined) return resolve(m.digest);
        if (m.hashed) this.free.push(m.hashed.buffer);
        this.inFlight -= 1;
        if (this.inFlight < MAX_IN_FLIGHT) this.onHashed?.();
      });
      this.worker.once('error', (err) => {
        this.failure = err;
        this.onHashed?.();
        reject(err);
      });
    });
    this.digestSent.catch(() => undefined); // told by digest(), or by the next update
  }

  /** Adds `chunk` (copied, not kept); resolves at once unless the worker is MAX_IN_FLIGHT batches behind. */
  async update(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    for (let at = 0; at < chunk.length;) {
      const batch = (this.current ??= { buffer: this.free.pop() ?? new ArrayBuffer(BATCH_BYTES), length: 0 });
      const n = Math.min(chunk.length - at, BATCH_BYTES - batch.length);
      new Uint8Array(batch.buffer, batch.length, n).set(chunk.subarray(at, at + n));
      batch.length += n;
      at += n;
      if (batch.length === BATCH_BYTES) this.send();
    }
    if (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (this.onHashed = r));
    this.onHashed = undefined;
    this.throwIfFailed();
  }

  /** The hex digest of everything added; the worker then ends. */
  async digest(): Promise<string> {
    this.send();
    this.worker.postMessage(null);
    try {
      return await this.digestSent;
    } finally {
      void this.worker.terminate();
    }
  }

  /** Stops the worker without a digest (the stream failed). */
  discard(): void {
    void this.worker.terminate();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private send(): void {
    const batch = this.current;
    if (!batch || batch.length === 0) return;
    this.worker.postMessage(batch, [batch.buffer]);
    this.inFlight += 1;
    this.current = undefined;
  }
}
