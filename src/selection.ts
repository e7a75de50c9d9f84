// Choosing a backend: by speed, not by order. A GPU beats the CPU, but a
// software adapter (lavapipe, SwiftShader) is far slower than OpenBLAS on the
// same CPU, so:
//   1. a forced backend (init({ backend }) or TMNN_BACKEND) wins, or fails loudly;
//   2. a software WebGPU adapter is passed over when native is present;
//   3. a hardware adapter and native are both timed on one matmul (the probe),
//      once per machine — the result is cached — and the faster wins;
//   4. otherwise the first present of webgpu, native, js.
import { createJsBackend } from './backends/js/index.js';
import { requireAdapter } from './backends/webgpu/adapter.js';
import type { Backend, BackendName } from './backends/kernels.js';
import { releaseWhenUnused, setActive, type BackendSelection } from './engine.js';
import { BackendUnavailableError, ValueError } from './errors.js';
import { checkOptions } from './options.js';
import { loadProbeCache, probeKey, saveProbeTiming, timeMatmul } from './probe.js';

export interface InitOptions {
  /** Force a backend instead of picking the fastest present. Env TMNN_BACKEND does the same. */
  backend?: BackendName;
  /** CPU threads for the native backend's BLAS. Env TMNN_NUM_THREADS does the same. */
  threads?: number;
}

export interface BackendCandidate {
  readonly name: BackendName;
  /** Resolves to a ready backend, or rejects with the reason it cannot run here (and how to fix it). */
  create(options: InitOptions): Promise<Backend>;
}

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'native', 'js'];

/** The backends this build has, fastest first. */
const CANDIDATES: BackendCandidate[] = [
  {
    name: 'webgpu',
    create: async () => {
      // The adapter first: a page where WebGPU has none never downloads the backend's code.
      const found = await requireAdapter();
      return (await import('./backends/webgpu/index.js')).createWebGpuBackend({}, found);
    },
  },
  { name: 'native', create: async (options) => (await import('./backends/native/index.js')).createNativeBackend(options) },
  { name: 'js', create: async () => createJsBackend() },
];

export type Started = { name: BackendName; backend: Backend } | { name: BackendName; why: string };

async function start(name: BackendName, options: InitOptions = {}): Promise<Started> {
  const candidate = CANDIDATES.find((c) => c.name === name);
  if (!candidate) return { name, why: `the ${name} backend is not part of this version of tmnn yet` };
  try {
    return { name, backend: await candidate.create(options) };
  } catch (err) {
    return { name, why: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether each known backend can start here, and why not. */
export async function probeBackends(options: InitOptions = {}): Promise<Started[]> {
  return Promise.all(BACKEND_NAMES.map((name) => start(name, options)));
}

/** GFLOP/s of each backend on the probe matmul, through the per-machine cache. */
export type Measure = (backend: Backend) => Promise<number>;

/** Rules 2–4 above, over backends that have already started. */
export async function choose(started: readonly Started[], measure: Measure): Promise<BackendSelection & { chosen: Backend }> {
  const passedOver = started.flatMap((s) => ('why' in s ? [{ name: s.name, why: s.why }] : []));
  const present = new Map(started.flatMap((s) => ('backend' in s ? [[s.name, s.backend] as const] : [])));
  const gpu = present.get('webgpu');
  const native = present.get('native');
  let reason: string | undefined;
  if (gpu && native) {
    if (gpu.device.software) {
      passedOver.push({ name: 'webgpu', why: `${gpu.device.description} is a software adapter (a CPU emulating a GPU); OpenBLAS is faster on the same CPU` });
      present.delete('webgpu');
      reason = 'OpenBLAS beats a software WebGPU adapter';
    } else {
      const [g, n] = [await measure(gpu), await measure(native)];
      const loser: BackendName = g >= n ? 'native' : 'webgpu';
      passedOver.push({ name: loser, why: `slower on the probe matmul (webgpu ${g.toFixed(1)} vs native ${n.toFixed(1)} GFLOP/s)` });
      present.delete(loser);
      reason = `faster on the probe matmul (webgpu ${g.toFixed(1)} vs native ${n.toFixed(1)} GFLOP/s)`;
    }
  }
  const name = BACKEND_NAMES.find((n) => present.has(n));
  if (!name) {
    throw new BackendUnavailableError(`init: no backend could start: ${passedOver.map((p) => `${p.name}: ${p.why}`).join('; ')}`);
  }
  reason ??= passedOver.length ? `fastest present (${passedOver.map((p) => p.name).join(', ')} unavailable)` : 'fastest present';
  return { backend: name, reason, passedOver, chosen: present.get(name)! };
}

function envBackend(): string | undefined {
  return typeof process !== 'undefined' ? process.env?.TMNN_BACKEND || undefined : undefined;
}

/** Probe timings, cached per machine so that only the first init pays for them. */
async function cachedMeasure(backend: Backend): Promise<number> {
  const key = probeKey(backend);
  const cache = await loadProbeCache();
  if (cache[key] !== undefined) return cache[key];
  const gflops = await timeMatmul(backend);
  await saveProbeTiming(key, gflops);
  return gflops;
}

/** The init under way, if any: calls run one after another, so the last one called is the one left active. */
let initializing: Promise<unknown> = Promise.resolve();
/** The backend the last init() made active: the next one releases it once no tensor lives on it. */
let initialized: Backend | null = null;

function activate(backend: Backend, why: BackendSelection): void {
  setActive(backend, why);
  if (initialized && initialized !== backend) releaseWhenUnused(initialized);
  initialized = backend;
}

/** Picks the fastest backend present (or the forced one) and makes it active. */
export function init(options: InitOptions = {}): Promise<BackendName> {
  const run = initializing.then(() => initNow(options));
  initializing = run.catch(() => undefined);
  return run;
}

async function initNow(options: InitOptions): Promise<BackendName> {
  options = checkOptions('init', options, { backend: true, threads: true });
  const forced = options.backend ?? envBackend();
  if (forced !== undefined) {
    // A name from the environment says so: the caller passed nothing and would look in their code.
    const from = options.backend ? '' : ' (from TMNN_BACKEND)';
    if (!(BACKEND_NAMES as readonly string[]).includes(forced)) {
      throw new ValueError(`init: unknown backend ${JSON.stringify(forced)}${from}; expected one of ${BACKEND_NAMES.join(', ')}`);
    }
    const started = await start(forced as BackendName, options);
    if ('why' in started) throw new BackendUnavailableError(`init: backend ${forced}${from} is unavailable: ${started.why}`);
    activate(started.backend, {
      backend: started.name,
      reason: `forced by ${options.backend ? 'init({ backend })' : 'TMNN_BACKEND'}`,
      passedOver: [],
    });
    return started.name;
  }
  const started = await probeBackends(options);
  const { chosen, ...selection } = await choose(started, cachedMeasure);
  for (const s of started) if ('backend' in s && s.backend !== chosen) s.backend.release?.();
  activate(chosen, selection);
  return selection.backend;
}
