// Griffin–Lim (torchaudio's GriffinLim, with Perraudin's fast momentum):
// a waveform whose magnitude spectrogram is the one given, found by
// alternating projections — keep the magnitudes, take the phases of the
// stft of the current waveform's istft — n_iter times.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { abs as complexAbs, complex } from '../ops/fft/complex.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { ones, rand } from '../ops/creation.js';
import { add, div, mul, pow, sub } from '../ops/elementwise.js';
import { expandDims } from '../ops/movement.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { istft } from '../signal/istft.js';
import { stft } from '../signal/stft.js';
import { hannWindow } from '../signal/windows.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/** griffinLim's options: torchaudio.transforms.GriffinLim's. */
export interface GriffinLimOptions {
  /** Default 400. */
  nFft?: number;
  /** Default 32. */
  nIter?: number;
  /** Default nFft. */
  winLength?: number;
  /** Default ⌊winLength/2⌋. */
  hopLength?: number;
  /** Default tm.signal.hannWindow(winLength). */
  window?: Tensor;
  /** The exponent the spectrogram holds: 2 (default) power, 1 magnitude. */
  power?: number;
  /** Of the fast Griffin–Lim, in [0, 1) (default 0.99; 0 is the plain algorithm). */
  momentum?: number;
  /** The waveform's length (default what the frames give). */
  length?: number;
  /** Start from random phases (default true: complex numbers of uniform [0, 1) parts, torchaudio's, drawn from tm's seeded generator) or from 1. */
  randInit?: boolean;
}

/**
 * A waveform [..., time] whose spectrogram is specgram [..., freq, time]
 * (real, |stft|^power with freq = ⌊nFft/2⌋ + 1), by torchaudio's
 * GriffinLim. Each iteration is an istft and an stft; the result depends on
 * the starting phases, so set tm.setSeed for a repeatable one.
 */
export function griffinLim(specgram: Tensor, options: GriffinLimOptions = {}): Tensor {
  const op = 'griffinLim';
  const o = checkOptions(op, options, { nFft: true, nIter: true, winLength: true, hopLength: true, window: true, power: true, momentum: true, length: true, randInit: 'boolean' });
  const { nFft = 400, nIter = 32, power = 2, momentum = 0.99, length, randInit = true } = o;
  const winLength = o.winLength ?? nFft;
  const hopLength = o.hopLength ?? Math.floor(winLength / 2);
  if (!Number.isSafeInteger(nIter) || nIter < 0) throw new ValueError(`${op}: nIter must be a non-negative integer, got ${formatValue(nIter)}`);
  if (!(momentum >= 0 && momentum < 1)) throw new ValueError(`${op}: momentum must be in [0, 1), got ${formatValue(momentum)}`);
  if (!(power > 0) || !Number.isFinite(power)) throw new ValueError(`${op}: power must be a positive number, got ${formatValue(power)}`);
  checkFloatTensor(op, specgram, 'specgram', 2, '[..., freq, time]');
  const framing = { hopLength, winLength };
  return tidy(() => {
    const window = o.window ?? onBackendOf(op, specgram, () => hannWindow(winLength));
    const spec = inF32(specgram);
    const magnitude = expandDims(power === 1 ? spec : pow(spec, 1 / power), -1);
    const invert = (angles: Tensor) => istft(mul(magnitude, angles), nFft, { ...framing, window, length });
    let angles = onBackendOf(op, spec, () => (randInit ? rand([...spec.shape, 2]) : complex(ones(spec.shape))));
    let previous: Tensor | undefined;
    for (let i = 0; i < nIter; i++) {
      // Each step's tensors freed as it ends: only the phases and the last rebuilt spectrum carry over.
      const [next, rebuilt] = tidy(() => {
        const spectrum = stft(invert(angles), nFft, { ...framing, window });
        const pushed = previous && momentum ? sub(spectrum, mul(previous, momentum / (1 + momentum))) : spectrum;
        return [div(pushed, add(expandDims(complexAbs(pushed), -1), 1e-16)), spectrum];
      });
      angles.dispose();
      previous?.dispose();
      [angles, previous] = [next, rebuilt];
    }
    const waveform = invert(angles);
    return castTo(waveform, specgram.dtype);
  });
}
