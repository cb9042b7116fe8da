import { UsageError } from '../util/errors.js';
import { given, isOn, type Settings } from './settings.js';
import type { BlobSettings } from './types.js';
import { parseWasbsUri } from './validate.js';

/**
 * --artifacts-destination wasbs://... and its credential: the managed identity, a connection string (for the
 * same account) or an access key, each one line; none is a usage error that says how to give one.
 */
export function blobSettings(settings: Settings, warnings: string[]): BlobSettings | undefined {
  const uri = given(settings, 'artifacts-destination');
  const identity = isOn(settings, 'azure-identity');
  const connectionString = given(settings, 'azure-storage-connection-string');
  const accessKey = given(settings, 'azure-storage-access-key');
  if (uri === undefined) {
    if (identity) throw new UsageError('--azure-identity goes with --artifacts-destination wasbs://...: it is how the server reaches Blob Storage.');
    return undefined;
  }
  const dest = parseWasbsUri(uri);
  if (identity) {
    if (connectionString || accessKey) {
      warnings.push(
        '--azure-identity: the storage key or connection string in the environment is not written to the VM; the server uses its managed identity.',
      );
    }
    return { ...dest, credential: { kind: 'managed-identity' } };
  }
  for (const [variable, secret] of [
    ['AZURE_STORAGE_CONNECTION_STRING', connectionString],
    ['AZURE_STORAGE_ACCESS_KEY', accessKey],
  ] as const) {
    if (secret?.matches(/[\0\r\n]/)) {
      throw new UsageError(`${variable} contains a line break or NUL character, which the secrets file on the VM cannot hold: give it on one line.`);
    }
  }
  if (connectionString && !connectionString.isEmpty) {
    const name = /(?:^|;)\s*AccountName=([^;]+)/i.exec(connectionString.reveal())?.[1]?.trim();
    if (name && name.toLowerCase() !== dest.account) {
      throw new UsageError(
        `AZURE_STORAGE_CONNECTION_STRING is for the storage account "${name}", but --artifacts-destination names "${dest.account}": MLflow would use the connection string's account.`,
      );
    }
    return { ...dest, credential: { kind: 'connection-string', value: connectionString } };
  }
  if (accessKey && !accessKey.isEmpty) return { ...dest, credential: { kind: 'access-key', value: accessKey } };
  throw new UsageError(
    '--artifacts-destination wasbs://... needs a storage credential: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCESS_KEY in the environment or .env, ' +
      "or use --azure-identity for the VM's managed identity (or run in a terminal to be asked for the access key).",
  );
}
