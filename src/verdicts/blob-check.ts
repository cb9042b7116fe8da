import type { BlobDestination } from '../config/validate.js';

/** The prefix of the check's one answer line (plan/blob-check.ts prints it). */
const PREFIX = 'blob_check=';

/** What the Blob access check on the VM answered; every text as the VM sent it (untrusted, shown by the renderers). */
export type BlobCheckAnswer =
  | { outcome: 'ok'; endpoint: string }
  /** Blob Storage answered with an error: its HTTP status and error code (AuthenticationFailed, ContainerNotFound, ...). */
  | { outcome: 'http'; status: number; code: string; endpoint: string; message: string }
  /** No HTTP answer: a connection, name or credential error, by its Python exception name. */
  | { outcome: 'error'; error: string; endpoint: string; message: string }
  /** No answer line at all (the command failed, e.g. no venv). */
  | { outcome: 'none'; message: string };

/** How the server authenticates to the storage account (as the secrets file says). */
export type BlobCredentialKind = 'connection-string' | 'access-key' | 'managed-identity';

export interface BlobCheckContext {
  dest: Pick<BlobDestination, 'uri' | 'container' | 'account'>;
  credential: BlobCredentialKind;
  /** The secrets file that holds the credential, for the sentence. */
  secretsPath: string;
}

export interface BlobVerdict {
  ok: boolean;
  /** What went wrong; `credential` and `container` are told apart from the rest (verify says them instead of its own). */
  cause: 'ok' | 'credential' | 'container' | 'unreachable' | 'other';
  /** One sentence: what was found, or what is wrong and what to do. */
  sentence: string;
}

const text = (v: unknown, max = 300): string => (typeof v === 'string' ? v.slice(0, max) : '');

/** The check's answer from its output: the last `blob_check=` line, parsed as JSON with its fields checked. */
export function parseBlobCheck(result: { code: number; stdout: string; stderr: string }): BlobCheckAnswer {
  const line = result.stdout
    .split('\n')
    .filter((l) => l.startsWith(PREFIX))
    .pop();
  let a: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = line ? JSON.parse(line.slice(PREFIX.length)) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) a = parsed as Record<string, unknown>;
  } catch {
    a = undefined;
  }
  const endpoint = text(a?.endpoint);
  if (a?.outcome === 'ok') return { outcome: 'ok', endpoint };
  if (a?.outcome === 'http' && typeof a.status === 'number' && Number.isInteger(a.status)) {
    return { outcome: 'http', status: a.status, code: text(a.code, 100), endpoint, message: text(a.message) };
  }
  if (a?.outcome === 'error') return { outcome: 'error', error: text(a.error, 100), endpoint, message: text(a.message) };
  const last = result.stderr.trim().split('\n').pop()?.slice(0, 300) ?? '';
  return { outcome: 'none', message: last || `exit ${result.code}, no answer line` };
}

const CREDENTIAL_NAME: Record<BlobCredentialKind, string> = {
  'connection-string': 'AZURE_STORAGE_CONNECTION_STRING',
  'access-key': 'AZURE_STORAGE_ACCESS_KEY',
  'managed-identity': "the VM's managed identity (--azure-identity)",
};

/** The check's answer judged: one sentence, with the fix when something is wrong. */
export function judgeBlobCheck(a: BlobCheckAnswer, ctx: BlobCheckContext): BlobVerdict {
  const { container, account, uri } = ctx.dest;
  const cred = CREDENTIAL_NAME[ctx.credential];
  const at = 'endpoint' in a && a.endpoint ? ` at ${a.endpoint}` : '';
  if (a.outcome === 'ok') return { ok: true, cause: 'ok', sentence: `the container ${container} answers${at} with ${cred}` };
  if (a.outcome === 'none') {
    return {
      ok: false,
      cause: 'other',
      sentence: `The Blob access check on the VM gave no answer (${a.message}): rerun provision to repair the venv's azure-storage-blob.`,
    };
  }
  if (a.outcome === 'error') {
    return {
      ok: false,
      cause: 'unreachable',
      sentence: `Blob Storage for ${uri} does not answer from the VM (${a.error}${a.message ? `: ${a.message}` : ''}): check ${cred}, and that the VM reaches ${a.endpoint || `https://${account}.blob.core.windows.net`} (DNS, firewall, private endpoint).`,
    };
  }
  const answered = `${a.status}${a.code ? ` ${a.code}` : ''}`;
  if (a.status === 404 && a.code === 'ContainerNotFound') {
    return {
      ok: false,
      cause: 'container',
      sentence: `The container ${container} does not exist in the storage account ${account} (404 ContainerNotFound${at}): create it (az storage container create --name ${container} --account-name ${account}); MLflow does not create it.`,
    };
  }
  // A wrong key: Azure's code AuthenticationFailed. Its message is the service's own test: Azurite (3.37) says the
  // same words with the code AuthorizationFailure, which Azure gives a network rule's refusal with other words.
  if (a.status === 403 && (a.code === 'AuthenticationFailed' || /^Server failed to authenticate the request/.test(a.message))) {
    return {
      ok: false,
      cause: 'credential',
      sentence: `The storage account ${account} refuses the server's key (403 ${a.code}${at}): ${cred} in ${ctx.secretsPath} is not a current key of ${account}; set it from the storage account's Access keys and rerun provision.`,
    };
  }
  if (a.status === 403 && ctx.credential === 'managed-identity') {
    return {
      ok: false,
      cause: 'credential',
      sentence: `The VM's managed identity may not list the container ${container} (403 ${a.code || 'Forbidden'}${at}): give it the role "Storage Blob Data Contributor" on the storage account ${account}.`,
    };
  }
  return {
    ok: false,
    cause: 'other',
    sentence: `Blob Storage answers a listing of the container ${container} with HTTP ${answered}${at}${a.message ? ` (${a.message})` : ''}: check ${cred} and the storage account's network rules.`,
  };
}
