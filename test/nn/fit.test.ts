import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tm from '../../src/index.js';
import { trainXor } from '../../examples/xor/main.js';
import { activeBackend } from '../../src/engine.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

describe('Sequential.fit', () => {
  it.each(BACKENDS)('learns XOR (TMNN\'s own demo) on %s', async (backend) => {
    const r = await trainXor({ backend });
    expect(r.predictions.map((p) => Math.round(p))).toEqual([0, 1, 1, 0]);
    expect(r.loss).toBeLessThan(0.05);
    await tm.init({ backend: 'js' });
  });

  it('returns a history per epoch with validation metrics, and calls onEpochEnd', async () => {
    tm.setSeed(5);
    const x = tm.randn([64, 3], { seed: 1 });
    const labels = tm.tidy(() => x.sum(1).greater(0).cast('i32'));
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 8, { activation: 'relu' }), new tm.nn.Dense(8, 2)]);
    const seen: number[] = [];
    const history = await model.fit(x, labels, {
      epochs: 4, batchSize: 16, loss: 'crossEntropy', validationSplit: 0.25, quiet: true,
      optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.05 }),
      onEpochEnd: (e) => { seen.push(e.epoch); },
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(history.loss).toHaveLength(4);
    expect(history.valAccuracy).toHaveLength(4);
    expect(history.loss[3]).toBeLessThan(history.loss[0]);
    expect(history.epochs[0].samplesPerSecond).toBeGreaterThan(0);
    expect(history.accuracy[3]).toBeGreaterThan(0.8);
  });

  it('trains a class per position (logits [N, C, H, W] against labels [N, H, W], segmentation): labels checked against the C classes, accuracy the share of positions right, precision over positions', async () => {
    const x = tm.randn([6, 2, 3, 5], { seed: 1 });
    const y = tm.tidy(() => tm.rand([6, 3, 5], { seed: 2 }).mul(3).floor().cast('i32'));
    const model = new tm.nn.Sequential([new tm.nn.Conv2d(2, 3, 1, { seed: 3 })]);
    const logits = model.forward(x);
    const hits = await tm.tidy(() => logits.argmax(1).equal(y)).data();
    const evaluation = await model.evaluate(x, y, { loss: 'crossEntropy', metrics: ['accuracy'] });
    expect(evaluation.accuracy).toBeCloseTo(Array.from(hits).reduce((a, b) => a + b, 0) / hits.length, 6);
    expect(evaluation.metrics!.accuracy).toBeCloseTo(evaluation.accuracy!, 6);
    expect(evaluation.loss).toBeCloseTo(await tm.losses.crossEntropy(logits, y).item(), 5);
    // The same through the loss module.
    expect((await model.evaluate(x, y, { loss: new tm.nn.CrossEntropyLoss() })).accuracy).toBeCloseTo(evaluation.accuracy!, 6);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 3, loss: 'crossEntropy', quiet: true });
    expect(history.accuracy).toHaveLength(2);
    const outside = tm.tidy(() => y.add(tm.where(y.equal(2), 1, 0).cast('i32')));
    await expect(model.fit(x, outside, { epochs: 1, loss: 'crossEntropy', quiet: true })).rejects.toThrow(/fit: class label 3 \(sample \d, at \[\d, \d\]\) is not one of the model's 3 classes, 0 to 2/);
  });

  it('leaves memory flat across epochs: only the model, optimizer state and data remain', async () => {
    const x = tm.randn([32, 4], { seed: 2 });
    const y = tm.randn([32, 1], { seed: 3 });
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 4, { activation: 'tanh' }), new tm.nn.Dense(4, 1)]);
    const optimizer = new tm.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    await model.fit(x, y, { epochs: 1, batchSize: 8, optimizer, quiet: true });
    const after1 = tm.memory();
    await model.fit(x, y, { epochs: 5, batchSize: 8, optimizer, quiet: true });
    expect(tm.memory()).toEqual(after1);
  });

  it.each(BACKENDS)('a fit that fails in its first step (a loss that does not fit the output, a bad class label) frees that step\'s graph at once on %s', async (backend) => {
    await tm.init({ backend });
    const x = tm.randn([16, 4], { seed: 4 });
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 8, { activation: 'relu' }), new tm.nn.Dense(8, 3)]);
    const optimizer = new tm.optim.SGD(model.parameters(), { lr: 0.01 });
    const targets = tm.zeros([16, 2]);
    const labels = tm.tensor(Int32Array.from({ length: 16 }, (_, i) => (i === 5 ? 3 : i % 3)));
    // Earlier tests' garbage collected first: a collection during the fit would change the count.
    await collected();
    const before = tm.memory();
    // An output [16,3] against targets [16,2]: mse's shape check comes after the forward pass.
    await expect(model.fit(x, targets, { optimizer, quiet: true })).rejects.toThrow('mse: prediction [16,3] and target [16,2] differ');
    expect(tm.memory()).toEqual(before);
    await expect(model.fit(x, labels, { optimizer, loss: 'crossEntropy', quiet: true })).rejects.toThrow(/class label 3 \(sample 5\)/);
    expect(tm.memory()).toEqual(before);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    await tm.init({ backend: 'js' });
  });

  it('rejects mismatched sample counts and bad options', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 1)]);
    await expect(model.fit(tm.zeros([4, 2]), tm.zeros([3, 1]))).rejects.toThrow(/x \[4,2\] and y \[3,1\] must have the same number of samples/);
    await expect(model.fit(tm.zeros([4, 2]), tm.zeros([4, 1]), { epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(model.fit(tm.zeros([4, 2]), tm.zeros([4, 1]), { loss: 'hinge' as 'mse' })).rejects.toThrow(/unknown loss "hinge"/);
    // mse by default: class labels against it name the default and the loss they want.
    const labels = tm.tensor(Int32Array.from([0, 1, 1, 0]));
    const classifier = new tm.nn.Sequential([new tm.nn.Dense(2, 3)]);
    const defaultLoss = "mse: prediction [4,3] and target [4] differ (mse is the default loss; for class labels pass { loss: 'crossEntropy' })";
    await expect(classifier.fit(tm.zeros([4, 2]), labels, { quiet: true })).rejects.toThrow(defaultLoss);
    await expect(classifier.evaluate(tm.zeros([4, 2]), labels)).rejects.toThrow(defaultLoss);
  });

  it('refuses class labels that are not one of the model\'s classes before any step, in fit, its validation data and evaluate', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 3)]);
    const before = await model.parameters()[0].data();
    const x = tm.randn([6, 2], { seed: 7 });
    const labels = (values: number[]) => tm.tensor(Int32Array.from(values), [values.length]);
    await expect(model.fit(x, labels([0, 1, 2, 3, 1, 0]), { loss: 'crossEntropy', quiet: true }))
      .rejects.toThrow("fit: class label 3 (sample 3) is not one of the model's 3 classes, 0 to 2");
    await expect(model.fit(x, labels([0, 1, -1, 2, 1, 0]), { loss: 'crossEntropy', quiet: true })).rejects.toThrow(/class label -1 \(sample 2\)/);
    expect(await model.parameters()[0].data()).toEqual(before); // no step was taken
    await expect(model.fit(x, labels([0, 1, 2, 1, 0, 7]), { loss: 'crossEntropy', validationSplit: 0.5, quiet: true }))
      .rejects.toThrow("fit (validation data): class label 7 (sample 2) is not one of the model's 3 classes, 0 to 2");
    expect(await model.parameters()[0].data()).toEqual(before); // checked with the training labels, before the first step
    await expect(model.fit(x, labels([0, 1, 2, 1, 0, 1]), { loss: 'crossEntropy', validationData: [x, labels([0, 9, 0, 0, 0, 0])], quiet: true }))
      .rejects.toThrow("fit (validation data): class label 9 (sample 1) is not one of the model's 3 classes, 0 to 2");
    expect(await model.parameters()[0].data()).toEqual(before);
    await expect(model.evaluate(x, labels([0, 0, 0, 0, 0, 3]), { loss: 'crossEntropy' })).rejects.toThrow(/^evaluate: class label 3 \(sample 5\)/);
    // Labels as probabilities (floats) are not class numbers, and other losses take any target.
    await expect(model.evaluate(x, tm.zeros([6, 3]).add(1 / 3), { loss: 'crossEntropy' })).resolves.toBeDefined();
    await expect(model.evaluate(x, tm.zeros([6, 3]).add(5), { loss: 'mse' })).resolves.toBeDefined();
  });

  it('refuses settings and data that would train on nothing: no samples, a split that leaves none to train on, a batch size that is not a positive integer', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 1)]);
    const [x, y] = [tm.randn([10, 4], { seed: 1 }), tm.zeros([10, 1])];
    await expect(model.fit(tm.zeros([0, 4]), tm.zeros([0, 1]), { quiet: true })).rejects.toThrow('fit: x [0,4] has no samples');
    await expect(model.fit(x, y, { validationSplit: 0.99, quiet: true })).rejects.toThrow('fit: validationSplit 0.99 of 10 samples leaves none to train on');
    await expect(model.fit(x, y, { validationSplit: NaN, quiet: true })).rejects.toThrow('fit: validationSplit must be a number in (0, 1), got NaN');
    await expect(model.fit(x, y, { validationSplit: '0.5' as unknown as number, quiet: true })).rejects.toThrow('fit: validationSplit must be a number in (0, 1), got "0.5"');
    for (const batchSize of [0, -1, 2.5]) {
      await expect(model.evaluate(x, y, { batchSize })).rejects.toThrow(`evaluate: batchSize must be a positive integer, got ${batchSize}`);
    }
    await expect(model.evaluate(tm.zeros([0, 4]), tm.zeros([0, 1]))).rejects.toThrow('evaluate: x [0,4] has no samples');
  });

  it('predict runs in eval mode without recording gradients', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 2), new tm.nn.Dropout(0.9)]);
    const x = tm.ones([5, 3]);
    const a = model.predict(x);
    const b = model.predict(x);
    expect(await a.data()).toEqual(await b.data());
    expect(a.gradFn).toBeNull();
    expect(model.training).toBe(true);
  });

  it.each(BACKENDS)('evaluate holds eval mode only while it issues its batches: two at once, or evaluations during fit, leave every training step in training mode (%s)', async (backend) => {
    await tm.init({ backend });
    // A layer that notes the mode and batch size of each forward pass.
    const seen: [boolean, number][] = [];
    class Probe extends tm.nn.Module {
      forward(x: tm.Tensor): tm.Tensor {
        seen.push([this.training, x.shape[0]]);
        return x.reshape(x.shape);
      }
      config() { return { type: 'Probe' }; }
    }
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 2), new Probe()]);
    const [x, y] = [tm.randn([32, 3], { seed: 1 }), tm.randn([32, 2], { seed: 2 })];
    await Promise.all([model.evaluate(x, y, { batchSize: 32 }), model.evaluate(x, y, { batchSize: 32 })]);
    expect(model.training).toBe(true); // the second saw the first's eval mode and restored that, for good
    seen.length = 0;
    const fitting = model.fit(x, y, { epochs: 2, batchSize: 4, loss: 'mse', quiet: true });
    const evaluations = [];
    for (let i = 0; i < 5; i++) {
      evaluations.push(model.evaluate(x, y, { batchSize: 32 }));
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all([fitting, ...evaluations]);
    expect(seen.filter(([, n]) => n === 4).every(([training]) => training)).toBe(true); // fit's 16 steps
    expect(seen.filter(([, n]) => n === 32).every(([training]) => !training)).toBe(true); // the evaluations
    expect(seen.filter(([, n]) => n === 4)).toHaveLength(16);
    await tm.init({ backend: 'js' });
  });

  it('a layer may hand its input back (an identity) anywhere in a Sequential', async () => {
    class Identity extends tm.nn.Module {
      forward(x: tm.Tensor): tm.Tensor { return x; }
      config() { return { type: 'Identity' }; }
    }
    const dense = new tm.nn.Dense(3, 2, { seed: 1 });
    const model = new tm.nn.Sequential([new Identity(), dense, new Identity(), new tm.nn.ReLU(), new Identity()]);
    const x = tm.randn([4, 3], { seed: 2 });
    const want = Array.from(await tm.tidy(() => dense.forward(x).relu()).data());
    await collected();
    const before = await collected();
    const out = model.predict(x);
    expect(Array.from(await out.data())).toEqual(want);
    out.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('predict in batches frees what it made when a layer fails part way; a 1-D x is one sample, not a batch of features', async () => {
    let calls = 0;
    class FailsThird extends tm.nn.Module {
      forward(x: tm.Tensor): tm.Tensor {
        if (++calls === 3) throw new Error('third batch');
        return x.mul(2);
      }
      config() { return { type: 'FailsThird' }; }
    }
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 2), new FailsThird()]);
    const x = tm.randn([10, 2], { seed: 3 });
    await collected();
    const before = tm.memory();
    expect(() => model.predict(x, { batchSize: 4 })).toThrow('third batch');
    expect(tm.memory()).toEqual(before);
    const wide = new tm.nn.Sequential([new tm.nn.Dense(2000, 3, { seed: 4 })]);
    const sample = tm.randn([2000], { seed: 5 });
    expect(wide.predict(sample).shape).toEqual([3]);
    expect(Array.from(await wide.predict(sample).data())).toEqual(Array.from(await wide.forward(sample).data()));
  });
});

