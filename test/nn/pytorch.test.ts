// tm.nn.loadPytorch against state_dicts laid out as PyTorch saves them
// (written here byte by byte, with PyTorch's dtypes: F32, BF16, I64 for
// num_batches_tracked): each tensor lands under tmnn's name in tmnn's
// layout, and the model computes what PyTorch's equations give with
// PyTorch's weights (Linear's x·Wᵀ + b, the LSTM's gates from W_ih·x).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose, uniform } from '../helpers/data.js';
import { conv2dRef, f64, groupNormRef, recurrentRef, transpose2 } from '../helpers/float64.js';

type Entry = { dtype: 'F32' | 'BF16' | 'I64'; shape: number[]; values: number[] };

/** A safetensors file as safetensors.torch.save_file writes one. */
function torchFile(entries: Record<string, Entry>): Uint8Array {
  const sizes = { F32: 4, BF16: 2, I64: 8 };
  let offset = 0;
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  for (const [name, e] of Object.entries(entries)) {
    const bytes = new Uint8Array(e.values.length * sizes[e.dtype]);
    const view = new DataView(bytes.buffer);
    e.values.forEach((v, i) => {
      if (e.dtype === 'F32') view.setFloat32(4 * i, v, true);
      else if (e.dtype === 'I64') view.setBigInt64(8 * i, BigInt(v), true);
      else view.setUint16(2 * i, new Uint32Array(Float32Array.of(v).buffer)[0] >>> 16, true);
    });
    header[name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    parts.push(bytes);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const f32 = (shape: number[], lo = -1, hi = 1): Entry => ({ dtype: 'F32', shape, values: Array.from(uniform(shape.reduce((a, b) => a * b, 1), lo, hi), Math.fround) });

describe.each(BACKENDS)('loadPytorch on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it("maps Linear, BatchNorm1d and a bidirectional LSTM's state_dict by name and layout, and computes PyTorch's function of those weights", async () => {
    const model = new tm.nn.Sequential([
      new tm.nn.Dense(3, 4), new tm.nn.BatchNorm1d(4),
      new tm.nn.LSTM(4, 2, { bidirectional: true, output: 'last' }), new tm.nn.Dense(4, 2, { bias: false }),
    ]);
    // model.layers as PyTorch numbers them: 0 Linear, 1 BatchNorm1d, 2 LSTM, 3 Linear.
    const state: Record<string, Entry> = {
      '0.weight': f32([4, 3]), '0.bias': f32([4]),
      '1.weight': f32([4], 0.5, 1.5), '1.bias': f32([4]), '1.running_mean': f32([4]), '1.running_var': f32([4], 0.5, 2),
      '1.num_batches_tracked': { dtype: 'I64', shape: [], values: [1234] },
      '2.weight_ih_l0': f32([8, 4]), '2.weight_hh_l0': f32([8, 2]), '2.bias_ih_l0': f32([8]), '2.bias_hh_l0': f32([8]),
      '2.weight_ih_l0_reverse': f32([8, 4]), '2.weight_hh_l0_reverse': f32([8, 2]), '2.bias_ih_l0_reverse': f32([8]), '2.bias_hh_l0_reverse': f32([8]),
      '3.weight': { ...f32([2, 4]), dtype: 'BF16' },
    };
    // BF16 keeps an f32's top 16 bits: the values the file holds.
    state['3.weight'].values = state['3.weight'].values.map((v) => new Float32Array(Uint32Array.of(new Uint32Array(Float32Array.of(v).buffer)[0] & 0xffff0000).buffer)[0]);
    tm.nn.loadPytorch(model, torchFile(state));

    const named = model.namedState();
    const t = (name: string) => f64(state[name].shape, state[name].values);
    expect(Array.from(await named['0.weight'].data())).toEqual(Array.from(transpose2(t('0.weight')).v));
    expect(Array.from(await named['1.runningVar'].data())).toEqual(state['1.running_var'].values);
    expect(Array.from(await named['2.weightHhL0Reverse'].data())).toEqual(Array.from(transpose2(t('2.weight_hh_l0_reverse')).v));
    expect(Array.from(await named['3.weight'].data())).toEqual(Array.from(transpose2(t('3.weight')).v));

    // PyTorch's forward in eval mode, in float64, from PyTorch's weights.
    const [batch, time] = [2, 3];
    const x = f64([batch, time, 3], Array.from(uniform(batch * time * 3), Math.fround));
    const linear = (v: number[], w: string, b: string | null, rows: number) => {
      const [out, inputs] = state[w].shape;
      return Array.from({ length: rows * out }, (_, k) => {
        const [r, o] = [Math.floor(k / out), k % out];
        let s = b ? state[b].values[o] : 0;
        for (let i = 0; i < inputs; i++) s += v[r * inputs + i] * state[w].values[o * inputs + i];
        return s;
      });
    };
    const h = linear(Array.from(x.v), '0.weight', '0.bias', batch * time);
    expectClose(await model.layers[0].forward(tm.tensor(x.v, x.shape)).data(), h, 1e-5); // Linear: x·Wᵀ + b
    const lstmOnly = new tm.nn.Sequential([new tm.nn.LSTM(4, 2, { bidirectional: true, output: 'last' })]);
    const lstmState = Object.fromEntries(Object.entries(state).filter(([k]) => k.startsWith('2.')).map(([k, v]) => [`0.${k.slice(2)}`, v]));
    tm.nn.loadPytorch(lstmOnly, torchFile(lstmState));
    const cell = (suffix: string) => ({
      weightIh: transpose2(t(`2.weight_ih_l0${suffix}`)), weightHh: transpose2(t(`2.weight_hh_l0${suffix}`)),
      biasIh: t(`2.bias_ih_l0${suffix}`), biasHh: t(`2.bias_hh_l0${suffix}`),
    });
    const want = recurrentRef('LSTM', f64([batch, time, 4], h), [cell(''), cell('_reverse')], { hidden: 2, layers: 1, directions: 2 });
    const got = await lstmOnly.predict(tm.tensor(h, [batch, time, 4])).data();
    const last = Array.from({ length: batch }, (_, b) => [...Array.from(want.h.v.slice(b * 2, b * 2 + 2)), ...Array.from(want.h.v.slice((batch + b) * 2, (batch + b) * 2 + 2))]).flat();
    expectClose(got, last, 1e-5);
  });

  it("maps a TransformerEncoderLayer's self_attn, linear1/2 and norm1/2", async () => {
    const layer = new tm.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 });
    const model = new tm.nn.Sequential([layer]);
    const state: Record<string, Entry> = {
      '0.self_attn.in_proj_weight': f32([12, 4]), '0.self_attn.in_proj_bias': f32([12]),
      '0.self_attn.out_proj.weight': f32([4, 4]), '0.self_attn.out_proj.bias': f32([4]),
      '0.linear1.weight': f32([6, 4]), '0.linear1.bias': f32([6]), '0.linear2.weight': f32([4, 6]), '0.linear2.bias': f32([4]),
      '0.norm1.weight': f32([4]), '0.norm1.bias': f32([4]), '0.norm2.weight': f32([4]), '0.norm2.bias': f32([4]),
    };
    tm.nn.loadPytorch(model, torchFile(state));
    const t = (name: string) => f64(state[name].shape, state[name].values);
    expect(Array.from(await layer.selfAttn.inProjWeight.data())).toEqual(Array.from(transpose2(t('0.self_attn.in_proj_weight')).v));
    expect(Array.from(await layer.selfAttn.outProjWeight.data())).toEqual(Array.from(transpose2(t('0.self_attn.out_proj.weight')).v));
    expect(Array.from(await layer.linear2.weight.data())).toEqual(Array.from(transpose2(t('0.linear2.weight')).v));
    expect(Array.from(await layer.norm2.bias.data())).toEqual(state['0.norm2.bias'].values);
  });

  it("maps GroupNorm's and InstanceNorm's weight, bias, running_mean and running_var (num_batches_tracked read past), and computes PyTorch's eval-mode function of them", async () => {
    const model = new tm.nn.Sequential([new tm.nn.Conv1d(2, 4, 3), new tm.nn.GroupNorm(2, 4), new tm.nn.InstanceNorm1d(4, { affine: true, trackRunningStats: true })]);
    const state: Record<string, Entry> = {
      '0.weight': f32([4, 2, 3]), '0.bias': f32([4]),
      '1.weight': f32([4], 0.5, 1.5), '1.bias': f32([4]),
      '2.weight': f32([4], 0.5, 1.5), '2.bias': f32([4]), '2.running_mean': f32([4]), '2.running_var': f32([4], 0.5, 2),
      '2.num_batches_tracked': { dtype: 'I64', shape: [], values: [77] },
    };
    tm.nn.loadPytorch(model, torchFile(state));
    const norm = model.layers[2] as tm.nn.InstanceNorm1d;
    expect(Array.from(await norm.runningMean!.data())).toEqual(state['2.running_mean'].values);
    expect(Array.from(await (model.layers[1] as tm.nn.GroupNorm).weight!.data())).toEqual(state['1.weight'].values);

    const [batch, length] = [3, 8];
    const x = f64([batch, 2, length], Array.from(uniform(batch * 2 * length), Math.fround));
    const t = (name: string) => f64(state[name].shape, state[name].values);
    const conv = conv2dRef({ shape: [batch, 2, 1, length], v: x.v }, { shape: [4, 2, 1, 3], v: t('0.weight').v }, { stride: [1, 1], dilation: [1, 1], sides: [[0, 0], [0, 0]] });
    const h = f64([batch, 4, length - 2], conv.v.map((v, i) => v + state['0.bias'].values[Math.floor(i / (length - 2)) % 4]));
    const grouped = groupNormRef(h, 2, 1e-5, t('1.weight'), t('1.bias'));
    const [rm, rv, w, b] = ['2.running_mean', '2.running_var', '2.weight', '2.bias'].map((name) => state[name].values);
    const want = grouped.v.map((v, i) => {
      const c = Math.floor(i / (length - 2)) % 4;
      return ((v - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * w[c] + b[c];
    });
    expectClose(await model.predict(tm.tensor(x.v, x.shape)).data(), want, backend === 'webgpu' ? 1e-4 : 1e-5);
  });

  it("maps RMSNorm's weight, and computes PyTorch's function of it (ε None: f32's machine epsilon)", async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 4), new tm.nn.RMSNorm(4)]);
    const state: Record<string, Entry> = { '0.weight': f32([4, 3]), '0.bias': f32([4]), '1.weight': f32([4], 0.5, 1.5) };
    tm.nn.loadPytorch(model, torchFile(state));
    expect(Array.from(await (model.layers[1] as tm.nn.RMSNorm).weight!.data())).toEqual(state['1.weight'].values);
    const x = Array.from(uniform(5 * 3), Math.fround);
    const [w, b, g] = ['0.weight', '0.bias', '1.weight'].map((name) => state[name].values);
    const want = Array.from({ length: 5 }, (_, r) => {
      const h = Array.from({ length: 4 }, (_, o) => b[o] + [0, 1, 2].reduce((s, i) => s + x[r * 3 + i] * w[o * 3 + i], 0));
      const rms = Math.sqrt(h.reduce((s, v) => s + v * v, 0) / 4 + 2 ** -23);
      return h.map((v, o) => (v / rms) * g[o]);
    }).flat();
    expectClose(await model.predict(tm.tensor(x, [5, 3])).data(), want, backend === 'webgpu' ? 1e-4 : 1e-5);
  });

  it("maps weight_norm's weight_g and weight_v and spectral_norm's weight_orig, weight_u and weight_v, and computes PyTorch's eval-mode function of them", async () => {
    const model = new tm.nn.Sequential([tm.nn.utils.weightNorm(new tm.nn.Dense(3, 4)), new tm.nn.Tanh(), tm.nn.utils.spectralNorm(new tm.nn.Dense(4, 2))]);
    // PyTorch: nn.Sequential(weight_norm(nn.Linear(3, 4)), nn.Tanh(), spectral_norm(nn.Linear(4, 2))).
    const state: Record<string, Entry> = {
      '0.bias': f32([4]), '0.weight_g': f32([4, 1], 0.5, 2), '0.weight_v': f32([4, 3]),
      '2.bias': f32([2]), '2.weight_orig': f32([2, 4]),
    };
    // u and v as PyTorch's power iteration leaves them, near W's first singular vectors, so that σ = uᵀ·W·v is near
    // its largest singular value (random u and v put σ near 0 in a few draws in a hundred, and the test then measured
    // how f32 rounds a sum that cancels, not the mapping).
    const wOrig = state['2.weight_orig'].values;
    let [uIt, vIt] = [[1, 0], [1, 1, 1, 1]];
    const unit = (a: number[]) => a.map((x) => x / Math.hypot(...a));
    for (let k = 0; k < 20; k++) {
      uIt = unit([0, 1].map((o) => [0, 1, 2, 3].reduce((s, i) => s + wOrig[o * 4 + i] * vIt[i], 0)));
      vIt = unit([0, 1, 2, 3].map((i) => [0, 1].reduce((s, o) => s + wOrig[o * 4 + i] * uIt[o], 0)));
    }
    state['2.weight_u'] = { dtype: 'F32', shape: [2], values: uIt.map(Math.fround) };
    state['2.weight_v'] = { dtype: 'F32', shape: [4], values: vIt.map(Math.fround) };
    tm.nn.loadPytorch(model, torchFile(state));
    const g = state['0.weight_g'].values;
    const v = state['0.weight_v'].values;
    expectClose(await (model.layers[0] as tm.nn.Dense & { weightG: tm.Tensor }).weightG.data(), g, 0);
    // Linear's rows W[o] = g[o] · v[o] / ‖v[o]‖, and W₂ = weight_orig / uᵀ·weight_orig·v.
    const w0 = v.map((x, i) => (g[Math.floor(i / 3)] * x) / Math.hypot(...v.slice(3 * Math.floor(i / 3), 3 * Math.floor(i / 3) + 3)));
    const [orig, u, v2] = [state['2.weight_orig'].values, state['2.weight_u'].values, state['2.weight_v'].values];
    const sigma = u.reduce((s, ui, o) => s + ui * v2.reduce((t, vi, i) => t + orig[o * 4 + i] * vi, 0), 0);
    const x = uniform(5 * 3);
    const want: number[] = [];
    for (let n = 0; n < 5; n++) {
      const h = [0, 1, 2, 3].map((o) => Math.tanh(state['0.bias'].values[o] + [0, 1, 2].reduce((s, i) => s + x[n * 3 + i] * w0[o * 3 + i], 0)));
      for (let o = 0; o < 2; o++) want.push(state['2.bias'].values[o] + h.reduce((s, hi, i) => s + (hi * orig[o * 4 + i]) / sigma, 0));
    }
    model.eval();
    expectClose(await model.forward(tm.tensor(x, [5, 3])).data(), want, 1e-5);
  });

  it('refuses a missing tensor, a shape that does not fit and a tensor with no place, leaving the model as it was', async () => {
    const model = new tm.nn.Sequential([new tm.nn.Dense(3, 2), new tm.nn.Conv1d(1, 2, 3)]);
    const before = Array.from(await model.namedState()['0.weight'].data());
    const good: Record<string, Entry> = { '0.weight': f32([2, 3]), '0.bias': f32([2]), '1.weight': f32([2, 1, 3]), '1.bias': f32([2]) };
    const { ['1.bias']: _, ...missing } = good;
    expect(() => tm.nn.loadPytorch(model, torchFile(missing))).toThrow('loadPytorch: the state_dict has no 1.bias (for 1.bias, [2])');
    expect(() => tm.nn.loadPytorch(model, torchFile({ ...good, '0.weight': f32([3, 2]) }))).toThrow("loadPytorch: 0.weight is [3,2], 0.weight needs [2,3] there (PyTorch's [out, in] of tmnn's [3,2])");
    expect(() => tm.nn.loadPytorch(model, torchFile({ ...good, '2.weight': f32([1]) }))).toThrow('loadPytorch: the state_dict holds 2.weight, which the model has no place for (a different architecture?)');
    expect(Array.from(await model.namedState()['0.weight'].data())).toEqual(before);
    expect(() => tm.nn.loadPytorch(model, torchFile({ ...good, '1.bias': { dtype: 'I64', shape: [2], values: [2 ** 40, 0] } }))).toThrow(/holds 1099511627776 at 0, past i32's range/);
  });
});

describe('decodeSafetensors', () => {
  it("refuses BF16, F64 and I64 unless asked to widen them", () => {
    const file = torchFile({ a: { dtype: 'I64', shape: [1], values: [3] } });
    expect(() => tm.decodeSafetensors(file)).toThrow(/has dtype I64, which tmnn does not support/);
    expect(tm.decodeSafetensors(file, { widen: true }).entries.a).toMatchObject({ dtype: 'i32', shape: [1], data: Int32Array.of(3) });
  });
});
