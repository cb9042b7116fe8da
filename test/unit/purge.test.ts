// remove --purge-artifacts (issue 22): only a folder provision's record says provision created, judged by the
// artifacts rules as the VM resolves it; the check and the deletion run for real in bash on a scratch folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifactsOnRemove, judgePurge, parsePurgeCheck, purgeArtifactsCommand, purgeCheckCommand, type PurgeFacts } from '../../src/plan/purge.js';
import { parseRecord, renderRecord } from '../../src/render/record.js';

const record = (artifactsDir: string | undefined, created: boolean) => ({
  record: { content: renderRecord({ ...(artifactsDir !== undefined ? { artifactsDir } : {}), artifactsDirCreated: created }), mode: 0o600, owner: 'azureuser' },
});
const HOMES: Array<[string, string]> = [
  ['root', '/root'],
  ['daemon', '/usr/sbin'],
  ['nobody', '/nonexistent'],
  ['caddy', '/var/lib/caddy'],
  ['azureuser', '/home/azureuser'],
  ['bob', '/home/bob'],
  ['carol', '/srv/users/carol'],
];
/** The check's answer for a folder that exists, is ours and resolves to `real`. */
const seen = (real: string, more: Partial<PurgeFacts> = {}): PurgeFacts => ({ state: 'ok', real, home: '/home/azureuser', homes: HOMES, ...more });

test('the record: written the same way each time, read back only in its exact shape', () => {
  const text = renderRecord({ artifactsDir: '/srv/ml art', artifactsDirCreated: true });
  assert.equal(text, renderRecord({ artifactsDir: '/srv/ml art', artifactsDirCreated: true }));
  assert.deepEqual(parseRecord(text), { artifactsDir: '/srv/ml art', artifactsDirCreated: true });
  assert.deepEqual(parseRecord(renderRecord({ artifactsDirCreated: true })), { artifactsDirCreated: false }, 'no folder: nothing was created');
  for (const bad of [
    'not json',
    '[]',
    '{"version":2,"artifactsDir":"/a","artifactsDirCreated":true}',
    '{"version":1,"artifactsDir":"a","artifactsDirCreated":true}',
  ]) {
    assert.ok('problem' in parseRecord(bad), bad);
  }
  assert.ok('problem' in parseRecord(JSON.stringify({ version: 1, artifactsDir: '/a\nb', artifactsDirCreated: true })));
  assert.ok('problem' in parseRecord(JSON.stringify({ version: 1, artifactsDir: '/a', artifactsDirCreated: 'yes' })));
});

test('from the record: no record, an unreadable one, or a folder provision did not create is refused in one sentence; a created one is resolved first', () => {
  const none = artifactsOnRemove({}, true);
  assert.ok('refuse' in none);
  assert.match(
    none.refuse,
    /^--purge-artifacts refused: this VM has no record of an artifacts folder provision created .*; nothing was removed\. Run remove without --purge-artifacts/,
  );
  assert.deepEqual(artifactsOnRemove({}, false), { kept: 'the artifacts folder, if any (provision has no record of it on this VM)', keepRecord: false });
  const edited = artifactsOnRemove({ record: { content: '{"version":1}' } }, true);
  assert.ok('refuse' in edited && /is not a record this version of provision reads \(artifactsDirCreated is not true or false\)/.test(edited.refuse));
  const before = artifactsOnRemove(record('/data/mlflow', false), true);
  assert.ok('refuse' in before && /provision did not create \/data\/mlflow/.test(before.refuse));
  assert.deepEqual(artifactsOnRemove(record('/home//azureuser', true), true), { resolve: '/home//azureuser' });
  assert.deepEqual(artifactsOnRemove(record('/home/azureuser/mlruns-artifacts', true), false), {
    kept: '/home/azureuser/mlruns-artifacts (the artifacts; --purge-artifacts removes it)',
    keepRecord: true,
  });
  assert.deepEqual(artifactsOnRemove(record(undefined, false), true), {
    kept: 'no artifacts folder on this VM (the artifacts go to --artifacts-destination)',
    keepRecord: false,
  });
});