describe('batches', () => {
  it('on native are gathered into memory the backend recycles: a handful of buffers serve every batch', async () => {
    await tm.init({ backend: 'native' });
    const backend = activeBackend();
    const allocate = backend.allocate!.bind(backend);
    const buffers: ArrayBufferLike[] = [];
    backend.allocate = (dtype, n) => {
      const out = allocate(dtype, n);
      if (dtype === 'f32') buffers.push(out.buffer);
      return out;
    };
    try {
      // Batches of 64 × 784 f32 (200 KB): large enough for the pool to keep.
      const x = tm.rand([512, 784], { seed: 1 });
      const y = tm.rand([512, 1], { seed: 2 });
      const model = new tm.nn.Sequential([new tm.nn.Dense(784, 1)]);
      await model.fit(x, y, { epochs: 3, batchSize: 64, quiet: true });
      const batches = buffers.filter((b) => b.byteLength === 64 * 784 * 4);
      expect(batches).toHaveLength(3 * 8);
      // A batch lives while its step runs and until the next is issued; a handful of buffers serve them all.
      expect(new Set(batches).size).toBeLessThanOrEqual(4);
      for (const t of [x, y]) t.dispose();
      model.dispose();
    } finally {
      backend.allocate = allocate;
      await tm.init({ backend: 'js' });
    }
  });
});

