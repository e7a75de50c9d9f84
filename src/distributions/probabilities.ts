// The {probs} | {logits} parameter of the discrete distributions, checked:
// exactly one of the two, as PyTorch's Bernoulli and Categorical take them.
import { ValueError, formatValue } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { parameters, type Parameter, type Parameters } from './distribution.js';

/** A discrete distribution's parameter: its probabilities, or their logits (log-odds, or unnormalised log-probabilities). */
export type ProbsOrLogits = { probs: Parameter; logits?: undefined } | { logits: Parameter; probs?: undefined };

/** Which of probs and logits `given` holds, and it checked as a parameter. */
export function probsOrLogits(name: string, given: unknown): Parameters & { kind: 'probs' | 'logits'; tensor: Tensor } {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new ValueError(`${name}: expects { probs } or { logits }, got ${formatValue(given)}`);
  }
  const unknown = Object.keys(given).filter((k) => k !== 'probs' && k !== 'logits');
  if (unknown.length > 0) throw new ValueError(`${name}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}; expects { probs } or { logits }`);
  const { probs, logits } = given as { probs?: unknown; logits?: unknown };
  if ((probs === undefined) === (logits === undefined)) {
    throw new ValueError(`${name}: give either probs or logits, not ${probs === undefined ? 'neither' : 'both'}`);
  }
  const kind = probs === undefined ? 'logits' : 'probs';
  const checked = parameters(name, { [kind]: probs ?? logits });
  return { ...checked, kind, tensor: checked.tensors[0] };
}
