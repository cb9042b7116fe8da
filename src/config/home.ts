import { homedir } from 'node:os';

/** `~/x` as the user's home, as OpenSSH and shells read it. */
export function expandHome(p: string): string {
  return p.replace(/^~(?=\/|$)/, homedir());
}
