import { newFlaskSecretKey } from '../plan/desired.js';
import { isAzurePostgres, planConnectionBudget, workersReducedNote, type BudgetVerdict, type ConnectionLimits } from '../plan/fleet-budget.js';
import { periodicTasksElsewhere, periodicTasksHost, type Fleet } from '../plan/fleet.js';
import { provisionRollStoppedSentence } from '../plan/rolling.js';
import { DB_POOL } from '../render/server-files.js';
import { StepError } from '../util/errors.js';
import type { Secret } from '../util/secret.js';
import { RestartTurns } from './rolling.js';

/** What one host brings to its fleet once probed: its basic-auth key (if any), its workers, the database's limits. */
export interface FleetOffer {
  flaskKey?: Secret;
  workers: number;
  /** From this host's database check (undefined when it failed: that host's database step says why). */
  limits?: ConnectionLimits;
}

/** What the fleet decided for one host. */
export interface FleetShare {
  /** --auth basic: the fleet's one session key. */
  flaskKey?: Secret;
  workers: number;
  /** false: the job runner's periodic tasks run on another VM of the fleet. */
  periodicTasks?: false;
  /** What this host says in its summary (a replaced key, fewer workers, no periodic tasks). */
  notes: string[];
}

/** The fleet's settings the decisions depend on. */
export interface FleetSettings {
  auth: boolean;
  jobRunner: boolean;
  /** The database server's host name (Azure's keeps connections for itself). */
  databaseHost: string;
  /** --workers (else each VM's memory decides: at most 4). */
  workers?: number;
}

/** The most workers a VM gets without --workers (autoWorkers). */
const MOST_AUTO_WORKERS = 4;

/**
 * The shared place of one fleet in a run, like the schema gate: every host of the fleet offers what its probe
 * found, and waits until every host whose run is in progress has offered (or ended); then the fleet decides
 * once, for all: one basic-auth key (the first VM's in the hosts file's order that has one, else a new one),
 * the workers that fit the database's connections, the one VM with the periodic tasks. A host started later
 * (--concurrency) gets the decision made: the budget counted it at --workers, else at the most a VM gets.
 */
export class FleetGate {
  private readonly inFlight = new Set<string>();
  private readonly offers = new Map<string, FleetOffer>();
  private waiters: Array<() => void> = [];
  private decision?: { key?: Secret; keeper?: string; budget?: BudgetVerdict };
  /** The fleet's server restarts, one VM at a time (run/rolling.ts). */
  readonly restartTurns = new RestartTurns(provisionRollStoppedSentence);

  constructor(
    readonly fleet: Fleet<string>,
    private readonly settings: FleetSettings,
  ) {}

  /** A host's run began: the fleet's decision waits for its offer, or its end. */
  join(host: string): void {
    this.inFlight.add(host);
  }

  /** A host's run ended (done or failed before offering): nothing of it to wait for. */
  leave(host: string): void {
    this.inFlight.delete(host);
    this.wake();
  }

  /** This host's offer; resolves with the fleet's decision for it, or throws the budget's refusal. */
  async share(host: string, offer: FleetOffer): Promise<FleetShare> {
    this.offers.set(host, offer);
    this.wake();
    if (!this.decision && !this.allOffered()) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.decision ??= this.decide();
    return this.shareFor(host, offer, this.decision);
  }

  private allOffered(): boolean {
    return [...this.inFlight].every((h) => this.offers.has(h));
  }

  private wake(): void {
    if (!this.allOffered()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private decide(): NonNullable<FleetGate['decision']> {
    const members = this.fleet.members;
    const holder = members.find((h) => this.offers.get(h)?.flaskKey !== undefined);
    const key = this.settings.auth ? (holder ? this.offers.get(holder)!.flaskKey : newFlaskSecretKey()) : undefined;
    const limits = members.map((h) => this.offers.get(h)?.limits).find((l) => l !== undefined);
    const budget = limits
      ? planConnectionBudget({
          database: this.fleet.database,
          limits: { ...limits, azure: isAzurePostgres(this.settings.databaseHost) },
          // Hosts not probed yet count at --workers, else at the most a VM would get: never too few.
          servers: members.map((h) => ({ host: h, workers: this.offers.get(h)?.workers ?? this.settings.workers ?? MOST_AUTO_WORKERS })),
          auth: this.settings.auth,
          pool: DB_POOL,
        })
      : undefined;
    return { ...(key ? { key } : {}), ...(holder ? { keeper: holder } : {}), ...(budget ? { budget } : {}) };
  }

  private shareFor(host: string, offer: FleetOffer, decision: NonNullable<FleetGate['decision']>): FleetShare {
    const { budget, key } = decision;
    if (budget && !budget.ok) throw new StepError(budget.refusal);
    const notes: string[] = [];
    if (key && offer.flaskKey && offer.flaskKey.sha256() !== key.sha256()) {
      notes.push(
        `--auth basic: this VM's session key differs from ${decision.keeper ? `${decision.keeper}'s` : 'the one made for the fleet'}, the fleet's one key: it is replaced, so users logged in through this VM log in again (their sessions reset)`,
      );
    }
    const allotted = budget?.workers.get(host) ?? offer.workers;
    const workers = Math.min(offer.workers, allotted);
    if (budget && workers < offer.workers) notes.push(workersReducedNote({ from: offer.workers, to: workers }, budget, this.fleet.database));
    const keeper = periodicTasksHost(this.fleet);
    const elsewhere = this.settings.jobRunner && keeper !== undefined && keeper !== host;
    if (elsewhere) notes.push(periodicTasksElsewhere(keeper));
    return { ...(key ? { flaskKey: key } : {}), workers, ...(elsewhere ? { periodicTasks: false as const } : {}), notes };
  }
}
