// Sparse tensors in ONNX files (GraphProto.sparse_initializer, Constant's
// sparse_value; src/onnx/value.ts denseOf) on every backend: onnx's own
// writer's files (scripts/make-onnx-sparse-fixtures.py), read as the dense
// tensors they stand for — linear positions and coordinates alike — and run
// beside onnxruntime-web (which keeps a Constant's sparse_value sparse: that
// output is checked against the file's values); zeros where no value is given; a model with no
// non-zero value at all; indices outside the tensor or of the wrong count
// refused as corrupt files, naming the tensor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/data.js';

const fixture = (...path: string[]) => new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'onnx', 'sparse', ...path)));

/** Rows of the 5×5 identity, two at a time (the model takes x [2, 5]): x·W + b gives W's rows plus b. */
const unitRows = [[0, 1], [2, 3], [4, -1]].map((rows) => Float32Array.from({ length: 10 }, (_, i) => +(Math.floor(i / 5) < 2 && rows[Math.floor(i / 5)] === i % 5)));

describe.each(BACKENDS)('sparse tensors in ONNX files on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('reads sparse initializers (linear positions, coordinates) and a Constant\'s sparse_value as the dense tensors they stand for, as onnxruntime does', async () => {
    for (const name of ['sparse.onnx', 'empty.onnx']) {
      const bytes = fixture(name);
      const model = tm.onnx.fromBytes(bytes);
      expect(model.inputs.map((i) => i.name), 'the sparse initializers are not inputs').toEqual(['x']);
      const rows: number[][] = [];
      for (const x of unitRows) {
        // onnxruntime gives the Constant's output sparse (it cannot be read back as a tensor): y only from it.
        const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
        const theirs = await session.run({ x: new ort.Tensor('float32', x, [2, 5]) }, ['y']);
        await session.release();
        const input = tm.tensor(x, [2, 5]);
        const out = tm.noGrad(() => model.run({ x: input }));
        const [y, c] = [await out.y.data(), await out.c.data()];
        expectClose(y, theirs.y.data as Float32Array, 1e-6, `${name}: y`);
        // c [2, 4], the Constant's sparse_value: 7 at (0, 1), −3 at (1, 0), 11 at (1, 3).
        expect(Array.from(c)).toEqual([0, 7, 0, 0, -3, 0, 0, 11]);
        rows.push(...[0, 1].map((r) => Array.from(y.subarray(3 * r, 3 * r + 3))));
        for (const t of [input, out.y, out.c]) t.dispose();
      }
      // W's rows less b [0.5, 0, −1.25]: non-zero exactly at the positions the file lists (1, 3, 4, 8, 12, 14 of W [5, 3]), none in empty.onnx.
      const w = rows.slice(0, 5).map((row) => row.map((v, j) => v - [0.5, 0, -1.25][j]));
      const nonZero = w.flatMap((row, i) => row.flatMap((v, j) => (v !== 0 ? [3 * i + j] : [])));
      expect(nonZero, name).toEqual(name === 'sparse.onnx' ? [1, 3, 4, 8, 12, 14] : []);
      model.dispose();
    }
  });
});

describe('sparse tensors that do not fit their shape', () => {
  it('refuses an index outside the tensor and indices that do not match the values, as corrupt files naming the tensor', () => {
    expect(() => tm.onnx.fromBytes(fixture('bad', 'outside.onnx'))).toThrow(tm.CorruptFileError);
    expect(() => tm.onnx.fromBytes(fixture('bad', 'outside.onnx'))).toThrow(/sparse initializer W's value 1 is at position 15, outside its 15 elements \(\[5, 3\]\)/);
    expect(() => tm.onnx.fromBytes(fixture('bad', 'count.onnx'))).toThrow(/sparse initializer W's indices are \[3\] for 2 values; they must be \[2\] \(positions\) or \[2, 2\] \(coordinates in \[5, 3\]\)/);
  });
});
