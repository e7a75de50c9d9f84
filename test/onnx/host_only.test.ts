// Float initializers only ever read on the host (src/onnx/host_only.ts): one
// that reaches nothing but shape inputs — Shape → Cast → Mul by a float
// initializer → Cast → Reshape, the arithmetic exporters leave for a scale —
// is kept a host Constant, not made a parameter, so the Reshape knows its
// target without reading the device; one also used as data stays a
// parameter, and the shape it feeds is refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { f64 } from '../helpers/float64.js';
import { onnxModel, type NodeSpec } from '../helpers/onnx.js';
import { feed, runModel } from '../helpers/onnx_run.js';

/** y = reshape(x, shape(x) · scale): the target shape computed through the float initializer `scale`. */
const scaledReshape = (scale: number[], extra: NodeSpec[] = [], outputs = ['y']) => onnxModel({
  inputs: [{ name: 'x', shape: [4, 3] }],
  outputs: outputs.map((name) => ({ name })),
  initializers: { scale: { shape: [2], values: scale } },
  nodes: [
    { op: 'Shape', inputs: ['x'], outputs: ['s'] },
    { op: 'Cast', inputs: ['s'], outputs: ['sf'], attributes: { to: 1 } },
    { op: 'Mul', inputs: ['sf', 'scale'], outputs: ['scaled'] },
    { op: 'Cast', inputs: ['scaled'], outputs: ['target'], attributes: { to: 7 } },
    { op: 'Reshape', inputs: ['x', 'target'], outputs: ['y'] },
    ...extra,
  ],
});

describe.each(BACKENDS)('tm.onnx float initializers read only on the host, on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([[[0.5, 2]], [[3, 1 / 3]], [[1, 1]]])('computes a Reshape\'s target through a float initializer %j, which is no parameter', async (scale) => {
    const x = f64([4, 3], uniform(12));
    const [y] = await runModel(scaledReshape(scale), [feed(x)]);
    // ONNX's Cast to int64 truncates the float product.
    expect(y.shape).toEqual([Math.trunc(4 * Math.fround(scale[0])), Math.trunc(3 * Math.fround(scale[1]))]);
    expectClose(y.v, x.v, 1e-6, 'reshaped values');
    const model = tm.onnx.fromBytes(scaledReshape(scale));
    expect(Object.keys(model.namedParameters())).toEqual([]);
    model.dispose();
  });

  it('keeps a float initializer also used as data a parameter, and names the shape input it cannot know', () => {
    const both = scaledReshape([0.5, 2], [{ op: 'Mul', inputs: ['x', 'scale'], outputs: ['z'] }], ['y', 'z']);
    const model = tm.onnx.fromBytes(both);
    expect(Object.keys(model.namedParameters())).toEqual(['scale']);
    const x = tm.ones([4, 3]);
    expect(() => tm.noGrad(() => model.run([x]))).toThrow(/node 'Reshape_4' \(Reshape\): its shape \(input 1, target\) is computed on the device/);
    x.dispose();
    model.dispose();
  });

  it('keeps a Clip bound given as a float initializer on the host (no gradient reaches it), a slope beside it a parameter', async () => {
    const bytes = onnxModel({
      inputs: [{ name: 'x', shape: [5] }],
      outputs: [{ name: 'y' }],
      initializers: { lo: { shape: [], values: [-0.5] }, w: { shape: [5], values: [1, 2, 3, 4, 5] } },
      nodes: [{ op: 'Mul', inputs: ['x', 'w'], outputs: ['xw'] }, { op: 'Clip', inputs: ['xw', 'lo'], outputs: ['y'] }],
    });
    const model = tm.onnx.fromBytes(bytes);
    expect(Object.keys(model.namedParameters())).toEqual(['w']);
    model.dispose();
    const x = f64([5], uniform(5));
    const [y] = await runModel(bytes, [feed(x)]);
    expectClose(y.v, x.v.map((v, i) => Math.max(v * (i + 1), -0.5)), 1e-6, 'clip');
  });

  it('keeps a float initializer a subgraph reads a parameter', () => {
    const body = {
      name: 'then',
      inputs: [],
      outputs: [{ name: 'r' }],
      nodes: [{ op: 'Reshape', inputs: ['x', 'target'], outputs: ['r'] }],
    };
    const bytes = onnxModel({
      inputs: [{ name: 'x', shape: [4, 3] }],
      outputs: [{ name: 'y' }],
      initializers: { scale: { shape: [2], values: [0.5, 2] }, c: { type: 'bool', shape: [], values: [1] } },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Cast', inputs: ['s'], outputs: ['sf'], attributes: { to: 1 } },
        { op: 'Mul', inputs: ['sf', 'scale'], outputs: ['scaled'] },
        { op: 'Cast', inputs: ['scaled'], outputs: ['target'], attributes: { to: 7 } },
        { op: 'If', inputs: ['c'], outputs: ['y'], attributes: { then_branch: { graph: body }, else_branch: { graph: body } } },
      ],
    });
    // Conservative: what a subgraph does with an outer value is not followed.
    const model = tm.onnx.fromBytes(bytes);
    expect(Object.keys(model.namedParameters())).toEqual(['scale']);
    model.dispose();
  });
});
