#!/usr/bin/python3
# The PyTorch exports test/nn/pytorch_export.test.ts loads with
# tm.nn.loadPytorch: small real PyTorch models, one per case, each written as
#   NAME.safetensors  its state_dict, as safetensors.torch.save_file writes it
#                     (written here: an 8-byte little-endian header length, the
#                     JSON header, the raw little-endian data; no safetensors
#                     package needed), and
#   NAME.npz          fixed random inputs and PyTorch's outputs for them (eval
#                     mode, torch.no_grad), float32 (masks bool, token ids int64).
# Every parameter is moved off its initial value (biases and norm weights
# start at 0 and 1, which would hide a bias read from the wrong place), and
# the models with running statistics or spectral_norm take a few training
# steps first, so running_mean/var, num_batches_tracked and weight_u/v are
# PyTorch's own and not their initial values.
#
# Needs PyTorch (Debian's: apt-get install python3-torch python3-numpy, 1.13);
# the tests need only the files it writes:
#   /usr/bin/python3 scripts/make-pytorch-fixtures.py   (from the repository root)
import json
import os
import struct

import numpy as np
import torch
from torch import nn
from torch.nn.utils import spectral_norm, weight_norm
from torch.nn.utils import parametrizations
from torch.nn.utils.parametrizations import orthogonal

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'pytorch')
DTYPES = {torch.float32: ('F32', '<f4'), torch.int64: ('I64', '<i8')}


def save_safetensors(state, path):
    """A state_dict as safetensors: header JSON padded with spaces to 8 bytes, as the reference library pads it."""
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    for name in sorted(state):
        t = state[name].detach().contiguous()
        dtype, np_dtype = DTYPES[t.dtype]
        data = t.numpy().astype(np_dtype).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def causal(n):
    """PyTorch's causal mask: True (not allowed) above the diagonal."""
    return torch.triu(torch.ones(n, n, dtype=torch.bool), 1)


def padding(batch, length):
    """A key padding mask: sample b's last b positions masked (sample 0 unmasked)."""
    mask = torch.zeros(batch, length, dtype=torch.bool)
    for b in range(batch):
        if b:
            mask[b, length - b:] = True
    return mask


def perturb(model):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))


def warm_up(model, make_input, steps=3):
    """Training-mode forwards: running statistics (and spectral_norm's u, v) become PyTorch's own."""
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(make_input())
    model.eval()


def mlp():
    model = nn.Sequential(
        nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 8), nn.PReLU(8),
        nn.Sequential(nn.Linear(8, 6), nn.GELU()), nn.Linear(6, 6), nn.SiLU(), nn.Linear(6, 6), nn.Tanh(),
        nn.Linear(6, 4, bias=False), nn.LeakyReLU(0.2), nn.Linear(4, 3), nn.LogSoftmax(-1),
    )
    perturb(model)
    warm_up(model, lambda: 2 * randn(16, 5) + 1)
    x = randn(7, 5)
    return model, {'x': x}, lambda: {'y': model(x)}


def conv1d():
    model = nn.Sequential(
        nn.Conv1d(3, 6, 3, padding=1), nn.BatchNorm1d(6), nn.ReLU(),
        nn.Conv1d(6, 6, 5, stride=2, padding=2, groups=3, padding_mode='reflect'), nn.GroupNorm(3, 6), nn.SiLU(),
        nn.Conv1d(6, 4, 3, dilation=2, padding=2, padding_mode='circular'), nn.InstanceNorm1d(4, affine=True), nn.MaxPool1d(2),
        nn.ConvTranspose1d(4, 4, 4, stride=2, padding=1, groups=2), nn.Conv1d(4, 2, 3, padding='same', bias=False),
    )
    perturb(model)
    warm_up(model, lambda: 2 * randn(4, 3, 13) - 1)
    x = randn(2, 3, 13)
    return model, {'x': x}, lambda: {'y': model(x)}


