// Optimizers, schedules and weight averages carry their state over a break
// in training (stateDict / loadStateDict, PyTorch's state_dict): a run
// stopped, its state loaded into fresh objects over fresh parameters, and
// run on, gives bit for bit what the run that never stopped gives. A state
// that does not fit is refused by name and changes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

type MakeOptimizer = (params: tm.Tensor[]) => tm.optim.Optimizer;

const OPTIMIZERS: [string, MakeOptimizer][] = [
  ['SGD (momentum, Nesterov)', (p) => new tm.optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['Adam', (p) => new tm.optim.Adam(p, { lr: 0.01 })],
  ['AdamW', (p) => new tm.optim.AdamW(p, { lr: 0.01 })],
  ['RMSprop (centered, momentum)', (p) => new tm.optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ['Adagrad', (p) => new tm.optim.Adagrad(p, { lr: 0.05, lrDecay: 0.01 })],
  ['Adadelta', (p) => new tm.optim.Adadelta(p, { lr: 1 })],
  ['Adamax', (p) => new tm.optim.Adamax(p, { lr: 0.01 })],
  ['NAdam', (p) => new tm.optim.NAdam(p, { lr: 0.01 })],
  ['RAdam', (p) => new tm.optim.RAdam(p, { lr: 0.01 })],
  ['Lion', (p) => new tm.optim.Lion(p, { lr: 0.001 })],
  ['Rprop', (p) => new tm.optim.Rprop(p, { lr: 0.01 })],
  ['ASGD', (p) => new tm.optim.ASGD(p, { lr: 0.05, t0: 2 })],
];

/** Three parameters, an f16 one among them, the same values at every call. */
function makeParams(): tm.Tensor[] {
  const params = [tm.randn([3, 5], { seed: 1 }), tm.randn([7], { seed: 2 }), tm.randn([2, 3], { seed: 3 }).cast('f16')];
  for (const p of params) p.requiresGrad = true;
  return params;
}

/**
 * Sets step `k`'s gradients, seeded by k: the same at every call. The second
 * parameter has none on every third step, so the parameters' update counts
 * differ (Adagrad's, NAdam's and ASGD's t are per parameter).
 */
function setGradients(params: tm.Tensor[], k: number): void {
  params.forEach((p, i) => {
    p.grad?.dispose();
    p.grad = i === 1 && k % 3 === 0 ? null : tm.randn(p.shape, { seed: 100 * k + i }).cast(p.dtype);
  });
}

function run(opt: tm.optim.Optimizer, params: tm.Tensor[], from: number, to: number): void {
  for (let k = from; k < to; k++) {
    setGradients(params, k);
    opt.step();
  }
  opt.zeroGrad();
}

const valuesOf = (params: tm.Tensor[]) => Promise.all(params.map((p) => p.data()));

describe.each(BACKENDS)('optimizer state on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(OPTIMIZERS)('%s: stopped after 4 steps and resumed from its stateDict in fresh objects, 4 more give the unbroken run bit for bit', async (_name, make) => {
    const straight = makeParams();
    const unbroken = make(straight);
    run(unbroken, straight, 0, 8);

    const first = makeParams();
    const before = make(first);
    run(before, first, 0, 4);
    const state = before.stateDict();
    const weights = await valuesOf(first);

    const second = makeParams();
    second.forEach((p, i) => p.assign(tm.tensor(weights[i] as Float32Array, p.shape, { dtype: p.dtype })));
    const after = make(second);
    after.loadStateDict(state);
    run(after, second, 4, 8);

    const [want, got] = [await valuesOf(straight), await valuesOf(second)];
    for (let i = 0; i < want.length; i++) expect(Array.from(got[i]), `parameter ${i}`).toEqual(Array.from(want[i]));
    expect(after.lr).toBe(unbroken.lr);
    // The state's tensors are copies: the run going on did not free them, and they are the caller's.
    for (const p of state.params) for (const t of Object.values(p.buffers)) t.dispose();
    for (const o of [unbroken, before, after]) o.dispose();
    for (const p of [...straight, ...first, ...second]) p.dispose();
  });

  it('stateDict lists each parameter in order: its updates, its buffers in its own shape (f32 for an f16 one, here), the numbers kept beside them', () => {
    const params = makeParams();
    const opt = new tm.optim.NAdam(params);
    run(opt, params, 0, 4);
    const state = opt.stateDict();
    expect(state).toMatchObject({ optimizer: 'NAdam', lr: 2e-3, steps: 4 });
    expect(state.params.map((p) => p.updates)).toEqual([4, 2, 4]);
    expect(state.params.map((p) => Object.keys(p.buffers).sort())).toEqual([['m', 'v'], ['m', 'v'], ['m', 'v']]);
    expect(state.params[2].buffers.m.shape).toEqual([2, 3]);
    expect(state.params[2].buffers.m.dtype).toBe('f32');
    expect(Object.keys(state.params[0].values)).toEqual(['muProduct']);
    const fresh = new tm.optim.NAdam(makeParams()).stateDict();
    expect(fresh.params.map((p) => [p.updates, Object.keys(p.buffers).length, Object.keys(p.values).length])).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    opt.dispose();
  });

  it('refuses, by name, a state of another kind, over other parameters, or with a buffer of the wrong shape, name or dtype, or one disposed; a load refused changes nothing', async () => {
    const params = makeParams();
    const adam = new tm.optim.Adam(params, { lr: 0.01 });
    run(adam, params, 0, 2);
    const good = adam.stateDict();
    const target = makeParams();
    const opt = new tm.optim.Adam(target, { lr: 0.01 });
    run(opt, target, 0, 3);
    const kept = opt.stateDict();
    const withBuffer = (i: number, name: string, t: tm.Tensor) => ({ ...good, params: good.params.map((p, j) => (j === i ? { ...p, buffers: { ...p.buffers, [name]: t } } : p)) });

    expect(() => opt.loadStateDict(new tm.optim.SGD(makeParams()).stateDict())).toThrow(/the state is "?SGD"?'s, not Adam's/);
    expect(() => new tm.optim.Adam(target.slice(0, 2)).loadStateDict(good)).toThrow(/holds 3 parameters and this optimizer 2/);
    expect(() => opt.loadStateDict(withBuffer(0, 'm', tm.zeros([5, 3])))).toThrow(/params\[0\]\.buffers\.m is \[5,3\]; the tensor it belongs to is \[3,5\]/);
    expect(() => opt.loadStateDict(withBuffer(1, 'velocity', tm.zeros([7])))).toThrow(/params\[1\] has a buffer velocity; Adam keeps m and v/);
    expect(() => opt.loadStateDict(withBuffer(0, 'v', tm.zeros([3, 5], { dtype: 'i32' })))).toThrow(/buffers\.v is i32; here it must be f32/);
    const gone = tm.zeros([7]);
    gone.dispose();
    expect(() => opt.loadStateDict(withBuffer(1, 'm', gone))).toThrow(/params\[1\]\.buffers\.m was disposed/);
    expect(() => opt.loadStateDict({ ...good, steps: -1 })).toThrow(/steps must be an integer ≥ 0, got -1/);
    expect(() => opt.loadStateDict({ ...good, lr: Number.NaN })).toThrow(/lr must be a finite number/);
    expect(() => opt.loadStateDict(null as unknown as tm.optim.OptimizerState)).toThrow(/expects a state object/);
    const asgd = new tm.optim.ASGD(makeParams());
    const asgdState = (() => { const p = makeParams(); const o = new tm.optim.ASGD(p); run(o, p, 0, 1); return o.stateDict(); })();
    expect(() => asgd.loadStateDict({ ...asgdState, params: asgdState.params.map((p) => ({ ...p, values: { eta: 0.01 } })) })).toThrow(/values must be finite numbers eta, mu/);

    // Every refusal above left opt as it was: its state and its next steps are those of the run it had.
    const now = opt.stateDict();
    expect(now.steps).toBe(3);
    for (let i = 0; i < 3; i++) {
      for (const name of ['m', 'v']) expect(Array.from(await now.params[i].buffers[name].data())).toEqual(Array.from(await kept.params[i].buffers[name].data()));
    }
  });

  it('LBFGS (strong Wolfe): stopped after a step and resumed from its stateDict, two more steps give the unbroken run bit for bit', async () => {
    const x = tm.randn([20, 4], { seed: 11 });
    const y = tm.randn([20, 3], { seed: 12 });
    const problem = () => {
      const params = [tm.randn([4, 3], { seed: 13 }), tm.zeros([3])];
      for (const p of params) p.requiresGrad = true;
      return params;
    };
    const stepOn = async (opt: tm.optim.LBFGS, [w, b]: tm.Tensor[], steps: number) => {
      for (let k = 0; k < steps; k++) {
        await opt.step(() => {
          opt.zeroGrad();
          const loss = tm.losses.mse(x.matmul(w).add(b).tanh(), y);
          loss.backward();
          return loss;
        });
      }
    };
    const make = (params: tm.Tensor[], historySize = 10) => new tm.optim.LBFGS(params, { lr: 1, maxIter: 4, historySize, lineSearchFn: 'strong_wolfe' });
    const straight = problem();
    const unbroken = make(straight);
    await stepOn(unbroken, straight, 3);

    const first = problem();
    const before = make(first);
    await stepOn(before, first, 1);
    const state = before.stateDict();
    expect(state).toMatchObject({ optimizer: 'LBFGS', iterations: 4 });
    expect(state.steps.length).toBe(state.rho.length);
    expect(state.direction!.shape).toEqual([15]);
    const second = problem();
    const weights = await valuesOf(first);
    second.forEach((p, i) => p.assign(tm.tensor(weights[i] as Float32Array, p.shape)));
    const after = make(second);
    after.loadStateDict(state);
    await stepOn(after, second, 2);
    const [want, got] = [await valuesOf(straight), await valuesOf(second)];
    for (let i = 0; i < 2; i++) expect(Array.from(got[i]), `parameter ${i}`).toEqual(Array.from(want[i]));
    expect([after.iterationCount, after.evaluationCount]).toEqual([unbroken.iterationCount, unbroken.evaluationCount]);

    expect(() => make(problem(), 1).loadStateDict(state)).toThrow(/history holds \d+ pairs, more than this LBFGS's historySize 1/);
    expect(() => make([problem()[0]]).loadStateDict(state)).toThrow(/direction is \[15\]; it must be \[12\]/);
    expect(() => make(problem()).loadStateDict({ ...state, direction: null })).toThrow(/direction must be a tensor after the first iteration \(iterations 4\)/);
    expect(() => make(problem()).loadStateDict(new tm.optim.Adam(problem()).stateDict() as unknown as tm.optim.LBFGSState)).toThrow(/the state is "?Adam"?'s, not LBFGS's/);
  });

  it('a state loads from safetensors entries too ({ dtype, shape, data }, as a file holds them)', async () => {
    const params = makeParams();
    const opt = new tm.optim.Lion(params, { lr: 0.001 });
    run(opt, params, 0, 2);
    const state = opt.stateDict();
    const entries = await Promise.all(state.params.map(async (p) => ({
      ...p,
      buffers: Object.fromEntries(await Promise.all(Object.entries(p.buffers).map(async ([n, t]) => [n, { dtype: t.dtype, shape: t.shape, data: await t.storageData() }] as const))),
    })));
    const other = new tm.optim.Lion(makeParams(), { lr: 0.001 });
    other.loadStateDict({ ...state, params: entries });
    const loaded = other.stateDict();
    for (let i = 0; i < 3; i++) expect(Array.from(await loaded.params[i].buffers.m.data())).toEqual(Array.from(await state.params[i].buffers.m.data()));
  });
});

