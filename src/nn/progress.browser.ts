// fit's progress as the browser bundle has it: none, since progress.ts
// writes to a process's stderr, which a page lacks. scripts/build.mjs puts this
// file in place of progress.ts in dist/tmnn.browser.js.
import type { Progress } from './progress.js';

export function startProgress(): Promise<Progress | null> {
  return Promise.resolve(null);
}
