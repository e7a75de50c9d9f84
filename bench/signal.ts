// tm.signal.stft of an audio signal, op + await data(), on tmnn's native
// and webgpu backends next to TensorFlow.js's tf.signal.stft (cpu, and
// webgpu on the same adapter) with the same frames: a periodic Hann window,
// no centring (tfjs pads nothing), one-sided. tfjs-backend-wasm has no FFT
// kernel, so it is not in the table. Below it, tm.audio.melSpectrogram and
// mfcc at torchaudio's defaults, and SciPy's filters and spectral
// estimates (tm.signal.sosfilt, lfilter, filtfilt, welch), which no
// JavaScript peer has: SciPy's times on this machine are in the README.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tm from '../src/index.js';
import { bestOf, printTable } from './harness.js';
import { useTfjsWebgpu } from './peers/tfjs-webgpu-node.js';

const PROBLEMS = [
  { seconds: 1, nFft: 512, hop: 128 },
  { seconds: 10, nFft: 400, hop: 160 },
];
const RATE = 16000;

/** A second or more of a chirp with some noise, the same values on each side. */
function audio(seconds: number): Float32Array {
  return Float32Array.from({ length: seconds * RATE }, (_, i) => Math.sin((i * i) / (RATE * 40)) + ((i * 7919) % 101) / 404 - 0.125);
}

async function tmnnMs(backend: 'native' | 'webgpu', seconds: number, run: (x: tm.Tensor) => tm.Tensor): Promise<number> {
  await tm.init({ backend });
  const x = tm.tensor(audio(seconds));
  const ms = await bestOf(async () => {
    const y = run(x);
    await y.data();
    y.dispose();
  }, 500);
  x.dispose();
  return ms;
}

async function tfjsMs(backend: 'cpu' | 'webgpu', seconds: number, nFft: number, hop: number): Promise<number> {
  if (backend === 'webgpu') await useTfjsWebgpu();
  else if (!(await tf.setBackend('cpu'))) throw new Error("tfjs: the 'cpu' backend did not start");
  const x = tf.tensor1d(audio(seconds));
  const ms = await bestOf(
    async () => {
      const y = tf.signal.stft(x, nFft, hop, nFft, tf.signal.hannWindow);
      await y.data();
      y.dispose();
    },
    0,
    1,
  );
  x.dispose();
  return ms;
}

export async function signalSection(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const { seconds, nFft, hop } of PROBLEMS) {
    const stft = (x: tm.Tensor) => tm.tidy(() => tm.signal.stft(x, nFft, { hopLength: hop, window: tm.signal.hannWindow(nFft), center: false }));
    const native = await tmnnMs('native', seconds, stft).catch(() => NaN);
    const webgpu = await tmnnMs('webgpu', seconds, stft).catch(() => NaN);
    const cpu = await tfjsMs('cpu', seconds, nFft, hop).catch(() => NaN);
    const gpu = await tfjsMs('webgpu', seconds, nFft, hop).catch(() => NaN);
    rows.push([`${seconds} s at 16 kHz, nFft ${nFft}, hop ${hop}`, native, cpu, cpu / native, webgpu, gpu, gpu / webgpu]);
  }
  printTable(
    'tm.signal.stft, ms, op + await data() (best of runs; tfjs a warm-up and one timed run)',
    ['signal, frames', 'tmnn native', 'tfjs-cpu', 'cpu/native', 'tmnn webgpu', 'tfjs-webgpu', 'tfjs/tmnn webgpu'],
    rows,
    'the same frames on both sides: a periodic Hann window, no centring, one-sided. tmnn: one strided copy of the frames and one batched rfft (src/ops/fft; KissFFT on native); tfjs: tf.signal.stft. tfjs-backend-wasm has no FFT kernel.',
  );
  const features: (string | number)[][] = [];
  for (const [name, run] of [
    ['melSpectrogram (nFft 400, hop 200, 128 mels)', (x: tm.Tensor) => tm.audio.melSpectrogram(x)],
    ['mfcc (40 of 128 mels, in dB)', (x: tm.Tensor) => tm.audio.mfcc(x)],
  ] as const) {
    features.push([name, await tmnnMs('native', 10, run).catch(() => NaN), await tmnnMs('webgpu', 10, run).catch(() => NaN)]);
  }
  await tm.init({ backend: 'native' });
  printTable('tm.audio at torchaudio\'s defaults, 10 s at 16 kHz, ms, op + await data() (best of runs)', ['feature', 'tmnn native', 'tmnn webgpu'], features, 'no JavaScript peer computes these; torchaudio (Python) is the reference their tests compare with.');
  const sos = tm.signal.butter(8, [300, 3000], { btype: 'bandpass', fs: RATE, output: 'sos' });
  const { b, a } = tm.signal.butter(4, 1000, { fs: RATE });
  const filters: (string | number)[][] = [];
  for (const [name, run] of [
    ['sosfilt, Butterworth band-pass of order 16 (8 sections)', (x: tm.Tensor) => tm.signal.sosfilt(sos, x)],
    ['lfilter, Butterworth low-pass of order 4 (b, a)', (x: tm.Tensor) => tm.signal.lfilter(b, a, x)],
    ['filtfilt, the same low-pass', (x: tm.Tensor) => tm.signal.filtfilt(b, a, x)],
    ['welch, nperseg 512 (Hann, half overlap)', (x: tm.Tensor) => tm.signal.welch(x, { nperseg: 512, fs: RATE }).density],
  ] as const) {
    filters.push([name, await tmnnMs('native', 10, run).catch(() => NaN), await tmnnMs('webgpu', 10, run).catch(() => NaN)]);
  }
  await tm.init({ backend: 'native' });
  printTable(
    'tm.signal filters and spectral estimates, 10 s at 16 kHz, ms, op + await data() (best of runs)',
    ['op', 'tmnn native', 'tmnn webgpu'],
    filters,
    'no JavaScript peer has these; SciPy 1.10 on this machine (by hand, README) is the comparison. Coefficients as numbers: a section\'s zeros by conv1d, its poles by the all-pole kernel (one pass a row; on the GPU one invocation a row, so one long signal is one thread).',
  );
}
