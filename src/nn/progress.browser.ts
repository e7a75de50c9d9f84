// fit's progress bar as the browser bundle has it: a page has no terminal,
// so none (as progress.ts answers outside one). scripts/build.mjs puts this
// file in place of progress.ts in dist/tmnn.browser.js.
import type { Progress } from './progress.js';

export function startProgress(): Promise<Progress | null> {
  return Promise.resolve(null);
}
