// fit's progress: a cli-progress bar on a terminal's stderr and a line per
// epoch; where stderr is a pipe or a file (CI, `| tee`, nohup), the lines per
// epoch alone, as Keras's verbose=2 (a bar redrawn there is noise). Nothing
// goes to stdout, so a script's own output stays clean; browsers get nothing.
import type { EpochLogs } from './fit.js';

export interface Progress {
  epoch(epoch: number): void;
  batch(done: number, loss: number, samplesPerSecond: number): void;
  epochEnd(logs: EpochLogs): void;
  stop(): void;
}

/** `batches` is the number an epoch, or null where it is not known ahead (a Dataset that filters, or streams from a generator). */
export async function startProgress(epochs: number, batches: number | null): Promise<Progress | null> {
  if (typeof process === 'undefined' || !process.stderr) return null;
  if (!process.stderr.isTTY) {
    return { epoch() {}, batch() {}, epochEnd: (logs) => void process.stderr.write(`${summary(logs, epochs)}\n`), stop() {} };
  }
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({
    stream: process.stderr,
    format: batches === null ? 'epoch {epoch}/{epochs} batch {value} loss {loss} · {rate} samples/s' : 'epoch {epoch}/{epochs} [{bar}] {value}/{total} loss {loss} · {rate} samples/s',
    hideCursor: true,
    clearOnComplete: true,
  });
  let current = 0;
  return {
    epoch(epoch) {
      current = epoch;
      bar.start(batches ?? 0, 0, { epoch, epochs, loss: '—', rate: '—' });
    },
    batch(done, loss, rate) {
      bar.update(done, { epoch: current, epochs, loss: loss.toFixed(4), rate: Math.round(rate) });
    },
    epochEnd(logs) {
      bar.stop();
      process.stderr.write(`${summary(logs, epochs)}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}

/** One epoch in a line: `epoch 2/5 · loss 0.3141 · acc 91.20% · val loss … · 26261 samples/s · 0.3 s`. */
function summary(l: EpochLogs, epochs: number): string {
  const parts = [`epoch ${l.epoch}/${epochs}`, `loss ${l.loss.toFixed(4)}`];
  if (l.accuracy !== undefined) parts.push(`acc ${(100 * l.accuracy).toFixed(2)}%`);
  if (l.valLoss !== undefined) parts.push(`val loss ${l.valLoss.toFixed(4)}`);
  if (l.valAccuracy !== undefined) parts.push(`val acc ${(100 * l.valAccuracy).toFixed(2)}%`);
  for (const [name, value] of Object.entries(l.valMetrics ?? {})) parts.push(`val ${name} ${value.toFixed(4)}`);
  parts.push(`${Math.round(l.samplesPerSecond)} samples/s`, `${l.seconds.toFixed(1)} s`);
  return parts.join(' · ');
}
