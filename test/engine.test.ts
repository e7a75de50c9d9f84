// The engine: tensor lifetimes (dispose, views sharing storage, tidy, keep,
// the garbage collector freeing what nobody disposed), memory() accounting,
// disposed-tensor errors, and choosing a backend.
//
// Memory checks run synchronously between their snapshot and their check:
// storage of tensors other tests forgot is queued by a FinalizationRegistry,
// whose callbacks only run between tasks, and freed at the next new storage
// or memory().
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';
import { collected } from './helpers/gc.js';
import { runIsolated } from './helpers/isolated.js';

describe.each(BACKENDS)('memory and lifetimes on %s', (backend) => {
  beforeAll(async () => {
    expect(await tm.init({ backend })).toBe(backend);
  });

  it('counts tensors and bytes per dtype, and gives them back on dispose', () => {
    const start = tm.memory();
    const ts = [tm.zeros([10, 10]), tm.zeros([4], { dtype: 'f16' }), tm.zeros([3, 3], { dtype: 'i8' }), tm.zeros([5], { dtype: 'i32' }), tm.zeros([0, 7])];
    const bytes = 400 + 8 + 9 + 20 + 0;
    expect(tm.memory().numTensors).toBe(start.numTensors + 5);
    expect(tm.memory().numBytes).toBe(start.numBytes + bytes);
    expect(tm.memory().backends[backend]!.numBytes).toBe((start.backends[backend]?.numBytes ?? 0) + bytes);
    expect(tm.memory().backends[backend]!.numTensors).toBe((start.backends[backend]?.numTensors ?? 0) + 5);
    for (const t of ts) t.dispose();
    ts[0].dispose(); // twice is harmless
    expect(ts.every((t) => t.isDisposed)).toBe(true);
    expect(tm.memory()).toMatchObject({ numTensors: start.numTensors, numBytes: start.numBytes });
    expect(tm.memory().backends[backend]).toEqual(start.backends[backend] ?? { numTensors: 0, numBytes: 0 });
  });

  it.each([
    ['reshape', (t: tm.Tensor) => t.reshape([3, 2])],
    ['flatten', (t: tm.Tensor) => t.flatten()],
    ['expandDims', (t: tm.Tensor) => t.expandDims(1)],
    ['squeeze', (t: tm.Tensor) => t.squeeze()],
    ['cast to its own dtype', (t: tm.Tensor) => t.cast('f32')],
    ['transpose by the identity', (t: tm.Tensor) => t.transpose([0, 1])],
    ['slice of everything', (t: tm.Tensor) => t.slice([0, 0])],
    ['broadcastTo its own shape', (t: tm.Tensor) => t.broadcastTo([2, 3])],
  ])('a %s view shares storage, which lives until the last holder is disposed', async (_name, makeView) => {
    const start = tm.memory();
    const a = tm.tensor([[1, 2, 3], [4, 5, 6]]);
    const v = makeView(a);
    const withView = tm.memory();
    expect(withView.numBytes).toBe(start.numBytes + 24); // one storage for both
    a.dispose();
    expect(tm.memory().numBytes).toBe(start.numBytes + 24);
    expect(Array.from(await v.data())).toEqual([1, 2, 3, 4, 5, 6]);
    const before = tm.memory();
    v.dispose();
    const after = tm.memory();
    expect(after.numBytes).toBe(before.numBytes - 24);
    expect(after.numTensors).toBe(before.numTensors - (withView.numTensors - start.numTensors - 1));
  });

  it('tidy frees intermediates and keeps what the function returns, also inside arrays and objects', async () => {
    const x = tm.tensor([1, 2, 3]);
    const start = tm.memory();
    const kept = tm.tidy(() => {
      const y = x.mul(2).add(1);
      x.exp().sqrt(); // garbage
      return { y, parts: [y.sum(), { deep: [x.max()] }], note: 'not a tensor', n: 3 };
    });
    expect(tm.memory().numTensors).toBe(start.numTensors + 3);
    expect(tm.memory().numBytes).toBe(start.numBytes + 12 + 4 + 4);
    expect(x.isDisposed).toBe(false); // made outside: not tidy's to dispose
    expect(await (kept.parts[0] as tm.Tensor).item()).toBe(15);
    expect(await (kept.parts[1] as { deep: tm.Tensor[] }).deep[0].item()).toBe(3);
    expect(await kept.y.array()).toEqual([3, 5, 7]);
    expect(kept.note).toBe('not a tensor');
    const before = tm.memory();
    for (const t of [kept.y, kept.parts[0] as tm.Tensor, (kept.parts[1] as { deep: tm.Tensor[] }).deep[0]]) t.dispose();
    expect(tm.memory()).toMatchObject({ numTensors: before.numTensors - 3, numBytes: before.numBytes - 20 });
  });

  it('nested tidy hands its result to the enclosing scope, which disposes it unless returned again', () => {
    const x = tm.tensor([1, 2, 3]);
    const start = tm.memory().numTensors;
    let inner: tm.Tensor | undefined;
    const outer = tm.tidy(() => {
      inner = tm.tidy(() => x.exp().neg());
      expect(inner.isDisposed).toBe(false);
      return tm.tidy(() => x.add(1));
    });
    expect(inner!.isDisposed).toBe(true);
    expect(outer.isDisposed).toBe(false);
    expect(tm.memory().numTensors).toBe(start + 1);
    outer.dispose();
    expect(tm.memory().numTensors).toBe(start);
  });

  it('keep() takes a tensor out of every enclosing tidy', () => {
    const start = tm.memory().numTensors;
    let kept: tm.Tensor | undefined;
    tm.tidy(() => {
      tm.tidy(() => {
        kept = tm.keep(tm.ones([2]));
        tm.ones([3]);
      });
    });
    expect(kept!.isDisposed).toBe(false);
    expect(tm.memory().numTensors).toBe(start + 1);
    kept!.dispose();
    expect(tm.memory().numTensors).toBe(start);
  });

  it('tidy disposes its tensors and rethrows when the function throws; an enclosing tidy carries on', () => {
    const start = tm.memory();
    const boom = new Error('boom');
    let made: tm.Tensor | undefined;
    expect(() => tm.tidy(() => {
      made = tm.zeros([3]).add(1);
      throw boom;
    })).toThrow(boom);
    expect(made!.isDisposed).toBe(true);
    expect(tm.memory()).toEqual(start);
    const survivor = tm.tidy(() => {
      const mine = tm.ones([2]);
      try {
        tm.tidy(() => {
          tm.zeros([5]);
          throw new RangeError('inner');
        });
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
      }
      expect(mine.isDisposed).toBe(false);
      return mine;
    });
    expect(tm.memory().numTensors).toBe(start.numTensors + 1);
    survivor.dispose();
    expect(tm.memory()).toEqual(start);
  });

  it('tidy refuses a function returning a Promise, disposing what it made', () => {
    const start = tm.memory();
    let made: tm.Tensor | undefined;
    expect(() => tm.tidy(() => {
      made = tm.zeros([4]);
      return Promise.resolve(made) as unknown as tm.Tensor;
    })).toThrow(tm.ValueError);
    expect(() => tm.tidy((async () => tm.zeros([1])) as unknown as () => tm.Tensor)).toThrow(/tidy is synchronous/);
    expect(made!.isDisposed).toBe(true);
    expect(tm.memory()).toEqual(start);
  });

  it('a refused async function does not end the process later: its rejection on the tensors tidy freed is handled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let x: tm.Tensor | undefined;
      expect(() => tm.tidy((async () => {
        x = tm.ones([2]);
        await Promise.resolve();
        return x.add(1); // x was freed when tidy refused the Promise: this throws DisposedTensorError
      }) as unknown as () => tm.Tensor)).toThrow(/tidy is synchronous/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('noGrad refuses an async function too: recording would be back on after its first await', async () => {
    const w = tm.ones([2]);
    w.requiresGrad = true;
    let after: tm.Tensor | undefined;
    expect(() => tm.noGrad((async () => {
      await Promise.resolve();
      after = w.mul(2);
    }) as unknown as () => void)).toThrow('noGrad: the function returned a Promise; noGrad is synchronous');
    expect(tm.isGradEnabled()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(after).toBeDefined();
  });

  it('names a value of the wrong kind where a tensor (or quantized one) belongs: keep, dequantize, backward, a gradient set by hand', () => {
    expect(() => tm.keep(null as unknown as tm.Tensor)).toThrow('keep: expects a tensor (or a quantized one), got null');
    expect(() => tm.dequantize(tm.ones([2, 2]) as unknown as tm.QuantizedTensor)).toThrow('dequantize: expects what tm.quantize returns, got Tensor');
    expect(() => tm.dequantize(undefined as unknown as tm.QuantizedTensor)).toThrow('dequantize: expects what tm.quantize returns, got undefined');
    const w = tm.ones([2, 2]);
    w.requiresGrad = true;
    expect(() => w.mul(2).backward([[1, 1], [1, 1]] as unknown as tm.Tensor)).toThrow('backward: gradient must be a Tensor, got object');
    const opt = new tm.optim.SGD([w], { lr: 0.1 });
    w.grad = [[1, 1], [1, 1]] as unknown as tm.Tensor;
    expect(() => opt.step()).toThrow(/^SGD\.step: the gradient of Tensor\(\[2,2\], f32, \w+\) is \[\[1, 1\], \[1, 1\]\], not a Tensor$/);
  });

  it('every op leaves nothing behind but its result (memory() is back to the start after disposing it) and changes no input', async () => {
    const f = tm.tensor([[1, -2, 3], [4, 5, -6]]);
    const h = tm.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'f16' });
    const i8 = tm.tensor([[1, -2, 3], [4, 5, -6]], { dtype: 'i8' });
    const i32 = tm.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'i32' });
    const batch = tm.ones([2, 1, 3, 2]);
    const v = tm.tensor([1, 2, 3]);
    const idx = tm.tensor(new Int32Array([0, 2, 1]), [3]);
    const cond = tm.tensor([[1, 0, 1], [0, 0, 1]]);
    const b423 = tm.ones([4, 2, 3]);
    const empty = tm.zeros([0, 2, 3]);
    const s = tm.scalar(3);
    const ops: [string, () => tm.Tensor | tm.Tensor[]][] = [
      ['add number', () => f.add(1)], ['number sub', () => tm.sub(1, f)], ['mul mixed dtypes', () => i8.mul(h)], ['div ints', () => i32.div(i8)],
      ['pow', () => f.pow(2)], ['maximum', () => f.maximum(0.5)], ['greater', () => i32.greater(2)], ['square', () => h.square()],
      ['exp of int', () => i8.exp()], ['neg', () => f.neg()], ['clip', () => f.clip(-1, 1)], ['clip int with fractions', () => i32.clip(0.5, 2.5)],
      ['where numbers', () => tm.where(cond, 1, -1)], ['where mixed', () => tm.where(i8, h, i32)],
      ['matmul', () => f.matmul(f, { transposeB: true })], ['matmul batch broadcast', () => batch.matmul(b423)],
      ['matmul mixed dtypes', () => i8.matmul(h, { transposeB: true })], ['matmul i8', () => i8.matmul(i8, { transposeA: true })],
      ['matmul 1-D', () => v.matmul(f, { transposeB: true })], ['matmul empty batch', () => empty.matmul(f, { transposeB: true })],
      ['sum over leading axis', () => f.sum(0)], ['mean of ints', () => i8.mean([0, 1])], ['max keepDims', () => h.max(0, { keepDims: true })],
      ['min', () => i32.min()], ['argmax axis 0', () => f.argmax(0)], ['argmin flat', () => h.argmin()],
      ['softmax axis 0 of ints', () => i32.softmax(0)], ['logSoftmax of a scalar', () => s.logSoftmax()], ['softmax f16', () => h.softmax()],
      ['reshape', () => f.reshape([3, 2])], ['transpose', () => f.transpose()], ['slice', () => f.slice([1, 1])], ['broadcastTo', () => v.broadcastTo([4, 3])],
      ['expandDims', () => f.expandDims(0)], ['squeeze', () => batch.squeeze()], ['pad', () => i8.pad([[1, 1], [0, 2]], 7)], ['clone', () => h.clone()],
      ['concat mixed', () => tm.concat([f, i8, h], 1)], ['stack', () => tm.stack([f, f], 2)],
      ['cast', () => f.cast('f16')], ['cast same', () => f.cast('f32')], ['oneHot', () => idx.oneHot(4)],
      ['several results', () => [f.sum(), f.mean(1), f.relu()]],
    ];
    const inputs = [f, h, i8, i32, batch, v, idx, cond, b423, empty, s];
    const values = await Promise.all(inputs.map((t) => t.array()));
    for (const [name, op] of ops) {
      const start = tm.memory();
      const out = op();
      for (const t of Array.isArray(out) ? out : [out]) t.dispose();
      expect(tm.memory(), name).toEqual(start);
    }
    expect(await Promise.all(inputs.map((t) => t.array()))).toEqual(values);
  });

  it('a read started before dispose() returns the values the tensor had, even when its memory is reused at once', async () => {
    const n = 1 << 15; // 128 KiB: large enough for a backend to recycle the memory
    const t = tm.fill([n], 1).add(1);
    const pending = t.data();
    t.dispose();
    const other = tm.fill([n], 5).add(2); // same size: may get t's memory
    const got = await pending;
    expect(got.length).toBe(n);
    expect(got.every((v) => v === 2), `read ${got[0]} where 2 was written`).toBe(true);
    expect((await other.data())[0]).toBe(7);
    const m = tm.ones([256, 512]).matmul(tm.ones([512, 512])); // a large product a backend may still be computing
    const read = m.array();
    m.dispose();
    tm.fill([256, 512], 9).add(0);
    expect(((await read) as number[][])[255][511]).toBe(512);
  });

  it('synchronize() resolves once the work issued is done, and frees what the collector found', async () => {
    const product = tm.ones([256, 512]).matmul(tm.ones([512, 256]));
    await tm.synchronize();
    expect((await product.data())[0]).toBe(512);
    product.dispose();
    const before = await collected();
    (() => void tm.ones([64]).add(1))(); // garbage as soon as the arrow returns
    expect(await collected()).toBe(before);
    await tm.synchronize();
    expect(tm.memory().numTensors).toBe(before);
  });

  it('outputs are written in full even into recycled memory: empty-axis sums, empty products', async () => {
    const n = 1 << 15;
    const dirty = () => tm.fill([n], 12345).add(0).dispose(); // leaves 128 KiB of sentinels for a pool
    const cases: [string, () => tm.Tensor, number][] = [
      ['sum over an empty axis', () => tm.zeros([0, n]).sum(0), 0],
      ['mean over an empty axis', () => tm.zeros([0, n]).mean(0), NaN],
      ['int sum over an empty axis', () => tm.zeros([0, n], { dtype: 'i32' }).sum(0), 0],
      ['f16 sum over an empty axis', () => tm.zeros([0, 2 * n], { dtype: 'f16' }).sum(0), 0],
      ['product over an empty inner dimension', () => tm.zeros([128, 0]).matmul(tm.zeros([0, 256])), 0],
      ['softmax along a size-1 axis', () => tm.zeros([n, 1]).softmax(), 1],
    ];
    for (const [name, op, want] of cases) {
      dirty();
      const v = await op().data();
      expect(v.length, name).toBeGreaterThanOrEqual(n);
      const bad = v.findIndex((x) => !Object.is(x, want) && !(x === 0 && want === 0));
      expect(bad, `${name}: element ${bad} is ${v[bad]}`).toBe(-1);
    }
  });

  it('using a disposed tensor throws DisposedTensorError naming the op and the tensor', async () => {
    const t = tm.zeros([2, 3]);
    const other = tm.ones([2, 3]);
    t.dispose();
    const name = new RegExp(`tensor #${t.id} \\[2,3\\] f32 was disposed`);
    const uses: [string, () => unknown][] = [
      ['add', () => t.add(1)], ['add', () => other.add(t)], ['add', () => tm.add(2, t)], ['matmul', () => t.matmul(other, { transposeB: true })],
      ['matmul', () => other.matmul(t, { transposeA: true })], ['sum', () => t.sum()], ['argmax', () => t.argmax()], ['softmax', () => t.softmax()],
      ['reshape', () => t.reshape([6])], ['transpose', () => t.transpose()], ['slice', () => t.slice([0])], ['concat', () => tm.concat([other, t])],
      ['stack', () => tm.stack([t, other])], ['cast', () => t.cast('f16')], ['where', () => tm.where(t, 1, 2)], ['where', () => tm.where(other, t, 2)],
      ['exp', () => t.exp()], ['clip', () => t.clip(0, 1)], ['clone', () => t.clone()], ['broadcastTo', () => t.broadcastTo([2, 2, 3])],
    ];
    for (const [op, use] of uses) {
      expect(use, op).toThrow(tm.DisposedTensorError);
      expect(use, op).toThrow(new RegExp(`^${op}: ${name.source}$`));
    }
    await expect(t.data()).rejects.toThrow(new RegExp(`^data: ${name.source}$`));
    await expect(t.array()).rejects.toThrow(tm.DisposedTensorError);
    await expect(tm.scalar(1).reshape([]).item()).resolves.toBe(1);
    expect(t.isDisposed).toBe(true);
    expect(new tm.DisposedTensorError('x')).toBeInstanceOf(tm.TmnnError);
  });

  it('tensors disposed by tidy are dead too', () => {
    let inner: tm.Tensor | undefined;
    tm.tidy(() => {
      inner = tm.ones([2]);
    });
    expect(() => inner!.neg()).toThrow(tm.DisposedTensorError);
  });
});

