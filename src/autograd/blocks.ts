// An input's gradient from the blocks that slices of it sent back (tape.ts's
// BlockGradient). The common case — a tensor cut along one axis into
// pieces, as split and a recurrent layer's steps do — is one concat of the
// pieces with zeros in any gap: O(size), where padding each piece to the
// input's size and adding was O(size × pieces). Blocks of the same region
// are summed first; anything else (blocks cut along several axes, or
// overlapping) is padded and added, as before.
import { add, concat, pad, zeros } from '../ops/index.js';
import { BlockGradient } from '../tape.js';
import type { Tensor } from '../tensor.js';

/** The gradient of a tensor of `shape` that is the sum of `blocks`, each 0 outside its block. Disposes the blocks' tensors. */
export function assembleBlocks(shape: readonly number[], blocks: readonly BlockGradient[]): Tensor {
  const merged = mergeSameRegion(blocks);
  const axis = cutAxis(shape, merged);
  const ordered = axis === null ? null : [...merged].sort((a, b) => a.start[axis] - b.start[axis]);
  if (axis === null || !ordered || !disjoint(ordered, axis)) return padded(shape, merged);
  const parts: Tensor[] = [];
  let at = 0;
  const gap = (size: number) => zeros(shape.map((d, i) => (i === axis ? size : d)), { dtype: ordered[0].dy.dtype });
  for (const b of ordered) {
    if (b.start[axis] > at) parts.push(gap(b.start[axis] - at));
    parts.push(b.dy);
    at = b.start[axis] + b.dy.shape[axis];
  }
  if (at < shape[axis]) parts.push(gap(shape[axis] - at));
  if (parts.length === 1) return parts[0];
  const whole = concat(parts, axis);
  for (const p of parts) p.dispose();
  return whole;
}

/** Blocks of the same region (two reads of one slice) as one, their gradients added. */
function mergeSameRegion(blocks: readonly BlockGradient[]): BlockGradient[] {
  const byRegion = new Map<string, BlockGradient>();
  for (const b of blocks) {
    const key = `${b.start.join(',')}|${b.dy.shape.join(',')}`;
    const same = byRegion.get(key);
    if (!same) {
      byRegion.set(key, b);
      continue;
    }
    const sum = add(same.dy, b.dy);
    same.dy.dispose();
    b.dy.dispose();
    byRegion.set(key, new BlockGradient(sum, b.start));
  }
  return [...byRegion.values()];
}

/** The one axis along which every block is cut (whole along every other), or null. */
function cutAxis(shape: readonly number[], blocks: readonly BlockGradient[]): number | null {
  let axis: number | null = null;
  for (const b of blocks) {
    for (let i = 0; i < shape.length; i++) {
      if (b.dy.shape[i] === shape[i]) continue;
      if (axis !== null && axis !== i) return null;
      axis = i;
    }
  }
  return axis;
}

function disjoint(ordered: readonly BlockGradient[], axis: number): boolean {
  return ordered.every((b, i) => i === 0 || b.start[axis] >= ordered[i - 1].start[axis] + ordered[i - 1].dy.shape[axis]);
}

/** Each block padded to the full shape, summed. */
function padded(shape: readonly number[], blocks: readonly BlockGradient[]): Tensor {
  let sum: Tensor | null = null;
  for (const b of blocks) {
    const full = pad(b.dy, shape.map((d, i) => [b.start[i], d - b.start[i] - b.dy.shape[i]] as [number, number]));
    b.dy.dispose();
    if (sum) {
      const next = add(sum, full);
      sum.dispose();
      full.dispose();
      sum = next;
    } else {
      sum = full;
    }
  }
  return sum!;
}
