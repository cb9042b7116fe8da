// `npm run build`: the CLI as one ES module file (dist/cli/main.js) plus chunks for what loads lazily (yargs
// for --help and mistakes, enquirer for prompts, status, the lifecycle commands). Node then reads a handful of
// files at start-up instead of some 150 (our modules, kleur, dotenv, listr2 and its dependencies): see
// docs/benchmarks.md. ssh2 and pg stay in node_modules: both have optional native parts esbuild cannot bundle.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  external: ['ssh2', 'pg', 'pg-native', 'cpu-features'],
  // Bundled CommonJS dependencies (yargs's, enquirer's) call require() for Node's own modules.
  banner: { js: "import { createRequire as __provisionRequire } from 'node:module'; const require = __provisionRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
