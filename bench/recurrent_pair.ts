// The recurrent layers the benches time, tmnn's beside tfjs-layers' on
// whichever tfjs backend is active (wasm in bench/native/ops.ts, webgpu in
// bench/webgpu/recurrent.ts): MNIST read as a sequence (an image's 28 rows
// as 28 steps of 28 pixels, 32 images, 128 units). tfjs's recurrent weights
// start Glorot rather than orthogonal (its orthogonal initializer fails on
// wasm); the values do not change the work. tfjs's GRU gates with σ here as
// PyTorch's (its default is the hard sigmoid) and applies the reset gate
// before Whh (it has no reset_after): the same products and as many
// elementwise ops a step.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tm from '../src/index.js';

export const SEQUENCE = { batch: 32, time: 28, features: 28, units: 128 } as const;

export interface RecurrentPair {
  layer: tm.nn.LSTM | tm.nn.GRU;
  x: tm.Tensor;
  peer: tfl.layers.Layer;
  tx: tf.Tensor3D;
  /** The peer's weights, for tf.variableGrads. */
  peerWeights: tf.Variable[];
  /** tmnn's training step: the gradients of mean(y²) in every weight, left in each p.grad. */
  backward: () => void;
  /** Frees and clears what backward left in the weights' grad. */
  clearGrads: () => void;
  /** The peer's training step: the same gradients, with the loss (for the caller to dispose). */
  peerGrads: () => tf.Tensor[];
  dispose: () => void;
}

/** tmnn's `kind` layer and tfjs-layers' on the same input, the peer's weights built. */
export async function recurrentPair(kind: 'LSTM' | 'GRU'): Promise<RecurrentPair> {
  const { batch, time, features, units } = SEQUENCE;
  const layer = new tm.nn[kind](features, units, { seed: 1 });
  const x = tm.randn([batch, time, features], { seed: 2 });
  const tx = tf.tensor3d((await x.data()) as Float32Array, [batch, time, features]);
  const peer = kind === 'LSTM'
    ? tfl.layers.lstm({ units, returnSequences: true, recurrentInitializer: 'glorotUniform' })
    : tfl.layers.gru({ units, returnSequences: true, recurrentInitializer: 'glorotUniform', recurrentActivation: 'sigmoid' });
  tf.dispose(peer.apply(tx) as tf.Tensor); // builds its weights
  const peerWeights = peer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  return {
    layer, x, peer, tx, peerWeights,
    backward: () => tm.tidy(() => layer.forward(x).square().mean()).backward(),
    clearGrads: () => {
      for (const p of layer.parameters()) {
        p.grad!.dispose();
        p.grad = null;
      }
    },
    peerGrads: () => {
      const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(peer.apply(tx) as tf.Tensor)) as tf.Scalar, peerWeights);
      return [value, ...Object.values(grads)];
    },
    dispose: () => {
      layer.dispose();
      x.dispose();
      peer.dispose();
      tx.dispose();
    },
  };
}
