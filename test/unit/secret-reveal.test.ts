// util/secret.ts names every file where a secret's raw value is taken out with reveal(): this keeps it true.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const SRC = new URL('../../src/', import.meta.url).pathname;
const DOCUMENTED = [
  'checks/database.ts',
  'config/blob-settings.ts',
  'config/config.ts',
  'config/keys.ts',
  'config/tls.ts',
  'render/backend-uri.ts',
  'render/server-files.ts',
  'run/session.ts',
  'ssh/client-auth.ts',
  'ssh/connection.ts',
  'util/secret.ts',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

test('reveal() is called only in the files util/secret.ts lists', () => {
  const callers = sources(SRC).filter((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .some((line) => /\.reveal\(\)/.test(line) && !/^\s*(\*|\/\/)/.test(line)),
  );
  assert.deepEqual(callers.map((f) => relative(SRC, f)).sort(), DOCUMENTED);
  const doc = readFileSync(join(SRC, 'util/secret.ts'), 'utf8');
  for (const file of DOCUMENTED.filter((f) => f !== 'util/secret.ts')) {
    const named = file.startsWith('render/') ? 'render/' : file;
    assert.ok(doc.includes(named), `util/secret.ts does not name ${file}`);
  }
});
