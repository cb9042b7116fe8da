// The floors of docs/architecture.md: every import between folders of src/ runs down, never up or sideways.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const SRC = new URL('../../src/', import.meta.url).pathname;
const FLOORS: string[][] = [['cli'], ['run'], ['checks'], ['plan', 'ssh'], ['config'], ['render', 'openssh'], ['util']];
const floorOf = (folder: string): number => FLOORS.findIndex((f) => f.includes(folder));

test('every folder of src/ has a floor, and every import between folders runs down the floors', () => {
  const folders = readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.deepEqual(folders.filter((f) => floorOf(f) < 0), [], 'a folder without a floor in docs/architecture.md');
  const upward: string[] = [];
  for (const folder of folders) {
    // Files of subfolders too (src/plan/probe/…): an import is judged by the top folder it resolves into.
    for (const file of readdirSync(join(SRC, folder), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(SRC, folder, file), 'utf8');
      for (const m of text.matchAll(/from '(\.[^']*)'/g)) {
        const target = relative(SRC, resolve(dirname(join(SRC, folder, file)), m[1]!)).split(sep)[0]!;
        if (target !== folder && floorOf(target) <= floorOf(folder)) upward.push(`src/${folder}/${file} imports ${target}/`);
      }
    }
  }
  assert.deepEqual(upward, []);
});
