// Padding images on their four sides (torchvision's pad), in torchvision's
// modes: a constant, the edge pixel repeated ('edge'), mirrored about the
// edge pixel ('reflect': 1 2 3 → 3 2 1 2 3) or about the edge itself
// ('symmetric': 1 2 3 → 2 1 1 2 3).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { concat, flip, pad as padTensor, slice } from '../ops/movement.js';
import type { Tensor } from '../tensor.js';
import { asBatch } from './images.js';

export type VisionPadMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

export interface VisionPadOptions {
  /** The value of constant padding. Default 0. */
  fill?: number;
  /** 'constant' (default), 'edge', 'reflect' or 'symmetric'. */
  paddingMode?: VisionPadMode;
}

/** Padding as torchvision gives it: one number for every side, [left/right, top/bottom], or [left, top, right, bottom]. */
export type Padding = number | readonly [number, number] | readonly [number, number, number, number];

const OPTIONS: OptionNames<VisionPadOptions> = { fill: true, paddingMode: true };
const MODES: readonly VisionPadMode[] = ['constant', 'edge', 'reflect', 'symmetric'];
/** tm.pad's names for the same modes. */
const TENSOR_MODES = { edge: 'replicate', reflect: 'reflect' } as const;

/**
 * Images padded by `padding` pixels: [N, C, H + top + bottom, W + left +
 * right]. Reflect padding must be shorter than the side it mirrors, and
 * symmetric at most as long.
 */
export function pad(images: Tensor, padding: Padding, options: VisionPadOptions = {}): Tensor {
  const op = 'vision.pad';
  const { fill = 0, paddingMode = 'constant' } = checkOptions(op, options, OPTIONS);
  checkPadMode(op, paddingMode);
  if (typeof fill !== 'number') throw new ValueError(`${op}: fill must be a number, got ${formatValue(fill)}`);
  if (paddingMode !== 'constant' && options.fill !== undefined) throw new ValueError(`${op}: fill is for constant padding; ${paddingMode} padding copies the images' own pixels`);
  const [left, top, right, bottom] = sides(op, padding);
  const { images: x, h, w, unbatch } = asBatch(op, images);
  return tidy(() => {
    if (paddingMode === 'constant') return unbatch(padTensor(x, [[0, 0], [0, 0], [top, bottom], [left, right]], fill));
    if (paddingMode !== 'symmetric') return unbatch(padTensor(x, [[0, 0], [0, 0], [top, bottom], [left, right]], { mode: TENSOR_MODES[paddingMode] }));
    if (top > h || bottom > h || left > w || right > w) {
      throw new ValueError(`${op}: symmetric padding ${formatValue([left, top, right, bottom])} reaches past images of ${h}×${w}; each side at most the image's extent`);
    }
    return unbatch(mirrored(mirrored(x, 2, top, bottom), 3, left, right));
  });
}

/** Refuses a mode that is not torchvision's, pointing tm.pad's 'replicate' to 'edge'. */
export function checkPadMode(op: string, mode: unknown): void {
  if (MODES.includes(mode as VisionPadMode)) return;
  const hint = mode === 'replicate' ? " (torchvision calls it 'edge')" : '';
  throw new ValueError(`${op}: unknown paddingMode ${formatValue(mode)}${hint}; expected ${MODES.map((m) => `'${m}'`).join(', ')}`);
}

/** [left, top, right, bottom] from torchvision's padding forms, each a whole number ≥ 0. */
export function sides(op: string, padding: unknown): [number, number, number, number] {
  const list = typeof padding === 'number' ? [padding] : padding;
  if (!Array.isArray(list) || ![1, 2, 4].includes(list.length) || !list.every((p) => Number.isInteger(p) && p >= 0)) {
    throw new ValueError(`${op}: padding must be a whole number ≥ 0, [left/right, top/bottom] or [left, top, right, bottom] of them, got ${formatValue(padding)}`);
  }
  return list.length === 1 ? [list[0], list[0], list[0], list[0]] : list.length === 2 ? [list[0], list[1], list[0], list[1]] : [list[0], list[1], list[2], list[3]];
}

/** x with its first `before` and last `after` entries along `axis` mirrored onto its ends. */
function mirrored(x: Tensor, axis: number, before: number, after: number): Tensor {
  const n = x.shape[axis];
  const part = (from: number, size: number) => flip(slice(x, x.shape.map((_, d) => (d === axis ? from : 0)), x.shape.map((d, i) => (i === axis ? size : d))), axis);
  const parts = [...(before ? [part(0, before)] : []), x, ...(after ? [part(n - after, after)] : [])];
  return parts.length === 1 ? x : concat(parts, axis);
}
