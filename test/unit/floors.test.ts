// The floors of docs/architecture.md: every import between folders of src/ runs down, never up or sideways.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const SRC = new URL('../../src/', import.meta.url).pathname;
const FLOORS: string[][] = [['cli'], ['run'], ['checks'], ['plan', 'ssh'], ['config'], ['render', 'openssh'], ['util']];
const floorOf = (folder: string): number => FLOORS.findIndex((f) => f.includes(folder));

test('every folder of src/ has a floor, and every import between folders runs down the floors', () => {
  const folders = readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.deepEqual(folders.filter((f) => floorOf(f) < 0), [], 'a folder without a floor in docs/architecture.md');
  const upward: string[] = [];
  for (const folder of folders) {
    for (const file of readdirSync(join(SRC, folder)).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(SRC, folder, file), 'utf8');
      for (const m of text.matchAll(/from '\.\.\/([a-z-]+)\//g)) {
        if (floorOf(m[1]!) <= floorOf(folder)) upward.push(`src/${folder}/${file} imports ${m[1]}/`);
      }
    }
  }
  assert.deepEqual(upward, []);
});
