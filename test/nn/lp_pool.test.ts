// LPPool1d and LPPool2d (PyTorch's) against the window p-norms computed here
// in float64: (Σ xᵖ)^(1/p) over each window, and where ceilMode keeps a
// window cut short, PyTorch's (mean over the part inside × the window's
// size)^(1/p). Fresh positive data at odd shapes; the gradient against
// central differences; save/load and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';
import { centralDifferences, size } from '../helpers/float64.js';

/** LP pooling of images x [N, C, H, W] in float64, PyTorch's way. */
function lpRef(x: ArrayLike<number>, shape: number[], p: number, [kh, kw]: [number, number], [sh, sw]: [number, number], ceil: boolean): { y: Float64Array; out: [number, number] } {
  const [n, c, h, w] = shape;
  const count = (len: number, k: number, s: number) => {
    if (!ceil) return Math.floor((len - k) / s) + 1;
    let o = Math.ceil((len - k) / s) + 1;
    if ((o - 1) * s >= len) o--;
    return o;
  };
  const [oh, ow] = [count(h, kh, sh), count(w, kw, sw)];
  const y = new Float64Array(n * c * oh * ow);
  let k = 0;
  for (let plane = 0; plane < n * c; plane++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let [total, inside] = [0, 0];
        for (let a = i * sh; a < Math.min(i * sh + kh, h); a++) {
          for (let b = j * sw; b < Math.min(j * sw + kw, w); b++) {
            total += x[(plane * h + a) * w + b] ** p;
            inside++;
          }
        }
        y[k++] = ((total / inside) * kh * kw) ** (1 / p);
      }
    }
  }
  return { y, out: [oh, ow] };
}

describe.each(BACKENDS)('LPPool on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [2, 3, 7, 5], p: 2, kernel: [3, 2], stride: [2, 2], ceilMode: false },
    { shape: [1, 2, 5, 5], p: 3, kernel: [2, 2], stride: [2, 2], ceilMode: true }, // windows cut short at the far edges
    { shape: [3, 1, 4, 6], p: 1.5, kernel: [4, 1], stride: [1, 3], ceilMode: false },
  ] as const)('LPPool2d of $shape, p $p, $kernel windows, stride $stride, ceilMode $ceilMode', async ({ shape, p, kernel, stride, ceilMode }) => {
    const x = asF32(uniform(size(shape), 0.2, 2));
    const xt = tm.tensor(x, [...shape]);
    xt.requiresGrad = true;
    const y = new tm.nn.LPPool2d(p, [...kernel], { stride: [...stride], ceilMode }).forward(xt);
    const { y: want, out } = lpRef(x, [...shape], p, [...kernel], [...stride], ceilMode);
    expect(y.shape).toEqual([shape[0], shape[1], ...out]);
    expectClose(await y.data(), want, tol);
    const u = asF32(uniform(want.length, -1, 1));
    y.mul(tm.tensor(u, y.shape)).sum().backward();
    const x64 = Float64Array.from(x);
    const grad = centralDifferences(x64, () => lpRef(x64, [...shape], p, [...kernel], [...stride], ceilMode).y.reduce((s, v, i) => s + v * u[i], 0));
    expectClose(await xt.grad!.data(), grad, tol);
  });

  it('LPPool1d is LPPool2d over sequences, its stride the window by default', async () => {
    const x = asF32(uniform(2 * 3 * 11, 0.2, 2));
    const y = tm.nn.lpPool1d(tm.tensor(x, [2, 3, 11]), 2, 3);
    const { y: want } = lpRef(x, [2, 3, 1, 11], 2, [1, 3], [1, 3], false);
    expect(y.shape).toEqual([2, 3, 3]);
    expectClose(await y.data(), want, tol);
  });

  it('saves and loads in a model: identical predictions', async () => {
    const m = new tm.nn.Sequential([new tm.nn.Conv2d(2, 3, 1), new tm.nn.Sigmoid(), new tm.nn.LPPool2d(2, 2, { ceilMode: true })]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect((loaded.config() as unknown as { layers: unknown[] }).layers[2]).toEqual({ type: 'LPPool2d', normType: 2, kernelSize: [2, 2], stride: [2, 2], ceilMode: true });
    const x = tm.randn([2, 2, 5, 5], { seed: 4 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
  });
});

describe('LPPool', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses a bad norm, sizes and options PyTorch does not have, naming them', () => {
    expect(() => new tm.nn.LPPool2d(0, 2)).toThrow(new tm.ValueError('LPPool2d: normType must be a finite number > 0, got 0'));
    expect(() => new tm.nn.LPPool1d(Infinity, 2)).toThrow(new tm.ValueError('LPPool1d: normType must be a finite number > 0, got Infinity'));
    expect(() => new tm.nn.LPPool2d(2, 0)).toThrow(new tm.ValueError('LPPool2d: kernelSize must be an integer ≥ 1 or a pair [height, width] of them, got 0'));
    expect(() => tm.nn.lpPool2d(tm.ones([1, 1, 4, 4]), 2, 2, { padding: 1 } as never)).toThrow(/lpPool2d: unknown option "padding"/);
  });
});
