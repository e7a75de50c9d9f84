// A tensor read through slices gets its gradient assembled from the slices'
// blocks (autograd/blocks.ts): one concat when the blocks cut one axis, zeros
// in the gaps, blocks of the same region summed, and padding-and-adding for
// anything else. Each case is checked against the gradient written out by
// hand in float64: every block's incoming gradient placed where it was read.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { size } from '../helpers/float64.js';
import { collected } from '../helpers/gc.js';

type Read = { begin: number[]; size: number[] };

/** x [shape] read through `reads` (each multiplied by fresh weights, plus `dense` times x whole): x's gradient from tmnn and by hand. */
async function gradients(shape: number[], reads: Read[], dense = false): Promise<{ got: Float32Array; want: Float64Array }> {
  const x = tm.tensor(Float32Array.from(uniform(size(shape))), shape);
  x.requiresGrad = true;
  const want = new Float64Array(size(shape));
  const strides = shape.map((_, i) => size(shape.slice(i + 1)));
  const terms: tm.Tensor[] = [];
  for (const r of reads) {
    const weights = Float32Array.from(uniform(size(r.size)));
    terms.push(x.slice(r.begin, r.size).mul(tm.tensor(weights, r.size)).sum());
    weights.forEach((w, i) => {
      const at = r.size.reduce((acc, extent, d) => acc + (r.begin[d] + (Math.floor(i / size(r.size.slice(d + 1))) % extent)) * strides[d], 0);
      want[at] += w;
    });
  }
  if (dense) {
    terms.push(x.mul(3).sum());
    want.forEach((_, i) => (want[i] += 3));
  }
  terms.reduce((a, b) => a.add(b)).backward();
  return { got: (await x.grad!.data()) as Float32Array, want };
}

describe.each(BACKENDS)('gradients through slices on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('a tensor split into steps along one axis (every piece read): the pieces side by side', async () => {
    const reads = Array.from({ length: 7 }, (_, t) => ({ begin: [0, t, 0], size: [3, 1, 5] }));
    const { got, want } = await gradients([3, 7, 5], reads);
    expectClose(got, want, 1e-6);
  });

  it('pieces of unequal sizes read out of order, with gaps before, between and after them: zeros there', async () => {
    const reads = [{ begin: [5, 0], size: [3, 4] }, { begin: [1, 0], size: [2, 4] }, { begin: [9, 0], size: [1, 4] }];
    const { got, want } = await gradients([11, 4], reads);
    expectClose(got, want, 1e-6);
    expect(Array.from(got.slice(0, 4))).toEqual([0, 0, 0, 0]);
  });

  it('one region read twice: its two gradients summed', async () => {
    const reads = [{ begin: [0, 2], size: [4, 3] }, { begin: [0, 2], size: [4, 3] }, { begin: [0, 0], size: [4, 2] }];
    const { got, want } = await gradients([4, 6], reads);
    expectClose(got, want, 1e-6);
  });

  it('overlapping pieces, pieces cut along two axes, and a read of the whole tensor besides', async () => {
    const overlapping = [{ begin: [0, 1], size: [3, 3] }, { begin: [0, 2], size: [3, 4] }];
    expectClose(...Object.values(await gradients([3, 7], overlapping)) as [Float32Array, Float64Array], 1e-6);
    const corners = [{ begin: [0, 0], size: [2, 2] }, { begin: [2, 3], size: [3, 2] }];
    expectClose(...Object.values(await gradients([5, 5], corners)) as [Float32Array, Float64Array], 1e-6);
    const steps = Array.from({ length: 4 }, (_, t) => ({ begin: [t, 0], size: [1, 6] }));
    expectClose(...Object.values(await gradients([4, 6], steps, true)) as [Float32Array, Float64Array], 1e-6);
  });

  it('leaves no tensor behind', async () => {
    const x = tm.randn([6, 5], { seed: 1 });
    x.requiresGrad = true;
    const step = () => tm.tidy(() => {
      tm.split(x, 2, 0).map((piece, i) => piece.mul(i + 1).sum()).reduce((a, b) => a.add(b)).add(x.slice([1, 1], [2, 2]).sum()).backward();
    });
    step();
    const before = await collected();
    step();
    expect(tm.memory().numTensors).toBe(before);
  });
});