describe('fit reads each step\'s loss after issuing the next', () => {
  it.each(BACKENDS)('an epoch\'s loss and accuracy count every batch, the short last one included (%s)', async (backend) => {
    await tm.init({ backend });
    const x = tm.randn([10, 3], { seed: 6 });
    const labels = tm.tidy(() => x.sum(1).greater(0).cast('i32'));
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 4, { activation: 'tanh' }), new tm.nn.Dense(4, 2)]);
    // A learning rate of 1e-30 leaves the f32 weights as they are (each step is far below an ulp), so fit's batch by batch tally must equal one evaluation of all ten samples.
    const history = await model.fit(x, labels, { epochs: 1, batchSize: 4, loss: 'crossEntropy', quiet: true, shuffle: false, optimizer: new tm.optim.SGD(model.parameters(), { lr: 1e-30 }) });
    const whole = await model.evaluate(x, labels, { loss: 'crossEntropy' });
    expect(history.loss[0]).toBeCloseTo(whole.loss, 5);
    expect(history.accuracy[0]).toBe(whole.accuracy);
    await tm.init({ backend: 'js' });
  });

  it('dropLast skips a short last batch: a BatchNorm then never sees a batch of one, and the epoch averages over the samples trained on', async () => {
    const x = tm.randn([9, 3], { seed: 7 });
    const labels = tm.tensor(Int32Array.from({ length: 9 }, (_, i) => i % 2));
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 4, { seed: 1 }), new tm.nn.BatchNorm1d(4), new tm.nn.ReLU(), new tm.nn.Dense(4, 2, { seed: 2 })]);
    const options = { epochs: 1, batchSize: 4, loss: 'crossEntropy' as const, quiet: true, shuffle: false };
    await expect(model.fit(x, labels, options)).rejects.toThrow('BatchNorm1d: training needs more than one value per channel to take a variance of, x [1,4] has 1 (in fit, a last batch of one sample: pass dropLast: true');
    const batches: number[] = [];
    const history = await model.fit(x, labels, { ...options, optimizer: new tm.optim.SGD(model.parameters(), { lr: 1e-30 }), dropLast: true, onEpochEnd: () => void batches.push(1) });
    // With lr 1e-30 the weights stay put: the epoch's loss is the loss of the first eight samples (the ninth left out).
    model.train();
    const firstEight = tm.tidy(() => [0, 4].map((from) => tm.losses.crossEntropy(model.forward(x.slice([from, 0], [4, 3])), labels.slice([from], [4]))));
    const want = ((await firstEight[0].item()) + (await firstEight[1].item())) / 2;
    expect(history.loss[0]).toBeCloseTo(want, 5);
    expect(batches).toEqual([1]);
    await expect(model.fit(x, labels, { ...options, batchSize: 10, dropLast: true })).rejects.toThrow('fit: dropLast with batchSize 10 drops every batch of the 9 training samples');
    await expect(model.fit(x, labels, { ...options, dropLast: 1 as unknown as boolean })).rejects.toThrow(/dropLast/);
  });

  it.each(BACKENDS)('data holding NaN or ∞ is refused before any step, naming the sample, the model untouched (%s)', async (backend) => {
    await tm.init({ backend });
    const values = Float32Array.from({ length: 12 * 2 }, (_, i) => Math.sin(i));
    values[9 * 2] = NaN;
    const x = tm.tensor(values, [12, 2]);
    const y = tm.zeros([12, 1]);
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 1)]);
    const weights = await model.parameters()[0].data();
    const optimizer = new tm.optim.SGD(model.parameters(), { lr: 0.01 });
    await collected();
    const before = await collected();
    await expect(model.fit(x, y, { epochs: 2, batchSize: 4, quiet: true, shuffle: false, optimizer })).rejects.toThrow(
      'fit: x holds NaN (sample 9); training on it would turn every parameter into NaN',
    );
    const yInf = tm.tensor(Float32Array.from({ length: 12 }, (_, i) => (i === 4 ? -Infinity : 0)), [12, 1]);
    await expect(model.fit(x.slice([0, 0], [8, 2]), yInf.slice([0, 0], [8, 1]), { quiet: true, optimizer })).rejects.toThrow('fit: y holds -Infinity (sample 4)');
    expect(await model.parameters()[0].data()).toEqual(weights);
    expect(tm.memory().numTensors).toBe(before + 3); // yInf and the two slices made for the second call: the caller's
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('a loss that diverges stops fit naming the epoch and batch, and leaks nothing (%s)', async (backend) => {
    await tm.init({ backend });
    const x = tm.tensor(Float32Array.from({ length: 12 * 2 }, (_, i) => 1 + Math.sin(i)), [12, 2]);
    const y = tm.ones([12, 1]);
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 1)]);
    const optimizer = new tm.optim.SGD(model.parameters(), { lr: 1e30 });
    await collected();
    const before = await collected();
    await expect(model.fit(x, y, { epochs: 2, batchSize: 4, quiet: true, shuffle: false, optimizer })).rejects.toThrow(
      /^fit: loss became (NaN|Infinity) at epoch 1, batch \d: training diverged \(the data was checked finite\); lower the learning rate/,
    );
    expect(tm.memory().numTensors).toBe(before);
    await tm.init({ backend: 'js' });
  });
});

