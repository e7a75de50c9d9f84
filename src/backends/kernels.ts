// The kernel contract: the small set of primitives every backend implements.
// Ops in src/ops/ validate their inputs, work out output shapes and dtypes,
// and lower onto these; a backend never sees a bad shape. Layout is always
// dense row-major. Each kernel returns a fresh storage for its output.
import type { DType, StorageArray } from '../dtype.js';

export type BackendName = 'webgpu' | 'native' | 'js';

export const UNARY_OPS = ['neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'relu', 'sigmoid', 'tanh', 'floor', 'ceil', 'round', 'sin', 'cos', 'erf',
  'log1p', 'expm1', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'trunc',
  'erfc', 'lgamma', 'digamma', 'trigamma', 'erfinv', 'sinc', 'logit', 'i0', 'i1', 'log2', 'log10', 'exp2'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const ARITHMETIC_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'remainder', 'xlogy', 'logaddexp', 'hypot', 'copysign', 'floorDivide'] as const;
export const COMPARISON_OPS = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'] as const;
/** Ints only (i32, i8): the ops layer refuses floats. */
export const BITWISE_OPS = ['bitwiseAnd', 'bitwiseOr', 'bitwiseXor', 'bitwiseLeftShift', 'bitwiseRightShift'] as const;
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number];
export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export type BitwiseOp = (typeof BITWISE_OPS)[number];
export type BinaryOp = ArithmeticOp | ComparisonOp | BitwiseOp;

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'prod';
export type ArgReduceOp = 'argmax' | 'argmin';
export const SCAN_OPS = ['sum', 'prod'] as const;
export type ScanOp = (typeof SCAN_OPS)[number];

