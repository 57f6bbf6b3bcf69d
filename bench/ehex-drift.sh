#!/bin/sh
# ehex-drift.sh: total-energy drift of eHEX against plain HEX on the
# paper's LJ system (2048 + 80 atoms, 7.65 x 7.65 x 50 sigma), cold slab
# 10.5-14.5, hot slab 35.5-39.5, shifted LJ (so that the cut-off adds no
# noise), at the paper's flux (5 eps/tau, dt 0.005) and at a stressed one
# (40 eps/tau, dt 0.01). Reports the slope of edrift(t) from a least-squares
# fit, in eps/tau, for both. Usage: bench/ehex-drift.sh [STEPS]
set -eu
steps=${1:-100000}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
$bin/box-init --box 7.65,7.65,50 --count 2048,80 --eps 1,1.5 --seed 1 -o mix.data
$bin/md-run --units lj --data mix.data --ensemble min -o min.nc -q > /dev/null
$bin/md-run --units lj --data mix.data --from min.nc.rst --ensemble nvt --temp 1 --shift \
	--steps 4000 --threads 1 -o nvt.nc -q > /dev/null
slope() { awk '!/^#/ {n++; x=$2; y=$14; sx+=x; sy+=y; sxx+=x*x; sxy+=x*y} END {printf "%.4g", (n*sxy-sx*sy)/(n*sxx-sx*sx)}' "$1"; }
for cfg in "5 0.005" "40 0.01"; do
	set -- $cfg
	E="$bin/ehex-gradient --units lj --data mix.data --from nvt.nc.rst --cold 10.5:14.5 --hot 35.5:39.5 --shift --threads 1 -q --flux $1 --dt $2 --steps $steps --thermo 500"
	$E > ehex.txt & $E --hex > hex.txt; wait
	printf 'flux %s eps/tau, dt %s, %s steps: edrift slope eHEX %s, HEX %s eps/tau\n' \
		"$1" "$2" "$steps" "$(slope ehex.txt)" "$(slope hex.txt)"
done
