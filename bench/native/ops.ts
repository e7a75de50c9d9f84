// Ops other than matmul on the native backend, next to TensorFlow.js's wasm
// backend (the CPU peer that trains fastest) on the same values: elementwise
// maps, a selection, a gather of rows, reductions along either axis, a
// variance, softmax and an Adam step on a [512, 512] f32 matrix (1 MiB: in
// cache, so the kernel's own speed shows rather than the memory's); a
// convolution (alone, and with its gradients) and a pooling of a batch of
// 32 images 8×28×28 (tfjs takes them NHWC, tmnn NCHW: each in its own
// layout); an affine warp of 8 images 16×64×64; an LSTM and a GRU layer.
// Each timed call runs the op ten times (a recurrent layer once), tmnn and tfjs in turn so that
// load on the machine hits both alike.
// Both backends compute synchronously on the calling thread here.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tm from '../../src/index.js';
import { bestOfEach } from '../harness.js';
import { useTfjs } from '../peers/tfjs.js';
import { SEQUENCE, recurrentPair } from '../recurrent_pair.js';

export interface NativeOpRow {
  op: string;
  /** µs per op. */
  tmnn: number;
  tfjs: number;
}

const SHAPE = [512, 512];

const freeSorted = ({ values, indices }: tm.Sorted) => {
  values.dispose();
  indices.dispose();
};
const REPEATS = 10;

