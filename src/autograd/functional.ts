// Derivatives of functions rather than of a recorded output, as
// torch.autograd.functional: Jacobians, Hessians and their products with
// vectors, each a handful of grad() calls. Forward-mode products (jvp) come
// from two reverse passes: the vector–Jacobian product uᵀJ is linear in u, so
// its gradient with respect to u, taken along v, is Jv.
import { tidy, untrack } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions } from '../options.js';
import { sameShape } from '../shape.js';
import { add, mul, reshape, stack, sum, tensor, zeros, zerosLike } from '../ops/index.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { collectingLinks, needsGrad, releaseNode, withGrad } from '../tape.js';
import { Tensor } from '../tensor.js';
import { grad } from './backward.js';

export interface FunctionalOptions {
  /**
   * Make the results differentiable: they keep a graph back to the inputs
   * (and to whatever the inputs were computed from), as PyTorch's
   * create_graph. Default false: the results are plain tensors, and every
   * graph the call built is freed before it returns (graphs of tensors the
   * function closed over are left as they were).
   */
  createGraph?: boolean;
}

const FUNCTIONAL_OPTIONS = { createGraph: true } as const;

/** A function of one tensor or several, as the functional API calls it. */
type Fn = (...inputs: Tensor[]) => Tensor;

/** What every call starts from: fn checked, the inputs as a list, the option read. */
interface Call {
  readonly fn: Fn;
  readonly inputs: Tensor[];
  readonly createGraph: boolean;
}

function startCall(op: string, fn: unknown, inputs: Tensor | readonly Tensor[], options: FunctionalOptions): Call {
  if (typeof fn !== 'function') throw new ValueError(`${op}: expects a function of tensors, got ${formatValue(fn)}`);
  const list = inputs instanceof Tensor ? [inputs] : inputs;
  if (!Array.isArray(list) || !list.length) throw new ValueError(`${op}: inputs must be a tensor or a non-empty list of tensors, got ${formatValue(inputs)}`);
  list.forEach((x, i) => checkTensor(op, x, `input ${i}`));
  const { createGraph = false } = checkOptions(op, options, FUNCTIONAL_OPTIONS);
  if (typeof createGraph !== 'boolean') throw new ValueError(`${op}: createGraph must be true or false, got ${formatValue(createGraph)}`);
  return { fn: fn as Fn, inputs: [...list], createGraph };
}

/** One tensor per input, each of its input's shape: the vectors of jvp and hvp. */
function vectorsFor(op: string, v: Tensor | readonly Tensor[], inputs: readonly Tensor[]): Tensor[] {
  const vs = v instanceof Tensor ? [v] : v;
  if (!Array.isArray(vs) || vs.length !== inputs.length) throw new ValueError(`${op}: needs one tensor v per input (${inputs.length}), got ${formatValue(v)}`);
  vs.forEach((vi, i) => checkVector(op, `v[${i}]`, vi, inputs[i]));
  return [...vs];
}

function checkVector(op: string, what: string, v: unknown, like: Tensor): Tensor {
  checkTensor(op, v, what);
  const t = v as Tensor;
  if (!sameShape(t.shape, like.shape)) throw new ShapeError(`${op}: ${what} ${formatShape(t.shape)} does not match the shape it multiplies, ${formatShape(like.shape)}`);
  return t;
}

/**
 * Runs body on tensors standing for the inputs, each requiring a gradient:
 * with createGraph, views that keep the inputs' own graphs (a gradient of
 * the results reaches them); without, copies cut from any graph, and every
 * graph the body linked is freed when it returns or throws.
 */
function differentiating<T>(call: Call, body: (at: Tensor[]) => T): T {
  const at = call.inputs.map((x) => {
    if (call.createGraph && needsGrad(x)) return withGrad(() => reshape(x, x.shape));
    const leaf = x.detach();
    leaf.requiresGrad = true;
    return leaf;
  });
  if (call.createGraph) return body(at);
  const links = new Set<Tensor>();
  try {
    return collectingLinks(links, () => body(at));
  } finally {
    for (const t of links) releaseNode(t);
    for (const leaf of at) leaf.dispose();
  }
}