/** A tensor as a kernel sees it: its storage (backend-specific), shape and dtype. */
export interface TensorInfo<S = unknown> {
  readonly storage: S;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** One Adam step's constants, bias correction folded in (ops/adam.ts). */
export interface AdamStep {
  readonly beta1: number;
  readonly beta2: number;
  /** lr · √(1 − β2ᵗ) / (1 − β1ᵗ). */
  readonly stepSize: number;
  /** ε · √(1 − β2ᵗ). */
  readonly epsilonHat: number;
  /** Adam's weight decay: l2 · p added to the gradient (0: none). */
  readonly l2: number;
  /** AdamW's decoupled decay: p scaled by this before the step (1: none). */
  readonly decay: number;
}

/** One SGD step's constants (ops/sgd.ts). */
export interface SgdStep {
  readonly lr: number;
  /** The velocity's decay (0: plain SGD, no velocity kept). */
  readonly momentum: number;
  /** Steps along g' + momentum · v' rather than v'. */
  readonly nesterov: boolean;
  /** TMNN's L2 regularisation: weightDecay · p added to the gradient (0: none). */
  readonly weightDecay: number;
}

export interface MatmulConfig {
  /** a is stored [batchA, K, M] rather than [batchA, M, K]. */
  readonly transposeA: boolean;
  /** b is stored [batchB, N, K] rather than [batchB, K, N]. */
  readonly transposeB: boolean;
}

export interface Kernels<S = unknown> {
  /** y = op(x) in x's dtype. */
  unary(op: UnaryOp, x: TensorInfo<S>): S;
  /**
   * out[i] = op(a[i'], b[i'']) with NumPy broadcasting to `outShape`, a, b and
   * out all of a's dtype; comparisons give 1 or 0. Ints wrap like C. The
   * bitwise ops take ints only; a shift by a negative amount or by the
   * dtype's width or more gives 0 to the left and the sign's fill (0 or −1)
   * to the right, as PyTorch's CPU kernels.
   */
  binary(op: BinaryOp, a: TensorInfo<S>, b: TensorInfo<S>, outShape: readonly number[]): S;
  /** out[i] = cond[i] != 0 ? a[i] : b[i], all three broadcast to `outShape`; out has a's dtype (= b's). */
  where(cond: TensorInfo<S>, a: TensorInfo<S>, b: TensorInfo<S>, outShape: readonly number[]): S;
  /**
   * Batched product of rank-3 operands: a [batchA, M, K], b [batchB, K, N] (or
   * their transposes, per `config`), batchA and batchB each 1 or the same B.
   * Output [max(batchA, batchB), M, N]. Ints accumulate in i32 (wrapping).
   */
  matmul(a: TensorInfo<S>, b: TensorInfo<S>, config: MatmulConfig, outDtype: DType): S;
  /**
   * Reduces x of shape [outer, inner] along inner → [outer], in x's dtype
   * (int sums and products wrap; an empty row's product is 1) — except the
   * mean of ints, asked for as f32 and computed from the exact sum.
   */
  reduce(op: ReduceOp, x: TensorInfo<S>, outDtype: DType): S;
  /**
   * Optional: `reduce` over the columns of x [inner, outer] → [outer] (a sum
   * over a batch, such as a bias's gradient), read in place. Backends without
   * it get x transposed into rows first, a copy of x.
   */
  reduceColumns?(op: ReduceOp, x: TensorInfo<S>, outDtype: DType): S;
  /** Index (i32) of the first largest/smallest element along inner of [outer, inner]; NaN counts as largest/smallest. */
  argReduce(op: ArgReduceOp, x: TensorInfo<S>): S;
  /** softmax (or log-softmax) along inner of a float [outer, inner], numerically stable. */
  softmax(x: TensorInfo<S>, log: boolean): S;
  /**
   * out[idx] = x[offset + Σ idx[d]·strides[d]]: transposes, slices and
   * broadcasts are all this one gather with different strides.
   */
  stridedCopy(x: TensorInfo<S>, outShape: readonly number[], strides: readonly number[], offset: number): S;
  /** Concatenates same-rank, same-dtype inputs along `axis`. */
  concat(xs: readonly TensorInfo<S>[], axis: number, outShape: readonly number[]): S;
  /** Converts dtype: to ints truncates toward zero and saturates (NaN → 0); to f16 rounds to nearest even. */
  cast(x: TensorInfo<S>, dtype: DType): S;
  /**
   * Reinterprets bits (ops/bitcast.ts): f32 ↔ i32 keep all 32; f16 → i32
   * gives the 16-bit pattern (0…65535), i32 → f16 takes the low 16 bits.
   * NaN payloads may come out canonical where the backend computes in floats.
   */
  bitcast(x: TensorInfo<S>, dtype: DType): S;
  /** out[..., j] = indices[...] == j ? 1 : 0 for j < depth. */
  oneHot(indices: TensorInfo<S>, depth: number, outDtype: DType): S;
  /**
   * out[o, j, i] = x[o, indices[j], i] for x read as [outer, n, inner] and
   * indices (i32 or i8) read flat as [k]: out is [outer, k, inner] in x's
   * dtype. A negative index counts from the end; one outside [-n, n) gives
   * zeros (the ops layer refuses those where it can read indices at once).
   */
  gather(x: TensorInfo<S>, indices: TensorInfo<S>, outer: number, inner: number): S;
  /**
   * gather's gradient: out [outer, n, inner], zeros, with each row of dy
   * [outer, k, inner] (f32 or f16) added into row indices[j] (read as gather
   * reads them; one outside the axis adds nothing). Where an index repeats,
   * a GPU's adds may come in any order, and the last bits with them.
   */
  scatterAdd(dy: TensorInfo<S>, indices: TensorInfo<S>, outer: number, n: number, inner: number): S;
  /** Running sums or products along the middle axis of x read as [outer, n, inner], in x's dtype (ints wrap; floats taken in order). */
  scan(op: ScanOp, x: TensorInfo<S>, outer: number, inner: number): S;
  /**
   * The positions (i32, [rows, k]) of the first k entries of each row of x
   * [rows, n] in sorted order: by value, descending or not; NaN after every
   * number ascending and before every number descending; ties (and NaNs) by
   * position. A strict total order, so every backend gives the same positions.
   */
  sortIndices(x: TensorInfo<S>, k: number, descending: boolean): S;
  /**
   * A max pooling's forward: x (f32 or f16) read as [outer, n] and `table`
   * (i32) as [windows, taps] of positions in each row; out [outer, windows]
   * in x's dtype, the largest x[o, table[j, t]] over t, NaN if any is NaN. A
   * position outside [0, n) picks nothing (the padding); every window picks
   * at least one (the ops layer makes tables so).
   */
  windowMax(x: TensorInfo<S>, table: TensorInfo<S>, outer: number): S;
  /**
   * Optional: windowMax's gradient in one pass. dx (x's shape and dtype):
   * each window's dy[o, j] shared evenly among its taps whose value equals
   * the window's max y[o, j], summed over the windows a value lies in (a
   * window whose max is NaN gives NaN to each of its taps); y and dy are
   * [outer, windows]. Backends without it get ops/windows.ts's gather,
   * compare and scatter-add, five passes over every tap.
   */
  windowMaxGrad?(x: TensorInfo<S>, table: TensorInfo<S>, y: TensorInfo<S>, dy: TensorInfo<S>): S;
}

/** Every kernel's name, for code that wraps a whole backend. */
export const KERNEL_NAMES = ['unary', 'binary', 'where', 'matmul', 'reduce', 'argReduce', 'softmax', 'stridedCopy', 'concat', 'cast', 'bitcast', 'oneHot', 'gather', 'scatterAdd', 'scan', 'sortIndices', 'windowMax'] as const satisfies readonly (keyof Kernels)[];

export type QuantizedPath = 'int8' | 'f16';

export interface Backend<S = unknown> extends Kernels<S> {
  readonly name: BackendName;
  /** What the backend runs on, for the report and for choosing between backends. */
  readonly device: {
    readonly description: string;
    /** A CPU emulating a GPU (lavapipe, SwiftShader): far slower than BLAS on the same CPU. */
    readonly software: boolean;
  };
  /** Makes a storage holding `values` (already in the dtype's storage form; the backend may keep the array). */
  upload(values: StorageArray, dtype: DType): S;
  /**
   * An uninitialised array of n elements for the caller to fill, every
   * element, and hand to `upload`: memory the backend recycles, where it keeps
   * some (the native pool). Fresh memory costs page faults on first touch,
   * which a training batch made every step would pay each time.
   */
  allocate?(dtype: DType, n: number): StorageArray;
  /** A copy of a storage's contents in storage form (f16 as bit patterns). */
  download(storage: S, dtype: DType, size: number): Promise<StorageArray>;
  /**
   * A storage's contents at once, where the backend keeps them in memory
   * (js, native: the array itself, not a copy, and not to be written), for
   * checks of input values that must not wait for `download`. Absent where
   * only `download` can read them (a GPU).
   */
  peek?(storage: S): StorageArray;
  /** Releases a storage; it is never used again. */
  free(storage: S): void;
  /**
   * How a product with a tm.quantize weight runs here (tm.matmul(x, q)):
   * 'int8' quantizes the activations per row and multiplies int8 exactly
   * (through `matmul` on i8 operands); 'f16' multiplies x in f16 by the int8
   * weight turned into floats inside the kernel (`quantizedMatmul`). Either
   * is the product of x and the dequantized weight, up to the activations'
   * rounding. The shape (x [m, k], the weight's values [n, k]) lets a backend
   * choose per shape. A backend without it always uses 'int8'.
   */
  quantizedMatmulPath?(shape?: { m: number; k: number; n: number }): QuantizedPath;
  /**
   * The 'f16' way: x [M, K] (f32 or f16, taken in f16 precision) times
   * values [N, K] (i8, a tm.quantize weight) with scales [N] (f32) → f32
   * [M, N], out[m, n] = scales[n] · Σ_k f16(x[m, k]) · values[n, k],
   * without a float copy of the weight or an f16 copy of x.
   */
  quantizedMatmul?(x: TensorInfo<S>, values: TensorInfo<S>, scales: TensorInfo<S>): S;
  /**
   * The 'int8' way in one kernel: x [M, K] (f32) quantized per row, its
   * exact int8 product with values [N, K] (i8), scaled back by the row's
   * scale and scales [N] (f32) → f32 [M, N]; bit for bit what ops/quantize.ts
   * composes from elementwise ops and an i8 matmul where a backend lacks it.
   */
  quantizedMatmulInt8?(x: TensorInfo<S>, values: TensorInfo<S>, scales: TensorInfo<S>): S;
  /**
   * ONNX's DynamicQuantizeLinear of an f32 x in one kernel: y (i32 holding
   * uint8 values, x's shape), the scale and the zero point, bit for bit what
   * ops/quantize_uint8.ts composes from tensor ops; null where x holds a NaN
   * or an infinity, which the composed ops define. Optional, as
   * quantizedMatmulInt8 is.
   */
  dynamicQuantizeUint8?(x: TensorInfo<S>): { y: S; scale: number; zeroPoint: number } | null;
  /**
   * DynamicQuantizeLinear's scale (f32, shape []) and zero point (i32,
   * shape []) of an f32 x, bit for bit what ops/quantize_uint8.ts composes,
   * NaN and infinities included, without reading back: for a backend whose
   * elementwise ops fuse, the ops layer then quantizes x by them as the
   * composed ops do, in one pass with whatever reads y (webgpu: an int8
   * product's shift of y into int8). null leaves x to the composed ops.
   */
  dynamicQuantizeScale?(x: TensorInfo<S>): { scale: S; zeroPoint: S } | null;
  /**
   * One Adam step over f32 tensors of one size (ops/adam.ts gives the
   * formula): the new parameter, first and second moment, in one pass.
   * Optional: elsewhere the step runs as the elementwise ops that spell it out.
   */
  adam?(p: TensorInfo<S>, g: TensorInfo<S>, m: TensorInfo<S>, v: TensorInfo<S>, step: AdamStep): [S, S, S];
  /**
   * One SGD step over f32 tensors of one size (ops/sgd.ts gives the formula):
   * the new parameter and, with momentum, the new velocity (from none on the
   * first step), in one pass. Optional, as adam is.
   */
  sgd?(p: TensorInfo<S>, g: TensorInfo<S>, velocity: TensorInfo<S> | null, step: SgdStep): [S, S | null];
  /**
   * Gives back what the backend holds (a GPU device) once nothing will use it:
   * started but not chosen, or replaced by a later init() and its last tensor freed.
   * Reads already under way finish first.
   */
  release?(): void;
  /**
   * Resolves once nothing the backend started is under way: kernels
   * submitted, reads, measurements it runs in the background (tm.synchronize).
   */
  settled?(): Promise<void>;
}
