// The browser demo: an MLP learns MNIST digits live, on WebGPU where the
// browser has it (else tmnn's js backend, with a notice). Training runs in
// short bursts that await a loss read-back, which yields to the event loop,
// so the page stays responsive. `?backend=js|webgpu` forces a backend.
// It imports tmnn as a page would, the namespaces it uses from their own
// entry points: its bundler then keeps only what these names reach.
import * as tm from 'tmnn';
import { Dense, Sequential } from 'tmnn/nn';
import { Adam } from 'tmnn/optim';
import { crossEntropy } from 'tmnn/losses';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const PIXELS = 784;

interface Digits { images: Float32Array; labels: Int32Array; count: number }

/** digits.bin (written by build.mjs): u32 train count, u32 test count, then per digit a label byte and 784 pixel bytes. */
async function loadDigits(): Promise<{ train: Digits; test: Digits }> {
  const bytes = new Uint8Array(await (await fetch('digits.bin')).arrayBuffer());
  const [nTrain, nTest] = new Uint32Array(bytes.buffer, 0, 2);
  const take = (from: number, count: number): Digits => {
    const images = new Float32Array(count * PIXELS);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const at = 8 + (from + i) * (PIXELS + 1);
      labels[i] = bytes[at];
      for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = bytes[at + 1 + p] / 255;
    }
    return { images, labels, count };
  };
  return { train: take(0, nTrain), test: take(nTrain, nTest) };
}

/** What the page shows and the browser test reads. */
const state = {
  backend: '' as string,
  steps: 0,
  losses: [] as number[],
  accuracies: [] as { step: number; accuracy: number }[],
  samplesPerSecond: 0,
  running: false,
  prediction: null as null | { digit: number; probabilities: number[] },
  error: null as string | null,
};
(window as unknown as { tmnnDemo: typeof state }).tmnnDemo = state;

const BATCH = 64;
let model: Sequential;
let optimizer: Adam;
let digits: { train: Digits; test: Digits };
let testX: tm.Tensor;

function build(): void {
  model?.dispose();
  optimizer?.dispose();
  tm.setSeed(1);
  const hidden = Math.max(8, Math.min(512, Number(($('hidden') as HTMLInputElement).value) || 64));
  model = new Sequential([new Dense(PIXELS, hidden, { activation: 'relu' }), new Dense(hidden, 10)]);
  optimizer = new Adam(model.parameters(), { lr: Number(($('lr') as HTMLInputElement).value) || 0.003 });
  state.steps = 0;
  state.losses = [];
  state.accuracies = [];
  draw();
}

async function evaluate(): Promise<void> {
  const predicted = tm.tidy(() => model.predict(testX).argmax(1)); // predict: eval mode, no graph recorded
  const p = await predicted.data();
  predicted.dispose();
  let right = 0;
  for (let i = 0; i < digits.test.count; i++) if (p[i] === digits.test.labels[i]) right++;
  state.accuracies.push({ step: state.steps, accuracy: right / digits.test.count });
  $('accuracy').textContent = `${((100 * right) / digits.test.count).toFixed(1)}%`;
}

/** A burst of steps, ending in one read-back of the loss (which also yields to the page). */
async function burst(steps: number): Promise<void> {
  const started = performance.now();
  let loss: tm.Tensor | null = null;
  for (let s = 0; s < steps; s++) {
    const at = ((state.steps * BATCH) % (digits.train.count - BATCH));
    loss?.dispose();
    loss = tm.tidy(() => {
      const x = tm.tensor(digits.train.images.subarray(at * PIXELS, (at + BATCH) * PIXELS), [BATCH, PIXELS]);
      const y = tm.tensor(digits.train.labels.subarray(at, at + BATCH), [BATCH]);
      optimizer.zeroGrad();
      const l = crossEntropy(model.forward(x), y);
      l.backward();
      optimizer.step();
      return l;
    });
    state.steps++;
  }
  const value = (await loss!.data())[0];
  loss!.dispose();
  state.losses.push(value);
  state.samplesPerSecond = (steps * BATCH) / ((performance.now() - started) / 1000);
  $('step').textContent = String(state.steps);
  $('loss').textContent = value.toFixed(4);
  $('sps').textContent = state.samplesPerSecond.toFixed(0);
  if (state.steps % 50 === 0) await evaluate();
  draw();
}

