/**
 * The database's connection budget for a fleet: every uvicorn worker of every server has its own SQLAlchemy
 * pool (provision sets MLFLOW_SQLALCHEMYSTORE_POOL_SIZE and _MAX_OVERFLOW, DB_POOL: 2 + 3), and with
 * --auth basic a second one for the auth database (MLflow's auth store builds its engine the same way, same
 * variables). One more connection for a schema migration. It must fit in what Postgres leaves to ordinary
 * users: max_connections minus superuser_reserved_connections (and reserved_connections on 16+); on Azure
 * Database for PostgreSQL at least the 15 Azure keeps for replication and monitoring (its limits page: B1ms
 * 50 connections, 35 for users). Pure.
 */

/** What Azure Database for PostgreSQL flexible server keeps of max_connections for itself. */
export const AZURE_RESERVED_CONNECTIONS = 15;

/** The database is Azure's managed PostgreSQL (its server names end so). */
export function isAzurePostgres(host: string): boolean {
  return /\.postgres\.database\.azure\.com\.?$/i.test(host);
}

/** What the database check read from the server's settings. */
export interface ConnectionLimits {
  maxConnections: number;
  superuserReserved: number;
  /** reserved_connections (PostgreSQL 16+; 0 before). */
  reserved: number;
  /** Azure Database for PostgreSQL: at least AZURE_RESERVED_CONNECTIONS are not for users. */
  azure?: boolean;
}

/** The settings as the database check reads them: text, reserved_connections NULL before PostgreSQL 16. */
export interface LimitsRow {
  max_connections: string;
  superuser_reserved: string;
  reserved: string | null;
}

/** The settings as numbers; undefined when one is no count (nothing to budget against). */
export function connectionLimitsOf(row: LimitsRow): ConnectionLimits | undefined {
  const [m, s, r] = [row.max_connections, row.superuser_reserved, row.reserved ?? '0'].map(Number) as [number, number, number];
  if (![m, s, r].every((n) => Number.isInteger(n) && n >= 0)) return undefined;
  return { maxConnections: m, superuserReserved: s, reserved: r };
}

/** One server of the fleet and the workers it would run. */
export interface BudgetServer {
  host: string;
  workers: number;
}

export interface BudgetInput {
  /** Where the database is, for the sentences (`host:port/database`). */
  database: string;
  limits: ConnectionLimits;
  servers: BudgetServer[];
  /** --auth basic: each worker also pools connections to the auth database (on the same server). */
  auth: boolean;
  pool: { size: number; maxOverflow: number };
}

export type BudgetVerdict =
  | { ok: true; available: number; needed: number; workers: Map<string, number>; reduced: Array<{ host: string; from: number; to: number }> }
  | { ok: false; available: number; needed: number; refusal: string };

/** Connections one worker may hold: its pool and overflow, twice with --auth basic. */
export function connectionsPerWorker(input: Pick<BudgetInput, 'auth' | 'pool'>): number {
  const pool = input.pool.size + input.pool.maxOverflow;
  return input.auth ? 2 * pool : pool;
}

/** The slots of max_connections that are not for ordinary users. */
export function reservedConnections(limits: ConnectionLimits): number {
  const settings = limits.superuserReserved + limits.reserved;
  return limits.azure ? Math.max(settings, AZURE_RESERVED_CONNECTIONS) : settings;
}

/** Connections ordinary users may open: max_connections less the reserved slots. */
export function availableConnections(limits: ConnectionLimits): number {
  return Math.max(0, limits.maxConnections - reservedConnections(limits));
}

/** What the fleet needs with these workers: every worker's pools, plus one connection for a migration. */
export function neededConnections(workers: number[], perWorker: number): number {
  return workers.reduce((sum, w) => sum + w * perWorker, 0) + 1;
}

/**
 * Fits the fleet in the budget: as asked when it fits; else one worker fewer at a time, always from the server
 * with the most (the later one on a tie), until it fits; at one worker each and still too many, refused with
 * the numbers in one sentence.
 */
export function planConnectionBudget(input: BudgetInput): BudgetVerdict {
  const available = availableConnections(input.limits);
  const perWorker = connectionsPerWorker(input);
  const workers = input.servers.map((s) => s.workers);
  const fits = () => neededConnections(workers, perWorker) <= available;
  while (!fits()) {
    const most = Math.max(...workers);
    if (most <= 1) break;
    workers[workers.lastIndexOf(most)] = most - 1;
  }
  const needed = neededConnections(workers, perWorker);
  if (!fits()) return { ok: false, available, needed, refusal: budgetRefusal(input, available, needed, perWorker) };
  const reduced = input.servers.flatMap((s, i) => (workers[i]! < s.workers ? [{ host: s.host, from: s.workers, to: workers[i]! }] : []));
  return { ok: true, available, needed, workers: new Map(input.servers.map((s, i) => [s.host, workers[i]!])), reduced };
}

function budgetRefusal(input: BudgetInput, available: number, needed: number, perWorker: number): string {
  const { limits, pool } = input;
  const n = input.servers.length;
  const reserved = reservedConnections(limits);
  const per = `${pool.size} pooled + ${pool.maxOverflow} overflow${input.auth ? ', twice with --auth basic' : ''}`;
  return (
    `The database ${input.database} allows ${available} connections (max_connections ${limits.maxConnections} less ${reserved} reserved), ` +
    `and ${n} server${n === 1 ? '' : 's'} at 1 worker each need ${needed} (${perWorker} per worker: ${per}; plus 1 for a migration): ` +
    `raise max_connections (on Azure a larger compute tier) or put fewer VMs on this database. Nothing changed.`
  );
}

/** What a server whose workers the budget lowered says in its summary. */
export function workersReducedNote(r: { from: number; to: number }, verdict: { available: number; needed: number }, database: string): string {
  return `${r.to} worker${r.to === 1 ? '' : 's'} instead of ${r.from}: the fleet's servers need ${verdict.needed} of the ${verdict.available} connections ${database} allows`;
}
