import { describe, it } from 'vitest';
import * as tm from '../src/index.js';
const B = (process.env.PB ?? 'js') as tm.BackendName;
const tryit = (name: string, f: () => unknown) => { try { const r = f(); console.log(name, 'OK', r instanceof tm.Tensor ? r.shape : r); } catch (e) { console.log(name, 'ERR', (e as Error).message); } };

describe('probe4', () => {
  it('edges', async () => {
    await tm.init({ backend: B });
    tryit('interp empty batch', () => tm.interpolate2d(tm.zeros([0, 2, 3, 3]), { size: 5, mode: 'bilinear' }));
    tryit('conv reflect empty batch', () => new tm.nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: 'reflect' }).forward(tm.zeros([0, 2, 4, 4])));
    tryit('pad reflect empty other axis', () => tm.zeros([0, 4]).pad([[0, 0], [2, 1]], { mode: 'reflect' }));
    tryit('pad reflect value ignored', () => tm.ones([3]).pad([[1, 1]], { mode: 'reflect', value: 5 }));
    tryit('pad scalar reflect', () => tm.scalar(3).pad([], { mode: 'reflect' }));
    tryit('pad f16 circular', () => tm.ones([3], { dtype: 'f16' }).pad([[3, 3]], { mode: 'circular' }));
    tryit('pad bool replicate', () => tm.tensor([1, 0]).greater(0).pad([[1, 1]], { mode: 'replicate' }));
    const bn = new tm.nn.BatchNorm2d(2);
    const m = new tm.nn.Sequential([new tm.nn.Conv2d(1, 2, 3), bn, new tm.nn.AdaptiveAvgPool2d(1), new tm.nn.Flatten(), new tm.nn.Upsample({ scaleFactor: 2 })]);
    tryit('summary upsample after flatten', () => m.summary([1, 8, 8]));
    const m2 = new tm.nn.Sequential([new tm.nn.Conv2d(1, 2, 3), bn, new tm.nn.AdaptiveMaxPool2d([3, 2])]);
    const before = Array.from(await bn.runningMean!.data());
    const n0 = tm.memory().numTensors;
    tryit('summary', () => m2.summary([1, 8, 8]));
    console.log('leak', tm.memory().numTensors - n0, 'rm same', JSON.stringify(Array.from(await bn.runningMean!.data())) === JSON.stringify(before));
    tryit('adaptive out bigger 1d', () => tm.adaptiveMaxPool1d(tm.randn([1, 2, 3]), 7));
    tryit('interp scale huge', () => tm.interpolate1d(tm.randn([1, 1, 3]), { scaleFactor: 1e9 }));
    tryit('Upsample size pair on seq', () => new tm.nn.Upsample({ size: [4, 4] }).forward(tm.zeros([1, 2, 3])));
    tryit('Upsample bilinear on seq', () => new tm.nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(tm.zeros([1, 2, 3])));
    tryit('Upsample linear on images', () => new tm.nn.Upsample({ scaleFactor: 2, mode: 'linear' }).forward(tm.zeros([1, 2, 3, 3])));
    tryit('BN affine non-bool', () => new tm.nn.BatchNorm1d(3, { affine: 0 as unknown as boolean }));
    tryit('Conv paddingMode zeros cfg', () => JSON.stringify(new tm.nn.Conv1d(1, 1, 3, { paddingMode: 'zeros' }).config()));
    // recurrent: LSTM state roundtrip with f16 x
    const lstm = new tm.nn.LSTM(3, 4);
    const x16 = tm.randn([2, 5, 3]).cast('f16');
    const r = lstm.run(x16);
    tryit('lstm feed back f16', () => lstm.run(x16, r.state).output);
    const lstmh = tm.nn.fromBytes(await new tm.nn.Sequential([new tm.nn.LSTM(3, 4)]).toBytes());
    tryit('f32 lstm ok', () => (lstmh.layers[0] as tm.nn.LSTM).run(tm.randn([2, 5, 3]), { h: tm.zeros([1, 2, 4]), c: tm.zeros([1, 2, 4]) }).output);
  });
});
