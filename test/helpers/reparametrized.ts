// What the tests of tm.nn.utils' reparametrizations (weightNorm,
// spectralNorm, prune) share: a Conv2d's float64 forward with its bias, and
// a training step for their memory checks.
import * as tm from '../../src/index.js';
import { conv2dRef, type F64 } from './float64.js';

const VALID = { stride: [1, 1] as [number, number], sides: [[0, 0], [0, 0]] as [[number, number], [number, number]], dilation: [1, 1] as [number, number] };

/** A Conv2d without padding, stride 1, in float64: x [N, C, H, W] with w [F, C, kh, kw], plus b [F] per output channel. */
export function conv2dBiasRef(x: F64, w: F64, b: F64): F64 {
  const y = conv2dRef(x, w, VALID);
  const plane = y.shape[2] * y.shape[3];
  return { shape: y.shape, v: y.v.map((s, i) => s + b.v[Math.floor(i / plane) % y.shape[1]]) };
}

/** One optimizer step on mean(layer(x)²), the loss freed after its backward: a step that leaves nothing of its own behind. */
export function squaredOutputStep(layer: tm.nn.Module, optimizer: tm.optim.Optimizer, x: tm.Tensor): void {
  optimizer.zeroGrad();
  const loss = tm.tidy(() => (layer.forward(x) as tm.Tensor).square().mean());
  loss.backward();
  loss.dispose();
  optimizer.step();
}
