#!/bin/sh
# nve-drift.sh: NVE energy conservation of md-run against LAMMPS on the
# paper's LJ system (2048 + 80 atoms, eps 1 and 1.5, 7.65 x 7.65 x 50 sigma,
# rc 2.5 unshifted, skin 0.3, dt 0.005) over 1000 tau (200000 steps), from the
# same data file with velocities at T* = 1. Both run at once, one thread
# each. Reports the least-squares slope of etotal(t) per atom and the rms
# fluctuation of etotal per atom. Usage: bench/nve-drift.sh [STEPS]
set -eu
steps=${1:-200000}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
command -v lmp >/dev/null || { echo "nve-drift.sh: lmp (LAMMPS) not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
$bin/box-init --box 7.65,7.65,50 --count 2048,80 --eps 1,1.5 --seed 1 -o mix.data
cat > prep.in <<'IN'
units           lj
atom_style      atomic
pair_style      lj/cut 2.5
read_data       mix.data
neighbor        0.3 bin
minimize        1e-8 1e-8 1000 10000
velocity        all create 1.0 4928 mom yes dist gaussian
fix             1 all nvt temp 1.0 1.0 0.5
run             4000
write_data      start.data
IN
lmp -in prep.in -log none -screen none
cat > nve.in <<IN
units           lj
atom_style      atomic
pair_style      lj/cut 2.5
read_data       start.data
neighbor        0.3 bin
neigh_modify    every 1 delay 0 check yes
timestep        0.005
fix             1 all nve
thermo_style    custom step time etotal
thermo_modify   format float %.12g
thermo          500
run             $steps
IN
OMP_NUM_THREADS=1 lmp -in nve.in -log lmp.log -screen none &
$bin/md-run --units lj --data start.data --steps "$steps" --thermo 500 --dt 0.005 \
	--skin 0.3 --threads 1 -q > ours.txt
wait
awk '/^ *Step/ {on=1; next} /^Loop/ {on=0} on && NF==3 {print $2, $3}' lmp.log > lmp.txt
awk '!/^#/ {print $2, $6}' ours.txt > sk.txt
# LAMMPS prints per-atom energies in lj units (thermo_modify norm yes), we
# print totals: $2 is the divisor.
stats() { awk -v n="$2" '{k++; x=$1; y=$2/n; sx+=x; sy+=y; sxx+=x*x; sxy+=x*y; syy+=y*y}
	END {b=(k*sxy-sx*sy)/(k*sxx-sx*sx); m=sy/k; printf "drift %.3e eps/atom/tau, rms %.3e eps/atom", b, sqrt(syy/k-m*m)}' "$1"; }
echo "NVE $steps steps (dt 0.005): md-run $(stats sk.txt 2128); LAMMPS $(stats lmp.txt 1)"
