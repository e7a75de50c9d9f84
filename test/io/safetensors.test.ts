// The safetensors format as tmnn reads and writes it: what a file looks like
// byte for byte, what survives a round trip, and how every kind of broken or
// hostile file is refused with a CorruptFileError that names the problem.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, TmnnError, ValueError } from '../../src/errors.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { decodeSafetensors, encodeSafetensors, findDuplicateKey, swapByteOrder, type SafetensorsEntry } from '../../src/io/safetensors.js';

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The bytes of two arrays are identical (toEqual on big typed arrays is slow; this names the first difference). */
function expectSameBytes(a: ArrayBufferView, b: ArrayBufferView) {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  expect(x.length).toBe(y.length);
  const at = x.findIndex((v, i) => v !== y[i]);
  expect(at === -1 ? 'identical' : `first difference at byte ${at}: ${x[at]} vs ${y[at]}`).toBe('identical');
}

/** A file from a header given as raw text (anything, valid or not) and a data section. */
function file(header: string, data: ArrayLike<number> = [], headerLength?: number | bigint): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** A file from a header given as an object: most corruption cases edit one field of a valid header. */
const fileOf = (header: unknown, data: ArrayLike<number> = []) => file(JSON.stringify(header), data);

const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
const f32 = (...v: number[]): SafetensorsEntry => ({ dtype: 'f32', shape: [v.length], data: Float32Array.from(v) });

/** The message of the CorruptFileError that decoding `bytes` throws (fails the test for any other outcome). */
function corruption(bytes: Uint8Array, options?: { maxHeaderBytes?: number }): string {
  try {
    decodeSafetensors(bytes, options);
  } catch (err) {
    expect(err).toBeInstanceOf(CorruptFileError);
    expect(err).toBeInstanceOf(TmnnError);
    expect((err as Error).name).toBe('CorruptFileError');
    expect((err as Error).message.length).toBeLessThan(600); // hostile names and shapes are cut short
    return (err as Error).message;
  }
  throw new Error('expected a CorruptFileError, but the file decoded');
}

describe('the bytes of a file', () => {
  it('match a file assembled by hand (this pins the format for interop)', () => {
    const bytes = encodeSafetensors(
      { b: { dtype: 'i8', shape: [3], data: Int8Array.of(1, -1, 127) }, a: f32(1, -2) },
      { format: 'pt' },
    );
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"I8","shape":[3],"data_offsets":[8,11]}}'; // 138 bytes
    const expected = [
      ...[144, 0, 0, 0, 0, 0, 0, 0], // u64 LE header length: 138 padded to a multiple of 8
      ...ascii(header),
      ...ascii('      '), // 6 spaces of padding
      ...[0x00, 0x00, 0x80, 0x3f], // a[0] = 1.0f, little-endian
      ...[0x00, 0x00, 0x00, 0xc0], // a[1] = -2.0f
      ...[0x01, 0xff, 0x7f], // b = 1, -1, 127
    ];
    expect(header.length).toBe(138);
    expect([...bytes]).toEqual(expected);
  });

  it('sorts tensors by name, so the file depends only on its contents', () => {
    const one = encodeSafetensors({ x: f32(1), a: f32(2), m: f32(3) }, { z: '1', b: '2' });
    const two = encodeSafetensors({ m: f32(3), x: f32(1), a: f32(2) }, { b: '2', z: '1' });
    expect(two).toEqual(one);
  });

  it('lays the data out in header order, even for names that look like numbers', () => {
    // A JS object would list "9" before "10"; the header must not.
    const bytes = encodeSafetensors({ '9': f32(9), '10': f32(10), w: f32(0) }, { k: 'v' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd()).toBe(
      '{"__metadata__":{"k":"v"},"10":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
        '"9":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"w":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
    );
  });

  it('pads the header with spaces so the data section starts 8-byte aligned', () => {
    for (const name of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh']) {
      const bytes = encodeSafetensors({ [name]: f32(1) });
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(n % 8).toBe(0);
      const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
      expect(header).toMatch(/^\{.*\} {0,7}$/);
      expect(bytes.length).toBe(8 + n + 4);
    }
  });

  it('writes no __metadata__ when there is none, and an empty file is just a header', () => {
    const bytes = encodeSafetensors({});
    expect([...bytes]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...ascii('{}      ')]);
    expect(decodeSafetensors(bytes)).toEqual({ entries: {}, metadata: {} });
  });
});

