// Runs the built CLI (dist/cli.js; `npm test` builds it first) as a user would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxModel } from '../helpers/onnx.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

function tmnn(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does it for you)`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('tmnn CLI', () => {
  it('prints its version', () => {
    expect(tmnn(['--version'])).toMatchObject({ code: 0, out: `${version}\n` });
  });

  it('prints help', () => {
    const r = tmnn(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('tmnn report [--json]');
  });

  it('rejects an unknown flag with exit code 2 and a message', () => {
    const r = tmnn(['report', '--jsn']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Unknown option '--jsn'");
  });

  it('rejects an unknown command', () => {
    const r = tmnn(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
  });

  it('rejects an option the command does not read (tune --backend js measured webgpu regardless)', () => {
    for (const [args, message] of [[['tune', '--backend', 'js'], '--backend does not apply to tune'], [['bench', '--json'], '--json does not apply to bench']] as const) {
      const r = tmnn([...args]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
    }
  });

  it('report --json parses and has every section, typed', () => {
    const r = tmnn(['report', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.versions).toEqual({ tmnn: version, node: process.version, platform: `${process.platform}-${process.arch}` });
    expect(report.cpu).toMatchObject({ model: expect.any(String), arch: process.arch, logicalCores: expect.any(Number) });
    expect(report.cpu.simd).toMatchObject({ baseline: expect.any(Array), found: expect.any(Array), notFound: expect.any(Array) });
    expect(typeof report.gpu.available).toBe('boolean');
    expect(report.backends.map((b: { name: string }) => b.name)).toEqual(['webgpu', 'native', 'js']);
    expect(report.selected).toEqual({ backend: expect.any(String), reason: expect.any(String) });
  });

  it('the table has no colour codes when stdout is not a terminal', () => {
    const r = tmnn(['report']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Selected');
    expect(r.out).not.toContain('\x1b[');
  });

  it('--backend forces a backend, and an unavailable one fails with the reason', () => {
    expect(JSON.parse(tmnn(['report', '--json', '--backend', 'js']).out).selected.reason).toBe('forced by --backend');
    const r = tmnn(['report', '--backend', 'quantum']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('unknown backend "quantum"');
  });
});

describe('GPU section of the report', () => {
  // CI installs Mesa's lavapipe; where it is absent the report must say why there is no adapter.
  const icd = '/usr/share/vulkan/icd.d';
  const lavapipe = existsSync(icd) && readdirSync(icd).some((f) => f.startsWith('lvp_icd'));

  it(lavapipe ? 'finds the lavapipe adapter and calls it software' : 'says why there is no adapter', () => {
    const gpu = JSON.parse(tmnn(['report', '--json']).out).gpu;
    if (lavapipe) {
      expect(gpu.available).toBe(true);
      expect(gpu.adapter).toMatchObject({ api: 'Vulkan', software: true, description: expect.stringContaining('llvmpipe') });
      expect(gpu.features).toContain('shader-f16');
      expect(gpu.wgslLanguageFeatures).toContain('packed_4x8_integer_dot_product');
      expect(gpu.limits.maxComputeWorkgroupStorageSize).toBeGreaterThan(0);
    } else {
      expect(gpu).toMatchObject({ available: false, reason: expect.any(String) });
    }
  });

  it('reports the reason when no adapter can be found (Vulkan drivers hidden)', () => {
    const gpu = JSON.parse(tmnn(['report', '--json'], { VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' }).out).gpu;
    expect(gpu.available).toBe(false);
    expect(gpu.reason).toMatch(/no WebGPU adapter found/);
  });
});

describe('tmnn tune', () => {
  it('measures the webgpu choices for this adapter afresh and keeps them; the report then shows them', () => {
    const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'tmnn-cli-tune-')) };
    const report = () => JSON.parse(tmnn(['report', '--json'], env).out).gpu.tuning;
    // A new backend times the row layout itself (a reduction's rounding depends on it); the rest waits for a first use or `tune`.
    expect(report()).toEqual({ matmulTile: null, int8Kernel: null, f16WayTile: null, rowLayout: expect.stringMatching(/^(workgroup|invocation)$/), quantizedWay: null });

    const r = tmnn(['tune', '--json'], env);
    expect(r.code).toBe(0);
    const tuned = JSON.parse(r.out);
    expect(tuned.matmulTile).toEqual({
      tile: expect.stringMatching(/per invocation/),
      otherProducts: expect.stringMatching(/per invocation/),
      // Subgroup matrices (the only f16 tiles of their own) only under TMNN_WEBGPU_UNSAFE_APIS: not on the adapter of this run.
      f16Products: null,
      measuredAt: expect.any(String),
    });
    expect(tuned.int8Kernel).toEqual({ dot: expect.stringMatching(/^(dot4I8Packed|unpacked)$/), tile: expect.stringMatching(/per invocation/) });
    expect(tuned.f16WayTile).toMatch(/per invocation/);
    expect(['workgroup', 'invocation']).toContain(tuned.rowLayout);
    expect(tuned.quantizedWay).toMatchObject({ way: expect.stringMatching(/^(int8|f16)$/), int8Ms: expect.any(Number), f16Ms: expect.any(Number) });
    expect(report()).toEqual(tuned);

    // Again: measured anew (a later time), not recalled.
    const again = JSON.parse(tmnn(['tune', '--json'], env).out);
    expect(Date.parse(again.matmulTile.measuredAt)).toBeGreaterThan(Date.parse(tuned.matmulTile.measuredAt));
    expect(report()).toEqual(again);

    const table = tmnn(['tune'], env).out;
    expect(table).toMatch(/webgpu tuning\n {2}matmul tile +\S.*per invocation/);
  }, 240_000);

  it('onnx FILE: describes an ONNX model and times it on the backend asked for; as JSON too', () => {
    const file = new URL('../fixtures/onnx/cnn.onnx', import.meta.url).pathname;
    const r = tmnn(['onnx', file, '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ONNX opset 15, from pytorch 1.13.0');
    expect(r.out).toMatch(/inputs {6}x: float \[batch, 3, 16, 16\]/);
    expect(r.out).toMatch(/ops {9}.*Conv ×2/);
    expect(r.out).toMatch(/runs on js: [\d.]+ ms per run \(x \[1, 3, 16, 16\] → y \[1, \d+\]/);
    const json = JSON.parse(tmnn(['onnx', file, '--backend', 'js', '--json']).out);
    expect(json).toMatchObject({ backend: 'js', opset: 15, inputs: [{ name: 'x', type: 'float', shape: ['batch', 3, 16, 16] }], ops: { Conv: 2 } });
    expect(json.parameters).toBeGreaterThan(0);
    expect(json.timing.ms).toBeGreaterThan(0);
  });

  it('onnx FILE: times a model the synchronous run refuses (NonZero on its input) with runAsync', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-cli-onnx-'));
    const file = join(dir, 'nonzero.onnx');
    writeFileSync(file, onnxModel({ inputs: [{ name: 'x', shape: [3] }], outputs: [{ name: 'y', type: 'int64' }], nodes: [{ op: 'NonZero', inputs: ['x'], outputs: ['y'] }] }));
    const r = tmnn(['onnx', file, '--backend', 'js']);
    expect(r.code).toBe(0);
    // Zeros in, so no element is non-zero: [rank 1, 0 of them].
    expect(r.out).toMatch(/runs on js: [\d.]+ ms per run with runAsync \(it reads device values back\) \(x \[3\] → y \[1, 0\]/);
  });

  it('onnx FILE: times a model of sequence and optional inputs and outputs (a list of one tensor in, an optional holding one)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-cli-onnx-'));
    const file = join(dir, 'lists.onnx');
    writeFileSync(file, onnxModel({
      opset: 18,
      inputs: [{ name: 'list', shape: ['n', 3], sequence: true }, { name: 'bias', shape: [3], optional: true }],
      outputs: [{ name: 'rows', sequence: true }, { name: 'b', optional: true }],
      nodes: [
        { op: 'ConcatFromSequence', inputs: ['list'], outputs: ['all'], attributes: { axis: 0 } },
        { op: 'SplitToSequence', inputs: ['all'], outputs: ['rows'], attributes: { keepdims: 0 } },
        { op: 'Identity', inputs: ['bias'], outputs: ['b'] },
      ],
    }));
    const r = tmnn(['onnx', file, '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('inputs      list: seq(float) [n, 3]; bias: optional(float) [3]');
    expect(r.out).toMatch(/runs on js: [\d.]+ ms per run \(list seq\(\[1, 3\]\), bias \[3\] → rows seq\(\[3\]\), b \[3\]/);
  });

  it('onnx FILE: times models of strings and of a map (scikit-learn pipelines): empty strings and an empty Map in', () => {
    const strings = new URL('../fixtures/onnx_sklearn/strings/tfidf_text_classifier.onnx', import.meta.url).pathname;
    const r = tmnn(['onnx', strings, '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('inputs      text: string [N, 1]');
    expect(r.out).toMatch(/runs on js: [\d.]+ ms per run \(text \[1, 1\] → output_label \[1\], output_probability 1 maps/);
    const map = new URL('../fixtures/onnx_sklearn/strings/dict_vectorizer_names.onnx', import.meta.url).pathname;
    const m = tmnn(['onnx', map, '--backend', 'js']);
    expect(m.code).toBe(0);
    expect(m.out).toContain('inputs      m: map(string,tensor(float))');
    expect(m.out).toMatch(/runs on js: [\d.]+ ms per run \(m a map of 0 → output_label \[1\]/);
  });

  it('onnx FILE: a model with ops tmnn does not run fails with exit code 1, naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-cli-onnx-'));
    const file = join(dir, 'unsupported.onnx');
    writeFileSync(file, onnxModel({ inputs: [{ name: 'x', shape: [3] }], outputs: [{ name: 'y' }], nodes: [{ op: 'QOrderedGelu', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }] }));
    const r = tmnn(['onnx', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the model uses ops tmnn does not run: com.microsoft.QOrderedGelu');
    expect(tmnn(['onnx'])).toMatchObject({ code: 2, err: expect.stringContaining('onnx takes one FILE, got 0') });
  });

  it('onnx FILE: counts com.microsoft ops by their domain, and names a missing one with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmnn-cli-onnx-'));
    const runs = join(dir, 'fastgelu.onnx'), lacks = join(dir, 'qorderedattention.onnx');
    const model = (op: string) => onnxModel({ inputs: [{ name: 'x', shape: [2, 3] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op, inputs: ['r'], outputs: ['y'], domain: 'com.microsoft' }] });
    writeFileSync(runs, model('FastGelu'));
    writeFileSync(lacks, model('QOrderedAttention'));
    expect(JSON.parse(tmnn(['onnx', runs, '--backend', 'js', '--json']).out).ops).toEqual({ Relu: 1, 'com.microsoft.FastGelu': 1 });
    const r = tmnn(['onnx', lacks, '--backend', 'js']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the model uses ops tmnn does not run: com.microsoft.QOrderedAttention.');
  });
});