def conv2d():
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 8, (3, 2), stride=(2, 1), padding=(1, 0), groups=4, padding_mode='replicate'), nn.GroupNorm(4, 8, eps=1e-3),
        nn.MaxPool2d(2),
        nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1), nn.InstanceNorm2d(4, affine=True, track_running_stats=True),
        nn.Hardswish(), nn.Conv2d(4, 4, 3, padding='same', dilation=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3),
    )
    perturb(model)
    warm_up(model, lambda: 2 * randn(4, 3, 9, 11) + 0.5)
    x = randn(2, 3, 9, 11)
    return model, {'x': x}, lambda: {'y': model(x)}


def conv3d():
    model = nn.Sequential(
        nn.Conv3d(2, 4, 3, padding=1), nn.BatchNorm3d(4), nn.ReLU(),
        nn.Conv3d(4, 4, (2, 3, 1), stride=(1, 2, 1), padding=(1, 1, 0), groups=2, padding_mode='replicate'),
        nn.InstanceNorm3d(4, affine=True, track_running_stats=True), nn.MaxPool3d((2, 2, 1)), nn.Dropout3d(0.3),
        nn.Conv3d(4, 3, 3, padding='same', dilation=(1, 2, 1), bias=False), nn.AvgPool3d(2, stride=1, padding=1, count_include_pad=False),
        nn.ConstantPad3d((1, 0, 0, 1, 1, 0), 0.5),
        nn.ConvTranspose3d(3, 2, (2, 3, 2), stride=(2, 1, 2), padding=(0, 1, 1), output_padding=(1, 0, 1)),
    )
    perturb(model)
    warm_up(model, lambda: 2 * randn(4, 2, 5, 7, 6) + 0.5)
    x = randn(2, 2, 5, 7, 6)
    return model, {'x': x}, lambda: {'y': model(x)}


def conv_transpose1d():
    model = nn.Sequential(
        nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), nn.BatchNorm1d(6, eps=1e-3),
        nn.InstanceNorm1d(6, affine=True, track_running_stats=True), nn.BatchNorm1d(6, affine=False), nn.GroupNorm(2, 6, affine=False),
        nn.BatchNorm1d(6, track_running_stats=False), nn.ConvTranspose1d(6, 3, 2, dilation=2, bias=False),
    )
    perturb(model)
    warm_up(model, lambda: randn(4, 4, 5) + 1)
    x = randn(3, 4, 5)
    return model, {'x': x}, lambda: {'y': model(x)}


def embedding():
    model = nn.Sequential(nn.Embedding(11, 6, padding_idx=0), nn.LayerNorm(6, eps=1e-3), nn.Linear(6, 4))
    perturb(model)
    x = torch.randint(0, 11, (3, 5))
    x[0, :2] = 0
    return model, {'x': x}, lambda: {'y': model(x)}


def bilinear():
    model = nn.Bilinear(4, 5, 3)
    perturb(model)
    x1, x2 = randn(6, 4), randn(6, 5)
    return model, {'x1': x1, 'x2': x2}, lambda: {'y': model(x1, x2)}


def recurrent(kind, **options):
    options = {'num_layers': 2, 'bidirectional': True, **options}

    def make():
        model = getattr(nn, kind)(5, 4, batch_first=True, **options)
        perturb(model)
        x, h0 = randn(3, 6, 5), 0.5 * randn(options['num_layers'] * (2 if options['bidirectional'] else 1), 3, 4)
        inputs = {'x': x, 'h0': h0}
        state = h0
        if kind == 'LSTM':
            inputs['c0'] = 0.5 * randn(*h0.shape)
            state = (h0, inputs['c0'])

        def run():
            output, state_n = model(x, state)
            outputs = {'y': output, 'y_from_zeros': model(x)[0]}
            if kind == 'LSTM':
                outputs['h'], outputs['c'] = state_n
            else:
                outputs['h'] = state_n
            return outputs
        return model, inputs, run
    return make


def cell(kind, **options):
    def make():
        model = getattr(nn, kind)(5, 4, **options)
        perturb(model)
        x, h0 = randn(3, 5), 0.5 * randn(3, 4)
        inputs = {'x': x, 'h0': h0}
        if kind == 'LSTMCell':
            inputs['c0'] = 0.5 * randn(3, 4)

        def run():
            if kind == 'LSTMCell':
                h, c = model(x, (h0, inputs['c0']))
                hz, cz = model(x)
                return {'h': h, 'c': c, 'h_from_zeros': hz, 'c_from_zeros': cz}
            return {'h': model(x, h0), 'h_from_zeros': model(x)}
        return model, inputs, run
    return make


