// tm.nn.utils.spectralNorm / removeSpectralNorm: a layer's weight divided by
// its largest singular value, estimated by power iteration (PyTorch's
// spectral_norm); σ against a float64 power iteration run to convergence,
// one step against its float64 transcription, gradients against central
// differences with u and v held constant, on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, uniform } from '../../helpers/data.js';
import { centralDifferences, f64, linearRef, ravel, size, unravel, type F64 } from '../../helpers/float64.js';
import { conv2dBiasRef, squaredOutputStep } from '../../helpers/reparametrized.js';

/** The weight as the matrix spectral norm takes: axis `kept` the rows, the other axes, in order, the columns; row-major. */
function matrixRef(w: F64, kept: number): { rows: number; columns: number; m: Float64Array } {
  const rest = w.shape.filter((_, i) => i !== kept);
  const rows = w.shape[kept];
  const columns = size(rest);
  const m = new Float64Array(w.v.length);
  w.v.forEach((x, i) => {
    const at = unravel(i, w.shape);
    m[at[kept] * columns + ravel(at.filter((_, a) => a !== kept), rest)] = x;
  });
  return { rows, columns, m };
}

const times = (m: Float64Array, rows: number, columns: number, x: ArrayLike<number>, transposed: boolean): Float64Array => {
  const out = new Float64Array(transposed ? columns : rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) transposed ? (out[c] += m[r * columns + c] * x[r]) : (out[r] += m[r * columns + c] * x[c]);
  return out;
};

/** PyTorch's normalize: x / max(‖x‖, eps). */
const normalized = (x: Float64Array, eps = 1e-12) => {
  const n = Math.max(Math.hypot(...x), eps);
  return x.map((v) => v / n);
};

/** The largest singular value by power iteration on MᵀM, run far past convergence. */
function largestSingularValue(w: F64, kept: number): number {
  const { rows, columns, m } = matrixRef(w, kept);
  let v = normalized(uniform(columns));
  for (let i = 0; i < 3000; i++) v = normalized(times(m, rows, columns, times(m, rows, columns, v, false), true));
  return Math.hypot(...times(m, rows, columns, v, false));
}

/** One of spectral norm's power-iteration steps from u: v = normalize(Mᵀu), u = normalize(Mv). */
function powerStepRef(w: F64, kept: number, u: ArrayLike<number>): { u: Float64Array; v: Float64Array } {
  const { rows, columns, m } = matrixRef(w, kept);
  const v = normalized(times(m, rows, columns, u, true));
  return { u: normalized(times(m, rows, columns, v, false)), v };
}

/** W / uᵀMv in float64, u and v given. */
/**
 * How far f32 may move a weight normalised with u and v as given: σ = uᵀ W v
 * summed in f32 is within n·2⁻²⁴ of Σ|u_r W_rc v_c| (n terms), which
 * divided by |σ| is σ's relative error, and so the weight's (plus its own
 * rounding). Large where the terms cancel: the caller redraws such u, v.
 */
function normalizedTolerance(w: F64, kept: number, u: ArrayLike<number>, v: ArrayLike<number>): number {
  const { rows, columns, m } = matrixRef(w, kept);
  let sigma = 0, magnitude = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      sigma += u[r] * m[r * columns + c] * v[c];
      magnitude += Math.abs(u[r] * m[r * columns + c] * v[c]);
    }
  }
  return 2 ** -22 + ((rows * columns + rows + columns) * 2 ** -24 * magnitude) / Math.abs(sigma);
}

function normalizedRef(w: F64, kept: number, u: ArrayLike<number>, v: ArrayLike<number>): F64 {
  const { rows, columns, m } = matrixRef(w, kept);
  const mv = times(m, rows, columns, v, false);
  const sigma = mv.reduce((s, x, r) => s + x * u[r], 0);
  return { shape: w.shape, v: w.v.map((x) => x / sigma) };
}

const LAYERS = [
  { what: 'Dense(7, 13)', make: () => new tm.nn.Dense(7, 13), input: [5, 7], kept: 1, ref: (x: F64, w: F64, b: F64) => linearRef(x, w, b) },
  { what: 'Dense(13, 1)', make: () => new tm.nn.Dense(13, 1), input: [3, 13], kept: 1, ref: (x: F64, w: F64, b: F64) => linearRef(x, w, b) },
  {
    what: 'Conv2d(3, 5, [3, 2])', make: () => new tm.nn.Conv2d(3, 5, [3, 2]), input: [2, 3, 6, 5], kept: 0,
    ref: conv2dBiasRef,
  },
];

