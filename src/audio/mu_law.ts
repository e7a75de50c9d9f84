// μ-law companding (torchaudio's mu_law_encoding and mu_law_decoding, ITU-T
// G.711's curve with μ = channels − 1): a waveform in [−1, 1] squeezed
// logarithmically onto the integers 0 … channels − 1, as WaveNet's output classes are.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { cast } from '../ops/cast.js';
import { inF32 } from '../ops/fft/pairs.js';
import { abs, add, div, exp, log1p, mul, sign, sub } from '../ops/elementwise.js';
import { checkTensor } from '../ops/util.js';
import type { Tensor } from '../tensor.js';

function checkChannels(op: string, channels: number): number {
  if (!Number.isSafeInteger(channels) || channels < 2) throw new ValueError(`${op}: quantizationChannels must be an integer ≥ 2, got ${formatValue(channels)}`);
  return channels - 1;
}

/** The i32 class of each sample of x (float, in [−1, 1]): ⌊(sign(x)·ln(1 + μ|x|)/ln(1 + μ) + 1)/2·μ + ½⌋, truncated toward 0 as torchaudio's. */
export function muLawEncoding(x: Tensor, quantizationChannels: number): Tensor {
  const mu = checkChannels('muLawEncoding', quantizationChannels);
  checkTensor('muLawEncoding', x);
  return tidy(() => {
    const f = inF32(x);
    const companded = div(mul(sign(f), log1p(mul(abs(f), mu))), Math.log1p(mu));
    return cast(add(mul(add(companded, 1), mu / 2), 0.5), 'i32');
  });
}

/** The sample each class of xMu (0 … channels − 1, any dtype) stands for, f32: sign(y)·((1 + μ)^|y| − 1)/μ for y = 2·xMu/μ − 1. */
export function muLawDecoding(xMu: Tensor, quantizationChannels: number): Tensor {
  const mu = checkChannels('muLawDecoding', quantizationChannels);
  checkTensor('muLawDecoding', xMu, 'xMu');
  return tidy(() => {
    const y = sub(mul(inF32(xMu), 2 / mu), 1);
    return div(mul(sign(y), sub(exp(mul(abs(y), Math.log1p(mu))), 1)), mu);
  });
}
