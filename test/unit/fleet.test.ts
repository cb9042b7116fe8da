import assert from 'node:assert/strict';
import { test } from 'node:test';
import { databaseKey, fleetsOf, periodicTasksHost, sharedArtifactsRefusal } from '../../src/plan/fleet.js';

const db = (host: string, database = 'mlflow', port = 5432) => ({ host, port, database });

test('fleetsOf: VMs on the same host:port/database are one fleet, in the given order; others apart', () => {
  const items = [
    { label: 'a', db: db('PG.example.com') },
    { label: 'b', db: db('other.example.com') },
    { label: 'c', db: db('pg.example.com') },
    { label: 'd', db: db('pg.example.com', 'mlflow2') },
    { label: 'e', db: db('pg.example.com', 'mlflow', 6432) },
  ];
  const fleets = fleetsOf(items, (i) => i.db);
  assert.deepEqual(
    fleets.map((f) => [f.database, f.members.map((m) => m.label)]),
    [
      ['pg.example.com:5432/mlflow', ['a', 'c']],
      ['other.example.com:5432/mlflow', ['b']],
      ['pg.example.com:5432/mlflow2', ['d']],
      ['pg.example.com:6432/mlflow', ['e']],
    ],
  );
  assert.equal(databaseKey(db('H', 'Db')), 'h:5432/Db', 'database names keep their case');
});

test('sharedArtifactsRefusal: 2+ VMs on one database without Blob are refused in one sentence naming Blob', () => {
  const two = { database: 'pg:5432/mlflow', members: ['a', 'b'] };
  const refusal = sharedArtifactsRefusal(two, false);
  assert.match(refusal ?? '', /^2 VMs share the database pg:5432\/mlflow, .*Azure Blob with --artifacts-destination wasbs:\/\/.*Nothing changed\.$/);
  assert.equal(refusal?.split('. ').length, 2, 'one sentence, then "Nothing changed."');
  assert.equal(sharedArtifactsRefusal(two, true), undefined, 'Blob: allowed');
  assert.equal(sharedArtifactsRefusal({ database: 'pg:5432/mlflow', members: ['a'] }, false), undefined, 'one VM: allowed');
});

test("periodicTasksHost: the fleet's first member keeps the periodic tasks", () => {
  assert.equal(periodicTasksHost({ database: 'x', members: ['vm2', 'vm1'] }), 'vm2');
});
