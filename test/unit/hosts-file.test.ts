import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHostSpec, parseHostsFile } from '../../src/config/hosts-file.js';

test('host specs: user, port, IPv6 in brackets', () => {
  assert.deepEqual(parseHostSpec('10.0.0.4'), { host: '10.0.0.4' });
  assert.deepEqual(parseHostSpec('admin@vm.example.com:2222'), { host: 'vm.example.com', user: 'admin', port: 2222 });
  assert.deepEqual(parseHostSpec('[fd00::4]:2200'), { host: 'fd00::4', port: 2200 });
  assert.deepEqual(parseHostSpec('fd00::4'), { host: 'fd00::4' });
  assert.equal(parseHostSpec('vm:99999'), 'port "99999" is not a number from 1 to 65535');
  assert.equal(parseHostSpec('bad host'), '"bad host" is not a valid host name or IP address');
});

test('a hosts file: comments, blank lines, overrides, duplicates, bad lines with their numbers', () => {
  const text = [
    '# team servers',
    '10.0.0.4',
    '',
    'azureuser@10.0.0.5:22   mlflow-port=5001 artifacts-dir=/data/mlflow   # second',
    '10.0.0.6 allowed-hosts=mlflow.example.com,10.0.0.6:5000',
    '10.0.0.4',
    'bad!host',
    '10.0.0.7 colour=blue',
    '10.0.0.8 mlflow-port',
  ].join('\n');
  const { entries, problems, duplicates } = parseHostsFile(text, 'hosts.txt');
  assert.deepEqual(
    entries.map((e) => [e.origin, e.host, e.user, e.port, e.overrides]),
    [
      ['hosts.txt:2', '10.0.0.4', undefined, undefined, {}],
      ['hosts.txt:4', '10.0.0.5', 'azureuser', 22, { 'mlflow-port': '5001', 'artifacts-dir': '/data/mlflow' }],
      ['hosts.txt:5', '10.0.0.6', undefined, undefined, { 'allowed-hosts': 'mlflow.example.com,10.0.0.6:5000' }],
    ],
  );
  assert.deepEqual(duplicates, [{ line: 6, message: '10.0.0.4 repeats line 2; it runs once' }]);
  assert.deepEqual(problems, [
    { line: 7, message: '"bad!host" is not a valid host name or IP address' },
    { line: 8, message: 'unknown setting "colour" (allowed: artifacts-dir, mlflow-port, allowed-hosts, public-name, supervisor, user, identity-file)' },
    { line: 9, message: '"mlflow-port" is not a key=value setting' },
  ]);
});

test('a hosts-file line: a setting given twice, a bad value, a bad user or a zone id is a bad line with its number', () => {
  const text = [
    '10.0.0.4 artifacts-dir=/a artifacts-dir=/b',
    'ops@10.0.0.5 user=deploy',
    '10.0.0.6 mlflow-port=0',
    '10.0.0.7 user=root;id',
    'fe80::1%eth0',
    '10.0.0.8 artifacts-dir=relative',
    '10.0.0.9 mlflow-port=5001 user=deploy',
  ].join('\n');
  const { entries, problems } = parseHostsFile(text, 'hosts.txt');
  assert.deepEqual(problems, [
    { line: 1, message: '"artifacts-dir" is given twice' },
    { line: 2, message: '"user" is given twice (as ops@ and as user=)' },
    { line: 3, message: 'mlflow-port must be a whole number from 1 to 65535, not "0"' },
    { line: 4, message: '"root;id" is not a valid SSH user name (at most 32 letters, digits, _, . or -, starting with a letter or _)' },
    { line: 5, message: '"fe80::1%eth0" has an IPv6 zone id, which is not supported: use a global address or a ~/.ssh/config alias' },
    { line: 6, message: 'artifacts-dir must be an absolute path on the VM (starting with /), not "relative"' },
  ]);
  assert.deepEqual(
    entries.map((e) => [e.origin, e.user, e.overrides]),
    [['hosts.txt:7', 'deploy', { 'mlflow-port': '5001', user: 'deploy' }]],
  );
});
