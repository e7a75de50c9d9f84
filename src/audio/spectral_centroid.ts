// The spectral centroid (torchaudio.functional.spectral_centroid): each
// frame's mean frequency, weighted by the magnitude spectrum — where a
// sound's energy sits, the usual measure of its brightness.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { div, mul } from '../ops/elementwise.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { sum } from '../ops/reduce.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';
import { spectrogram } from './spectrogram.js';

/** spectralCentroid's options: torchaudio.transforms.SpectralCentroid's. */
export interface SpectralCentroidOptions {
  /** Default 400. */
  nFft?: number;
  /** Default nFft. */
  winLength?: number;
  /** Default ⌊winLength/2⌋. */
  hopLength?: number;
  /** Zeros on both sides of the waveform. Default 0. */
  pad?: number;
  /** Default tm.signal.hannWindow(winLength). */
  window?: Tensor;
}

const OPTIONS = { nFft: true, winLength: true, hopLength: true, pad: true, window: true } as const;

/**
 * The spectral centroid, Hz, of each frame of a waveform [..., time]:
 * [..., frames], Σ f·|X(f)| / Σ |X(f)| over the magnitude spectrogram's
 * bins (centred frames, reflect-padded, as spectrogram makes them), the
 * bins at 0 … ⌊sampleRate/2⌋ Hz evenly. A silent frame gives NaN (0/0), as
 * torchaudio's. Differentiable; f16 computed in f32 and cast back.
 */
export function spectralCentroid(waveform: Tensor, sampleRate: number, options: SpectralCentroidOptions = {}): Tensor {
  const op = 'spectralCentroid';
  const framing = checkOptions(op, options, OPTIONS);
  checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  if (!(typeof sampleRate === 'number' && sampleRate > 0 && Number.isFinite(sampleRate))) throw new ValueError(`${op}: sampleRate must be a positive number, got ${formatValue(sampleRate)}`);
  const nFft = framing.nFft ?? 400;
  const bins = Math.floor(nFft / 2) + 1;
  return tidy(() => {
    const magnitude = spectrogram(inF32(waveform), { ...framing, power: 1 });
    const top = Math.floor(sampleRate / 2);
    const freqs = onBackendOf(op, waveform, () => tensor(Float32Array.from({ length: bins }, (_, i) => (bins === 1 ? 0 : (top * i) / (bins - 1))), [bins, 1]));
    return castTo(div(sum(mul(magnitude, freqs), -2), sum(magnitude, -2)), waveform.dtype);
  });
}
