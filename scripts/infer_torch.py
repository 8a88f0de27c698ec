"""PyTorch's dense equivalent for `admm-nn compare`: the network described by SPEC_DIR/spec.json (written by the
Java side from the DL4J configuration: reshape, conv, pool, flatten, linear, activation, in order), with its weights
(SPEC_DIR/<name>.f32: raw little-endian float32, PyTorch's layout) and the inputs (SPEC_DIR/inputs.f32, [N, features]),
timed for inference (eval mode, torch.inference_mode) at batch 1 (latency: one image per call, cycling over the
inputs) and at batch N (throughput).

Usage: infer_torch.py SPEC_DIR THREADS SAMPLES

First the BLAS check of bench_torch.py (exit 2 and one line on stderr when PyTorch's matrix products run on the
reference BLAS); then 'info ...' lines as bench_torch.py prints them, 'time torch batch1-ms <ms>', 'time torch
batchN-ms <N> <ms>' and 'classes <c0> <c1> ...' (the predicted class of each input, to check that this is the same
network). Timing as the Java side's Timing (see median_ms); the median per call."""
import json, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_torch  # noqa: E402  (the BLAS check; imports torch)
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

ACTIVATIONS = {'identity': None, 'relu': nn.ReLU, 'tanh': nn.Tanh, 'sigmoid': nn.Sigmoid,
               'softmax': lambda: nn.Softmax(dim=1)}


class Reshape(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape((x.shape[0],) + self.shape)


def load(spec_dir, name, shape):
    return torch.from_numpy(np.fromfile(os.path.join(spec_dir, name + '.f32'), dtype='<f4').reshape(shape).copy())


def build(spec_dir):
    with open(os.path.join(spec_dir, 'spec.json')) as f:
        spec = json.load(f)
    modules = []
    for layer in spec['layers']:
        kind = layer['kind']
        if kind == 'reshape':
            modules.append(Reshape(layer['shape']))
        elif kind == 'flatten':
            modules.append(nn.Flatten())
        elif kind == 'conv':
            m = nn.Conv2d(layer['in'], layer['out'], tuple(layer['kernel']), stride=tuple(layer['stride']),
                          padding=tuple(layer['padding']), dilation=tuple(layer['dilation']), bias=layer['bias'])
            m.weight.data = load(spec_dir, layer['name'] + '.W', m.weight.shape)
            if layer['bias']:
                m.bias.data = load(spec_dir, layer['name'] + '.b', m.bias.shape)
            modules.append(m)
        elif kind == 'linear':
            m = nn.Linear(layer['in'], layer['out'], bias=layer['bias'])
            m.weight.data = load(spec_dir, layer['name'] + '.W', m.weight.shape)
            if layer['bias']:
                m.bias.data = load(spec_dir, layer['name'] + '.b', m.bias.shape)
            modules.append(m)
        elif kind == 'pool':
            pool = nn.MaxPool2d if layer['type'] == 'max' else nn.AvgPool2d
            modules.append(pool(tuple(layer['kernel']), stride=tuple(layer['stride']), padding=tuple(layer['padding'])))
        elif kind == 'activation':
            pass
        else:
            raise SystemExit(f'infer_torch: unknown layer kind {kind!r} in {spec_dir}/spec.json')
        act = ACTIVATIONS.get(layer.get('activation', 'identity'), 'unknown')
        if act == 'unknown':
            raise SystemExit(f'infer_torch: activation {layer["activation"]!r} of {layer.get("name")} is not supported')
        if act is not None:
            modules.append(act())
    inputs = np.fromfile(os.path.join(spec_dir, 'inputs.f32'), dtype='<f4').reshape(spec['inputs'], -1)
    return nn.Sequential(*modules).eval(), torch.from_numpy(inputs.copy())


def median_ms(work, samples):
    """As the Java side's Timing: warm-up windows of at least 0.1 s (one call or more) until at least 1 s and 3 calls
    have run and the last two windows agree on the time per call within 10 %, or 5 s have passed; then `samples` samples of as many calls
    as last about 2 ms by the last window's time per call; the median per call in milliseconds."""
    started, calls, previous = time.perf_counter(), 0, None
    while True:
        t0, window = time.perf_counter(), 0
        while True:
            work()
            window += 1
            if time.perf_counter() - t0 >= 0.1:
                break
        per_call = (time.perf_counter() - t0) / window
        calls += window
        stable = previous is not None and abs(per_call - previous) <= previous * 0.1
        elapsed = time.perf_counter() - started
        if calls >= 3 and stable and elapsed >= 1 or elapsed > 5:
            break
        previous = per_call
    inner = max(1, min(1_000_000, int(-(-0.002 // max(per_call, 1e-9)))))
    ms = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(inner):
            work()
        ms.append((time.perf_counter() - t0) * 1e3 / inner)
    return statistics.median(ms)


def main():
    spec_dir, threads, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    refused = bench_torch.check()
    if refused:
        print(f'compare: {refused}', file=sys.stderr)
        sys.exit(bench_torch.REFUSE)
    net, x = build(spec_dir)
    n = x.shape[0]
    singles = [x[i:i + 1].clone() for i in range(n)]
    with torch.inference_mode():
        classes = net(x).argmax(dim=1).tolist()
        state = {'i': 0}

        def one():
            net(singles[state['i'] % n])
            state['i'] += 1

        latency = median_ms(one, samples)
        batch = median_ms(lambda: net(x), samples)
    print(f'time torch batch1-ms {latency:.6g}')
    print(f'time torch batchN-ms {n} {batch:.6g}')
    print('classes ' + ' '.join(str(c) for c in classes), flush=True)


if __name__ == '__main__':
    main()
