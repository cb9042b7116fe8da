import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { patternsMatch } from './known-hosts.js';

export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
}

interface Block {
  patterns: string[];
  options: Array<[string, string]>;
}

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [{ patterns: ['*'], options: [] }];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim().replace(/^"(.*)"$/, '$1');
    if (key === 'host') blocks.push({ patterns: value.split(/\s+/), options: [] });
    // `Match` conditions would need to run commands; such blocks are not applied.
    else if (key === 'match') blocks.push({ patterns: [], options: [] });
    else blocks[blocks.length - 1]!.options.push([key, value]);
  }
  return blocks;
}

function blockApplies(block: Block, alias: string): boolean {
  if (block.patterns.length === 0) return false;
  return patternsMatch(block.patterns.join(','), alias);
}

function expandPath(p: string, alias: string, hostName: string, user: string | undefined): string {
  return p
    .replace(/^~(?=\/|$)/, homedir())
    .replace(/%d/g, homedir())
    .replace(/%h/g, hostName)
    .replace(/%n/g, alias)
    .replace(/%r/g, user ?? '')
    .replace(/%%/g, '%');
}

/** OpenSSH semantics: for each option the first value found wins; IdentityFile accumulates. */
export function lookupSshConfig(text: string, alias: string): SshConfigHost {
  const result: SshConfigHost = { identityFiles: [] };
  const rawIdentities: string[] = [];
  for (const block of parseBlocks(text)) {
    if (!blockApplies(block, alias)) continue;
    for (const [key, value] of block.options) {
      if (key === 'hostname' && result.hostName === undefined) result.hostName = value;
      else if (key === 'user' && result.user === undefined) result.user = value;
      else if (key === 'port' && result.port === undefined) result.port = Number(value);
      else if (key === 'identityfile') rawIdentities.push(value);
    }
  }
  if (result.hostName) result.hostName = result.hostName.replace(/%h/g, alias);
  result.identityFiles = rawIdentities.map((p) => expandPath(p, alias, result.hostName ?? alias, result.user));
  return result;
}

export function defaultSshConfigPath(): string {
  return join(homedir(), '.ssh', 'config');
}

export function readSshConfig(path: string, alias: string): SshConfigHost {
  if (!existsSync(path)) return { identityFiles: [] };
  return lookupSshConfig(readFileSync(path, 'utf8'), alias);
}
