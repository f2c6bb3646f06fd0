"""The large workload written plainly in PyTorch, for a side-by-side figure with `bench --workload large`.

784-256(relu)-128(relu)-10(softmax), cross-entropy, Adam lr 0.001, batch 128, Fashion-MNIST's 60,000
training images shuffled each epoch, the 10,000 test images as validation after each epoch (as the
bench does). One warm-up epoch, then EPOCHS timed epochs; prints each epoch's wall and process CPU
milliseconds and their medians.

Run with Debian's python3-torch and OpenBLAS as the system BLAS (apt-get install python3-torch
libopenblas0-pthread; the reference BLAS alone is 15x slower):

    /usr/bin/python3 docs/bench/torch_large.py [DATA_DIR] [EPOCHS] [THREADS]

DATA_DIR defaults to /usr/share/datasets/fashion-mnist, EPOCHS to 3, THREADS to 1 (torch.set_num_threads;
run with OMP_NUM_THREADS set to the same number, or OpenMP and OpenBLAS oversubscribe the cores).
"""
import gzip
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch


def idx(path):
    """Reads an IDX file (optionally gzipped): unsigned bytes, big-endian dimensions."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    _, _, dtype, dims = struct.unpack(">BBBB", data[:4])
    if dtype != 0x08:
        raise ValueError(f"{path}: expected unsigned bytes, got type {dtype:#x}")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory, images, labels):
    def find(name):
        for candidate in (name, name + ".gz"):
            p = os.path.join(directory, candidate)
            if os.path.exists(p):
                return p
        raise FileNotFoundError(os.path.join(directory, name))
    x = torch.from_numpy(idx(find(images)).reshape(-1, 784).astype(np.float32) / 255.0)
    y = torch.from_numpy(idx(find(labels)).astype(np.int64))
    return x, y


def train_epoch(model, optimizer, loss_fn, x, y, batch_size):
    """One epoch over (x, y) in a fresh shuffled order, batch by batch; leaves the model in eval mode."""
    model.train()
    order = torch.randperm(x.shape[0])
    for start in range(0, x.shape[0], batch_size):
        batch = order[start:start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
    model.eval()


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x, y = load(directory, "train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    xv, yv = load(directory, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()  # softmax and cross-entropy fused, as epochflux fuses them
    wall, cpu = [], []
    for epoch in range(1 + epochs):
        t, c = time.perf_counter(), time.process_time()
        train_epoch(model, optimizer, loss_fn, x, y, 128)
        with torch.no_grad():
            logits = model(xv)
            val_loss = loss_fn(logits, yv).item()
            val_accuracy = (logits.argmax(1) == yv).float().mean().item()
        w, p = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
        print(f"epoch {epoch + 1}{' (warm-up)' if epoch == 0 else ''}: {w:.0f} ms wall, {p:.0f} ms cpu,"
              f" val_loss {val_loss:.4f}, val_accuracy {val_accuracy:.4f}", flush=True)
        if epoch > 0:
            wall.append(w)
            cpu.append(p)
    print(f"torch {torch.__version__}, {threads} thread(s): median {statistics.median(wall):.0f} ms wall,"
          f" {statistics.median(cpu):.0f} ms cpu an epoch")


if __name__ == "__main__":
    main()
