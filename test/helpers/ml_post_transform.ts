// ai.onnx.ml's post_transform in float64, as onnxruntime's ml_common.h
// computes it (write_scores for two or more scores): the reference the ml
// op tests (test/onnx/ops/ml_*.test.ts) hold src/onnx/ops/ml_post_transform.ts to.

export type Transform = 'NONE' | 'LOGISTIC' | 'SOFTMAX' | 'SOFTMAX_ZERO' | 'PROBIT';

/** onnxruntime's ErfInv (and onnx's reference erf_inv): Winitzki's closed form, a = 0.147, with onnxruntime's 3.14159 for π. */
export function winitzkiErfinv(x: number): number {
  const t = Math.log((1 - x) * (1 + x));
  const v = 2 / (3.14159 * 0.147) + 0.5 * t;
  return (x < 0 ? -1 : 1) * Math.sqrt(-v + Math.sqrt(v * v - t / 0.147));
}

export const logistic = (v: number): number => 1 / (1 + Math.exp(-v));

/** √2·erfinv(2p − 1) through Winitzki's erfinv: up to ~2e-3 from the true normal quantile, as the runtimes define PROBIT. */
export const probit = (p: number): number => Math.SQRT2 * winitzkiErfinv(2 * p - 1);

/** One row of scores after `transform`. */
export function transformRow(row: readonly number[], transform: Transform): number[] {
  switch (transform) {
    case 'NONE':
      return [...row];
    case 'LOGISTIC':
      return row.map(logistic);
    case 'PROBIT':
      return row.map(probit);
    case 'SOFTMAX': {
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / sum);
    }
    case 'SOFTMAX_ZERO': {
      // Scores within 1e-7 of 0 count as absent: v·e^(−max), left out of the sum.
      const max = Math.max(...row);
      const counted = row.map((v) => Math.abs(v) > 1e-7);
      const e = row.map((v, k) => (counted[k] ? Math.exp(v - max) : v * Math.exp(-max)));
      const sum = e.reduce((a, b, k) => a + (counted[k] ? b : 0), 0);
      return e.map((v) => v / sum);
    }
  }
}
