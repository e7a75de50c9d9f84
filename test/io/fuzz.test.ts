// Fuzzing the reader: a valid file, mutated a few hundred ways (seeded, so a
// failure reproduces), must each time either decode to something structurally
// sound or fail with a CorruptFileError. Never another error, never a hang.
import { describe, expect, it } from 'vitest';
import { BYTES_PER_ELEMENT, isDType } from '../../src/dtype.js';
import { CorruptFileError } from '../../src/io/errors.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';

/** mulberry32: a tiny seeded generator, so every run mutates the same way. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const VALID = encodeSafetensors(
  {
    'layer.0.weight': { dtype: 'f32', shape: [3, 4], data: new Float32Array(12).map((_, i) => i / 7) },
    'layer.0.bias': { dtype: 'f16', shape: [5], data: Uint16Array.of(0x3c00, 0xbc00, 0x7c00, 0x7e00, 0x0001) },
    codes: { dtype: 'i8', shape: [2, 3, 1], data: Int8Array.of(-128, -1, 0, 1, 2, 127) },
    step: { dtype: 'i32', shape: [], data: Int32Array.of(1234567) },
    nothing: { dtype: 'f32', shape: [0, 2], data: new Float32Array(0) },
  },
  { format: 'tmnn', note: 'fuzz' },
);
const HEADER_LENGTH = Number(new DataView(VALID.buffer).getBigUint64(0, true));
const HEADER = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + HEADER_LENGTH))) as Record<string, Record<string, unknown>>;
const DATA = VALID.subarray(8 + HEADER_LENGTH);

const HOSTILE_NUMBERS = [0, 1, 2, 3, 4, 7, 8, 12, 48, 66, -1, -0, 0.5, 1e300, -1e300, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 - 1, 2 ** 60, 2 ** 64, Number.MAX_VALUE];
const HOSTILE_VALUES: unknown[] = [...HOSTILE_NUMBERS, null, true, 'x', '', [], {}, [1, 2], { a: 1 }];
const DTYPES = ['F32', 'F16', 'I8', 'I32', 'F64', 'BF16', 'U8', 'BOOL', 'f32', '', 'toString'];

function assemble(headerText: string, data: Uint8Array, headerLength?: bigint): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** An edit of the parsed header: one field of one entry, an entry dropped or added, metadata changed. */
function editJson(r: Rng): Uint8Array {
  const h = structuredClone(HEADER) as Record<string, unknown>;
  const names = Object.keys(h).filter((k) => k !== '__metadata__');
  const e = h[r.pick(names)] as Record<string, unknown>;
  const shape = e.shape as unknown[];
  const offsets = e.data_offsets as unknown[];
  switch (r.int(9)) {
    case 0: if (shape.length) shape[r.int(shape.length)] = r.pick(HOSTILE_VALUES); else shape.push(r.pick(HOSTILE_NUMBERS)); break;
    case 1: offsets[r.int(2)] = r.pick(HOSTILE_VALUES); break;
    case 2: e.dtype = r.pick(DTYPES); break;
    case 3: e[r.pick(['shape', 'dtype', 'data_offsets'])] = r.pick(HOSTILE_VALUES); break;
    case 4: delete e[r.pick(['shape', 'dtype', 'data_offsets'])]; break;
    case 5: e[r.pick(['extra', 'offsets'])] = 1; break;
    case 6: h.__metadata__ = r.pick(HOSTILE_VALUES); break;
    case 7: h[`new${r.int(3)}`] = { dtype: r.pick(DTYPES), shape: [r.pick(HOSTILE_NUMBERS)], data_offsets: [r.pick(HOSTILE_NUMBERS), r.pick(HOSTILE_NUMBERS)] }; break;
    case 8: shape.push(...Array.from({ length: 1 + r.int(5) }, () => r.pick(HOSTILE_NUMBERS))); break;
  }
  // Mostly padded like a real writer; sometimes the header length is left stale.
  let text = JSON.stringify(h);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  return assemble(text, DATA, r.int(4) === 0 ? BigInt(HEADER_LENGTH) : undefined);
}

