// tm.autograd: gradients of recorded outputs (grad, backward's options) and
// of functions (jacobian, hessian, vjp, jvp, hvp), ops with a gradient of
// the user's choosing (customGrad), and checkpointing.
export { grad } from './backward.js';
export type { BackwardOptions, GradOptions } from './backward.js';
export { checkpoint } from './checkpoint.js';
export { customGrad } from './custom_grad.js';
export type { CustomGradResult } from './custom_grad.js';
export { hessian, hvp, jacobian, jvp, vjp } from './functional.js';
export type { FunctionalOptions } from './functional.js';
