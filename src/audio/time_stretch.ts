// Time stretching without a change of pitch (torchaudio's phase_vocoder and
// TimeStretch): a complex spectrogram read at frames 0, rate, 2·rate, …,
// each magnitude interpolated between its two neighbouring frames and each
// phase advanced by the phase difference the neighbours show (unwrapped
// around the bin's expected advance), so the result's istft plays the
// same sound 1/rate times as long.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { add, mul, round, sub } from '../ops/elementwise.js';
import { abs, angle, polar } from '../ops/fft/complex.js';
import { castTo, checkComplex, inF32 } from '../ops/fft/pairs.js';
import { concat, cumsum, gather, pad, slice } from '../ops/movement.js';
import { linspace } from '../ops/creation.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';

/**
 * The complex spectrogram z [..., freq, time, 2] stretched in time by 1/rate
 * (torchaudio.functional.phase_vocoder): [..., freq, ⌈time/rate⌉, 2].
 * phaseAdvance [freq, 1] is each bin's expected phase advance per frame,
 * π·hop·k/(freq − 1) for bin k (see timeStretch). Differentiable in z
 * where its entries are nonzero (angle's gradient is NaN at 0).
 */
export function phaseVocoder(z: Tensor, rate: number, phaseAdvance: Tensor): Tensor {
  const op = 'phaseVocoder';
  checkComplex(op, z, 'z', 2);
  if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate)) throw new ValueError(`${op}: rate must be a positive number, got ${formatValue(rate)}`);
  const [freq, time] = z.shape.slice(-3, -1);
  if (phaseAdvance.rank !== 2 || phaseAdvance.shape[0] !== freq || phaseAdvance.shape[1] !== 1) {
    throw new ShapeError(`${op}: phaseAdvance ${formatShape(phaseAdvance.shape)} must be [freq, 1] = [${freq}, 1] for z ${formatShape(z.shape)}`);
  }
  if (rate === 1) return z.clone();
  // The frames read, as torch's arange(0, time, rate) in f32 gives them: ⌈time/rate⌉ of them, each i·rate rounded once.
  const frames = Math.ceil(time / rate);
  const steps = Array.from({ length: frames }, (_, i) => Math.fround(i * rate));
  return tidy(() => {
    // In f32 (f16 angles would feed an accumulating sum), cast back once.
    const spectrum = inF32(z);
    const timeAxis = z.rank - 2;
    const on = (values: ArrayLike<number>, shape: number[], int = false) => onBackendOf(op, z, () => tensor(int ? Int32Array.from(values) : Float32Array.from(values), shape));
    const alphas = on(steps.map((t) => t % 1), [frames]);
    // Two frames of zeros past the end, so that frame ⌊t⌋ + 1 always exists.
    const padded = pad(spectrum, z.shape.map((_, i) => (i === timeAxis ? [0, 2] : [0, 0])));
    const before = gather(padded, on(steps.map(Math.floor), [frames], true), timeAxis);
    const after = gather(padded, on(steps.map((t) => Math.floor(t) + 1), [frames], true), timeAxis);
    const advance = inF32(phaseAdvance);
    const turn = sub(sub(angle(after), angle(before)), advance);
    const unwrapped = add(sub(turn, mul(round(mul(turn, 1 / (2 * Math.PI))), 2 * Math.PI)), advance);
    const first = angle(slice(spectrum, z.shape.map(() => 0), z.shape.map((d, i) => (i === timeAxis ? 1 : d))));
    const phase = concat([first, slice(unwrapped, unwrapped.shape.map(() => 0), unwrapped.shape.map((d, i) => (i === unwrapped.rank - 1 ? frames - 1 : d)))], -1);
    const magnitude = add(mul(abs(after), alphas), mul(abs(before), sub(1, alphas)));
    return castTo(polar(magnitude, cumsum(phase, -1)), z.dtype);
  });
}

/** timeStretch's options: torchaudio.transforms.TimeStretch's. */
export interface TimeStretchOptions {
  /** The stft's hop (default nFft/2 for nFft = 2·(freq − 1)). */
  hopLength?: number;
}

/**
 * The complex spectrogram z [..., freq, time, 2] (an stft's, hop
 * hopLength) played 1/rate times as long at the same pitch
 * (torchaudio.transforms.TimeStretch): phaseVocoder with each bin's expected
 * advance, π·hop·k/(freq − 1). Turn it back into sound with istft.
 */
export function timeStretch(z: Tensor, rate: number, options: TimeStretchOptions = {}): Tensor {
  const op = 'timeStretch';
  checkComplex(op, z, 'z', 2);
  const freq = z.shape[z.rank - 3];
  const { hopLength = freq - 1 } = checkOptions(op, options, { hopLength: true });
  if (!Number.isSafeInteger(hopLength) || hopLength < 1) throw new ValueError(`${op}: hopLength must be a positive integer, got ${formatValue(hopLength)}`);
  return tidy(() => phaseVocoder(z, rate, onBackendOf(op, z, () => linspace(0, Math.PI * hopLength, freq).reshape([freq, 1]))));
}