/** fn at `at`, recorded; its intermediates freed (their values live on where the graph saved them). */
function outputOf(op: string, call: Call, at: readonly Tensor[]): Tensor {
  // In a tidy: what the function makes on the way is freed now, not when the collector finds it.
  const y = withGrad(() => tidy(() => call.fn(...at)));
  if (!(y instanceof Tensor)) throw new ValueError(`${op}: the function must return a tensor, got ${formatValue(y)}`);
  // An input returned as it is: a view, so the output outlives the stand-ins freed at the end.
  return at.includes(y) ? withGrad(() => reshape(y, y.shape)) : y;
}

/** grad() of `output` along `gradient`, keeping the graph (differentiating frees it); zeros where the output depends on no input. */
function gradientsOf(output: Tensor, inputs: readonly Tensor[], gradient: Tensor | undefined, createGraph: boolean): Tensor[] {
  if (!needsGrad(output)) return inputs.map((x) => onBackendOf('grad', x, () => zerosLike(x)));
  return grad(output, inputs, { gradient, createGraph, retainGraph: true });
}

/** ⟨a, b⟩ summed over every pair, recorded: a scalar whose gradient along the a's is the b's. */
function innerProduct(as: readonly Tensor[], bs: readonly Tensor[]): Tensor {
  return withGrad(() => as.map((a, i) => sum(mul(a, bs[i]))).reduce((x, y) => add(x, y)));
}

/**
 * The output of fn at `inputs`, and vᵀJ: the gradient of ⟨fn(inputs), v⟩
 * with respect to each input (torch.autograd.functional.vjp). `v` has the
 * output's shape; it may be left out for a scalar output. One product per
 * input, as a list when the inputs were given as one.
 */
export function vjp(fn: Fn, inputs: Tensor, v?: Tensor, options?: FunctionalOptions): { output: Tensor; vjp: Tensor };
export function vjp(fn: Fn, inputs: readonly Tensor[], v?: Tensor, options?: FunctionalOptions): { output: Tensor; vjp: Tensor[] };
export function vjp(fn: Fn, inputs: Tensor | readonly Tensor[], v?: Tensor, options: FunctionalOptions = {}): { output: Tensor; vjp: Tensor | Tensor[] } {
  const call = startCall('vjp', fn, inputs, options);
  return differentiating(call, (at) => {
    const output = outputOf('vjp', call, at);
    if (v !== undefined) checkVector('vjp', 'v', v, output);
    else if (output.size !== 1) throw new ShapeError(`vjp: the output ${formatShape(output.shape)} is not a scalar; pass v of its shape`);
    const products = gradientsOf(output, at, v, call.createGraph);
    return { output, vjp: inputs instanceof Tensor ? products[0] : products };
  });
}

/**
 * The output of fn at `inputs`, and Jv: the derivative of fn along `v` (one
 * tensor per input, of its shape), as torch.autograd.functional.jvp. Made by
 * differentiating the vector–Jacobian product uᵀJ with respect to u, so
 * every op on the way needs a backward made of ops (all of tmnn's are, but
 * CTC's kernel).
 */
export function jvp(fn: Fn, inputs: Tensor, v: Tensor, options?: FunctionalOptions): { output: Tensor; jvp: Tensor };
export function jvp(fn: Fn, inputs: readonly Tensor[], v: readonly Tensor[], options?: FunctionalOptions): { output: Tensor; jvp: Tensor };
export function jvp(fn: Fn, inputs: Tensor | readonly Tensor[], v: Tensor | readonly Tensor[], options: FunctionalOptions = {}): { output: Tensor; jvp: Tensor } {
  const call = startCall('jvp', fn, inputs, options);
  const vs = vectorsFor('jvp', v, call.inputs);
  return differentiating(call, (at) => {
    const output = outputOf('jvp', call, at);
    const product = tidy(() => {
      const u = onBackendOf('jvp', output, () => zerosLike(output));
      if (!needsGrad(output)) return u;
      u.requiresGrad = true;
      const along = innerProduct(gradientsOf(output, at, u, true), vs);
      // uᵀJ does not depend on u where J is 0 (a constant function).
      return needsGrad(along) ? gradientsOf(along, [u], undefined, call.createGraph)[0] : zerosLike(output);
    });
    return { output, jvp: product };
  });
}

/** A tensor like `like` that is 1 at element k and 0 elsewhere: the gradient that picks that element. */
function basisVector(like: Tensor, k: number): Tensor {
  const values = new Float32Array(like.size);
  values[k] = 1;
  return onBackendOf('jacobian', like, () => tensor(values, like.shape, { dtype: like.dtype }));
}

