// Padding layers, as PyTorch's nn.ZeroPad1d/2d/3d, ConstantPad1d/2d/3d,
// ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d and CircularPad1d/2d/3d:
// tm.pad along the last axis of a sequence [N, C, L] or [C, L] (the 1d
// layers), the last two of an image [N, C, H, W] or [C, H, W] (the 2d ones)
// or the last three of a volume [N, C, D, H, W] or [C, D, H, W] (the 3d
// ones), the padding given as PyTorch gives it: one size for every side, or
// (left, right), (left, right, top, bottom) and (left, right, top, bottom,
// front, back), the last axis first.
// Sizes are non-negative: PyTorch's constant padding also crops with
// negative ones, which here is slice's work.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { pad, type PadMode } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

/** A 1d layer's padding: one size for both ends, or [left, right]. */
export type Padding1d = number | readonly [number, number];

/** A 2d layer's padding: one size for every side, or [left, right, top, bottom] (PyTorch's order: the last axis first). */
export type Padding2d = number | readonly [number, number, number, number];

/** A 3d layer's padding: one size for every side, or [left, right, top, bottom, front, back] (PyTorch's order: the last axis first). */
export type Padding3d = number | readonly [number, number, number, number, number, number];

/** Whether `v` is a padding a layer of `sides` sides (2, 4 or 6) holds: that many non-negative integers. */
export function isPadding(v: unknown, sides: number): v is number[] {
  return Array.isArray(v) && v.length === sides && v.every((n) => Number.isSafeInteger(n) && n >= 0);
}

/** A padding's sides in order, for a 1d, 2d and 3d layer. */
const ORDERS = ['[left, right]', '[left, right, top, bottom]', '[left, right, top, bottom, front, back]'];

/** The padding spelled out, one size a side; or a ValueError naming the layer and what it was given. */
function sidesOf(type: string, padding: unknown, sides: number): number[] {
  const spelled = typeof padding === 'number' ? Array<number>(sides).fill(padding) : padding;
  if (!isPadding(spelled, sides)) {
    const order = ORDERS[sides / 2 - 1];
    throw new ValueError(`${type}: padding must be a non-negative integer or ${order} of them, got ${formatValue(padding)}`);
  }
  return [...spelled];
}

/** What the axes of a layer are called in errors: the last first, as the padding lists them. */
const AXIS_NAMES = ['width', 'height', 'depth'];

/** What x is, for a 1d, 2d and 3d layer. */
const LAYOUTS = [
  '[batch, channels, length] or [channels, length]',
  '[batch, channels, height, width] or [channels, height, width]',
  '[batch, channels, depth, height, width] or [channels, depth, height, width]',
];

/** A layer that pads the last one, two or three axes of x with `mode` (PyTorch's limits on each checked before padding). */
abstract class Pad extends Module {
  /** One size a side: [left, right], [left, right, top, bottom] or [left, right, top, bottom, front, back]. */
  readonly padding: readonly number[];

  protected constructor(private readonly type: string, private readonly axes: 1 | 2 | 3, padding: unknown, private readonly mode: PadMode, private readonly fill = 0) {
    super();
    this.padding = sidesOf(type, padding, 2 * axes);
  }

  forward(x: Tensor): Tensor {
    const { type, axes, padding, mode } = this;
    // The batch axis is optional, as PyTorch's: [C, L] or [N, C, L]; [C, H, W] or [N, C, H, W]; [C, D, H, W] or [N, C, D, H, W].
    if (x.rank !== axes + 1 && x.rank !== axes + 2) throw new ShapeError(`${type}: x ${formatShape(x.shape)} is not ${LAYOUTS[axes - 1]}`);
    for (let k = 0; k < axes; k++) {
      const [before, after] = [padding[2 * k], padding[2 * k + 1]];
      const size = x.shape[x.rank - 1 - k];
      const reach = Math.max(before, after);
      if (!reach) continue;
      // PyTorch's limits: a reflection reaches no further than the far edge (the edge is not repeated), a circular padding wraps once at most.
      const limit = mode === 'reflect' ? (reach < size ? '' : `less than the ${AXIS_NAMES[k]}'s size ${size}`)
        : mode === 'circular' ? (reach <= size ? '' : `at most the ${AXIS_NAMES[k]}'s size ${size}`)
        : mode === 'replicate' && size === 0 ? `a ${AXIS_NAMES[k]} with entries to repeat` : '';
      if (limit) throw new ShapeError(`${type}: padding [${before}, ${after}] of the ${AXIS_NAMES[k]} of x ${formatShape(x.shape)} must be ${limit}`);
    }
    // tm.pad's pairs are per axis, first to last: the padding's last pair is the first padded axis's.
    const pairs: [number, number][] = x.shape.map(() => [0, 0]);
    for (let k = 0; k < axes; k++) pairs[x.rank - 1 - k] = [padding[2 * k], padding[2 * k + 1]];
    return mode === 'constant' ? pad(x, pairs, this.fill) : pad(x, pairs, { mode });
  }

  config(): LayerConfig { return { type: this.type, padding: [...this.padding] }; }
}

