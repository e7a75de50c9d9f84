// Prints vitest's JSON results as one plain closing line, 'tests: N passed, N failed, N skipped',
// which CI reads to know how many tests ran.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-output/vitest.json';
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