/** µs per op for each case; makes tfjs's wasm backend the active one. */
export async function nativeOpTimes(ms = 300): Promise<NativeOpRow[]> {
  await tm.init({ backend: 'native' });
  await useTfjs('wasm');
  const [x, y, g] = [1, 2, 3].map((seed) => tm.randn(SHAPE, { seed }));
  const b = tm.randn([SHAPE[1]], { seed: 4 });
  const ax = x.abs(); // log's argument
  const column = tm.rand([SHAPE[0], 1], { seed: 9 }).mul(4).sub(2); // an exponent a row
  // 512 rows of x picked by index, repeats included: an Embedding's lookup.
  const picks = Int32Array.from({ length: SHAPE[0] }, (_, i) => (i * 389) % SHAPE[0]);
  const rowIds = tm.tensor(picks);
  const [tx, ty, tg, tb, tax, tcolumn] = await Promise.all([x, y, g, b, ax, column].map(async (t) => tf.tensor(await t.data(), [...t.shape])));
  const trows = tf.tensor1d(picks, 'int32');
  // An Adam step on one [512, 512] parameter with a fixed gradient, on each side.
  const param = tm.randn(SHAPE, { seed: 5 });
  param.requiresGrad = true;
  param.grad = g;
  const adam = new tm.optim.Adam([param], { lr: 1e-3 });
  const tparam = tf.variable(tf.tensor(await param.data(), SHAPE));
  const tadam = tf.train.adam(1e-3);
  // The second convolution of a small MNIST CNN: 8 → 16 channels, 3×3, zero padding keeping 28×28.
  const images = tm.randn([32, 8, 28, 28], { seed: 6 });
  const filters = tm.randn([16, 8, 3, 3], { seed: 7 });
  const [nhwc, hwio] = tm.tidy(() => [images.transpose([0, 2, 3, 1]), filters.transpose([2, 3, 1, 0])]);
  const timages = tf.tensor4d((await nhwc.data()) as Float32Array, [32, 28, 28, 8]);
  const tfilters = tf.tensor4d((await hwio.data()) as Float32Array, [3, 3, 8, 16]);
  // The same convolution in training: both gradients of Σ y², from the forward on.
  const [gradImages, gradFilters] = [images, filters].map((t) => {
    const c = t.clone();
    c.requiresGrad = true;
    return c;
  });
  const convStep = () => {
    tm.tidy(() => tm.conv2d(gradImages, gradFilters, { padding: 1 }).square().sum()).backward();
    for (const t of [gradImages, gradFilters]) {
      t.grad!.dispose();
      t.grad = null;
    }
  };

  // A spatial transformer's warp: 8 images 16×64×64 each turned about its centre and shifted 3.2 pixels, read
  // bilinearly where the map sends every output pixel; tfjs's image.transform takes the same map in pixels.
  const warped = tm.randn([8, 16, 64, 64], { seed: 8 });
  const angles = Array.from({ length: 8 }, (_, i) => i / 8);
  const theta = tm.tensor(angles.map((a) => [[Math.cos(a), -Math.sin(a), 0.1], [Math.sin(a), Math.cos(a), -0.1]]));
  const warpedNhwc = warped.transpose([0, 2, 3, 1]);
  const twarped = tf.tensor4d((await warpedNhwc.data()) as Float32Array, [8, 64, 64, 16]);
  warpedNhwc.dispose();
  const centre = 31.5;
  const ttransforms = tf.tensor2d(
    angles.map((a) => {
      const [c, s] = [Math.cos(a), Math.sin(a)];
      return [c, -s, centre - c * centre + s * centre + 3.2, s, c, centre - s * centre - c * centre - 3.2, 0, 0];
    }),
    [8, 8],
  );

  const cases: { op: string; tmnn: () => void; tfjs: () => void }[] = [
    { op: 'x + y', tmnn: () => x.add(y).dispose(), tfjs: () => tf.add(tx, ty).dispose() },
    { op: 'x + b (b a row, broadcast)', tmnn: () => x.add(b).dispose(), tfjs: () => tf.add(tx, tb).dispose() },
    { op: 'relu(x)', tmnn: () => x.relu().dispose(), tfjs: () => tf.relu(tx).dispose() },
    { op: 'exp(x)', tmnn: () => x.exp().dispose(), tfjs: () => tf.exp(tx).dispose() },
    { op: 'tanh(x)', tmnn: () => x.tanh().dispose(), tfjs: () => tf.tanh(tx).dispose() },
    { op: 'pow(x, 2)', tmnn: () => x.pow(2).dispose(), tfjs: () => tf.pow(tx, 2).dispose() },
    { op: 'pow(|x|, 1.5)', tmnn: () => ax.pow(1.5).dispose(), tfjs: () => tf.pow(tax, 1.5).dispose() },
    { op: 'pow(|x|, y), an exponent each', tmnn: () => ax.pow(y).dispose(), tfjs: () => tf.pow(tax, ty).dispose() },
    { op: 'pow(|x|, c), c a column: an exponent a row', tmnn: () => ax.pow(column).dispose(), tfjs: () => tf.pow(tax, tcolumn).dispose() },
    { op: 'atan2(x, y)', tmnn: () => tm.atan2(x, y).dispose(), tfjs: () => tf.atan2(tx, ty).dispose() },
    { op: 'log(|x|)', tmnn: () => ax.log().dispose(), tfjs: () => tf.log(tax).dispose() },
    { op: 'sin(x)', tmnn: () => x.sin().dispose(), tfjs: () => tf.sin(tx).dispose() },
    { op: 'round(x)', tmnn: () => x.round().dispose(), tfjs: () => tf.round(tx).dispose() },
    { op: 'gather(x, 512 row indices)', tmnn: () => x.gather(rowIds).dispose(), tfjs: () => tf.gather(tx, trows).dispose() },
    { op: 'where(x > 0, x, y)', tmnn: () => tm.tidy(() => tm.where(x.greater(0), x, y)).dispose(), tfjs: () => tf.tidy(() => tf.where(tf.greater(tx, 0), tx, ty)).dispose() },
    { op: 'sum(x, axis 1)', tmnn: () => x.sum(1).dispose(), tfjs: () => tf.sum(tx, 1).dispose() },
    { op: 'max(x, axis 1)', tmnn: () => x.max(1).dispose(), tfjs: () => tf.max(tx, 1).dispose() },
    { op: 'sum(x, axis 0)', tmnn: () => x.sum(0).dispose(), tfjs: () => tf.sum(tx, 0).dispose() },
    { op: 'softmax(x)', tmnn: () => x.softmax().dispose(), tfjs: () => tf.softmax(tx).dispose() },
    { op: 'topk(x, 10) along rows', tmnn: () => freeSorted(x.topk(10)), tfjs: () => tf.dispose(tf.topk(tx, 10)) },
    { op: 'sort(x) along rows', tmnn: () => freeSorted(x.sort({ descending: true })), tfjs: () => tf.dispose(tf.topk(tx, SHAPE[1])) },
    { op: 'variance(x, axis 1)', tmnn: () => x.variance(1).dispose(), tfjs: () => tf.tidy(() => tf.moments(tx, 1).variance).dispose() },
    { op: 'conv2d 32×8×28² by 16×8×3², pad 1', tmnn: () => tm.conv2d(images, filters, { padding: 1 }).dispose(), tfjs: () => tf.conv2d(timages, tfilters, 1, 'same').dispose() },
    { op: 'maxPool2d 32×8×28², 2×2', tmnn: () => tm.maxPool2d(images, 2).dispose(), tfjs: () => tf.maxPool(timages, 2, 2, 'valid').dispose() },
    {
      op: 'affine warp of 8×16×64², bilinear (affineGrid + gridSample; tfjs image.transform)',
      tmnn: () => tm.tidy(() => tm.gridSample(warped, tm.affineGrid(theta, warped.shape))).dispose(),
      tfjs: () => tf.image.transform(twarped, ttransforms, 'bilinear').dispose(),
    },
    { op: 'Adam step', tmnn: () => adam.step(), tfjs: () => tadam.applyGradients([{ name: tparam.name, tensor: tg }]) },
  ];
  const rows: NativeOpRow[] = [];
  const times = (run: () => void) => async () => {
    for (let i = 0; i < REPEATS; i++) run();
  };
  for (const c of cases) {
    const t = await bestOfEach({ tmnn: times(c.tmnn), tfjs: times(c.tfjs) }, ms);
    rows.push({ op: c.op, tmnn: (1000 * t.tmnn) / REPEATS, tfjs: (1000 * t.tfjs) / REPEATS });
  }
  // tfjs-wasm has no Conv2DBackpropFilter kernel (a conv's weight gradient throws there): tfjs trains a conv on its cpu backend.
  if (!(await tf.setBackend('cpu'))) throw new Error("tfjs: the 'cpu' backend did not start");
  const [cpuImages, cpuFilters] = await Promise.all([nhwc, hwio].map(async (t) => tf.tensor4d((await t.data()) as Float32Array, t.shape as [number, number, number, number])));
  const convGrads = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))));
  // Seconds a step there: one run a round, and a single round after the warm-up.
  const t = await bestOfEach({ tmnn: times(convStep), tfjs: async () => tf.dispose(convGrads([cpuImages, cpuFilters])) }, ms, 1);
  rows.push({ op: 'conv2d as above, forward + both gradients (tfjs-cpu: wasm has no conv weight gradient)', tmnn: (1000 * t.tmnn) / REPEATS, tfjs: 1000 * t.tfjs });
  tf.dispose([cpuImages, cpuFilters]);
  await useTfjs('wasm');
  rows.push(...await recurrentRows('LSTM', ms), ...await recurrentRows('GRU', ms));

  for (const t of [x, y, b, ax, column, rowIds, param, images, filters, nhwc, hwio, gradImages, gradFilters, warped, theta]) t.dispose();
  adam.dispose();
  tf.dispose([tx, ty, tg, tb, tax, tcolumn, trows, tparam, timages, tfilters, twarped, ttransforms]);
  tadam.dispose();
  return rows;
}

