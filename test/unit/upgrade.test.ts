import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { backendUriWithoutPassword, type DatabaseSettings } from '../../src/render/backend-uri.js';
import { remoteLayout } from '../../src/render/server-files.js';
import { SchemaGate } from '../../src/run/schema-gate.js';
import { dbUpgradeCommand, logTailCommand } from '../../src/plan/commands.js';
import { Secret } from '../../src/util/secret.js';

const PASSWORD = "up@grade:/#?%' pw";
const db: DatabaseSettings = { host: 'db.example.com', port: 5432, user: 'mlflow', database: 'ml flow', password: new Secret(PASSWORD), sslmode: 'require' };

test('mlflow db upgrade gets a URI without password; the password arrives in PGPASSWORD from stdin', () => {
  const home = mkdtempSync(join(tmpdir(), 'prov-up-'));
  const layout = remoteLayout(home);
  // A fake mlflow that reports its argv and what libpq would read.
  mkdirSync(join(layout.venv, 'bin'), { recursive: true });
  writeFileSync(join(layout.venv, 'bin', 'mlflow'), '#!/bin/bash\nprintf "argv=%s\\n" "$*"\nprintf "pgpassword=%s\\n" "$PGPASSWORD"\n');
  chmodSync(join(layout.venv, 'bin', 'mlflow'), 0o755);
  const c = dbUpgradeCommand(layout, backendUriWithoutPassword(db), db.password);
  assert.ok(!c.command.includes(PASSWORD) && !c.command.includes(encodeURIComponent(PASSWORD)), 'no password in the command');
  assert.ok(!c.label.includes(PASSWORD));
  // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what a template makes of a Secret is the point
  assert.equal(`${c.stdin}`, '***');
  const out = execFileSync('bash', ['-c', c.command], { input: `${c.stdin!.reveal()}\n`, encoding: 'utf8' });
  assert.equal(out, `argv=db upgrade postgresql+psycopg2://mlflow@db.example.com:5432/ml%20flow?sslmode=require&connect_timeout=10\npgpassword=${PASSWORD}\n`);
});

test('a failed start is explained from its own log lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-log-'));
  const layout = remoteLayout(dir);
  writeFileSync(layout.log, 'old line: Detected out-of-date database schema (old)\n');
  const offset = 'old line: Detected out-of-date database schema (old)\n'.length;
  writeFileSync(layout.log, 'new line 1\nnew line 2\n', { flag: 'a' });
  assert.equal(execFileSync('bash', ['-c', logTailCommand(layout, 20, offset).command], { encoding: 'utf8' }), 'new line 1\nnew line 2\n');
  assert.match(execFileSync('bash', ['-c', logTailCommand(layout, 20).command], { encoding: 'utf8' }), /^old line/);
});

test('schema upgrades of a batch take turns', async () => {
  const gate = new SchemaGate();
  const events: string[] = [];
  const job = (name: string, fail = false) =>
    gate.exclusive(async () => {
      events.push(`${name} start`);
      await new Promise((r) => setTimeout(r, 20));
      events.push(`${name} end`);
      if (fail) throw new Error(name);
    });
  const results = await Promise.allSettled([job('a', true), job('b'), job('c')]);
  assert.deepEqual(events, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'fulfilled', 'fulfilled'],
  );
});