def attention(**options):
    model = nn.MultiheadAttention(8, 2, batch_first=True, **options)
    perturb(model)
    query, key, value = randn(2, 3, 8), randn(2, 5, 8), randn(2, 5, 8)
    mask = padding(2, 5)

    def run():
        y, weights = model(query, key, value, key_padding_mask=mask, average_attn_weights=False)
        return {'y': y, 'weights': weights, 'y_causal': model(query, query, query, attn_mask=causal(3))[0]}
    return model, {'query': query, 'key': key, 'value': value, 'key_padding_mask': mask}, run


def encoder_layer():
    model = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    perturb(model)
    x, mask = randn(2, 5, 8), padding(2, 5)
    return model, {'x': x, 'key_padding_mask': mask}, lambda: {'y': model(x), 'y_masked': model(x, src_key_padding_mask=mask)}


def encoder_layer_norm_first():
    model = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, activation='gelu', layer_norm_eps=1e-4, norm_first=True, batch_first=True)
    perturb(model)
    x = randn(2, 5, 8)
    return model, {'x': x}, lambda: {'y_causal': model(x, src_mask=causal(5))}


def decoder_layer():
    model = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    perturb(model)
    tgt, memory = randn(2, 4, 8), randn(2, 5, 8)
    tgt_mask, memory_mask = padding(2, 4), padding(2, 5)
    return model, {'tgt': tgt, 'memory': memory, 'tgt_key_padding_mask': tgt_mask, 'memory_key_padding_mask': memory_mask}, lambda: {
        'y': model(tgt, memory),
        'y_masked': model(tgt, memory, tgt_key_padding_mask=tgt_mask, memory_key_padding_mask=memory_mask),
    }


def encoder():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    # enable_nested_tensor=False: with it, eval mode's fast path gives 0 at padded positions, a PyTorch shortcut, not the layer's function.
    model = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
    perturb(model)
    x, mask = randn(2, 5, 8), padding(2, 5)
    return model, {'x': x, 'key_padding_mask': mask}, lambda: {'y': model(x), 'y_masked': model(x, src_key_padding_mask=mask)}


def decoder():
    layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, activation='gelu', norm_first=True, batch_first=True)
    model = nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8))
    perturb(model)
    tgt, memory = randn(2, 4, 8), randn(2, 5, 8)
    memory_mask = padding(2, 5)
    return model, {'tgt': tgt, 'memory': memory, 'memory_key_padding_mask': memory_mask}, lambda: {
        'y_causal': model(tgt, memory, tgt_mask=causal(4), memory_key_padding_mask=memory_mask),
    }


def transformer():
    model = nn.Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, batch_first=True)
    model.encoder.enable_nested_tensor = False  # as encoder()'s: the layers' function at padded positions too
    perturb(model)
    src, tgt, src_mask = randn(2, 5, 8), randn(2, 4, 8), padding(2, 5)
    return model, {'src': src, 'tgt': tgt, 'src_key_padding_mask': src_mask}, lambda: {
        'y_causal': model(src, tgt, tgt_mask=causal(4), src_key_padding_mask=src_mask, memory_key_padding_mask=src_mask),
    }


def weight_normed():
    model = nn.Sequential(
        weight_norm(nn.Conv1d(3, 4, 3)), nn.ReLU(), weight_norm(nn.ConvTranspose1d(4, 2, 3)), nn.Flatten(),
        weight_norm(nn.Linear(14, 5)), nn.Tanh(), weight_norm(nn.Linear(5, 3), dim=None),
    )
    perturb(model)
    x = randn(3, 3, 7)
    return model, {'x': x}, lambda: {'y': model(x)}


