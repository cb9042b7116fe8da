// Prints the README's option table (`npm run docs:options`), or with --write puts it into README.md between
// the options markers; test/unit/docs.test.ts keeps the two in sync.
import { readFileSync, writeFileSync } from 'node:fs';
import { optionsMarkdown } from '../src/cli/options-doc.js';

if (process.argv.includes('--write')) {
  const path = new URL('../README.md', import.meta.url);
  const readme = readFileSync(path, 'utf8');
  const next = readme.replace(/(<!-- options:start -->\n)[\s\S]*?(\n<!-- options:end -->)/, `$1${optionsMarkdown()}$2`);
  writeFileSync(path, next);
} else {
  process.stdout.write(`${optionsMarkdown()}\n`);
}
