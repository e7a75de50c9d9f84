// ONNX's optional type (opset 15): a value that holds a tensor or a sequence
// of tensors (of numbers or of strings), or holds nothing — what PyTorch's scripted Optional[Tensor]
// exports to (`if x is not None:` becomes OptionalHasElement → If). An empty
// optional is a value of its own, with the type of what it would hold, not
// an absent input: it flows along edges, through a Loop's carried values and
// out of If branches like any other.
import type { Tensor } from '../tensor.js';
import type { Sequence } from './sequence.js';
import type { StringTensor } from './string_tensor.js';
import type { Constant, ElementType } from './value.js';

/** What an optional holds, or would: tensors of an element type or of strings (undefined where nothing says), one or a sequence of them. */
export interface OptionalType {
  elementType: ElementType | 'string' | undefined;
  sequence: boolean;
}

export class Optional {
  constructor(
    readonly type: OptionalType,
    /** The value held; undefined for an empty optional. */
    readonly element: Tensor | Constant | StringTensor | Sequence | undefined,
  ) {}

  get hasElement(): boolean {
    return this.element !== undefined;
  }
}

/** ONNX's name for an optional's type: optional(float), optional(seq(int64)), optional(?) where the element type is unknown. */
export function optionalTypeName(type: OptionalType): string {
  const tensors = type.elementType ?? '?';
  return `optional(${type.sequence ? `seq(${tensors})` : tensors})`;
}
