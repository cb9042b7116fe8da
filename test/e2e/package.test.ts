// Issues 7 and 15: the published package works. `npm pack`, then a global install of the tarball (into a prefix
// of the test's own, install scripts blocked as npm 12 blocks them), gives a working `provision` from any folder,
// down to an SSH connection to a lab VM (ssh2 without its optional native code). Issue 23, item 5: the package
// installs nothing but itself (every library is in the bundle), and carries the bundled libraries' licences.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ensureLab, LAB_KEY, REPO_ROOT, requireLab, run, vmIp } from './lab.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

test('the packed tarball installs globally and `provision` runs from another folder: --version, --help, completion, and a status over SSH', async (t: TestContext) => {
  assert.equal(pkg.name, 'mlflow-provision');
  const dir = mkdtempSync(join(tmpdir(), 'prov-pack-'));
  const pack = await run('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  assert.equal(pack.code, 0, pack.stderr);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  assert.equal(tarball, `mlflow-provision-${pkg.version}.tgz`);
  const list = await run('tar', ['-tzf', join(dir, tarball)], { timeoutMs: 30_000 });
  assert.match(list.stdout, /package\/dist\/cli\/main\.js/);
  assert.doesNotMatch(list.stdout, /package\/(test|src|scripts|fixtures)\//, 'only the built CLI is published');
  assert.match(list.stdout, /package\/dist\/THIRD-PARTY-LICENSES/);

  const prefix = join(dir, 'global');
  const install = await run('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', join(dir, tarball)], {
    cwd: dir,
    timeoutMs: 300_000,
  });
  assert.equal(install.code, 0, install.stderr);
  assertInstalledAlone(prefix);
  const bin = join(prefix, 'bin', 'provision');
  const elsewhere = mkdtempSync(join(tmpdir(), 'prov-elsewhere-'));
  const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, HOME: elsewhere, NO_COLOR: '1' };
  const version = await run('provision', ['--version'], { cwd: elsewhere, env, timeoutMs: 60_000 });
  assert.deepEqual([version.code, version.stdout.trim()], [0, pkg.version], version.stderr);
  const help = await run(bin, ['--help'], { cwd: elsewhere, env, timeoutMs: 60_000 });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /provision --host <vm-ip> \[options\]/);
  assert.match(help.stdout, /provision logs/);
  const completion = await run(bin, ['completion'], { cwd: elsewhere, env, timeoutMs: 60_000 });
  assert.match(completion.stdout, /###-begin-provision-completions-###/);

  if (!requireLab(t)) return;
  await ensureLab(1);
  const status = await run(bin, ['status', '--host', vmIp(1), '--identity-file', LAB_KEY, '--known-hosts', join(elsewhere, 'known_hosts')], {
    cwd: elsewhere,
    env,
    timeoutMs: 60_000,
  });
  // Connected and read the VM (healthy, or not provisioned): the SSH stack of the installed package works.
  assert.match(status.stdout, new RegExp(`${vmIp(1).replace(/\./g, '\\.')}: (healthy|NOT HEALTHY)`), status.stdout + status.stderr);
  assert.doesNotMatch(status.stdout + status.stderr, /unreachable|Cannot find module|ERR_/);
});

/** The global install holds mlflow-provision and nothing else: no dependencies, none of their files. */
function assertInstalledAlone(prefix: string): void {
  const installed = join(prefix, 'lib', 'node_modules');
  assert.deepEqual(readdirSync(installed), ['mlflow-provision'], 'nothing installed beside the package');
  const dir = join(installed, 'mlflow-provision');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) {
    assert.equal(manifest[field], undefined, `the published package.json has no ${field}`);
  }
  assert.equal(existsSync(join(dir, 'node_modules')), false, 'no node_modules inside the installed package');
  // The bundled libraries' licences travel with their code (MIT, ISC and BSD ask for it).
  const licenses = readFileSync(join(dir, 'dist', 'THIRD-PARTY-LICENSES'), 'utf8');
  for (const lib of ['ssh2', 'pg', 'yargs', 'listr2', 'enquirer', 'kleur', 'dotenv']) {
    assert.match(licenses, new RegExp(`^${lib}@\\d+\\.\\d+\\.\\d+ \\(`, 'm'), `${lib}'s licence is in THIRD-PARTY-LICENSES`);
  }
  // Source maps without the sources in them: the package does not carry a second copy of every library.
  const maps = readdirSync(join(dir, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'));
  for (const map of maps) {
    const parsed = JSON.parse(readFileSync(join(dir, 'dist', map), 'utf8')) as { sourcesContent?: unknown };
    assert.equal(parsed.sourcesContent, undefined, `${map} embeds no sources`);
  }
}