async function run(): Promise<void> {
  if (state.running) return;
  state.running = true;
  try {
    while (state.running) {
      await burst(10);
      // A read-back on the js backend resolves at once: give the page a turn (clicks, drawing) between bursts.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } catch (err) {
    state.error = (err as Error).message;
    notice(`training stopped: ${state.error}`);
    state.running = false;
  }
}

/** Loss (blue, left axis from 0 to the first loss) and test accuracy (green, 0–100%) against steps. */
function draw(): void {
  const c = $<HTMLCanvasElement>('chart');
  const g = c.getContext('2d')!;
  g.clearRect(0, 0, c.width, c.height);
  g.strokeStyle = '#ddd';
  g.strokeRect(30, 10, c.width - 40, c.height - 30);
  g.fillStyle = '#555';
  g.fillText('loss', 2, 20);
  g.fillText('acc', c.width - 30, 20);
  const steps = Math.max(50, state.steps);
  const x = (step: number) => 30 + ((c.width - 40) * step) / steps;
  const top = Math.max(0.1, ...state.losses.slice(0, 3));
  const y = (v: number) => 10 + (c.height - 30) * (1 - Math.min(v / top, 1));
  g.strokeStyle = '#36c';
  g.beginPath();
  state.losses.forEach((l, i) => (i ? g.lineTo : g.moveTo).call(g, x((i + 1) * 10), y(l)));
  g.stroke();
  g.strokeStyle = '#4a7';
  g.beginPath();
  state.accuracies.forEach((a, i) => (i ? g.lineTo : g.moveTo).call(g, x(a.step), 10 + (c.height - 30) * (1 - a.accuracy)));
  g.stroke();
}

function notice(text: string): void {
  const n = $('notice');
  n.textContent = text;
  n.hidden = false;
}

function setUpDrawing(): void {
  const c = $<HTMLCanvasElement>('draw');
  const g = c.getContext('2d')!;
  const clear = () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, c.width, c.height);
  };
  clear();
  let down = false;
  const at = (e: PointerEvent) => [e.offsetX, e.offsetY] as const;
  c.addEventListener('pointerdown', (e) => {
    down = true;
    g.beginPath();
    g.moveTo(...at(e));
  });
  c.addEventListener('pointermove', (e) => {
    if (!down) return;
    g.lineWidth = 16;
    g.lineCap = 'round';
    g.strokeStyle = '#fff';
    g.lineTo(...at(e));
    g.stroke();
  });
  addEventListener('pointerup', () => (down = false));
  $('clear').onclick = clear;
  $('predict').onclick = async () => {
    // Down to 28×28 as MNIST digits are: 20×20 of ink centred in the frame.
    const small = document.createElement('canvas');
    small.width = small.height = 28;
    const s = small.getContext('2d')!;
    s.fillStyle = '#000';
    s.fillRect(0, 0, 28, 28);
    s.drawImage(c, 4, 4, 20, 20);
    const rgba = s.getImageData(0, 0, 28, 28).data;
    const pixels = Float32Array.from({ length: PIXELS }, (_, i) => rgba[i * 4] / 255);
    const probs = tm.tidy(() => model.predict(tm.tensor(pixels, [1, PIXELS])).softmax(-1));
    const p = Array.from(await probs.data());
    probs.dispose();
    const digit = p.indexOf(Math.max(...p));
    state.prediction = { digit, probabilities: p };
    $('prediction').textContent = String(digit);
    $('probs').innerHTML = p.map((v, d) => `<div>${d} <b style="width:${(100 * v).toFixed(0)}px"></b> ${(100 * v).toFixed(1)}%</div>`).join('');
  };
}

async function main(): Promise<void> {
  const forced = new URLSearchParams(location.search).get('backend') as tm.BackendName | null;
  try {
    state.backend = await tm.init(forced ? { backend: forced } : {});
  } catch (err) {
    state.backend = await tm.init({ backend: 'js' });
    notice(`${forced} is unavailable here (${(err as Error).message}); training on the js backend instead.`);
  }
  $('backend').textContent = state.backend;
  if (state.backend !== 'webgpu' && !forced) {
    const why = tm.backendSelection().passedOver.find((p) => p.name === 'webgpu')?.why ?? 'no WebGPU';
    notice(`No WebGPU here (${why}): training on tmnn's js backend, which is much slower. A recent Chrome or Edge trains on the GPU.`);
  }
  tm.capabilities().then((r) => {
    const gpu = r.gpu.available
      ? `${r.gpu.adapter?.description || r.gpu.adapter?.vendor} (${r.gpu.adapter?.software ? 'software' : 'hardware'})\nfeatures: ${(r.gpu.features ?? []).join(', ')}` +
        `\nmatmul tile: ${r.gpu.tuning?.matmulTile ? `${r.gpu.tuning.matmulTile.tile} (measured ${r.gpu.tuning.matmulTile.measuredAt})` : 'measured on the first large product, then remembered'}`
      : `none: ${r.gpu.reason}`;
    const dtypes = r.dtypes.map((d) => `${d.backend} ${d.dtype}: ${d.how}`).join('\n');
    const missing = r.backends.filter((b) => !b.available).map((b) => `\n${b.name}: ${b.reason}`).join('');
    $('report').textContent = `backend: ${r.selected.backend} (${r.selected.reason})${missing}\nGPU: ${gpu}\n\n${dtypes}`;
  }, (err) => ($('report').textContent = `capability report failed: ${(err as Error).message}`));
  digits = await loadDigits();
  testX = tm.tensor(digits.test.images, [digits.test.count, PIXELS]);
  build();
  setUpDrawing();
  $('start').onclick = () => void run();
  $('pause').onclick = () => (state.running = false);
  $('reset').onclick = () => {
    state.running = false;
    build();
    $('step').textContent = '0';
    $('loss').textContent = '–';
    $('accuracy').textContent = '–';
  };
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  state.error = (err as Error).message;
  notice(`the demo failed to start: ${state.error}`);
});
