// The host-key decision of one SSH connection (src/hosts/known-hosts.ts HostKeyVerifier, used by
// Remote.connect's hostVerifier): ssh2 calls it at the first key exchange and again at every re-key.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostTarget } from '../../src/config/config.js';
import { DEFAULT_GLOBAL_KNOWN_HOSTS, fingerprint, HostKeyVerifier, knownHostsName, type KnownHostsFiles } from '../../src/openssh/known-hosts.js';
import { knownHostsFilesFor } from '../../src/ssh/client-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'prov-khv-'));

function makeKey(name: string): { blob: Buffer; line: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  const [keyType, b64] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
  return { blob: Buffer.from(b64!, 'base64'), line: `${keyType} ${b64}` };
}

const first = makeKey('first');
const other = makeKey('other');

function files(name: string, extra: Partial<KnownHostsFiles> = {}): KnownHostsFiles {
  return { name, userFiles: [join(dir, `${name}-known_hosts`)], globalFiles: [], ...extra };
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

test('a re-key presenting the same key records nothing again; the recorded key is seen at once', () => {
  const f = files('10.0.0.4');
  const recorded: string[] = [];
  const v = new HostKeyVerifier(f, 'accept-new', (fp, type, file) => recorded.push(`new host key ${type} ${fp} recorded in ${file}`));
  assert.equal(v.verify(first.blob), true);
  assert.equal(v.verify(first.blob), true, 'the first re-key');
  assert.equal(v.verify(first.blob), true, 'the second re-key');
  assert.deepEqual(lines(f.userFiles[0]!), [`10.0.0.4 ${first.line}`], 'one line, not one per key exchange');
  assert.deepEqual(recorded, [`new host key ssh-ed25519 ${fingerprint(first.blob)} recorded in ${f.userFiles[0]}`]);
  assert.deepEqual(new HostKeyVerifier(f, 'strict').knownKeyTypes(), ['ssh-ed25519']);
  assert.equal(new HostKeyVerifier(f, 'strict').verify(first.blob), true, 'a later connection finds it');
});

test('a re-key presenting another key than the first is refused, and nothing is recorded', () => {
  const f = files('10.0.0.5');
  const v = new HostKeyVerifier(f, 'accept-new');
  assert.equal(v.verify(first.blob), true);
  assert.equal(v.verify(other.blob), false);
  assert.equal(
    v.problem,
    `10.0.0.5 presented another host key (${fingerprint(other.blob)}) when the SSH connection re-keyed than the one it was verified with (${fingerprint(first.blob)}); ` +
      'a server does not change its key within a connection: this may be an attack, so the connection was closed.',
  );
  assert.deepEqual(lines(f.userFiles[0]!), [`10.0.0.5 ${first.line}`]);
  // and a known host too: the pinned key, not the file, decides at a re-key
  const known = new HostKeyVerifier(f, 'strict');
  assert.equal(known.verify(first.blob), true);
  assert.equal(known.verify(other.blob), false);
});

test('a hashed entry for the lower-case name makes another key for the upper-case name CHANGED', () => {
  const f = files(knownHostsName('VM1', 22));
  assert.equal(f.name, 'vm1');
  writeFileSync(f.userFiles[0]!, `vm1 ${first.line}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', f.userFiles[0]!], { stdio: 'ignore' });
  const before = readFileSync(f.userFiles[0]!, 'utf8');
  const v = new HostKeyVerifier(f, 'accept-new');
  assert.equal(v.verify(other.blob), false);
  assert.match(
    v.problem!,
    /^The host key of vm1 has CHANGED \(now SHA256:\S+; .*vm1-known_hosts line 1 holds another ssh-ed25519 key\)\. This may be a reinstalled VM or an attack\. If you expect it, run: ssh-keygen -R vm1 -f \S+ and rerun\.$/,
  );
  assert.equal(readFileSync(f.userFiles[0]!, 'utf8'), before, 'nothing recorded');
});

test('global known_hosts files are trusted for lookup and never written; a changed key there is refused', () => {
  const global = join(dir, 'ssh_known_hosts');
  writeFileSync(global, `10.0.0.6 ${first.line}\n`);
  const f = files('10.0.0.6', { globalFiles: [join(dir, 'missing_global'), global] });
  const v = new HostKeyVerifier(f, 'strict');
  assert.equal(v.verify(first.blob), true);
  assert.equal(existsSync(f.userFiles[0]!), false, 'the user file is not even created');
  assert.equal(readFileSync(global, 'utf8'), `10.0.0.6 ${first.line}\n`);
  const changed = new HostKeyVerifier(f, 'accept-new');
  assert.equal(changed.verify(other.blob), false);
  assert.match(
    changed.problem!,
    new RegExp(
      `${global.replace(/[./]/g, '\\$&')} line 1 holds another ssh-ed25519 key.*run: sudo ssh-keygen -R 10\\.0\\.0\\.6 -f ${global.replace(/[./]/g, '\\$&')} and rerun\\.$`,
    ),
  );
  assert.equal(existsSync(f.userFiles[0]!), false);
});

test('strict names the files looked in; a file that cannot be written refuses the host instead of throwing', () => {
  const f = files('10.0.0.7');
  const strict = new HostKeyVerifier(f, 'strict');
  assert.equal(strict.verify(first.blob), false);
  assert.equal(
    strict.problem,
    `10.0.0.7 is not in ${f.userFiles[0]} (key ${fingerprint(first.blob)}) and --host-key-policy is strict: verify the fingerprint and add it (e.g. ssh-keyscan), or use --host-key-policy accept-new.`,
  );

  const plainFile = join(dir, 'a-file');
  writeFileSync(plainFile, '');
  const unwritable = new HostKeyVerifier(files('10.0.0.8', { userFiles: [join(plainFile, 'sub', 'known_hosts')] }), 'accept-new');
  assert.equal(unwritable.verify(first.blob), false);
  assert.match(
    unwritable.problem!,
    /^The new host key of 10\.0\.0\.8 \(SHA256:\S+\) could not be recorded in .*a-file\/sub\/known_hosts \((ENOTDIR|EEXIST)\): fix the file's permissions or give another file with --known-hosts\.$/,
  );

  const none = new HostKeyVerifier(files('10.0.0.9', { userFiles: [] }), 'accept-new');
  assert.equal(none.verify(first.blob), false);
  assert.match(none.problem!, /UserKnownHostsFile none, so its key cannot be recorded/);
});

test('a target built without resolveTarget uses knownHostsPath, the lower-case address and the default global files', () => {
  const target: HostTarget = {
    label: 'VM1',
    name: 'VM1',
    address: 'VM1.Example.com',
    port: 2222,
    user: 'u',
    identityFiles: [],
    origin: '--host',
    overrides: {},
  };
  assert.deepEqual(knownHostsFilesFor(target, '/k/known_hosts'), {
    name: '[vm1.example.com]:2222',
    userFiles: ['/k/known_hosts'],
    globalFiles: DEFAULT_GLOBAL_KNOWN_HOSTS,
  });
  assert.deepEqual(DEFAULT_GLOBAL_KNOWN_HOSTS, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
  // ssh-keygen agrees with what was recorded for a mixed-case name
  const f = files(knownHostsName('MiXeD.example.com', 22));
  assert.equal(new HostKeyVerifier(f, 'accept-new').verify(first.blob), true);
  assert.equal(spawnSync('ssh-keygen', ['-F', 'mixed.example.com', '-f', f.userFiles[0]!]).status, 0);
});
