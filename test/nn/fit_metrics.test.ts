// fit's and evaluate's `metrics` on every backend: each epoch's valMetrics
// (and evaluate's metrics) are tm.metrics over the whole validation data at
// once — equal to the metric of the trained model's predictions over all of
// it, which an average over the validation batches is not — for a softmax
// classifier (probabilities against labels), a sigmoid one (outputs [N, 1]
// against float targets), a regression and a function of the caller's; on
// host data and on a Dataset of batches; and the options' errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';
import { collected } from '../helpers/gc.js';

/** Samples of a noisy 3-class problem: x [n, 4], labels [n] (i32). */
function classes(n: number, seed: number): { x: tm.Tensor; y: tm.Tensor } {
  const x = tm.randn([n, 4], { seed });
  const y = tm.tidy(() => x.matmul(tm.randn([4, 3], { seed: 7 })).add(tm.randn([n, 3], { seed: seed + 1 })).argmax(-1).cast('i32'));
  return { x, y };
}

describe.each(BACKENDS)('fit and evaluate metrics on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it("each epoch's valMetrics are the metrics of the whole validation data, not averages over its batches", async () => {
    const train = classes(96, 1);
    const val = classes(300, 3); // batches of 256 and 44
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 8, { activation: 'relu', seed: 1 }), new tm.nn.Dense(8, 3, { seed: 2 })]);
    function firstClassShare(pred: tm.Tensor) {
      return pred.argmax(-1).equal(0).cast('f32').mean();
    }
    const history = await model.fit(train.x, train.y, {
      epochs: 2, batchSize: 16, loss: 'crossEntropy', validationData: [val.x, val.y], quiet: true,
      metrics: ['accuracy', 'f1', 'rocAuc', 'averagePrecision', firstClassShare],
    });
    for (const name of ['accuracy', 'f1', 'rocAuc', 'averagePrecision', 'firstClassShare']) expect(history.valMetrics[name], name).toHaveLength(2);
    expect(history.epochs[1].valMetrics).toEqual(Object.fromEntries(Object.entries(history.valMetrics).map(([k, v]) => [k, v[1]])));
    expectClose([history.valMetrics.accuracy[1]], [history.valAccuracy[1]], 1e-6);
    // The trained model's predictions over all 300 samples give the last epoch's values.
    const probabilities = model.predict(val.x).softmax(-1);
    const want = [
      tm.metrics.f1Score(probabilities, val.y), tm.metrics.rocAuc(probabilities, val.y), tm.metrics.averagePrecision(probabilities, val.y), firstClassShare(probabilities),
    ];
    const got = [history.valMetrics.f1[1], history.valMetrics.rocAuc[1], history.valMetrics.averagePrecision[1], history.valMetrics.firstClassShare[1]];
    expectClose(got, await Promise.all(want.map((t) => t.item())), 1e-5);
    // evaluate's metrics, on the tensors and on a Dataset of batches of 7: the same numbers.
    const evaluation = await model.evaluate(val.x, val.y, { loss: 'crossEntropy', metrics: ['f1', 'rocAuc'] });
    expectClose([evaluation.metrics!.f1, evaluation.metrics!.rocAuc], got.slice(0, 2), 1e-5);
    const batched = await model.evaluate(tm.data.fromTensors(val.x, val.y).batch(7), { loss: 'crossEntropy', metrics: ['f1', 'rocAuc'] });
    expectClose([batched.metrics!.f1, batched.metrics!.rocAuc], got.slice(0, 2), 1e-5);
  });

  it('a sigmoid classifier (outputs [N, 1], float targets) and a regression, on a Dataset', async () => {
    const x = tm.randn([120, 3], { seed: 4 });
    const y = tm.tidy(() => x.sum(1, { keepDims: true }).add(tm.randn([120, 1], { seed: 5 })).greater(0).cast('f32'));
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { activation: 'sigmoid', seed: 3 })]);
    const history = await model.fit(tm.data.fromTensors(x.slice([0], [80]), y.slice([0], [80])).batch(16), {
      epochs: 1, loss: 'binaryCrossEntropy', validationData: tm.data.fromTensors(x.slice([80]), y.slice([80])).batch(16), quiet: true,
      metrics: ['rocAuc', 'f1', 'accuracy'],
    });
    const p = model.predict(x.slice([80])).reshape([40]);
    const labels = y.slice([80]).reshape([40]).cast('i32');
    const want = await Promise.all([tm.metrics.rocAuc(p, labels), tm.metrics.f1Score(p, labels), tm.metrics.accuracy(p, labels)].map((t) => t.item()));
    expectClose([history.valMetrics.rocAuc[0], history.valMetrics.f1[0], history.valMetrics.accuracy[0]], want, 1e-5);

    const target = tm.tidy(() => x.matmul(tm.tensor([[1], [-2], [0.5]])));
    const regression = new tm.nn.Sequential([new tm.nn.Dense(3, 1, { seed: 4 })]);
    const evaluation = await regression.evaluate(x, target, { batchSize: 32, metrics: ['r2', 'mae', 'rmse'] });
    const pred = regression.predict(x);
    const direct = await Promise.all([tm.metrics.r2Score(pred, target), tm.metrics.meanAbsoluteError(pred, target), tm.metrics.meanSquaredError(pred, target, { squared: false })].map((t) => t.item()));
    expectClose([evaluation.metrics!.r2, evaluation.metrics!.mae, evaluation.metrics!.rmse], direct, 1e-5);
  });

  it('leaves no tensors behind', async () => {
    const val = classes(40, 9);
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 3, { seed: 5 })]);
    await model.evaluate(val.x, val.y, { loss: 'crossEntropy', batchSize: 16, metrics: ['rocAuc'] });
    const before = await collected();
    await model.evaluate(val.x, val.y, { loss: 'crossEntropy', batchSize: 16, metrics: ['rocAuc', 'matthewsCorrcoef'] });
    await model.evaluate(tm.data.fromTensors(val.x, val.y).batch(16), { loss: 'crossEntropy', metrics: ['rocAuc'] });
    expect(await collected()).toBe(before);
  });

  it('refuses metrics without validation data, unknown names, unnamed functions, a name twice, a metric that is not one number', async () => {
    const { x, y } = classes(20, 11);
    const model = new tm.nn.Sequential([new tm.nn.Dense(4, 3, { seed: 6 })]);
    const fit = (options: tm.nn.FitOptions) => model.fit(x, y, { loss: 'crossEntropy', quiet: true, ...options });
    await expect(fit({ metrics: ['f1'] })).rejects.toThrow('fit: metrics are computed over the validation data each epoch: give validationData or validationSplit');
    await expect(fit({ validationSplit: 0.2, metrics: ['auc' as 'rocAuc'] })).rejects.toThrow('fit: unknown metric "auc"; expected accuracy, precision, recall, f1,');
    await expect(fit({ validationSplit: 0.2, metrics: [(p: tm.Tensor) => p.sum()] })).rejects.toThrow('fit: a metric function needs a name for the logs');
    await expect(fit({ validationSplit: 0.2, metrics: ['f1', 'f1'] })).rejects.toThrow('fit: metric "f1" is given twice');
    await expect(fit({ validationSplit: 0.2, metrics: 'f1' as unknown as ['f1'] })).rejects.toThrow('fit: metrics must be an array of names');
    const perClass = (pred: tm.Tensor, target: tm.Tensor) => tm.metrics.precision(pred, target, { average: 'none' });
    await expect(model.evaluate(x, y, { loss: 'crossEntropy', metrics: [perClass] })).rejects.toThrow(
      'metric "perClass" gave a tensor of shape [3]; a metric logged must be one number',
    );
  });
});