describe('frozen layers, an optimizer over part of the model, and fit\'s own optimizer', () => {
  const data = () => {
    const x = tm.randn([64, 4], { seed: 8 });
    return { x, y: tm.tidy(() => x.matmul(tm.tensor([[1], [-2], [0.5], [3]]))) };
  };
  const twoLayers = () => new tm.nn.Sequential([new tm.nn.Dense(4, 8, { activation: 'tanh', seed: 1 }), new tm.nn.Dense(8, 1, { seed: 2 })]);

  it('a layer frozen with requiresGrad = false keeps its weights, with fit\'s optimizer or one over model.parameters(); the rest trains', async () => {
    for (const own of [false, true]) {
      const { x, y } = data();
      const model = twoLayers();
      const [first, second] = model.layers as tm.nn.Dense[];
      for (const p of first.parameters()) p.requiresGrad = false;
      const frozen = await first.weight.data();
      const before = await second.weight.data();
      const optimizer = own ? new tm.optim.Adam(model.parameters(), { lr: 0.01 }) : undefined;
      const history = await model.fit(x, y, { epochs: 3, batchSize: 16, quiet: true, seed: 1, optimizer });
      expect(await first.weight.data()).toEqual(frozen);
      expect(await second.weight.data()).not.toEqual(before);
      expect(history.loss[2]).toBeLessThan(history.loss[0]);
      expect(model.parameters().every((p) => p.grad === null)).toBe(true);
      optimizer?.dispose();
    }
  });

  it('an optimizer over one layer trains it under mixed precision; the other layer\'s gradients do not pile up between steps', async () => {
    const { x, y } = data();
    const model = twoLayers();
    const head = new tm.optim.SGD(model.layers[1].parameters(), { lr: 0.05 });
    const history = await model.fit(x, y, { epochs: 6, batchSize: 8, quiet: true, seed: 1, mixedPrecision: true, optimizer: head });
    // Summed over 48 steps, the first layer's scaled gradients overflowed f16 and every later step was skipped.
    expect(history.loss[5]).toBeLessThan(history.loss[0] * 0.8);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('frees the optimizer it makes when none is given: fit after fit leaves memory flat', async () => {
    const { x, y } = data();
    const model = twoLayers();
    await model.fit(x, y, { epochs: 1, batchSize: 16, quiet: true });
    const after1 = tm.memory();
    await model.fit(x, y, { epochs: 1, batchSize: 16, quiet: true });
    await model.fit(x, y, { epochs: 1, batchSize: 16, quiet: true });
    expect(tm.memory()).toEqual(after1);
  });

  it('every parameter frozen is an error before any step', async () => {
    const { x, y } = data();
    const model = twoLayers();
    for (const p of model.parameters()) p.requiresGrad = false;
    await expect(model.fit(x, y, { quiet: true })).rejects.toThrow('fit: none of the model\'s 4 parameters has requiresGrad set: there is nothing to train');
  });
});

describe('accuracy', () => {
  it('of binaryCrossEntropy with several outputs a sample is the share of all outputs right (was counted per output, divided per sample: up to 3)', async () => {
    const x = tm.randn([20, 4], { seed: 5 });
    const y = tm.tidy(() => tm.randn([20, 3], { seed: 6 }).greater(0).cast('f32'));
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 3, { activation: 'sigmoid', seed: 3 })]);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 8, loss: 'binaryCrossEntropy', validationSplit: 0.25, quiet: true, seed: 1 });
    for (const a of [...history.accuracy, ...history.valAccuracy]) expect(a).toBeGreaterThanOrEqual(0), expect(a).toBeLessThanOrEqual(1);
    const { accuracy } = await model.evaluate(x, y, { loss: 'binaryCrossEntropy' });
    const [p, t] = [await model.predict(x).data(), await y.data()];
    const right = Array.from(p).filter((v, i) => v > 0.5 === t[i] > 0.5).length;
    expect(accuracy).toBeCloseTo(right / 60, 6);
  });
});

