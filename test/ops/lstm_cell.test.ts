// The fused LSTM step (a backend's lstmCell kernel) and the ops it falls
// back to where a backend lacks the kernel, each against the LSTM's
// equations in float64 and its gradients against central differences of
// them, at odd sizes, f32 and f16.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import type { TensorInfo } from '../../src/backends/kernels.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import { webGpuBackendOn, type WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { activeBackend, setActive } from '../../src/engine.js';
import { lstmCell } from '../../src/ops/lstm_cell.js';
import { BACKENDS } from '../helpers/backends.js';
import { asDType, expectClose, uniform } from '../helpers/data.js';
import { recurrentCellsOf } from '../../src/backends/recurrent_cells.js';
import { collected } from '../helpers/gc.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** h' then c' in float64: c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'), z's row the gates i, f, g, o. */
function lstmRef(z: ArrayLike<number>, c: ArrayLike<number>, batch: number, hidden: number): Float64Array {
  const out = new Float64Array(2 * batch * hidden);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      const at = b * 4 * hidden + j;
      const next = sigmoid(z[at + hidden]) * c[b * hidden + j] + sigmoid(z[at]) * Math.tanh(z[at + 2 * hidden]);
      out[b * hidden + j] = sigmoid(z[at + 3 * hidden]) * Math.tanh(next);
      out[(batch + b) * hidden + j] = next;
    }
  }
  return out;
}

/** d Σ dy·[h', c'] / d z and d c, by central differences of lstmRef. */
function gradientsRef(z: Float64Array, c: Float64Array, dy: Float64Array, batch: number, hidden: number): Float64Array[] {
  const objective = () => lstmRef(z, c, batch, hidden).reduce((s, v, i) => s + v * dy[i], 0);
  const step = 1e-6;
  return [z, c].map((input) => input.map((v, i) => {
    input[i] = v + step;
    const up = objective();
    input[i] = v - step;
    const down = objective();
    input[i] = v;
    return (up - down) / (2 * step);
  }));
}

/** h', c' and the gradients of z and c for the objective Σ dh·h' + Σ dc·c' (dy holds dh then dc), on the active backend. */
async function run(values: Float64Array[], batch: number, hidden: number, dtype: 'f32' | 'f16') {
  const z = tm.tensor(values[0], [batch, 4 * hidden], { dtype });
  const c = tm.tensor(values[1], [batch, hidden], { dtype });
  z.requiresGrad = c.requiresGrad = true;
  const next = lstmCell(z, c);
  expect([next.h.dtype, next.c.dtype]).toEqual([dtype, dtype]);
  const dy = tm.tensor(values[2], [2, batch, hidden], { dtype });
  const [dh, dc] = [dy.slice([0, 0, 0], [1, batch, hidden]).reshape([batch, hidden]), dy.slice([1, 0, 0], [1, batch, hidden]).reshape([batch, hidden])];
  next.h.mul(dh).sum().add(next.c.mul(dc).sum()).backward();
  const both = [...(await next.h.data()), ...(await next.c.data())];
  return [both, await z.grad!.data(), await c.grad!.data()];
}

/** The same without the backend's kernel: the ops it stands for. */
async function runByOps(values: Float64Array[], batch: number, hidden: number, dtype: 'f32' | 'f16') {
  const cells = recurrentCellsOf(activeBackend());
  const [kernel, kernelGrad] = [cells.lstmCell, cells.lstmCellGrad];
  expect(typeof kernel).toBe('function');
  cells.lstmCell = cells.lstmCellGrad = undefined;
  try {
    return await run(values, batch, hidden, dtype);
  } finally {
    [cells.lstmCell, cells.lstmCellGrad] = [kernel, kernelGrad];
  }
}

