// Recurrent layers over a batch of sequences of different lengths (the
// lengths option, PyTorch's packed sequences), checked against the same
// layer run on each sequence alone, unpadded: its outputs within the
// sequence, zeros past it, and the final state after its own last step
// (the reverse pass starting there), for every kind, stacked and
// bidirectional; the gradients are each sequence's own, nothing reaching
// the padding. And padSequence, which makes such a batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asF32, expectClose, uniform } from '../helpers/data.js';

type Kind = 'RNN' | 'LSTM' | 'GRU';

function layerOf(kind: Kind, input: number, hidden: number, options: tm.nn.RecurrentOptions): tm.nn.RNN | tm.nn.LSTM | tm.nn.GRU {
  return new tm.nn[kind](input, hidden, options);
}

const [INPUT, HIDDEN, TIME] = [3, 4, 6];

describe.each(BACKENDS)('recurrent layers over sequences of different lengths on %s', (backend) => {
  const tol = backend === 'webgpu' ? 1e-4 : 1e-5;

  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it.each([
    { kind: 'LSTM', numLayers: 2, bidirectional: true, asTensor: false },
    { kind: 'GRU', numLayers: 1, bidirectional: true, asTensor: true },
    { kind: 'RNN', numLayers: 2, bidirectional: false, asTensor: false },
    { kind: 'LSTM', numLayers: 1, bidirectional: false, asTensor: true },
  ] as const)('$kind ($numLayers layers, bidirectional $bidirectional, lengths as a tensor $asTensor) computes each sequence as if alone', async ({ kind, numLayers, bidirectional, asTensor }) => {
    const lengths = [6, 2, 1, 4, 6];
    const batch = lengths.length;
    const layer = layerOf(kind, INPUT, HIDDEN, { numLayers, bidirectional, seed: 3 });
    const width = HIDDEN * layer.directions;
    const values = asF32(uniform(batch * TIME * INPUT, -1, 1));
    const x = tm.tensor(values, [batch, TIME, INPUT]);
    x.requiresGrad = true;
    const given = asTensor ? tm.tensor(lengths, [batch], { dtype: 'i32' }) : lengths;
    const { output, state } = layer.run(x, undefined, { lengths: given });
    const weights = asF32(uniform(batch * TIME * width, -1, 1));
    tm.tidy(() => output.mul(tm.tensor(weights, output.shape)).sum()).backward();
    const [got, h, c, dx] = [await output.data(), await state.h.data(), state.c ? await state.c.data() : null, await x.grad!.data()];
    const params = layer.parameters();
    const batchGrads = await Promise.all(params.map((p) => p.grad!.data()));
    const summed = batchGrads.map((g) => new Float64Array(g.length));
    for (const p of params) p.grad = null;

    for (let b = 0; b < batch; b++) {
      const n = lengths[b];
      const alone = tm.tensor(values.slice(b * TIME * INPUT, (b * TIME + n) * INPUT), [1, n, INPUT]);
      alone.requiresGrad = true;
      const run = layer.run(alone);
      const own = weights.slice(b * TIME * width, (b * TIME + n) * width);
      tm.tidy(() => run.output.mul(tm.tensor(own, run.output.shape)).sum()).backward();
      const rows = got.slice(b * TIME * width, (b + 1) * TIME * width);
      expectClose(rows.slice(0, n * width), await run.output.data(), tol, `sequence ${b}'s outputs`);
      expect(Array.from(rows.slice(n * width)).every((v) => v === 0), `sequence ${b}'s outputs past its end`).toBe(true);
      const pick = (all: ArrayLike<number>) => Array.from({ length: numLayers * layer.directions }, (_, l) => Array.from(all).slice((l * batch + b) * HIDDEN, (l * batch + b + 1) * HIDDEN)).flat();
      expectClose(pick(h), await run.state.h.data(), tol, `sequence ${b}'s final h`);
      if (c) expectClose(pick(c), await run.state.c!.data(), tol, `sequence ${b}'s final c`);
      const grads = dx.slice(b * TIME * INPUT, (b + 1) * TIME * INPUT);
      expectClose(grads.slice(0, n * INPUT), await alone.grad!.data(), tol, `sequence ${b}'s gradient`);
      expect(Array.from(grads.slice(n * INPUT)).every((v) => v === 0), `no gradient past sequence ${b}'s end`).toBe(true);
      for (const [i, p] of params.entries()) {
        const g = await p.grad!.data();
        g.forEach((v, k) => (summed[i][k] += v));
        p.grad = null;
      }
    }
    // The batch's weight gradients are the sequences' own, added up.
    for (const [i, g] of batchGrads.entries()) expectClose(g, summed[i], 10 * tol, `weight ${i}'s gradient`);
  });

  it("forward gives each sequence's own last state with output 'last'", async () => {
    const layer = new tm.nn.GRU(INPUT, HIDDEN, { output: 'last', bidirectional: true, seed: 5 });
    const values = asF32(uniform(2 * TIME * INPUT, -1, 1));
    const last = await layer.forward(tm.tensor(values, [2, TIME, INPUT]), { lengths: [3, 6] }).data();
    const alone = await layer.forward(tm.tensor(values.slice(0, 3 * INPUT), [1, 3, INPUT])).data();
    expectClose(last.slice(0, 2 * HIDDEN), alone, tol);
  });

  it('padSequence batches sequences of different lengths, padded at the end (or the start) with the value given', async () => {
    const seqs = [[[1, 2], [3, 4], [5, 6]], [[7, 8]], [[9, 10], [11, 12]]].map((s) => tm.tensor(s));
    const padded = tm.nn.utils.rnn.padSequence(seqs);
    expect(padded.shape).toEqual([3, 3, 2]);
    expect(Array.from(await padded.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 9, 10, 11, 12, 0, 0]);
    const left = tm.nn.utils.rnn.padSequence(seqs, { paddingValue: -1, paddingSide: 'left' });
    expect(Array.from(await left.data())).toEqual([1, 2, 3, 4, 5, 6, -1, -1, -1, -1, 7, 8, -1, -1, 9, 10, 11, 12]);
    const ids = tm.nn.utils.rnn.padSequence([tm.tensor([4, 2], [2], { dtype: 'i32' }), tm.tensor([7], [1], { dtype: 'i32' })]);
    expect([ids.dtype, ...ids.shape, ...(await ids.data())]).toEqual(['i32', 2, 2, 4, 2, 7, 0]);
  });
});

