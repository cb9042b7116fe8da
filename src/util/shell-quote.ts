/**
 * The one quoting helper for every value that reaches a remote shell. POSIX single quotes: nothing inside
 * is special; a single quote is written as '\'' . A NUL cannot be part of a shell word (a command line ends
 * at it), so a value holding one is refused: the validators keep user input from getting here with one.
 */
export function shq(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new Error('a shell word cannot hold a NUL character');
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Joins tokens into a command line, quoting each one. Use `raw()` for operators such as `&&` or `>`. */
export function cmd(...tokens: Array<string | number | RawToken>): string {
  return tokens.map((t) => (t instanceof RawToken ? t.text : shq(t))).join(' ');
}

export class RawToken {
  constructor(readonly text: string) {}
}

export function raw(text: string): RawToken {
  return new RawToken(text);
}