describe('round trips', () => {
  it('keeps every dtype, bit for bit', () => {
    const allHalves = new Uint16Array(65536).map((_, i) => i); // every f16 pattern: NaN payloads, -0, subnormals
    const floats = new Float32Array(new Uint32Array([0x7fc00001, 0x7f800001, 0xff800000, 0x80000000, 0x00000001, 0x3f800000, 0x7f7fffff]).buffer);
    const entries: Record<string, SafetensorsEntry> = {
      floats: { dtype: 'f32', shape: [7], data: floats },
      halves: { dtype: 'f16', shape: [256, 256], data: allHalves },
      bytes: { dtype: 'i8', shape: [2, 128], data: new Int8Array(256).map((_, i) => i - 128) },
      ints: { dtype: 'i32', shape: [4], data: Int32Array.of(-2147483648, -1, 0, 2147483647) },
    };
    const { entries: back } = decodeSafetensors(encodeSafetensors(entries));
    for (const [name, e] of Object.entries(entries)) {
      expect(back[name].dtype).toBe(e.dtype);
      expect(back[name].shape).toEqual(e.shape);
      expect(back[name].data.constructor).toBe(e.data.constructor);
      // Compare bytes, not values: NaN payloads and -0 must survive.
      expectSameBytes(back[name].data, e.data);
    }
  });

  it('keeps odd shapes, scalars and empty tensors', () => {
    const entries: Record<string, SafetensorsEntry> = {
      scalar: { dtype: 'f32', shape: [], data: Float32Array.of(3.5) },
      empty: { dtype: 'f32', shape: [0, 3], data: new Float32Array(0) },
      emptyLast: { dtype: 'i8', shape: [3, 0], data: new Int8Array(0) },
      emptyScalarLike: { dtype: 'f16', shape: [0], data: new Uint16Array(0) },
      odd: { dtype: 'i8', shape: [3, 1, 5], data: new Int8Array(15).map((_, i) => i) },
      ones: { dtype: 'i32', shape: [1, 1, 1, 1, 1, 1], data: Int32Array.of(42) },
      prime: { dtype: 'f16', shape: [7], data: Uint16Array.of(1, 2, 3, 4, 5, 6, 7) },
    };
    const { entries: back } = decodeSafetensors(encodeSafetensors(entries));
    expect(back).toEqual(entries);
  });

  it('keeps metadata, including unusual keys and text', () => {
    const metadata = { format: 'tmnn', model: JSON.stringify({ layers: [1, 2] }), 'ü n i c o d e': '✓ 🎉', '': 'empty key', '7': 'digit key' };
    expect(decodeSafetensors(encodeSafetensors({ w: f32(1) }, metadata)).metadata).toEqual(metadata);
    const proto = decodeSafetensors(file('{"__metadata__":{"__proto__":"x"}}')).metadata;
    expect(Object.keys(proto)).toEqual(['__proto__']); // an own key, not the prototype
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it('keeps any name but the two it cannot hold', () => {
    const names = ['0.weight', 'layer/with spaces', 'quote"and\\backslash', 'ünï', '🎉', '__proto__', 'constructor'];
    const entries = Object.fromEntries(names.map((n, i) => [n, f32(i)]));
    Object.defineProperty(entries, '__proto__', { value: f32(5), enumerable: true }); // a real own key, not the prototype
    const back = decodeSafetensors(encodeSafetensors(entries)).entries;
    expect(Object.keys(back).sort()).toEqual([...names].sort());
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype); // a tensor named __proto__ is data, not a prototype
    expect(back['__proto__'].data).toEqual(Float32Array.of(5));
  });

  it('holds for random tensors (property test)', () => {
    const dtypes = ['f32', 'f16', 'i8', 'i32'] as const;
    const arbEntry = fc
      .tuple(fc.constantFrom(...dtypes), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }))
      .chain(([dtype, shape]) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const bits = n * { f32: 4, f16: 2, i8: 1, i32: 4 }[dtype];
        return fc.uint8Array({ minLength: bits, maxLength: bits }).map((raw): SafetensorsEntry => {
          const data = { f32: Float32Array, f16: Uint16Array, i8: Int8Array, i32: Int32Array }[dtype];
          return { dtype, shape, data: new data(raw.slice().buffer) };
        });
      });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }).filter((s) => s !== '__metadata__'), arbEntry, { maxKeys: 5 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (entries, metadata) => {
        const bytes = encodeSafetensors(entries, metadata);
        const back = decodeSafetensors(bytes);
        expect(Object.keys(back.entries).sort()).toEqual(Object.keys(entries).sort());
        for (const [name, e] of Object.entries(entries)) {
          expect(back.entries[name].shape).toEqual(e.shape);
          expectSameBytes(back.entries[name].data, e.data);
        }
        expect(back.metadata).toEqual({ ...metadata });
        expect(encodeSafetensors(back.entries, back.metadata)).toEqual(bytes); // and re-encodes to the same bytes
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('reads a file at any offset in memory, and returns aligned copies that do not share it', () => {
    const bytes = encodeSafetensors({ a: f32(1, 2, 3), h: { dtype: 'f16', shape: [1], data: Uint16Array.of(0x3c00) }, i: { dtype: 'i32', shape: [1], data: Int32Array.of(-5) } });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 1); // an odd offset: a Float32Array over it would throw
    const view = big.subarray(1, 1 + bytes.length);
    const { entries } = decodeSafetensors(view);
    expect(entries.a.data).toEqual(Float32Array.of(1, 2, 3));
    expect(entries.i.data).toEqual(Int32Array.of(-5));
    for (const e of Object.values(entries)) {
      expect(e.data.byteOffset).toBe(0);
      expect(e.data.buffer).not.toBe(big.buffer);
    }
    big.fill(0);
    expect(entries.a.data).toEqual(Float32Array.of(1, 2, 3));
  });

  it('writes from views into larger buffers', () => {
    const backing = Float32Array.of(9, 1, 2, 9);
    const back = decodeSafetensors(encodeSafetensors({ v: { dtype: 'f32', shape: [2], data: backing.subarray(1, 3) } })).entries;
    expect(back.v.data).toEqual(Float32Array.of(1, 2));
  });

  it('reads files from other writers: unpadded headers, keys in any order, whitespace', () => {
    const header = ' { "w" : { "shape" : [ 1 ] , "data_offsets" : [ 0 , 2 ] , "dtype" : "F16" } , "__metadata__" : { } } ';
    const { entries, metadata } = decodeSafetensors(file(header, [0x00, 0x3c]));
    expect(entries.w).toEqual({ dtype: 'f16', shape: [1], data: Uint16Array.of(0x3c00) });
    expect(metadata).toEqual({});
  });

  it('byte-swaps elements for big-endian hosts (the helper both directions use there)', () => {
    const b = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    swapByteOrder(b, 4);
    expect([...b]).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
    swapByteOrder(b, 2);
    expect([...b]).toEqual([3, 4, 1, 2, 7, 8, 5, 6]);
    swapByteOrder(b, 1);
    expect([...b]).toEqual([3, 4, 1, 2, 7, 8, 5, 6]);
  });
});

