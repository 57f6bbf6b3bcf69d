#!/bin/sh
# md-run-pairs.sh: md-run as a whole command on 1 and 2 threads, in
# interleaved pairs, each run started when the host is in its fast mode,
# and the 2 / 1 ratio of each pair. The paper's LJ settings (rc 2.5, skin
# 0.3, dt 0.005, NVE) on the paper's system, made by LAMMPS from
# bench/lj-system.in as lj-bench.sh makes it (or DATAFILE if given).
#
# Why: this host (a VM with 2 vCPUs) switches between a fast mode, where a
# cache line goes from one vCPU to the other and back in ~50-70 ns, and a
# slow one (~350 ns), and only 2-thread runs feel it. Before each run
# this waits (bench/wait-fast-mode.sh, up to 300 s) until
# build/bench/pingpong measures a round trip under 100 ns, and prints the
# round trips before and after the run, so a pair where the mode changed
# during a run can be told apart.
# Usage: bench/md-run-pairs.sh [PAIRS [STEPS [DATAFILE]]]   (default 4 20000)
set -eu
pairs=${1:-4}
steps=${2:-20000}
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top/bench" >/dev/null
make -s -C "$top" bin/md-run >/dev/null
pp=$top/build/bench/pingpong
md=$top/bin/md-run
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 3 ]; then
	data=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
else
	command -v lmp >/dev/null || { echo "md-run-pairs.sh: lmp (LAMMPS) not found: give a DATAFILE" >&2; exit 1; }
	(cd "$work" && lmp -in "$top/bench/lj-system.in" -log none -screen none)
	data=$work/system.data
fi
[ -r "$data" ] || { echo "md-run-pairs.sh: $data: cannot read" >&2; exit 1; }
natoms=$(awk '$2 == "atoms" {print $1; exit}' "$data")

# one whole command; prints atom-steps/s and the round trips around it
run() {
	"$top/bench/wait-fast-mode.sh" "$pp" ||
		echo "(the host stayed in its slow mode)" >&2
	p0=$("$pp" | tail -n 1)
	t0=$(date +%s.%N)
	OMP_NUM_THREADS=$1 "$md" --units lj --data "$data" --cutoff 2.5 --skin 0.3 \
		--dt 0.005 --steps "$steps" --thermo "$steps" --threads "$1" -q >/dev/null
	t1=$(date +%s.%N)
	p1=$("$pp" | tail -n 1)
	awk -v n="$natoms" -v s="$steps" -v a="$t0" -v b="$t1" -v p0="$p0" -v p1="$p1" \
		'BEGIN {printf "%.4g %s/%s", n * s / (b - a), p0, p1}'
}

echo "md-run whole commands, $natoms atoms, $steps steps, atom-steps/s (round trips before/after, ns)"
k=1
while [ $k -le "$pairs" ]; do
	set -- $(run 1)
	r1=$1 q1=$2
	set -- $(run 2)
	r2=$1 q2=$2
	awk -v k=$k -v a="$r1" -v b="$r2" -v q1="$q1" -v q2="$q2" \
		'BEGIN {printf "pair %d: 1 thread %.4g (%s)  2 threads %.4g (%s)  2 / 1 %.2fx\n", k, a, q1, b, q2, b / a}'
	k=$((k + 1))
done
