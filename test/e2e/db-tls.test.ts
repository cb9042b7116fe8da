// The database's TLS modes against the lab's SSL-only Postgres: verify-full with --pg-ssl-root-cert set to the lab
// database's own certificate (self-signed, CA:TRUE, subjectAltName IP:10.231.0.2: its own root), a wrong root,
// verify-ca without a root, and allow against a pg_hba that only accepts TLS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { labFlags, newWorkdir, provision, provisionedVm, statusFlags } from './cli.js';
import { ensureLab, LAB_DB_HOST, LAB_STATE, labDbEnv, requireLab, resetVm, vmExec, vmFileStat, vmReadFile } from './lab.js';

const VM = 31;
const HOME = '/home/azureuser';
const ROOT_ON_VM = `${HOME}/.mlflow-pg-root.crt`;
/** Where scripts/lab/db.sh keeps the lab database's certificate (made by openssl when the cluster is created). */
const LAB_DB_CERT = `${LAB_STATE}/pg/server.crt`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

let available = true;
before(async (t) => {
  available = requireLab(t as never);
  if (!available) return;
  await ensureLab(VM);
  // The lab certificate must be usable as the root for verify-full of 10.231.0.2.
  const text = execFileSync('openssl', ['x509', '-in', LAB_DB_CERT, '-noout', '-text'], { encoding: 'utf8' });
  assert.match(text, /CA:TRUE/, `${LAB_DB_CERT} is not a CA certificate`);
  assert.match(text, new RegExp(`IP Address:${esc(LAB_DB_HOST)}`), `${LAB_DB_CERT} does not name ${LAB_DB_HOST}`);
});

test('verify-ca without --pg-ssl-root-cert is a usage error (exit 2) before any connection', async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const res = await provision([...labFlags(VM, workdir), '--pg-sslmode', 'verify-ca'], { workdir });
  assert.equal(res.code, 2, `${res.stdout}\n${res.stderr}`);
  const out = `${res.stdout}${res.stderr}`;
  assert.match(
    out,
    /--pg-sslmode verify-ca needs the database server's root certificate: pass --pg-ssl-root-cert FILE \(or set POSTGRES_SSLROOTCERT\) with the PEM root certificate\(s\) its certificate chains to — for Azure Database for PostgreSQL, the DigiCert Global Root G2 and Microsoft RSA Root CA 2017 certificates in one PEM file \(see docs\/getting-started-azure\.md\)\./,
  );
  assert.throws(() => readFileSync(join(workdir, 'known_hosts')), 'no SSH connection was made');
});

test('verify-full with a root certificate the database does not chain to: exit 1, one sentence, nothing installed', async (t) => {
  if (!requireLab(t)) return;
  await resetVm(VM);
  const workdir = newWorkdir();
  const wrong = join(workdir, 'wrong-root.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=not-the-lab-db',
      '-addext',
      `subjectAltName=IP:${LAB_DB_HOST}`,
      '-keyout',
      join(workdir, 'wrong.key'),
      '-out',
      wrong,
    ],
    { stdio: 'ignore' },
  );
  const res = await provision([...labFlags(VM, workdir), '--pg-sslmode', 'verify-full', '--pg-ssl-root-cert', wrong], { workdir });
  assert.equal(res.code, 1, res.stdout);
  const sentence = new RegExp(
    `The database server's certificate at ${esc(LAB_DB_HOST)}:5432 does not chain to the root certificate\\(s\\) in ${esc(wrong)} \\(TLS: self[- ]signed certificate\\): pass with --pg-ssl-root-cert the root CA certificate\\(s\\) that issued it`,
  );
  assert.match(res.stdout, sentence);
  // Stopped at the database check: no apt, no venv, no file on the VM.
  assert.doesNotMatch(res.everything, /apt-get|python3 -m venv|uploaded /);
  const vm = await vmExec(VM, `dpkg -s python3-venv >/dev/null 2>&1 && echo venv-pkg; ls -a ${HOME}`);
  assert.doesNotMatch(vm.stdout, /venv-pkg|mlflow-venv|\.mlflow-server\.env|start-mlflow-server\.sh|\.mlflow-pg-root\.crt/);
});

