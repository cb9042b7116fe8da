/**
 * Characters a terminal acts on instead of showing, or that reorder or hide what it shows: every control
 * character (C0 but TAB, DEL, C1: ESC starts a window-title or clipboard sequence, CR and BS overwrite a line,
 * BEL rings), every format character (bidi embeddings, overrides and isolates U+202A-U+202E, U+2066-U+2069,
 * the marks U+200E, U+200F, U+061C, zero-width characters, BOM) and the line and paragraph separators.
 * TAB stays: it moves the cursor right, nothing more.
 */
const UNTRUSTED = /(?![\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** The same, but a line break stays (a text of several lines). */
const UNTRUSTED_BUT_NEWLINE = /(?![\t\n])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** One character as JavaScript would spell it: `\x1b` up to U+00FF, `\u202e` above, `\u{e0001}` past U+FFFF. */
function escape(c: string): string {
  const code = c.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * Text from somewhere we do not control (a VM's log, command output, error text), made safe for a terminal
 * and a log file: every character above becomes its JavaScript escape (ESC is shown as `\x1b`, U+202E as
 * `\u202e`), so the user sees what was sent instead of the terminal obeying it. Printable text, non-Latin
 * letters and emoji included, is unchanged; a backslash stays a backslash, so a literal `\x1b` in the text
 * reads the same as an escaped ESC (the text is shown, not decoded). A line break is shown as `\x0a` too: a line
 * from the VM stays one line. Applying it twice changes nothing.
 */
export function showUntrusted(text: string): string {
  return text.replace(UNTRUSTED, escape);
}

/** showUntrusted for a text of several lines (an error message, a stack): the line breaks stay. */
export function showUntrustedLines(text: string): string {
  return text.replace(UNTRUSTED_BUT_NEWLINE, escape);
}

/**
 * JSON.stringify, with the characters above also escaped as `\uXXXX` (JSON.stringify escapes only C0, `"` and
 * `\`, and leaves U+202E or a C1 control raw): the same value for a parser, harmless on a terminal. For `--json`
 * output, which keeps the VM's text as it came, escaped.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNTRUSTED, (c) =>
    [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}
