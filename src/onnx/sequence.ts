// ONNX's seq(tensor): an ordered list of tensors, what PyTorch's scripted
// Python lists export to (append in a loop, torch.cat of a list, split into
// a list). Immutable, as ONNX's sequence ops are functional: each returns a
// new Sequence, and the tensors inside are shared, not copied. Its items are
// Values as any edge carries (a device Tensor or a host Constant), so a list
// of shapes stays on the host.
import type { Tensor } from '../tensor.js';
import type { StringTensor } from './string_tensor.js';
import type { Constant, ElementType } from './value.js';

/** A numeric tensor a sequence holds: on the device, or on the host. */
export type SequenceItem = Tensor | Constant;

export class Sequence {
  constructor(
    /** The element type every item holds: SequenceEmpty's dtype, or the first item's; undefined where neither says (an i32 tensor of unknown width). */
    readonly elementType: ElementType | 'string' | undefined,
    /** Numeric tensors, or (a seq(string)) tensors of strings. */
    readonly items: readonly (SequenceItem | StringTensor)[],
  ) {}

  get length(): number {
    return this.items.length;
  }
}
