// The capability report as a readable table for a terminal.
import type { GpuTuning } from './gpu.js';
import type { CapabilityReport } from './report.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  good(s: string): string;
  bad(s: string): string;
}

export const plain: Style = { bold: (s) => s, dim: (s) => s, good: (s) => s, bad: (s) => s };

export const ansi: Style = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  good: (s) => `\x1b[32m${s}\x1b[39m`,
  bad: (s) => `\x1b[31m${s}\x1b[39m`,
};

const WRAP = 100;

/** Splits a long space-separated value over several lines (feature lists run to hundreds of characters). */
function wrap(value: string, indent: number): string {
  if (value.length + indent <= WRAP) return value;
  const lines: string[] = [];
  let line = '';
  for (const word of value.split(' ')) {
    if (line && indent + line.length + 1 + word.length > WRAP) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

export function rows(title: string, entries: [string, string][], style: Style): string[] {
  const width = Math.max(...entries.map(([k]) => k.length));
  return [style.bold(title), ...entries.map(([k, v]) => `  ${k.padEnd(width)}  ${wrap(v, width + 4)}`)];
}

function gpuRows(r: CapabilityReport, style: Style): string[] {
  const g = r.gpu;
  if (!g.available || !g.adapter) return rows('GPU (WebGPU)', [['available', `${style.bad('no')}: ${g.reason}`]], style);
  const a = g.adapter;
  const wrap = (xs: string[]) => (xs.length ? xs.join(' ') : '—');
  return rows('GPU (WebGPU)', [
    ['available', style.good('yes') + (a.software ? ` ${style.dim('(software adapter: runs on the CPU)')}` : '')],
    ['adapter', `${a.vendor} ${a.architecture} ${a.device}`.trim()],
    ['description', a.description],
    ['API', a.api],
    ['subgroup size', a.subgroupMinSize === undefined ? '—' : `${a.subgroupMinSize}–${a.subgroupMaxSize}`],
    ['features', wrap(g.features ?? [])],
    ['WGSL features', wrap(g.wgslLanguageFeatures ?? [])],
    ['subgroup matrices', g.subgroupMatrices ? [g.subgroupMatrices.shapes.join(', '), g.subgroupMatrices.note].filter(Boolean).join('; ') : '—'],
    ...Object.entries(g.limits ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
    ...(g.tuning ? tuningRows(g.tuning, style) : []),
  ], style);
}

/** What tmnn measured on the adapter; "measured on first use" where it has not yet. */
export function tuningRows(t: GpuTuning, style: Style): [string, string][] {
  const when = (iso: string) => style.dim(`(measured ${iso.slice(0, 16).replace('T', ' ')} UTC)`);
  const notYet = style.dim('not measured yet: timed on first use, then remembered');
  const { matmulTile: tile, quantizedWay: way } = t;
  return [
    ['matmul tile', tile ? `${tile.tile}; other products ${tile.otherProducts}${tile.f16Products ? `; f16 products ${tile.f16Products}` : ''} ${when(tile.measuredAt)}` : notYet],
    ['int8 product', t.int8Kernel ? `${t.int8Kernel.dot}, ${t.int8Kernel.tile}` : notYet],
    ['f16 way tile', t.f16WayTile ?? notYet],
    ['row reductions', t.rowLayout ? `a${t.rowLayout === 'invocation' ? 'n' : ''} ${t.rowLayout} per row` : notYet],
    ['x·quantized', way ? `${way.way} way (each way whole: int8 ${way.int8Ms.toFixed(1)} ms, f16 ${way.f16Ms.toFixed(1)} ms) ${when(way.measuredAt)}` : notYet],
  ];
}

function blasRows(r: CapabilityReport, style: Style): string[] {
  const b = r.blas;
  if (!b.available) return rows('BLAS', [['available', `${style.bad('no')}: ${b.reason}`]], style);
  return rows('BLAS', [
    ['library', `${b.library} ${b.version ?? ''}`.trim()],
    ['core', b.core ?? '—'],
    ['threads', String(b.threads)],
    ['config', b.config ?? '—'],
    ['OPENBLAS_CORETYPE', b.coretypeEnv ?? '(not set)'],
    ['core vs CPU', b.mismatch ? style.bad(`mismatch: ${b.mismatch}`) : style.good('matches')],
  ], style);
}

export function formatReport(r: CapabilityReport, style: Style = plain): string {
  const list = (xs: string[]) => (xs.length ? xs.join(' ') : '—');
  const lines = [
    ...rows('tmnn', [
      ['version', r.versions.tmnn],
      ['node', r.versions.node],
      ['platform', r.versions.platform],
    ], style),
    '',
    ...rows('CPU', [
      ['model', r.cpu.model],
      ['arch', r.cpu.arch],
      ['logical cores', String(r.cpu.logicalCores)],
      ['SIMD baseline', list(r.cpu.simd.baseline)],
      ['SIMD found', style.good(list(r.cpu.simd.found))],
      ['SIMD not found', style.dim(list(r.cpu.simd.notFound))],
      ['SIMD source', r.cpu.simd.source],
      ...(r.cpu.malloc ? [['malloc', r.cpu.malloc] as [string, string]] : []),
    ], style),
    '',
    ...gpuRows(r, style),
    '',
    ...blasRows(r, style),
    '',
    ...rows('Backends', r.backends.map((b) => [b.name, b.available ? `${style.good('available')}: ${b.device}` : `${style.bad('unavailable')}: ${b.reason}`]), style),
    '',
    ...rows('dtypes', r.dtypes.map((d) => [`${d.backend} ${d.dtype}`, d.how]), style),
    '',
    ...rows('Selected', [
      ['backend', style.bold(r.selected.backend)],
      ['reason', r.selected.reason],
    ], style),
  ];
  return lines.join('\n');
}
