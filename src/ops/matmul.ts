// Matrix product with NumPy's matmul rules: 1-D operands are promoted (and the
// added axis dropped again), leading batch axes broadcast. Backends only ever
// see rank-3 operands whose batch is 1 or the full batch.
import { promoteTypes, type DType } from '../dtype.js';
import { backendFor } from '../engine.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { broadcastShapes, sameShape, sizeOf } from '../shape.js';
import { record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { broadcastTo, reshape } from './movement.js';
import { sumToShape } from './reduce.js';
import { checkTensor, computed, onBackendOf, view } from './util.js';
import { QuantizedTensor, quantizedMatmul } from './quantize.js';

export interface MatmulOptions {
  /** Use aᵀ (its last two axes swapped) without copying it. */
  transposeA?: boolean;
  /** Use bᵀ without copying it. */
  transposeB?: boolean;
}

/** i8 × i8 accumulates exactly into i32; otherwise the operands' common dtype. */
function matmulDType(a: DType, b: DType): DType {
  const common = promoteTypes(a, b);
  return common === 'i8' ? 'i32' : common;
}

const MATMUL_OPTIONS: OptionNames<MatmulOptions> = { transposeA: 'boolean', transposeB: 'boolean' };

export function matmul(a: Tensor, b: Tensor | QuantizedTensor, options: MatmulOptions = {}): Tensor {
  options = checkOptions('matmul', options, MATMUL_OPTIONS);
  if (b instanceof QuantizedTensor) {
    if (options.transposeA || options.transposeB) throw new ValueError('matmul: transposes are not supported with a quantized weight');
    return quantizedMatmul(a, b);
  }
  checkTensor('matmul', a, 'a');
  checkTensor('matmul', b, 'b');
  const backend = backendFor('matmul', [a.dataRef('matmul'), b.dataRef('matmul')]);
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError(`matmul: operands must have at least one axis: ${formatShape(a.shape)} x ${formatShape(b.shape)} (use mul for scalars)`);
  }
  const transposeA = a.rank >= 2 && !!options.transposeA;
  const transposeB = b.rank >= 2 && !!options.transposeB;
  const aShape = a.rank === 1 ? [1, a.shape[0]] : [...a.shape];
  const bShape = b.rank === 1 ? [b.shape[0], 1] : [...b.shape];
  const [m, k] = transposeA ? aShape.slice(-2).reverse() : aShape.slice(-2);
  const [kb, n] = transposeB ? bShape.slice(-2).reverse() : bShape.slice(-2);
  if (k !== kb) {
    const t = (flag: boolean) => (flag ? 'ᵀ' : '');
    throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a.shape)}${t(transposeA)} x ${formatShape(b.shape)}${t(transposeB)} (${k} vs ${kb})`);
  }
  const batchShape = broadcastShapes('matmul', aShape.slice(0, -2), bShape.slice(0, -2));
  const batch = sizeOf(batchShape);
  const outDtype = matmulDType(a.dtype, b.dtype);
  const inDtype = outDtype === 'i32' && a.dtype === 'i8' && b.dtype === 'i8' ? 'i8' : outDtype;

  const outShape = [...batchShape, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])];
  if (sizeOf(outShape) === 0) {
    // Nothing to compute (an empty batch, M or N); kernels are never called with empty operands.
    // The gradients are zeros of a's and b's shapes, made from what is known now: a tidy may have freed a and b by then.
    const [aDims, aDtype, bDims, bDtype] = [[...a.shape], a.dtype, [...b.shape], b.dtype];
    const gradients = (dy: Tensor) => onBackendOf('matmul', dy, () => [zeros(aDims, { dtype: aDtype }), zeros(bDims, { dtype: bDtype })]);
    return record(onBackendOf('matmul', a, () => zeros(outShape, { dtype: outDtype })), 'matmul', [a, b], [], gradients);
  }
  const made: Tensor[] = [];
  const temp = (t: Tensor): Tensor => (made.push(t), t);
  // Each operand as rank 3 with batch 1 or `batch`, materialising a batch broadcast only when it must.
  const asRank3 = (x: Tensor, shape: number[]): Tensor => {
    const own = shape.slice(0, -2);
    const [rows, cols] = shape.slice(-2);
    let t = x.dtype === inDtype ? x : temp(x.cast(inDtype));
    let tBatch = sizeOf(own);
    if (tBatch !== 1 && !sameShape(own, batchShape)) {
      t = temp(broadcastTo(temp(view('matmul', t, shape)), [...batchShape, rows, cols]));
      tBatch = batch;
    }
    return temp(view('matmul', t, [tBatch, rows, cols]));
  };
  try {
    const a3 = asRank3(a, aShape);
    const b3 = asRank3(b, bShape);
    const y = computed('matmul', backend, outShape, outDtype, () => backend.matmul(a3.info('matmul'), b3.info('matmul'), { transposeA, transposeB }, outDtype));
    return record(y, 'matmul', [a, b], [a, b], (dy, [sa, sb], needs) => {
      // Work on the promoted shapes (1-D operands as rows/columns), then undo the promotion.
      const a2 = reshape(sa, aShape);
      const b2 = reshape(sb, bShape);
      const dy2 = reshape(dy, [...batchShape, m, n]);
      // With A = op(a), B = op(b): dA = dy·Bᵀ and dB = Aᵀ·dy, written so no transpose is copied.
      const da = needs[0]
        ? transposeA ? matmul(b2, dy2, { transposeA: transposeB, transposeB: true }) : matmul(dy2, b2, { transposeB: !transposeB })
        : null;
      const db = needs[1]
        ? transposeB ? matmul(dy2, a2, { transposeA: true, transposeB: transposeA }) : matmul(a2, dy2, { transposeA: !transposeA })
        : null;
      return [da && reshape(sumToShape(da, aShape), a.shape), db && reshape(sumToShape(db, bShape), b.shape)];
    });
  } finally {
    for (const t of made) t.dispose();
  }
}
