// Loudness by ITU-R BS.1770-4 (torchaudio.functional.loudness), in LKFS:
// the channels K-weighted (a high shelf of +4 dB from 1.5 kHz, a high-pass
// at 38 Hz: roughly how the head and ear hear), the mean square over blocks
// of 400 ms every 100 ms, the channels' energies weighed (1 for front and
// centre, 1.41 for the two surrounds), and the blocks gated twice: below
// −70 LKFS left out, then below the remaining blocks' loudness − 10 dB.
// The filters are torchaudio's treble and high-pass biquads, which clamp to
// [−1, 1] as torchaudio's do.
import { tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { add, div, greater, log10, mul, square } from '../ops/elementwise.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { logicalAnd } from '../ops/logical.js';
import { gather, reshape } from '../ops/movement.js';
import { mean, sum } from '../ops/reduce.js';
import { onBackendOf } from '../ops/util.js';
import { roundHalfEven } from '../round.js';
import { frameSamples } from '../signal/framing.js';
import type { Tensor } from '../tensor.js';
import { highpassBiquad, trebleBiquad } from './biquads.js';
import { checkFloatTensor } from './checks.js';
import { checkSampleRate } from './filtering.js';

/** The weights of up to five channels: left, right, centre, then the two surrounds. */
const CHANNEL_WEIGHTS = [1, 1, 1, 1.41, 1.41];
/** What BS.1770 adds to 10·log10 of the weighed energy. */
const K_BIAS = -0.691;
const ABSOLUTE_GATE = -70;

/**
 * The integrated loudness (LKFS) of each waveform [..., channels, time],
 * channels ≤ 5: [...]. Needs at least one 400 ms block. A waveform with no
 * block above −70 LKFS gives NaN (0/0), as torchaudio's. Differentiable
 * in the waveform (the gates are choices: no gradient through them); f16
 * computed in f32 and cast back.
 */
export function loudness(waveform: Tensor, sampleRate: number): Tensor {
  const op = 'loudness';
  checkFloatTensor(op, waveform, 'waveform', 2, '[..., channels, time]');
  checkSampleRate(op, sampleRate);
  const [channels, time] = waveform.shape.slice(-2);
  if (channels > 5) throw new ShapeError(`${op}: waveform ${formatShape(waveform.shape)} has ${channels} channels; BS.1770 weighs up to 5`);
  // torchaudio's block and hop, rounded as Python rounds (half to even).
  const gate = roundHalfEven(0.4 * sampleRate);
  const step = roundHalfEven(gate * 0.25);
  if (time < gate) throw new ShapeError(`${op}: waveform ${formatShape(waveform.shape)} is shorter than one 400 ms block (${gate} samples at ${sampleRate} Hz)`);
  const blocks = Math.floor((time - gate) / step) + 1;
  return tidy(() => {
    const weighted = highpassBiquad(trebleBiquad(inF32(waveform), sampleRate, 4, { centralFreq: 1500, Q: Math.SQRT1_2 }), sampleRate, 38, { Q: 0.5 });
    const at = frameSamples(op, blocks, { nFft: gate, hop: step, winLength: gate }, waveform);
    // [..., channels, blocks]: each block's mean square.
    const energy = mean(reshape(gather(square(weighted), at, waveform.rank - 1), [...waveform.shape.slice(0, -1), blocks, gate]), -1);
    const g = onBackendOf(op, waveform, () => tensor(CHANNEL_WEIGHTS.slice(0, channels), [channels, 1]));
    const lkfs = (e: Tensor) => add(mul(log10(e), 10), K_BIAS);
    const blockLoudness = lkfs(sum(mul(energy, g), -2)); // [..., blocks]
    // Each channel's mean energy over the blocks kept, weighed and summed over channels.
    const gatedEnergy = (kept: Tensor) => {
      const mask = reshape(kept, [...kept.shape.slice(0, -1), 1, blocks]).cast('f32');
      return sum(mul(div(sum(mul(energy, mask), -1), sum(mask, -1)), reshape(g, [channels])), -1);
    };
    const loud = greater(blockLoudness, ABSOLUTE_GATE);
    const relative = add(lkfs(gatedEnergy(loud)), -10);
    const kept = logicalAnd(loud, greater(blockLoudness, reshape(relative, [...relative.shape, 1])));
    return castTo(lkfs(gatedEnergy(kept)), waveform.dtype);
  });
}
