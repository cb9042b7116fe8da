/**
 * provision's record on the VM (`~/.mlflow-provision.json`, mode 0600, written by the files step): what a run
 * created there that the server's files do not say in a form to trust. `remove --purge-artifacts` deletes the
 * artifacts folder only when this record says provision created it, and never parses the launcher for it.
 * The record is VM data all the same (anyone with the VM account can edit it): whatever it names still
 * passes the artifacts rules on the VM before anything is deleted.
 */

/** The record's format; a record of another version is not read (a purge then refuses). */
export const RECORD_VERSION = 1;

export interface ProvisionRecord {
  /** The artifacts folder as provision was given it (absolute); undefined when artifacts leave the VM (Blob). */
  artifactsDir?: string;
  /** provision made the folder (it did not exist when the run that first used it started). */
  artifactsDirCreated: boolean;
}

/** The record's bytes: the same record gives the same bytes, so a rerun does not rewrite it. */
export function renderRecord(record: ProvisionRecord): string {
  const body = {
    version: RECORD_VERSION,
    writtenBy: 'provision (mlflow-provision); remove --purge-artifacts reads it',
    artifactsDir: record.artifactsDir ?? null,
    artifactsDirCreated: record.artifactsDir !== undefined && record.artifactsDirCreated,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/**
 * A record read back from the VM, or why it is not one this version reads. Untrusted text: anything but
 * the exact shape (an absolute path without control characters, a boolean) is refused, never guessed at.
 */
export function parseRecord(text: string): ProvisionRecord | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'it is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'it is not a JSON object' };
  const v = value as Record<string, unknown>;
  if (v.version !== RECORD_VERSION) return { problem: `its version is ${JSON.stringify(v.version ?? null)}, not ${RECORD_VERSION}` };
  if (typeof v.artifactsDirCreated !== 'boolean') return { problem: 'artifactsDirCreated is not true or false' };
  if (v.artifactsDir === null) return { artifactsDirCreated: false };
  const dir = v.artifactsDir;
  // eslint-disable-next-line no-control-regex
  if (typeof dir !== 'string' || !dir.startsWith('/') || /[\u0000-\u001f\u007f]/.test(dir)) {
    return { problem: 'artifactsDir is not an absolute path' };
  }
  return { artifactsDir: dir, artifactsDirCreated: v.artifactsDirCreated };
}
