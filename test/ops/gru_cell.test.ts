// The fused GRU step (a backend's gruCell kernel) against PyTorch's GRU
// equations in float64, its gradients against central differences of them,
// at odd sizes, f32 and f16; and the ops it falls back to where a backend
// lacks the kernel.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import type { TensorInfo } from '../../src/backends/kernels.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { activeBackend } from '../../src/engine.js';
import { gruCell } from '../../src/ops/gru_cell.js';
import { BACKENDS } from '../helpers/backends.js';
import { asDType, expectClose, uniform } from '../helpers/data.js';
import { recurrentCellsOf } from '../../src/backends/recurrent_cells.js';
import { collected } from '../helpers/gc.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** h' in float64: r, z = σ(xr + hr), σ(xz + hz), n = tanh(xn + r·hn), h' = (1 − z)·n + z·h. */
function gruRef(xw: ArrayLike<number>, hw: ArrayLike<number>, h: ArrayLike<number>, batch: number, hidden: number): Float64Array {
  const out = new Float64Array(batch * hidden);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      const at = b * 3 * hidden + j;
      const r = sigmoid(xw[at] + hw[at]);
      const z = sigmoid(xw[at + hidden] + hw[at + hidden]);
      const n = Math.tanh(xw[at + 2 * hidden] + r * hw[at + 2 * hidden]);
      out[b * hidden + j] = (1 - z) * n + z * h[b * hidden + j];
    }
  }
  return out;
}

/** d Σ dy·h' / d each of xw, hw and h, by central differences of gruRef. */
function gradientsRef(xw: Float64Array, hw: Float64Array, h: Float64Array, dy: Float64Array, batch: number, hidden: number): Float64Array[] {
  const objective = () => gruRef(xw, hw, h, batch, hidden).reduce((s, v, i) => s + v * dy[i], 0);
  const step = 1e-6;
  return [xw, hw, h].map((input) => input.map((v, i) => {
    input[i] = v + step;
    const up = objective();
    input[i] = v - step;
    const down = objective();
    input[i] = v;
    return (up - down) / (2 * step);
  }));
}

