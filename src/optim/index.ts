export { Optimizer } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions } from './adam.js';
export { StepLR, CosineAnnealingLR } from './schedules.js';
export type { Scheduler } from './schedules.js';