/** The step and its gradients on fresh values, by the kernel and by the ops, each against lstmRef and gradientsRef. */
async function expectStepAsEquations(batch: number, hidden: number, dtype: 'f32' | 'f16'): Promise<void> {
  // The values as the tensors hold them, so the reference starts where the kernel does.
  const values = [uniform(batch * 4 * hidden, -4, 4), uniform(batch * hidden), uniform(2 * batch * hidden)].map((v) => asDType(v, dtype));
  const [z, c, dy] = values;
  const want = [lstmRef(z, c, batch, hidden), ...gradientsRef(z, c, dy, batch, hidden)];
  const names = ["h', c'", 'dz', 'dc'];
  // f16: the kernel rounds each result once; the ops round after each of a dozen steps.
  const [fusedTol, opsTol] = dtype === 'f32' ? [1e-5, 1e-5] : [4e-3, 2e-2];
  const fused = await run(values, batch, hidden, dtype);
  for (let k = 0; k < 3; k++) expectClose(fused[k], want[k], fusedTol, `${dtype} kernel ${names[k]}`);
  const byOps = await runByOps(values, batch, hidden, dtype);
  for (let k = 0; k < 3; k++) expectClose(byOps[k], want[k], opsTol, `${dtype} ops ${names[k]}`);
}

describe.each(BACKENDS)('lstmCell on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[1, 1], [3, 5], [7, 13], [1, 129], [7, 129]])('batch %i, hidden %i: h\', c\' and the gradients of z and c as the LSTM\'s equations give them, by the kernel and by the ops', async (batch, hidden) => {
    for (const dtype of ['f32', 'f16'] as const) await expectStepAsEquations(batch, hidden, dtype);
  });

  it('leaves no tensor behind, forward and backward', async () => {
    const [batch, hidden] = [3, 5];
    const z = tm.tensor(uniform(batch * 4 * hidden), [batch, 4 * hidden]);
    const c = tm.tensor(uniform(batch * hidden), [batch, hidden]);
    z.requiresGrad = c.requiresGrad = true;
    const before = await collected();
    const loss = tm.tidy(() => {
      const next = lstmCell(z, c);
      return next.h.sum().add(next.c.square().sum());
    });
    loss.backward();
    loss.dispose();
    for (const t of [z.grad!, c.grad!]) t.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('says which shapes do not make a step', () => {
    expect(() => lstmCell(tm.zeros([2, 11]), tm.zeros([2, 3]))).toThrow(
      new tm.ShapeError('lstmCell: z must be [batch, 4·hidden] for c [batch, hidden], got z [2,11] and c [2,3]'),
    );
    expect(() => lstmCell(tm.zeros([3, 12]), tm.zeros([2, 3]))).toThrow(tm.ShapeError);
    expect(() => lstmCell(tm.zeros([2, 12]), tm.zeros([6]))).toThrow(tm.ShapeError);
  });
});

// The kernel's launches, where the webgpu backend is tested.
describe.each(BACKENDS.filter((b) => b === 'webgpu'))('lstmCell on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('runs the step, and its gradient, in one launch each', async () => {
    const [batch, hidden] = [5, 9];
    const z = tm.tensor(uniform(batch * 4 * hidden), [batch, 4 * hidden]);
    const c = tm.tensor(uniform(batch * hidden), [batch, hidden]);
    const dy = tm.tensor(uniform(2 * batch * hidden), [2, batch, hidden]);
    for (const t of [z, c, dy]) await t.data();
    const gpu = activeBackend() as WebGpuBackend;
    const launches = (run: () => GpuData) => {
      const before = gpu.runtime.commands.dispatches;
      const out = run();
      gpu.materialize(out);
      gpu.free(out);
      return gpu.runtime.commands.dispatches - before;
    };
    const info = (t: tm.Tensor) => t.info('test') as TensorInfo<GpuData>;
    expect(launches(() => recurrentCellsOf(gpu).lstmCell!(info(z), info(c)))).toBe(1);
    expect(launches(() => recurrentCellsOf(gpu).lstmCellGrad!(info(z), info(c), info(dy)))).toBe(1);
  });

  it('without shader-f16 (f16 packed two to a word) reads and writes f16 through f32 temporaries, as the equations give it', async () => {
    const ctx = (activeBackend() as WebGpuBackend).runtime.ctx;
    setActive(webGpuBackendOn({ ...ctx, features: { ...ctx.features, f16: false } }), { backend: 'webgpu', reason: 'test: shader-f16 withheld', passedOver: [] });
    try {
      for (const [batch, hidden] of [[1, 1], [3, 5], [7, 13]]) await expectStepAsEquations(batch, hidden, 'f16');
    } finally {
      await tm.init({ backend });
    }
  });
});
