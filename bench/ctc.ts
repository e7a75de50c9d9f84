// tm.losses.ctc forward + backward on each backend: the backend's ctc
// kernel (α, β and the gradient in one pass) beside the same recursion as
// ops (ops/ctc.ts's fallback, a dozen ops per frame), op + await of the
// gradient. TensorFlow.js has no CTC loss to compare with.
import * as tm from '../src/index.js';
import { ctcLossesByOps } from '../src/ops/ctc.js';
import { bestOf, printTable } from './harness.js';

const PROBLEMS = [
  { frames: 100, batch: 16, classes: 30, labels: 20 },
  { frames: 400, batch: 8, classes: 60, labels: 60 },
];

async function timeOn(backend: 'native' | 'webgpu' | 'js', p: (typeof PROBLEMS)[number]): Promise<{ kernel: number; ops: number }> {
  await tm.init({ backend });
  const logits = tm.randn([p.frames, p.batch, p.classes], { seed: 1 });
  logits.requiresGrad = true;
  const targets = tm.randint(1, p.classes, [p.batch, p.labels], { seed: 2 });
  const [inputs, lengths] = [new Int32Array(p.batch).fill(p.frames), new Int32Array(p.batch).fill(p.labels)];
  const run = (byOps: boolean) => async () => {
    const loss = tm.tidy(() => {
      const lp = logits.logSoftmax(-1);
      return byOps ? ctcLossesByOps(lp, targets, inputs, lengths, 0).sum() : tm.losses.ctc(lp, targets, inputs, lengths, { reduction: 'sum' });
    });
    loss.backward();
    await logits.grad!.data();
    logits.grad!.dispose();
    logits.grad = null;
    loss.dispose();
  };
  const kernel = await bestOf(run(false), 300, 3);
  // The ops are slow on a long sequence: one run shows their rate.
  const ops = await bestOf(run(true), 0, p.frames > 200 ? 1 : 2);
  logits.dispose();
  targets.dispose();
  return { kernel, ops };
}

export async function ctcSection(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const p of PROBLEMS) {
    for (const backend of ['native', 'webgpu', 'js'] as const) {
      const t = await timeOn(backend, p).catch(() => ({ kernel: NaN, ops: NaN }));
      rows.push([`T=${p.frames} N=${p.batch} C=${p.classes} S=${p.labels}, ${backend}`, t.kernel, t.ops, t.ops / t.kernel]);
    }
  }
  await tm.init({ backend: 'native' });
  printTable(
    'tm.losses.ctc, forward + backward, ms (logSoftmax included), op + await of the gradient',
    ['problem, backend', 'ctc kernel', 'as ops', 'ops/kernel'],
    rows,
    'kernel: fallback/src/ctc.cc (double, samples among threads), shaders/ctc.wgsl (a workgroup per sample; here a software adapter), src/backends/js/ctc.ts (float64); ' +
      'ops: the recursion frame by frame as ops, which autograd differentiates. TensorFlow.js has no CTC loss to compare with.',
  );
}
