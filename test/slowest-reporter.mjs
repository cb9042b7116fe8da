// A node:test reporter added beside the usual one: at the end of a run it lists the ten slowest tests (where the
// suite's minutes go) and closes with one plain line of counts, "tests: N passed, N failed, N skipped". Only
// top-level tests are listed: a test's subtests are inside its time (rerun.test.ts runs vm5 and vm6 side by side:
// its one line is the wall time they cost), so listing them too would show the same minutes twice.
// Plain JavaScript: node loads reporters before --import hooks such as tsx apply.
import { basename } from 'node:path';

const SHOWN = 10; // issue 23: "the slowest ten"

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* slowestTests(source) {
  const finished = [];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.details?.type === 'suite') continue;
    if (data.skip !== undefined || data.todo !== undefined) counts.skipped++;
    else if (event.type === 'test:pass') counts.passed++;
    else counts.failed++;
    if (data.nesting === 0) finished.push({ name: data.name, file: data.file ? basename(data.file) : '', ms: data.details?.duration_ms ?? 0 });
  }
  const slowest = finished.sort((a, b) => b.ms - a.ms).slice(0, SHOWN);
  yield `\nslowest ${slowest.length} tests:\n`;
  for (const t of slowest) yield `  ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.file}  ${t.name}\n`;
  yield `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`;
}
