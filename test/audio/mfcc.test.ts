// tm.audio.mfcc, lfcc and createDct against torchaudio 0.13's MFCC and LFCC
// (their defaults, and log mels or filters with other settings) and
// create_dct; the DCT matrix's orthonormality.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { expectNormwise } from '../helpers/linalg.js';
import { torchaudio } from '../helpers/torchaudio.js';

describe.each(BACKENDS)('tm.audio MFCCs on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('createDct: torchaudio\'s, ortho and not; the ortho matrix has orthonormal columns', async () => {
    const t = torchaudio();
    // torchaudio computes the angles and cosines in f32 (angles up to 37 rad: ~4e-6 off), so compared norm-wise.
    expectNormwise(await tm.audio.createDct(13, 40, 'ortho').data(), await t.dct_ortho.data(), 1e-5, 'ortho');
    expectNormwise(await tm.audio.createDct(13, 40, null).data(), await t.dct_none.data(), 1e-5, 'none');
    const d = tm.audio.createDct(24, 24, 'ortho');
    expectClose(await tm.matmul(d, d, { transposeA: true }).data(), await tm.eye(24).data(), 1e-6, 'DᵀD = I');
  });

  it('mfcc: torchaudio\'s at its defaults (40 coefficients of 128 mels in decibels floored 80 below the maximum) and with log mels', async () => {
    const t = torchaudio();
    const got = tm.audio.mfcc(t.wave);
    expect(got.shape).toEqual([2, 2, 40, 6]);
    expectNormwise(await got.data(), await t.mfcc_default.data(), 2e-5, 'defaults');
    const custom = tm.audio.mfcc(t.wave, { sampleRate: 8000, nMfcc: 13, norm: null, logMels: true, melOptions: { nFft: 200, hopLength: 80, nMels: 23 } });
    expect(custom.shape).toEqual([2, 2, 13, 13]);
    expectNormwise(await custom.data(), await t.mfcc_custom.data(), 2e-5, 'custom');
  });

  it('lfcc: torchaudio\'s LFCC at its defaults (40 of 128 linear filters) and with log filters and other spectrogram options', async () => {
    const t = torchaudio();
    const got = tm.audio.lfcc(t.wave);
    expect(got.shape).toEqual(t.lfcc_default.shape);
    expectNormwise(await got.data(), await t.lfcc_default.data(), 2e-5, 'defaults');
    const custom = tm.audio.lfcc(t.wave, { sampleRate: 8000, nFilter: 30, fMin: 100, fMax: 3500, nLfcc: 12, norm: null, logLf: true, specOptions: { nFft: 128, hopLength: 32 } });
    expect(custom.shape).toEqual(t.lfcc_custom.shape);
    expectNormwise(await custom.data(), await t.lfcc_custom.data(), 2e-5, 'custom');
    expect(() => tm.audio.lfcc(t.wave, { specOptions: { power: 1 } as never })).toThrow(/specOptions.power is not an option here/);
    expect(() => tm.audio.lfcc(t.wave, { nLfcc: 50, nFilter: 40 })).toThrow(/nLfcc 50 is more coefficients than the 40 filters/);
  });

  it('mfcc is differentiable in the waveform', async () => {
    const t = torchaudio();
    const x = tm.slice(t.wave, [0, 0, 0], [1, 1, 1001]);
    x.requiresGrad = true;
    tm.audio.mfcc(x, { nMfcc: 8, logMels: true, melOptions: { nMels: 16, nFft: 128 } }).sum().backward();
    const g = await x.grad!.data();
    expect(g.length).toBe(1001);
    expect(g.every(Number.isFinite) && g.some((v) => v !== 0)).toBe(true);
  });

  it('refuses more coefficients than mel bins, another DCT type, sampleRate inside melOptions', () => {
    const x = tm.zeros([2000]);
    expect(() => tm.audio.mfcc(x, { nMfcc: 30, melOptions: { nMels: 20 } })).toThrow(/nMfcc 30 is more coefficients than the 20 mel bins/);
    expect(() => tm.audio.mfcc(x, { dctType: 3 as never })).toThrow(/dctType must be 2/);
    expect(() => tm.audio.mfcc(x, { melOptions: { sampleRate: 8000 } as never })).toThrow(/give sampleRate beside melOptions/);
    expect(() => tm.audio.mfcc(x, { melOptions: null as never })).toThrow(/melOptions must be an object of melSpectrogram's options, got null/);
    expect(() => tm.audio.mfcc(x, { melOptions: { nMels: 0 } })).toThrow(/melOptions.nMels must be a positive integer, got 0/);
    expect(() => tm.audio.createDct(0, 4, 'ortho')).toThrow(/nMfcc must be a positive integer, got 0/);
    expect(() => tm.audio.createDct(4, 4, 'orthonormal' as never)).toThrow(/norm must be 'ortho' or null/);
  });
});
