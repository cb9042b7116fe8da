// The floors of docs/architecture.md: every import between folders of src/ runs down, never up or sideways.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = new URL('../../src/', import.meta.url).pathname;
const FLOORS: string[][] = [['cli'], ['run'], ['checks'], ['plan', 'verdicts', 'ssh'], ['config'], ['render', 'openssh', 'action'], ['util']];
const floorOf = (folder: string): number => FLOORS.findIndex((f) => f.includes(folder));

/** Every .ts file under a folder, subfolders included. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

test('every folder of src/ has a floor, and every import between folders runs down the floors', () => {
  const folders = readdirSync(SRC, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  assert.deepEqual(
    folders.filter((f) => floorOf(f) < 0),
    [],
    'a folder without a floor in docs/architecture.md',
  );
  const upward: string[] = [];
  for (const file of sources(SRC)) {
    const folder = relative(SRC, file).split('/')[0]!;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
      const target = relative(SRC, resolve(dirname(file), m[1]!)).split('/')[0]!;
      if (target !== folder && floorOf(target) <= floorOf(folder)) upward.push(`src/${relative(SRC, file)} imports ${target}/`);
    }
  }
  assert.deepEqual(upward, []);
});