describe('recurrent layers over sequences of different lengths', () => {
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('refuse lengths of the wrong count, out of range or not ints, and bad sequences to pad, naming them', () => {
    const layer = new tm.nn.LSTM(INPUT, HIDDEN);
    const x = tm.zeros([2, TIME, INPUT]);
    expect(() => layer.forward(x, { lengths: [3] })).toThrow(new tm.ShapeError('LSTM: lengths must be [batch] = [2] for x [2,6,3], got [1]'));
    expect(() => layer.forward(x, { lengths: [3, 7] })).toThrow(new tm.ValueError("LSTM: lengths[1] is 7, not a length from 1 to x's 6 steps"));
    expect(() => layer.forward(x, { lengths: [0, 2] })).toThrow(new tm.ValueError("LSTM: lengths[0] is 0, not a length from 1 to x's 6 steps"));
    expect(() => layer.forward(x, { lengths: tm.tensor([3, 2]) })).toThrow(new tm.DTypeError('LSTM: lengths must be an int tensor, got f32'));
    expect(() => layer.forward(x, { length: [3, 2] } as never)).toThrow(/unknown option "length"/);
    expect(() => tm.nn.utils.rnn.padSequence([])).toThrow(new tm.ValueError('padSequence: expects a non-empty array of tensors, got []'));
    expect(() => tm.nn.utils.rnn.padSequence([tm.zeros([2, 3]), tm.zeros([2, 4])])).toThrow(new tm.ShapeError('padSequence: sequence 1 is [2,4], sequence 0 [2,3]: every step must have the same shape'));
    expect(() => tm.nn.utils.rnn.padSequence([tm.zeros([2]), tm.zeros([2], { dtype: 'i32' })])).toThrow(new tm.DTypeError('padSequence: sequence 1 is i32, sequence 0 f32'));
  });
});
