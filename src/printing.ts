// A tensor's values as text, the way NumPy and PyTorch print them: nested
// brackets, one column width for every element, a shared float format chosen
// from the values shown (fixed, scientific, or integral floats as `2.`), and
// large tensors summarised to their first and last few entries per axis.
import type { DType } from './dtype.js';
import { ValueError, formatValue } from './errors.js';
import { checkOptions } from './options.js';
import { sizeOf, stridesOf } from './shape.js';

export interface PrintOptions {
  /** Digits after the point for floats (default 4, as PyTorch). */
  precision?: number;
  /** Tensors with more elements than this are summarised (default 1000, as NumPy). */
  threshold?: number;
  /** Entries kept at each end of an axis when summarised (default 3). */
  edgeItems?: number;
  /** Characters a line may take before a row wraps (default 80). */
  lineWidth?: number;
}

const DEFAULTS: Required<PrintOptions> = { precision: 4, threshold: 1000, edgeItems: 3, lineWidth: 80 };

function checkPrintOptions(options: PrintOptions | undefined): Required<PrintOptions> {
  const given = checkOptions('format', options, { precision: true, threshold: true, edgeItems: true, lineWidth: true });
  const out = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof PrintOptions)[]) {
    const v = given[key];
    if (v === undefined) continue;
    if (key === 'threshold' && v === Infinity) {
      out.threshold = v; // print everything, as PyTorch's threshold=inf
      continue;
    }
    if (!Number.isInteger(v) || v < 0 || (key === 'precision' && v > 20)) {
      throw new ValueError(`format: ${key} must be a whole number ≥ 0${key === 'precision' ? ' and ≤ 20' : key === 'threshold' ? ' (or Infinity)' : ''}, got ${formatValue(v)}`);
    }
    out[key] = v;
  }
  return out;
}

/** The positions shown along an axis of length n: all, or the first and last `edge` with a gap (null) between. */
function shownPositions(n: number, summarise: boolean, edge: number): (number | null)[] {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  if (!summarise || n <= 2 * edge) return range(0, n);
  return [...range(0, edge), null, ...range(n - edge, n)];
}

/** One formatter for every element shown: what PyTorch picks from the same values. */
function elementFormat(shown: number[], dtype: DType, precision: number): (v: number) => string {
  if (dtype === 'i8' || dtype === 'i32') return (v) => String(v);
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  // Loops, not Math.max(...values): spreading 120,000 values overflows the stack.
  let [max, min, integral] = [0, Infinity, true];
  for (const v of shown) {
    if (!Number.isFinite(v)) continue;
    integral &&= Number.isInteger(v);
    const m = Math.abs(v);
    if (m > 0) [max, min] = [Math.max(max, m), Math.min(min, m)];
  }
  if (min === Infinity) min = 0;
  const scientific = max >= 1e8 || max / min > 1e3 || (!integral && min < 1e-4);
  // Two exponent digits at least, as C's printf and so NumPy and PyTorch: 1.0000e-05.
  const exponential = (v: number) => v.toExponential(precision).replace(/e([+-])(\d)$/, 'e$10$2');
  // toFixed and toExponential drop the sign of -0, which PyTorch and NumPy print.
  const signed = (v: number, text: string) => (Object.is(v, -0) ? `-${text}` : text);
  if (scientific) return (v) => (Number.isFinite(v) ? signed(v, exponential(v)) : special(v));
  if (integral) return (v) => (Number.isFinite(v) ? `${signed(v, v.toFixed(0))}.` : special(v));
  return (v) => (Number.isFinite(v) ? signed(v, v.toFixed(precision)) : special(v));
}

/** `values` (row-major, of `shape`) as nested brackets, e.g. `[[1., 2.],\n [3., 4.]]`. */
export function formatValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType, options?: PrintOptions): string {
  const { precision, threshold, edgeItems, lineWidth } = checkPrintOptions(options);
  const size = sizeOf(shape);
  const summarise = size > threshold;
  const positions = shape.map((n) => shownPositions(n, summarise, edgeItems));
  const strides = stridesOf(shape);

  const shown: number[] = [];
  const gather = (axis: number, offset: number): void => {
    if (axis === shape.length) return void shown.push(values[offset]);
    for (const i of positions[axis]) if (i !== null) gather(axis + 1, offset + i * strides[axis]);
  };
  if (size > 0) gather(0, 0);
  const format = elementFormat(shown, dtype, precision);
  let width = 0;
  for (const v of shown) width = Math.max(width, format(v).length);
  const cell = (v: number) => format(v).padStart(width);

  const render = (axis: number, offset: number): string => {
    if (axis === shape.length) return cell(values[offset]);
    const indent = ' '.repeat(axis + 1);
    if (axis === shape.length - 1) {
      // A row: as many cells a line as fit, continued lines under the first cell.
      const cells = positions[axis].map((i) => (i === null ? '...' : cell(values[offset + i * strides[axis]])));
      const perLine = Math.max(1, Math.floor((lineWidth - indent.length + 1) / (width + 2))); // each cell and its ", ", less the last space
      const lines: string[] = [];
      for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${indent}`)}]`;
    }
    // Between blocks, one newline per axis below this one's child: matrices in a 3-D tensor stand apart.
    const gap = `,${'\n'.repeat(shape.length - axis - 1)}${indent}`;
    return `[${positions[axis].map((i) => (i === null ? '...' : render(axis + 1, offset + i * strides[axis]))).join(gap)}]`;
  };
  return render(0, 0);
}
