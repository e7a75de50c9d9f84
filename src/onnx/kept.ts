// Tensors a model derives from its constants once and keeps across runs: an
// int8 weight laid out for the int8 product, a quantized weight made float,
// the tables a node's attributes make (an SVM's support vectors).
// Each is made on the backend active when first asked for (a model run after
// tm.init chose another backend makes its own there) and lives until the
// model is disposed, as its parameters do.
import { backend, keep } from '../engine.js';
import type { Tensor } from '../tensor.js';
import type { OnnxNodeProto } from './proto.js';
import type { Constant } from './value.js';

/** What a kept tensor derives from: a constant, or a node (from its attributes). */
export type KeptOwner = Constant | OnnxNodeProto;

interface Entry {
  /** A second value the tensor depends on (a zero point), by identity. */
  with: unknown;
  key: string;
  backend: string;
  tensor: Tensor;
}

export class KeptTensors {
  #entries = new Map<KeptOwner, Entry[]>();

  /** The tensor `make` derives from `owner` (and `withValue`), made once per backend. */
  get(owner: KeptOwner, withValue: unknown, key: string, make: () => Tensor): Tensor {
    const list = this.#entries.get(owner) ?? [];
    const on = backend();
    const found = list.find((e) => e.with === withValue && e.key === key && e.backend === on && !e.tensor.isDisposed);
    if (found) return found.tensor;
    const tensor = keep(make());
    list.push({ with: withValue, key, backend: on, tensor });
    this.#entries.set(owner, list);
    return tensor;
  }

  /** Whether t is one of the kept tensors (an asynchronous run must not free it). */
  holds(t: Tensor): boolean {
    for (const list of this.#entries.values()) if (list.some((e) => e.tensor === t)) return true;
    return false;
  }

  dispose(): void {
    for (const list of this.#entries.values()) for (const e of list) e.tensor.dispose();
    this.#entries.clear();
  }
}