describe('fit checks its options\' values and the validation data before any step', () => {
  it('refuses each with a message naming it, the weights unchanged', async () => {
    const x = tm.randn([8, 3], { seed: 1 });
    const y = tm.randn([8, 2], { seed: 2 });
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 2)]);
    const weights = await model.parameters()[0].data();
    const loose = <T>(v: unknown) => v as T;
    const cases: [Partial<tm.nn.FitOptions>, string][] = [
      [{ optimizer: loose({}) }, 'fit: optimizer must be an optimizer (tm.optim.SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam or Lion), got {}'],
      [{ scheduler: loose({}) }, 'fit: scheduler must be a schedule with step() (tm.optim.StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, LinearLR, ConstantLR, PolynomialLR, LambdaLR, MultiplicativeLR, OneCycleLR, CyclicLR, SequentialLR, ChainedScheduler or ReduceLROnPlateau), got {}'],
      [{ schedulerInterval: loose('step') }, "fit: schedulerInterval must be 'epoch' or 'batch', got \"step\""],
      [{ onEpochEnd: loose(5) }, 'fit: onEpochEnd must be a function, got 5'],
      [{ validationData: loose([x]) }, /^fit: validationData must be a pair of tensors \[x, y\] or a Dataset of batches, got \[Tensor\(\[8,3\], f32, \w+\)\]$/ as unknown as string],
      [{ validationData: loose(x) }, /^fit: validationData must be a pair of tensors \[x, y\] or a Dataset of batches, got Tensor\(\[8,3\]/ as unknown as string],
      [{ shuffle: loose('no') }, 'fit: shuffle must be true or false, got "no"'],
      [{ mixedPrecision: loose(1) }, 'fit: mixedPrecision must be true or false, got 1'],
      [{ seed: loose('7') }, 'fit: seed must be an integer in [0, 2^32), got "7"'],
      [{ validationData: [tm.randn([4, 5]), tm.randn([4, 2])] }, 'fit: validationData\'s x has samples [5], the training x\'s are [3]'],
      [{ validationData: [tm.randn([4, 3]), tm.randn([4, 7])] }, 'fit: validationData\'s y has samples [7], the training y\'s are [2]'],
      [{ earlyStopping: loose(true) }, 'fit: earlyStopping: options must be an object with any of monitor, patience, minDelta, restoreBest, got true'],
      [{ earlyStopping: loose({ min_delta: 0.1 }) }, 'fit: earlyStopping: unknown option "min_delta" (did you mean minDelta?)'],
      [{ earlyStopping: { patience: -1 } }, 'fit: earlyStopping: patience must be an integer ≥ 0, got -1'],
      [{ earlyStopping: { patience: 1.5 } }, 'fit: earlyStopping: patience must be an integer ≥ 0, got 1.5'],
      [{ earlyStopping: { minDelta: -0.1 } }, 'fit: earlyStopping: minDelta must be a finite number ≥ 0, got -0.1'],
      [{ earlyStopping: { minDelta: loose('0.1') } }, 'fit: earlyStopping: minDelta must be a finite number ≥ 0, got "0.1"'],
      [{ earlyStopping: { monitor: loose('accuracy') } }, 'fit: earlyStopping: monitor must be \'loss\' or \'valLoss\', got "accuracy"'],
      [{ earlyStopping: { monitor: 'valLoss' } }, 'fit: earlyStopping: monitor is valLoss, but there is no validation data (give validationSplit or validationData, or monitor \'loss\')'],
      [{ earlyStopping: { restoreBest: loose('yes') } }, 'fit: earlyStopping: restoreBest must be true or false, got "yes"'],
    ];
    for (const [options, message] of cases) {
      await expect(model.fit(x, y, { epochs: 2, quiet: true, ...options })).rejects.toThrow(message);
    }
    expect(await model.parameters()[0].data()).toEqual(weights);
  });
});

