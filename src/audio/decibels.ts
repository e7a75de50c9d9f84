// Spectrograms to decibels and back (torchaudio's AmplitudeToDB and
// DB_to_amplitude, librosa's power_to_db).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { clip, exp, log10, maximum, mul, sub } from '../ops/elementwise.js';
import { reshape } from '../ops/movement.js';
import { max } from '../ops/reduce.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';

/** amplitudeToDB's options: torchaudio.transforms.AmplitudeToDB's, and librosa's amin and ref. */
export interface AmplitudeToDBOptions {
  /** 'power' (default): 10·log10; 'magnitude': 20·log10. */
  stype?: 'power' | 'magnitude';
  /** Floor each spectrogram at its own maximum less topDb decibels (default none). */
  topDb?: number | null;
  /** The smallest value taken (default 1e-10): smaller ones, and 0, read as it. */
  amin?: number;
  /** The value that maps to 0 dB (default 1). */
  ref?: number;
}

/**
 * x (a power or magnitude spectrogram, [..., freq, time]) in decibels:
 * m·log10(max(x, amin)) − m·log10(max(amin, ref)), m = 10 for power, 20
 * for magnitude. topDb floors each spectrogram at its maximum less topDb,
 * the maximum taken as torchaudio takes it: over the last three axes
 * (channels, freq, time) of each item of a batch, over everything for [freq, time].
 */
export function amplitudeToDB(x: Tensor, options: AmplitudeToDBOptions = {}): Tensor {
  const op = 'amplitudeToDB';
  const { stype = 'power', topDb = null, amin = 1e-10, ref = 1 } = checkOptions(op, options, { stype: true, topDb: true, amin: true, ref: true });
  if (stype !== 'power' && stype !== 'magnitude') throw new ValueError(`${op}: stype must be 'power' or 'magnitude', got ${formatValue(stype)}`);
  if (!(amin > 0) || !Number.isFinite(amin)) throw new ValueError(`${op}: amin must be a positive number, got ${formatValue(amin)}`);
  if (!(ref > 0) || !Number.isFinite(ref)) throw new ValueError(`${op}: ref must be a positive number, got ${formatValue(ref)}`);
  if (topDb !== null && (typeof topDb !== 'number' || !(topDb >= 0))) throw new ValueError(`${op}: topDb must be a number ≥ 0 or null, got ${formatValue(topDb)}`);
  checkFloatTensor(op, x, 'x', topDb === null ? 0 : 2, '[..., freq, time] to floor it at topDb below its maximum');
  const multiplier = stype === 'power' ? 10 : 20;
  // In f32: amin = 1e-10 is 0 in f16, which would make silence −∞ dB.
  return tidy(() => {
    const db = sub(mul(log10(clip(inF32(x), amin, Infinity)), multiplier), multiplier * Math.log10(Math.max(amin, ref)));
    let floored = db;
    if (topDb !== null) {
      const each = x.shape.slice(-Math.min(x.rank, 3)).reduce((a, b) => a * b, 1);
      const flat = reshape(db, [each ? x.size / each : 0, each]);
      floored = reshape(maximum(flat, sub(max(flat, -1, { keepDims: true }), topDb)), x.shape);
    }
    return castTo(floored, x.dtype);
  });
}

/** Decibels back to power or amplitude (torchaudio.functional.DB_to_amplitude): ref·(10^(x/10))^power; power 1 inverts amplitudeToDB's power, ½ its magnitude. */
export function dbToAmplitude(x: Tensor, ref: number, power: number): Tensor {
  const op = 'dbToAmplitude';
  checkFloatTensor(op, x, 'x', 0, 'a float tensor');
  for (const [name, v] of [['ref', ref], ['power', power]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${formatValue(v)}`);
  }
  return tidy(() => mul(exp(mul(x, (Math.LN10 / 10) * power)), ref));
}
