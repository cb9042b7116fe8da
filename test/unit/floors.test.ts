// The floors of docs/architecture.md: every import between folders of src/ runs down, never up or sideways,
// dynamic import() included; and no file of src/ reaches itself again through its imports (no cycles).
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

/**
 * The relative imports of a source file, as paths under src/: static ones (`import … from`, `import type …
 * from`, `export … from`, a bare `import '…'`) and dynamic `import('…')`.
 */
function importsOf(file: string, text: string): Array<{ target: string; dynamic: boolean }> {
  const found: Array<{ target: string; dynamic: boolean }> = [];
  const add = (spec: string, dynamic: boolean) => found.push({ target: relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'), dynamic });
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;'"]*?(?:\bfrom\s+)?'(\.\.?\/[^']+)'/gm)) add(m[1]!, false);
  for (const m of text.matchAll(/\bimport\(\s*'(\.\.?\/[^']+)'\s*\)/g)) add(m[1]!, true);
  return found;
}

const graph = new Map(sources(SRC).map((file) => [relative(SRC, file), importsOf(file, readFileSync(file, 'utf8'))]));

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
  for (const [file, imports] of graph) {
    const folder = file.split('/')[0]!;
    for (const { target, dynamic } of imports) {
      const to = target.split('/')[0]!;
      if (to !== folder && floorOf(to) <= floorOf(folder)) upward.push(`src/${file} imports ${to}/${dynamic ? ' (dynamic import)' : ''}`);
    }
  }
  assert.deepEqual(upward, []);
});

test('the import reader sees every form: type-only, re-exports, multi-line lists, bare and dynamic imports', () => {
  const text = [
    "import type { A } from './a.js';",
    "import {\n  b,\n  c,\n} from '../plan/b.js';",
    "export { d } from './d.js';",
    "export type { E } from './e.js';",
    "import './f.js';",
    "const g = await import('../run/g.js');",
    "const note = 'not an import from ./h.js';",
  ].join('\n');
  assert.deepEqual(importsOf(join(SRC, 'config/x.ts'), text), [
    { target: 'config/a.ts', dynamic: false },
    { target: 'plan/b.ts', dynamic: false },
    { target: 'config/d.ts', dynamic: false },
    { target: 'config/e.ts', dynamic: false },
    { target: 'config/f.ts', dynamic: false },
    { target: 'run/g.ts', dynamic: true },
  ]);
});

/** The groups of files that import each other round (Tarjan's strongly connected components), each sorted. */
function cycles(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(group.sort());
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

test('the cycle finder finds a cycle, a longer one, and a self-import, and nothing in a tree', () => {
  const edges = (list: Array<[string, string[]]>) => new Map(list);
  assert.deepEqual(
    cycles(
      edges([
        ['a', ['b']],
        ['b', ['a']],
        ['c', ['a']],
      ]),
    ),
    [['a', 'b']],
  );
  assert.deepEqual(
    cycles(
      edges([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['d']],
      ]),
    ),
    [['a', 'b', 'c'], ['d']],
  );
  assert.deepEqual(
    cycles(
      edges([
        ['a', ['b', 'c']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    [],
  );
});

test('no file-level import cycle in src/: static imports, `import type` and dynamic import() all count', () => {
  const edges = new Map([...graph].map(([file, imports]) => [file, [...new Set(imports.map((i) => i.target))]]));
  assert.deepEqual(
    cycles(edges).map((c) => c.join(' -> ')),
    [],
  );
});
