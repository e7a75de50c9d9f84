// Exact int8 products on the GPU straight from packed words
// (shaders/matmul_int8.wgsl): A [batch, M, K] times Bᵀ with B stored
// [batch, N, K], the layout of a tm.quantize weight. Two ways to sum four
// byte products: dot4I8Packed (WGSL's packed_4x8_integer_dot_product) or
// bytes extracted one by one. Which is faster differs by adapter — on some
// GPUs the builtin is one instruction, on others (and on CPU rasterisers) it
// is lowered to much the same code — so the first product a device runs
// times both and keeps the faster (remembered per adapter between processes,
// tuning_store.ts); adapters without the feature only have the second.
import type { MatmulConfig } from '../../kernels.js';
import dot4Packed from '../../../../shaders/dot4_packed.wgsl';
import dot4Unpacked from '../../../../shaders/dot4_unpacked.wgsl';
import matmulInt8Shader from '../../../../shaders/matmul_int8.wgsl';
import type { Operand, Runtime } from '../runtime.js';
import { bestTimes } from '../timing.js';
import { fingerprint, recall, recallOrMeasure } from '../tuning_store.js';
import { BufferUsage } from '../usage.js';

export type Int8Path = 'dot4I8Packed' | 'unpacked';

const TILE = { tileM: 4, tileN: 4, wgX: 8, wgY: 8 };
const chosen = new WeakMap<GPUDevice, Int8Path>();

/** Whether this product can run on the packed kernel: K contiguous in both operands. */
export function int8Eligible(config: MatmulConfig): boolean {
  return !config.transposeA && config.transposeB;
}

/** The path products on this device use (measured on first use); undefined before. */
export function int8PathOf(rt: Runtime): Int8Path | undefined {
  return chosen.get(rt.ctx.device) ?? (rt.ctx.features.dot4I8Packed ? undefined : 'unpacked');
}

/** `counted` false keeps a timing run out of the dispatch count that tests read. */
export function matmulInt8(rt: Runtime, a: Operand, b: Operand, out: GPUBuffer, path?: Int8Path, counted = true): void {
  encode(rt, a, b, out, path ?? chooseSync(rt), counted);
}

function encode(rt: Runtime, a: Operand, b: Operand, out: GPUBuffer, path: Int8Path, counted = true): void {
  const [batchA, m, k] = a.shape;
  const [batchB, n] = b.shape;
  const kernel = rt.compiler.kernel({
    name: 'matmul_int8',
    source: [matmulInt8Shader, path === 'dot4I8Packed' ? dot4Packed : dot4Unpacked],
    defines: { TILE_M: TILE.tileM, TILE_N: TILE.tileN },
    constants: { WG_X: TILE.wgX, WG_Y: TILE.wgY },
  });
  const params = Uint32Array.of(m, n, k, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : n * k, 0, 0, 0);
  const groups: [number, number, number] = [Math.ceil(n / (TILE.wgX * TILE.tileN)), Math.ceil(m / (TILE.wgY * TILE.tileM)), Math.max(batchA, batchB)];
  rt.commands.dispatch(kernel, { a: a.buffer, b: b.buffer, out, dims: params }, groups, counted);
}

/** Until the measurement is in, the builtin where the adapter has it. */
function chooseSync(rt: Runtime): Int8Path {
  const known = int8PathOf(rt);
  if (known) return known;
  measureInt8Paths(rt).catch(() => undefined); // a device lost meanwhile: the next call reports it
  return 'dot4I8Packed';
}

const measuring = new WeakMap<GPUDevice, Promise<Int8Path>>();
const PATHS_MEASURED = fingerprint(matmulInt8Shader, dot4Packed, dot4Unpacked, JSON.stringify(TILE));

const parsePath = (v: unknown): Int8Path | undefined => (v === 'dot4I8Packed' || v === 'unpacked' ? v : undefined);

/** This device's path if chosen, else what an earlier process measured on the adapter; nothing is timed. */
export async function knownInt8Path(rt: Runtime): Promise<Int8Path | undefined> {
  return int8PathOf(rt) ?? (await recall(rt, 'int8-dot', PATHS_MEASURED, parsePath))?.value;
}

/** Times both paths on this device once (or recalls an earlier process's timing) and keeps the faster. */
export function measureInt8Paths(rt: Runtime): Promise<Int8Path> {
  const { device } = rt.ctx;
  const done = int8PathOf(rt);
  if (done) return Promise.resolve(done);
  let running = measuring.get(device);
  if (!running) {
    running = (async () => {
      const path = (await recallOrMeasure(rt, 'int8-dot', PATHS_MEASURED, parsePath, () => timePaths(rt))).value;
      chosen.set(device, path);
      return path;
    })();
    measuring.set(device, running);
  }
  return running;
}

/** The faster path on a [256, 512] × [512, 512] product, in alternating rounds (timing.ts). */
async function timePaths(rt: Runtime): Promise<Int8Path> {
  const { device } = rt.ctx;
  const [m, n, k] = [256, 512, 512];
  const bufs = [m * k, n * k, 4 * m * n].map((size) => device.createBuffer({ size, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST }));
  const a: Operand = { buffer: bufs[0], shape: [1, m, k], dtype: 'i8' };
  const b: Operand = { buffer: bufs[1], shape: [1, n, k], dtype: 'i8' };
  try {
    const [packed, unpacked] = await bestTimes(rt, [() => encode(rt, a, b, bufs[2], 'dot4I8Packed', false), () => encode(rt, a, b, bufs[2], 'unpacked', false)], 3);
    return packed <= unpacked ? 'dot4I8Packed' : 'unpacked';
  } finally {
    for (const buf of bufs) buf.destroy();
  }
}
