// Every public call's options object is checked where it is given: a value
// in its place (NumPy's positional dtype, `init('native')`) or a key it does
// not have (Keras's batch_size) is an error naming the call's options, not
// options silently ignored.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../src/index.js';

beforeAll(async () => {
  await tm.init({ backend: 'js' });
});

/** Loosens a call's types the way a JavaScript caller would. */
const loose = <T>(value: unknown) => value as T;

describe('options', () => {
  const x = () => tm.tensor([[1, 2], [3, 4]]);
  const w = () => {
    const p = tm.tensor([1, 2]);
    p.requiresGrad = true;
    return p;
  };

  it('a value where the options object goes is refused, naming the options the call has', () => {
    const cases: [() => unknown, string][] = [
      [() => tm.zeros([2], loose('f16')), 'zeros: options must be an object with any of dtype, got "f16"'],
      [() => tm.ones([2], loose('i8')), 'ones: options must be an object with any of dtype, got "i8"'],
      [() => tm.fill([2], 3, loose('f16')), 'fill: options must be an object with any of dtype, got "f16"'],
      [() => tm.tensor([1, 2], loose('f16')), 'tensor: options must be an object with any of dtype, got "f16"'],
      [() => tm.tensor([1, 2], [2], loose('i32')), 'tensor: options must be an object with any of dtype, got "i32"'],
      [() => tm.scalar(3, loose('i32')), 'scalar: options must be an object with any of dtype, got "i32"'],
      [() => tm.randn([2], loose(7)), 'randn: options must be an object with any of dtype, seed, mean, std, got 7'],
      [() => tm.rand([2], loose('f16')), 'rand: options must be an object with any of dtype, seed, min, max, got "f16"'],
      [() => tm.arange(0, 4, 1, loose('f32')), 'arange: options must be an object with any of dtype, got "f32"'],
      [() => x().sum(1, loose(true)), 'sum: options must be an object with any of keepDims, got true'],
      [() => x().argmax(1, loose(true)), 'argmax: options must be an object with any of keepDims, got true'],
      [() => x().prod(1, loose(true)), 'prod: options must be an object with any of keepDims, got true'],
      [() => x().matmul(x(), loose(true)), 'matmul: options must be an object with any of transposeA, transposeB, got true'],
      [() => tm.quantize(x(), loose('i8')), 'quantize: options must be an object with any of dtype, got "i8"'],
      [() => new tm.nn.Dense(2, 3, loose('relu')), 'Dense: options must be an object with any of activation, bias, init, seed, got "relu"'],
      [() => new tm.optim.SGD([w()], loose(0.1)), 'SGD: options must be an object with any of lr, momentum, nesterov, weightDecay, got 0.1'],
      [() => new tm.optim.Adam([w()], loose([0.9, 0.999])), 'Adam: options must be an object with any of lr, beta1, beta2, epsilon, weightDecay, got an array [0.9, 0.999]'],
      [() => tm.losses.mse(x(), x(), loose('sum')), 'mse: options must be an object with any of reduction, got "sum"'],
      [() => tm.decodeSafetensors(new Uint8Array(8), loose(100)), 'decodeSafetensors: options must be an object with any of maxHeaderBytes, widen, got 100'],
      [() => new tm.nn.GroupNorm(2, 4, loose(1e-3)), 'GroupNorm: options must be an object with any of epsilon, affine, got 0.001'],
      [() => new tm.nn.InstanceNorm1d(4, loose(true)), 'InstanceNorm1d: options must be an object with any of epsilon, momentum, affine, trackRunningStats, got true'],
      [() => new tm.optim.ReduceLROnPlateau(new tm.optim.SGD([w()]), loose('min')), 'ReduceLROnPlateau: options must be an object with any of mode, factor, patience, threshold, thresholdMode, cooldown, minLr, epsilon, got "min"'],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
  });

  it('an unknown key is refused, with the option meant where another library spells it differently', () => {
    const cases: [() => unknown, string][] = [
      [() => tm.zeros([2], loose({ dtype: 'f16', device: 'gpu' })), 'zeros: unknown option "device"; the options are dtype'],
      [() => x().sum(1, loose({ keepdim: true })), 'sum: unknown option "keepdim" (did you mean keepDims?); the options are keepDims'],
      [() => x().max(0, loose({ keepdims: true })), 'max: unknown option "keepdims" (did you mean keepDims?); the options are keepDims'],
      [() => x().prod(0, loose({ keepdim: true })), 'prod: unknown option "keepdim" (did you mean keepDims?); the options are keepDims'],
      [() => x().matmul(x(), loose({ transpose_b: true })), 'matmul: unknown option "transpose_b" (did you mean transposeB?)'],
      [() => new tm.optim.Adam([w()], loose({ learningRate: 0.1 })), 'Adam: unknown option "learningRate"; the options are lr, beta1, beta2, epsilon, weightDecay'],
      [() => new tm.optim.AdamW([w()], loose({ weight_decay: 0.1 })), 'AdamW: unknown option "weight_decay" (did you mean weightDecay?)'],
      [() => new tm.optim.StepLR(new tm.optim.SGD([w()]), loose({ step_size: 2 })), 'StepLR: unknown option "step_size" (did you mean stepSize?)'],
      [() => new tm.nn.Dense(2, 3, loose({ useBias: false })), 'Dense: unknown option "useBias"; the options are activation, bias, init, seed'],
      [() => tm.losses.binaryCrossEntropy(x(), x(), loose({ from_logits: true })), 'binaryCrossEntropy: unknown option "from_logits" (did you mean fromLogits?)'],
      [() => tm.losses.crossEntropy(x(), tm.tensor([0, 1], { dtype: 'i32' }), loose({ reduce: 'sum' })), 'crossEntropy: unknown option "reduce"; the options are reduction'],
      [() => new tm.nn.GroupNorm(2, 4, loose({ eps: 1e-3 })), 'GroupNorm: unknown option "eps" (did you mean epsilon?); the options are epsilon, affine'],
      [() => new tm.nn.BatchNorm2d(4, loose({ eps: 1e-3 })), 'BatchNorm2d: unknown option "eps" (did you mean epsilon?)'],
      [() => new tm.nn.InstanceNorm2d(4, loose({ track_running_stats: true })), 'InstanceNorm2d: unknown option "track_running_stats" (did you mean trackRunningStats?)'],
      [() => new tm.optim.ReduceLROnPlateau(new tm.optim.SGD([w()]), loose({ threshold_mode: 'abs' })), 'ReduceLROnPlateau: unknown option "threshold_mode" (did you mean thresholdMode?)'],
      [() => new tm.optim.Adam([w()], loose({ eps: 1e-6 })), 'Adam: unknown option "eps" (did you mean epsilon?)'],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
  });

  it('a flag must be true or false: the string \'false\' read as true', () => {
    expect(() => x().matmul(x(), loose({ transposeA: 'false' }))).toThrow('matmul: transposeA must be true or false, got "false"');
    expect(() => x().sum(0, loose({ keepDims: 1 }))).toThrow('sum: keepDims must be true or false, got 1');
    expect(() => tm.losses.binaryCrossEntropy(x(), x(), loose({ fromLogits: 'yes' }))).toThrow('binaryCrossEntropy: fromLogits must be true or false, got "yes"');
    expect(x().sum(0, { keepDims: undefined }).shape).toEqual([2]);
  });

  it('asynchronous calls reject the same way, before any work', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 1)]);
    const before = await model.parameters()[0].data();
    await expect(model.fit(x(), tm.tensor([[1], [0]]), loose({ epochs: 1, batch_size: 1, quiet: true }))).rejects.toThrow(
      'fit: unknown option "batch_size" (did you mean batchSize?); the options are epochs, batchSize, loss, optimizer',
    );
    await expect(model.evaluate(x(), tm.tensor([[1], [0]]), loose({ metric: ['accuracy'] }))).rejects.toThrow('evaluate: unknown option "metric" (did you mean metrics?); the options are loss, batchSize, metrics');
    await expect(model.fit(x(), tm.tensor([[1], [0]]), loose({ quiet: true, earlyStopping: { restore_best_weights: true } }))).rejects.toThrow(
      'fit: earlyStopping: unknown option "restore_best_weights" (did you mean restoreBest?); the options are monitor, patience, minDelta, restoreBest',
    );
    expect(() => model.predict(x(), loose({ batch_size: 1 }))).toThrow('predict: unknown option "batch_size" (did you mean batchSize?)');
    await expect(tm.init(loose('native'))).rejects.toThrow('init: options must be an object with any of backend, threads, got "native"');
    expect(tm.backend()).toBe('js');
    expect(await model.parameters()[0].data()).toEqual(before);
  });

  it('left out, undefined or null, options are the defaults; the listed keys work as before', async () => {
    expect(tm.zeros([2], loose(null)).dtype).toBe('f32');
    expect(tm.randn([3], loose(null)).shape).toEqual([3]);
    expect(tm.tensor([1, 2], undefined).dtype).toBe('f32');
    expect(tm.zeros([2], { dtype: 'f16' }).dtype).toBe('f16');
    expect(x().sum(1, { keepDims: true }).shape).toEqual([2, 1]);
    expect(Array.from(await x().matmul(x(), { transposeB: true }).data())).toEqual([5, 11, 11, 25]);
    expect(new tm.optim.AdamW([w()], { lr: 0.1 }).weightDecay).toBe(0.01);
  });

  it('predict refuses a batch size that is not a positive integer (0 stepped through the input forever)', () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 1)]);
    for (const bad of [0, -1, 1.5, NaN]) {
      expect(() => model.predict(x(), { batchSize: bad })).toThrow(`predict: batchSize must be a positive integer, got ${bad}`);
    }
    expect(() => model.predict(x(), loose({ batchSize: '1' }))).toThrow('predict: batchSize must be a positive integer, got "1"');
    expect(model.predict(x(), { batchSize: 1 }).shape).toEqual([2, 1]);
  });
});