describe("fit's scheduler", () => {
  it('is stepped once an epoch with the monitored value: valLoss where there is validation, else loss', async () => {
    const x = tm.randn([16, 3], { seed: 1 });
    const y = tm.randn([16, 1], { seed: 2 });
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 3 })]);
    const seen: number[] = [];
    const recorder: tm.optim.MetricScheduler = { step: (value) => void seen.push(value) };
    const validated = await model.fit(x, y, { epochs: 3, validationSplit: 0.25, scheduler: recorder, quiet: true, seed: 1 });
    expect(seen).toEqual(validated.valLoss);
    seen.length = 0;
    const plain = await model.fit(x, y, { epochs: 2, scheduler: recorder, quiet: true, seed: 1 });
    expect(seen).toEqual(plain.loss);
    // The epoch schedules take no value, and go on as before.
    const opt = new tm.optim.SGD(model.parameters(), { lr: 0.1 });
    const history = await model.fit(x, y, { epochs: 3, optimizer: opt, scheduler: new tm.optim.StepLR(opt, { stepSize: 1, gamma: 0.5 }), quiet: true });
    expect(history.epochs.map((e) => e.lr)).toEqual([0.1, 0.05, 0.025]);
  });

  it("refuses a ReduceLROnPlateau in mode 'max', which the falling loss it is stepped with would cut at every epoch", async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 3 })]);
    const opt = new tm.optim.SGD(model.parameters(), { lr: 0.1 });
    await expect(model.fit(tm.zeros([4, 3]), tm.zeros([4, 1]), { optimizer: opt, scheduler: new tm.optim.ReduceLROnPlateau(opt, { mode: 'max' }), quiet: true })).rejects.toThrow(
      "fit: a ReduceLROnPlateau in mode 'max' would cut the rate while the loss fit steps it with falls",
    );
  });

  it("schedulerInterval 'batch' steps it after every batch with no value: a OneCycleLR over epochs × batches; each epoch logs its last batch's rate", async () => {
    const x = tm.randn([16, 3], { seed: 1 });
    const y = tm.randn([16, 1], { seed: 2 });
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 3 })]);
    const seen: unknown[][] = [];
    const recorder: tm.optim.Scheduler = { step: (...args: unknown[]) => void seen.push(args) };
    await model.fit(x, y, { epochs: 2, batchSize: 5, scheduler: recorder, schedulerInterval: 'batch', quiet: true });
    expect(seen).toEqual(Array.from({ length: 8 }, () => [])); // 4 batches (5, 5, 5, 1) an epoch
    const opt = new tm.optim.SGD(model.parameters(), { lr: 0.1 });
    const cycle = new tm.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 3 * 4 });
    const history = await model.fit(x, y, { epochs: 3, batchSize: 4, optimizer: opt, scheduler: cycle, schedulerInterval: 'batch', quiet: true });
    expect(cycle.lastEpoch).toBe(12);
    expect(history.epochs.map((e) => e.lr)).toEqual([3, 7, 11].map((step) => cycle.rateAt(step)));
  });

  it('refuses a OneCycleLR with fewer steps left than fit would take, before the first', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 3 })]);
    const opt = new tm.optim.SGD(model.parameters(), { lr: 0.1 });
    const weights = await model.parameters()[0].data();
    const cycle = new tm.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 11 });
    const [x, y] = [tm.randn([16, 3], { seed: 1 }), tm.randn([16, 1], { seed: 2 })];
    await expect(model.fit(x, y, { epochs: 3, batchSize: 4, optimizer: opt, scheduler: cycle, schedulerInterval: 'batch', quiet: true })).rejects.toThrow(
      'fit: the OneCycleLR has 11 of its totalSteps 11 left, fewer than the 12 steps of 3 epochs once a batch, 4 an epoch',
    );
    cycle.step();
    await expect(model.fit(x, y, { epochs: 11, optimizer: opt, scheduler: cycle, quiet: true })).rejects.toThrow(
      'fit: the OneCycleLR has 10 of its totalSteps 11 left, fewer than the 11 steps of 11 epochs once an epoch',
    );
    expect(await model.parameters()[0].data()).toEqual(weights);
  });

  it("refuses a ReduceLROnPlateau stepped once a batch: it watches the epoch's loss", async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 3 })]);
    const opt = new tm.optim.SGD(model.parameters(), { lr: 0.1 });
    await expect(model.fit(tm.zeros([4, 3]), tm.zeros([4, 1]), { optimizer: opt, scheduler: new tm.optim.ReduceLROnPlateau(opt), schedulerInterval: 'batch', quiet: true })).rejects.toThrow(
      "fit: a ReduceLROnPlateau watches the epoch's loss, and cannot be stepped once a batch; use schedulerInterval 'epoch'",
    );
  });

  it('ReduceLROnPlateau cuts the rate when the loss stalls: each epoch logs the rate it trained with', async () => {
    const x = tm.randn([16, 3], { seed: 1 });
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 3 })]);
    // A rate too small to move an f32 weight: the same loss every epoch.
    const opt = new tm.optim.SGD(model.parameters(), { lr: 1e-30 });
    const plateau = new tm.optim.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, epsilon: 0 });
    const history = await model.fit(x, tm.randn([16, 1], { seed: 2 }), { epochs: 6, optimizer: opt, scheduler: plateau, shuffle: false, quiet: true });
    expect(new Set(history.loss).size).toBe(1);
    // Epochs 2 and 3 without improvement, more than patience 1: cut after epoch 3; again after 5 (the count starts over at a cut).
    expect(history.epochs.map((e) => e.lr)).toEqual([1e-30, 1e-30, 1e-30, 5e-31, 5e-31, 2.5e-31]);
    expect([plateau.numBadEpochs, opt.lr]).toEqual([1, 2.5e-31]);
  });
});

