/**
 * The VMs of a run that share a database are a fleet: same host, port and database (after hosts-file
 * overrides). MLflow's servers on one database must share more than it: the artifacts (Blob), the basic-auth
 * session key, the job runner's periodic tasks (one instance), and the database's connections. Pure.
 */

/** Where a server's database is, as far as "the same database" goes. */
export interface DatabaseRef {
  host: string;
  port: number;
  database: string;
}

/** One fleet: its database (`host:port/database`) and its members in the order given (the hosts file's). */
export interface Fleet<T> {
  database: string;
  members: T[];
}

/** `host:port/database`, the host case-folded (DNS names are case-insensitive; database names are not). */
export function databaseKey(db: DatabaseRef): string {
  return `${db.host.toLowerCase()}:${db.port}/${db.database}`;
}

/**
 * The fleets of a run: its items grouped by the database each uses, every group in the items' order, the
 * groups in the order of their first member. A single VM is a fleet of one.
 */
export function fleetsOf<T>(items: readonly T[], dbOf: (item: T) => DatabaseRef): Array<Fleet<T>> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = databaseKey(dbOf(item));
    const members = groups.get(key);
    if (members) members.push(item);
    else groups.set(key, [item]);
  }
  return [...groups].map(([database, members]) => ({ database, members }));
}

/**
 * Artifacts must be shared: a fleet of 2+ VMs keeping artifacts on their own disks would split them (a run
 * logged through one VM has its artifacts on that VM only). One sentence, or undefined when the rule holds.
 */
export function sharedArtifactsRefusal(fleet: Fleet<unknown>, blob: boolean): string | undefined {
  if (blob || fleet.members.length < 2) return undefined;
  return (
    `${fleet.members.length} VMs share the database ${fleet.database}, so they must share their artifacts too, and VM-disk artifacts would split them ` +
    '(a run logged through one VM would have its artifacts on that VM only): put artifacts in Azure Blob with --artifacts-destination wasbs://CONTAINER@ACCOUNT.blob.core.windows.net/PATH. Nothing changed.'
  );
}

/**
 * --job-runner: MLflow's periodic tasks belong on one instance of a fleet (MLFLOW_SERVER_JOB_ENABLE_PERIODIC_TASKS,
 * "enable this on only one instance to avoid duplicate scheduling"): the fleet's first member in the given order.
 */
export function periodicTasksHost<T>(fleet: Fleet<T>): T | undefined {
  return fleet.members[0];
}

/** What a member of a fleet without the periodic tasks says in its summary. */
export function periodicTasksElsewhere(keeper: string): string {
  return `--job-runner: the job runner's periodic tasks run on ${keeper} only (the first VM of the fleet); this server runs jobs without them`;
}
