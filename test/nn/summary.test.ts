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
      '0  Conv2d      [1,8,28,28]            80',
      '1  ReLU        [1,8,28,28]             0',
      '2  MaxPool2d   [1,8,14,14]             0',
      '3  Flatten     [1,1568]                0',
      '4  Dropout     [1,1568]                0',
      '5  Dense       [1,10]             15,690',
      '----------------------------------------',
      'parameters: 15,770 (15,762 trainable), 61.6 KiB',
    ]);
    expect(model.summary().split('\n').slice(0, 3)).toEqual(['layer          parameters', '-------------------------', '0  Conv2d              80']);
    expect(model.layers[4].training).toBe(true); // its mode given back
    expect(() => model.summary([3, 28, 28])).toThrow(/summary: layer 0 \(Conv2d\) refuses its input: conv2d: weight \[8,1,3,3\] takes 1 channels, x \[1,3,28,28\] has 3/);
  });
});
