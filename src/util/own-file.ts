import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync } from 'node:fs';

/** A file provision writes on this machine (a host's log, the CA root beside it): its name in messages, its mode. */
export interface OwnFile {
  /** How messages name it: "log file", "CA root file". */
  what: string;
  /** "logs" for "provision does not write logs through links"; empty for "does not write through links". */
  writes: string;
  mode: number;
  /** The error a refusal is (its class gives the exit code). */
  refuse: (message: string) => Error;
}

/**
 * Opens one of our files for writing, emptied, with exactly `file.mode` whatever was there: never through a
 * symbolic link (O_NOFOLLOW: a link planted at its name could point the write at any file the user may write),
 * only a regular file (O_NONBLOCK: a planted FIFO fails at once instead of waiting for a reader), and emptied
 * only after those checks. An existing file's wider mode is narrowed, since open() keeps the mode of a file it did
 * not create.
 */
export function openOwnFile(path: string, file: OwnFile): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, file.mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw file.refuse(
        `The ${file.what} ${path} is a symbolic link; provision does not write ${file.writes ? `${file.writes} ` : ''}through links: remove it or choose another --log-dir.`,
      );
    throw file.refuse(`Cannot write the ${file.what} ${path} (${code ?? 'error'}): choose a writable --log-dir.`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw file.refuse(`The ${file.what} ${path} is not a regular file: remove it or choose another --log-dir.`);
    fchmodSync(fd, file.mode);
    ftruncateSync(fd, 0);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}
