// Which layers take int ids rather than floats as their input (Embedding,
// EmbeddingBag), for summary's trial batch, without importing the layers
// themselves: Sequential loads summary.ts with every model, and a page whose
// model has no embedding should not download one.
import type { Module } from './module.js';

/** Set on the prototype of a layer class whose input is ids (so a copy of the layer, made field by field, is one too). */
export const TAKES_IDS: unique symbol = Symbol('tmnn.takesIds');

export function takesIds(layer: Module): boolean {
  return (layer as Partial<Record<typeof TAKES_IDS, boolean>>)[TAKES_IDS] === true;
}
