import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaGate } from '../../src/run/schema-gate.js';
import { isNewerVersion } from '../../src/plan/plan.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the first start on a fresh schema runs alone; the rest start together once it succeeded', async () => {
  const gate = new SchemaGate();
  const events: string[] = [];
  let running = 0;
  let maxBeforeReady = 0;
  let ready = false;
  const start = (name: string, ms: number) =>
    gate.around(
      true,
      async () => {
        running += 1;
        if (!ready) maxBeforeReady = Math.max(maxBeforeReady, running);
        events.push(`start ${name}`);
        await tick(ms);
        ready = true;
        running -= 1;
        events.push(`up ${name}`);
      },
      () => events.push(`wait ${name}`),
    );
  await Promise.all([start('a', 30), start('b', 10), start('c', 10)]);
  assert.equal(maxBeforeReady, 1, 'nobody started beside the first before the schema existed');
  assert.deepEqual(events.slice(0, 4).sort(), ['start a', 'up a', 'wait b', 'wait c']);
  assert.ok(events.indexOf('up a') < events.indexOf('start b') && events.indexOf('up a') < events.indexOf('start c'));
  assert.deepEqual(events.slice(4).sort(), ['start b', 'start c', 'up b', 'up c']);
});

test('when the first start fails, the next waiting host goes alone; hosts that need no gate never wait', async () => {
  const gate = new SchemaGate();
  const order: string[] = [];
  const failing = gate.around(true, async () => {
    order.push('a');
    await tick(20);
    throw new Error('a failed');
  });
  const second = gate.around(true, async () => {
    order.push('b');
    await tick(5);
  });
  const free = gate.around(false, async () => {
    order.push('free');
  });
  await assert.rejects(failing, /a failed/);
  await second;
  await free;
  assert.deepEqual(
    order.filter((x) => x !== 'free'),
    ['a', 'b'],
  );
  assert.ok(order.includes('free'));
});

test('a version change in a batch: every server stopped before the one migration, every start after it', async () => {
  const gate = new SchemaGate();
  const events: string[] = [];
  for (const h of ['a', 'b', 'c']) gate.join(h);
  const change = (h: string, delayMs: number) =>
    (async () => {
      await tick(delayMs); // b reaches its server step late (a slow pip install)
      const how = await gate.versionChange(
        h,
        async () => {
          events.push(`stop ${h}`);
        },
        async () => {
          events.push(`migrate by ${h}`);
          await tick(10);
        },
        () => events.push(`wait ${h}`),
      );
      events.push(`start ${h}`);
      gate.leave(h);
      return how;
    })();
  const c = (async () => {
    await tick(5);
    gate.settle('c'); // c keeps its version: it runs no older server
    events.push('c settled');
  })();
  const [a, b] = await Promise.all([change('a', 0), change('b', 30), c]);
  assert.deepEqual([a, b].sort(), ['migrated', 'waited']);
  assert.deepEqual(events.slice(0, 4), ['stop a', 'wait a', 'c settled', 'stop b']);
  assert.equal(events.filter((e) => e.startsWith('migrate')).length, 1, 'one migration');
  const migrated = events.findIndex((e) => e.startsWith('migrate'));
  assert.ok(events.indexOf('start a') > migrated && events.indexOf('start b') > migrated, events.join(', '));
});

test('a version change does not wait for hosts that failed or finished (they leave)', async () => {
  const gate = new SchemaGate();
  gate.join('a');
  gate.join('b');
  const done = gate.versionChange(
    'a',
    async () => undefined,
    async () => undefined,
  );
  await tick(5);
  gate.leave('b'); // b failed in its apt step
  assert.equal(await done, 'migrated');
});

test('isNewerVersion compares dotted numbers', () => {
  assert.equal(isNewerVersion('3.17.2', '3.16.1'), true);
  assert.equal(isNewerVersion('3.16.1', '3.17.2'), false);
  assert.equal(isNewerVersion('3.10.0', '3.9.9'), true);
  assert.equal(isNewerVersion('3.17.2', '3.17.2'), false);
  assert.equal(isNewerVersion('4.0', '3.99.1'), true);
});
