// The backends every op suite runs on. The suites compare each against
// float64 references, so a backend joins by being listed here.
import type { BackendName } from '../../src/index.js';

export const BACKENDS: BackendName[] = ['js', 'native'];
