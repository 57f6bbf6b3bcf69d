#!/bin/sh
# nve-drift.sh: NVE energy conservation of md-run against LAMMPS on the
# paper's LJ system (2048 + 80 atoms, eps 1 and 1.5, 7.65 x 7.65 x 50 sigma,
# rc 2.5, skin 0.3, dt 0.005) over 1000 tau (200000 steps), one thread each.
#
# The energy measured is the shifted one (md-run --shift, LAMMPS
# pair_modify shift yes): the forces, hence the trajectory, are those of
# the paper's unshifted potential; only the bookkeeping differs. The
# unshifted total energy is not a conserved quantity of that dynamics (it
# jumps by U(rc) whenever a pair crosses the cut-off), and its jumps swamp
# the integrator's drift. What remains is a random walk from the force's
# step at the cut-off (each crossing inside a time step errs by ~F(rc) v
# dt), whose slope over 1000 tau differs from run to run by ~1e-6
# eps/atom/tau for either code (and for md-run with another skin or
# thread count: docs/decisions.md): one run each says nothing about which
# code conserves energy better. So both codes run SAMPLES starts (the
# same minimised, thermalised box with velocities drawn afresh at T* = 1
# by LAMMPS, seed by seed; both codes start from the same files) and the
# script reports per code the mean slope of etotal(t) per atom with its
# standard error, the mean |slope| and the rms fluctuation, and whether
# md-run's mean |slope| is at most LAMMPS's plus two standard errors.
# Runs go two at a time. Usage: bench/nve-drift.sh [STEPS [SAMPLES]]
set -eu
steps=${1:-200000}
samples=${2:-4}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
command -v lmp >/dev/null || { echo "nve-drift.sh: lmp (LAMMPS) not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$top/bench/lj-starts.sh" "$bin" "$samples"
s=1
while [ "$s" -le "$samples" ]; do
	cat > nve$s.in <<IN
include         start$s.in
timestep        0.005
fix             1 all nve
thermo_style    custom step time etotal
thermo_modify   format float %.12g
thermo          500
run             $steps
IN
	s=$((s + 1))
done
# the jobs, LAMMPS's (the longer) first, two at a time
s=1
: > jobs
while [ "$s" -le "$samples" ]; do
	echo "OMP_NUM_THREADS=1 lmp -in nve$s.in -log lmp$s.log -screen none" >> jobs
	s=$((s + 1))
done
s=1
while [ "$s" -le "$samples" ]; do
	echo "$bin/md-run --units lj --data start$s.data --steps $steps --thermo 500 --dt 0.005 --skin 0.3 --shift --threads 1 -q > ours$s.txt" >> jobs
	s=$((s + 1))
done
xargs -P 2 -I CMD sh -c CMD < jobs
# slope (least squares) and rms of etotal per atom, one line per run
fit() { awk -v n="$2" '{k++; x=$1; y=$2/n; sx+=x; sy+=y; sxx+=x*x; sxy+=x*y; syy+=y*y}
	END {b=(k*sxy-sx*sy)/(k*sxx-sx*sx); m=sy/k; printf "%.6e %.6e\n", b, sqrt(syy/k-m*m)}' "$1"; }
: > lmp.fits
: > ours.fits
s=1
while [ "$s" -le "$samples" ]; do
	awk '/^ *Step/ {on=1; next} /^Loop/ {on=0} on && NF==3 {print $2, $3}' lmp$s.log > lmp$s.txt
	awk '!/^#/ {print $2, $6}' ours$s.txt > sk$s.txt
	fit lmp$s.txt 1 >> lmp.fits
	fit sk$s.txt 2128 >> ours.fits
	s=$((s + 1))
done
# mean slope +- standard error, mean |slope| +- standard error, mean rms
summary() { awk '{k++; b[k]=$1; a+=$1; q+=($1<0?-$1:$1); r+=$2}
	END {m=a/k; ma=q/k; for (i=1;i<=k;i++) {v+=(b[i]-m)^2; d=(b[i]<0?-b[i]:b[i])-ma; w+=d*d}
	     se=(k>1)?sqrt(v/(k-1)/k):0; sa=(k>1)?sqrt(w/(k-1)/k):0;
	     printf "%.3e %.3e %.3e %.3e %.3e\n", m, se, ma, sa, r/k}' "$1"; }
set -- $(summary ours.fits)
o_m=$1 o_se=$2 o_a=$3 o_sa=$4 o_r=$5
set -- $(summary lmp.fits)
l_m=$1 l_se=$2 l_a=$3 l_sa=$4 l_r=$5
echo "NVE $steps steps (dt 0.005), $samples starts each, shifted energy (dynamics of the unshifted potential):"
echo "  md-run: mean drift $o_m +- $o_se eps/atom/tau, mean |drift| $o_a +- $o_sa, rms $o_r eps/atom; runs: $(cut -d' ' -f1 ours.fits | tr '\n' ' ')"
echo "  LAMMPS: mean drift $l_m +- $l_se eps/atom/tau, mean |drift| $l_a +- $l_sa, rms $l_r eps/atom; runs: $(cut -d' ' -f1 lmp.fits | tr '\n' ' ')"
awk -v oa="$o_a" -v la="$l_a" -v os="$o_sa" -v ls="$l_sa" 'BEGIN {
	lim = la + 2 * sqrt(os * os + ls * ls)
	printf "  md-run mean |drift| <= LAMMPS mean |drift| + 2 standard errors (%.3e): %s\n", lim, (oa <= lim) ? "yes" : "no" }'
