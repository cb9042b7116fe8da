/**
 * MLflow's schema creation races when several servers start at once on a fresh database (one dies with
 * "Error initializing backend store"). In a batch sharing one database, the first host that must start a
 * server on a database without MLflow's schema goes alone; the others wait until its server has answered a
 * database-touching call, then start freely. If the first one fails, the next waiting host takes its turn.
 */
export class SchemaGate {
  private ready = false;
  private queue: Array<() => void> = [];
  private locked = false;

  private async acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.locked = false;
  }

  /** `needed`: this host's database check found no MLflow schema yet. `onWait` is told once when it queues. */
  async around<T>(needed: boolean, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    if (!needed || this.ready) return fn();
    if (this.locked) onWait?.();
    await this.acquire();
    if (this.ready) {
      this.release();
      return fn();
    }
    try {
      const result = await fn();
      this.ready = true;
      return result;
    } finally {
      this.release();
    }
  }

  private upgrades: Promise<unknown> = Promise.resolve();

  /**
   * One schema migration at a time on this database: hosts of a batch that all find the schema out of date
   * take turns (the first migrates; for the others `mlflow db upgrade` finds nothing left to do).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.upgrades.then(fn, fn);
    this.upgrades = run.catch(() => undefined);
    return run;
  }

  // --- a coordinated version change: every server on the database stopped, the schema migrated once ---------

  /** Hosts of the batch whose run is in progress, and where each stands on a version change. */
  private readonly inFlight = new Set<string>();
  private readonly stopped = new Set<string>();
  private readonly settled = new Set<string>();
  private waiters: Array<() => void> = [];
  private migration?: Promise<unknown>;
  /** The backup taken before this database's schema upgrade, by the host that migrated (for the others to name). */
  upgradeBackup?: { host: string; folder: string };

  /** A host's run began: until it stops its server, settles or leaves, a version change waits for it. */
  join(host: string): void {
    this.inFlight.add(host);
  }

  /** A host's run ended (done or failed): nothing of it to wait for. */
  leave(host: string): void {
    this.inFlight.delete(host);
    this.wake();
  }

  /** A host reached its server step without changing MLflow's version: its server is no older version. */
  settle(host: string): void {
    this.settled.add(host);
    this.wake();
  }

  private wake(): void {
    if (!this.everyServerStopped()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private everyServerStopped(): boolean {
    return [...this.inFlight].every((h) => this.stopped.has(h) || this.settled.has(h));
  }

  /**
   * MLflow asks for a coordinated upgrade: stop every writer, migrate the schema once, then start the new
   * version (mixed versions on one database are not supported). A host whose server changes version stops it,
   * waits until no other host of the batch may still run an older server on the database, and the first one
   * there runs `migrate`; the others wait for that one migration.
   */
  async versionChange(host: string, stop: () => Promise<unknown>, migrate: () => Promise<unknown>, onWait?: () => void): Promise<'migrated' | 'waited'> {
    await stop();
    this.stopped.add(host);
    this.wake();
    if (!this.everyServerStopped()) {
      onWait?.();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const first = this.migration === undefined;
    this.migration ??= migrate();
    await this.migration;
    return first ? 'migrated' : 'waited';
  }
}
