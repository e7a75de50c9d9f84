// Pitch shifting (torchaudio.functional.pitch_shift): the waveform played
// 1/rate times as long at the same pitch (a phase vocoder on its stft, then
// istft), then resampled back to its length, which moves every frequency by
// the factor 1/rate = 2^(nSteps/binsPerOctave). Composed of tmnn's stft,
// phaseVocoder, istft and resample, each as torchaudio composes them.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { linspace } from '../ops/creation.js';
import { pad, reshape, slice } from '../ops/movement.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { roundHalfEven } from '../round.js';
import { istft } from '../signal/istft.js';
import { stft } from '../signal/stft.js';
import { hannWindow } from '../signal/windows.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';
import { resample } from './resample.js';
import { phaseVocoder } from './time_stretch.js';

/** pitchShift's options: torchaudio's. */
export interface PitchShiftOptions {
  /** Steps in an octave: nSteps/binsPerOctave octaves. Default 12 (semitones). */
  binsPerOctave?: number;
  /** Default 512. */
  nFft?: number;
  /** Default nFft. */
  winLength?: number;
  /** Default ⌊nFft/4⌋ (torchaudio's, whatever the window). */
  hopLength?: number;
  /** Default tm.signal.hannWindow(winLength). */
  window?: Tensor;
}

const OPTIONS = { binsPerOctave: true, nFft: true, winLength: true, hopLength: true, window: true } as const;

/**
 * A waveform [..., time] with its pitch moved by nSteps steps (up for
 * positive; fractional steps too) of binsPerOctave to the octave, at the
 * same length and speed: [..., time]. Differentiable in the waveform (as
 * phaseVocoder is: where the spectrogram is nonzero).
 */
export function pitchShift(waveform: Tensor, sampleRate: number, nSteps: number, options: PitchShiftOptions = {}): Tensor {
  const op = 'pitchShift';
  const { binsPerOctave = 12, nFft = 512, window } = checkOptions(op, options, OPTIONS);
  const winLength = options.winLength ?? nFft;
  const hopLength = options.hopLength ?? Math.floor(nFft / 4);
  checkFloatTensor(op, waveform, 'waveform', 1, '[..., time]');
  if (!Number.isSafeInteger(sampleRate) || sampleRate < 1) throw new ValueError(`${op}: sampleRate must be a positive integer, got ${formatValue(sampleRate)}`);
  if (!Number.isFinite(nSteps)) throw new ValueError(`${op}: nSteps must be a finite number, got ${formatValue(nSteps)}`);
  if (!(binsPerOctave > 0) || !Number.isFinite(binsPerOctave)) throw new ValueError(`${op}: binsPerOctave must be a positive number, got ${formatValue(binsPerOctave)}`);
  const rate = 2 ** (-nSteps / binsPerOctave);
  const time = waveform.shape[waveform.rank - 1];
  return tidy(() => {
    const w = window ?? onBackendOf(op, waveform, () => hannWindow(winLength));
    const rows = reshape(waveform, [-1, time]);
    const z = stft(rows, nFft, { hopLength, winLength, window: w, center: true, padMode: 'reflect', onesided: true });
    const freq = z.shape[1];
    const advance = onBackendOf(op, waveform, () => reshape(linspace(0, Math.PI * hopLength, freq), [freq, 1]));
    const stretched = istft(phaseVocoder(z, rate, advance), nFft, { hopLength, winLength, window: w, length: roundHalfEven(time / rate) }); // Python's round
    // Played back at sampleRate/rate samples a second, the stretched waveform has the original's length and every pitch 1/rate times as high.
    const shifted = resample(stretched, Math.trunc(sampleRate / rate), sampleRate);
    const length = shifted.shape[1];
    const fitted = length > time ? slice(shifted, [0, 0], [-1, time]) : pad(shifted, [[0, 0], [0, time - length]]);
    return reshape(fitted, waveform.shape);
  });
}
