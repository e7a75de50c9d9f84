// The shape of one ONNX operator's implementation in tmnn: declared once per
// op type, as tfjs registers one kernel per op; the files beside this one
// group them by kind.
import type { NodeCall } from '../node_call.js';
import type { Constant, Value } from '../value.js';

export interface OnnxOp {
  /** Computes the node's outputs, in order (an output left out of the list is one tmnn does not compute). */
  run(call: NodeCall): Value | Value[];
  /**
   * Computes them on the host when every input is a Constant: the shape
   * arithmetic exporters leave in graphs, which must stay on the host for
   * Reshape or Slice to know their arguments.
   */
  host?(call: NodeCall, inputs: Constant[]): Value | Value[];
  /**
   * The inputs the op reads only on the host, as numbers (a shape, axes,
   * pads, a trip count), never as tensors: no gradient flows through them,
   * so a float initializer that reaches nothing else need not be a
   * parameter (host_only.ts). An asynchronous run (runAsync) reads one
   * computed on the device back before the op runs.
   */
  hostInputs?: readonly number[];
  /**
   * The op in an asynchronous run, for ops that run subgraphs (which may
   * themselves read device values back) or decide as they go (a Loop's
   * condition after each iteration). Without it, run (or host) serves both.
   * Tensors it makes outside its subgraphs' runs must be made in call.step.
   */
  runAsync?(call: NodeCall): Promise<Value | Value[]>;
  /**
   * How the op takes tensors of strings (StringTensor; string_ops.ts), which
   * run on the host: 'moves' — it moves input 0's elements without reading
   * them (Reshape, Gather), so strings move as numbers would; 'movesAll' —
   * every input's (Concat), all strings; 'selects' — it picks inputs 1's and
   * 2's (Where), both strings; 'scatters' — it writes input 2's elements
   * into input 0's (ScatterND, reduction none), both strings; 'shape' — it reads input 0's shape only
   * (Shape, Size); 'compares' — it compares input 0's elements and gives
   * some of them as output 0 (Unique), so strings are compared by their
   * ranks; 'reads' — its run reads them itself (LabelEncoder,
   * CategoryMapper). A node with a string input whose op says none is refused.
   */
  strings?: 'moves' | 'movesAll' | 'selects' | 'scatters' | 'shape' | 'compares' | 'reads';
}

export type OpTable = Record<string, OnnxOp>;
