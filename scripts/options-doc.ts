// Prints the README's option table (`npm run docs:options`); test/unit/docs.test.ts keeps README in sync.
import { optionsMarkdown } from '../src/cli/options-doc.js';

process.stdout.write(`${optionsMarkdown()}\n`);
