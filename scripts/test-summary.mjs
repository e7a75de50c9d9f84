// Prints vitest's JSON results as one plain closing line, 'tests: N passed, N failed, N skipped',
// which CI reads to know how many tests ran. Before it, the files whose worker ended before
// reporting (a crash: vitest then says only "Worker exited unexpectedly", naming no file) —
// their tests stay 'pending' in the report, neither passed nor failed nor skipped.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2] ?? 'test-output/vitest.json';
const r = JSON.parse(readFileSync(file, 'utf8'));
for (const f of r.testResults) {
  const unreported = f.assertionResults.filter((a) => a.status === 'pending').length;
  if (unreported) console.log(`did not finish: ${relative(process.cwd(), f.name)} (${unreported} of its ${f.assertionResults.length} tests never reported; its worker exited)`);
}
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
