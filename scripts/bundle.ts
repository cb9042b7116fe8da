// `npm run build`: the CLI as one ES module file (dist/cli/main.js) plus chunks for what loads lazily (yargs
// for --help and mistakes, enquirer for prompts, status, the lifecycle commands). Node then reads a handful of
// files at start-up instead of some 200 (our modules, kleur, dotenv, listr2, ssh2, pg and their dependencies):
// see docs/benchmarks.md. Every library is inside the bundle, so the published package has no runtime
// dependencies (issue 23, item 5): they are devDependencies, and dist/THIRD-PARTY-LICENSES carries their licences.
import { rmSync, writeFileSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';
import { thirdPartyLicenses } from './third-party-licenses.js';

// The optional native parts of ssh2 (its crypto binding, cpu-features) and pg (pg-native) stay out. Each is
// loaded inside a try/catch that treats a missing module as "use the JavaScript": ssh2 then uses its own
// JavaScript and Node's crypto, pg its JavaScript client. The bundle gets a module that throws exactly what
// Node throws for a missing one, so the CLI never picks up a native module that happens to be installed
// somewhere above it (a global cpu-features, say): the same behaviour on every machine.
const ABSENT = /^(cpu-features|pg-native)$|\.node$/;
const absentNativeModules: Plugin = {
  name: 'absent-native-modules',
  setup(b) {
    b.onResolve({ filter: ABSENT }, (args) => ({ path: args.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `const e = new Error(${JSON.stringify(`Cannot find module '${args.path}'`)}); e.code = 'MODULE_NOT_FOUND'; throw e;`,
      loader: 'js',
    }));
  },
};

rmSync('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  plugins: [absentNativeModules],
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
  // Linked maps without the sources in them: a stack trace from `node --enable-source-maps` (or one a user
  // pastes, mapped later) names src/ files and lines, while the package does not carry a second copy of every
  // library's code (the sources would more than double dist/).
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});
writeFileSync('dist/THIRD-PARTY-LICENSES', thirdPartyLicenses(result.metafile));
