// LPPool over NCHW images (2d) or NCL sequences (1d), as PyTorch's: each
// window's p-norm (Σ xᵖ)^(1/p), between an average pool (p = 1, up to the
// window's size) and a max pool (p → ∞). Computed as PyTorch computes it, an
// average pool of xᵖ times the window's size, to the power 1/p: the same
// numbers for a window cut short by ceilMode (PyTorch's mean there divides
// by the part inside, which the size does not undo), and NaN for a negative
// sum under an even root, as there.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { poolSizes, type PoolSizes } from '../ops/conv.js';
import { avgPool1d, avgPool2d } from '../ops/index.js';
import { IMAGES, SEQUENCES, shownSizes, type Size2d, type SpatialAxes } from '../ops/windows.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface LPPool2dOptions {
  /** Step between windows. Default: the window's size. */
  stride?: Size2d;
  /** Keep a last window that runs past the image (the output size rounded up). Default false. */
  ceilMode?: boolean;
}

export interface LPPool1dOptions {
  /** Default: the window's size. */
  stride?: number;
  /** Default false. */
  ceilMode?: boolean;
}

const OPTIONS: OptionNames<LPPool2dOptions> = { stride: true, ceilMode: 'boolean' };

/** The window and options checked (only a stride and ceilMode: no padding, as PyTorch's). */
function lpSizes(where: string, axes: SpatialAxes, kernelSize: Size2d, options: LPPool2dOptions | LPPool1dOptions): PoolSizes {
  return poolSizes(where, axes, kernelSize, checkOptions(where, options as LPPool2dOptions, OPTIONS), true);
}

function checkNorm(where: string, normType: number): void {
  if (typeof normType !== 'number' || !(normType > 0) || !Number.isFinite(normType)) throw new ValueError(`${where}: normType must be a finite number > 0, got ${formatValue(normType)}`);
}

function lpPool(op: string, axes: SpatialAxes, x: Tensor, normType: number, kernelSize: Size2d, options: LPPool2dOptions | LPPool1dOptions): Tensor {
  checkNorm(op, normType);
  const { kernel, stride, ceilMode } = lpSizes(op, axes, kernelSize, options);
  return tidy(() => {
    const powers = x.pow(normType);
    const means = axes.count === 2
      ? avgPool2d(powers, kernel, { stride, ceilMode })
      : avgPool1d(powers, kernel[1], { stride: stride[1], ceilMode });
    return means.mul(kernel[0] * kernel[1]).pow(1 / normType);
  });
}

/** Each window's p-norm over images [N, C, H, W] (or [C, H, W]); PyTorch's F.lp_pool2d(x, normType, kernelSize, stride, ceilMode). */
export function lpPool2d(x: Tensor, normType: number, kernelSize: Size2d, options: LPPool2dOptions = {}): Tensor {
  return lpPool('lpPool2d', IMAGES, x, normType, kernelSize, options);
}

/** Each window's p-norm along sequences [N, C, L] (or [C, L]); PyTorch's F.lp_pool1d. */
export function lpPool1d(x: Tensor, normType: number, kernelSize: number, options: LPPool1dOptions = {}): Tensor {
  return lpPool('lpPool1d', SEQUENCES, x, normType, kernelSize, options);
}

abstract class LPPool<Size extends number | readonly [number, number]> extends Module {
  private readonly sizes: PoolSizes;

  constructor(private readonly kind: 'LPPool1d' | 'LPPool2d', private readonly axes: SpatialAxes, readonly normType: number, kernelSize: Size2d, options: LPPool2dOptions | LPPool1dOptions) {
    super();
    checkNorm(kind, normType);
    this.sizes = lpSizes(kind, axes, kernelSize, options);
  }

  get kernelSize(): Size {
    return shownSizes(this.axes, this.sizes.kernel) as Size;
  }

  get stride(): Size {
    return shownSizes(this.axes, this.sizes.stride) as Size;
  }

  get ceilMode(): boolean {
    return this.sizes.ceilMode;
  }

  forward(x: Tensor): Tensor {
    return lpPool(this.kind === 'LPPool2d' ? 'lpPool2d' : 'lpPool1d', this.axes, x, this.normType, this.kernelSize as Size2d, { stride: this.stride as Size2d, ceilMode: this.ceilMode });
  }

  config(): LayerConfig {
    return { type: this.kind, normType: this.normType, kernelSize: this.kernelSize, stride: this.stride, ceilMode: this.ceilMode };
  }
}

/** p-norm pooling over images, as PyTorch's nn.LPPool2d(normType, kernelSize, stride, ceilMode); see lpPool2d. */
export class LPPool2d extends LPPool<readonly [number, number]> {
  constructor(normType: number, kernelSize: Size2d, options: LPPool2dOptions = {}) {
    super('LPPool2d', IMAGES, normType, kernelSize, options);
  }
}

/** p-norm pooling along sequences, as PyTorch's nn.LPPool1d; see lpPool1d. */
export class LPPool1d extends LPPool<number> {
  constructor(normType: number, kernelSize: number, options: LPPool1dOptions = {}) {
    super('LPPool1d', SEQUENCES, normType, kernelSize, options);
  }
}
