// tm.nn.utils.parametersToVector / vectorToParameters (PyTorch's
// parameters_to_vector and vector_to_parameters): every parameter flattened
// into one vector in order, and written back in place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { BACKENDS } from '../../helpers/backends.js';
import { expectClose, uniform } from '../../helpers/data.js';
import { collected } from '../../helpers/gc.js';

describe.each(BACKENDS)('parameter vectors on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  afterAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('flattens the parameters one after the other, each in its own order, and writes a vector back into the same tensors', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Conv1d(3, 7, 2), new tm.nn.Flatten(), new tm.nn.Dense(35, 1), new tm.nn.Dense(1, 13)]);
    const params = model.parameters();
    const values = await Promise.all(params.map(async (p) => Array.from(await p.data())));
    const vec = tm.nn.utils.parametersToVector(params);
    const total = params.reduce((n, p) => n + p.size, 0);
    expect(vec.shape).toEqual([total]);
    expectClose(await vec.data(), values.flat(), 0);
    const fresh = uniform(total).map(Math.fround);
    const objects = [...params];
    tm.nn.utils.vectorToParameters(tm.tensor(fresh, [total]), params);
    let offset = 0;
    for (const [i, p] of model.parameters().entries()) {
      expect(p).toBe(objects[i]);
      expectClose(await p.data(), fresh.slice(offset, offset + p.size), 0, `parameter ${i}`);
      offset += p.size;
    }
    // And back: the round trip is exact.
    expectClose(await tm.nn.utils.parametersToVector(params).data(), fresh, 0);
    model.dispose();
  });

  it('passes gradients back to the parameters; writes an f32 vector into f16 parameters in their dtype; leaves memory flat', async () => {
    const a = tm.tensor(uniform(6), [2, 3]);
    const b = tm.tensor(uniform(1), [1]);
    a.requiresGrad = b.requiresGrad = true;
    const weights = tm.tensor(uniform(7), [7]);
    tm.nn.utils.parametersToVector([a, b]).mul(weights).sum().backward();
    const w = await weights.data();
    expectClose(await a.grad!.data(), w.slice(0, 6), 0);
    expectClose(await b.grad!.data(), w.slice(6), 0);
    const half = tm.zeros([2, 2], { dtype: 'f16' });
    tm.nn.utils.vectorToParameters(tm.tensor([0.5, -1, 2, 3]), [half]);
    expect(half.dtype).toBe('f16');
    expectClose(await half.data(), [0.5, -1, 2, 3], 0);
    const before = await collected();
    const vec = tm.nn.utils.parametersToVector([a, b]);
    tm.nn.utils.vectorToParameters(vec, [a, b]);
    vec.dispose();
    expect(tm.memory().numTensors).toBe(before);
  });
});

describe('parameter vectors refuse', () => {
  it('a vector of the wrong length or rank, no parameters, and parameters of two dtypes', async () => {
    await tm.init({ backend: 'js' });
    const params = [tm.zeros([3, 4]), tm.zeros([2])];
    expect(() => tm.nn.utils.vectorToParameters(tm.zeros([13]), params)).toThrow('vectorToParameters: vec [13] has 13 values; the parameters [3,4], [2] hold 14');
    expect(() => tm.nn.utils.vectorToParameters(tm.zeros([2, 7]), params)).toThrow('vectorToParameters: vec must be a vector, got [2,7]');
    expect(() => tm.nn.utils.vectorToParameters([1, 2] as unknown as tm.Tensor, params)).toThrow('vectorToParameters: vec must be a tensor');
    expect(() => tm.nn.utils.parametersToVector([])).toThrow('parametersToVector: params must be a non-empty array of tensors (model.parameters())');
    expect(() => tm.nn.utils.parametersToVector([params[0], 3 as unknown as tm.Tensor])).toThrow('parametersToVector: params must be a non-empty array of tensors');
    expect(() => tm.nn.utils.parametersToVector([params[0], tm.zeros([1], { dtype: 'f16' })])).toThrow('parametersToVector: params[0] is f32 and params[1] f16; the vector has one dtype');
    const gone = tm.zeros([1]);
    gone.dispose();
    expect(() => tm.nn.utils.parametersToVector([gone])).toThrow('parametersToVector: params[0] was disposed');
  });
});
