// ONNX's random generators: RandomNormal, RandomUniform, their *Like forms,
// Bernoulli and Multinomial, drawn through tmnn's seeded generators
// (src/random.ts, src/ops/sampling.ts), so a seed gives the same draws on
// every backend.
//
// What `seed` means in tmnn: ONNX's seed is a float. An integer seed in
// [0, 2³²) is tmnn's seed as it stands (RandomNormal with seed 5 draws what
// tm.randn(shape, { seed: 5 }) draws); any other float is read as its
// float32 bits. A seeded node draws the same values on every run, as ONNX's
// reference implementation (which seeds a fresh generator per call) does;
// onnxruntime instead keeps one generator per session, so its later runs
// differ from its first. Without a seed each run draws afresh (from
// tm.setSeed's sequence when one is set).
//
// Multinomial draws by the Gumbel-max trick: the argmax of the log-weights
// plus Gumbel noise is a draw from their softmax, so it runs on the device
// and synchronously (tm.multinomial reads the weights back). The noise is
// made in float64 on the host and rounded once to f32.
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { seedFor, uniform } from '../../random.js';
import type { NodeCall } from '../node_call.js';
import { DATA_TYPES } from '../proto.js';
import { Constant, elementTypeOf, type ElementType } from '../value.js';
import type { OpTable } from './op.js';

/** The tmnn seed of the node's `seed` attribute, or a fresh one per run where it has none. */
export function onnxSeed(seed: number | undefined): number {
  if (seed === undefined) return seedFor('onnx', undefined);
  if (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32) return seed;
  return new Uint32Array(Float32Array.of(seed).buffer)[0];
}

const FLOAT_OUTPUTS: readonly ElementType[] = ['float', 'float16', 'double', 'bfloat16'];

/** The element type an attribute `dtype` names (an ONNX TensorProto.DataType code), checked against those the op makes. */
function dtypeAttribute(call: NodeCall, allowed: readonly ElementType[], fallback: ElementType): ElementType {
  const code = call.int('dtype');
  if (code === undefined) return fallback;
  const type = DATA_TYPES[code] as ElementType | undefined;
  if (!type || !allowed.includes(type)) {
    throw call.error(`dtype = ${code}${type ? ` (${type})` : ''} is not supported: ${call.node.opType} makes ${allowed.join(', ')}`);
  }
  return type;
}

/** A *Like op's shape and float output type: its input's (only its shape is read), or dtype's. */
function likeOf(call: NodeCall): { shape: number[]; type: ElementType } {
  const x = call.value(0);
  const input = call.elementType(0) ?? (x instanceof Constant ? x.type : elementTypeOf(x));
  const fallback = FLOAT_OUTPUTS.includes(input) ? input : undefined;
  if (call.int('dtype') === undefined && !fallback) throw call.error(`its input is ${input}; without dtype its output would be ${input} too, and ${call.node.opType} makes only ${FLOAT_OUTPUTS.join(', ')}`);
  return { shape: [...x.shape], type: dtypeAttribute(call, FLOAT_OUTPUTS, fallback ?? 'float') };
}

const floatDType = (type: ElementType): 'f32' | 'f16' => (type === 'float16' ? 'f16' : 'f32');

function shapeAttribute(call: NodeCall): number[] {
  const shape = call.ints('shape');
  if (!shape) throw call.error('attribute shape is required');
  const bad = shape.find((d) => !Number.isInteger(d) || d < 0);
  if (bad !== undefined) throw call.error(`shape [${shape.join(', ')}] has dimension ${bad}; each must be a non-negative integer`);
  return shape;
}

function normalOf(call: NodeCall, shape: number[], type: ElementType): Tensor {
  return ops.randn(shape, { mean: call.float('mean', 0), std: call.float('scale', 1), seed: onnxSeed(call.float('seed')), dtype: floatDType(type) });
}

function uniformOf(call: NodeCall, shape: number[], type: ElementType): Tensor {
  const low = call.float('low', 0), high = call.float('high', 1);
  if (!(low < high)) throw call.error(`low = ${low} must be less than high = ${high}`);
  return ops.rand(shape, { min: low, max: high, seed: onnxSeed(call.float('seed')), dtype: floatDType(type) });
}

/** Bernoulli's output in `type`: floats as they come, integers and bools as i32 0/1, their type recorded. */
function bernoulliOf(call: NodeCall): Tensor {
  const p = call.tensor(0);
  if (p.dtype !== 'f32' && p.dtype !== 'f16') throw call.error(`its input (probabilities) is ${p.dtype}; it takes floats`);
  const input = call.elementType(0) ?? elementTypeOf(p);
  const type = dtypeAttribute(call, [...FLOAT_OUTPUTS, 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'], input);
  const draws = ops.bernoulli(p, { seed: onnxSeed(call.float('seed')) });
  if (FLOAT_OUTPUTS.includes(type)) return ops.cast(draws, floatDType(type));
  return call.typed(ops.cast(draws, 'i32'), type);
}

/** Multinomial: sample_size draws per row of unnormalized log-probabilities [batch, classes], by the Gumbel-max trick. */
function multinomialOf(call: NodeCall): Tensor {
  const logits = call.tensor(0);
  if (logits.rank !== 2) throw call.error(`its input should be [batch_size, class_size], it is [${logits.shape.join(', ')}]`);
  if (logits.dtype !== 'f32' && logits.dtype !== 'f16') throw call.error(`its input (log-probabilities) is ${logits.dtype}; it takes floats`);
  const type = dtypeAttribute(call, ['int32', 'int64'], 'int32');
  const samples = call.int('sample_size', 1);
  if (!Number.isInteger(samples) || samples < 0) throw call.error(`sample_size = ${samples} should be a non-negative integer`);
  const [batch, classes] = logits.shape;
  if (classes === 0) throw call.error(`its input [${batch}, 0] has no classes to draw from`);
  const n = batch * samples * classes;
  // −log(−log u) for u uniform in (0, 1): 1 − u keeps u off 0, where the noise would be −∞.
  const u = uniform(n, 0, 1, onnxSeed(call.float('seed')));
  const noise = new Float32Array(n);
  for (let i = 0; i < n; i++) noise[i] = -Math.log(-Math.log(1 - u[i]));
  const perturbed = ops.add(ops.reshape(ops.cast(logits, 'f32'), [batch, 1, classes]), ops.tensor(noise, [batch, samples, classes]));
  return call.typed(ops.argmax(perturbed, -1), type);
}

export const RANDOM_OPS: OpTable = {
  RandomNormal: { run: (call) => normalOf(call, shapeAttribute(call), dtypeAttribute(call, FLOAT_OUTPUTS, 'float')) },
  RandomUniform: { run: (call) => uniformOf(call, shapeAttribute(call), dtypeAttribute(call, FLOAT_OUTPUTS, 'float')) },
  RandomNormalLike: {
    run: (call) => {
      const { shape, type } = likeOf(call);
      return normalOf(call, shape, type);
    },
  },
  RandomUniformLike: {
    run: (call) => {
      const { shape, type } = likeOf(call);
      return uniformOf(call, shape, type);
    },
  },
  Bernoulli: { run: bernoulliOf },
  Multinomial: { run: multinomialOf },
};

