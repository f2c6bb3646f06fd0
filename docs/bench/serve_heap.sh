#!/usr/bin/env bash
# The live heap of `serve` after N finished runs of 6,000 + 2,000 examples each (issue: a finished run
# held its 25 MB split for the whole retention period). Usage: docs/bench/serve_heap.sh JAR [N] [PORT]
set -euo pipefail
jar=${1:?the runnable jar}; n=${2:-36}; port=${3:-18391}
java -Xmx1g --add-modules jdk.incubator.vector -jar "$jar" serve --port "$port" >/tmp/serve-heap.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/runs" >/dev/null && break; sleep 0.2; done
live() { jcmd "$pid" GC.run >/dev/null; jcmd "$pid" GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {print $(i+1); exit}}'; }
for i in $(seq 1 "$n"); do
  id=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"epochs":1,"trainSize":6000,"valSize":2000}' \
       "http://127.0.0.1:$port/runs" | sed 's/^{"id":"\([0-9]*\)".*/\1/')
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/runs/$id" | grep -q '"outcome":"' && break
    sleep 0.1
  done
  case $i in 5|10|20|30|$n) echo "after $i runs: live heap $(live)";; esac
done
