// tm.frexp and tm.nextafter against the IEEE bits read in JavaScript
// (DataView), on fresh random floats of every magnitude, subnormals, zeros
// of both signs, the largest floats, ±∞ and NaN, in f32 and f16.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { uniform } from '../helpers/data.js';

const view = new DataView(new ArrayBuffer(4));
const bitsOf = (x: number) => (view.setFloat32(0, x), view.getInt32(0));
const fromBits = (b: number) => (view.setInt32(0, b), view.getFloat32(0));

/** C's frexp of an f32 in doubles: the exponent from the bits, subnormals by their leading bit. */
function frexpRef(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = ((bitsOf(x) >>> 23) & 0xff) - 126;
  if (e === -126) e = Math.floor(Math.log2(Math.abs(x))) + 1;
  return [x / 2 ** e, e];
}

/** The f32 after x towards y, by its bits. */
function nextafterRef(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === y) return y;
  if (x === 0) return y > 0 ? fromBits(1) : -fromBits(1);
  return fromBits(bitsOf(x) + ((y > x) === (x > 0) ? 1 : -1));
}

/** Random f32 across the exponents, both signs, with the edges and subnormals (js and native keep them; webgpu may flush). */
function floats(subnormals: boolean): Float32Array {
  const magnitudes = uniform(300, -37, 38).map((e) => 10 ** e);
  const signs = uniform(300, -1, 1);
  const edges = [0, -0, 1, -1, 0.5, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38, Infinity, -Infinity, NaN];
  return new Float32Array([...Array.from(magnitudes, (m, i) => (signs[i] < 0 ? -m : m)), ...edges, ...(subnormals ? [1e-40, -3e-45, 1.401298464324817e-45] : [])]);
}

describe.each(BACKENDS)('tm.frexp and tm.nextafter on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('frexp: ½ ≤ |mantissa| < 1 with mantissa·2^exponent = x exactly; 0, ±∞, NaN as themselves with exponent 0', async () => {
    const x = floats(backend !== 'webgpu');
    const { mantissa, exponent } = tm.frexp(tm.tensor(x, [x.length]));
    expect([mantissa.dtype, exponent.dtype]).toEqual(['f32', 'i32']);
    const [m, e] = [await mantissa.data(), await exponent.data()];
    x.forEach((v, i) => {
      const [wm, we] = frexpRef(v);
      if (!(Object.is(m[i], wm) || (Number.isNaN(m[i]) && Number.isNaN(wm))) || e[i] !== we) expect.fail(`frexp(${v}): got (${m[i]}, ${e[i]}), want (${wm}, ${we})`);
    });
  });

  it('frexp of f16 gives an f16 mantissa, exactly', async () => {
    const x = tm.tensor([6, -0.375, 65504, 6e-8, 0]).cast('f16');
    const { mantissa, exponent } = tm.frexp(x);
    expect(mantissa.dtype).toBe('f16');
    const xs = Array.from(await x.data());
    expect(Array.from(await mantissa.data())).toEqual(xs.map((v) => frexpRef(v)[0]));
    expect(Array.from(await exponent.data())).toEqual(xs.map((v) => frexpRef(v)[1]));
  });

  it('nextafter: one step of the f32 pattern towards y, y where x = y, ±the smallest subnormal from ±0, NaN from NaN; broadcasting', async () => {
    const x = floats(backend !== 'webgpu');
    const y = new Float32Array(x.length).map((_, i) => [Infinity, -Infinity, 0, x[(i + 7) % x.length], x[i]][i % 5]);
    const got = await tm.nextafter(tm.tensor(x, [x.length]), tm.tensor(y, [y.length])).data();
    x.forEach((v, i) => {
      const want = nextafterRef(v, y[i]);
      if (!(Object.is(got[i], want) || (Number.isNaN(got[i]) && Number.isNaN(want)) || (want === 0 && got[i] === 0))) expect.fail(`nextafter(${v}, ${y[i]}): got ${got[i]}, want ${want}`);
    });
    const row = tm.nextafter(tm.tensor([1, 2], [2, 1]), tm.tensor([0, 5, 1], [1, 3]));
    expect(row.shape).toEqual([2, 3]);
    expect(Array.from(await row.data())).toEqual([nextafterRef(1, 0), nextafterRef(1, 5), 1, nextafterRef(2, 0), nextafterRef(2, 5), nextafterRef(2, 1)]);
  });

  it('nextafter in f16 steps f16\'s pattern: 1 + 2⁻¹⁰, and 2⁻²⁴ from 0', async () => {
    const got = await tm.nextafter(tm.tensor([1, 0, -1, 65504]).cast('f16'), tm.tensor([2, -1, -2, 0]).cast('f16')).data();
    expect(Array.from(got)).toEqual([1 + 2 ** -10, -(2 ** -24), -(1 + 2 ** -10), 65472]);
  });

  it('refuses ints, naming the operand', () => {
    expect(() => tm.frexp(tm.tensor([1], [1], { dtype: 'i32' }))).toThrow('frexp: x must be a float tensor (f32 or f16), got i32');
    expect(() => tm.nextafter(tm.tensor([1]), tm.tensor([1], [1], { dtype: 'i32' }))).toThrow('nextafter: y must be a float tensor (f32 or f16), got i32');
  });
});
