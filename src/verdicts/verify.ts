import type { AuthSettings, BlobSettings } from '../config/config.js';
import type { BlobVerdict } from './blob-check.js';

/** An HTTP answer as the checks saw it (status 0: no answer; the body then says why). */
export interface Answer {
  status: number;
  body: string;
}

/** A Host header no server of ours allows: the verify step's DNS-rebinding check sends it from the laptop. */
export const FOREIGN_HOST = 'dns-rebinding-check.invalid';

/** What the verify step judges with, besides the answers: names for the sentences. */
export interface VerifyContext {
  address: string;
  port: number;
  /** host:port as users reach the server (IPv6 in brackets); with --tls the first name. */
  publicHost: string;
  /** How users reach it (default http). */
  scheme?: 'http' | 'https';
  /** The VM is reached through a jump host: not answering from here may be by design (a private VM). */
  viaJump?: boolean;
  /** --tls: the proxy's mode (acme needs 80 open too). */
  tls?: { mode: string };
  launcherPath: string;
  logPath: string;
  artifactsDir: string;
  auth?: Pick<AuthSettings, 'adminUser' | 'database'>;
  blob?: BlobSettings;
  allowedHosts?: string[];
  /** --metrics: the Prometheus exporter should answer on /metrics. */
  metrics?: boolean;
}

/** Every answer the verify step gathered, from the VM (through forwards) and from this machine. */
export interface VerifyAnswers {
  health: Answer;
  /** An experiments search as the UI sends it: first at the public host, then at each --public-name. */
  searches: Array<Answer & { name: string }>;
  /** --auth basic: the same search without credentials. */
  anonymous?: Answer;
  /** The artifact round trip: the PUT, the GET of what was put (only after a 200), and what was sent. */
  put: Answer;
  got?: Answer;
  payload: string;
  /** /health straight from this machine (the NSG check). */
  fromHere: boolean;
  /** The status a request with FOREIGN_HOST got from this machine (0: no answer). */
  foreignHost: number;
  /** --tls: whether the MLflow port answered plain HTTP from this machine (it must not). */
  plainPortFromHere?: boolean;
  /** --metrics: GET /metrics on the VM. */
  metrics?: Answer;
  /** Blob artifacts whose round trip failed: the Blob access check from the VM (what status checks too). */
  blobCheck?: BlobVerdict;
}

export interface Verdict {
  /** The first failure, one sentence with the fix; undefined when the server is healthy. */
  error?: string;
  warnings: string[];
  summary: string;
}

/** The verify step's verdict: healthy, or the first thing wrong in one sentence; warnings for what only the user can fix. */
export function judgeVerify(ctx: VerifyContext, a: VerifyAnswers): Verdict {
  const error = serverError(ctx, a) ?? artifactError(ctx, a) ?? metricsError(ctx, a);
  if (error) return { error, warnings: [], summary: '' };
  const warnings: string[] = [];
  let direct = 'answers from here';
  const url = `${ctx.scheme ?? 'http'}://${ctx.publicHost}/`;
  if (!a.fromHere) {
    direct = 'not reachable from here';
    const ports = ctx.tls
      ? ctx.tls.mode === 'acme'
        ? 'TCP ports 443 and 80 (the CA checks the name on both)'
        : 'TCP port 443 (and 80 for the redirect)'
      : `TCP port ${ctx.port}`;
    warnings.push(
      ctx.viaJump
        ? `The server is healthy on the VM, but ${url} does not answer from this machine (the VM is reached through a jump host): its users need a route to it (VPN, peering, a proxy on the jump host) and ${ports} open to them.`
        : `The server is healthy on the VM, but ${url} does not answer from this machine: open ${ports} in the VM's network security group (Azure portal > VM > Networking > Add inbound port rule) and any firewall on the way.`,
    );
  } else if (a.foreignHost === 403) {
    direct += ', refuses a foreign Host header';
  } else {
    direct += `, accepts a foreign Host header (HTTP ${a.foreignHost || 'no answer'})`;
    warnings.push(
      `The server answered a request with the Host header "${FOREIGN_HOST}" with HTTP ${a.foreignHost || '(none)'} instead of 403: MLflow's DNS-rebinding protection is off${(ctx.allowedHosts ?? []).includes('*') ? ' (--allowed-hosts *)' : ''}. Leave --allowed-hosts unset, or list only your own names.`,
    );
  }
  if (a.plainPortFromHere) {
    warnings.push(
      `Port ${ctx.port} answers plain HTTP from this machine although MLflow should listen on 127.0.0.1 only behind the proxy: check what listens there (sudo ss -ltnp) and close TCP ${ctx.port} in the VM's network security group.`,
    );
  } else if (a.plainPortFromHere === false) direct += `, port ${ctx.port} closed from here`;
  const names = a.searches.length - 1;
  if (names > 0) direct += `, ${names === 1 ? 'the public name answers' : `all ${names} public names answer`}`;
  const login = ctx.auth ? ` (as ${ctx.auth.adminUser}; 401 without credentials)` : '';
  const https = ctx.tls ? 'https verified, ' : '';
  const metrics = ctx.metrics ? ', /metrics ok' : '';
  return { warnings, summary: `${https}/health ok, experiments search ok${login}, artifact round trip ok${metrics}, ${direct}` };
}