describe('encodeSafetensors refuses what it cannot write', () => {
  const cases: [string, () => unknown, new (m: string) => Error, RegExp][] = [
    ['an empty name', () => encodeSafetensors({ '': f32(1) }), ValueError, /"" cannot be a tensor name/],
    ['the name __metadata__', () => encodeSafetensors({ __metadata__: f32(1) }), ValueError, /"__metadata__" cannot be a tensor name/],
    ['too few values for the shape', () => encodeSafetensors({ w: { dtype: 'f32', shape: [2, 3], data: new Float32Array(5) } }), ShapeError, /"w" has 5 values, shape \[2,3\] needs 6/],
    ['too many values', () => encodeSafetensors({ w: { dtype: 'i8', shape: [], data: new Int8Array(2) } }), ShapeError, /"w" has 2 values, shape \[\] needs 1/],
    ['a shape too large to exist', () => encodeSafetensors({ w: { dtype: 'f32', shape: [2 ** 40, 2 ** 40], data: new Float32Array(1) } }), ShapeError, /needs more/],
    ['a negative dimension', () => encodeSafetensors({ w: { dtype: 'f32', shape: [-1], data: new Float32Array(1) } }), ShapeError, /shape -1; expected an array of non-negative integers/],
    ['a fractional dimension', () => encodeSafetensors({ w: { dtype: 'f32', shape: [1.5], data: new Float32Array(1) } }), ShapeError, /non-negative integers/],
    ['an unknown dtype', () => encodeSafetensors({ w: { dtype: 'f64' as 'f32', shape: [1], data: new Float32Array(1) } }), DTypeError, /unknown dtype "f64"; expected one of f32, f16, i8, i32/],
    ['f16 data as floats', () => encodeSafetensors({ w: { dtype: 'f16', shape: [1], data: new Float32Array(1) } }), DTypeError, /"w" is f16, whose data must be a Uint16Array, got Float32Array/],
    ['i32 data as plain numbers', () => encodeSafetensors({ w: { dtype: 'i32', shape: [1], data: [1] as unknown as Int32Array } }), DTypeError, /must be a Int32Array, got Array/],
    ['a metadata value that is not a string', () => encodeSafetensors({}, { epochs: 5 as unknown as string }), ValueError, /metadata "epochs" is number; safetensors metadata values must be strings/],
  ];
  it.each(cases)('%s', (_, run, cls, message) => {
    expect(run).toThrow(cls);
    expect(run).toThrow(message);
  });
});

