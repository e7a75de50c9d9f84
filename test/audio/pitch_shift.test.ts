// tm.audio.pitchShift against torchaudio 0.13's pitch_shift on fixed
// harmonic tones (scripts/make-audio-feature-fixtures.py: up and down,
// fractional steps, another window and hop, 24 steps to the octave, and an
// odd length whose stretched length rounds half to even, as Python rounds);
// that it moves a tone's pitch by the factor asked; its gradient; and
// tm.audio.editDistance against torchaudio's edit_distance.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectNormwise } from '../helpers/data.js';

const FIXTURES = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'audio', 'features.npz')));

const SHIFTS: [string, number, tm.audio.PitchShiftOptions][] = [
  ['up4', 4, {}],
  ['down3.5', -3.5, { nFft: 256, winLength: 200, hopLength: 50 }],
  ['octave_down', -12, {}],
  ['fifth_bins24', 14, { binsPerOctave: 24, nFft: 128 }],
];

describe.each(BACKENDS)('tm.audio.pitchShift on %s', (backend) => {
  let t: Record<string, tm.Tensor>;
  beforeAll(async () => {
    await tm.init({ backend });
    t = tm.fromNpz(FIXTURES);
  });

  it.each(SHIFTS)("gives torchaudio's for two tones [2, 1, time] at 16 kHz: %s (%f steps, %o)", async (name, steps, options) => {
    const wave = t[`shift_${name}_wave`];
    const got = tm.audio.pitchShift(wave, 16000, steps, options);
    expect(got.shape).toEqual(wave.shape);
    expectNormwise(await got.data(), await t[`shift_${name}`].data(), 1e-4, name);
  });

  it('moves a tone by the factor asked: 440 Hz up 7 semitones peaks at 440·2^(7/12) Hz', async () => {
    const [rate, n] = [8000, 8000];
    const tone = tm.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / rate)), [n]);
    const shifted = tm.audio.pitchShift(tone, rate, 7, { nFft: 1024 });
    // The second's power spectrum, 1 Hz a bin: its peak.
    const spectrum = await tm.fft.rfft(shifted).square().sum(-1).data();
    const peak = spectrum.indexOf(Math.max(...spectrum));
    expect(Math.abs(peak - 440 * 2 ** (7 / 12))).toBeLessThanOrEqual(2);
  });

  it('is differentiable in the waveform: a random projection of the gradient matches a central difference', async () => {
    // Noise, not a tone: a tone's near-empty bins have phases that turn fast, too fast for a difference step f32 can resolve.
    const x = tm.randn([600]).mul(0.3);
    x.requiresGrad = true;
    const w = tm.randn([600]);
    const f = (v: tm.Tensor) => tm.audio.pitchShift(v, 16000, 3, { nFft: 64 }).mul(w).sum();
    const [grad] = tm.autograd.grad(f(x), [x]);
    const direction = tm.randn([600]);
    const h = 1e-4;
    const slope = ((await f(x.add(direction.mul(h))).item()) - (await f(x.sub(direction.mul(h))).item())) / (2 * h);
    const projected = await grad.mul(direction).sum().item();
    // f is a sum of ~600 terms of tens: its f32 rounding over 2h is worth ~1.
    expect(Math.abs(projected - slope)).toBeLessThan(0.05 * Math.abs(slope) + 3);
  });

  it('refuses bad rates and steps, naming them', () => {
    const x = tm.zeros([2000]);
    expect(() => tm.audio.pitchShift(x, 16000.5, 2)).toThrow('pitchShift: sampleRate must be a positive integer, got 16000.5');
    expect(() => tm.audio.pitchShift(x, 16000, Number.NaN)).toThrow('pitchShift: nSteps must be a finite number, got NaN');
    expect(() => tm.audio.pitchShift(x, 16000, 2, { binsPerOctave: 0 })).toThrow('pitchShift: binsPerOctave must be a positive number, got 0');
  });
});

describe('tm.audio.editDistance', () => {
  it("counts insertions, deletions and substitutions as torchaudio's edit_distance: characters, words, code points, numbers", () => {
    expect(tm.audio.editDistance('kitten', 'sitting')).toBe(3);
    expect(tm.audio.editDistance('', 'abc')).toBe(3);
    expect(tm.audio.editDistance('abc', '')).toBe(3);
    expect(tm.audio.editDistance('flaw', 'lawn')).toBe(2);
    expect(tm.audio.editDistance('the cat sat on the mat'.split(' '), 'the cat sit on mat'.split(' '))).toBe(2);
    expect(tm.audio.editDistance('😀ab', 'ab')).toBe(1);
    expect(tm.audio.editDistance([1, 2, 3, 4], [1, 3, 4, 5])).toBe(2);
    expect(() => tm.audio.editDistance(3 as unknown as string, 'a')).toThrow('editDistance: the first sequence must be a string or an array, got 3');
  });
});