test('the rules on the resolved folder: the home and what holds it, hidden home folders, the venv, system trees, symlinks and other homes are refused', () => {
  const refused: Array<[recorded: string, seen: PurgeFacts, why: RegExp]> = [
    ['/home//azureuser', seen('/home/azureuser'), /\/home\/\/azureuser \(\/home\/azureuser\): it is your home folder/],
    ['/home', seen('/home'), /it is the system folder \/home itself/],
    ['/', seen('/'), /it is the root of the file system/],
    ['/etc', seen('/etc'), /it is the system folder \/etc/],
    ['/home/azureuser/.config', seen('/home/azureuser/.config'), /inside the hidden folder ~\/\.config/],
    ['/home/azureuser/mlflow-venv/art', seen('/home/azureuser/mlflow-venv/art'), /inside the virtual environment/],
    ['/home/azureuser/link', seen('/home/azureuser', { state: 'symlink' }), /it is a symbolic link/],
    ['/srv/link', seen('/etc/ssh'), /\/srv\/link \(\/etc\/ssh\): it is inside the system folder \/etc/],
    ['/home/bob/runs', seen('/home/bob/runs'), /another user's home folder \(\/home\/bob\)/],
    ['/var/lib/caddy/runs', seen('/var/lib/caddy/runs'), /another user's home folder \(\/var\/lib\/caddy\)/],
    ['/srv/users', seen('/srv/users'), /it contains another user's home folder \(\/srv\/users\/carol\)/],
    ['/srv/theirs', seen('/srv/theirs', { owner: 'root' }), /belongs to root/],
    ['/srv/file', seen('/srv/file', { state: 'not-a-folder' }), /not a folder/],
    ['/srv/odd', seen('srv/odd'), /did not resolve it to a plain absolute path/],
  ];
  for (const [recorded, facts, why] of refused) {
    const judged = judgePurge(recorded, facts, 'azureuser');
    assert.ok('refuse' in judged, recorded);
    assert.match(judged.refuse, /^--purge-artifacts refused for the recorded artifacts folder /, recorded);
    assert.match(judged.refuse, why, recorded);
    assert.match(judged.refuse, /; nothing was removed\./, recorded);
  }
  assert.deepEqual(judgePurge('/srv/ml art', seen('/srv/ml art'), 'azureuser'), { purge: { recorded: '/srv/ml art', real: '/srv/ml art' }, keepRecord: false });
  assert.deepEqual(judgePurge('/home/azureuser/mlruns-artifacts', seen('/home/azureuser/mlruns-artifacts'), 'azureuser'), {
    purge: { recorded: '/home/azureuser/mlruns-artifacts', real: '/home/azureuser/mlruns-artifacts' },
    keepRecord: false,
  });
  assert.deepEqual(judgePurge('/srv/gone', { ...seen(''), state: 'missing' }, 'azureuser'), {
    kept: '/srv/gone (the artifacts folder: no longer on the VM)',
    keepRecord: false,
  });
  // An answer without a state is refused like a symlink, never taken as "missing".
  assert.equal(parsePurgeCheck('home_real=/home/azureuser\n').state, 'symlink');
});

/** A scratch "VM": HOME, a folder with a space in its name, and the check and the deletion run by bash. */
function scratch() {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'prov-purge-')));
  const art = join(home, 'ml art');
  mkdirSync(join(art, 'run 1', '.hidden'), { recursive: true });
  writeFileSync(join(art, 'run 1', 'model.pkl'), 'x');
  writeFileSync(join(home, 'keep.txt'), 'kept');
  const bash = (command: string) => spawnSync('bash', ['-c', command], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home } });
  return { home, art, bash };
}

test('on a real shell: the check resolves a folder with a space and a symlink to it; the deletion takes exactly the folder and the record', () => {
  const { home, art, bash } = scratch();
  const check = parsePurgeCheck(bash(purgeCheckCommand(art).command).stdout);
  assert.deepEqual([check.state, check.real, check.home], ['ok', art, home]);
  assert.ok(check.homes.some(([name]) => name === 'root'));
  symlinkSync(art, join(home, 'link'));
  assert.equal(parsePurgeCheck(bash(purgeCheckCommand(join(home, 'link')).command).stdout).state, 'symlink');
  assert.equal(parsePurgeCheck(bash(purgeCheckCommand(join(home, 'nope')).command).stdout).state, 'missing');

  const recordFile = join(home, '.mlflow-provision.json');
  writeFileSync(recordFile, '{}');
  const res = bash(purgeArtifactsCommand(art, art, recordFile).command);
  assert.equal(res.status, 0, res.stderr);
  assert.equal(existsSync(art), false);
  assert.equal(existsSync(recordFile), false);
  assert.deepEqual(readdirSync(home).sort(), ['keep.txt', 'link']);
});

test('on a real shell: a folder swapped for a symlink after the check is not followed, and nothing is deleted', () => {
  const { home, art, bash } = scratch();
  const elsewhere = join(home, 'elsewhere');
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'precious'), 'x');
  const recorded = join(home, 'runs');
  symlinkSync(elsewhere, recorded);
  const res = bash(purgeArtifactsCommand(recorded, art, join(home, '.mlflow-provision.json')).command);
  assert.equal(res.status, 3);
  assert.match(res.stderr, /changed since it was checked: nothing of it was deleted/);
  assert.ok(existsSync(join(elsewhere, 'precious')));
  assert.ok(existsSync(join(art, 'run 1', 'model.pkl')));
});