describe.each(BACKENDS)('gruCell on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  /** h' and the gradients of xw, hw and h for the objective Σ dy·h'. */
  async function run(step: typeof gruCell, values: Float64Array[], batch: number, hidden: number, dtype: 'f32' | 'f16') {
    const [xw, hw, h] = values.slice(0, 3).map((v, k) => tm.tensor(v, k < 2 ? [batch, 3 * hidden] : [batch, hidden], { dtype }));
    xw.requiresGrad = hw.requiresGrad = h.requiresGrad = true;
    const next = step(xw, hw, h);
    expect(next.dtype).toBe(dtype);
    next.mul(tm.tensor(values[3], [batch, hidden], { dtype })).sum().backward();
    return [await next.data(), await xw.grad!.data(), await hw.grad!.data(), await h.grad!.data()];
  }

  it.each([[1, 1], [3, 5], [7, 13], [2, 33]])('batch %i, hidden %i: h\' and the gradients of xw, hw and h as PyTorch\'s equations give them', async (batch, hidden) => {
    for (const dtype of ['f32', 'f16'] as const) {
      // The values as the tensors hold them, so the reference starts where the kernel does.
      const values = [uniform(batch * 3 * hidden, -4, 4), uniform(batch * 3 * hidden, -4, 4), uniform(batch * hidden), uniform(batch * hidden)].map((v) => asDType(v, dtype));
      const [xw, hw, h, dy] = values;
      const want = [gruRef(xw, hw, h, batch, hidden), ...gradientsRef(xw, hw, h, dy, batch, hidden)];
      const got = await run(gruCell, values, batch, hidden, dtype);
      // f16: the result and each gradient rounded once, from f16 operands the reference also reads.
      const tol = dtype === 'f32' ? 1e-5 : 4e-3;
      for (let k = 0; k < 4; k++) expectClose(got[k], want[k], tol, `${dtype} ${["h'", 'dxw', 'dhw', 'dh'][k]}`);
    }
  });

  it('where the backend lacks the kernel, the ops it stands for give the same step and gradients', async () => {
    const [batch, hidden] = [4, 7];
    const values = [uniform(batch * 3 * hidden, -4, 4), uniform(batch * 3 * hidden, -4, 4), uniform(batch * hidden), uniform(batch * hidden)];
    const fused = await run(gruCell, values, batch, hidden, 'f32');
    const b = recurrentCellsOf(activeBackend());
    const [kernel, kernelGrad] = [b.gruCell, b.gruCellGrad];
    expect(typeof kernel).toBe('function');
    b.gruCell = b.gruCellGrad = undefined;
    try {
      const byOps = await run(gruCell, values, batch, hidden, 'f32');
      for (let k = 0; k < 4; k++) expectClose(byOps[k], fused[k], 1e-5, ["h'", 'dxw', 'dhw', 'dh'][k]);
    } finally {
      [b.gruCell, b.gruCellGrad] = [kernel, kernelGrad];
    }
  });

  it('leaves no tensor behind, forward and backward', async () => {
    const [batch, hidden] = [3, 5];
    const [xw, hw] = [tm.tensor(uniform(batch * 3 * hidden), [batch, 3 * hidden]), tm.tensor(uniform(batch * 3 * hidden), [batch, 3 * hidden])];
    const h = tm.tensor(uniform(batch * hidden), [batch, hidden]);
    xw.requiresGrad = hw.requiresGrad = h.requiresGrad = true;
    const before = await collected();
    const loss = tm.tidy(() => gruCell(xw, hw, h).sum());
    loss.backward();
    loss.dispose();
    for (const t of [xw.grad!, hw.grad!, h.grad!]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('says which shapes do not make a step', () => {
    const h = tm.zeros([2, 3]);
    expect(() => gruCell(tm.zeros([2, 9]), tm.zeros([2, 8]), h)).toThrow(
      new tm.ShapeError('gruCell: xw and hw must be [batch, 3·hidden] for h [batch, hidden], got xw [2,9], hw [2,8] and h [2,3]'),
    );
    expect(() => gruCell(tm.zeros([3, 9]), tm.zeros([3, 9]), h)).toThrow(tm.ShapeError);
    expect(() => gruCell(tm.zeros([2, 9]), tm.zeros([2, 9]), tm.zeros([6]))).toThrow(tm.ShapeError);
  });
});

// The kernel's launches, where the webgpu backend is tested.
describe.each(BACKENDS.filter((b) => b === 'webgpu'))('gruCell on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('runs the step, and its gradient, in one launch each', async () => {
    const [batch, hidden] = [5, 9];
    const [xw, hw] = [tm.tensor(uniform(batch * 3 * hidden), [batch, 3 * hidden]), tm.tensor(uniform(batch * 3 * hidden), [batch, 3 * hidden])];
    const h = tm.tensor(uniform(batch * hidden), [batch, hidden]);
    const dy = tm.tensor(uniform(batch * hidden), [batch, hidden]);
    for (const t of [xw, hw, h, dy]) await t.data();
    const gpu = activeBackend() as WebGpuBackend;
    const launches = (run: () => GpuData) => {
      const before = gpu.runtime.commands.dispatches;
      const out = run();
      gpu.materialize(out);
      gpu.free(out);
      return gpu.runtime.commands.dispatches - before;
    };
    const info = (t: tm.Tensor) => t.info('test') as TensorInfo<GpuData>;
    expect(launches(() => recurrentCellsOf(gpu).gruCell!(info(xw), info(hw), info(h)))).toBe(1);
    expect(launches(() => recurrentCellsOf(gpu).gruCellGrad!(info(xw), info(hw), info(h), info(dy)))).toBe(1);
  });
});
