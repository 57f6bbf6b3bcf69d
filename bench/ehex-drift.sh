#!/bin/sh
# ehex-drift.sh: total-energy drift of eHEX against plain HEX on the
# paper's LJ system (2048 + 80 atoms, 7.65 x 7.65 x 50 sigma), cold slab
# 10.5-14.5, hot slab 35.5-39.5, shifted LJ (so that the cut-off adds no
# jumps), side by side with LAMMPS's fix ehex (and fix ehex ... hex, its
# HEX) from the same states.
#
# One run per code says little: the eHEX drift of a single trajectory
# moves by a few 1e-3 eps/tau from start to start at flux 40 (nine starts
# per code in the thirteenth session: -0.0017 to +0.0067 for md-run,
# -0.0013 to +0.0090 for LAMMPS), about the NVE drift of either code at
# dt 0.01, while the dynamics of the two agree to round-off per step
# (tests/cli/ehex-lammps.sh). So each code runs SAMPLES
# starts (the box minimised and thermalised at T* = 1 by LAMMPS, velocities
# drawn afresh per start, as nve-drift.sh); the script reports per code
# and method the mean slope of etotal(t) in eps/tau with its standard
# error, and the ratio HEX / eHEX of the mean |slope|. The heat added to
# the hot slab equals the heat taken from the cold one, so etotal itself
# is the conserved quantity.
#
# Usage: bench/ehex-drift.sh [STEPS [SAMPLES [FLUX [DT]]]]
# (defaults 50000 steps, 4 starts, flux 40 eps/tau, dt 0.01: a stressed
# flux, where the two methods differ well beyond the NVE drift; at the
# paper's flux 5 and dt 0.005 both are at the NVE drift's level).
# Runs go two at a time.
set -eu
steps=${1:-50000}
samples=${2:-4}
flux=${3:-40}
dt=${4:-0.01}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
command -v lmp >/dev/null || { echo "ehex-drift.sh: lmp (LAMMPS) not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$top/bench/lj-starts.sh" "$bin" "$samples"
: > jobs
s=1
while [ "$s" -le "$samples" ]; do
	for mode in ehex hex; do
		kw=; [ "$mode" = hex ] && kw=hex
		cat > $mode$s.in <<IN
include         start$s.in
timestep        $dt
region          rcold block INF INF INF INF 10.5 14.5 units box
region          rhot  block INF INF INF INF 35.5 39.5 units box
fix             1 all nve
fix             cold all ehex 1 -$flux region rcold $kw
fix             hot  all ehex 1 $flux region rhot $kw
thermo_style    custom step time etotal
thermo_modify   norm no format float %.12g
thermo          500
run             $steps
IN
		echo "OMP_NUM_THREADS=1 lmp -in $mode$s.in -log lmp-$mode$s.log -screen none" >> jobs
	done
	s=$((s + 1))
done
s=1
while [ "$s" -le "$samples" ]; do
	for mode in ehex hex; do
		kw=; [ "$mode" = hex ] && kw=--hex
		echo "$bin/ehex-gradient --units lj --data start$s.data --cold 10.5:14.5 --hot 35.5:39.5 --shift --threads 1 -q --flux $flux --dt $dt --steps $steps --thermo 500 $kw > sk-$mode$s.txt" >> jobs
	done
	s=$((s + 1))
done
xargs -P 2 -I CMD sh -c CMD < jobs
# slope (least squares) of etotal(t), eps/tau
slope() { awk '{k++; x=$1; y=$2; sx+=x; sy+=y; sxx+=x*x; sxy+=x*y}
	END {printf "%.6e\n", (k*sxy-sx*sy)/(k*sxx-sx*sx)}' "$1"; }
for mode in ehex hex; do
	: > lmp-$mode.fits
	: > sk-$mode.fits
	s=1
	while [ "$s" -le "$samples" ]; do
		awk '/^ *Step/ {on=1; next} /^Loop/ {on=0} on && NF==3 {print $2, $3}' lmp-$mode$s.log > l.txt
		awk '!/^#/ {print $2, $6}' sk-$mode$s.txt > k.txt
		slope l.txt >> lmp-$mode.fits
		slope k.txt >> sk-$mode.fits
		s=$((s + 1))
	done
done
# mean slope +- standard error, mean |slope|
summary() { awk '{k++; b[k]=$1; a+=$1; q+=($1<0?-$1:$1)}
	END {m=a/k; for (i=1;i<=k;i++) v+=(b[i]-m)^2; se=(k>1)?sqrt(v/(k-1)/k):0;
	     printf "%.3e +- %.3e (mean |slope| %.3e)", m, se, q/k}' "$1"; }
absmean() { awk '{q+=($1<0?-$1:$1); k++} END {printf "%.6e", q/k}' "$1"; }
ratio() { awk -v h="$(absmean "$1")" -v e="$(absmean "$2")" 'BEGIN {printf "%.0f", h/e}'; }
echo "eHEX / HEX, flux $flux eps/tau, dt $dt, $steps steps, $samples starts each, etotal slope in eps/tau:"
echo "  md-run (ehex-gradient): eHEX $(summary sk-ehex.fits), HEX $(summary sk-hex.fits); HEX/eHEX $(ratio sk-hex.fits sk-ehex.fits)x"
echo "    runs eHEX: $(tr '\n' ' ' < sk-ehex.fits)"
echo "  LAMMPS (fix ehex):      eHEX $(summary lmp-ehex.fits), HEX $(summary lmp-hex.fits); HEX/eHEX $(ratio lmp-hex.fits lmp-ehex.fits)x"
echo "    runs eHEX: $(tr '\n' ' ' < lmp-ehex.fits)"
