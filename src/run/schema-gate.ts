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
}
