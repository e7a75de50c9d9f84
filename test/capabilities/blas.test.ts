import { describe, expect, it } from 'vitest';
import { blasReport, coreMismatch } from '../../src/capabilities/blas.js';

describe('BLAS core against the CPU', () => {
  it('flags AVX2 kernels forced on an AVX-512 CPU, naming the variable and the fix', () => {
    const m = coreMismatch('Haswell', { avx2: true, avx512f: true }, 'Haswell');
    expect(m).toContain('OPENBLAS_CORETYPE=Haswell');
    expect(m).toContain('unset it');
  });

  it('accepts matching cores, and AVX-512 kernels on a CPU that has them', () => {
    expect(coreMismatch('SkylakeX', { avx2: true, avx512f: true })).toBeUndefined();
    expect(coreMismatch('Cooperlake', { avx2: true, avx512f: true })).toBeUndefined();
    expect(coreMismatch('Haswell', { avx2: true, avx512f: false })).toBeUndefined();
    expect(coreMismatch('Zen', { avx2: true })).toBeUndefined();
  });

  it('flags a pre-AVX2 core on an AVX2 CPU even without the variable', () => {
    expect(coreMismatch('Sandybridge', { avx2: true })).toContain('Sandybridge');
  });

  it('reports the library, version and threads from OpenBLAS, or why there is none', () => {
    const r = blasReport({ corename: 'SkylakeX', config: 'OpenBLAS 0.3.21 DYNAMIC_ARCH', threads: 4, parallel: 1 }, { avx512f: true, avx2: true });
    expect(r).toMatchObject({ available: true, library: 'OpenBLAS', version: '0.3.21', core: 'SkylakeX', threads: 4 });
    const fromHeaders = blasReport({ corename: 'Zen', config: 'DYNAMIC_ARCH NO_AFFINITY', version: '0.3.29', threads: 2, parallel: 1 }, { avx2: true });
    expect(fromHeaders.version).toBe('0.3.29');
    expect(blasReport(null, {}, 'addon not built')).toEqual({ available: false, reason: 'addon not built' });
  });
});

describe('BLAS report in the browser bundle (blas.browser.ts in blas.ts\'s place)', () => {
  it('has no BLAS, and says why as the report passes it on', async () => {
    const browser = await import('../../src/capabilities/blas.browser.js');
    expect(browser.blasReport(null, {}, 'the native backend needs Node.js')).toEqual(blasReport(null, {}, 'the native backend needs Node.js'));
    expect(browser.blasReport(null, {}, 'the native backend needs Node.js')).toEqual({ available: false, reason: 'the native backend needs Node.js' });
  });
});
