#!/bin/sh
# tip4p-drift.sh: NVE energy conservation of md-run against LAMMPS on the
# flexible TIP4P/2005 box of tests/fixtures/tip4p (216 waters, 18.6 A, LJ
# 9 A, Coulomb 8.5 A, pppm/tip4p 1e-5, skin 0.3), 0.5 fs steps, from the
# same data file: LAMMPS thermalises it (NVT at 300 K, 2 ps) and writes
# it with velocities; then both codes run NVE for STEPS steps (default
# 10000 = 5 ps) at once, one thread each. Reports the least-squares slope
# of etotal(t) and its rms fluctuation, per molecule.
# Usage: bench/tip4p-drift.sh [STEPS]
set -eu
steps=${1:-10000}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
command -v lmp >/dev/null || { echo "tip4p-drift.sh: lmp (LAMMPS) not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$top/tests/fixtures/tip4p/water.data" .
common='units           real
atom_style      full
pair_style      lj/cut/tip4p/long 1 2 1 1 0.1546 9.0 8.5
pair_modify     table 0
bond_style      harmonic
angle_style     harmonic'
cat > prep.in <<IN
$common
read_data       water.data
kspace_style    pppm/tip4p 1e-5
neighbor        0.3 bin
neigh_modify    every 1 delay 0 check yes
timestep        0.5
velocity        all create 300.0 4928 mom yes dist gaussian
fix             1 all nvt temp 300.0 300.0 50.0
run             4000
write_data      start.data
IN
OMP_NUM_THREADS=1 lmp -in prep.in -log none -screen none
cat > nve.in <<IN
$common
read_data       start.data
kspace_style    pppm/tip4p 1e-5
neighbor        0.3 bin
neigh_modify    every 1 delay 0 check yes
timestep        0.5
fix             1 all nve
thermo_style    custom step time etotal
thermo_modify   format float %.12g
thermo          100
run             $steps
IN
OMP_NUM_THREADS=1 lmp -in nve.in -log lmp.log -screen none &
OMP_NUM_THREADS=1 $bin/md-run --data start.data --cutoff 9 --coul-cutoff 8.5 \
	--skin 0.3 --tip4p 1,2,1,1,0.1546 --kspace pppm/tip4p --dt 0.5 \
	--steps "$steps" --thermo 100 --dump "$steps" --threads 1 -q > ours.txt
wait
awk '/^ *Step/ {on=1; next} /^Loop/ {on=0} on && NF==3 {print $2, $3}' lmp.log > lmp.txt
awk '!/^#/ {print $2, $6}' ours.txt > sk.txt
# time in fs, etotal in kcal/mol (totals); per molecule, per ps
stats() { awk '{k++; x=$1/1000; y=$2/216; sx+=x; sy+=y; sxx+=x*x; sxy+=x*y; syy+=y*y}
	END {b=(k*sxy-sx*sy)/(k*sxx-sx*sx); m=sy/k; printf "drift %.3e kcal/mol/molecule/ps, rms %.3e kcal/mol/molecule", b, sqrt(syy/k-m*m)}' "$1"; }
echo "TIP4P/2005 NVE $steps steps (dt 0.5 fs): md-run $(stats sk.txt); LAMMPS $(stats lmp.txt)"
