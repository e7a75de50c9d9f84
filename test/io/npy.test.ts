// NumPy's .npy files: files NumPy wrote (test/io/npy/, made by its
// make_fixtures.py) read into the right dtype, shape and values, every dtype
// NumPy has that tmnn reads, big-endian, Fortran order and version 2.0
// included; what tmnn writes is byte for byte what np.save writes for the
// same array, and reads back; files on disk are written atomically; corrupt
// and unsupported files are refused with what is wrong named.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { decodeNpy } from '../../src/io/npy.js';
import { BACKENDS } from '../helpers/backends.js';

const FIXTURES = join(import.meta.dirname, 'npy');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

/** make_fixtures.py's values: (7i mod 23) − 11 over the C-order index, times `scale`. */
function values(n: number, scale = 1): number[] {
  return Array.from({ length: n }, (_, i) => (((i * 7) % 23) - 11) * scale);
}

describe.each(BACKENDS)('.npy on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it.each([
    ['f4_2x3x5.npy', 'f32', [2, 3, 5], values(30, 0.25)],
    ['f2_7.npy', 'f16', [7], values(7, 0.5)],
    ['i4_3x4.npy', 'i32', [3, 4], values(12)],
    ['i1_4x3.npy', 'i8', [4, 3], values(12)],
    ['f8_3x2.npy', 'f32', [3, 2], values(6, 0.1).map(Math.fround)],
    ['i8_5.npy', 'i32', [5], values(5)],
    ['u1_6.npy', 'i32', [6], [0, 50, 100, 150, 200, 250]],
    ['i2_2x2.npy', 'i32', [2, 2], values(4, 1000)],
    ['b1_2x3.npy', 'i8', [2, 3], values(6).map((v) => (v > 0 ? 1 : 0))],
    ['f4_big_endian_3x4.npy', 'f32', [3, 4], values(12, 0.25)],
    ['f4_fortran_3x4x2.npy', 'f32', [3, 4, 2], values(24, 0.25)],
    ['f4_scalar.npy', 'f32', [], [2.5]],
    ['f4_empty_0x3.npy', 'f32', [0, 3], []],
    ['f4_v2_2x3.npy', 'f32', [2, 3], values(6, 0.25)],
  ] as const)('reads %s NumPy wrote as %s %j', async (name, dtype, shape, want) => {
    const t = tm.fromNpy(fixture(name));
    expect(t.dtype).toBe(dtype);
    expect(t.shape).toEqual(shape);
    expect(Array.from(await t.data())).toEqual(want);
    t.dispose();
  });

  it("writes what np.save writes, byte for byte, in tmnn's four dtypes", async () => {
    for (const name of ['f4_2x3x5.npy', 'f2_7.npy', 'i4_3x4.npy', 'i1_4x3.npy', 'f4_scalar.npy', 'f4_empty_0x3.npy']) {
      const t = tm.fromNpy(fixture(name));
      expect(Buffer.from(await tm.toNpy(t)).equals(Buffer.from(fixture(name))), name).toBe(true);
      t.dispose();
    }
  });

  it('round-trips random tensors of every dtype and odd shapes through bytes and through files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-npy-'));
    for (const [dtype, shape] of [['f32', [7, 13]], ['f16', [3, 1, 5]], ['i32', [129]], ['i8', [2, 2, 2, 3]], ['f32', [1]]] as const) {
      const x = dtype === 'i32' || dtype === 'i8' ? tm.randint(-100, 100, shape, { dtype }) : tm.randn(shape, { dtype });
      const back = tm.fromNpy(await tm.toNpy(x));
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual(shape);
      expect(Array.from(await back.data())).toEqual(Array.from(await x.data()));
      const path = join(dir, `${dtype}.npy`);
      await tm.saveNpy(path, x);
      const loaded = await tm.loadNpy(path);
      expect(Array.from(await loaded.data())).toEqual(Array.from(await x.data()));
      for (const t of [x, back, loaded]) t.dispose();
    }
    // Atomic: nothing but the files themselves is left in the folder.
    expect(readdirSync(dir).sort()).toEqual(['f16.npy', 'f32.npy', 'i32.npy', 'i8.npy']);
  });

  it('refuses files it cannot hold or that are corrupt, saying what is wrong', () => {
    const refuse = (bytes: Uint8Array, message: string | RegExp) => expect(() => tm.fromNpy(bytes)).toThrow(message);
    refuse(fixture('i8_too_big.npy'), 'npy: <i8 value 1099511627776 at element 1 does not fit tmnn\'s i32');
    refuse(fixture('c8_2.npy'), 'npy: dtype "<c8" is not one tmnn reads');
    refuse(fixture('structured.npy'), 'is a structured dtype, which tmnn does not read');
    refuse(new TextEncoder().encode('hello, world'), 'npy: not a .npy file');
    const good = fixture('f4_2x3x5.npy');
    refuse(good.subarray(0, good.length - 4), 'npy: shape [2,3,5] of <f4 needs 120 bytes of data, but the file has 116');
    refuse(good.subarray(0, 60), /npy: the header says it is 118 bytes, but the file ends/);
    const version = good.slice();
    version[6] = 9;
    refuse(version, 'npy: format version 9.0 is not one this reader knows');
    const header = (text: string) => {
      const bytes = good.slice();
      const padded = text.padEnd(117, ' ') + '\n';
      for (let i = 0; i < 118; i++) bytes[10 + i] = padded.charCodeAt(i);
      return bytes;
    };
    refuse(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3, 5), }"), 'npy: shape [2,-3,5] is not a tuple of sizes');
    refuse(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 5), 'extra': 1}"), 'npy: the header has keys descr,extra,fortran_order,shape');
    refuse(header("{'descr': '<f4', 'fortran_order': 'no', 'shape': (2, 3, 5), }"), 'npy: fortran_order is "no", not True or False');
    refuse(header("{'descr': '<f4' 'fortran_order': False}"), /npy: the header .* is not a dict of descr, fortran_order and shape/);
    expect(decodeNpy(header("{'fortran_order': False, 'shape': (30,), 'descr': '<f4'}")).shape).toEqual([30]);
  });

  it('reads a version 2.0 header of hundreds of kilobytes (it was spread into String.fromCharCode, past the stack)', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }".padEnd(199_989, ' ') + '\n';
    const bytes = new Uint8Array(12 + header.length + 8);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, header.length, true);
    for (let i = 0; i < header.length; i++) bytes[12 + i] = header.charCodeAt(i);
    new DataView(bytes.buffer).setFloat32(12 + header.length, 1.5, true);
    const { shape, data } = decodeNpy(bytes);
    expect(shape).toEqual([2]);
    expect(Array.from(data)).toEqual([1.5, 0]);
  });

  it('names the file it cannot find', async () => {
    await expect(tm.loadNpy(join(tmpdir(), 'no-such-file.npy'))).rejects.toThrow(/load: no file at .*no-such-file.npy/);
    writeFileSync(join(tmpdir(), 'tmnn-not-npy.npy'), 'text');
    await expect(tm.loadNpy(join(tmpdir(), 'tmnn-not-npy.npy'))).rejects.toThrow('npy: not a .npy file');
  });
});