describe.each(BACKENDS)('spectralNorm on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each(LAYERS)('$what: σ converges to the float64 largest singular value, and the weight it gives has spectral norm 1', async ({ make, input, kept }) => {
    const layer = make();
    const original = layer.weight;
    const normed = tm.nn.utils.spectralNorm(layer, { nPowerIterations: 50 });
    expect(normed.weightOrig).toBe(original);
    const w = f64([...original.shape], await original.data());
    const [rows, columns] = [w.shape[kept], size(w.shape) / w.shape[kept]];
    expect(normed.weightU.shape).toEqual([rows]);
    expect(normed.weightV.shape).toEqual([columns]);
    const x = tm.randn(input);
    for (let i = 0; i < 20; i++) tm.noGrad(() => layer.forward(x)).dispose();
    const sigma = largestSingularValue(w, kept);
    const weight = await layer.weight.data();
    expectClose(weight, w.v.map((v) => v / sigma), 1e-4, 'weight / σ');
    expect(largestSingularValue(f64(w.shape, weight), kept)).toBeCloseTo(1, 4);
    expectClose([Math.hypot(...(await normed.weightU.data()))], [1], 1e-5, '‖u‖');
    layer.dispose();
  });

  it.each(LAYERS)('$what: a training forward takes nPowerIterations steps from u and divides by uᵀMv; an eval forward moves nothing', async ({ make, input, kept }) => {
    const layer = tm.nn.utils.spectralNorm(make(), { nPowerIterations: 2 });
    const w = f64([...layer.weightOrig.shape], uniform(layer.weightOrig.size).map(Math.fround));
    layer.weightOrig.assign(tm.tensor(w.v, w.shape));
    const u0 = await layer.weightU.data();
    const x = tm.randn(input);
    tm.noGrad(() => layer.forward(x)).dispose();
    const once = powerStepRef(w, kept, u0);
    const twice = powerStepRef(w, kept, once.u);
    expectClose(await layer.weightU.data(), twice.u, 1e-4, 'u');
    expectClose(await layer.weightV.data(), twice.v, 1e-4, 'v');
    const u = await layer.weightU.data();
    const v = await layer.weightV.data();
    expectClose(await layer.weight.data(), normalizedRef(w, kept, u, v).v, 1e-5, 'weight');
    // Eval mode: u and v stay; the weight is computed again from them (weightOrig may have moved).
    layer.eval();
    layer.weightOrig.assign(tm.tensor(w.v.map((a) => 2 * a), w.shape));
    tm.noGrad(() => layer.forward(x)).dispose();
    expectClose(await layer.weightU.data(), u, 0, 'u in eval mode');
    expectClose(await layer.weightV.data(), v, 0, 'v in eval mode');
    expectClose(await layer.weight.data(), normalizedRef(f64(w.shape, w.v.map((a) => 2 * a)), kept, u, v).v, 1e-5, 'weight in eval mode');
    layer.dispose();
  });

  it.each(LAYERS)('$what: the gradient of weightOrig matches float64 central differences through W and σ with u and v held', async ({ make, input, kept, ref }) => {
    const layer = tm.nn.utils.spectralNorm(make());
    const w = f64([...layer.weightOrig.shape], uniform(layer.weightOrig.size).map(Math.fround));
    layer.weightOrig.assign(tm.tensor(w.v, w.shape));
    const b = f64([layer.bias!.size], await layer.bias!.data());
    const x = f64(input, uniform(size(input)).map(Math.fround));
    const y = layer.forward(tm.tensor(x.v, x.shape));
    // The u and v this forward used: the ones it left.
    const u = await layer.weightU.data();
    const v = await layer.weightV.data();
    const r = uniform(y.size);
    y.mul(tm.tensor(r, y.shape)).sum().backward();
    const loss = () => ref(x, normalizedRef(w, kept, u, v), b).v.reduce((s, yi, i) => s + yi * r[i], 0);
    const dw = centralDifferences(w.v, loss);
    expectClose(await layer.weightOrig.grad!.data(), dw, 1e-4, 'dL/dweightOrig', dw.map(() => Math.max(...dw.map(Math.abs))));
    layer.dispose();
  });

  it('saves u and v with the weights: a reloaded model computes the same in eval mode; removeSpectralNorm leaves a plain layer computing the same', async () => {
    const build = (seed: number) => new tm.nn.Sequential([tm.nn.utils.spectralNorm(new tm.nn.Conv2d(2, 4, 3, { seed }), { seed }), new tm.nn.Flatten(), new tm.nn.Dense(36, 2, { seed })]);
    const model = build(3);
    tm.nn.utils.spectralNorm(model.layers[2] as tm.nn.Dense, { seed: 4 });
    expect(Object.keys(model.stateDict())).toEqual(['0.weightOrig', '0.bias', '2.weightOrig', '2.bias', '0.weightU', '0.weightV', '2.weightU', '2.weightV']);
    expect(Object.keys(model.namedParameters())).toEqual(['0.weightOrig', '0.bias', '2.weightOrig', '2.bias']);
    const x = tm.randn([3, 2, 5, 5]);
    tm.noGrad(() => model.forward(x)).dispose(); // moves u and v off their start
    model.eval();
    const copy = build(11);
    tm.nn.utils.spectralNorm(copy.layers[2] as tm.nn.Dense, { seed: 12 });
    await copy.loadWeights(await model.weightsToBytes());
    copy.eval();
    const want = await model.forward(x).data();
    expectClose(await copy.forward(x).data(), want, 0);
    expectClose(await (copy.layers[0] as tm.nn.Conv2d & { weightU: tm.Tensor }).weightU.data(), await (model.layers[0] as tm.nn.Conv2d & { weightU: tm.Tensor }).weightU.data(), 0);
    // Removal bakes weightOrig / σ, from the u and v as they are, into the tensor that was weightOrig.
    const conv = model.layers[0] as tm.nn.Conv2d;
    const orig = (conv as tm.nn.Conv2d & { weightOrig: tm.Tensor }).weightOrig;
    tm.nn.utils.removeSpectralNorm(conv);
    tm.nn.utils.removeSpectralNorm(model.layers[2] as tm.nn.Dense, 'weight');
    expect(conv.weight).toBe(orig);
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect('weightU' in conv || 'weightOrig' in conv).toBe(false);
    model.train();
    expectClose(await model.forward(x).data(), want, 1e-5);
    model.dispose();
    copy.dispose();
  });

  it('a load (loadStateDict, loadWeights) computes the weight from the loaded weightOrig, u and v at once, not at the next forward', async () => {
    const layer = tm.nn.utils.spectralNorm(new tm.nn.Conv2d(3, 5, [3, 2]));
    const w = f64([5, 3, 3, 2], uniform(90).map(Math.fround));
    let u = uniform(5).map(Math.fround), v = uniform(18).map(Math.fround);
    // u and v whose σ is not mostly cancellation (its rounding would swamp any tolerance): about 1 draw in 3 is redrawn.
    while (normalizedTolerance(w, 0, u, v) > 1e-4) [u, v] = [uniform(5).map(Math.fround), uniform(18).map(Math.fround)];
    const tol = normalizedTolerance(w, 0, u, v);
    const bias = await layer.bias!.data();
    layer.loadStateDict({ weightOrig: tm.tensor(w.v, w.shape), weightU: tm.tensor(u, [5]), weightV: tm.tensor(v, [18]), bias: tm.tensor(bias, [5]) });
    // Not iterated: u and v as loaded.
    expectClose(await layer.weight.data(), normalizedRef(w, 0, u, v).v, tol, 'after loadStateDict');
    const other = tm.nn.utils.spectralNorm(new tm.nn.Conv2d(3, 5, [3, 2]));
    await other.loadWeights(await layer.weightsToBytes());
    expectClose(await other.weight.data(), normalizedRef(w, 0, u, v).v, tol, 'after loadWeights');
    layer.dispose();
    other.dispose();
  });

  it('vectorToParameters computes the weight from the written weightOrig at once (u and v as they are), not at the next forward', async () => {
    const layer = tm.nn.utils.spectralNorm(new tm.nn.Conv2d(3, 5, [3, 2]));
    const w = f64([5, 3, 3, 2], uniform(90).map(Math.fround));
    const [u, v] = [await layer.weightU.data(), await layer.weightV.data()];
    const written = new Map<tm.Tensor, ArrayLike<number>>([[layer.weightOrig, w.v], [layer.bias!, await layer.bias!.data()]]);
    tm.nn.utils.vectorToParameters(tm.tensor(layer.parameters().flatMap((p) => Array.from(written.get(p)!))), layer.parameters());
    expectClose(await layer.weight.data(), normalizedRef(w, 0, u, v).v, 1e-5);
    layer.dispose();
  });

  it("leaves memory flat over training steps, and frees everything on removal and dispose (its own or a Sequential's)", async () => {
    const bare = tm.memory().numTensors;
    const layer = tm.nn.utils.spectralNorm(new tm.nn.Conv1d(3, 4, 2));
    const optimizer = new tm.optim.SGD(layer.parameters(), { lr: 0.1 });
    const x = tm.randn([2, 3, 6]);
    const step = () => squaredOutputStep(layer, optimizer, x);
    step();
    const after = tm.memory().numTensors;
    for (let i = 0; i < 4; i++) step();
    expect(tm.memory().numTensors).toBe(after);
    tm.nn.utils.removeSpectralNorm(layer);
    layer.dispose();
    x.dispose();
    expect(tm.memory().numTensors).toBe(bare);
    const other = tm.nn.utils.spectralNorm(new tm.nn.Dense(5, 4));
    tm.noGrad(() => tm.tidy(() => void other.forward(tm.ones([1, 5]))));
    other.dispose();
    expect(tm.memory().numTensors).toBe(bare);
    // In a Sequential, whose dispose frees the layer's computed weight through the layer's own dispose.
    const model = new tm.nn.Sequential([new tm.nn.ReLU(), new tm.nn.Sequential([tm.nn.utils.spectralNorm(new tm.nn.Dense(5, 4))])]);
    tm.noGrad(() => tm.tidy(() => void model.forward(tm.ones([1, 5]))));
    model.dispose();
    expect(tm.memory().numTensors).toBe(bare);
  });
});