/** Pads the last axis of [N, C, L] or [C, L] with zeros, as PyTorch's nn.ZeroPad1d. */
export class ZeroPad1d extends Pad {
  constructor(padding: Padding1d) { super('ZeroPad1d', 1, padding, 'constant'); }
}

/** Pads the last two axes of [N, C, H, W] or [C, H, W] with zeros, as PyTorch's nn.ZeroPad2d. */
export class ZeroPad2d extends Pad {
  constructor(padding: Padding2d) { super('ZeroPad2d', 2, padding, 'constant'); }
}

/** A finite fill value, or a ValueError naming the layer. */
function fillValue(type: string, value: unknown): number {
  // ±∞ would be padding no gradient or convolution can use; NaN, every output NaN.
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`${type}: value must be a finite number, got ${formatValue(value)}`);
  return value;
}

/** Pads the last axis of [N, C, L] or [C, L] with `value`, as PyTorch's nn.ConstantPad1d. */
export class ConstantPad1d extends Pad {
  constructor(padding: Padding1d, readonly value: number) { super('ConstantPad1d', 1, padding, 'constant', fillValue('ConstantPad1d', value)); }
  override config(): LayerConfig { return { ...super.config(), value: this.value }; }
}

/** Pads the last two axes of [N, C, H, W] or [C, H, W] with `value`, as PyTorch's nn.ConstantPad2d. */
export class ConstantPad2d extends Pad {
  constructor(padding: Padding2d, readonly value: number) { super('ConstantPad2d', 2, padding, 'constant', fillValue('ConstantPad2d', value)); }
  override config(): LayerConfig { return { ...super.config(), value: this.value }; }
}

/** Pads the last axis of [N, C, L] or [C, L] with its mirror image, the edge not repeated (padding < L), as PyTorch's nn.ReflectionPad1d. */
export class ReflectionPad1d extends Pad {
  constructor(padding: Padding1d) { super('ReflectionPad1d', 1, padding, 'reflect'); }
}

/** Pads the last two axes of [N, C, H, W] or [C, H, W] with their mirror image, the edges not repeated (padding < H, W), as PyTorch's nn.ReflectionPad2d. */
export class ReflectionPad2d extends Pad {
  constructor(padding: Padding2d) { super('ReflectionPad2d', 2, padding, 'reflect'); }
}

/** Pads the last axis of [N, C, L] or [C, L] with copies of its edge values, as PyTorch's nn.ReplicationPad1d. */
export class ReplicationPad1d extends Pad {
  constructor(padding: Padding1d) { super('ReplicationPad1d', 1, padding, 'replicate'); }
}

/** Pads the last two axes of [N, C, H, W] or [C, H, W] with copies of their edges, as PyTorch's nn.ReplicationPad2d. */
export class ReplicationPad2d extends Pad {
  constructor(padding: Padding2d) { super('ReplicationPad2d', 2, padding, 'replicate'); }
}

/** Pads the last axis of [N, C, L] or [C, L] by wrapping around (padding ≤ L), as PyTorch's nn.CircularPad1d. */
export class CircularPad1d extends Pad {
  constructor(padding: Padding1d) { super('CircularPad1d', 1, padding, 'circular'); }
}

/** Pads the last two axes of [N, C, H, W] or [C, H, W] by wrapping around (padding ≤ H, W), as PyTorch's nn.CircularPad2d. */
export class CircularPad2d extends Pad {
  constructor(padding: Padding2d) { super('CircularPad2d', 2, padding, 'circular'); }
}

/** Pads the last three axes of [N, C, D, H, W] or [C, D, H, W] with zeros, as PyTorch's nn.ZeroPad3d. */
export class ZeroPad3d extends Pad {
  constructor(padding: Padding3d) { super('ZeroPad3d', 3, padding, 'constant'); }
}

/** Pads the last three axes of [N, C, D, H, W] or [C, D, H, W] with `value`, as PyTorch's nn.ConstantPad3d. */
export class ConstantPad3d extends Pad {
  constructor(padding: Padding3d, readonly value: number) { super('ConstantPad3d', 3, padding, 'constant', fillValue('ConstantPad3d', value)); }
  override config(): LayerConfig { return { ...super.config(), value: this.value }; }
}

/** Pads the last three axes of [N, C, D, H, W] or [C, D, H, W] with their mirror image, the edges not repeated (padding < D, H, W), as PyTorch's nn.ReflectionPad3d. */
export class ReflectionPad3d extends Pad {
  constructor(padding: Padding3d) { super('ReflectionPad3d', 3, padding, 'reflect'); }
}

/** Pads the last three axes of [N, C, D, H, W] or [C, D, H, W] with copies of their edges, as PyTorch's nn.ReplicationPad3d. */
export class ReplicationPad3d extends Pad {
  constructor(padding: Padding3d) { super('ReplicationPad3d', 3, padding, 'replicate'); }
}

/** Pads the last three axes of [N, C, D, H, W] or [C, D, H, W] by wrapping around (padding ≤ D, H, W), as PyTorch's nn.CircularPad3d. */
export class CircularPad3d extends Pad {
  constructor(padding: Padding3d) { super('CircularPad3d', 3, padding, 'circular'); }
}
