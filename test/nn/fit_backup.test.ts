// fit's backup (Keras's BackupAndRestore): a run killed after an epoch and
// started again with the same call ends as the unbroken run would have — the
// same weights, the whole history — on tensors (fit's own Adam, an unseeded
// shuffle and dropout) and on a shuffled tm.data pipeline with a schedule and
// early stopping; the file is gone once training ends, and what a backup
// cannot hold is refused before any step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

const DIR = mkdtempSync(join(tmpdir(), 'tmnn-fit-backup-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** A classifier with an unseeded dropout (its masks come from setSeed's sequence), its weights seeded: the same at every call. */
const makeModel = () =>
  new tm.nn.Sequential([new tm.nn.Dense(6, 12, { activation: 'relu', seed: 1 }), new tm.nn.Dropout(0.2), new tm.nn.Dense(12, 3, { seed: 2 })]);

/** An onEpochEnd that kills the run at the end of `epoch` (before that epoch's backup is written: the restart redoes it). */
const killAt = (epoch: number) => (logs: tm.nn.EpochLogs) => {
  if (logs.epoch === epoch) throw new Error(`killed at epoch ${epoch}`);
};

const valuesOf = (model: tm.nn.Module) => Promise.all(model.parameters().map(async (p) => Array.from(await p.data())));
/** A history without its timings. */
const untimed = (h: tm.nn.History) => ({ ...h, epochs: h.epochs.map(({ seconds: _s, samplesPerSecond: _r, ...rest }) => rest) });

describe.each(BACKENDS)('fit with a backup on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('a run killed after epoch 2 of 4 and started again with the same call ends with the unbroken run\'s weights and whole history; the backup is gone', async () => {
    const x = tm.randn([40, 6], { seed: 3 });
    const y = tm.randint(0, 3, [40], { seed: 4 });
    const options = (path: string): tm.nn.FitOptions => ({ epochs: 4, batchSize: 16, loss: 'crossEntropy', validationSplit: 0.2, quiet: true, backup: new tm.nn.BackupAndRestore(path) });

    tm.setSeed(21);
    const unbroken = makeModel();
    const all = await unbroken.fit(x, y, options(join(DIR, `unbroken-${backend}.ckpt`)));
    expect(existsSync(join(DIR, `unbroken-${backend}.ckpt`))).toBe(false);

    const path = join(DIR, `run-${backend}.ckpt`);
    tm.setSeed(21);
    await expect(makeModel().fit(x, y, { ...options(path), onEpochEnd: killAt(3) })).rejects.toThrow('killed at epoch 3');
    expect(existsSync(path)).toBe(true);

    tm.setSeed(5); // the restarted process's sequence is elsewhere: the backup puts it back, and fit's shuffle seed
    const restarted = makeModel();
    const seen: number[] = [];
    const history = await restarted.fit(x, y, { ...options(path), onEpochEnd: (logs) => void seen.push(logs.epoch) });
    expect(seen).toEqual([3, 4]);
    expect(untimed(history)).toEqual(untimed(all));
    expect(await valuesOf(restarted)).toEqual(await valuesOf(unbroken));
    expect(existsSync(path)).toBe(false);
    x.dispose();
    y.dispose();
  });

  it('on a shuffled tm.data pipeline, with a schedule and early stopping, the restarted run stops where the unbroken one did', async () => {
    const x = tm.randn([48, 6], { seed: 5 });
    const y = tm.randint(0, 3, [48], { seed: 6 });
    const pipeline = () => tm.data.fromTensors(x, y).shuffle(48).batch(12);
    const run = (path: string, onEpochEnd?: (logs: tm.nn.EpochLogs) => void) => {
      const model = makeModel();
      const optimizer = new tm.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const scheduler = new tm.optim.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
      // The training loss at this rate wobbles once it is near 1: a patience of 2 stops the run early (at epoch 11 here).
      const fit = model.fit(pipeline(), { epochs: 12, loss: 'crossEntropy', optimizer, scheduler, earlyStopping: { monitor: 'loss', patience: 2 }, quiet: true, backup: new tm.nn.BackupAndRestore(path), onEpochEnd });
      return { model, fit };
    };
    tm.setSeed(8);
    const unbroken = run(join(DIR, `data-unbroken-${backend}.ckpt`));
    const all = await unbroken.fit;
    const last = all.epochs.length;
    expect(last).toBeLessThan(12);

    const path = join(DIR, `data-${backend}.ckpt`);
    tm.setSeed(8);
    // Killed at the epoch the unbroken run stopped at: restarted from the epoch before, after which early stopping had counted one without improvement.
    await expect(run(path, killAt(last)).fit).rejects.toThrow(`killed at epoch ${last}`);
    const restarted = run(path);
    const history = await restarted.fit;
    expect(untimed(history)).toEqual(untimed(all));
    expect(await valuesOf(restarted.model)).toEqual(await valuesOf(unbroken.model));
    expect(existsSync(path)).toBe(false);
  });

  it('with mixedPrecision, the loss scale and its count of good steps are kept too', async () => {
    const x = tm.randn([30, 6], { seed: 9 });
    const y = tm.randint(0, 3, [30], { seed: 10 });
    const options = (path: string): tm.nn.FitOptions => ({ epochs: 3, batchSize: 4, loss: 'crossEntropy', mixedPrecision: true, seed: 2, quiet: true, backup: new tm.nn.BackupAndRestore(path) });
    tm.setSeed(4);
    const unbroken = makeModel();
    const all = await unbroken.fit(x, y, options(join(DIR, `mixed-unbroken-${backend}.ckpt`)));
    const path = join(DIR, `mixed-${backend}.ckpt`);
    tm.setSeed(4);
    await expect(makeModel().fit(x, y, { ...options(path), onEpochEnd: killAt(2) })).rejects.toThrow('killed at epoch 2');
    const { fit } = (JSON.parse(tm.decodeSafetensors(readFileSync(path)).metadata.state) as { extra: { fit: tm.nn.FitPlace } }).extra;
    expect(fit.scaler).toEqual({ scale: 2 ** 12, good: 8 }); // epoch 1's eight batches, none overflowing
    const restarted = makeModel();
    expect(untimed(await restarted.fit(x, y, options(path)))).toEqual(untimed(all));
    expect(await valuesOf(restarted)).toEqual(await valuesOf(unbroken));
    x.dispose();
    y.dispose();
  });

  it('refuses what a backup cannot hold, and a file at the path that is not fit\'s backup, before any step', async () => {
    const model = makeModel();
    const x = tm.randn([8, 6], { seed: 1 });
    const y = tm.randint(0, 3, [8], { seed: 2 });
    const before = await valuesOf(model);
    const path = join(DIR, `refused-${backend}.ckpt`);
    const fit = (options: Partial<tm.nn.FitOptions>) => model.fit(x, y, { loss: 'crossEntropy', quiet: true, backup: new tm.nn.BackupAndRestore(path), ...options });
    expect(() => new tm.nn.BackupAndRestore('')).toThrow('BackupAndRestore: path must be a file path (a non-empty string or a file: URL), got ""');
    await expect(fit({ backup: path as unknown as tm.nn.FitBackup })).rejects.toThrow(/fit: backup must be a tm\.nn\.BackupAndRestore \(or an object with read, write and remove\), got .*refused-/);
    await expect(fit({ initialEpoch: 1, epochs: 3 })).rejects.toThrow('fit: initialEpoch and backup do not go together');
    await expect(fit({ earlyStopping: { monitor: 'loss', restoreBest: true } })).rejects.toThrow("fit: earlyStopping's restoreBest keeps the best epoch's weights in memory, which a backup does not hold");
    const scheduler = { step: () => undefined } as unknown as tm.optim.StepLR;
    await expect(fit({ scheduler })).rejects.toThrow(/fit: a backup keeps a tm\.optim schedule's place; the scheduler .* is not one/);
    await tm.nn.saveTrainingState(path, { model, extra: { epoch: 3 } }); // a checkpoint of the user's own, not fit's
    await expect(fit({})).rejects.toThrow(tm.CorruptFileError);
    await expect(fit({})).rejects.toThrow(/fit: the backup .* is not one fit wrote \(it holds no place in training\); remove it or give another path/);
    writeFileSync(path, 'not a checkpoint');
    await expect(fit({})).rejects.toThrow(tm.CorruptFileError);
    expect(await valuesOf(model)).toEqual(before);
    x.dispose();
    y.dispose();
  });
});
