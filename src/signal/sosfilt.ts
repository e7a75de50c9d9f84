// Filtering by second-order sections, as scipy.signal.sosfilt, sosfilt_zi
// and sosfiltfilt: the filter as a cascade of biquads, each lfilter's (its
// numerator a convolution, its denominator one pass of the all-pole kernel,
// ops/all_pole.ts). A high order's direct form
// (b, a) loses most of f32's digits to its coefficients' spread, a narrow
// low-pass of order 4 already all of them; a cascade of sections keeps each
// recursion well conditioned, which is why scipy recommends it and butter
// gives it (output 'sos').
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { slice, stack } from '../ops/movement.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { forwardBackward, lfilterZi, type FiltfiltOptions } from './filtfilt.js';
import { lfilter, lfilterWithState, type FilteredWithState } from './lfilter.js';

/** Second-order sections: rows [b0, b1, b2, 1, a1, a2]. */
export type Sections = readonly (readonly number[])[];

export interface SosfiltOptions {
  /** The axis along which each signal runs (default −1). */
  axis?: number;
  /** Initial conditions, scipy's: [sections, ...x's shape with the signal's axis replaced by 2]. Default zeros. */
  zi?: Tensor;
}

const OPTIONS: OptionNames<SosfiltOptions> = { axis: true, zi: true };
const FILTFILT_OPTIONS: OptionNames<FiltfiltOptions> = { axis: true, padtype: true, padlen: true };

/** The sections checked: rows of six finite numbers, each denominator led by 1 (scipy's rule). */
function sectionsOf(op: string, sos: Sections): number[][] {
  if (!Array.isArray(sos) || sos.length === 0) throw new ValueError(`${op}: sos must be a non-empty list of sections [b0, b1, b2, 1, a1, a2], got ${formatValue(sos)}`);
  return sos.map((row, s) => {
    const values = Array.from(row as ArrayLike<number>);
    if (values.length !== 6 || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new ValueError(`${op}: section ${s} must be six finite numbers [b0, b1, b2, 1, a1, a2], got ${formatValue(row)}`);
    }
    if (values[3] !== 1) throw new ValueError(`${op}: section ${s}'s denominator must start with 1 (sos[${s}][3]), got ${values[3]}`);
    return values;
  });
}

/**
 * scipy.signal.sosfilt(sos, x, axis, zi): x (real, f32 or f16) through each
 * section in turn along `axis`; f32, x's shape. Differentiable in x and zi.
 * scipy also returns the final states where zi is given; sosfiltWithState does.
 */
export function sosfilt(sos: Sections, x: Tensor, options: SosfiltOptions = {}): Tensor {
  return throughSections('sosfilt', sos, x, options, false).y;
}

/**
 * `y, zf = scipy.signal.sosfilt(sos, x, axis, zi)`: sosfilt's output and each
 * section's final state, zf [sections, ...x's shape with the signal's axis
 * replaced by 2] (zi's layout: a stream filtered block by block, each
 * block's zf the next one's zi). zi defaults to zeros.
 */
export function sosfiltWithState(sos: Sections, x: Tensor, options: SosfiltOptions = {}): FilteredWithState {
  return throughSections('sosfiltWithState', sos, x, options, true) as FilteredWithState;
}

function throughSections(op: string, sos: Sections, x: Tensor, options: SosfiltOptions, withState: boolean): { y: Tensor; zf?: Tensor } {
  const { axis = -1, zi } = checkOptions(op, options, OPTIONS);
  const sections = sectionsOf(op, sos);
  if (zi !== undefined) {
    checkTensor(op, zi, 'zi');
    checkTensor(op, x, 'x');
    if (zi.rank !== x.rank + 1 || zi.shape[0] !== sections.length) {
      throw new ShapeError(`${op}: zi ${formatShape(zi.shape)} must be [sections = ${sections.length}, ...x's shape with the signal's axis replaced by 2], for x ${formatShape(x.shape)}`);
    }
  }
  return tidy(() => {
    const states: Tensor[] = [];
    const y = sections.reduce((signal, row, s) => {
      const state = zi === undefined ? undefined : slice(zi, [s, ...zi.shape.slice(1).map(() => 0)], [1, ...zi.shape.slice(1)]).reshape(zi.shape.slice(1));
      const options = { axis, ...(state ? { zi: state } : {}) };
      if (!withState) return lfilter(row.slice(0, 3), row.slice(3), signal, options);
      // A first-order section (b2 = a2 = 0) still keeps two states, as scipy's: its second stays 0.
      const { y: out, zf } = lfilterWithState([...row.slice(0, 3)], [...row.slice(3)], signal, options);
      states.push(zf);
      return out;
    }, x);
    return withState ? { y, zf: stack(states, 0) } : { y };
  });
}

/**
 * scipy.signal.sosfilt_zi: each section's steady-state initial conditions
 * for a step input of 1 ([sections][2]), the step as it reaches the section
 * (scaled by the gains at z = 1 of the sections before it).
 */
export function sosfiltZi(sos: Sections): number[][] {
  let scale = 1;
  return sectionsOf('sosfiltZi', sos).map((row) => {
    const zi = lfilterZi(row.slice(0, 3), row.slice(3)).map((v) => v * scale);
    scale *= (row[0] + row[1] + row[2]) / (row[3] + row[4] + row[5]);
    return zi;
  });
}

/**
 * scipy.signal.sosfiltfilt: filtfilt by second-order sections, forward and
 * backward from each section's steady state, the signal extended as
 * filtfilt extends it (padlen by default 3·(2·sections + 1), less the
 * sections that are of first order). Differentiable in x.
 */
export function sosfiltfilt(sos: Sections, x: Tensor, options: FiltfiltOptions = {}): Tensor {
  const opts = checkOptions('sosfiltfilt', options, FILTFILT_OPTIONS);
  const sections = sectionsOf('sosfiltfilt', sos);
  const firstOrder = Math.min(sections.filter((r) => r[2] === 0).length, sections.filter((r) => r[5] === 0).length);
  const zi = sosfiltZi(sections);
  return forwardBackward('sosfiltfilt', x, opts, 2 * sections.length + 1 - firstOrder, (signal, first) => {
    const states = onBackendOf('sosfiltfilt', x, () => tensor(Float32Array.from(zi.flat()), [zi.length, 1, 2]));
    return sosfilt(sections, signal, { zi: states.mul(first) });
  });
}
