// tm.audio.inverseMelScale against the least-norm least-squares solution of
// fbᵀ·X = M in float64 (a float64 SVD of the bank tmnn makes, its singular
// values at or below f32's eps·max(m, n)·σ_max left out, as lstsq's 'gelsd'
// leaves them), negatives set to 0: on torchaudio's default bank (128 mels
// over 201 bins, 21 of its directions empty or near-parallel), on a small
// bank lacking rank, on more mels than bins, and on Slaney's scale and
// norm; on the default bank against tm.linalg.lstsq on the same backend
// too (LAPACK's SVD on native); its gradient, f16, and what it refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, uniform } from '../helpers/data.js';
import { expectNormwise, matmul64, transpose64 } from '../helpers/linalg.js';
import { identity, minimumNormRef } from '../helpers/spectral.js';

interface Bank {
  nStft: number;
  nMels: number;
  sampleRate: number;
  norm: tm.audio.MelNorm;
  melScale: tm.audio.MelScaleKind;
}

/** P [nStft, nMels], the least-squares inverse of fbᵀ in float64, and the rank it keeps. */
async function inverseOf({ nStft, nMels, sampleRate, norm, melScale }: Bank): Promise<{ p: Float64Array; rank: number }> {
  const fb = await tm.audio.melscaleFbanks(nStft, 0, Math.floor(sampleRate / 2), nMels, sampleRate, { norm, melScale }).data();
  const { x, rank } = minimumNormRef(transpose64(fb, nStft, nMels), nMels, nStft, identity(nMels), nMels, 2 ** -23 * nStft);
  return { p: x, rank };
}

/** The bank's options as inverseMelScale takes them. */
const optionsOf = ({ sampleRate, norm, melScale }: Bank): tm.audio.InverseMelScaleOptions => ({ sampleRate, norm, melScale });

/** relu(P·M) for each of `count` spectrograms M [nMels, time]. */
function inverseRef(p: Float64Array, m: ArrayLike<number>, { nStft, nMels }: Bank, count: number, time: number): Float64Array {
  const out = new Float64Array(count * nStft * time);
  for (let b = 0; b < count; b++) {
    const x = matmul64(p, Array.from(m).slice(b * nMels * time, (b + 1) * nMels * time), nStft, nMels, time);
    out.set(x.map((v) => Math.max(v, 0)), b * nStft * time);
  }
  return out;
}

const BANKS: [string, Bank, number][] = [
  ["torchaudio's default bank, 128 mels over 201 bins", { nStft: 201, nMels: 128, sampleRate: 16000, norm: null, melScale: 'htk' }, 107],
  ['40 mels over 65 bins', { nStft: 65, nMels: 40, sampleRate: 16000, norm: null, melScale: 'htk' }, 34],
  ["Slaney's scale and norm, 40 mels over 201 bins", { nStft: 201, nMels: 40, sampleRate: 16000, norm: 'slaney', melScale: 'slaney' }, 40],
  ['more mels than bins, 40 over 33', { nStft: 33, nMels: 40, sampleRate: 16000, norm: null, melScale: 'htk' }, 25],
];

describe.each(BACKENDS)('tm.audio.inverseMelScale on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(BANKS)('%s: relu of the least-norm least-squares solution, frame by frame, a batch of 2 × 2', async (_, bank, rank) => {
    const { p, rank: kept } = await inverseOf(bank);
    expect(kept).toBe(rank);
    // A mel spectrogram of a random power spectrogram, as inverseMelScale meets them.
    const time = 7;
    const spec = tm.tensor(asF32(uniform(4 * bank.nStft * time, 0, 1)), [2, 2, bank.nStft, time]);
    const mel = tm.audio.melScale(spec, { ...optionsOf(bank), nMels: bank.nMels });
    const got = tm.audio.inverseMelScale(mel, bank.nStft, optionsOf(bank));
    expect(got.shape).toEqual([2, 2, bank.nStft, time]);
    expectNormwise(await got.data(), inverseRef(p, await mel.data(), bank, 4, time), 1e-4, 'spectrogram');
  });

  it('is differentiable in the mel spectrogram: the gradient is Pᵀ times the incoming one where the result is positive', async () => {
    const bank = BANKS[1][1];
    const { p } = await inverseOf(bank);
    const time = 5;
    const m = asF32(uniform(bank.nMels * time, -0.2, 1));
    const mel = tm.tensor(m, [bank.nMels, time]);
    mel.requiresGrad = true;
    const w = asF32(uniform(bank.nStft * time));
    const out = tm.audio.inverseMelScale(mel, bank.nStft, optionsOf(bank));
    tm.tidy(() => out.mul(tm.tensor(w, [bank.nStft, time])).sum()).backward();
    const x = matmul64(p, m, bank.nStft, bank.nMels, time);
    const passed = Float64Array.from(w, (v, i) => (x[i] > 0 ? v : 0));
    expectNormwise(await mel.grad!.data(), matmul64(transpose64(p, bank.nStft, bank.nMels), passed, bank.nMels, bank.nStft, time), 1e-4, 'gradient');
  });

  it("gives tm.linalg.lstsq's answer (driver 'gelsd') on torchaudio's default bank", async () => {
    const bank = BANKS[0][1];
    const m = tm.tensor(asF32(uniform(bank.nMels * 6, 0, 1)), [bank.nMels, 6]);
    const fb = tm.audio.melscaleFbanks(bank.nStft, 0, 8000, bank.nMels, 16000);
    const solved = tm.relu(tm.linalg.lstsq(fb.transpose(), m, { driver: 'gelsd' }).solution);
    expectNormwise(await tm.audio.inverseMelScale(m, bank.nStft).data(), await solved.data(), 1e-4, 'against lstsq');
  });

  it('keeps f16 as f16', async () => {
    const bank = BANKS[2][1];
    const { p } = await inverseOf(bank);
    const time = 3;
    const m = asF32(uniform(bank.nMels * time, 0, 0.05));
    const want = inverseRef(p, m, bank, 1, time);
    const half = tm.audio.inverseMelScale(tm.tensor(m, [bank.nMels, time]).cast('f16'), bank.nStft, optionsOf(bank));
    expect(half.dtype).toBe('f16');
    expectNormwise(await half.data(), want, 2e-2, 'f16');
  });

  it('refuses a bad nStft, bank or input, naming what is wrong', () => {
    const mel = tm.zeros([128, 4]);
    expect(() => tm.audio.inverseMelScale(mel, 1.5)).toThrow('inverseMelScale: nStft must be an integer ≥ 2 (nFft/2 + 1 frequency bins), got 1.5');
    expect(() => tm.audio.inverseMelScale(mel, 201, { fMin: 9000 })).toThrow('inverseMelScale: the band must be 0 ≤ fMin ≤ fMax, got fMin 9000 and fMax 8000');
    expect(() => tm.audio.inverseMelScale(tm.zeros([128]), 201)).toThrow('inverseMelScale: melspec [128] must be [..., nMels, time]');
    expect(() => tm.audio.inverseMelScale(tm.zeros([128, 4], { dtype: 'i32' }), 201)).toThrow('inverseMelScale');
    expect(() => tm.audio.inverseMelScale(mel, 201, { nMels: 128 } as tm.audio.InverseMelScaleOptions)).toThrow('nMels');
  });
});
