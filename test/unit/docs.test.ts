import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { optionsMarkdown } from '../../src/cli/options-doc.js';
import { OPTIONS } from '../../src/config/options.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

test('the README option table is the one generated from the option definitions (npm run docs:options)', () => {
  const readme = read('README.md');
  const table = /<!-- options:start -->\n([\s\S]*?)\n<!-- options:end -->/.exec(readme)?.[1];
  assert.equal(table, optionsMarkdown());
});

test('.env.example names every environment variable the CLI reads, secrets included', () => {
  const example = read('.env.example');
  assert.ok(OPTIONS.some((o) => o.type === 'secret' && o.env.includes('POSTGRES_PASSWORD')));
  for (const name of OPTIONS.flatMap((o) => o.env)) assert.ok(example.includes(name), name);
});

test('the README gives the two set-up commands and the test command CI runs', () => {
  const readme = read('README.md');
  // No sudo in the commands: a root shell on a minimal Debian has none; the scripts ask for it when not root.
  assert.match(readme, /^npm ci && npm run demo +#/m);
  assert.match(readme, /^npm test +#/m);
  assert.match(read('package.json'), /"demo": "npm run build && bash scripts\/as-root\.sh /);
  assert.match(read('.ci/run'), /npm test/);
});
