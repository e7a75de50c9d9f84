// ONNX's optional ops (opset 15; src/onnx/optional.ts): Optional wraps a
// tensor or a sequence (of numbers or of strings), or makes an empty
// optional of the type its `type` attribute names; OptionalHasElement says whether one holds a value;
// OptionalGetElement takes the value out. Opset 18 lets the last two take a
// plain tensor or sequence too (holding a value, given back as it is), and
// OptionalHasElement no input at all (false). Whether an optional is empty
// is known on the host, so `if x is not None:` (OptionalHasElement → If)
// picks its branch in the synchronous run. The value inside is the same
// tensor, not a copy: gradients flow through as through Identity.
import type { NodeCall } from '../node_call.js';
import { typeName } from '../edges.js';
import { Optional, optionalTypeName, type OptionalType } from '../optional.js';
import { DATA_TYPES } from '../proto.js';
import { Sequence, type SequenceItem } from '../sequence.js';
import { MapSequence, OnnxMap } from '../map_sequence.js';
import { StringTensor } from '../string_tensor.js';
import { Constant, describeValue, isRunnable, STRING_TYPE, type Value } from '../value.js';
import type { OpTable } from './op.js';
import { family, itemFamily } from './sequence.js';

/** Refuses a model that imports an opset from before the optional type (15). */
function since15(call: NodeCall): void {
  if (call.opset < 15) throw call.error(`is an opset 15 op (ONNX's optional type); the model imports opset ${call.opset}`);
}

/** Input 0 where opsets 15 to 17 take only an optional: a tensor or sequence there is refused, as ONNX's type rules do. */
function optionalOrValue(call: NodeCall): Value {
  const v = call.anyValue(0);
  if (!(v instanceof Optional) && call.opset < 18) {
    throw call.error(`input 0 (${call.node.inputs[0]}) is ${describeValue(v)}; before opset 18 (the model imports ${call.opset}) ${call.node.opType} takes an optional (opset 18 takes a tensor or sequence too)`);
  }
  return v;
}

/** Optional's `type` attribute: the tensor or seq(tensor) type of the value it holds, or would. */
function typeAttribute(call: NodeCall): OptionalType | undefined {
  const t = call.typeAttribute('type');
  if (!t) return undefined;
  const name = t.unsupported ?? (t.optional || t.map || t.mapKey !== undefined ? typeName(t) : undefined);
  if (name) throw call.error(`type = ${name} is not supported: an optional holds a tensor or a sequence of tensors`);
  const type = t.elemType === STRING_TYPE ? 'string' : DATA_TYPES[t.elemType];
  if (!type || !(type === 'string' || isRunnable(type))) throw call.error(`type = ${typeName(t)}: element type ${t.elemType} is not one tmnn runs`);
  return { elementType: type, sequence: t.sequence === true };
}

/** What a tensor or sequence's tensors run as (f32, f16, integer, string), where known. */
function valueFamily(v: SequenceItem | StringTensor | Sequence): string | undefined {
  if (!(v instanceof Sequence)) return itemFamily(v);
  return v.items.length ? itemFamily(v.items[0]) : v.elementType && family(v.elementType);
}

export const OPTIONAL_OPS: OpTable = {
  Optional: {
    strings: 'reads',
    run: (call) => {
      since15(call);
      const declared = typeAttribute(call);
      if (!call.has(0)) {
        if (!declared) throw call.error('has no input and no type attribute: an empty optional needs its type');
        return new Optional(declared, undefined);
      }
      const v = call.anyValue(0);
      if (v instanceof Optional || v instanceof MapSequence || v instanceof OnnxMap) {
        throw call.error(`input 0 (${call.node.inputs[0]}) is ${describeValue(v)}; Optional wraps a tensor or a sequence of them, not ${v instanceof Optional ? 'an optional' : 'maps'}`);
      }
      const sequence = v instanceof Sequence;
      const elementType = v instanceof Sequence ? v.elementType : v instanceof StringTensor ? 'string' : v instanceof Constant ? v.type : call.elementType(0);
      const found = valueFamily(v);
      if (declared && (declared.sequence !== sequence || (found && declared.elementType && found !== family(declared.elementType)))) {
        throw call.error(`its type attribute says ${optionalTypeName(declared)}, but input 0 (${call.node.inputs[0]}) is ${describeValue(v)}${found ? ` of ${found}` : ''}`);
      }
      return new Optional({ elementType: declared?.elementType ?? elementType, sequence }, v);
    },
  },

  OptionalHasElement: {
    strings: 'reads',
    run: (call) => {
      since15(call);
      if (!call.has(0) && call.opset < 18) throw call.error(`input 0 is required before opset 18 (the model imports ${call.opset})`);
      const v = call.has(0) ? optionalOrValue(call) : undefined;
      const has = v instanceof Optional ? v.hasElement : v !== undefined;
      return new Constant('bool', [], Float64Array.of(has ? 1 : 0));
    },
  },

  OptionalGetElement: {
    strings: 'reads',
    run: (call) => {
      since15(call);
      const v = optionalOrValue(call);
      if (!(v instanceof Optional)) return v;
      if (v.element === undefined) throw call.error(`input 0 (${call.node.inputs[0]}) is ${describeValue(v)}: there is no element to get (test it with OptionalHasElement first)`);
      return v.element;
    },
  },
};
