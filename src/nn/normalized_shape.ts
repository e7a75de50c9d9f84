// What the normalisations over x's last axes (layerNorm, rmsNorm) check
// alike: the shape they normalise over and their epsilon.
import { ValueError, formatValue } from '../errors.js';

/** normalizedShape as a list of positive sizes, a single size allowed as a number (PyTorch's int or list). */
export function checkNormalizedShape(where: string, normalizedShape: number | readonly number[]): number[] {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new ValueError(`${where}: normalizedShape must be a positive integer or a non-empty list of them, got ${formatValue(normalizedShape)}`);
  }
  return [...shape];
}

/** An epsilon, where given, is a finite number > 0. */
export function checkEpsilon(where: string, epsilon: unknown): void {
  if (epsilon !== undefined && (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon))) {
    throw new ValueError(`${where}: epsilon must be a finite number > 0, got ${formatValue(epsilon)}`);
  }
}
