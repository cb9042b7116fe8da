// The probe's parts one by one: the VM's file names, each part's fragment and readers, the composer, and the
// status script (the probe's parts plus the status-only ones) run by this machine's bash in a made-up home.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildProbeScript, parseFacts, PROBE_PARTS } from '../../src/plan/facts.js';
import { composeProbeScript, homeFile, readProbeOutput } from '../../src/plan/probe/part.js';
import { filesPart } from '../../src/plan/probe/files.js';
import { serverPart } from '../../src/plan/probe/server.js';
import { systemPart } from '../../src/plan/probe/system.js';
import { emptyFacts } from '../../src/plan/probe/types.js';
import { emptyStatusExtras, STATUS_PARTS } from '../../src/plan/probe/status.js';
import { remoteLayout } from '../../src/render/server-files.js';
import { VM_FILES, type VmFile } from '../../src/render/vm-files.js';
import { buildStatusScript, parseStatusExtras } from '../../src/run/status.js';
import { shq } from '../../src/util/shell-quote.js';

const input = { mlflowPort: 5000, logLines: 5, artifactsDir: "/srv/it's here", readFlaskSecretKey: true };

test('every VM file name is a plain shell word, and the layout is the table under the home', () => {
  const layout = remoteLayout('/home/u');
  for (const [file, name] of Object.entries(VM_FILES)) {
    assert.equal(shq(name), name, `${file}: ${name}`);
    assert.doesNotMatch(name, /\//);
    assert.equal(layout[file as VmFile], `/home/u/${name}`);
  }
  assert.equal(homeFile('secrets'), '"$HOME/.mlflow-server.env"');
  assert.equal(remoteLayout('/home/u', '/srv/a').artifactsDir, '/srv/a');
});

test("each key belongs to one part, and each part's fragment is valid shell on its own", () => {
  const owner = new Map<string, string>();
  for (const part of [...PROBE_PARTS, ...STATUS_PARTS]) {
    for (const key of Object.keys(part.keys)) {
      assert.equal(owner.get(key), undefined, `${key} is read by ${owner.get(key)} and ${part.name}`);
      owner.set(key, part.name);
    }
    execFileSync('bash', ['-n'], { input: part.script(input) });
  }
  assert.equal(owner.has('probe_done'), false);
});

test('the composer runs the parts in order and ends with probe_done; the reader needs that line', () => {
  const script = composeProbeScript([systemPart, serverPart], input);
  assert.ok(script.indexOf('sudo -n ss') < script.indexOf('ps -eo'), 'the server part reads what the system part found');
  assert.match(script.trimEnd(), /\necho probe_done=1$/);
  const facts = emptyFacts();
  assert.equal(readProbeOutput('os_id=ubuntu\n', PROBE_PARTS, facts), false);
  assert.equal(facts.osId, 'ubuntu');
  assert.throws(() => parseFacts('os_id=ubuntu\n'), /probe output incomplete/);
  assert.equal(buildProbeScript(input), composeProbeScript(PROBE_PARTS, input));
});

test('the files part tells the four files apart by name in sha256sum and stat lines', () => {
  const facts = emptyFacts();
  const hash = 'a'.repeat(64);
  const text = [
    `${hash}  /home/u/${VM_FILES.launcher}`,
    `${'b'.repeat(64)}  /home/u/${VM_FILES.pgRootCert}`,
    `file_stat=600 u /home/u/${VM_FILES.secrets}`,
    `file_stat=644 root /home/u/${VM_FILES.authIni}`,
    'leftover_upload=/home/u/.x.provision-0123abcd ',
    `flask_secret_key=${'c'.repeat(64)}`,
  ].join('\n');
  readProbeOutput(text, [filesPart], facts);
  assert.deepEqual(facts.files.launcher, { sha256: hash });
  assert.deepEqual(facts.files.pgRootCert, { sha256: 'b'.repeat(64) });
  assert.deepEqual(facts.files.secrets, { mode: 0o600, owner: 'u' });
  assert.deepEqual(facts.files.authIni, { mode: 0o644, owner: 'root' });
  assert.deepEqual(facts.leftoverUploads, ['/home/u/.x.provision-0123abcd '], 'a path is kept as printed');
  assert.equal(facts.flaskSecretKey?.reveal(), 'c'.repeat(64));
  const quoted = emptyFacts();
  readProbeOutput("flask_secret_key='abc'", [filesPart], quoted);
  assert.equal(quoted.flaskSecretKey, undefined);
});

test('the server part reads the live server and each listener with its command line', () => {
  const facts = emptyFacts();
  readProbeOutput(
    `server_pid=42\nserver_fingerprint=fp\nserver_fingerprint_salt=nothex\nlistener=7 7 bob 0 python -m http.server 5000\nlistener=8`,
    [serverPart],
    facts,
  );
  assert.deepEqual(facts.server, { pid: 42, running: true, fingerprint: 'fp' });
  assert.deepEqual(facts.listeners, [
    { pid: 7, pgid: 7, user: 'bob', ours: false, command: 'python -m http.server 5000' },
    { pid: 8, user: '', ours: false, command: '' },
  ]);
});

test("the status script is the probe's parts, then the status parts, each line read by its own side", () => {
  const script = buildStatusScript(5000, 3);
  const probe = buildProbeScript({ mlflowPort: 5000 });
  assert.ok(script.startsWith(probe.slice(0, probe.lastIndexOf('echo probe_done=1'))), 'the probe, unchanged');
  assert.equal(script.match(/probe_done=1/g)?.length, 1);

  const root = mkdtempSync(join(tmpdir(), 'status-parts-'));
  try {
    const home = join(root, 'home');
    mkdirSync(home);
    writeFileSync(join(home, VM_FILES.launcher), '#!/bin/sh\n  --port 5123 \\\n');
    writeFileSync(join(home, VM_FILES.secrets), "A='x y'\n");
    writeFileSync(join(home, VM_FILES.pgRootCert), '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----');
    writeFileSync(join(home, VM_FILES.log), ['1', '2', '3', '  four = 4 ', '5'].join('\n') + '\n');
    writeFileSync(join(home, VM_FILES.pidFile), '1 777 fp\n');
    const out = execFileSync('bash', ['-c', script], { env: { HOME: home, PATH: process.env.PATH, USER: 'u' }, encoding: 'utf8' });
    const x = parseStatusExtras(out);
    assert.deepEqual(x.launcher, ['#!/bin/sh', '  --port 5123 \\']);
    assert.deepEqual(x.secrets, ["A='x y'"]);
    assert.deepEqual(x.pgRoot, ['-----BEGIN CERTIFICATE-----', 'AAA', '-----END CERTIFICATE-----'], 'the last line without its line end too');
    assert.deepEqual(x.log, ['3', '  four = 4 ', '5'], 'the last 3 lines, blanks kept');
    assert.equal(x.startTicks, 777);
    assert.ok(x.sysUptime! > 0 && x.clkTck > 0);
    const facts = parseFacts(out);
    assert.equal(facts.home, home);
    assert.equal(facts.files.launcher.mode !== undefined, true);
    assert.deepEqual(readProbeOutput(out, STATUS_PARTS, emptyStatusExtras()), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
