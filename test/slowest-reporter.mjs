// A node:test reporter added beside the usual one: at the end of a run it lists the ten slowest tests (where the
// suite's minutes go) and closes with one plain line of counts, "tests: N passed, N failed, N skipped". Only
// top-level tests are listed: a test's subtests are inside its time (rerun.test.ts runs vm5 and vm6 side by side:
// its one line is the wall time they cost), so listing them too would show the same minutes twice.
// scripts/test.sh runs the suite as many `node --test` runs (two side by side), and wants one list for all of them:
// with SLOWEST_TESTS_RECORD=1 the reporter writes its records instead (one JSON line per top-level test, then one of
// counts), and `node test/slowest-reporter.mjs FILE...` prints the list and the counts of those record files.
// Plain JavaScript: node loads reporters before --import hooks such as tsx apply.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

const SHOWN = 10; // issue 23: "the slowest ten"

/** @param {Array<{ name: string, file: string, ms: number }>} finished @param {{ passed: number, failed: number, skipped: number }} counts */
function summary(finished, counts) {
  const slowest = [...finished].sort((a, b) => b.ms - a.ms).slice(0, SHOWN);
  const lines = [`\nslowest ${slowest.length} tests:`];
  for (const t of slowest) lines.push(`  ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.file}  ${t.name}`);
  lines.push(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return `${lines.join('\n')}\n`;
}

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* slowestTests(source) {
  const record = process.env.SLOWEST_TESTS_RECORD === '1';
  const finished = [];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.details?.type === 'suite') continue;
    if (data.skip !== undefined || data.todo !== undefined) counts.skipped++;
    else if (event.type === 'test:pass') counts.passed++;
    else counts.failed++;
    if (data.nesting !== 0) continue;
    const test = { name: data.name, file: data.file ? basename(data.file) : '', ms: data.details?.duration_ms ?? 0 };
    finished.push(test);
    if (record) yield `${JSON.stringify({ test })}\n`;
  }
  yield record ? `${JSON.stringify({ counts })}\n` : summary(finished, counts);
}

/** The list and counts of record files written with SLOWEST_TESTS_RECORD=1; a run that wrote none counts nothing. */
function mergeRecords(files) {
  const finished = [];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line);
      if (entry.test) finished.push(entry.test);
      if (entry.counts) for (const k of Object.keys(counts)) counts[k] += entry.counts[k];
    }
  }
  return summary(finished, counts);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(mergeRecords(process.argv.slice(2)));
}
