import { it } from 'vitest';
import * as tm from '../../src/index.js';
it('p', async () => { await tm.init({ backend: 'native' }); const r = tm.ones([2, 4]).matmul(tm.ones([4, 0])); console.log('RESULT', JSON.stringify(r.shape), JSON.stringify(await r.array())); });
