// Training checkpoints (tm.nn.saveTrainingState / loadTrainingState): a run
// saved mid-way — model, optimizer, schedule, weight average and the
// caller's own JSON — and loaded into objects built afresh goes on exactly as
// the run that never stopped; a file that does not fit is refused by name
// before anything changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tm from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

const DIR = mkdtempSync(join(tmpdir(), 'tmnn-training-state-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

interface Run {
  model: tm.nn.Sequential;
  optimizer: tm.optim.Adam;
  scheduler: tm.optim.StepLR;
  averages: tm.optim.EMA;
}

/** A small classifier with BatchNorm (buffers as well as parameters), Adam, a stepped rate and an EMA: built the same at every call. */
function makeRun(lr = 0.01): Run {
  const model = new tm.nn.Sequential([new tm.nn.Dense(6, 8, { activation: 'relu', seed: 1 }), new tm.nn.BatchNorm1d(8), new tm.nn.Dense(8, 3, { seed: 2 })]);
  const optimizer = new tm.optim.Adam(model.parameters(), { lr });
  return { model, optimizer, scheduler: new tm.optim.StepLR(optimizer, { stepSize: 2, gamma: 0.5 }), averages: new tm.optim.EMA(model.parameters(), { decay: 0.8 }) };
}

/** Epochs `from` to `to`, three batches each, the data seeded by epoch and batch. */
function train(run: Run, from: number, to: number): void {
  for (let epoch = from; epoch < to; epoch++) {
    for (let b = 0; b < 3; b++) {
      tm.tidy(() => {
        const x = tm.randn([5, 6], { seed: 10 * epoch + b });
        const y = tm.randint(0, 3, [5], { seed: 10 * epoch + b + 1000 });
        run.optimizer.zeroGrad();
        tm.losses.crossEntropy(run.model.forward(x), y).backward();
        run.optimizer.step();
        run.averages.update();
      });
    }
    run.scheduler.step();
  }
  run.optimizer.zeroGrad();
}

const stateValues = async (run: Run) => ({
  weights: await Promise.all(Object.values(run.model.namedState()).map(async (t) => Array.from(await t.data()))),
  averages: await Promise.all(run.averages.averages.map(async (t) => Array.from(await t.data()))),
  lr: run.optimizer.lr,
});

describe.each(BACKENDS)('training checkpoints on %s', (backend) => {
  beforeAll(async () => {
    await tm.init({ backend });
  });

  it('a run saved after 3 epochs and loaded into objects built afresh trains on to the unbroken run\'s weights, averages and rate, bit for bit; extra comes back', async () => {
    const unbroken = makeRun();
    train(unbroken, 0, 5);

    const first = makeRun();
    train(first, 0, 3);
    const path = join(DIR, `run-${backend}.safetensors`);
    await tm.nn.saveTrainingState(path, { ...first, extra: { epoch: 3, best: Infinity, note: 'mnist', history: [0.5, 0.25] } });
    expect(readdirSync(DIR).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const resumed = makeRun(0.3);
    const { extra } = await tm.nn.loadTrainingState(path, resumed);
    expect(extra).toEqual({ epoch: 3, best: Infinity, note: 'mnist', history: [0.5, 0.25] });
    expect(resumed.optimizer.lr).toBe(first.optimizer.lr);
    expect(resumed.scheduler.lastEpoch).toBe(3);
    expect(resumed.averages.updates).toBe(9);
    train(resumed, 3, 5);
    expect(await stateValues(resumed)).toEqual(await stateValues(unbroken));
  });

  it('fit resumes with initialEpoch: a checkpoint saved in onEpochEnd after epoch 2 of 4, loaded, and fit from there gives the unbroken fit\'s weights and logs', async () => {
    const x = tm.randn([40, 6], { seed: 7 });
    const y = tm.randint(0, 3, [40], { seed: 8 });
    const fit = (run: Run, options: Partial<tm.nn.FitOptions>) =>
      run.model.fit(x, y, { epochs: 4, batchSize: 16, loss: 'crossEntropy', optimizer: run.optimizer, scheduler: run.scheduler, seed: 5, quiet: true, ...options });

    const unbroken = makeRun();
    const all = await fit(unbroken, {});
    const path = join(DIR, `fit-${backend}.safetensors`);
    const first = makeRun();
    await fit(first, {
      epochs: 2,
      onEpochEnd: async (logs) => tm.nn.saveTrainingState(path, { model: first.model, optimizer: first.optimizer, scheduler: first.scheduler, extra: { epoch: logs.epoch } }),
    });
    const resumed = makeRun();
    const { extra } = await tm.nn.loadTrainingState(path, { model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.scheduler });
    const rest = await fit(resumed, { initialEpoch: (extra as { epoch: number }).epoch });
    expect(rest.epochs.map((e) => e.epoch)).toEqual([3, 4]);
    expect(rest.loss).toEqual(all.loss.slice(2));
    const [want, got] = [Object.values(unbroken.model.namedState()), Object.values(resumed.model.namedState())];
    for (let i = 0; i < want.length; i++) expect(Array.from(await got[i].data())).toEqual(Array.from(await want[i].data()));
    await expect(fit(resumed, { initialEpoch: 4 })).rejects.toThrow(/initialEpoch must be an integer from 0 to epochs − 1 \(3\)/);
  });

  it('fit on a shuffled tm.data pipeline resumes with the orders the unbroken run drew next: the checkpoint keeps its shuffles (data)', async () => {
    const x = tm.randn([30, 6], { seed: 41 });
    const y = tm.randint(0, 3, [30], { seed: 42 });
    const pipeline = () => tm.data.fromTensors(x, y).shuffle(30).batch(8); // unseeded: its seed comes back from the file too
    const fit = (run: Run, data: tm.data.Dataset<tm.nn.Batch>, options: Partial<tm.nn.FitOptions>) =>
      run.model.fit(data, { epochs: 4, loss: 'crossEntropy', optimizer: run.optimizer, quiet: true, ...options });

    tm.setSeed(8);
    const unbroken = makeRun();
    const all = await fit(unbroken, pipeline(), {});
    tm.setSeed(8);
    const first = makeRun();
    const firstData = pipeline();
    let bytes: Uint8Array = new Uint8Array();
    await fit(first, firstData, { epochs: 2, onEpochEnd: async (logs) => void (bytes = await tm.nn.trainingStateToBytes({ model: first.model, optimizer: first.optimizer, data: firstData, extra: logs.epoch })) });
    const resumed = makeRun();
    const resumedData = pipeline();
    const { extra } = await tm.nn.loadTrainingState(bytes, { model: resumed.model, optimizer: resumed.optimizer, data: resumedData });
    const rest = await fit(resumed, resumedData, { initialEpoch: extra as number });
    expect(rest.loss).toEqual(all.loss.slice(2));
    await expect(tm.nn.loadTrainingState(bytes, { data: tm.data.fromTensors(x, y).batch(8) })).rejects.toThrow(/loadTrainingState: data: the state is of a pipeline with 1 shuffle, this dataset reads from 0/);
    await expect(tm.nn.loadTrainingState(bytes, { data: [1, 2] } as unknown as tm.nn.TrainingStateParts)).rejects.toThrow(/data is .*, not a tm\.data\.Dataset/);
  });

  describe('dropout', () => {
    /** A transformer layer (dropouts of its own and its attention's, seeded), a seeded Dropout layer and an unseeded one: every kind of mask stream. */
    const make = (seeded = true) => {
      const model = new tm.nn.Sequential([
        new tm.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.2, seed: 3 }),
        new tm.nn.Flatten(),
        new tm.nn.Dense(20, 8, { activation: 'relu', seed: 4 }),
        new tm.nn.Dropout(0.3, seeded ? 9 : undefined),
        new tm.nn.Dense(8, 8, { activation: 'relu', seed: 5 }),
        new tm.nn.Dropout(0.25),
        new tm.nn.Dense(8, 3, { seed: 6 }),
      ]);
      return { model, optimizer: new tm.optim.Adam(model.parameters(), { lr: 0.01 }) };
    };
    const x = () => tm.randn([24, 5, 4], { seed: 31 });
    const y = () => tm.randint(0, 3, [24], { seed: 32 });
    const fit = (run: ReturnType<typeof make>, options: Partial<tm.nn.FitOptions>) =>
      run.model.fit(x(), y(), { epochs: 4, batchSize: 8, loss: 'crossEntropy', optimizer: run.optimizer, seed: 5, quiet: true, ...options });

    it('a model with dropout resumes exactly: seeded masks go on from the count drawn (a layer\'s own dropouts too), unseeded ones from setSeed\'s sequence (random: true)', async () => {
      tm.setSeed(42);
      const unbroken = make();
      const all = await fit(unbroken, {});

      tm.setSeed(42);
      const first = make();
      let bytes: Uint8Array = new Uint8Array();
      await fit(first, { epochs: 2, onEpochEnd: async (logs) => void (bytes = await tm.nn.trainingStateToBytes({ ...first, random: true, extra: { epoch: logs.epoch } })) });
      // Three batches an epoch, a mask each: the transformer layer's three dropouts and its attention's, under their paths.
      const { model: header } = JSON.parse(tm.decodeSafetensors(bytes).metadata.state) as { model: { draws: Record<string, number> } };
      expect(header.draws).toEqual({ '0.dropout.0.masks': 6, '0.dropout.1.masks': 6, '0.dropout.2.masks': 6, '0.0.dropout.0.masks': 6, '3.masks': 6 });

      tm.setSeed(7); // elsewhere in the sequence: the checkpoint puts it back
      const resumed = make();
      const { extra } = await tm.nn.loadTrainingState(bytes, { ...resumed, random: true });
      const rest = await fit(resumed, { initialEpoch: (extra as { epoch: number }).epoch });
      expect(rest.loss).toEqual(all.loss.slice(2));
      const [want, got] = [unbroken.model.parameters(), resumed.model.parameters()];
      for (let i = 0; i < want.length; i++) expect(Array.from(await got[i].data())).toEqual(Array.from(await want[i].data()));
    });

    it('refuses a model whose seeded streams differ from the file\'s, a random state the file lacks, and a count that is not one; a file saved unseeded loads as unseeded', async () => {
      const run = make();
      tm.setRandomState(null);
      const bytes = await tm.nn.trainingStateToBytes({ ...run, random: true });
      await expect(tm.nn.loadTrainingState(await tm.nn.trainingStateToBytes({ model: make(false).model }), { model: run.model })).rejects.toThrow(
        /the model's seeded random streams differ from the file's — the model's not in the file: 3\.masks; the file's not in the model: none/,
      );
      await expect(tm.nn.loadTrainingState(await tm.nn.trainingStateToBytes({ model: run.model }), { model: run.model, random: true })).rejects.toThrow(/the file holds no random state \(it holds model\)/);
      await expect(tm.nn.loadTrainingState(bytes, { model: run.model, random: 'yes' } as unknown as tm.nn.TrainingStateParts)).rejects.toThrow(/random is "yes", not true or false/);

      // Damaged counts are corrupt; a file from before the counts were kept (model: true) loads the weights and leaves the streams.
      const { entries, metadata } = tm.decodeSafetensors(bytes);
      const withState = (state: object) => tm.encodeSafetensors(entries, { ...metadata, state: JSON.stringify(state) });
      const header = JSON.parse(metadata.state) as { model: { draws: Record<string, number> } };
      await expect(tm.nn.loadTrainingState(withState({ ...header, model: { draws: { ...header.model.draws, '3.masks': -1 } } }), { model: run.model })).rejects.toThrow(tm.CorruptFileError);
      const drawn = make();
      tm.tidy(() => drawn.model.forward(x()));
      expect(drawn.model.children()[3].drawCounts()).toEqual({ masks: 1 });
      await expect(tm.nn.loadTrainingState(withState({ ...header, model: true }), { model: drawn.model })).resolves.toEqual({ extra: undefined });
      expect(drawn.model.children()[3].drawCounts()).toEqual({ masks: 1 });
      await tm.nn.loadTrainingState(bytes, { model: drawn.model });
      expect(drawn.model.children()[3].drawCounts()).toEqual({ masks: 0 });

      tm.setSeed(1);
      await tm.nn.loadTrainingState(bytes, { random: true });
      expect(tm.getRandomState()).toBeNull();
    });
  });

  it('an LBFGS checkpoint (its history and last step) resumes exactly too', async () => {
    const x = tm.randn([12, 6], { seed: 21 });
    const y = tm.randint(0, 3, [12], { seed: 22 });
    const make = () => {
      const model = new tm.nn.Sequential([new tm.nn.Dense(6, 5, { activation: 'tanh', seed: 3 }), new tm.nn.Dense(5, 3, { seed: 4 })]);
      return { model, optimizer: new tm.optim.LBFGS(model.parameters(), { maxIter: 3, lineSearchFn: 'strong_wolfe' }) };
    };
    const steps = async ({ model, optimizer }: ReturnType<typeof make>, n: number) => {
      for (let k = 0; k < n; k++) {
        await optimizer.step(() => {
          optimizer.zeroGrad();
          const loss = tm.losses.crossEntropy(model.forward(x), y);
          loss.backward();
          return loss;
        });
      }
    };
    const unbroken = make();
    await steps(unbroken, 3);
    const first = make();
    await steps(first, 1);
    const bytes = await tm.nn.trainingStateToBytes(first);
    const resumed = make();
    await tm.nn.loadTrainingState(bytes, resumed);
    await steps(resumed, 2);
    const [want, got] = [unbroken.model.parameters(), resumed.model.parameters()];
    for (let i = 0; i < want.length; i++) expect(Array.from(await got[i].data())).toEqual(Array.from(await want[i].data()));
  });

  it('the checkpoint as bytes (trainingStateToBytes, for a page) loads too, and a part the file holds may be left unread: the model alone, to evaluate', async () => {
    const run = makeRun();
    train(run, 0, 2);
    const bytes = await tm.nn.trainingStateToBytes({ model: run.model, optimizer: run.optimizer });
    const model = makeRun().model;
    expect(await tm.nn.loadTrainingState(bytes, { model })).toEqual({ extra: undefined });
    const [want, got] = [Object.values(run.model.namedState()), Object.values(model.namedState())];
    for (let i = 0; i < want.length; i++) expect(Array.from(await got[i].data())).toEqual(Array.from(await want[i].data()));
  });

  it('refuses a file whose parts do not fit, naming what differs, and changes no part: the optimizer and schedule stay as they were when the model does not fit', async () => {
    const run = makeRun();
    train(run, 0, 1);
    const bytes = await tm.nn.trainingStateToBytes(run);

    const target = makeRun(0.02);
    const wider = new tm.nn.Sequential([new tm.nn.Dense(6, 9, { seed: 1 }), new tm.nn.BatchNorm1d(9), new tm.nn.Dense(9, 3, { seed: 2 })]);
    const before = target.optimizer.stateDict();
    await expect(tm.nn.loadTrainingState(bytes, { ...target, model: wider })).rejects.toThrow(/0\.weight is \[6,8\] in the state and \[6,9\] in the module/);
    expect(target.optimizer.stateDict()).toMatchObject({ lr: 0.02, steps: 0 });
    expect(target.scheduler.lastEpoch).toBe(0);
    expect(before.steps).toBe(0);

    await expect(tm.nn.loadTrainingState(bytes, { optimizer: new tm.optim.SGD(target.model.parameters()) })).rejects.toThrow(/the state is "?Adam"?'s, not SGD's/);
    const partial = await tm.nn.trainingStateToBytes({ model: run.model });
    await expect(tm.nn.loadTrainingState(partial, target)).rejects.toThrow(/the file holds no optimizer state \(it holds model\)/);
    await expect(tm.nn.loadTrainingState(bytes, { model: target.model, optimiser: target.optimizer } as tm.nn.TrainingStateParts)).rejects.toThrow(/unknown part optimiser/);
    await expect(tm.nn.loadTrainingState(bytes, { optimizer: new tm.optim.LBFGS(target.model.parameters()) })).rejects.toThrow(/the state is "?Adam"?'s, not LBFGS's/);
    await expect(tm.nn.loadTrainingState(bytes, { optimizer: {} as tm.optim.Optimizer })).rejects.toThrow(/optimizer is .*, not a tm\.optim optimizer/);
  });

  it('refuses a file that is not a checkpoint as corrupt (a weights file, or damaged metadata), and extra that is not JSON before writing anything', async () => {
    const run = makeRun();
    const weights = await run.model.weightsToBytes();
    await expect(tm.nn.loadTrainingState(weights, { model: run.model })).rejects.toThrow(tm.CorruptFileError);
    await expect(tm.nn.loadTrainingState(weights, { model: run.model })).rejects.toThrow(/not a training checkpoint/);
    const damaged = tm.encodeSafetensors({}, { format: 'tmnn-training-state', state: '{"model": tru' });
    await expect(tm.nn.loadTrainingState(damaged, { model: run.model })).rejects.toThrow(/the checkpoint's state is not valid JSON/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const path = join(DIR, `cyclic-${backend}.safetensors`);
    await expect(tm.nn.saveTrainingState(path, { model: run.model, extra: cyclic as tm.nn.JsonValue })).rejects.toThrow(/extra must be JSON/);
    expect(readdirSync(DIR).filter((f) => f.startsWith(`cyclic-${backend}`))).toEqual([]);
  });
});
