import { VM_FILES, type VmFile } from '../../render/vm-files.js';
import { shq } from '../../util/shell-quote.js';

/**
 * One fact of a probe, pyinfra-style: the shell fragment that prints it and the readers of what it prints,
 * side by side. A probe script is its parts in order, between a prelude and the `probe_done=1` line.
 *
 * Fragments are POSIX shell run by bash on the VM; they read and never write. Each prints `key=value` lines
 * (one key belongs to one part) and may leave shell variables for the parts after it: those are named in
 * its `sets`, and a part that reads one says so in its comment.
 */
export interface ProbePart<T, I> {
  name: string;
  /** The shell fragment. */
  script(input: I): string;
  /** One reader per key this part prints: `value` trimmed, `raw` exactly as printed. */
  keys: Readonly<Record<string, (into: T, value: string, raw: string) => void>>;
  /** Reads a line that is not `key=value` (e.g. sha256sum's `HASH  PATH`); true when it took the line. Tried before the keys. */
  line?(into: T, line: string): boolean;
  /** Shell variables this fragment leaves for later parts. */
  sets?: readonly string[];
}

/** The last line of every probe: without it the output was cut short. */
export const PROBE_DONE = 'probe_done';

/**
 * A file of `VM_FILES` as a shell word on the VM, `"$HOME/name"`: the home is known only there. Inside double
 * quotes a name is safe when the quoting helper would leave it bare (every name of the table is such a word).
 */
export function homeFile(file: VmFile): string {
  const name = VM_FILES[file];
  if (shq(name) !== name) throw new Error(`the VM file name ${JSON.stringify(name)} is not a plain shell word`);
  return `"$HOME/${name}"`;
}

/** Set before every part: errors are answers, not the end of the probe; `V` is the venv. */
const PRELUDE = `set +e\nV=${homeFile('venv')}`;

/** The parts' fragments in order, then `probe_done=1`. */
export function composeProbeScript<I>(parts: ReadonlyArray<Pick<ProbePart<unknown, I>, 'script'>>, input: I): string {
  return `\n${[PRELUDE, ...parts.map((p) => p.script(input).trim()), `echo ${PROBE_DONE}=1`].join('\n')}\n`;
}

/**
 * Hands every line of a probe's output to the part that printed it, in order (lists keep the VM's order);
 * lines of other parts are skipped. True when the output holds the `probe_done` line.
 */
export function readProbeOutput<T>(text: string, parts: ReadonlyArray<Pick<ProbePart<T, never>, 'keys' | 'line'>>, into: T): boolean {
  const readers = new Map<string, (into: T, value: string, raw: string) => void>();
  for (const part of parts) for (const [key, read] of Object.entries(part.keys)) readers.set(key, read);
  const lineReaders = parts.filter((p) => p.line);
  let done = false;
  for (const line of text.split('\n')) {
    if (lineReaders.some((p) => p.line!(into, line))) continue;
    const i = line.indexOf('=');
    if (i < 0) continue;
    const key = line.slice(0, i);
    const raw = line.slice(i + 1);
    if (key === PROBE_DONE) done = true;
    else readers.get(key)?.(into, raw.trim(), raw);
  }
  return done;
}
