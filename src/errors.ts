// The errors tmnn throws. Each names the operation and the offending values so
// that a message alone tells a user what went wrong; none is thrown after a
// partial write, so a failed call leaves every input as it was.

/** Base class: `err instanceof TmnnError` catches everything tmnn throws on purpose. */
export class TmnnError extends Error {
  override name = 'TmnnError';
}

/** Shapes that do not fit: broadcasting, matmul inner dimensions, reshape sizes, bad axes. */
export class ShapeError extends TmnnError {
  override name = 'ShapeError';
}

/** An unknown dtype, or a dtype an operation does not accept. */
export class DTypeError extends TmnnError {
  override name = 'DTypeError';
}

/** A value that is not acceptable: ragged nested arrays, out-of-range integers, bad options. */
export class ValueError extends TmnnError {
  override name = 'ValueError';
}

/**
 * A matrix whose values a factorization or solve cannot take: singular,
 * not positive definite (torch.linalg.LinAlgError, numpy.linalg.LinAlgError).
 * A ValueError too, so code that catches those catches it.
 */
export class LinAlgError extends ValueError {
  override name = 'LinAlgError';
}

/** A tensor used after `dispose()` (directly or by `tidy`). */
export class DisposedTensorError extends TmnnError {
  override name = 'DisposedTensorError';
}

/** A backend that was asked for but cannot run here, with the reason. */
export class BackendUnavailableError extends TmnnError {
  override name = 'BackendUnavailableError';
}

/** Tensors from different backends mixed in one operation, or no backend initialised. */
export class BackendMismatchError extends TmnnError {
  override name = 'BackendMismatchError';
}

/** The GPU refused work (out of memory, a kernel failing validation): results since then cannot be trusted. */
export class GpuError extends TmnnError {
  override name = 'GpuError';
}

/** The GPU device went away (driver reset, `device.destroy()`); call `tm.init()` again to re-acquire one or fall back. */
export class DeviceLostError extends TmnnError {
  override name = 'DeviceLostError';
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * A value as an error message shows it: a string quoted (so "2" reads apart
 * from 2), an array and a plain object written out (shortened: the value
 * may come from a hostile file, a million items or nested a million deep),
 * a function as such; anything else as String gives it (NaN, Infinity, a
 * tensor).
 */
export function formatValue(value: unknown, depth = 0): string {
  if (typeof value === 'string') return shortened(JSON.stringify(value));
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) {
    if (depth >= 3) return '[…]';
    const items = value.slice(0, 16).map((v) => formatValue(v, depth + 1));
    return shortened(`[${items.join(', ')}${value.length > 16 ? ', …' : ''}]`);
  }
  if (value !== null && typeof value === 'object' && value.toString === Object.prototype.toString) {
    try {
      return shortened(JSON.stringify(value));
    } catch {
      return 'an object'; // cyclic, or holding a BigInt
    }
  }
  return String(value);
}

function shortened(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
