import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaGate } from '../../src/run/schema-gate.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the first start on a fresh schema runs alone; the rest start together once it succeeded', async () => {
  const gate = new SchemaGate();
  const events: string[] = [];
  let running = 0;
  let maxBeforeReady = 0;
  let ready = false;
  const start = (name: string, ms: number) => gate.around(true, async () => {
    running += 1;
    if (!ready) maxBeforeReady = Math.max(maxBeforeReady, running);
    events.push(`start ${name}`);
    await tick(ms);
    ready = true;
    running -= 1;
    events.push(`up ${name}`);
  }, () => events.push(`wait ${name}`));
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
  assert.deepEqual(order.filter((x) => x !== 'free'), ['a', 'b']);
  assert.ok(order.includes('free'));
});
