import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendKnownHost, fingerprint, knownHostsName, loadKnownHosts, parseKnownHosts, patternsMatch, verifyHostKey } from '../../src/openssh/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'prov-kh-'));

function makeKey(type: 'ed25519' | 'ecdsa' | 'rsa', name: string): { blob: Buffer; line: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', path]);
  const pub = readFileSync(`${path}.pub`, 'utf8').trim();
  const [keyType, b64] = pub.split(' ');
  return { blob: Buffer.from(b64!, 'base64'), line: `${keyType} ${b64}` };
}

const ed = makeKey('ed25519', 'a');
const ed2 = makeKey('ed25519', 'b');
const ec = makeKey('ecdsa', 'c');
const rsa = makeKey('rsa', 'd');

/** ssh-keygen -F is the oracle: does OpenSSH find an entry for this name in this file? */
function opensshFinds(file: string, name: string): boolean {
  return spawnSync('ssh-keygen', ['-F', name, '-f', file]).status === 0;
}

test('non-22 ports are stored as [host]:port', () => {
  assert.equal(knownHostsName('10.0.0.4', 22), '10.0.0.4');
  assert.equal(knownHostsName('10.0.0.4', 2222), '[10.0.0.4]:2222');
});

test('hashed, plain, bracketed and wildcard entries match as ssh-keygen -F finds them', () => {
  const file = join(dir, 'known_hosts_mixed');
  writeFileSync(
    file,
    [
      `plain.example.com,10.1.1.1 ${ed.line}`,
      `[port.example.com]:2222 ${ec.line}`,
      `*.wild.example.com ${rsa.line}`,
      `@cert-authority *.ca.example.com ${ed2.line}`,
      `# a comment`,
      '',
    ].join('\n'),
  );
  // a hashed line, written by ssh-keygen itself
  const hashedFile = join(dir, 'known_hosts_hashed');
  writeFileSync(hashedFile, `hashed.example.com ${ed2.line}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', hashedFile], { stdio: 'ignore' });
  const hashedText = readFileSync(hashedFile, 'utf8');
  assert.match(hashedText, /^\|1\|/);
  writeFileSync(file, readFileSync(file, 'utf8') + hashedText);

  const entries = parseKnownHosts(readFileSync(file, 'utf8'));
  const names = [
    'plain.example.com',
    '10.1.1.1',
    '[port.example.com]:2222',
    'port.example.com',
    'a.wild.example.com',
    'hashed.example.com',
    'other.example.com',
    'x.ca.example.com',
  ];
  for (const name of names) {
    const ours = entries.some((e) => e.marker === '' && patternsMatch(e.patterns, name));
    assert.equal(ours, opensshFinds(file, name) && !name.endsWith('ca.example.com'), name);
  }
  assert.equal(verifyHostKey(entries, 'hashed.example.com', ed2.blob).status, 'match');
  assert.equal(verifyHostKey(entries, '[port.example.com]:2222', ec.blob).status, 'match');
  assert.equal(verifyHostKey(entries, 'plain.example.com', ed.blob).status, 'match');
});

test('a different key for a known host is "changed"; an unknown host is "unknown"; @revoked refuses', () => {
  const entries = parseKnownHosts(`10.1.1.1 ${ed.line}\n@revoked * ${rsa.line}\n`);
  assert.deepEqual(verifyHostKey(entries, '10.1.1.1', ed2.blob), { status: 'changed', line: 1, knownType: 'ssh-ed25519' });
  assert.deepEqual(verifyHostKey(entries, '10.9.9.9', ed2.blob), { status: 'unknown' });
  assert.equal(verifyHostKey(entries, '10.9.9.9', rsa.blob).status, 'revoked');
  // a cert-authority line never counts as the host's own key
  assert.equal(verifyHostKey(parseKnownHosts(`@cert-authority * ${ed.line}\n`), 'h', ed.blob).status, 'unknown');
});

test('negated patterns exclude a host', () => {
  assert.equal(patternsMatch('*.example.com,!bad.example.com', 'good.example.com'), true);
  assert.equal(patternsMatch('*.example.com,!bad.example.com', 'bad.example.com'), false);
});

test('appending keeps existing lines, adds a newline if missing, and OpenSSH finds the new entry', () => {
  const file = join(dir, 'append');
  writeFileSync(file, `keep.example.com ${ed.line}`); // no trailing newline
  appendKnownHost(file, '[10.2.2.2]:2222', ec.blob);
  appendKnownHost(file, '10.3.3.3', rsa.blob);
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith(`keep.example.com ${ed.line}\n`));
  assert.ok(opensshFinds(file, '[10.2.2.2]:2222'));
  assert.ok(opensshFinds(file, '10.3.3.3'));
  assert.equal(verifyHostKey(parseKnownHosts(text), '10.3.3.3', rsa.blob).status, 'match');
});

test('fingerprints equal ssh-keygen -l', () => {
  const file = join(dir, 'fp.pub');
  writeFileSync(file, `${ed.line}\n`);
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
  assert.equal(out.split(' ')[1], fingerprint(ed.blob));
});

// Audit: OpenSSH lowercases the host name (ssh.c) and HostKeyAlias before it looks up, hashes or records a
// host, so `VM1` and `vm1` are one host. A hashed entry for vm1 must make another key for VM1 "changed".
test('host names are compared, hashed and recorded in lower case, as OpenSSH does', () => {
  const file = join(dir, 'known_hosts_case');
  writeFileSync(file, `vm1 ${ed.line}\n[vm1]:2222 ${ec.line}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' }); // HashKnownHosts yes, Debian's default
  assert.doesNotMatch(readFileSync(file, 'utf8'), /vm1/);
  const entries = parseKnownHosts(readFileSync(file, 'utf8'));
  assert.deepEqual(verifyHostKey(entries, knownHostsName('VM1', 22), ed2.blob), { status: 'changed', line: 1, knownType: 'ssh-ed25519' });
  assert.equal(verifyHostKey(entries, knownHostsName('VM1', 22), ed.blob).status, 'match');
  assert.equal(verifyHostKey(entries, 'VM1', ed2.blob).status, 'changed');
  assert.equal(verifyHostKey(entries, knownHostsName('Vm1', 2222), ec.blob).status, 'match');
  assert.equal(patternsMatch(entries[0]!.patterns, 'VM1'), true);
  assert.equal(knownHostsName('VM1.Example.COM', 2222), '[vm1.example.com]:2222');

  const recorded = join(dir, 'known_hosts_case_recorded');
  appendKnownHost(recorded, 'VM2.Example.com', ed.blob);
  assert.equal(readFileSync(recorded, 'utf8'), `vm2.example.com ${ed.line}\n`);
  assert.ok(opensshFinds(recorded, 'vm2.example.com'));
});

test('a known_hosts file read once a run is read again when it changes: a key appended, a same-size rewrite', () => {
  const file = join(dir, 'cached');
  const files = { name: '10.4.4.4', userFiles: [file], globalFiles: [] };
  const lookup = () => verifyHostKey(loadKnownHosts(files), '10.4.4.4', ed2.blob).status;
  const old = new Date(Date.now() - 60_000);
  writeFileSync(file, `10.4.4.4 ${ed.line}\n`);
  utimesSync(file, old, old);
  assert.equal(lookup(), 'changed');
  assert.equal(lookup(), 'changed', 'the same answer from the file read before');
  // The same size, written back with the old modification time: its change time still tells.
  writeFileSync(file, `10.4.4.4 ${ed2.line}\n`);
  utimesSync(file, old, old);
  assert.equal(lookup(), 'match');
  appendKnownHost(file, '10.5.5.5', ec.blob);
  assert.equal(verifyHostKey(loadKnownHosts({ ...files, name: '10.5.5.5' }), '10.5.5.5', ec.blob).status, 'match');
});