describe('decodeSafetensors refuses broken and hostile files, naming the problem', () => {
  const okHeader = { w: entry('F32', [2], [0, 8]) };
  const okData = new Uint8Array(8);

  it('a file shorter than the 8-byte length', () => {
    expect(corruption(new Uint8Array(0))).toBe('safetensors: the file is 0 bytes, too short to hold the 8-byte header length');
    expect(corruption(Uint8Array.of(2, 0, 0, 0, 0))).toMatch(/the file is 5 bytes, too short/);
  });

  it('a header length beyond the end of the file', () => {
    expect(corruption(file('{}', [], 1000))).toMatch(/header length is 1000 bytes but only 2 bytes follow it \(truncated file, or not safetensors\)/);
    expect(corruption(file('{}', [], 2n ** 64n - 1n))).toMatch(/header length is 18446744073709551615 bytes but only 2 bytes follow/);
    const truncated = encodeSafetensors({ w: f32(1, 2) }).subarray(0, 20);
    expect(corruption(truncated)).toMatch(/but only 12 bytes follow it/);
  });

  it('a header length beyond the cap (100 MB unless told otherwise)', () => {
    const bytes = fileOf(okHeader, okData);
    expect(corruption(bytes, { maxHeaderBytes: 16 })).toMatch(/header length is \d+ bytes, more than the limit of 16/);
    expect(decodeSafetensors(bytes, { maxHeaderBytes: 1000 }).entries.w.shape).toEqual([2]);
  });

  it('a header that is not UTF-8', () => {
    const bytes = fileOf(okHeader, okData);
    bytes[10] = 0xff;
    expect(corruption(bytes)).toBe('safetensors: the header is not valid UTF-8');
  });

  it('a header that is not JSON', () => {
    expect(corruption(file('{"w": {"dtype": "F32",'))).toMatch(/the header is not valid JSON \(/);
    expect(corruption(file(''))).toMatch(/not valid JSON/); // header length 0
    expect(corruption(file('\ufeff{}'))).toMatch(/not valid JSON/); // a byte-order mark
    expect(corruption(file('{} trailing'))).toMatch(/not valid JSON/);
    expect(corruption(file('{}\0\0\0\0\0\0'))).toMatch(/not valid JSON/); // padding must be spaces
  });

  it('a header that is JSON but not an object', () => {
    for (const h of ['[]', '"text"', 'null', '42', 'true']) expect(corruption(file(h))).toMatch(/the header is not a JSON object but /);
  });

  it('an entry that is not an object, lacks a field, or has unknown ones', () => {
    expect(corruption(fileOf({ w: 5 }))).toMatch(/tensor "w" is 5, not an object \{ dtype, shape, data_offsets \}/);
    expect(corruption(fileOf({ w: [1, 2] }))).toMatch(/tensor "w" is \[1,2\], not an object/);
    expect(corruption(fileOf({ w: null }))).toMatch(/tensor "w" is null, not an object/);
    expect(corruption(fileOf({ w: { ...okHeader.w, offsets: [0, 8] } }, okData))).toMatch(/tensor "w" has unknown field "offsets" \(expected only dtype, shape, data_offsets\)/);
    expect(corruption(fileOf({ w: { dtype: 'F32', data_offsets: [0, 8] } }, okData))).toMatch(/tensor "w" has no shape/);
    expect(corruption(fileOf({ w: { shape: [2], data_offsets: [0, 8] } }, okData))).toMatch(/tensor "w" has no dtype/);
  });

  it('an unknown dtype, listing the accepted ones', () => {
    for (const d of ['F31', 'f32', 'float32', '', 'constructor', 'toString']) {
      expect(corruption(fileOf({ w: entry(d, [2], [0, 8]) }, okData))).toBe(`safetensors: tensor "w" has unknown dtype ${JSON.stringify(d)}; expected one of F32, F16, I8, I32`);
    }
    expect(corruption(fileOf({ w: entry(32 as unknown as string, [2], [0, 8]) }, okData))).toMatch(/unknown dtype 32; expected one of F32, F16, I8, I32/);
  });

  it('a safetensors dtype that tmnn does not support, saying so', () => {
    for (const d of ['F64', 'BF16', 'U8', 'I16', 'I64', 'BOOL', 'F8_E4M3']) {
      expect(corruption(fileOf({ w: entry(d, [2], [0, 8]) }, okData))).toBe(`safetensors: tensor "w" has dtype ${d}, which tmnn does not support (it reads F32, F16, I8, I32)`);
    }
  });

  it('a shape that is not an array of non-negative safe integers', () => {
    for (const [shape, shown] of [
      ['2', '"2"'], [2, '2'], [{}, '{}'], [[2, -1], '[2,-1]'], [[1.5], '[1.5]'], [[1e300], '[1e+300]'],
      [[2 ** 60], '[1152921504606847000]'], [[null], '[null]'], [['2'], '["2"]'], [[[2]], '[[2]]'],
    ] as [unknown, string][]) {
      expect(corruption(fileOf({ w: entry('F32', shape, [0, 8]) }, okData))).toBe(`safetensors: tensor "w" has shape ${shown}; expected an array of non-negative integers`);
    }
  });

  it('data_offsets that are not two non-negative integers with begin ≤ end', () => {
    for (const offsets of [[0], [0, 8, 16], [-1, 7], [8, 0], [0.5, 8], [0, 2 ** 60], [0, 1e300], '0,8', null, [0, '8']]) {
      expect(corruption(fileOf({ w: entry('F32', [2], offsets) }, okData))).toMatch(/tensor "w" has data_offsets .*; expected \[begin, end\], non-negative integers with begin ≤ end$/);
    }
  });

  it('data_offsets past the end of the data section', () => {
    expect(corruption(fileOf({ w: entry('F32', [4], [0, 16]) }, okData))).toBe('safetensors: tensor "w" has data_offsets [0,16], past the end of the 8-byte data section');
  });

  it('a byte range whose length does not match the shape', () => {
    expect(corruption(fileOf({ w: entry('F32', [3], [0, 8]) }, okData))).toBe(
      'safetensors: tensor "w" has shape [3] of F32, which needs 12 bytes, but its data_offsets [0,8] span 8',
    );
    expect(corruption(fileOf({ w: entry('F16', [2], [0, 8]) }, okData))).toMatch(/shape \[2\] of F16, which needs 4 bytes/);
  });

  it('a shape whose size overflows, checked before anything is allocated', () => {
    // 2^52 · 2^52 · 4 bytes: naive arithmetic would overflow or try to allocate it.
    for (const shape of [[2 ** 52, 2 ** 52], [2 ** 26, 2 ** 26, 2 ** 26, 2 ** 26], [Number.MAX_SAFE_INTEGER, 3]]) {
      expect(corruption(fileOf({ w: entry('F32', shape, [0, 8]) }, okData))).toMatch(/which needs more than 2\^53 bytes, but its data_offsets \[0,8\] span 8/);
    }
  });

  it('but a zero dimension makes a tensor empty, however large the others', () => {
    const { entries } = decodeSafetensors(fileOf({ w: entry('F32', [Number.MAX_SAFE_INTEGER, 0], [0, 0]) }));
    expect(entries.w.shape).toEqual([Number.MAX_SAFE_INTEGER, 0]);
    expect(entries.w.data.length).toBe(0);
  });

  it('entries that overlap', () => {
    const data = new Uint8Array(12);
    expect(corruption(fileOf({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, data))).toBe(
      'safetensors: tensor "b" (bytes 4–12) overlaps tensor "a" (bytes 0–8)',
    );
    expect(corruption(fileOf({ a: entry('F32', [2], [0, 8]), b: entry('I8', [8], [0, 8]) }, okData))).toMatch(/overlaps/);
    // An empty tensor must sit between others, not inside one.
    expect(corruption(fileOf({ a: entry('F32', [2], [0, 8]), e: entry('F32', [0], [4, 4]) }, okData))).toMatch(/tensor "e" \(bytes 4–4\) overlaps tensor "a"/);
  });

  it('holes and trailing bytes: the data section must be covered exactly (as the reference reader requires)', () => {
    const data = new Uint8Array(12);
    expect(corruption(fileOf({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }, data))).toBe('safetensors: bytes 4–8 of the data section belong to no tensor');
    expect(corruption(fileOf({ b: entry('F32', [1], [4, 8]) }, okData))).toMatch(/bytes 0–4 of the data section belong to no tensor/);
    expect(corruption(fileOf(okHeader, new Uint8Array(11)))).toBe('safetensors: the data section has 3 trailing bytes that belong to no tensor');
    expect(corruption(fileOf({}, [0]))).toMatch(/1 trailing bytes/);
  });

  it('__metadata__ that is not an object of strings', () => {
    expect(corruption(fileOf({ __metadata__: ['a'] }))).toBe('safetensors: __metadata__ is ["a"], not an object of strings');
    expect(corruption(fileOf({ __metadata__: null }))).toMatch(/__metadata__ is null, not an object of strings/);
    expect(corruption(fileOf({ __metadata__: 'v' }))).toMatch(/__metadata__ is "v", not an object of strings/);
    expect(corruption(fileOf({ __metadata__: { epochs: 5 } }))).toBe('safetensors: __metadata__ "epochs" is 5, not a string');
    expect(corruption(fileOf({ __metadata__: { nested: { a: 'b' } } }))).toMatch(/__metadata__ "nested" is \{"a":"b"\}, not a string/);
  });

  it('a name that appears twice (JSON.parse would silently keep the last)', () => {
    const a = '{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
    expect(corruption(file(`{"w":${a},"w":${a}}`, okData))).toBe('safetensors: the header has the key "w" twice in one object');
    // Spelled differently, the same name:
    expect(corruption(file(`{"w":${a},"\\u0077":${a}}`, okData))).toMatch(/the key "w" twice/);
    // Inside an entry, or in the metadata, a repeated key is just as ambiguous:
    expect(corruption(file('{"w":{"dtype":"I8","dtype":"F32","shape":[2],"data_offsets":[0,8]}}', okData))).toMatch(/the key "dtype" twice/);
    expect(corruption(file(`{"__metadata__":{"k":"1","k":"2"},"w":${a}}`, okData))).toMatch(/the key "k" twice/);
    // The same key in different objects is fine:
    expect(decodeSafetensors(file(`{"__metadata__":{"dtype":"x"},"w":${a}}`, okData)).metadata).toEqual({ dtype: 'x' });
  });

  it('hostile sizes stay cheap: huge names and shapes are cut short in messages, deep nesting is no crash', () => {
    const long = 'n'.repeat(1_000_000);
    expect(corruption(fileOf({ [long]: entry('F99', [1], [0, 4]) }))).toMatch(/^safetensors: tensor "n{70,}…" has unknown dtype "F99"/);
    expect(corruption(fileOf({ w: entry('F32', new Array(100_000).fill(-1), [0, 4]) }))).toMatch(/shape \[-1,-1,-1,-1,-1,-1,-1,-1,… \(100000 items\)\]/);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(corruption(file(`{"w":{"dtype":"F32","shape":${deep},"data_offsets":[0,4]}}`))).toMatch(/shape \[\[\[…\]\]\]; expected an array/);
    expect(corruption(file(`{"__metadata__":${deep}}`))).toMatch(/__metadata__ is \[\[\[…\]\]\]/);
  });

  it('many entries decode in linear time', () => {
    const n = 20_000;
    const header: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) header[`t${i}`] = entry('I8', [1], [i, i + 1]);
    const start = performance.now();
    expect(Object.keys(decodeSafetensors(fileOf(header, new Uint8Array(n))).entries)).toHaveLength(n);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('misuse by the caller is a ValueError, not a corrupt file', () => {
    expect(() => decodeSafetensors([1, 2, 3] as unknown as Uint8Array)).toThrow(ValueError);
    expect(() => decodeSafetensors(new Uint8Array(16), { maxHeaderBytes: -1 })).toThrow(/maxHeaderBytes must be a non-negative integer, got -1/);
  });
});

describe('findDuplicateKey', () => {
  it('sees keys only where JSON has keys', () => {
    expect(findDuplicateKey('{"a":"a","b":["a","a"],"c":{"a":1}}')).toBeUndefined();
    expect(findDuplicateKey('{"a":{"x":1},"b":[{"x":1,"x":2}]}')).toBe('x');
    expect(findDuplicateKey('{"q\\"{":1,"q\\"{":2}')).toBe('q"{');
    expect(findDuplicateKey('[{},{}]')).toBeUndefined();
  });
});
