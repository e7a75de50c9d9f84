// ChannelShuffle (PyTorch's nn.ChannelShuffle) against index arithmetic
// written here: output channel j·groups + i is input channel i·(C/groups) + j,
// at every position. Fresh random data at odd shapes; the gradient (the
// inverse shuffle), save/load and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, uniform } from '../helpers/data.js';
import { size } from '../helpers/float64.js';

/** For each output entry of the shuffle of x `shape`, the flat input index it reads. */
function shuffleMap(shape: number[], groups: number): Int32Array {
  const [n, c] = shape;
  const inner = size(shape.slice(2));
  const per = c / groups;
  const from = new Int32Array(size(shape));
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let out = 0; out < c; out++) {
      const [j, i] = [Math.floor(out / groups), out % groups];
      for (let p = 0; p < inner; p++) from[k++] = (b * c + i * per + j) * inner + p;
    }
  }
  return from;
}

describe.each(BACKENDS)('ChannelShuffle on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { shape: [2, 6, 3, 5], groups: 3 },
    { shape: [1, 12, 7], groups: 4 },
    { shape: [3, 5, 2, 1, 3], groups: 5 },
    { shape: [2, 7, 3], groups: 1 }, // one group: the identity
  ])('shuffles the channels of $shape across $groups groups, and passes gradients back unshuffled', async ({ shape, groups }) => {
    const from = shuffleMap(shape, groups);
    const x = asF32(uniform(size(shape), -3, 3));
    const xt = tm.tensor(x, shape);
    xt.requiresGrad = true;
    const y = new tm.nn.ChannelShuffle(groups).forward(xt);
    expect(y.shape).toEqual(shape);
    expect(Array.from(await y.data())).toEqual(Array.from(from, (i) => x[i]));
    const g = asF32(uniform(size(shape), -1, 1));
    y.mul(tm.tensor(g, shape)).sum().backward();
    const dx = new Float64Array(x.length);
    from.forEach((i, k) => (dx[i] = g[k]));
    expect(Array.from(await xt.grad!.data())).toEqual(Array.from(dx));
  });

  it('saves and loads in a model: identical predictions', async () => {
    tm.setSeed(5);
    const m = new tm.nn.Sequential([new tm.nn.Conv2d(4, 6, 1, { groups: 2 }), new tm.nn.ChannelShuffle(2), new tm.nn.Conv2d(6, 6, 1, { groups: 2 })]);
    const loaded = tm.nn.fromBytes(await m.toBytes());
    expect(loaded.config()).toEqual(m.config());
    const x = tm.randn([2, 4, 3, 3], { seed: 9 });
    expect(await loaded.predict(x).data()).toEqual(await m.predict(x).data());
  });
});

describe('ChannelShuffle', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuses bad groups and shapes, naming them', () => {
    expect(() => new tm.nn.ChannelShuffle(0)).toThrow(new tm.ValueError('ChannelShuffle: groups must be a positive integer, got 0'));
    expect(() => tm.nn.channelShuffle(tm.zeros([2, 6, 3]), 4)).toThrow(new tm.ShapeError('channelShuffle: x [2,6,3] has 6 channels, not a multiple of groups 4'));
    expect(() => tm.nn.channelShuffle(tm.zeros([2, 6]), 2)).toThrow(new tm.ShapeError('channelShuffle: x must be [batch, channels, ...] with at least one axis after the channels, got [2,6]'));
  });
});
