import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lookupSshConfig } from '../../src/openssh/ssh-config.js';

const CONFIG = `
# a comment
Host mlflow-prod
  HostName 20.1.2.3
  User admin1
  Port 2200
  IdentityFile ~/.ssh/prod_key

Host *.internal
  User ops
  IdentityFile=~/.ssh/%h_key

Match host foo
  User nobody-from-match

Host *
  User fallback
  IdentityFile ~/.ssh/id_default
`;

test('a Host alias resolves HostName, User, Port and IdentityFile; first value wins', () => {
  const h = lookupSshConfig(CONFIG, 'mlflow-prod');
  assert.equal(h.hostName, '20.1.2.3');
  assert.equal(h.user, 'admin1');
  assert.equal(h.port, 2200);
  assert.deepEqual(h.identityFiles, [`${homedir()}/.ssh/prod_key`, `${homedir()}/.ssh/id_default`]);
});

test('wildcard blocks apply and %h expands; Match blocks are not applied', () => {
  const h = lookupSshConfig(CONFIG, 'db.internal');
  assert.equal(h.hostName, undefined);
  assert.equal(h.user, 'ops');
  assert.equal(h.identityFiles[0], `${homedir()}/.ssh/db.internal_key`);
  assert.equal(lookupSshConfig(CONFIG, 'foo').user, 'fallback');
});

test('HostKeyAlias, UserKnownHostsFile and GlobalKnownHostsFile are read as written; first value wins; none is no file', () => {
  const text = `
Host labvm
  HostKeyAlias LabVM
  UserKnownHostsFile ~/.ssh/kh_%h "/tmp/with space/kh"
  GlobalKnownHostsFile=/etc/ssh/extra_known_hosts
Host *
  HostKeyAlias other
  UserKnownHostsFile /never
  GlobalKnownHostsFile none
`;
  const h = lookupSshConfig(text, 'labvm');
  assert.equal(h.hostKeyAlias, 'LabVM');
  assert.deepEqual(h.userKnownHostsFiles, ['~/.ssh/kh_%h', '/tmp/with space/kh']);
  assert.deepEqual(h.globalKnownHostsFiles, ['/etc/ssh/extra_known_hosts']);
  assert.equal(h.origins.userknownhostsfile, 'ssh config line 4');
  const o = lookupSshConfig(text, 'elsewhere');
  assert.equal(o.hostKeyAlias, 'other');
  assert.deepEqual(o.userKnownHostsFiles, ['/never']);
  assert.deepEqual(o.globalKnownHostsFiles, []);
  assert.throws(() => lookupSshConfig('UserKnownHostsFile none /x\n', 'a'), /line 1: UserKnownHostsFile "none" must be the only argument/);
});

test('Include: globs sorted, relative paths in ~/.ssh, read in place; a block that does not apply includes nothing; loops stop', () => {
  const home = mkdtempSync(join(tmpdir(), 'prov-sshcfg-'));
  const ssh = join(home, '.ssh');
  mkdirSync(join(ssh, 'conf.d'), { recursive: true });
  writeFileSync(join(ssh, 'conf.d', '20-b.conf'), 'Host labvm\n  User from-b\n  UserKnownHostsFile /from-b\n');
  writeFileSync(join(ssh, 'conf.d', '10-a.conf'), 'Host labvm\n  HostKeyAlias from-a\n  UserKnownHostsFile /from-a\n');
  writeFileSync(join(ssh, 'conf.d', '.hidden.conf'), 'Host *\n  User hidden\n');
  writeFileSync(join(ssh, 'conf.d', 'notes.txt'), 'Host *\n  User notes\n');
  writeFileSync(join(ssh, 'never.conf'), 'Host *\n  Port 2200\n');
  writeFileSync(join(ssh, 'inner.conf'), 'GlobalKnownHostsFile /inner-global\nHost nomatch\n  User inner-nomatch\n');
  writeFileSync(join(home, 'abs.conf'), 'IdentityFile /abs-key\n');
  const main = [
    'Include conf.d/*.conf missing/*.conf',
    'Host nomatch',
    '  Include ~/.ssh/never.conf',
    'Host labvm',
    '  Include inner.conf',
    '  Port 2201', // the including block applies again after the Include
    `  Include ${join(home, 'a*.conf')}`,
    '  User main',
  ].join('\n');
  const h = lookupSshConfig(main, 'labvm', { file: 'main', home });
  assert.equal(h.user, 'from-b', 'the first User, in glob order, from the included files');
  assert.equal(h.hostKeyAlias, 'from-a');
  assert.deepEqual(h.userKnownHostsFiles, ['/from-a']);
  assert.equal(h.origins.userknownhostsfile, `${join(ssh, 'conf.d', '10-a.conf')} line 3`);
  assert.deepEqual(h.globalKnownHostsFiles, ['/inner-global']);
  assert.equal(h.port, 2201, 'never.conf is included from a block that does not apply');
  assert.deepEqual(h.identityFiles, ['/abs-key']);

  writeFileSync(join(ssh, 'loop.conf'), 'Include loop.conf\n');
  assert.throws(
    () => lookupSshConfig('Include loop.conf\n', 'labvm', { file: 'main', home }),
    /loop\.conf is included more than 16 levels deep in the ssh config \(an Include loop\?\): fix the Include lines\./,
  );
});
