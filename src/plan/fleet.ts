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

/** What `provision status` read on one VM that its fleet must share. No secret: the key only as a hash, never shown. */
export interface FleetMemberFacts {
  host: string;
  /** The server's backend store (undefined: not provisioned, or not PostgreSQL). */
  database?: DatabaseRef;
  /** --artifacts-destination's URI, else undefined: artifacts on the VM's disk. */
  artifacts?: string;
  /** SHA-256 of MLFLOW_FLASK_SERVER_SECRET_KEY (only compared, never shown); undefined: no key. */
  keyHash?: string;
  /** The MLflow version the server runs, else the installed one. */
  mlflowVersion?: string;
}

/** The fleet's verdict: its database, its members, and what they do not share (empty: all shared). */
export interface FleetVerdict {
  database: string;
  hosts: string[];
  /** Blob container the fleet shares (`container@account`), when it does. */
  container?: string;
  sameSecretKey: boolean | null;
  mlflowVersion?: string;
  problems: string[];
}

/** `wasbs://container@account.blob.core.windows.net/...` as `container@account` (undefined: not Blob). */
function blobContainer(uri: string | undefined): string | undefined {
  const m = uri === undefined ? null : /^wasbs:\/\/([^@/]+)@([^./]+)\.blob\./i.exec(uri);
  return m ? `${m[1]}@${m[2]}` : undefined;
}

/** Each value and the hosts that have it, in the hosts' order ("none" for undefined). */
function byValue(members: FleetMemberFacts[], of: (m: FleetMemberFacts) => string | undefined): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const m of members) {
    const v = of(m) ?? 'none';
    groups.set(v, [...(groups.get(v) ?? []), m.host]);
  }
  return groups;
}

const listing = (groups: Map<string, string[]>, show: (v: string) => string) => [...groups].map(([v, hosts]) => `${show(v)} on ${hosts.join(', ')}`).join('; ');

/**
 * `status --hosts-file`: for each fleet of 2+ VMs (the VMs whose servers use one database), whether they share
 * what a fleet must: one Blob container, one basic-auth session key (compared by hash; no key counts as a
 * difference when another VM has one), one MLflow version. One sentence per difference.
 */
export function fleetVerdicts(members: FleetMemberFacts[]): FleetVerdict[] {
  const known = members.filter((m): m is FleetMemberFacts & { database: DatabaseRef } => m.database !== undefined);
  return fleetsOf(known, (m) => m.database)
    .filter((f) => f.members.length > 1)
    .map(({ database, members: ms }) => {
      const problems: string[] = [];
      const containers = byValue(ms, (m) => blobContainer(m.artifacts));
      const container = containers.size === 1 ? [...containers.keys()][0] : undefined;
      if (container === 'none')
        problems.push(
          `The VMs keep artifacts on their own disks: runs logged through one VM have their artifacts on that VM only; rerun provision with --artifacts-destination wasbs://... (Azure Blob).`,
        );
      else if (containers.size > 1)
        problems.push(
          `The VMs use different artifact stores (${listing(containers, (v) => (v === 'none' ? 'the VM disk' : `Blob ${v}`))}): rerun provision with one --artifacts-destination for all.`,
        );
      const keys = byValue(ms, (m) => m.keyHash);
      const anyKey = ms.some((m) => m.keyHash !== undefined);
      const sameSecretKey = anyKey ? keys.size === 1 : null;
      if (sameSecretKey === false) {
        const groups = [...keys.values()].map((hosts) => hosts.join(', '));
        problems.push(
          `The basic-auth session keys differ (${groups.map((g, i) => `key ${i + 1} on ${g}`).join('; ')}): a login made through one VM is refused by another; rerun provision on the fleet to give every VM the first VM's key.`,
        );
      }
      const versions = byValue(ms, (m) => m.mlflowVersion);
      if (versions.size > 1)
        problems.push(
          `The VMs run different MLflow versions (${listing(versions, (v) => v)}): mixed versions on one database are not supported; rerun provision with one --mlflow-version.`,
        );
      const version = versions.size === 1 ? [...versions.keys()][0] : undefined;
      return {
        database,
        hosts: ms.map((m) => m.host),
        ...(container && container !== 'none' ? { container } : {}),
        sameSecretKey,
        ...(version && version !== 'none' ? { mlflowVersion: version } : {}),
        problems,
      };
    });
}
