// Complex numbers as tmnn holds them: it has no complex dtype, so a complex
// tensor is a float tensor whose last axis has size 2, (real, imaginary)
// pairs — torch.view_as_real's layout, which keeps a complex vector of n
// entries as 2n interleaved floats. complex/real/imag go in and out of that
// layout, polar makes it from magnitudes and angles; abs, angle and conj
// are the elementwise functions of it.
import { tidy } from '../../engine.js';
import { DTypeError, ShapeError, formatShape } from '../../errors.js';
import { sameShape } from '../../shape.js';
import { noGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { zerosLike } from '../creation.js';
import { atan2, cos, div, equal, hypot, mul, sin, where } from '../elementwise.js';
import { expandDims, reshape, slice, stack } from '../movement.js';
import { checkComplex, checkFloat, constant } from './pairs.js';

/**
 * The complex tensor real + i·imag: the two stacked on a new last axis
 * [..., 2] (torch.complex, then torch.view_as_real). Without imag, the
 * imaginary parts are 0. Float inputs of one shape; their common dtype.
 */
export function complex(real: Tensor, imag?: Tensor): Tensor {
  checkFloat('complex', real, 'real');
  if (imag === undefined) return tidy(() => stack([real, zerosLike(real)], -1));
  checkFloat('complex', imag, 'imag');
  if (!sameShape(real.shape, imag.shape)) {
    throw new ShapeError(`complex: real ${formatShape(real.shape)} and imag ${formatShape(imag.shape)} must have the same shape`);
  }
  return stack([real, imag], -1);
}

/** One part of each pair of z [..., 2]: [...]. */
function part(op: string, z: Tensor, which: 0 | 1): Tensor {
  checkComplex(op, z);
  const shape = z.shape.slice(0, -1);
  return tidy(() => reshape(slice(z, [...shape.map(() => 0), which], [...shape, 1]), shape));
}

/** The real parts of complex z [..., 2] (torch.real): [...]. */
export function real(z: Tensor): Tensor {
  return part('real', z, 0);
}

/** The imaginary parts of complex z [..., 2] (torch.imag): [...]. */
export function imag(z: Tensor): Tensor {
  return part('imag', z, 1);
}

/** The complex conjugates of z [..., 2] (torch.conj): each imaginary part negated. */
export function conj(z: Tensor): Tensor {
  checkComplex('conj', z);
  return tidy(() => mul(z, constant('conj', z, [1, -1], [2])));
}

/**
 * The magnitudes |z| = √(re² + im²) of complex z [..., 2] (torch.abs of a
 * complex tensor): [...], without overflow or underflow in between (hypot).
 * Its gradient, dz = dy·z/|z|, is 0 at z = 0 (PyTorch's subgradient) rather
 * than the NaN that differentiating √ would give there.
 */
export function abs(z: Tensor): Tensor {
  checkComplex('abs', z);
  return tidy(() => {
    const y = noGrad(() => hypot(real(z), imag(z)));
    return record(y, 'abs', [z], [z, y], (dy, [sz, sy]) => [mul(sz, expandDims(div(dy, where(equal(sy, 0), 1, sy)), -1))]);
  });
}

/**
 * The arguments atan2(im, re) of complex z [..., 2] (torch.angle), in
 * (−π, π]: [...]. Differentiable (atan2's gradient) except at z = 0, where
 * the argument jumps and the gradient is NaN.
 */
export function angle(z: Tensor): Tensor {
  checkComplex('angle', z);
  return tidy(() => atan2(imag(z), real(z)));
}

/**
 * The complex tensor abs·e^(i·angle) (torch.polar): (abs·cos angle,
 * abs·sin angle) pairs [..., 2] from float abs and angle of one shape and dtype.
 * Differentiable in both.
 */
export function polar(abs: Tensor, angle: Tensor): Tensor {
  checkFloat('polar', abs, 'abs');
  checkFloat('polar', angle, 'angle');
  if (!sameShape(abs.shape, angle.shape)) {
    throw new ShapeError(`polar: abs ${formatShape(abs.shape)} and angle ${formatShape(angle.shape)} must have the same shape`);
  }
  if (abs.dtype !== angle.dtype) throw new DTypeError(`polar: abs (${abs.dtype}) and angle (${angle.dtype}) must have the same dtype`);
  return tidy(() => stack([mul(abs, cos(angle)), mul(abs, sin(angle))], -1));
}
