// The error function in double precision, which JavaScript's Math lacks:
// erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. Two forms, each where it converges fast and
// adds no cancelling terms:
//   |x| < 2.5: erf(x) = 2x/√π · e^(−x²) · Σₙ (2x²)ⁿ / (1·3·…·(2n+1)), every term positive
//   |x| ≥ 2.5: erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))), a
//              continued fraction evaluated from its tail; erf = 1 − erfc
// Both are within a few units of the last place of a double: results
// rounded to f32 or f16 are the correctly rounded ones but for the rarest ties.

const TWO_OVER_ROOT_PI = 2 / Math.sqrt(Math.PI);

/** erf of a double, odd (erf(−x) = −erf(x)), ±1 at ±∞, NaN at NaN. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x); // 1 − erf(6) ≈ 2e−17: below a double's half ulp at 1
  return a < 2.5 ? erfSeries(x) : Math.sign(x) * (1 - erfcFraction(a));
}

/**
 * erfc(x) = 1 − erf(x), relative to its own size where it is small (1 − erf
 * would keep no digit past x ≈ 6): 1 − erf below 2.5, where erf ≤ 0.9996 and
 * the subtraction costs under 4 digits of a double's 16; the continued
 * fraction above, down to where it underflows a double (x ≈ 27).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 2.5) return 1 - erf(x);
  return x > 27.3 ? 0 : erfcFraction(x);
}

/** The series, to the term that no longer changes the sum. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    const next = sum + term;
    if (next === sum) break;
    sum = next;
  }
  return TWO_OVER_ROOT_PI * x * Math.exp(-x2) * sum;
}

/** erfc for x ≥ 2.5 by the continued fraction, 60 levels deep (converged to a double there). */
function erfcFraction(x: number): number {
  let tail = x;
  for (let n = 60; n >= 1; n--) tail = x + n / 2 / tail;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * tail);
}
