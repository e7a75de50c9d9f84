import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';

describe('Sequential.summary', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('lists each layer with its parameter count and, given a sample\'s shape, its output shape; the totals below', () => {
    const model = new tm.nn.Sequential([
      new tm.nn.Conv2d(1, 8, 3, { padding: 1 }), new tm.nn.ReLU(), new tm.nn.MaxPool2d(2),
      new tm.nn.Flatten(), new tm.nn.Dropout(0.5), new tm.nn.Dense(8 * 14 * 14, 10),
    ]);
    (model.layers[0] as tm.nn.Conv2d).bias!.requiresGrad = false;
    const before = tm.memory().numTensors;
    const text = model.summary([1, 28, 28]);
    expect(tm.memory().numTensors).toBe(before);
    expect(text.split('\n')).toEqual([
      'layer          output shape   parameters',
      '----------------------------------------',
      '0  Conv2d      [N,8,28,28]            80',
      '1  ReLU        [N,8,28,28]             0',
      '2  MaxPool2d   [N,8,14,14]             0',
      '3  Flatten     [N,1568]                0',
      '4  Dropout     [N,1568]                0',
      '5  Dense       [N,10]             15,690',
      '----------------------------------------',
      'parameters: 15,770 (15,762 trainable), 61.6 KiB',
    ]);
    expect(model.summary().split('\n').slice(0, 3)).toEqual(['layer          parameters', '-------------------------', '0  Conv2d              80']);
    expect(model.layers[4].training).toBe(true); // its mode given back
    expect(() => model.summary([3, 28, 28])).toThrow(/summary: layer 0 \(Conv2d\) refuses its input: conv2d: weight \[8,1,3,3\] takes 1 channels, x \[2,3,28,28\] has 3/);
    // Ids for an Embedding first; two samples, so a BatchNorm without running estimates has a variance.
    const text2 = new tm.nn.Sequential([new tm.nn.Embedding(10, 4), new tm.nn.Flatten(), new tm.nn.Dense(12, 3), new tm.nn.BatchNorm1d(3, { trackRunningStats: false })]).summary([3]);
    expect(text2.split('\n')[2]).toMatch(/^0  Embedding +\[N,3,4\] +40$/);
    const bags = new tm.nn.Sequential([new tm.nn.EmbeddingBag(10, 4), new tm.nn.Dense(4, 2)]).summary([3]);
    expect(bags.split('\n')[2]).toMatch(/^0  EmbeddingBag +\[N,4\] +40$/);
  });

  it('shows GroupNorm and InstanceNorm with their weights counted, running estimates not (buffers, not parameters)', () => {
    const model = new tm.nn.Sequential([
      new tm.nn.Conv2d(3, 6, 3, { padding: 1 }), new tm.nn.GroupNorm(3, 6), new tm.nn.InstanceNorm2d(6, { affine: true, trackRunningStats: true }),
      new tm.nn.InstanceNorm2d(6), new tm.nn.Flatten(), new tm.nn.Dense(384, 2),
    ]);
    expect(model.summary([3, 8, 8]).split('\n')).toEqual([
      'layer               output shape   parameters',
      '---------------------------------------------',
      '0  Conv2d           [N,6,8,8]             168',
      '1  GroupNorm        [N,6,8,8]              12',
      '2  InstanceNorm2d   [N,6,8,8]              12',
      '3  InstanceNorm2d   [N,6,8,8]               0',
      '4  Flatten          [N,384]                 0',
      '5  Dense            [N,2]                 770',
      '---------------------------------------------',
      'parameters: 962 (962 trainable), 3.8 KiB',
    ]);
    const sequences = new tm.nn.Sequential([new tm.nn.Conv1d(2, 4, 3), new tm.nn.InstanceNorm1d(4, { affine: true }), new tm.nn.GroupNorm(2, 4, { affine: false })]);
    expect(sequences.summary([2, 9]).split('\n').slice(3, 5)).toEqual(['1  InstanceNorm1d   [N,4,7]                 8', '2  GroupNorm        [N,4,7]                 0']);
  });
});
