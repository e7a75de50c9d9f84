// Weight initialisation, as TMNN did it: He for ReLU-family layers (variance
// 2/fanIn keeps activations from shrinking through rectifiers), Xavier/Glorot
// for tanh and sigmoid (variance 2/(fanIn+fanOut) keeps them in the linear range).
import { randn } from '../ops/index.js';
import type { Tensor } from '../tensor.js';

export type Initializer = 'he' | 'xavier';
export const INITIALIZERS: readonly Initializer[] = ['he', 'xavier'];

export function initWeight(kind: Initializer, fanIn: number, fanOut: number, seed?: number): Tensor {
  return initShaped(kind, [fanIn, fanOut], fanIn, fanOut, seed);
}

/** A weight of any `shape` drawn as initWeight draws one, for a layer whose fans are not its two axes (a convolution's fan-in is channels × window). */
export function initShaped(kind: Initializer, shape: readonly number[], fanIn: number, fanOut: number, seed?: number): Tensor {
  const std = kind === 'he' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
  return randn(shape, { std, seed });
}
