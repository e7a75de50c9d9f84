// NumPy's .npz archives: np.savez's (stored) and np.savez_compressed's
// (deflated) read into named tensors; what tmnn writes reads back and is the
// same bytes for the same tensors; corrupt archives and members are refused
// with the member named, before any tensor is made.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { collected } from '../helpers/gc.js';

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, 'npy', name)));

/** make_fixtures.py's values: (7i mod 23) − 11 over the C-order index, times `scale`. */
const values = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => (((i * 7) % 23) - 11) * scale);

describe.each(BACKENDS)('.npz on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each(['arrays.npz', 'arrays_compressed.npz'])('reads %s, which NumPy wrote, into named tensors', async (name) => {
    const before = await collected();
    const got = tm.fromNpz(fixture(name));
    const want: Record<string, [tm.DType, number[], number[]]> = name === 'arrays.npz'
      ? { weights: ['f32', [3, 4], values(12, 0.25)], labels: ['i32', [5], values(5)] }
      : { weights: ['f32', [3, 4], values(12, 0.25)], half: ['f16', [2, 2], values(4, 0.5)] };
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [key, [dtype, shape, v]] of Object.entries(want)) {
      expect(got[key].dtype, key).toBe(dtype);
      expect(got[key].shape, key).toEqual(shape);
      expect(Array.from(await got[key].data()), key).toEqual(v);
      got[key].dispose();
    }
    expect(await collected()).toBe(before);
  });

  it('writes archives that read back, stored or compressed, the same bytes for the same tensors, and files atomically', async () => {
    const tensors = { w: tm.randn([7, 13], { seed: 1 }), h: tm.randn([3, 5], { seed: 2, dtype: 'f16' }), ids: tm.randint(0, 9, [11], { seed: 3 }), q: tm.randint(-9, 9, [2, 2], { seed: 4, dtype: 'i8' }) };
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-npz-'));
    for (const compress of [false, true]) {
      const bytes = await tm.toNpz(tensors, { compress });
      expect(Buffer.from(await tm.toNpz(tensors, { compress })).equals(Buffer.from(bytes))).toBe(true);
      const path = join(dir, `${compress}.npz`);
      await tm.saveNpz(path, tensors, { compress });
      for (const back of [tm.fromNpz(bytes), await tm.loadNpz(path)]) {
        for (const [key, t] of Object.entries(tensors)) {
          expect(back[key].dtype).toBe(t.dtype);
          expect(back[key].shape).toEqual(t.shape);
          expect(Array.from(await back[key].data()), key).toEqual(Array.from(await t.data()));
          back[key].dispose();
        }
      }
    }
    // Deflating pays for random floats only a little, but it must not cost.
    expect((await tm.toNpz(tensors, { compress: true })).length).toBeLessThan((await tm.toNpz(tensors)).length);
    expect(readdirSync(dir).sort()).toEqual(['false.npz', 'true.npz']);
    for (const t of Object.values(tensors)) t.dispose();
  });

  it('refuses corrupt archives and members, naming them, and makes no tensor', () => {
    const before = tm.memory().numTensors;
    expect(() => tm.fromNpz(new TextEncoder().encode('not a zip'))).toThrow(/npz: not a readable ZIP archive/);
    const good = fixture('arrays.npz');
    expect(() => tm.fromNpz(good.subarray(0, good.length - 30))).toThrow(/npz: not a readable ZIP archive/);
    const npy = fixture('f4_2x3x5.npy');
    expect(() => tm.fromNpz(zipSync({ 'a.npy': npy, 'notes.txt': new Uint8Array([1]) }))).toThrow('npz: member "notes.txt" is not an .npy array');
    expect(() => tm.fromNpz(zipSync({ 'a.npy': npy, 'b.npy': npy.subarray(0, 100) }))).toThrow(/npz: b.npy: the header says it is 118 bytes/);
    expect(() => tm.fromNpz(zipSync({ 'big.npy': fixture('i8_too_big.npy') }))).toThrow("npz: big.npy: <i8 value 1099511627776 at element 1 does not fit tmnn's i32");
    expect(tm.memory().numTensors).toBe(before);
  });

  it('refuses names that are not names, and options it does not know', async () => {
    const t = tm.zeros([2]);
    await expect(tm.toNpz({ 'a/b': t })).rejects.toThrow('encodeNpz: "a/b" is not a name for an array (non-empty, no slashes)');
    await expect(tm.toNpz({ a: t }, { compres: true } as never)).rejects.toThrow(/toNpz: .*compres/);
    t.dispose();
  });
});
