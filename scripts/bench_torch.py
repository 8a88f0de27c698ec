"""PyTorch reference for scripts/bench: the same LeNet-5 (Caffe 20-50-500) and LeNet-300-100, Adam 1e-3,
batch 64, on the same MNIST images.

Usage: bench_torch.py check                               (what PyTorch runs on; no timing)
       bench_torch.py DATA_DIR IMAGES PASSES THREADS      (the check, then the timing)
       bench_torch.py openblas LIB...                     (core and build of OpenBLAS files, without torch)
       bench_torch.py split DATA_DIR STEPS THREADS        (where a training step's time goes)

Before timing it finds the BLAS library PyTorch's matrix products actually call (the library the dynamic linker
binds torch's sgemm_ to, after a matrix product has run) and prints 'info <key> <value>' lines: torch version,
thread counts, that library's path, kind and core (openblas_get_corename), and the OPENBLAS_*/OMP_*/MKL_*
environment. It exits 2 with one line on stderr when that library is the reference (netlib) BLAS, whose times say
nothing about PyTorch. Timing prints 'torch <model> plain <images/s>' (median of the timed passes)."""
import ctypes, ctypes.util, os, statistics, struct, sys, time

REFUSE = 2


def _openblas(lib):
    """(core, threads, config) of an OpenBLAS library file, or None when it is not OpenBLAS."""
    try:
        c = ctypes.CDLL(lib)
        c.openblas_get_corename.restype = ctypes.c_char_p
        c.openblas_get_config.restype = ctypes.c_char_p
        return c.openblas_get_corename().decode(), c.openblas_get_num_threads(), c.openblas_get_config().decode()
    except (AttributeError, OSError):
        return None


if __name__ == '__main__' and sys.argv[1:2] == ['openblas']:
    # Another program's OpenBLAS (ours, bundled with ND4J): asked here before torch loads its own, so that only
    # the file named is loaded. Its core depends on the CPU and OPENBLAS_CORETYPE alone, as in that program.
    for lib in sys.argv[2:]:
        ob = _openblas(lib)
        print(f'openblas {lib} ' + (f'core {ob[0]}; build {ob[2]}' if ob else 'not OpenBLAS'))
    sys.exit(0)

import numpy as np
import torch
from torch import nn


class DlInfo(ctypes.Structure):
    _fields_ = [('dli_fname', ctypes.c_char_p), ('dli_fbase', ctypes.c_void_p),
                ('dli_sname', ctypes.c_char_p), ('dli_saddr', ctypes.c_void_p)]


def _mapped(pattern):
    """Paths of the shared libraries mapped into this process whose name contains pattern."""
    with open('/proc/self/maps') as f:
        paths = {line.split()[-1] for line in f if len(line.split()) >= 6}
    return sorted(p for p in paths if pattern in os.path.basename(p))


def _library_of(symbol):
    """The file that torch's calls to symbol resolve to: the dynamic linker looks in the global scope first (the
    program, its libraries, LD_PRELOAD), then in the libraries libtorch_cpu was loaded with."""
    libc = ctypes.CDLL(ctypes.util.find_library('c'))
    libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
    scopes = [None] + _mapped('libtorch_cpu')
    for scope in scopes:
        try:
            address = ctypes.cast(getattr(ctypes.CDLL(scope), symbol), ctypes.c_void_p).value
        except (AttributeError, OSError):
            continue
        info = DlInfo()
        if libc.dladdr(address, ctypes.byref(info)) and info.dli_fname:
            return os.path.realpath(info.dli_fname.decode())
    return None