describe('earlyStopping', () => {
  const net = () => new tm.nn.Sequential([new tm.nn.Dense(3, 4, { seed: 3 }), new tm.nn.BatchNorm1d(4), new tm.nn.Dense(4, 1, { seed: 4 })]);

  /**
   * Fits `model` for as many epochs as `levels` holds, with a loss whose value
   * in epoch e is about levels[e − 1]: that plus a thousandth of the mse, whose
   * gradient still trains the weights. Validation batches (run in eval mode)
   * see valLevels instead. `onEpoch` runs at each epoch's end.
   */
  async function fitAt(model: tm.nn.Sequential, levels: number[], options: tm.nn.FitOptions, valLevels: number[] = [], onEpoch?: (logs: tm.nn.EpochLogs) => Promise<void>) {
    let done = 0;
    const loss = (p: tm.Tensor, t: tm.Tensor) => tm.losses.mse(p, t).mul(1e-3).add(model.training ? levels[done] : valLevels[done]);
    const [x, y] = [tm.randn([16, 3], { seed: 1 }), tm.randn([16, 1], { seed: 2 })];
    try {
      return await model.fit(x, y, {
        epochs: levels.length, batchSize: 4, loss, quiet: true, seed: 1, optimizer: new tm.optim.SGD(model.parameters(), { lr: 0.1 }), ...options,
        onEpochEnd: async (logs) => {
          done = logs.epoch;
          await onEpoch?.(logs);
        },
      });
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  it('stops once patience epochs in a row have not lowered the best value by more than minDelta; the history holds the epochs run', async () => {
    const levels = [5, 4, 3.98, 3.97, 3.5, 3, 2, 1, 0.5, 0.1];
    // 3.98 and 3.97 are lower than 4, but not by more than 0.05: two epochs without improvement.
    const stopped = await fitAt(net(), levels, { earlyStopping: { patience: 2, minDelta: 0.05 } });
    expect(stopped.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(stopped.loss).toHaveLength(4);
    expect((await fitAt(net(), levels, { earlyStopping: { patience: 2 } })).epochs).toHaveLength(10);
    // Keras's default, patience 0, stops after the first epoch without improvement, as patience 1 does.
    for (const earlyStopping of [{}, { patience: 1 }]) expect((await fitAt(net(), [5, 4, 4.5, 3, 2], { earlyStopping })).epochs).toHaveLength(3);
    expect((await fitAt(net(), [5, 4, 4.5, 3, 2], { earlyStopping: { patience: 2 } })).epochs).toHaveLength(5);
    // Without earlyStopping every epoch runs.
    expect((await fitAt(net(), [5, 6, 7], {})).epochs).toHaveLength(3);
  });

  it("monitors valLoss where there is validation, unless told to monitor 'loss'", async () => {
    const [levels, valLevels] = [[5, 4, 3, 2, 1, 0.5], [5, 4, 4.5, 4.6, 4.7, 4.8]];
    const byValidation = await fitAt(net(), levels, { validationSplit: 0.25, earlyStopping: { patience: 1 } }, valLevels);
    expect(byValidation.valLoss).toHaveLength(3);
    const byLoss = await fitAt(net(), levels, { validationSplit: 0.25, earlyStopping: { patience: 1, monitor: 'loss' } }, valLevels);
    expect(byLoss.valLoss).toHaveLength(6);
  });

  it('a failed epoch frees the copies restoreBest keeps', async () => {
    const model = net();
    // Earlier tests' garbage collected first: a collection during the fit would change the count.
    await collected();
    const before = tm.memory();
    await expect(fitAt(model, [5, 3, NaN], { earlyStopping: { restoreBest: true } })).rejects.toThrow('fit: loss became NaN at epoch 3');
    expect(tm.memory()).toEqual(before);
  });

  it.each(BACKENDS)('restoreBest sets the parameters and buffers back to the best epoch\'s at the end, stopped early or not, leaving memory flat (%s)', async (backend) => {
    await tm.init({ backend });
    const model = net();
    /** The model's parameters and buffers, by name. */
    const state = async () => Object.fromEntries(await Promise.all(Object.entries(model.namedState()).map(async ([name, t]) => [name, Array.from(await t.data())] as const)));
    // The best epoch is the second: stopped after the fifth (three in a row without improvement), or at the end of three.
    for (const [levels, run] of [[[5, 3, 4, 4, 4, 4], 5], [[5, 3, 4], 3]] as const) {
      const states: Record<string, number[]>[] = [];
      // Earlier tests' garbage collected first: a collection during the fit would change the count.
      await collected();
      const before = tm.memory();
      const history = await fitAt(model, [...levels], { earlyStopping: { patience: 3, restoreBest: true } }, [], async () => void states.push(await state()));
      expect(history.epochs).toHaveLength(run);
      const restored = await state();
      expect(Object.keys(restored)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '2.weight', '2.bias', '1.runningMean', '1.runningVar']);
      expect(restored).toEqual(states[1]);
      expect(restored).not.toEqual(states[states.length - 1]);
      expect(tm.memory()).toEqual(before);
    }
    await tm.init({ backend: 'js' });
  });
});

describe('mixed precision', () => {
  it('trains in f16 with f32 master weights and loss scaling, reaching the f32 run\'s accuracy', async () => {
    const run = async (mixedPrecision: boolean) => {
      tm.setSeed(11);
      const x = tm.randn([256, 8], { seed: 4 });
      const labels = tm.tidy(() => x.slice([0, 0], [-1, 4]).sum(1).greater(x.slice([0, 4], [-1, 4]).sum(1)).cast('i32'));
      const model = new tm.nn.Sequential([new tm.nn.Dense(8, 16, { activation: 'relu' }), new tm.nn.Dense(16, 2)]);
      const history = await model.fit(x, labels, {
        epochs: 8, batchSize: 32, loss: 'crossEntropy', quiet: true, seed: 1, mixedPrecision,
        optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.02 }),
      });
      expect(model.parameters().every((p) => p.dtype === 'f32')).toBe(true);
      return history.accuracy[history.accuracy.length - 1];
    };
    const full = await run(false);
    const mixed = await run(true);
    expect(mixed).toBeGreaterThan(0.9);
    expect(Math.abs(mixed - full)).toBeLessThan(0.05);
  });

  it('gradients past f16 unscaled (targets of 1e6) train on a loss scale under 1, as PyTorch\'s GradScaler; it stopped at 1 and skipped every step', async () => {
    const x = tm.randn([64, 4], { seed: 2 });
    const y = x.sum(1, { keepDims: true }).mul(1e6);
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 1, { seed: 3 })]);
    const before = await model.parameters()[0].data();
    const history = await model.fit(x, y, { epochs: 30, batchSize: 16, loss: 'mse', quiet: true, seed: 1, mixedPrecision: true, optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.1 }) });
    expect(await model.parameters()[0].data()).not.toEqual(before);
    expect(history.loss[history.loss.length - 1]).toBeLessThan(history.loss[0]);
  });

  it('refuses inputs past f16\'s range before any step, naming the value and the way out', async () => {
    const x = tm.tensor([[1, 2], [3, 1e5]]);
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 1, { seed: 1 })]);
    const before = await model.parameters()[0].data();
    await expect(model.fit(x, tm.zeros([2, 1]), { loss: 'mse', quiet: true, mixedPrecision: true })).rejects.toThrow(
      new tm.ValueError("fit: x holds 100000 (sample 1), past f16's range (±65504), where mixedPrecision computes; scale the inputs down or train in f32 (mixedPrecision: false)"),
    );
    expect(await model.parameters()[0].data()).toEqual(before);
    await model.fit(tm.tensor([[1, 2], [3, 65504]]), tm.zeros([2, 1]), { loss: 'mse', quiet: true, mixedPrecision: true, optimizer: new tm.optim.SGD(model.parameters(), { lr: 1e-12 }) });
  });
});