/**
 * An LSTM or a GRU as a sequence classifier reads MNIST (recurrent_pair.ts),
 * beside tfjs-layers' layer of that kind on wasm: forward over the whole
 * sequence, and a training step (forward and the gradients of every weight).
 */
async function recurrentRows(kind: 'LSTM' | 'GRU', ms: number): Promise<NativeOpRow[]> {
  const { batch, time, features, units } = SEQUENCE;
  const pair = await recurrentPair(kind);
  const { layer, x, peer, tx } = pair;
  const step = () => {
    pair.backward();
    pair.clearGrads();
  };
  const peerStep = () => tf.dispose(pair.peerGrads());
  // Inference: no graph recorded (a forward whose graph is dropped unwalked holds its saved tensors until the garbage collector runs).
  const forward = await bestOfEach({ tmnn: async () => tm.noGrad(() => layer.forward(x)).dispose(), tfjs: async () => tf.dispose(peer.apply(tx) as tf.Tensor) }, ms);
  const training = await bestOfEach({ tmnn: async () => step(), tfjs: async () => peerStep() }, ms);
  pair.dispose();
  return [
    { op: `${kind} ${batch}×${time}×${features} → ${units}, forward, no gradients (tfjs-layers' ${kind.toLowerCase()})`, tmnn: 1000 * forward.tmnn, tfjs: 1000 * forward.tfjs },
    { op: `${kind} as above, forward + the gradients of its weights`, tmnn: 1000 * training.tmnn, tfjs: 1000 * training.tfjs },
  ];
}