describe('choosing a backend', () => {
  it('init({ backend }) forces one, and tm.backend() reports it', async () => {
    for (const backend of BACKENDS) {
      expect(await tm.init({ backend })).toBe(backend);
      expect(tm.backend()).toBe(backend);
      expect(tm.backendSelection()).toMatchObject({ backend, reason: 'forced by init({ backend })' });
      expect(tm.zeros([1]).backend).toBe(backend);
    }
  });

  it('unknown names are ValueErrors naming the name; a backend that cannot run is a BackendUnavailableError', async () => {
    await expect(tm.init({ backend: 'bogus' as tm.BackendName })).rejects.toThrow(tm.ValueError);
    await expect(tm.init({ backend: 'bogus' as tm.BackendName })).rejects.toThrow('init: unknown backend "bogus"; expected one of webgpu, native, js');
    // No Vulkan driver, so no adapter: forcing webgpu fails; the backend in use stays.
    const r = runIsolated(null, `
      await tm.init({ backend: 'js' });
      const err = await tm.init({ backend: 'webgpu' }).then(() => null, (e) => e);
      return { name: err?.name, message: err?.message, backend: tm.backend() };
    `, { VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.value).toMatchObject({ name: 'BackendUnavailableError', backend: 'js' });
    expect((r.value as { message: string }).message).toMatch(/^init: backend webgpu is unavailable: webgpu: no WebGPU adapter found/);
  });

  it('mixing tensors from two backends says so', async () => {
    await tm.init({ backend: 'js' });
    const a = tm.zeros([2]);
    await tm.init({ backend: 'native' });
    const b = tm.zeros([2]);
    expect(() => a.add(b)).toThrow(tm.BackendMismatchError);
    expect(() => a.add(b)).toThrow(/^add: input 0 lives on a js backend no longer active, input 1 on the active native backend/);
    expect(() => b.add(a)).toThrow(/^add: input 0 lives on the active native backend, input 1 on a js backend no longer active/);
    expect(() => tm.concat([a, b])).toThrow(tm.BackendMismatchError);
    expect(() => a.matmul(b)).toThrow(tm.BackendMismatchError);
    // The way out it names works.
    const moved = tm.tensor(await a.data(), a.shape, { dtype: a.dtype });
    expect(Array.from(await moved.add(b).data())).toEqual([0, 0]);
  });

  it('ops that make tensors for their inputs make them on the inputs\' backend: a model made before a second tm.init() trains on', async () => {
    for (const backend of ['js', 'native'] as const) {
      await tm.init({ backend });
      tm.setSeed(3);
      const model = new tm.nn.Sequential([new tm.nn.Dense(3, 4, { activation: 'relu' }), new tm.nn.Dropout(0.5, 1), new tm.nn.Dense(4, 2)]);
      const opt = new tm.optim.Adam(model.parameters());
      const x = tm.randn([5, 3], { seed: 1 });
      const [before] = await Promise.all(model.parameters().map((p) => p.data()));
      await tm.init({ backend: 'js' }); // another backend instance is active now
      // backward's first gradient (onesLike), Dropout's mask (rand), Adam's moments (zeros), pad's sides (fill): on x's backend.
      const loss = model.forward(x).pad([[0, 1], [1, 0]]).square().mean();
      loss.backward();
      opt.step();
      expect(Array.from(await model.parameters()[0].data())).not.toEqual(Array.from(before));
      // fit and evaluate gather their batches where the model lives too.
      await model.fit(x, tm.randn([5, 2], { seed: 2 }), { epochs: 1, batchSize: 2, loss: 'mse', optimizer: opt, quiet: true });
      expect((await model.evaluate(x, tm.randn([5, 2], { seed: 2 }))).loss).toBeGreaterThan(0);
      expect(tm.zerosLike(x).backend).toBe(backend);
      const empty = tm.matmul(x.slice([0, 0], [0, 3]), x.transpose()); // an empty product's zeros
      expect([empty.shape, empty.backend]).toEqual([[0, 5], backend]);
    }
  });

  it('calls of tm.init() run one after another: the last one called is the one left active, whichever finishes first', async () => {
    const names = await Promise.all([tm.init({ backend: 'native' }), tm.init({ backend: 'js' })]);
    expect(names).toEqual(['native', 'js']);
    expect(tm.backend()).toBe('js');
    await Promise.all([tm.init({ backend: 'js' }), tm.init({ backend: 'native' })]);
    expect(tm.backend()).toBe('native');
    await expect(Promise.all([tm.init({ backend: 'nope' as 'js' }), tm.init({ backend: 'js' })])).rejects.toThrow(/unknown backend "nope"/);
    expect(tm.backend()).toBe('js'); // a failed call does not stop the next
  });

  it('a second tm.init() of the same backend says which tensors are stranded, not "js and js", and how to move a tensor or a model', async () => {
    await tm.init({ backend: 'js' });
    const a = tm.zeros([2]);
    const model = new tm.nn.Sequential([new tm.nn.Dense(2, 1)]);
    await tm.init({ backend: 'js' });
    expect(() => a.add(tm.zeros([2]))).toThrow(
      'add: input 0 lives on a js backend no longer active, input 1 on the active js backend: tensors made before a later tm.init() stay where they were made; ' +
        'make a tensor again on the active one with tm.tensor(await t.data(), t.shape, { dtype: t.dtype }), a model with tm.nn.fromBytes(await model.toBytes())',
    );
    // A model's weights are the stranded input of its product; the way out named works.
    const x = tm.ones([3, 2]);
    expect(() => model.predict(x)).toThrow(/^matmul: input 0 lives on the active js backend, input 1 on a js backend no longer active/);
    const moved = await tm.nn.fromBytes(await model.toBytes());
    expect(moved.predict(x).shape).toEqual([3, 1]);
  });
});

describe('tidy finds returned tensors anywhere', () => {
  it('deep inside objects, Maps and Sets', async () => {
    const start = tm.memory().numTensors;
    const out = tm.tidy(() => {
      let deep: unknown = tm.scalar(1);
      for (let i = 0; i < 20; i++) deep = { next: [deep] };
      tm.scalar(99); // not returned: disposed
      return { deep, map: new Map([['a', tm.scalar(2)]]), set: new Set([tm.scalar(3)]) };
    });
    expect(tm.memory().numTensors).toBe(start + 3);
    expect(await out.map.get('a')!.item()).toBe(2);
    expect(await [...out.set][0].item()).toBe(3);
  });

  it('names the problem for inputs of the wrong kind: a disposed tensor first, a non-function to tidy, 64-bit ints, NaN bounds, a string size', async () => {
    const d = tm.zeros([2, 2]);
    d.dispose();
    await expect(d.item()).rejects.toThrow(tm.DisposedTensorError);
    expect(() => d.backward()).toThrow(tm.DisposedTensorError);
    expect(() => tm.quantize(d)).toThrow(tm.DisposedTensorError);
    expect(() => tm.quantize(d)).toThrow(/^quantize:/);
    expect(() => tm.tidy(5 as unknown as () => void)).toThrow(new tm.ValueError('tidy: expects a function to run, got number'));
    expect(() => tm.tensor(new BigInt64Array(2) as unknown as Int32Array)).toThrow(tm.DTypeError);
    expect(() => tm.zeros([2]).clip(NaN, 1)).toThrow(new tm.ValueError('clip: min and max must be numbers, tensors or null (not both), got NaN and 1'));
    expect(() => tm.zeros(['2' as unknown as number])).toThrow('zeros: shape [2] has "2"; sizes must be finite non-negative integers');
  });

  it('expandDims names the range a new axis may take', () => {
    expect(() => tm.zeros([2, 3]).expandDims(3)).toThrow('expandDims: axis 3 is out of range for [2,3]: a new axis goes at -3…2');
  });
});

describe('tensors nobody disposes', () => {
  // The storage of a tensor that is never disposed goes back once the tensor is garbage.
  beforeAll(async () => {
    await tm.init({ backend: 'js' });
  });

  it('are freed once garbage: made outside tidy, returned by tidy, or kept', async () => {
    const start = await collected();
    (() => {
      tm.ones([3]).add(1);
      tm.tidy(() => tm.ones([4]).mul(2));
      tm.tidy(() => void tm.keep(tm.zeros([5])));
    })();
    expect(tm.memory().numTensors).toBeGreaterThan(start);
    expect(await collected()).toBe(start);
  });

  it('a graph recorded for backward but never walked frees what its ops saved once garbage', async () => {
    const w = tm.randn([4, 3], { seed: 1 });
    w.requiresGrad = true;
    const start = await collected();
    (() => {
      const loss = tm.tidy(() => tm.ones([2, 4]).matmul(w).relu().square().sum());
      expect(loss.gradFn).not.toBeNull();
    })();
    expect(tm.memory().numTensors).toBeGreaterThan(start + 1); // the loss and the views its ops saved
    expect(await collected()).toBe(start);
    w.dispose();
  });

  it.each(BACKENDS)('on %s, a graph recorded outside tidy and dropped frees its saved views once, leaving the tensors they viewed whole', async (backend) => {
    await tm.init({ backend });
    const w = tm.randn([64, 32], { seed: 1 }).mul(1);
    const x = tm.randn([8, 64], { seed: 2 }).mul(1);
    w.requiresGrad = true;
    const [wBefore, xBefore] = [await w.data(), await x.data()];
    const start = await collected();
    (() => {
      w.relu(); // saves a view of w
      x.matmul(w).neg(); // saves views of x and w
    })();
    // Freed twice, the views' storage went back to the backend while w and x still held it: the count
    // fell below the start, and the next allocations overwrote (or, on webgpu, invalidated) w and x.
    expect(await collected()).toBe(start);
    const scratch = [1, 2, 3].map((s) => tm.randn([64, 32], { seed: 100 + s }).mul(0).add(42));
    await Promise.all(scratch.map((t) => t.data()));
    expect(await w.data()).toEqual(wBefore);
    expect(await x.data()).toEqual(xBefore);
    expect(await x.matmul(w).sum().item()).toBeCloseTo(matmulSum(xBefore, wBefore), 2);
    for (const t of [w, x, ...scratch]) t.dispose();
    await tm.init({ backend: 'js' });
  });

  it.each(BACKENDS)('on %s, assign inside tidy leaves the assigned value\'s storage to its own tensor once the scope has freed the target', async (backend) => {
    await tm.init({ backend });
    const v = tm.randn([64, 32], { seed: 3 }).mul(1);
    const before = await v.data();
    const start = await collected();
    tm.tidy(() => void tm.zeros([64, 32]).assign(v));
    // Registered with the finalizer by assign as well as freed by the scope, the target released v's storage a second time.
    expect(await collected()).toBe(start);
    const scratch = [1, 2, 3].map((s) => tm.randn([64, 32], { seed: 200 + s }).mul(0).add(7));
    await Promise.all(scratch.map((t) => t.data()));
    expect(await v.data()).toEqual(before);
    expect(await v.sum().item()).toBeCloseTo(Array.from(before).reduce((a, b) => a + b, 0), 3);
    for (const t of [v, ...scratch]) t.dispose();
    await tm.init({ backend: 'js' });
  });

  it('backward frees the saved views and every gradient on the way: only the leaf gradients stay', async () => {
    const w = tm.randn([4, 3], { seed: 1 });
    w.requiresGrad = true;
    const start = tm.memory().numTensors;
    tm.tidy(() => tm.ones([2, 4]).matmul(w).relu().square().sum().backward());
    expect(tm.memory().numTensors).toBe(start + 1); // w.grad
    w.grad!.dispose();
    w.dispose();
  });
});

/** Σ of x [8, 64] · w [64, 32], in float64. */
function matmulSum(x: ArrayLike<number>, w: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) for (let j = 0; j < 32; j++) for (let k = 0; k < 64; k++) sum += x[i * 64 + k] * w[k * 32 + j];
  return sum;
}
