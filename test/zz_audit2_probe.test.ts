import { describe, expect, it } from 'vitest';
import * as tm from '../src/index.js';

const B = (process.env.PB ?? 'js') as tm.BackendName;
const arr = async (t: tm.Tensor) => Array.from(await t.data()).map((v) => Math.round(Number(v) * 1e4) / 1e4);

describe('probe', () => {
  it('interpolate scaleFactor vs PyTorch (scale used directly)', async () => {
    await tm.init({ backend: B });
    // n=10, scale 0.35 -> m=3. PyTorch nearest: floor(i/0.35) = 0,2,5 ; tmnn uses n/m -> 0,3,6
    const x = tm.arange(0, 10, 1, { dtype: 'f32' }).reshape([1, 1, 10]);
    console.log('nearest 10*0.35', await arr(tm.interpolate1d(x, { scaleFactor: 0.35 })));
    // n=5, s=1.5 -> m=7 linear. PyTorch: src=(i+.5)/1.5-.5
    const x5 = tm.arange(0, 5, 1, { dtype: 'f32' }).reshape([1, 1, 5]);
    const torch = Array.from({ length: 7 }, (_, i) => { const s = Math.max(0, (i + 0.5) / 1.5 - 0.5); const l = Math.min(4, Math.floor(s)); const h = Math.min(4, l + 1); return Math.round((l + (h - l) * (s - l)) * 1e4) / 1e4; });
    console.log('linear 5*1.5 tmnn', await arr(tm.interpolate1d(x5, { scaleFactor: 1.5, mode: 'linear' })), 'torch', torch);
    // n=3, s=1.2 -> m=3, PyTorch not identity
    const x3 = tm.tensor([0, 10, 20]).reshape([1, 1, 3]);
    const t3 = Array.from({ length: 3 }, (_, i) => { const s = Math.max(0, (i + 0.5) / 1.2 - 0.5); const l = Math.min(2, Math.floor(s)); const h = Math.min(2, l + 1); return Math.round((10 * l + 10 * (h - l) * (s - l)) * 1e4) / 1e4; });
    console.log('linear 3*1.2 tmnn', await arr(tm.interpolate1d(x3, { scaleFactor: 1.2, mode: 'linear' })), 'torch', t3);
    console.log('scale 0.1 of 3 ->', tm.interpolate1d(x3, { scaleFactor: 0.1 }).shape);
  });

  it('pad leaks', async () => {
    await tm.init({ backend: B });
    for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) {
      const x = tm.randn([2, 3, 4, 5], { seed: 1 });
      const b0 = tm.memory().numTensors;
      tm.noGrad(() => { const y = x.pad([[0, 0], [1, 1], [2, 1], [3, 2]], { mode }); y.dispose(); });
      const b1 = tm.memory().numTensors;
      const xg = x.clone(); xg.requiresGrad = true;
      const b2 = tm.memory().numTensors;
      tm.tidy(() => { xg.pad([[0, 0], [1, 1], [2, 1], [3, 2]], { mode }).square().sum().backward(); });
      const b3 = tm.memory().numTensors;
      console.log('pad', mode, 'nograd leak', b1 - b0, 'grad leak (expect 1 for grad)', b3 - b2);
      xg.grad?.dispose(); xg.dispose(); x.dispose();
    }
  });

  it('conv paddingMode error message', async () => {
    await tm.init({ backend: B });
    const c = new tm.nn.Conv2d(3, 4, 3, { padding: 1, paddingMode: 'reflect' });
    try { c.forward(tm.zeros([1, 2, 8, 8])); } catch (e) { console.log('conv err:', (e as Error).message); }
    try { c.forward(tm.zeros([2, 8])); } catch (e) { console.log('conv err rank2:', (e as Error).message); }
    try { c.forward(tm.zeros([1, 3, 1, 8])); } catch (e) { console.log('conv err small:', (e as Error).message); }
    const c0 = new tm.nn.Conv2d(3, 4, 3, { padding: 1 });
    try { c0.forward(tm.zeros([2, 8])); } catch (e) { console.log('conv zeros rank2:', (e as Error).message); }
    const b0 = tm.memory().numTensors;
    tm.noGrad(() => c.forward(tm.zeros([1, 3, 8, 8])).dispose());
    console.log('conv reflect nograd leak', tm.memory().numTensors - b0 - 1);
  });

  it('summary edge cases', async () => {
    await tm.init({ backend: B });
    const m = new tm.nn.Sequential([new tm.nn.Embedding(10, 4), new tm.nn.Flatten(), new tm.nn.Dense(12, 2)]);
    try { console.log(m.summary([3])); } catch (e) { console.log('summary embed err:', (e as Error).message); }
    const m2 = new tm.nn.Sequential([new tm.nn.Dense(4, 3), new tm.nn.BatchNorm1d(3, { trackRunningStats: false })]);
    try { console.log(m2.summary([4])); } catch (e) { console.log('summary bn err:', (e as Error).message); }
  });

  it('batchnorm', async () => {
    await tm.init({ backend: B });
    const bn = new tm.nn.BatchNorm1d(3, { affine: false, trackRunningStats: false });
    console.log('bn params', bn.parameters().length, Object.keys(bn.namedState()));
    const m = new tm.nn.Sequential([bn, new tm.nn.BatchNorm2d(2, { affine: false })]);
    const l = tm.nn.fromBytes(await new tm.nn.Sequential([new tm.nn.BatchNorm1d(3, { affine: false, trackRunningStats: false })]).toBytes());
    console.log('bn load cfg', JSON.stringify(l.config()));
    bn.eval();
    const x = tm.randn([4, 3], { seed: 2 });
    console.log('bn eval no-track', await arr(bn.forward(x)));
    try { bn.forward(tm.randn([1, 3])); } catch (e) { console.log('bn eval batch1:', (e as Error).message); }
    m.dispose();
  });
});
