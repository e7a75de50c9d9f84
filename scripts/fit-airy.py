#!/usr/bin/python3
# The Chebyshev series of src/special/airy.ts: Ai on [−8, −4], [−4, 0] and
# [0, 2], and G = 2√π·x^¼·e^ζ·Ai(x) (ζ = ⅔x^{3/2}) on [2, 8], each
# interpolated at the Chebyshev points of the lowest degree whose error on
# a fine grid is below 2e-9 of the piece's largest value, from mpmath's
# airyai at 40 digits. Prints them as the TypeScript takes them (c₀
# doubled, as src/special/float.ts's chebyshev sums Σ′). Needs Debian's
# python3-mpmath:   /usr/bin/python3 scripts/fit-airy.py
import mpmath as mp

mp.mp.dps = 40


def fit(f, lo, hi, degree):
    """cⱼ with f(x) ≈ c₀ + Σⱼ cⱼ·Tⱼ(t), t = (2x − lo − hi)/(hi − lo), from the degree + 1 Chebyshev points."""
    count = degree + 1
    angles = [mp.pi * (k + mp.mpf(1) / 2) / count for k in range(count)]
    values = [f((hi - lo) / 2 * mp.cos(a) + (hi + lo) / 2) for a in angles]
    c = [2 * sum(v * mp.cos(j * a) for v, a in zip(values, angles)) / count for j in range(count)]
    c[0] /= 2
    return c


def evaluate(c, t):
    b1 = b2 = mp.mpf(0)
    for cj in reversed(c[1:]):
        b1, b2 = 2 * t * b1 - b2 + cj, b1
    return t * b1 - b2 + c[0]


def g(x):
    return mp.airyai(x) * 2 * mp.sqrt(mp.pi) * x ** mp.mpf(0.25) * mp.exp(mp.mpf(2) / 3 * x ** mp.mpf(1.5))


PIECES = [('NEG_8_4', mp.airyai, -8, -4), ('NEG_4_0', mp.airyai, -4, 0), ('POS_0_2', mp.airyai, 0, 2), ('POS_2_8', g, 2, 8)]

for name, f, lo, hi in PIECES:
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    grid = [lo + (hi - lo) * mp.mpf(i) / 200 for i in range(201)]
    scale = max(abs(f(x)) for x in grid)
    for degree in range(6, 40):
        c = fit(f, lo, hi, degree)
        error = max(abs(evaluate(c, (2 * x - lo - hi) / (hi - lo)) - f(x)) for x in grid)
        if error < 2e-9 * scale:
            break
    c[0] *= 2
    print(f'// {name}: degree {degree}, error {mp.nstr(error, 3)} of scale {mp.nstr(scale, 3)}')
    print(f'const {name} = [' + ', '.join(mp.nstr(v, 9) for v in c) + '];')
