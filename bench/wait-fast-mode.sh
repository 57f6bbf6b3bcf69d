#!/bin/sh
# wait-fast-mode.sh: wait (up to 300 s) until this host is in its fast
# mode. The VM's two vCPUs pass a cache line back and forth in ~50-70 ns
# most of the time and in ~350 ns for minutes at a time, and only
# 2-thread runs feel it (BENCHMARKS.md). Exits 0 once PINGPONG
# (build/bench/pingpong) measures a round trip under 100 ns, 1 if the
# host stayed slow. Used by lj-bench.sh and md-run-pairs.sh before each
# whole md-run command.
# Usage: bench/wait-fast-mode.sh PINGPONG
set -eu
pp=$1
i=0
while [ $i -lt 60 ]; do
	v=$("$pp" | tail -n 1)
	if awk -v v="$v" 'BEGIN {exit !(v < 100)}'; then exit 0; fi
	sleep 5
	i=$((i + 1))
done
exit 1
