#!/bin/sh
# ensembles-bench.sh: md-run's ensembles and ehex-gradient on the paper's
# LJ system (2048 + 80 atoms, 7.65 x 7.65 x 50, rc 2.5, skin 0.3, dt
# 0.005), each on 1 and 2 threads: wall clock per step of whole commands
# (set-up included: ~0.02 s, under 1% of a run), the best of REPS
# interleaved repetitions, each run started in the host's fast mode
# (bench/wait-fast-mode.sh), and the 2 / 1 thread ratio. lj-bench.sh
# measures NVE against LAMMPS; this one shows what the other step kinds
# cost beside it: NVT (Nose-Hoover chains), NPT iso and z-only (MTK), and
# eHEX (ehex-gradient, the paper's production runs, at the paper's flux
# 5 eps/tau between the slabs of pipelines/lj-soret).
# Usage: bench/ensembles-bench.sh [STEPS [REPS [DATAFILE]]]   (default 5000 2)
set -eu
steps=${1:-5000}
reps=${2:-2}
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top/bench" >/dev/null
make -s -C "$top" bin/md-run bin/ehex-gradient >/dev/null
pp=$top/build/bench/pingpong
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 3 ]; then
	data=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
else
	command -v lmp >/dev/null || { echo "ensembles-bench.sh: lmp (LAMMPS) not found: give a DATAFILE" >&2; exit 1; }
	(cd "$work" && lmp -in "$top/bench/lj-system.in" -log none -screen none)
	data=$work/system.data
fi
[ -r "$data" ] || { echo "ensembles-bench.sh: $data: cannot read" >&2; exit 1; }
common="--units lj --data $data --cutoff 2.5 --skin 0.3 --dt 0.005 --steps $steps --thermo $steps -q"
nh="--temp 1.0 --tdamp 0.5"
np="--press 1.0 --pdamp 5"
# name|tool|options
cat > "$work/runs" <<RUNS
NVE|md-run|--ensemble nve
NVT|md-run|--ensemble nvt $nh
NPT iso|md-run|--ensemble npt $nh $np
NPT z|md-run|--ensemble npt --pcouple z $nh $np
eHEX|ehex-gradient|--cold 10.5:14.5 --hot 35.5:39.5 --flux 5
RUNS
slow=0
r=0
while [ "$r" -lt "$reps" ]; do
	r=$((r + 1))
	k=0
	while IFS='|' read -r name tool opts; do
		k=$((k + 1))
		for t in 1 2; do
			"$top/bench/wait-fast-mode.sh" "$pp" || slow=$((slow + 1))
			t0=$(date +%s.%N)
			# shellcheck disable=SC2086
			OMP_NUM_THREADS=$t "$top/bin/$tool" $common $opts --threads "$t" > /dev/null
			t1=$(date +%s.%N)
			awk -v a="$t0" -v b="$t1" -v s="$steps" \
				'BEGIN {printf "%.2f\n", (b - a) / s * 1e6}' >> "$work/us.$k.$t"
		done
	done < "$work/runs"
done
echo "paper LJ system, $steps steps, whole commands, best of $reps (us a step; 2 / 1 threads)"
k=0
while IFS='|' read -r name tool opts; do
	k=$((k + 1))
	u1=$(sort -g "$work/us.$k.1" | head -n 1)
	u2=$(sort -g "$work/us.$k.2" | head -n 1)
	printf '%-8s %-14s 1 thread %8s  2 threads %8s  ratio %.2f  (all: %s/ %s)\n' \
		"$name" "$tool" "$u1" "$u2" "$(awk -v a="$u1" -v b="$u2" 'BEGIN {print a / b}')" \
		"$(tr '\n' ' ' < "$work/us.$k.1")" "$(tr '\n' ' ' < "$work/us.$k.2")"
done < "$work/runs"
echo "runs that could not start in the host's fast mode: $slow"