test("verify-full with the lab database's root: exit 0; the VM holds the root file and its URIs name it; a rerun changes nothing; status verifies with it", async (t) => {
  if (!requireLab(t)) return;
  await provisionedVm(VM);
  const workdir = newWorkdir();
  const flags = [...labFlags(VM, workdir), '--pg-sslmode', 'verify-full', '--pg-ssl-root-cert', LAB_DB_CERT];
  const res = await provision(flags, { workdir });
  assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout, new RegExp(`reachable from the VM, TLS \\(certificate chains to ${esc(LAB_DB_CERT)} and names ${esc(LAB_DB_HOST)}\\), login ok`));
  assert.match(res.everything, new RegExp(`uploaded ${esc(ROOT_ON_VM)} \\(0644\\)`));

  // The exact file, public, the user's; the secrets file's URI names it.
  assert.equal(await vmReadFile(VM, ROOT_ON_VM), readFileSync(LAB_DB_CERT, 'utf8'));
  const stat = await vmFileStat(VM, ROOT_ON_VM);
  assert.equal(stat?.mode, 0o644);
  assert.equal(stat?.user, 'azureuser');
  const secrets = await vmReadFile(VM, `${HOME}/.mlflow-server.env`);
  assert.match(
    secrets,
    new RegExp(
      `^MLFLOW_BACKEND_STORE_URI='postgresql\\+psycopg2://mlflow:[^@]+@${esc(LAB_DB_HOST)}:5432/mlflow\\?sslmode=verify-full&connect_timeout=10&sslrootcert=${esc(ROOT_ON_VM)}'$`,
      'm',
    ),
  );

  // libpq on the VM: verify-full needs that file (its default ~/.postgresql/root.crt does not exist), and passes with it.
  const db = labDbEnv();
  const psql = (extra: string) =>
    vmExec(
      VM,
      `PGPASSWORD="$(cat)" psql -X -At "host=${db.host} port=${db.port} user=${db.user} dbname=${db.db} sslmode=verify-full${extra}" -c "select ssl from pg_stat_ssl where pid = pg_backend_pid()"`,
      { user: 'azureuser', input: db.password },
    );
  const without = await psql('');
  assert.notEqual(without.code, 0);
  assert.match(without.stderr, /root certificate file "\/home\/azureuser\/\.postgresql\/root\.crt" does not exist/);
  const withRoot = await psql(` sslrootcert=${ROOT_ON_VM}`);
  assert.equal(withRoot.code, 0, withRoot.stderr);
  assert.equal(withRoot.stdout, 't\n');

  const again = await provision(flags, { workdir });
  assert.equal(again.code, 0, again.stdout);
  assert.match(again.stdout, /Launcher and secrets file: unchanged \(launcher, database root certificate and secrets file are up to date\)/);
  assert.match(again.stdout, /MLflow server: unchanged/);

  const status = await provision(['status', ...statusFlags(VM, workdir)], { workdir, noDbEnv: true });
  assert.equal(status.code, 0, `${status.stdout}\n${status.stderr}`);
  assert.match(
    status.stdout,
    new RegExp(
      `database +PostgreSQL 15\\.\\S+ .*reachable from the VM, TLS \\(certificate chains to ${esc(ROOT_ON_VM)} on the VM and names ${esc(LAB_DB_HOST)}\\), login ok`,
    ),
  );
});

test("allow against the lab's TLS-only pg_hba: the plain attempt is refused, TLS gets in, and the step says TLS", async (t) => {
  if (!requireLab(t)) return;
  const workdir = newWorkdir();
  const res = await provision([...labFlags(VM, workdir), '--pg-sslmode', 'allow', '--dry-run'], { workdir });
  assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout, /reachable from the VM, TLS \(sslmode=allow: the server refused a connection without TLS\), login ok/);
});
