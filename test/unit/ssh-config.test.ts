import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { test } from 'node:test';
import { lookupSshConfig } from '../../src/hosts/ssh-config.js';

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
