// Issue 7: the published package works: `npm pack`, install the tarball into an empty project, run the bin.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, run } from './lab.js';

test('npx provision --help works from the packed tarball', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-pack-'));
  const pack = await run('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  assert.equal(pack.code, 0, pack.stderr);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'a tarball was written');
  const list = await run('tar', ['-tzf', join(dir, tarball)], { timeoutMs: 30_000 });
  assert.match(list.stdout, /package\/dist\/cli\/main\.js/);
  assert.doesNotMatch(list.stdout, /package\/(test|src|scripts|fixtures)\//, 'only the built CLI is published');

  const project = join(dir, 'user-project');
  await run('mkdir', ['-p', project]);
  const init = await run('npm', ['init', '-y'], { cwd: project, timeoutMs: 60_000 });
  assert.equal(init.code, 0, init.stderr);
  const install = await run('npm', ['install', '--no-audit', '--no-fund', join(dir, tarball)], { cwd: project, timeoutMs: 300_000 });
  assert.equal(install.code, 0, install.stderr);
  const help = await run('npx', ['--no-install', 'provision', '--help'], { cwd: project, timeoutMs: 60_000 });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /provision --host <vm-ip> \[options\]/);
  const version = await run('npx', ['--no-install', 'provision', '--version'], { cwd: project, timeoutMs: 60_000 });
  assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
});
