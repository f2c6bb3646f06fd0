#!/usr/bin/env bash
# The large workload side by side: epochflux's `bench --child --workload large` and
# docs/bench/torch_large.py, interleaved for ROUNDS rounds, one BLAS thread each, 4 timed epochs
# after a warm-up epoch. Prints each round's medians (wall and process CPU, ms an epoch) and, at the
# end, the medians over rounds and the median of the per-round ratios.
#
#   docs/bench/large_vs_torch.sh [ROUNDS] [JAR]
#
# Needs Debian's python3-torch, libopenblas0-pthread (PyTorch's BLAS) and dataset-fashion-mnist.
set -euo pipefail
rounds=${1:-5}
jar=${2:-target/epochflux.jar}
export OMP_NUM_THREADS=1
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
for r in $(seq "$rounds"); do
  t=$(/usr/bin/python3 "$here/torch_large.py" /usr/share/datasets/fashion-mnist 4 1 2>&1 \
      | sed -n 's/.*median \([0-9]*\) ms wall, \([0-9]*\) ms cpu.*/\1 \2/p')
  e=$(java --add-modules jdk.incubator.vector -jar "$jar" bench --child --workload large --large-epochs 4 2>&1 \
      | sed -n 's/.*1 threads: *\([0-9]*\) ms\/epoch.*cpu \([0-9]*\) ms\/epoch.*/\1 \2/p')
  echo "round $r: epochflux wall/cpu $e, pytorch wall/cpu $t, load $(cut -d' ' -f1 /proc/loadavg)"
  echo "$e $t" >> "$out"
done
python3 - "$out" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
ew, ec, tw, tc = (statistics.median(r[i] for r in rows) for i in range(4))
print(f"medians over {len(rows)} rounds: epochflux {ew:.0f} ms wall, {ec:.0f} ms cpu; "
      f"pytorch {tw:.0f} ms wall, {tc:.0f} ms cpu")
print(f"pytorch/epochflux per round, median: wall {statistics.median(r[2]/r[0] for r in rows):.2f}x, "
      f"cpu {statistics.median(r[3]/r[1] for r in rows):.2f}x")
PY
rm -f "$out"
