"""Child process: PyTorch trains the paper's example on the bench's batches, on the CPU or on a CUDA GPU.

Usage: python3 pytorch_peer.py '<workload JSON>' [threads] [cpu|cuda]. Prints one line '@@bench-result {json}'.
threads defaults to the number of cores; the device to cpu. On cuda the whole dataset and the batch order live on
the GPU, so a step launches kernels only (what a PyTorch user on a GPU gets).
The parent sets LD_LIBRARY_PATH to OpenBLAS's pthread build when it exists; torch.__config__ says what it got.
"""
import json
import os
import re
import sys
import time

import numpy as np
import torch

MARKER = "@@bench-result "


def read_idx(path, magic, header):
    raw = np.fromfile(path, dtype=np.uint8)
    if int.from_bytes(raw[:4].tobytes(), "big") != magic:
        raise ValueError(f"{path} is not an IDX file with magic {magic:#x}")
    return raw[header:]


def read_mnist(directory, split):
    prefix = "train" if split == "train" else "t10k"
    pixels = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte"), 0x803, 16).reshape(-1, 784)
    labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte"), 0x801, 8)
    # Same normalisation as every other system: pixel / 255 in float32.
    return torch.from_numpy(pixels.astype(np.float32) / np.float32(255)), torch.from_numpy(labels.astype(np.int64))


def peak_rss_mb():
    with open("/proc/self/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) * 1024 / 1e6


def blas_name():
    # The parent points LD_LIBRARY_PATH at OpenBLAS's pthread build when it exists; otherwise Debian's default BLAS.
    return "OpenBLAS" if "openblas" in os.environ.get("LD_LIBRARY_PATH", "") else "system default BLAS"


def main():
    w = json.loads(sys.argv[1])
    torch.manual_seed(w["seed"])
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 1)
    device = sys.argv[3] if len(sys.argv) > 3 else "cpu"
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be cpu or cuda, got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("PyTorch sees no CUDA device")
    torch.set_num_threads(threads)
    x_train, y_train = (t.to(device) for t in read_mnist(w["mnistDir"], "train"))
    x_test, y_test = (t.to(device) for t in read_mnist(w["mnistDir"], "test"))
    order = torch.from_numpy(np.fromfile(w["orderFile"], dtype="<u4").astype(np.int64)).to(device)
    B, steps = w["batch"], w["steps"]
    if order.numel() != steps * B:
        raise ValueError(f"order file holds {order.numel()} indices, expected {steps} x {B}")
    model = torch.nn.Sequential(torch.nn.Linear(784, w["hidden"]), torch.nn.ReLU(), torch.nn.Linear(w["hidden"], 10)).to(device)
    # The clock reads wait for the GPU's queue to drain, so that the timed steps are the steps run.
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    opt = torch.optim.SGD(model.parameters(), lr=w["lr"], weight_decay=w["weightDecay"])
    loss_fn = torch.nn.CrossEntropyLoss()
    final_loss = float("nan")
    t0 = 0.0
    for s in range(steps):
        if s == w["warmupSteps"]:
            sync()
            t0 = time.perf_counter()
            cpu0 = time.process_time()
        idx = order[s * B:(s + 1) * B]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x_train[idx]), y_train[idx])
        loss.backward()
        opt.step()
        if (s + 1) % w["logEvery"] == 0 or s + 1 == steps:
            final_loss = loss.item()
    sync()
    ms_per_step = (time.perf_counter() - t0) * 1000 / (steps - w["warmupSteps"])
    cpu_ms_per_step = (time.process_time() - cpu0) * 1000 / (steps - w["warmupSteps"])
    with torch.no_grad():
        n = w["testCount"]
        accuracy = (model(x_test[:n]).argmax(1) == y_test[:n]).float().mean().item()
    if device == "cuda":
        system = "PyTorch CUDA"
        engine = f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name()}"
    else:
        system = "PyTorch CPU"
        engine = f"torch {torch.__version__}, {blas_name()}, {threads} thread{'s' if threads > 1 else ''}"
    result = {
        "system": system, "engine": engine,
        "msPerStep": ms_per_step, "cpuMsPerStep": cpu_ms_per_step, "timedSteps": steps - w["warmupSteps"], "finalLoss": final_loss,
        "testAccuracy": accuracy, "peakRssMb": peak_rss_mb(),
    }
    print(MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
