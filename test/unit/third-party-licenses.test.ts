// Issue 23, item 5: the package ships without dependencies, so the bundled libraries' licences must ship in
// dist/THIRD-PARTY-LICENSES. The list comes from esbuild's metafile; a library without a licence text stops the build.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Metafile } from 'esbuild';
import { thirdPartyLicenses } from '../../scripts/third-party-licenses.js';

function metafileOf(...inputs: string[]): Metafile {
  return { inputs: Object.fromEntries(inputs.map((i) => [i, { bytes: 1, imports: [] }])), outputs: {} };
}

function fakePackage(root: string, dir: string, manifest: object, files: Record<string, string>): void {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'package.json'), JSON.stringify(manifest));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, dir, name), text);
}

test('one section per bundled package (once per name@version), from LICENSE, the old licenses field or the README', () => {
  const root = mkdtempSync(join(tmpdir(), 'prov-licenses-'));
  fakePackage(root, 'node_modules/a', { name: 'a', version: '1.0.0', license: 'MIT' }, { LICENSE: 'Copyright A\n' });
  fakePackage(root, 'node_modules/a/node_modules/@s/b', { name: '@s/b', version: '2.0.0', licenses: [{ type: 'ISC' }] }, { 'license.txt': 'ISC B' });
  fakePackage(root, 'node_modules/c/node_modules/a', { name: 'a', version: '1.0.0', license: 'MIT' }, { LICENSE: 'Copyright A\n' });
  fakePackage(
    root,
    'node_modules/d',
    { name: 'd', version: '3.0.0', license: 'MIT' },
    {
      'README.md': '# d\n\nUse it.\n\n## License\n\nCopyright D\n\n### Details\n\nstill D\n\n## Next\n\nnot a licence\n',
    },
  );
  const out = thirdPartyLicenses(
    metafileOf(
      'src/cli/main.ts',
      `${root}/node_modules/a/index.js`,
      `${root}/node_modules/a/lib/more.js`,
      `${root}/node_modules/a/node_modules/@s/b/index.js`,
      `${root}/node_modules/c/node_modules/a/index.js`,
      `${root}/node_modules/d/index.js`,
    ),
  );
  assert.deepEqual(
    out.split('\n').filter((l) => l.startsWith('- ')),
    ['- @s/b@2.0.0 (ISC)', '- a@1.0.0 (MIT)', '- d@3.0.0 (MIT)'],
  );
  assert.equal(out.match(/Copyright A/g)?.length, 1);
  assert.match(out, /ISC B/);
  assert.match(out, /Copyright D\n\n### Details\n\nstill D/);
  assert.doesNotMatch(out, /not a licence/);
});

test('a bundled package without any licence text stops the build, naming it', () => {
  const root = mkdtempSync(join(tmpdir(), 'prov-licenses-'));
  fakePackage(root, 'node_modules/e', { name: 'e', version: '0.1.0', license: 'MIT' }, { 'README.md': '# e\n\nNo licence section.\n' });
  assert.throws(() => thirdPartyLicenses(metafileOf(`${root}/node_modules/e/index.js`)), /e@0\.1\.0 .*no licence text/);
});
