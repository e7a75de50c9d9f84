// The inverse of melScale (torchaudio.transforms.InverseMelScale as
// torchaudio 2.1 defines it): the linear-frequency spectrogram X whose mel
// projection fbᵀ·X is nearest the mel spectrogram given, the least-squares
// solution of least norm, negatives set to 0 (a power or magnitude is not
// negative). torchaudio 0.13 looked for X by SGD from a random start
// instead, so what it gave depended on the run and on when it stopped.
//
// The bank is fixed, so it is inverted once, on the host in float64: P =
// pinv(fbᵀ) [nStft, nMels], singular values at or below f32's eps·max(m,
// n)·σ_max left out (the cut torch's f32 lstsq with driver 'gelsd' makes;
// common banks lack rank: torchaudio's default, 128 mels over 201 bins, has
// empty and near-parallel filters). Each frame's answer is then P·frame, one
// product for every frame of every spectrogram, the same on every backend.
// torchaudio's `driver` option is not taken: with its default, 'gels',
// torch refuses such banks ("does not have full rank").
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { relu } from '../ops/elementwise.js';
import { castTo, inF32 } from '../ops/fft/pairs.js';
import { matmul } from '../ops/matmul.js';
import { onBackendOf } from '../ops/util.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { checkFloatTensor } from './checks.js';
import { pseudoInverse } from './host_pseudo_inverse.js';
import { melBankValues, type MelFbankOptions } from './mel.js';

/** inverseMelScale's options: torchaudio.transforms.InverseMelScale's (2.1). */
export interface InverseMelScaleOptions extends MelFbankOptions {
  /** Default 16000. */
  sampleRate?: number;
  /** Default 0. */
  fMin?: number;
  /** Default sampleRate/2 (rounded down). */
  fMax?: number;
}

const OPTIONS = { sampleRate: true, fMin: true, fMax: true, norm: true, melScale: true } as const;

/** The inverses made so far, by bank: a program inverts the same few banks batch after batch. */
const INVERSES = new Map<string, Float32Array>();
const INVERSES_KEPT = 8;

/**
 * A mel spectrogram [..., nMels, time] back on `nStft` linear frequency
 * bins: [..., nStft, time], nStft = nFft/2 + 1 of the spectrogram it came
 * from; nMels is read from the input. Each frame is the least-norm
 * least-squares solution of fbᵀ·x = frame, fb melscaleFbanks(nStft, fMin,
 * fMax, nMels, sampleRate) with the same norm and scale as the mel
 * spectrogram's, negatives set to 0. Computed in f32 (f16 cast in and the
 * result back); differentiable in the input.
 */
export function inverseMelScale(melspec: Tensor, nStft: number, options: InverseMelScaleOptions = {}): Tensor {
  const op = 'inverseMelScale';
  const { sampleRate = 16000, fMin = 0, fMax = Math.floor(sampleRate / 2), norm = null, melScale = 'htk' } = checkOptions(op, options, OPTIONS);
  checkFloatTensor(op, melspec, 'melspec', 2, '[..., nMels, time]');
  if (!Number.isSafeInteger(nStft) || nStft < 2) throw new ValueError(`${op}: nStft must be an integer ≥ 2 (nFft/2 + 1 frequency bins), got ${formatValue(nStft)}`);
  const nMels = melspec.shape[melspec.rank - 2];
  if (nMels === 0) throw new ShapeError(`${op}: melspec ${formatShape(melspec.shape)} has no mel bins`);
  const key = JSON.stringify([nStft, nMels, sampleRate, fMin, fMax, norm, melScale]);
  let inverse = INVERSES.get(key);
  if (!inverse) {
    const bank = melBankValues(op, nStft, fMin, fMax, nMels, sampleRate, { norm, melScale });
    inverse = Float32Array.from(pseudoInverse(transposed(bank, nStft, nMels), nMels, nStft, 2 ** -23 * Math.max(nMels, nStft)));
    if (INVERSES.size >= INVERSES_KEPT) INVERSES.delete(INVERSES.keys().next().value as string);
    INVERSES.set(key, inverse);
  }
  const p = inverse;
  return tidy(() => castTo(relu(matmul(onBackendOf(op, melspec, () => tensor(p, [nStft, nMels])), inF32(melspec))), melspec.dtype));
}

/** a [rows, cols] row-major as [cols, rows]. */
function transposed(a: Float32Array, rows: number, cols: number): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[(i % rows) * cols + Math.floor(i / rows)]);
}
