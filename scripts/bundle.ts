// `npm run build`: the CLI as one ES module file (dist/cli/main.js) plus chunks for what loads lazily (yargs
// for --help and mistakes, enquirer for prompts, status, the lifecycle commands). Node then reads a handful of
// files at start-up instead of some 200 (our modules, kleur, dotenv, listr2, ssh2, pg and their dependencies):
// see docs/benchmarks.md. Their optional native parts stay out (ssh2's crypto binding and cpu-features, pg-native):
// ssh2 then uses its JavaScript and Node's crypto, as it does wherever install scripts are blocked.
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
  external: ['*.node', 'pg-native', 'cpu-features'],
  // Bundled CommonJS dependencies call require() for Node's own modules, and ssh2 reads __dirname (for a
  // Windows helper it never needs here): both as a CommonJS module would have them.
  banner: {
    js: [
      "import { createRequire as __provisionRequire } from 'node:module';",
      "import { fileURLToPath as __provisionPath } from 'node:url';",
      'const require = __provisionRequire(import.meta.url);',
      'const __provisionFilename = __provisionPath(import.meta.url);',
      "const __provisionDirname = __provisionPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  // Only where a module uses them unbound (yargs declares its own __dirname).
  define: { __dirname: '__provisionDirname', __filename: '__provisionFilename' },
  sourcemap: 'linked',
  logLevel: 'warning',
});