describe('fit\'s progress where stderr is a pipe or a file (CI, `| tee`)', () => {
  it('is a line per epoch on stderr, no bar and nothing on stdout; quiet turns it off', async () => {
    expect(process.stderr.isTTY).toBeFalsy(); // as under vitest
    const x = tm.randn([20, 3], { seed: 1 });
    const y = tm.tensor(Int32Array.from({ length: 20 }, (_, i) => i % 2));
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 2, { seed: 1 })]);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write');
    try {
      await model.fit(x, y, { epochs: 2, batchSize: 8, loss: 'crossEntropy', validationSplit: 0.2 });
      const lines = err.mock.calls.map(([text]) => String(text));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^epoch 1\/2 · loss \d+\.\d{4} · acc \d+\.\d{2}% · val loss \d+\.\d{4} · val acc \d+\.\d{2}% · \d+ samples\/s · \d+\.\d s\n$/);
      expect(lines[1]).toMatch(/^epoch 2\/2 · /);
      expect(out).not.toHaveBeenCalled();
      err.mockClear();
      await model.fit(x, y, { epochs: 1, loss: 'crossEntropy', quiet: true });
      expect(err).not.toHaveBeenCalled();
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });
});

describe('fit in the browser bundle (progress.browser.ts in progress.ts\'s place)', () => {
  it('draws no progress bar: a page has no terminal', async () => {
    const { startProgress } = await import('../../src/nn/progress.browser.js');
    expect(await startProgress()).toBeNull();
  });
});