function serverError(ctx: VerifyContext, a: VerifyAnswers): string | undefined {
  if (a.health.status !== 200) return `The server on ${ctx.address} answers /health with HTTP ${a.health.status}.`;
  for (const r of a.searches) {
    if (r.status === 403 && /Cross-origin/i.test(r.body)) {
      return `The server blocks API calls from the UI at ${ctx.scheme ?? 'http'}://${r.name} (403 Cross-origin request blocked): its origin is missing from --cors-allowed-origins in ${ctx.launcherPath}.`;
    }
    if (r.status === 403)
      return `The server rejects the Host header "${r.name}" (403): add it to --allowed-hosts, or leave --allowed-hosts unset for the default.`;
  }
  const [search, ...byName] = a.searches;
  const failedName = byName.find((r) => r.status !== 200);
  if (failedName && search?.status === 200) {
    return `An experiments search as the UI at ${ctx.scheme ?? 'http'}://${failedName.name} sends it failed with HTTP ${failedName.status}; see ${ctx.logPath}.`;
  }
  if (search?.status === 401 && ctx.auth) {
    return (
      `The server refuses the admin credentials (401): user "${ctx.auth.adminUser}" already exists in database "${ctx.auth.database}" with another password. MLflow uses MLFLOW_AUTH_ADMIN_PASSWORD only when it creates the admin: ` +
      'set it back to the password the admin was created with, or change that password in the UI (or with POST /api/2.0/mlflow/users/update-password) first.'
    );
  }
  if (a.anonymous && a.anonymous.status !== 401) {
    return `Basic auth is not in force: a call without credentials got HTTP ${a.anonymous.status}, not 401; see ${ctx.logPath}.`;
  }
  if (search?.status !== 200) {
    return `An experiments search through the server failed with HTTP ${search?.status ?? 0}: the server cannot use its database; see ${ctx.logPath}.`;
  }
  return undefined;
}

/** The artifact PUT, then the GET of the same bytes, both answered 200. */
export function roundTripOk(a: Pick<VerifyAnswers, 'put' | 'got' | 'payload'>): boolean {
  return a.put.status === 200 && a.got?.status === 200 && a.got.body === a.payload;
}

function artifactError(ctx: VerifyContext, a: VerifyAnswers): string | undefined {
  const { put, got } = a;
  if (roundTripOk(a)) return undefined;
  // A wrong key or a missing container: the Blob check's own sentence says which.
  if (a.blobCheck?.cause === 'credential' || a.blobCheck?.cause === 'container') return a.blobCheck.sentence;
  const blob = ctx.blob;
  if (!blob) {
    return `The artifact round trip through the server failed (PUT ${put.status}, GET ${got?.status ?? '-'}): check that ${ctx.artifactsDir} is writable; see ${ctx.logPath}.`;
  }
  const failed = put.status !== 200 || !got ? put : got;
  const check =
    blob.credential.kind === 'managed-identity'
      ? `that the VM's managed identity (--azure-identity) has the role "Storage Blob Data Contributor" on the storage account ${blob.account}`
      : blob.credential.kind === 'connection-string'
        ? 'AZURE_STORAGE_CONNECTION_STRING'
        : 'AZURE_STORAGE_ACCESS_KEY';
  return (
    `The artifact round trip through the server to ${blob.uri} failed (${put.status !== 200 ? 'PUT' : 'GET'} ${failed.status || 'timeout'}: ${mlflowMessage(failed.body).trim().split('\n')[0]!.slice(0, 300)}): ` +
    `check ${check}, that the container ${blob.container} exists in the storage account ${blob.account}, and that the VM reaches ${blob.account}.blob.core.windows.net; see ${ctx.logPath}.`
  );
}

/**
 * --metrics: /metrics must answer Prometheus's text format (a `# TYPE` line). A 404 means the exporter is not
 * active: the launcher lacks --expose-prometheus or its package failed to import.
 */
function metricsError(ctx: VerifyContext, a: VerifyAnswers): string | undefined {
  if (!ctx.metrics || !a.metrics) return undefined;
  if (a.metrics.status === 200 && /^# TYPE /m.test(a.metrics.body)) return undefined;
  const what = a.metrics.status === 200 ? 'HTTP 200 without any Prometheus metric' : `HTTP ${a.metrics.status || 'no answer'}`;
  return `--metrics: /metrics on ${ctx.address} answered ${what}: check that ${ctx.launcherPath} passes --expose-prometheus and that the server's log ${ctx.logPath} shows no import error.`;
}

/** MLflow's JSON error message, or the text as it is. */
function mlflowMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}