/** An edit of the header as text: numbers replaced, characters inserted, a key duplicated. */
function editText(r: Rng): Uint8Array {
  let text = new TextDecoder().decode(VALID.subarray(8, 8 + HEADER_LENGTH));
  switch (r.int(4)) {
    case 0: { // replace one number with a hostile one
      const numbers = [...text.matchAll(/-?\d+/g)];
      const m = r.pick(numbers);
      text = text.slice(0, m.index) + String(r.pick(HOSTILE_NUMBERS)) + text.slice(m.index! + m[0].length);
      break;
    }
    case 1: { // insert a structural character
      const at = r.int(text.length);
      text = text.slice(0, at) + r.pick(['{', '}', '[', ']', ',', ':', '"', '\\', '\u00e9', '\ud800']) + text.slice(at);
      break;
    }
    case 2: { // rename one tensor to another's name: a duplicate key
      const names = Object.keys(HEADER).filter((k) => k !== '__metadata__');
      text = text.replace(`"${names[0]}"`, `"${r.pick(names.slice(1))}"`);
      break;
    }
    case 3: // drop a suffix of the header
      text = text.slice(0, r.int(text.length));
      break;
  }
  return assemble(text, DATA);
}

/** An edit of the raw bytes: flips, truncation, a new header length, bytes added. */
function editBytes(r: Rng): Uint8Array {
  const b = VALID.slice();
  switch (r.int(5)) {
    case 0: for (let i = 1 + r.int(4); i > 0; i--) b[r.int(b.length)] ^= 1 << r.int(8); return b;
    case 1: for (let i = 1 + r.int(4); i > 0; i--) b[8 + r.int(HEADER_LENGTH)] = r.int(256); return b; // inside the header
    case 2: return b.subarray(0, r.int(b.length)); // truncated anywhere, the length bytes included
    case 3: { // a new header length: off by a little, or absurd
      const v = r.pick([BigInt(HEADER_LENGTH + r.int(17) - 8), 0n, 2n ** 63n, 2n ** 64n - 1n, BigInt(r.int(2 ** 31)) * BigInt(r.int(2 ** 31))]);
      new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
      return b;
    }
    default: { // bytes inserted somewhere
      const at = r.int(b.length + 1);
      const extra = Uint8Array.from({ length: 1 + r.int(8) }, () => r.int(256));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b.subarray(0, at));
      out.set(extra, at);
      out.set(b.subarray(at), at + extra.length);
      return out;
    }
  }
}

/** What any successful decode must satisfy. */
function expectSound(result: ReturnType<typeof decodeSafetensors>) {
  for (const [name, e] of Object.entries(result.entries)) {
    expect(isDType(e.dtype), name).toBe(true);
    expect(e.shape.every((d) => Number.isSafeInteger(d) && d >= 0), name).toBe(true);
    const size = e.shape.reduce((a, d) => a * d, 1);
    expect(e.data.length, name).toBe(size);
    expect(e.data.BYTES_PER_ELEMENT, name).toBe(BYTES_PER_ELEMENT[e.dtype]);
  }
  for (const v of Object.values(result.metadata)) expect(typeof v).toBe('string');
}

describe('decodeSafetensors under fuzzing', () => {
  it('the unmutated file decodes', () => {
    const { entries, metadata } = decodeSafetensors(VALID);
    expect(Object.keys(entries).sort()).toEqual(['codes', 'layer.0.bias', 'layer.0.weight', 'nothing', 'step']);
    expect(metadata).toEqual({ format: 'tmnn', note: 'fuzz' });
  });

  it('each of 900 seeded mutations decodes soundly or throws CorruptFileError, quickly', () => {
    const r = rng(20240611);
    const outcomes = { decoded: 0, corrupt: 0 };
    const start = performance.now();
    for (let i = 0; i < 900; i++) {
      const mutate = [editJson, editText, editBytes][i % 3];
      const bytes = mutate(r);
      let result: ReturnType<typeof decodeSafetensors> | undefined;
      try {
        result = decodeSafetensors(bytes);
      } catch (err) {
        if (!(err instanceof CorruptFileError)) throw new Error(`mutation ${i} (${mutate.name}) threw ${String(err)}`, { cause: err });
        expect((err as Error).message).toMatch(/^safetensors: /);
        outcomes.corrupt++;
        continue;
      }
      expectSound(result);
      outcomes.decoded++;
    }
    const elapsed = performance.now() - start;
    // Both outcomes occur (flips in tensor bytes or in metadata text still decode), and nothing is slow.
    expect(outcomes.decoded).toBeGreaterThan(20);
    expect(outcomes.corrupt).toBeGreaterThan(500);
    expect(elapsed).toBeLessThan(3000);
  });
});
