"""The seed workload written plainly in PyTorch, for a side-by-side figure with `bench --workload start`.

The Keras early-stopping tutorial's network: 784-2(relu)-10(softmax), cross-entropy, SGD lr 0.01,
batch 10, 700 training digits shuffled each epoch and 300 validation digits evaluated after each
epoch, from the project's bundled MNIST sample (the first 700 of its training pool and the first
300 of its validation pool). Runs EPOCHS epochs and exits, so that the whole process can be timed
as `train --epochs N --no-early-stopping --quiet` is:

    hyperfine -N -r 3 "/usr/bin/python3 docs/bench/torch_seed.py 1" "/usr/bin/python3 docs/bench/torch_seed.py 301"

Run with Debian's python3-torch (apt-get install python3-torch), one thread (OMP_NUM_THREADS=1).
"""
import os
import sys

import numpy as np
import torch

from torch_large import idx, train_epoch  # beside this file

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "src", "main", "resources", "io", "epochflux", "data")


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(1)
    torch.manual_seed(10)
    images = idx(os.path.join(SAMPLE, "mnist-sample-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255.0
    labels = idx(os.path.join(SAMPLE, "mnist-sample-labels-idx1-ubyte.gz")).astype(np.int64)
    x, y = torch.from_numpy(images[:700]), torch.from_numpy(labels[:700])
    xv, yv = torch.from_numpy(images[6000:6300]), torch.from_numpy(labels[6000:6300])
    model = torch.nn.Sequential(torch.nn.Linear(784, 2), torch.nn.ReLU(), torch.nn.Linear(2, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):
        train_epoch(model, optimizer, loss_fn, x, y, 10)
        with torch.no_grad():
            val_loss = loss_fn(model(xv), yv).item()
    print(f"{epochs} epochs, last val_loss {val_loss:.4f}")


if __name__ == "__main__":
    main()