def spectral_normed(wrap=spectral_norm):
    """spectral_norm's weight_orig, weight_u, weight_v; with parametrizations.spectral_norm, parametrizations.weight.original, .0._u, .0._v."""
    model = nn.Sequential(
        wrap(nn.Conv1d(3, 4, 3)), nn.ReLU(), wrap(nn.ConvTranspose1d(4, 2, 3)), nn.Flatten(),
        wrap(nn.Linear(14, 5)),
    )
    perturb(model)
    warm_up(model, lambda: randn(4, 3, 7))
    x = randn(3, 3, 7)
    return model, {'x': x}, lambda: {'y': model(x)}


def orthogonal_weights():
    """Every map and both orientations, trained a few Adam steps so the parameters move off -I (the diagonal, which gets no gradient, stays there)."""
    model = nn.Sequential(
        orthogonal(nn.Linear(5, 3)), nn.Tanh(), orthogonal(nn.Linear(3, 3)), nn.Tanh(),
        orthogonal(nn.Linear(3, 7)), nn.Tanh(), orthogonal(nn.Linear(7, 4), orthogonal_map='cayley'),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    x, target = randn(16, 5), randn(16, 4)
    for _ in range(10):
        optimizer.zero_grad()
        ((model(x) - target) ** 2).mean().backward()
        optimizer.step()
    x = randn(6, 5)
    return model, {'x': x}, lambda: {'y': model(x)}


def adaptive_softmax():
    model = nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 11], div_value=2.0, head_bias=True)
    perturb(model)
    x = randn(9, 8)
    target = torch.tensor([0, 3, 4, 10, 11, 19, 2, 7, 15])  # every cluster, both edges of each
    return model, {'x': x, 'target': target}, lambda: {
        'output': model(x, target).output, 'loss': model(x, target).loss, 'log_prob': model.log_prob(x), 'predict': model.predict(x),
    }


CASES = {
    'mlp': mlp, 'conv1d': conv1d, 'conv2d': conv2d, 'conv_transpose1d': conv_transpose1d, 'embedding': embedding,
    'bilinear': bilinear, 'lstm': recurrent('LSTM'), 'gru': recurrent('GRU'), 'rnn': recurrent('RNN', nonlinearity='relu'),
    'lstm_no_bias': recurrent('LSTM', num_layers=1, bidirectional=False, bias=False),
    'lstm_cell': cell('LSTMCell'), 'gru_cell': cell('GRUCell'), 'rnn_cell': cell('RNNCell', bias=False),
    'attention': attention, 'attention_no_bias': lambda: attention(bias=False), 'encoder_layer': encoder_layer, 'encoder_layer_norm_first': encoder_layer_norm_first,
    'decoder_layer': decoder_layer, 'encoder': encoder, 'decoder': decoder,
    'weight_norm': weight_normed, 'spectral_norm': spectral_normed, 'transformer': transformer, 'conv3d': conv3d,
    'adaptive_softmax': adaptive_softmax, 'orthogonal': orthogonal_weights, 'spectral_norm_parametrized': lambda: spectral_normed(parametrizations.spectral_norm),
}


# Settings tmnn has no equivalent of: state_dicts alone, which loadPytorch must refuse by name rather than load into the nearest tmnn model.
REFUSED = {
    'refused_layer_norm_no_affine': lambda: nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6, elementwise_affine=False)),
    'refused_lstm_proj_size': lambda: nn.LSTM(5, 4, proj_size=2, batch_first=True),
    'refused_attention_kdim': lambda: nn.MultiheadAttention(8, 2, kdim=6, vdim=6, batch_first=True),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, make) in enumerate(CASES.items()):
        torch.manual_seed(i)
        model, inputs, run = make()
        model.eval()
        with torch.no_grad():
            outputs = run()
        save_safetensors(model.state_dict(), os.path.join(OUT, f'{name}.safetensors'))
        arrays = {k: v.numpy() for k, v in {**inputs, **outputs}.items()}
        np.savez_compressed(os.path.join(OUT, f'{name}.npz'), **arrays)
    for name, make in REFUSED.items():
        save_safetensors(make().state_dict(), os.path.join(OUT, f'{name}.safetensors'))
    print(f'torch {torch.__version__}, numpy {np.__version__}: {len(CASES) + len(REFUSED)} cases in {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
