"""PyTorch reference for scripts/bench: the same LeNet-5 (Caffe 20-50-500) and LeNet-300-100, Adam 1e-3,
batch 64, on the same MNIST images; prints 'torch <model> plain <images/s>' (median of timed passes)."""
import gzip, os, statistics, struct, sys, time
import numpy as np
import torch
from torch import nn

def idx(path):
    with open(path, 'rb') as f:
        magic = struct.unpack('>I', f.read(4))[0]
        dims = struct.unpack('>' + 'I' * (magic & 0xff), f.read(4 * (magic & 0xff)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)

def lenet5():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))

def lenet300():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                         nn.Linear(100, 10))

def main():
    data_dir, images, passes, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    x = torch.tensor(idx(os.path.join(data_dir, 'train-images-idx3-ubyte'))[:images], dtype=torch.float32) / 255
    y = torch.tensor(idx(os.path.join(data_dir, 'train-labels-idx1-ubyte'))[:images], dtype=torch.long)
    x = x.unsqueeze(1)
    for name, make in (('lenet-5', lenet5), ('lenet-300-100', lenet300)):
        net = make()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        times = []
        for p in range(passes + 1):
            perm = torch.randperm(images)
            t0 = time.perf_counter()
            for i in range(0, images, 64):
                b = perm[i:i + 64]
                opt.zero_grad()
                loss = loss_fn(net(x[b]), y[b])
                loss.backward()
                opt.step()
            if p > 0:
                times.append(time.perf_counter() - t0)
        print(f'torch {name} plain {images / statistics.median(times):.1f}', flush=True)

if __name__ == '__main__':
    main()