describe.each(BACKENDS)('schedule and weight-average state on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  type Schedule = tm.optim.EpochScheduler | tm.optim.ReduceLROnPlateau;
  type MakeSchedule = (opt: tm.optim.Optimizer) => Schedule;
  const SCHEDULES: [string, MakeSchedule][] = [
    ['StepLR', (o) => new tm.optim.StepLR(o, { stepSize: 3, gamma: 0.5 })],
    ['CosineAnnealingWarmRestarts', (o) => new tm.optim.CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2 })],
    ['OneCycleLR', (o) => new tm.optim.OneCycleLR(o, { maxLr: 0.1, totalSteps: 12 })],
    ['SequentialLR (warm-up, then cosine)', (o) => new tm.optim.SequentialLR(o, {
      schedulers: [new tm.optim.LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new tm.optim.CosineAnnealingLR(o, { tMax: 8 })],
      milestones: [3],
    })],
    ['ReduceLROnPlateau', (o) => new tm.optim.ReduceLROnPlateau(o, { patience: 1, factor: 0.5, cooldown: 1 })],
  ];
  // A loss that falls, stalls and rises: ReduceLROnPlateau cuts the rate on the way.
  const LOSSES = [5, 4, 4.5, 4.4, 4.3, 3, 3.2, 3.1, 3.3, 2, 2.1, 2.2];
  const stepOf = (s: Schedule, epoch: number) => (s instanceof tm.optim.ReduceLROnPlateau ? s.step(LOSSES[epoch]) : s.step());

  it.each(SCHEDULES)('%s: resumed from its state and the optimizer\'s after 5 epochs, it sets the rates of the unbroken run, whatever rate the resumed optimizer was made with', (_name, make) => {
    const rates = (opt: tm.optim.Optimizer, s: ReturnType<MakeSchedule>, from: number, to: number) => {
      const out: number[] = [];
      for (let e = from; e < to; e++) {
        stepOf(s, e);
        out.push(opt.lr);
      }
      return out;
    };
    const o1 = new tm.optim.SGD(makeParams(), { lr: 0.02 });
    const want = rates(o1, make(o1), 0, 11);

    const o2 = new tm.optim.SGD(makeParams(), { lr: 0.02 });
    const s2 = make(o2);
    const head = rates(o2, s2, 0, 5);
    const [optState, schedState] = [o2.stateDict(), s2.stateDict()];

    // Made with another rate: the states loaded carry the run's.
    const o3 = new tm.optim.SGD(makeParams(), { lr: 0.5 });
    const s3 = make(o3);
    o3.loadStateDict(optState);
    (s3 as { loadStateDict(state: unknown): void }).loadStateDict(schedState);
    expect([...head, ...rates(o3, s3, 5, 11)]).toEqual(want);
  });

  it('a schedule refuses another kind\'s state, and SequentialLR one with other turns', () => {
    const o = new tm.optim.SGD(makeParams());
    const step = new tm.optim.StepLR(o, { stepSize: 2 });
    expect(() => step.loadStateDict(new tm.optim.ExponentialLR(o, { gamma: 0.9 }).stateDict())).toThrow(/the state is "?ExponentialLR"?'s, not StepLR's/);
    expect(() => step.loadStateDict({ scheduler: 'StepLR', lastEpoch: 1.5, baseLr: 0.1 })).toThrow(/lastEpoch must be an integer ≥ 0/);
    const seq = new tm.optim.SequentialLR(o, { schedulers: [new tm.optim.ConstantLR(o, { factor: 0.5, totalIters: 2 }), new tm.optim.ExponentialLR(o, { gamma: 0.9 })], milestones: [2] });
    expect(() => seq.loadStateDict({ ...seq.stateDict(), schedulers: [] })).toThrow(/schedulers must be 2 schedules' states/);
    const plateau = new tm.optim.ReduceLROnPlateau(o);
    expect(() => plateau.loadStateDict({ scheduler: 'ReduceLROnPlateau', best: Number.NaN, numBadEpochs: 0, cooldownCounter: 0 })).toThrow(/best must be a number/);
  });

  it.each([
    ['EMA', (t: tm.Tensor[]) => new tm.optim.EMA(t, { decay: 0.9, warmup: true })],
    ['SWA', (t: tm.Tensor[]) => new tm.optim.SWA(t)],
  ] as const)('%s: resumed from its state, its averages go on as in the unbroken run', async (_name, make) => {
    const follow = (avg: tm.optim.WeightAverage, params: tm.Tensor[], from: number, to: number) => {
      for (let k = from; k < to; k++) {
        params.forEach((p, i) => p.assign(tm.randn(p.shape, { seed: 10 * k + i }).cast(p.dtype)));
        avg.update();
      }
    };
    const p1 = makeParams();
    const a1 = make(p1);
    follow(a1, p1, 0, 6);
    const p2 = makeParams();
    const a2 = make(p2);
    follow(a2, p2, 0, 3);
    const state = a2.stateDict();
    const p3 = makeParams();
    const a3 = make(p3);
    a3.loadStateDict(state);
    follow(a3, p3, 3, 6);
    expect(a3.updates).toBe(6);
    for (let i = 0; i < 3; i++) expect(Array.from(await a3.averages[i].data())).toEqual(Array.from(await a1.averages[i].data()));
    expect(() => make(p3.slice(1)).loadStateDict(state)).toThrow(/holds 3 averages and this .* follows 2 tensors/);
  });
});
