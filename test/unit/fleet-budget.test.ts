import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  connectionLimitsOf,
  AZURE_RESERVED_CONNECTIONS,
  isAzurePostgres,
  availableConnections,
  connectionsPerWorker,
  planConnectionBudget,
  type BudgetInput,
} from '../../src/plan/fleet-budget.js';
import { DB_POOL } from '../../src/render/server-files.js';

// An Azure B1ms flexible server: max_connections 50, 3 reserved for the superuser (PostgreSQL 16: 0 more).
const B1MS = { maxConnections: 50, superuserReserved: 3, reserved: 0 };
const input = (workers: number[], over: Partial<BudgetInput> = {}): BudgetInput => ({
  database: 'pg:5432/mlflow',
  limits: B1MS,
  servers: workers.map((w, i) => ({ host: `vm${i + 1}`, workers: w })),
  auth: false,
  pool: DB_POOL,
  ...over,
});

test('the arithmetic: 2 + 3 per worker, twice with --auth basic; max_connections less both reserved settings', () => {
  assert.equal(connectionsPerWorker({ auth: false, pool: DB_POOL }), 5);
  assert.equal(connectionsPerWorker({ auth: true, pool: DB_POOL }), 10);
  assert.equal(availableConnections(B1MS), 47);
  assert.equal(availableConnections({ maxConnections: 100, superuserReserved: 3, reserved: 5 }), 92);
});

test('a single VM is checked too: 4 workers (20 + 1) fit a B1ms; with --auth basic (40 + 1) as well', () => {
  const one = planConnectionBudget(input([4]));
  assert.ok(one.ok);
  assert.equal(one.needed, 21);
  assert.deepEqual(one.reduced, []);
  const auth = planConnectionBudget(input([4], { auth: true }));
  assert.ok(auth.ok);
  assert.equal(auth.needed, 41);
  assert.equal(auth.workers.get('vm1'), 4);
});

test('too many: one worker fewer at a time from the server with the most, said per host', () => {
  // 3 servers x 4 workers x 5 + 1 = 61 > 47: 9 workers (46) is the most that fits.
  const v = planConnectionBudget(input([4, 4, 4]));
  assert.ok(v.ok);
  assert.equal(v.needed, 46);
  assert.deepEqual([...v.workers.values()], [3, 3, 3]);
  assert.deepEqual(v.reduced, [
    { host: 'vm1', from: 4, to: 3 },
    { host: 'vm2', from: 4, to: 3 },
    { host: 'vm3', from: 4, to: 3 },
  ]);
  // Uneven: the big one gives first; the small one keeps its 1.
  const u = planConnectionBudget(input([8, 1], { auth: true }));
  assert.ok(u.ok);
  assert.deepEqual([...u.workers.values()], [3, 1]);
  assert.deepEqual(u.reduced, [{ host: 'vm1', from: 8, to: 3 }]);
});

test('at 1 worker each still too many: refused with the numbers in one sentence', () => {
  // 5 servers with --auth basic: 5 x 10 + 1 = 51 > 47.
  const v = planConnectionBudget(input([2, 2, 2, 2, 2], { auth: true }));
  assert.equal(v.ok, false);
  assert.ok(!v.ok);
  assert.equal(v.needed, 51);
  assert.equal(
    v.refusal,
    'The database pg:5432/mlflow allows 47 connections (max_connections 50 less 3 reserved), and 5 servers at 1 worker each need 51 ' +
      '(10 per worker: 2 pooled + 3 overflow, twice with --auth basic; plus 1 for a migration): raise max_connections (on Azure a larger compute tier) or put fewer VMs on this database. Nothing changed.',
  );
  // Exactly full fits.
  assert.ok(planConnectionBudget(input([1, 1, 1, 1], { limits: { maxConnections: 44, superuserReserved: 3, reserved: 0 }, auth: true })).ok);
  assert.equal(planConnectionBudget(input([1, 1, 1, 1], { limits: { maxConnections: 43, superuserReserved: 3, reserved: 0 }, auth: true })).ok, false);
});

test('Azure Database for PostgreSQL keeps 15 connections for itself: a B1ms leaves 35 to users, whatever its settings say', () => {
  assert.ok(isAzurePostgres('mlflow-db.postgres.database.azure.com'));
  assert.ok(!isAzurePostgres('db.example.com'));
  assert.equal(AZURE_RESERVED_CONNECTIONS, 15);
  assert.equal(availableConnections({ ...B1MS, azure: true }), 35);
  assert.equal(availableConnections({ maxConnections: 100, superuserReserved: 10, reserved: 10, azure: true }), 80, 'larger settings win');
  // 2 servers x 4 workers x 5 + 1 = 41 > 35: 3 + 3 workers (31).
  const v = planConnectionBudget(input([4, 4], { limits: { ...B1MS, azure: true } }));
  assert.ok(v.ok);
  assert.deepEqual([...v.workers.values()], [3, 3]);
  const refused = planConnectionBudget(input([1, 1, 1, 1], { limits: { ...B1MS, azure: true }, auth: true }));
  assert.ok(!refused.ok);
  assert.match(refused.refusal, /allows 35 connections \(max_connections 50 less 15 reserved\), and 4 servers at 1 worker each need 41/);
});

test('the settings as Postgres reads them: text, reserved_connections NULL before 16; anything else is no budget', () => {
  assert.deepEqual(connectionLimitsOf({ max_connections: '50', superuser_reserved: '3', reserved: null }), {
    maxConnections: 50,
    superuserReserved: 3,
    reserved: 0,
  });
  assert.deepEqual(connectionLimitsOf({ max_connections: '100', superuser_reserved: '3', reserved: '5' }), {
    maxConnections: 100,
    superuserReserved: 3,
    reserved: 5,
  });
  assert.equal(connectionLimitsOf({ max_connections: 'lots', superuser_reserved: '3', reserved: null }), undefined);
  assert.equal(connectionLimitsOf({ max_connections: '50', superuser_reserved: '-1', reserved: null }), undefined);
});
