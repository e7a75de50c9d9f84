// TMNN's own demo: a 2-8-1 network learns XOR.
import * as tm from '../../src/index.js';

export async function trainXor(options: { backend?: tm.BackendName; seed?: number; epochs?: number } = {}) {
  await tm.init(options.backend ? { backend: options.backend } : {});
  tm.setSeed(options.seed ?? 3);
  const x = tm.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tm.tensor([[0], [1], [1], [0]]);
  const model = new tm.nn.Sequential([
    new tm.nn.Dense(2, 8, { activation: 'tanh' }),
    new tm.nn.Dense(8, 1, { activation: 'sigmoid' }),
  ]);
  const optimizer = new tm.optim.Adam(model.parameters(), { lr: 0.05 });
  const started = performance.now();
  const history = await model.fit(x, y, { epochs: options.epochs ?? 300, batchSize: 4, loss: 'binaryCrossEntropy', optimizer, quiet: true });
  const seconds = (performance.now() - started) / 1000;
  const out = model.predict(x);
  const predictions = Array.from(await out.data());
  out.dispose();
  model.dispose();
  optimizer.dispose();
  x.dispose();
  y.dispose();
  return { predictions, loss: history.loss[history.loss.length - 1], seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await trainXor();
  console.log(`XOR after ${r.seconds.toFixed(2)} s: loss ${r.loss.toFixed(4)}`);
  [[0, 0], [0, 1], [1, 0], [1, 1]].forEach(([a, b], i) => console.log(`  ${a} xor ${b} → ${r.predictions[i].toFixed(3)}`));
}
