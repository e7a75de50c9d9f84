// fit's progress bar: cli-progress on a terminal's stderr, nothing elsewhere
// (pipes, CI, browsers), so scripts' output stays clean.
import type { EpochLogs } from './fit.js';

export interface Progress {
  epoch(epoch: number): void;
  batch(done: number, loss: number, samplesPerSecond: number): void;
  epochEnd(logs: EpochLogs): void;
  stop(): void;
}

export async function startProgress(epochs: number, batches: number): Promise<Progress | null> {
  if (typeof process === 'undefined' || !process.stderr?.isTTY) return null;
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} loss {loss} · {rate} samples/s',
    hideCursor: true,
    clearOnComplete: true,
  });
  let current = 0;
  const summary = (l: EpochLogs) => {
    const parts = [`epoch ${l.epoch}/${epochs}`, `loss ${l.loss.toFixed(4)}`];
    if (l.accuracy !== undefined) parts.push(`acc ${(100 * l.accuracy).toFixed(2)}%`);
    if (l.valLoss !== undefined) parts.push(`val loss ${l.valLoss.toFixed(4)}`);
    if (l.valAccuracy !== undefined) parts.push(`val acc ${(100 * l.valAccuracy).toFixed(2)}%`);
    parts.push(`${Math.round(l.samplesPerSecond)} samples/s`, `${l.seconds.toFixed(1)} s`);
    return parts.join(' · ');
  };
  return {
    epoch(epoch) {
      current = epoch;
      bar.start(batches, 0, { epoch, epochs, loss: '—', rate: '—' });
    },
    batch(done, loss, rate) {
      bar.update(done, { epoch: current, epochs, loss: loss.toFixed(4), rate: Math.round(rate) });
    },
    epochEnd(logs) {
      bar.stop();
      process.stderr.write(`${summary(logs)}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}
