// ONNX's seq(tensor): an ordered list of tensors, what PyTorch's scripted
// Python lists export to (append in a loop, torch.cat of a list, split into
// a list). Immutable, as ONNX's sequence ops are functional: each returns a
// new Sequence, and the tensors inside are shared, not copied. Its items are
// Values as any edge carries (a device Tensor or a host Constant), so a list
// of shapes stays on the host.
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { OnnxGraphProto } from './proto.js';
import type { Constant, ElementType, Value } from './value.js';

export type SequenceItem = Tensor | Constant;

export class Sequence {
  constructor(
    /** The element type every item holds: SequenceEmpty's dtype, or the first item's; undefined where neither says (an i32 tensor of unknown width). */
    readonly elementType: ElementType | undefined,
    readonly items: readonly SequenceItem[],
  ) {}

  get length(): number {
    return this.items.length;
  }
}

/**
 * Refuses, when the model loads, a main graph whose inputs or outputs are
 * sequences: tmnn's run takes and returns tensors (Record<string, Tensor>).
 * Inside the graph — a loop's list, a split's parts — sequences run.
 */
export function refuseSequenceGraphValues(graph: OnnxGraphProto): void {
  for (const [kind, list] of [['input', graph.inputs], ['output', graph.outputs]] as const) {
    const named = list.filter((v) => v.sequence).map((v) => v.name);
    if (named.length) {
      throw new ValueError(`onnx: the graph's ${kind}${named.length > 1 ? 's' : ''} ${named.join(', ')} ${named.length > 1 ? 'are sequences' : 'is a sequence'} (seq(tensor)); tmnn's model.run takes and returns tensors only. Sequences run inside the graph: ${kind === 'output' ? 'end it with ConcatFromSequence (torch.cat or torch.stack of the list) to return a tensor' : 'feed a tensor and split it into a sequence with SplitToSequence'}`);
    }
  }
}

/** The main graph's outputs as tensors or host arrays: one that turns out a sequence (its type undeclared) is refused, as refuseSequenceGraphValues does at load. */
export function graphOutputs(values: readonly Value[], names: readonly string[]): SequenceItem[] {
  return values.map((v, i) => {
    if (v instanceof Sequence) throw new ValueError(`onnx: the graph output ${names[i]} is a sequence of ${v.length} tensors; tmnn's model.run returns tensors only (end the graph with ConcatFromSequence to return one)`);
    return v;
  });
}
