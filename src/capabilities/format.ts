// The capability report as a readable table for a terminal.
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

function rows(title: string, entries: [string, string][], style: Style): string[] {
  const width = Math.max(...entries.map(([k]) => k.length));
  return [style.bold(title), ...entries.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
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
    ...Object.entries(g.limits ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
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
    ], style),
    '',
    ...gpuRows(r, style),
    '',
    ...rows('Backends', r.backends.map((b) => [b.name, b.available ? style.good('available') : `${style.bad('unavailable')}: ${b.reason}`]), style),
    '',
    ...rows('Selected', [
      ['backend', style.bold(r.selected.backend)],
      ['reason', r.selected.reason],
    ], style),
  ];
  return lines.join('\n');
}
