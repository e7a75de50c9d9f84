// ChannelShuffle, as PyTorch's (ShuffleNet, Zhang et al., 2017): the
// channels of x [N, C, ...] seen as `groups` rows of C/groups and read out
// column by column, so the next grouped convolution's groups each see
// channels from every group of the last. Output channel j·groups + i is
// input channel i·(C/groups) + j. A reshape, a transpose and a reshape: the
// gradient is the inverse shuffle.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { reshape, transpose } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

function checkGroups(where: string, groups: number): void {
  if (!Number.isSafeInteger(groups) || groups <= 0) throw new ValueError(`${where}: groups must be a positive integer, got ${formatValue(groups)}`);
}

/** x [N, C, ...] with its channels shuffled across `groups` (PyTorch's F.channel_shuffle). */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  checkGroups('channelShuffle', groups);
  if (x.rank < 3) throw new ShapeError(`channelShuffle: x must be [batch, channels, ...] with at least one axis after the channels, got ${formatShape(x.shape)}`);
  const [n, c, ...rest] = x.shape;
  if (c % groups) throw new ShapeError(`channelShuffle: x ${formatShape(x.shape)} has ${c} channels, not a multiple of groups ${groups}`);
  return tidy(() => {
    const grid = reshape(x, [n, groups, c / groups, ...rest]);
    return reshape(transpose(grid, [0, 2, 1, ...rest.map((_, i) => i + 3)]), x.shape);
  });
}

/** Channels shuffled across groups, as PyTorch's nn.ChannelShuffle(groups); see channelShuffle. */
export class ChannelShuffle extends Module {
  constructor(readonly groups: number) {
    super();
    checkGroups('ChannelShuffle', groups);
  }

  forward(x: Tensor): Tensor {
    return channelShuffle(x, this.groups);
  }

  config(): LayerConfig {
    return { type: 'ChannelShuffle', groups: this.groups };
  }
}
