// fit and evaluate on a tm.data.Dataset of batches: the same training as on
// tensors (the same batches give the same weights), from streams no tensor
// holds, with fit's validation, schedules, early stopping and progress; the
// options that slice tensors refused with what to do instead; bad batches and
// failing sources refused with every tensor freed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

const model = () => new tm.nn.Sequential([new tm.nn.Dense(3, 5, { activation: 'tanh', seed: 1 }), new tm.nn.Dense(5, 2, { seed: 2 })]);

describe.each(BACKENDS)('fit on a Dataset on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });
  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([[13, 4], [7, 7], [9, 1]])('%i samples in batches of %i reach the weights fit on the tensors reaches with shuffle off', async (n, batchSize) => {
    const x = tm.tensor(Float32Array.from(asF32(uniform(n * 3))), [n, 3]);
    const y = tm.tensor(Float32Array.from(asF32(uniform(n * 2))), [n, 2]);
    const [a, b] = [model(), model()];
    const onTensors = await a.fit(x, y, { epochs: 3, batchSize, shuffle: false, optimizer: new tm.optim.SGD(a.parameters(), { lr: 0.1, momentum: 0.9 }), quiet: true });
    const onDataset = await b.fit(tm.data.fromTensors(x, y).batch(batchSize), { epochs: 3, optimizer: new tm.optim.SGD(b.parameters(), { lr: 0.1, momentum: 0.9 }), quiet: true });
    const [wa, wb] = [a.parameters(), b.parameters()];
    for (let i = 0; i < wa.length; i++) {
      const [ga, gb] = [await wa[i].data(), await wb[i].data()];
      if (backend === 'js') expect(gb).toEqual(ga);
      else expectClose(gb, ga, 1e-5, `parameter ${i}`);
    }
    expectClose(onDataset.loss, onTensors.loss, backend === 'js' ? 0 : 1e-5, 'epoch losses');
    // evaluate agrees on both too.
    const [ea, eb] = [await a.evaluate(x, y), await b.evaluate(tm.data.fromTensors(x, y).batch(5))];
    expectClose([eb.loss], [ea.loss], 1e-5, 'evaluate');
  });

  it('trains from a generator that streams batches no tensor holds, validating on a Dataset each epoch', async () => {
    // y = x·w + 0.5 for a w the model has to find; each epoch makes new samples.
    const w = [0.5, -1, 2];
    const stream = (batches: number, seed: number) => tm.data.fromGenerator(async function* () {
      for (let b = 0; b < batches; b++) {
        const xb = tm.randn([8, 3], { seed: seed + b });
        const yb = tm.tidy(() => xb.matmul(tm.tensor(w, [3, 1])).add(0.5));
        await new Promise((resolve) => setTimeout(resolve, 0)); // as a read from a file would
        yield { x: xb, y: yb };
      }
    });
    const linear = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 4 })]);
    const epochs: number[] = [];
    const history = await linear.fit(stream(16, 100), {
      epochs: 6, optimizer: new tm.optim.Adam(linear.parameters(), { lr: 0.1 }), validationData: stream(2, 900), quiet: true,
      onEpochEnd: (logs) => void epochs.push(logs.epoch),
    });
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(history.valLoss).toHaveLength(6);
    expect(history.loss[5]).toBeLessThan(history.loss[0] / 10);
    expect(history.valLoss[5]).toBeLessThan(0.05);
    expect((await linear.evaluate(stream(2, 900))).loss).toBeCloseTo(history.valLoss[5], 5);
  });

  it('leaves memory flat over epochs through a pipeline that maps, shuffles, batches and prefetches', async () => {
    const x = tm.randn([30, 3], { seed: 5 });
    const labels = tm.tensor(Int32Array.from({ length: 30 }, (_, i) => i % 2));
    const pipeline = tm.data.fromTensors(x, labels)
      .map(({ x: xi, y }) => ({ x: xi.mul(2), y }))
      .shuffle(10, { seed: 1 })
      .batch(8)
      .prefetch(2);
    const net = model();
    const optimizer = new tm.optim.Adam(net.parameters(), { lr: 0.01 });
    const options = { optimizer, loss: 'crossEntropy' as const, validationData: pipeline.take(1), quiet: true };
    await net.fit(pipeline, options);
    const before = await collected();
    const history = await net.fit(pipeline, { ...options, epochs: 4 });
    expect(tm.memory().numTensors).toBe(before);
    expect(history.accuracy).toHaveLength(4);
    expect(history.valAccuracy).toHaveLength(4);
  });

  it('a generator that throws mid-epoch rejects fit with its error; the batches read and the gradients are freed', async () => {
    const failing = tm.data.fromGenerator(function* () {
      for (let b = 0; b < 3; b++) yield { x: tm.randn([4, 3], { seed: b }), y: tm.zeros([4, 2]) };
      throw new Error('corrupt record 12');
    }).prefetch(2);
    const net = model();
    const optimizer = new tm.optim.SGD(net.parameters(), { lr: 0.01 });
    const before = await collected();
    await expect(net.fit(failing, { optimizer, quiet: true })).rejects.toThrow('corrupt record 12');
    expect(tm.memory().numTensors).toBe(before);
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('a batch holding NaN stops fit, naming the batch and what a Dataset leaves unchecked', async () => {
    const net = model();
    const poisoned = tm.data.fromGenerator(function* () {
      yield { x: tm.ones([4, 3]), y: tm.zeros([4, 2]) };
      yield { x: tm.fill([4, 3], NaN), y: tm.zeros([4, 2]) };
      yield { x: tm.ones([4, 3]), y: tm.zeros([4, 2]) };
    });
    await expect(net.fit(poisoned, { optimizer: new tm.optim.SGD(net.parameters(), { lr: 0.01 }), quiet: true })).rejects.toThrow(
      "fit: loss became NaN at epoch 1, batch 2: training diverged (lower the learning rate), or the batch holds NaN or ∞, or (on webgpu) class labels that are none of the model's classes: a Dataset's batches are not checked ahead. The steps taken so far",
    );
  });

  it('a batch that does not fit the model fails as on tensors, freeing it', async () => {
    const net = model();
    const wrong = tm.data.fromGenerator(function* () {
      yield { x: tm.zeros([4, 5]), y: tm.zeros([4, 2]) };
    });
    const before = await collected();
    await expect(net.fit(wrong, { optimizer: new tm.optim.SGD(net.parameters(), { lr: 0.01 }), quiet: true })).rejects.toThrow('matmul: inner dimensions differ: [4,5] x [3,5] (5 vs 3)');
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('fit on a Dataset refuses', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });
  const data = () => tm.data.fromTensors(tm.zeros([8, 3]), tm.zeros([8, 2])).batch(4);

  it('the options that slice tensors, saying what to do instead', async () => {
    const net = model();
    const cases: [tm.nn.FitOptions, string][] = [
      [{ batchSize: 4 }, 'fit: batchSize does not apply to a Dataset; its elements are already batches: batch a dataset of samples with dataset.batch(size)'],
      [{ shuffle: true }, 'fit: shuffle does not apply to a Dataset; shuffle it with dataset.shuffle(bufferSize, { seed }) before .batch(size)'],
      [{ dropLast: true }, 'fit: dropLast does not apply to a Dataset; batch it with dataset.batch(size, { dropRemainder: true })'],
      [{ seed: 1 }, 'fit: seed does not apply to a Dataset; seed its shuffle: dataset.shuffle(bufferSize, { seed })'],
      [{ validationSplit: 0.2 }, 'fit: validationSplit does not apply to a Dataset; pass validationData: another Dataset of batches (dataset.take(n) and dataset.skip(n) split one)'],
    ];
    for (const [options, message] of cases) await expect(net.fit(data(), { quiet: true, ...options })).rejects.toThrow(message);
    await expect(net.evaluate(data(), { batchSize: 4 })).rejects.toThrow('evaluate: batchSize does not apply to a Dataset');
    await expect(net.fit(data(), tm.zeros([8, 2]) as unknown as tm.nn.FitOptions)).rejects.toThrow('fit: a Dataset holds its targets: call fit(dataset, options)');
  });

  it('elements that are not batches { x, y } or [x, y] of tensors, each freed', async () => {
    const net = model();
    const x = tm.randn([6, 3], { seed: 1 });
    const y = tm.zeros([6, 2]);
    const [scalar, short] = [tm.scalar(1), y.slice([0], [5])];
    const before = await collected();
    const cases: [tm.data.Dataset<unknown>, string][] = [
      [tm.data.fromTensors(x).batch(3), 'fit: element 1 of the dataset is a tensor [3,3] f32; it must be a batch { x, y } or [x, y] of tensors (a dataset of samples is batched with dataset.batch(size))'],
      [tm.data.fromTensors(x, y), 'fit: batch 1 has x [3] and y [2], which must have the same number of samples along axis 0 (a dataset of samples is batched with dataset.batch(size))'],
      [tm.data.fromIterable([{ x: 1, y: 2 }]), "fit: batch 1's x is a number, not a tensor"],
      [tm.data.fromIterable([{ input: x, target: y }]), 'fit: element 1 of the dataset is an object {input, target}'],
      [tm.data.fromIterable([[x, scalar]]), "fit: batch 1's y is a scalar, with no batch axis"],
      [tm.data.fromTensors(x, y).batch(4).concatenate(tm.data.fromIterable([[x, short]])), 'fit: batch 3 has x [6,3] and y [5,2]'],
    ];
    for (const [ds, message] of cases) await expect(net.fit(ds as tm.data.Dataset<tm.nn.Batch>, { quiet: true })).rejects.toThrow(message);
    expect(tm.memory().numTensors).toBe(before);
    await expect(net.evaluate(tm.data.fromTensors(x).batch(3) as unknown as tm.data.Dataset<tm.nn.Batch>)).rejects.toThrow('evaluate: element 1 of the dataset is a tensor [3,3] f32');
  });

  it('a dataset with no end, or no batches', async () => {
    const net = model();
    await expect(net.fit(data().repeat(), { quiet: true })).rejects.toThrow('fit: the dataset repeats for ever (repeat() without a count), so its first epoch would never end; take(n) of it for epochs of n batches');
    await expect(net.fit(data().take(0), { quiet: true })).rejects.toThrow('fit: the dataset gave no batches in epoch 1');
    await expect(net.evaluate(data().take(0))).rejects.toThrow('evaluate: the dataset gave no batches');
    await expect(net.evaluate(data().repeat())).rejects.toThrow('evaluate: the dataset repeats for ever');
  });
});

describe('fit on a Dataset, with what fit does on tensors', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });
  const data = () => tm.data.fromTensors(tm.randn([10, 3], { seed: 1 }), tm.randn([10, 2], { seed: 2 })).batch(4);

  it("schedulerInterval 'batch' steps the scheduler after every batch; a OneCycleLR too short for a dataset of known size is refused before the first", async () => {
    const net = model();
    const seen: unknown[][] = [];
    const recorder: tm.optim.Scheduler = { step: (...args: unknown[]) => void seen.push(args) };
    await net.fit(data(), { epochs: 2, scheduler: recorder, schedulerInterval: 'batch', quiet: true });
    expect(seen).toHaveLength(6); // 3 batches (4, 4, 2) an epoch
    const opt = new tm.optim.SGD(net.parameters(), { lr: 0.1 });
    const cycle = new tm.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 5 });
    await expect(net.fit(data(), { epochs: 2, optimizer: opt, scheduler: cycle, schedulerInterval: 'batch', quiet: true })).rejects.toThrow(
      'fit: the OneCycleLR has 5 of its totalSteps 5 left, fewer than the 6 steps of 2 epochs once a batch, 3 an epoch',
    );
    const fresh = new tm.optim.SGD(net.parameters(), { lr: 0.1 });
    const history = await net.fit(data(), { epochs: 2, optimizer: fresh, scheduler: new tm.optim.ReduceLROnPlateau(fresh), quiet: true });
    expect(history.epochs.map((e) => e.lr)).toEqual([0.1, 0.1]);
  });

  it('mixed precision and gradient clipping train as on tensors: the same weights for the same batches', async () => {
    const [x, y] = [tm.randn([10, 3], { seed: 1 }), tm.randn([10, 2], { seed: 2 })];
    const [a, b] = [model(), model()];
    const options = { epochs: 2, mixedPrecision: true, clipGradNorm: 0.5, quiet: true };
    await a.fit(x, y, { ...options, batchSize: 4, shuffle: false, optimizer: new tm.optim.SGD(a.parameters(), { lr: 0.1 }) });
    await b.fit(tm.data.fromTensors(x, y).batch(4), { ...options, optimizer: new tm.optim.SGD(b.parameters(), { lr: 0.1 }) });
    for (const [i, p] of a.parameters().entries()) expect(await b.parameters()[i].data()).toEqual(await p.data());
  });

  it('validates on a pair of tensors as on a Dataset, and fit on tensors validates on a Dataset', async () => {
    const [x, y] = [tm.randn([10, 3], { seed: 1 }), tm.randn([10, 2], { seed: 2 })];
    const [a, b, c] = [model(), model(), model()];
    const sgd = (m: tm.nn.Sequential) => new tm.optim.SGD(m.parameters(), { lr: 0.1 });
    const pair = await a.fit(data(), { epochs: 2, optimizer: sgd(a), validationData: [x, y], quiet: true });
    const batched = await b.fit(data(), { epochs: 2, optimizer: sgd(b), validationData: tm.data.fromTensors(x, y).batch(3), quiet: true });
    expectClose(batched.valLoss, pair.valLoss, 1e-6, 'valLoss');
    const onTensors = await c.fit(x, y, { epochs: 2, optimizer: sgd(c), validationData: tm.data.fromTensors(x, y).batch(4), quiet: true });
    expect(onTensors.valLoss).toHaveLength(2);
  });

  it('stops early, monitoring the loss or a validation Dataset\'s', async () => {
    const net = model();
    const stalled = await net.fit(data(), { epochs: 10, optimizer: new tm.optim.SGD(net.parameters(), { lr: 0 }), earlyStopping: { patience: 2 }, quiet: true });
    expect(stalled.loss).toHaveLength(3);
    const validated = await net.fit(data(), { epochs: 10, optimizer: new tm.optim.SGD(net.parameters(), { lr: 0 }), validationData: data(), earlyStopping: { patience: 1 }, quiet: true });
    expect(validated.valLoss).toHaveLength(2);
  });

  it('prints a line an epoch where stderr is not a terminal', async () => {
    const net = model();
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await net.fit(data().filter(() => true), { epochs: 2 }); // of a size not known ahead
      const lines = write.mock.calls.map(([text]) => String(text));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^epoch 2\/2 · loss \d+\.\d{4} · \d+ samples\/s/);
    } finally {
      write.mockRestore();
    }
  });
});
