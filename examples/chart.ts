// A small SVG line chart of training curves, so a user can open the result in
// any browser. One series per line; each panel has its own y axis.
export interface Series {
  name: string;
  values: number[];
  colour: string;
}

export interface Panel {
  title: string;
  series: Series[];
  /** Format for axis labels, e.g. v => `${(100 * v).toFixed(0)}%`. */
  format?: (v: number) => string;
}

const W = 420;
const H = 260;
const PAD = { left: 52, right: 16, top: 30, bottom: 36 };

function escape(s: string): string {
  return s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function panel(p: Panel, x0: number): string {
  const all = p.series.flatMap((s) => s.values).filter(Number.isFinite);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const span = hi - lo || 1;
  const n = Math.max(...p.series.map((s) => s.values.length));
  const px = (i: number) => x0 + PAD.left + ((W - PAD.left - PAD.right) * i) / Math.max(n - 1, 1);
  const py = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - (v - lo) / span);
  const fmt = p.format ?? ((v: number) => v.toPrecision(3));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => lo + t * span);
  const out = [
    `<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${escape(p.title)}</text>`,
    ...ticks.map((v) => `<line x1="${x0 + PAD.left}" x2="${x0 + W - PAD.right}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>` +
      `<text x="${x0 + PAD.left - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${escape(fmt(v))}</text>`),
    `<text x="${x0 + W / 2}" y="${H - 6}" text-anchor="middle" font-size="11">epoch</text>`,
    // Epoch numbers under the axis, thinned to at most ~10 labels.
    ...Array.from({ length: n }, (_, i) => i)
      .filter((i) => i % Math.ceil(n / 10) === 0 || i === n - 1)
      .map((i) => `<text x="${px(i)}" y="${H - PAD.bottom + 14}" text-anchor="middle" font-size="10">${i + 1}</text>`),
  ];
  p.series.forEach((s, k) => {
    const points = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${points}"/>`);
    out.push(`<text x="${x0 + W - PAD.right}" y="${PAD.top + 14 * k}" text-anchor="end" font-size="11" fill="${s.colour}">${escape(s.name)}</text>`);
  });
  return out.join('\n');
}

export function lineChartSvg(panels: Panel[]): string {
  const width = W * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panel(p, i * W)),
    '</svg>',
  ].join('\n');
}