def check():
    """Prints what PyTorch runs on; returns an error line when its BLAS is the reference one, else None."""
    a, b = torch.rand(64, 800), torch.rand(800, 500)
    (a @ b).sum().item()   # a matrix product has run: the BLAS is loaded and initialised
    print(f'info torch-version {torch.__version__}')
    print(f'info torch-threads {torch.get_num_threads()}')
    print(f'info torch-interop-threads {torch.get_num_interop_threads()}')
    print(f'info torch-mkl {torch.backends.mkl.is_available()}')
    print(f'info torch-mkldnn {torch.backends.mkldnn.is_available()}')
    for k in sorted(os.environ):
        if k.startswith(('OPENBLAS_', 'OMP_', 'MKL_', 'GOTO_')):
            print(f'info env {k}={os.environ[k]}')
    if torch.backends.mkl.is_available():
        print('info blas-kind MKL (linked into libtorch)')
        return None
    lib = _library_of('sgemm_')
    print(f'info blas-path {lib or "not found"}')
    ob = _openblas(lib) if lib else None
    if ob:
        print(f'info blas-kind OpenBLAS')
        print(f'info blas-core {ob[0]}')
        print(f'info blas-threads {ob[1]}')
        print(f'info blas-config {ob[2]}')
        return None
    optimized = lib and any(n in os.path.basename(lib).lower() for n in ('mkl', 'blis', 'atlas'))
    if optimized:
        print(f'info blas-kind {os.path.basename(lib)}')
        return None
    print('info blas-kind reference')
    return (f'PyTorch runs on the reference BLAS ({lib}); install OpenBLAS: apt-get install libopenblas0-pthread'
            ' (and check update-alternatives --display libblas.so.3-x86_64-linux-gnu)')


def idx(path):
    with open(path, 'rb') as f:
        magic = struct.unpack('>I', f.read(4))[0]
        dims = struct.unpack('>' + 'I' * (magic & 0xff), f.read(4 * (magic & 0xff)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def mnist(data_dir, images):
    """The first `images` training images as a float tensor [N, 1, 28, 28] in [0, 1], and their labels."""
    x = torch.tensor(idx(os.path.join(data_dir, 'train-images-idx3-ubyte'))[:images], dtype=torch.float32) / 255
    y = torch.tensor(idx(os.path.join(data_dir, 'train-labels-idx1-ubyte'))[:images], dtype=torch.long)
    return x.unsqueeze(1), y


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))


def lenet300():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                         nn.Linear(100, 10))


def split(data_dir, steps, threads):
    """Where one training step's time goes: medians over `steps` steps, in microseconds, of taking the minibatch
    (data), the forward pass with the loss, loss.backward(), and zero_grad + Adam's step (updater). Prints
    'split torch <model> <part> <us>' lines."""
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    images = steps * 64
    x, y = mnist(data_dir, images)
    for name, make in (('lenet-5', lenet5), ('lenet-300-100', lenet300)):
        net = make()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        parts = {k: [] for k in ('data', 'forward', 'backward', 'updater', 'step')}
        for p in range(3):   # two warm-up passes
            perm = torch.randperm(images)
            for i in range(0, images, 64):
                t0 = time.perf_counter()
                xb, yb = x[perm[i:i + 64]], y[perm[i:i + 64]]
                t1 = time.perf_counter()
                loss = loss_fn(net(xb), yb)
                t2 = time.perf_counter()
                loss.backward()
                t3 = time.perf_counter()
                opt.step()
                opt.zero_grad()
                t4 = time.perf_counter()
                if p == 2:
                    for k, v in (('data', t1 - t0), ('forward', t2 - t1), ('backward', t3 - t2), ('updater', t4 - t3),
                                 ('step', t4 - t1)):
                        parts[k].append(v * 1e6)
        for k, v in parts.items():
            print(f'split torch {name} {k} {statistics.median(v):.0f}', flush=True)


def main():
    if sys.argv[1:2] == ['split']:
        split(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    if sys.argv[1:] == ['check']:
        refused = check()
        if refused:
            print(f'bench: {refused}', file=sys.stderr)
            sys.exit(REFUSE)
        return
    data_dir, images, passes, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    # torch.set_num_threads sets OpenMP's threads (and MKL's); OpenBLAS's own pthreads follow OPENBLAS_NUM_THREADS,
    # which scripts/bench sets to the same number.
    torch.set_num_threads(threads)
    refused = check()
    if refused:
        print(f'bench: {refused}', file=sys.stderr)
        sys.exit(REFUSE)
    torch.manual_seed(42)
    x, y = mnist(data_dir, images)
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
