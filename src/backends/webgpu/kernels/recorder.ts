// How an optimizer's step (kernels/adam.ts, kernels/sgd.ts) is recorded: as
// pending elementwise ops over args at the parameter's shape, with numbers
// kept on the CPU, which fusion turns into one kernel (index.ts's recordStep).
import type { ArithmeticOp, TensorInfo } from '../../kernels.js';
import type { ElementwiseOp, GpuData } from '../data.js';

export type Info = TensorInfo<GpuData>;

export interface Recorder {
  op(op: ElementwiseOp, args: readonly Info[]): Info;
  scalar(x: number): Info;
}

/** A binary arithmetic op as a function of two recorded values, or a value and a number. */
export function arithmetic(r: Recorder, op: ArithmeticOp): (a: Info, b: Info | number) => Info {
  return (a, b) => r.op({ kind: 'binary', op }, [a, typeof b === 'number' ? r.scalar(b) : b]);
}
