import { parseWasbsUri } from '../config/validate.js';
import { blobCheckCommand } from '../plan/blob-check.js';
import type { RemoteLayout } from '../render/server-files.js';
import { errorMessage, Interrupted } from '../util/errors.js';
import type { Secret } from '../util/secret.js';
import { judgeBlobCheck, parseBlobCheck, type BlobCheckContext, type BlobVerdict } from '../verdicts/blob-check.js';
import type { HostSession } from './session.js';

/** Blob access as `status` reports it: the destination, and the check's verdict in one sentence. */
export interface BlobStatus {
  uri: string;
  ok: boolean;
  detail: string;
}

/**
 * What the VM's files say of Blob: the launcher's wasbs:// destination and the credential the secrets file holds
 * (neither key nor connection string: the managed identity). Undefined when the artifacts are not in Blob.
 */
export function blobContextOfFiles(launcherDestination: string | undefined, secrets: Map<string, Secret>, secretsPath: string): BlobCheckContext | undefined {
  if (!launcherDestination?.startsWith('wasbs://')) return undefined;
  let dest;
  try {
    dest = parseWasbsUri(launcherDestination);
  } catch {
    return undefined;
  }
  const credential = secrets.has('AZURE_STORAGE_CONNECTION_STRING')
    ? 'connection-string'
    : secrets.has('AZURE_STORAGE_ACCESS_KEY')
      ? 'access-key'
      : 'managed-identity';
  return { dest, credential, secretsPath };
}

/** Runs the Blob access check on the VM (the server's credential, the venv's SDK) and judges its answer. */
export async function checkBlobAccess(session: HostSession, layout: RemoteLayout, ctx: BlobCheckContext): Promise<BlobVerdict> {
  const result = await session.read(blobCheckCommand(layout, ctx.dest)).catch((err: unknown) => {
    if (err instanceof Interrupted || session.interrupted) throw err;
    return { code: -1, stdout: '', stderr: errorMessage(err) };
  });
  return judgeBlobCheck(parseBlobCheck(result), ctx);
}