/** d outputs[i] / d inputs[j] as [i][j], each [...outputs[i].shape, ...inputs[j].shape]: one backward pass per output element. */
function jacobianOf(outputs: readonly Tensor[], inputs: readonly Tensor[], createGraph: boolean): Tensor[][] {
  return outputs.map((y) => {
    const rows: Tensor[][] = inputs.map(() => []);
    try {
      for (let k = 0; k < y.size; k++) {
        const pick = basisVector(y, k);
        try {
          gradientsOf(y, inputs, pick, createGraph).forEach((g, j) => rows[j].push(untrack(g)));
        } finally {
          pick.dispose();
        }
      }
      return inputs.map((x, j) => tidy(() => reshape(y.size ? stack(rows[j]) : zeros([0, ...x.shape], { dtype: x.dtype }), [...y.shape, ...x.shape])));
    } finally {
      for (const r of rows.flat()) r.dispose();
    }
  });
}

/**
 * The Jacobian of fn at `inputs` (torch.autograd.functional.jacobian):
 * [...output shape, ...input shape], one tensor per input when they were
 * given as a list. One backward pass per element of the output: for
 * outputs of modest size.
 */
export function jacobian(fn: Fn, inputs: Tensor, options?: FunctionalOptions): Tensor;
export function jacobian(fn: Fn, inputs: readonly Tensor[], options?: FunctionalOptions): Tensor[];
export function jacobian(fn: Fn, inputs: Tensor | readonly Tensor[], options: FunctionalOptions = {}): Tensor | Tensor[] {
  const call = startCall('jacobian', fn, inputs, options);
  return differentiating(call, (at) => {
    const [perInput] = tidy(() => jacobianOf([outputOf('jacobian', call, at)], at, call.createGraph));
    return inputs instanceof Tensor ? perInput[0] : perInput;
  });
}

/**
 * The Hessian of a scalar fn at `inputs` (torch.autograd.functional.hessian):
 * [...input shape, ...input shape]; for a list of inputs, H[i][j] =
 * ∂²fn / ∂inputs[i] ∂inputs[j]. The Jacobian of the gradient: one backward
 * pass through the recorded backward pass per element of the inputs.
 */
export function hessian(fn: Fn, inputs: Tensor, options?: FunctionalOptions): Tensor;
export function hessian(fn: Fn, inputs: readonly Tensor[], options?: FunctionalOptions): Tensor[][];
export function hessian(fn: Fn, inputs: Tensor | readonly Tensor[], options: FunctionalOptions = {}): Tensor | Tensor[][] {
  const call = startCall('hessian', fn, inputs, options);
  return differentiating(call, (at) => {
    const blocks = tidy(() => {
      const output = outputOf('hessian', call, at);
      if (output.size !== 1) throw new ShapeError(`hessian: the function must return a scalar, got ${formatShape(output.shape)}`);
      return jacobianOf(gradientsOf(output, at, undefined, true), at, call.createGraph);
    });
    return inputs instanceof Tensor ? blocks[0][0] : blocks;
  });
}

/**
 * The output of a scalar fn at `inputs`, and Hv: the Hessian times `v` (one
 * tensor per input), as torch.autograd.functional.hvp, without forming the
 * Hessian: the gradient of ⟨∇fn, v⟩, two backward passes.
 */
export function hvp(fn: Fn, inputs: Tensor, v: Tensor, options?: FunctionalOptions): { output: Tensor; hvp: Tensor };
export function hvp(fn: Fn, inputs: readonly Tensor[], v: readonly Tensor[], options?: FunctionalOptions): { output: Tensor; hvp: Tensor[] };
export function hvp(fn: Fn, inputs: Tensor | readonly Tensor[], v: Tensor | readonly Tensor[], options: FunctionalOptions = {}): { output: Tensor; hvp: Tensor | Tensor[] } {
  const call = startCall('hvp', fn, inputs, options);
  const vs = vectorsFor('hvp', v, call.inputs);
  return differentiating(call, (at) => {
    const output = outputOf('hvp', call, at);
    if (output.size !== 1) {
      output.dispose();
      throw new ShapeError(`hvp: the function must return a scalar, got ${formatShape(output.shape)}`);
    }
    const products = tidy(() => {
      const along = innerProduct(gradientsOf(output, at, undefined, true), vs);
      return needsGrad(along) ? gradientsOf(along, at, undefined, call.createGraph) : at.map((x) => zerosLike(x));
    });
    return { output, hvp: inputs instanceof Tensor ? products[0] : products };
  });
}
