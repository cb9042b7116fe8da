import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { cmd, raw, shq } from '../../src/util/shell-quote.js';

const nasty = ['plain', 'with space', "it's", '$(rm -rf /)', '`id`', 'a"b', 'semi;colon', 'new\nline', '', '*', '~', '%x?y#z@w'];

test('shq round-trips every value through a real shell unchanged', () => {
  for (const value of nasty) {
    const out = execFileSync('bash', ['-c', `printf %s ${shq(value)}`], { encoding: 'utf8' });
    assert.equal(out, value, `value ${JSON.stringify(value)}`);
  }
});

test('shq leaves simple tokens bare and quotes the rest', () => {
  assert.equal(shq('/home/azureuser/mlflow-venv'), '/home/azureuser/mlflow-venv');
  assert.equal(shq("it's"), `'it'\\''s'`);
  assert.equal(shq(''), "''");
});

test('cmd quotes tokens and passes raw operators through', () => {
  assert.equal(cmd('echo', 'a b', raw('>'), '/tmp/x y'), "echo 'a b' > '/tmp/x y'");
});