describe("spectralNorm's default dim", () => {
  it('is the output axis of a matrix PyTorch keeps transposed: a cell\'s weightHh [H, 4H] keeps axis 1, as PyTorch\'s dim 0 of its [4H, H] (weightNorm\'s too)', () => {
    const cell = tm.nn.utils.spectralNorm(new tm.nn.LSTMCell(3, 4), { name: 'weightHh' });
    expect([cell.weightHhU.shape, cell.weightHhV.shape]).toEqual([[16], [4]]);
    const probe = tm.nn.utils.weightNorm(new tm.nn.LSTMCell(3, 4), { name: 'weightIh' }) as tm.nn.LSTMCell & { weightIhG: tm.Tensor };
    expect(probe.weightIhG.shape).toEqual([1, 16]);
    cell.dispose();
    probe.dispose();
  });
});

describe('spectralNorm refuses', () => {
  it('nPowerIterations below 1, a bad epsilon or dim, a second spectralNorm, and removal where there is none', async () => {
    await tm.init({ backend: 'js' });
    const dense = new tm.nn.Dense(2, 3);
    expect(() => tm.nn.utils.spectralNorm(dense, { nPowerIterations: 0 })).toThrow('spectralNorm: nPowerIterations must be an integer ≥ 1, got 0');
    expect(() => tm.nn.utils.spectralNorm(dense, { nPowerIterations: 1.5 })).toThrow('got 1.5');
    expect(() => tm.nn.utils.spectralNorm(dense, { epsilon: 0 })).toThrow('spectralNorm: epsilon must be a finite number > 0, got 0');
    expect(() => tm.nn.utils.spectralNorm(dense, { eps: 1e-6 } as tm.nn.utils.SpectralNormOptions)).toThrow('spectralNorm: unknown option "eps" (did you mean epsilon?)');
    expect(() => tm.nn.utils.spectralNorm(dense, { dim: -3 })).toThrow('spectralNorm: dim must be an axis of weight (an integer in [-2, 1] for its shape [2,3]), got -3');
    expect(() => tm.nn.utils.spectralNorm(dense, { name: 'scale' })).toThrow('spectralNorm: Dense has no parameter "scale"; its parameters are weight, bias');
    expect(() => tm.nn.utils.removeSpectralNorm(dense)).toThrow('removeSpectralNorm: weight of Dense has no spectralNorm');
    tm.nn.utils.spectralNorm(dense);
    expect(() => tm.nn.utils.spectralNorm(dense)).toThrow('spectralNorm: weight of Dense is already reparametrized by spectralNorm; removeSpectralNorm first');
    expect(() => tm.nn.utils.removeWeightNorm(dense)).toThrow('removeWeightNorm: weight of Dense is reparametrized by spectralNorm, not weightNorm');
  });
});
