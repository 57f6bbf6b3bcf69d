#!/bin/sh
# water-drift.sh: NVE energy conservation of rigid SPC/E water with PPPM,
# md-run --constrain water (SETTLE + RATTLE) beside LAMMPS fix rattle, on the
# same system and time step: the 216 waters of
# tests/fixtures/constrain/rigid-water.data (18.6 A box, lj/cut/coul/long
# 9 A, pair_modify table 0, pppm 1e-5), thermalised by LAMMPS (NVT 300 K,
# 3 ps, fix rattle), then NVE for PS ps at 1 fs and at 2 fs in both codes,
# one thread each, both tolerances 1e-10 (LAMMPS's absolute on the
# multipliers, ours relative on d^2); md-run also with --precision mixed
# where the build has it. Reports the least-squares slope of
# etotal(t) per molecule and the rms fluctuation of etotal per molecule.
# Usage: bench/water-drift.sh [PS]
set -eu
ps=${1:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
command -v lmp >/dev/null || { echo "water-drift.sh: lmp (LAMMPS) not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export OMP_NUM_THREADS=1
cp "$top/tests/fixtures/constrain/rigid-water.data" .
head='units real
atom_style full
pair_style lj/cut/coul/long 9.0
pair_modify table 0
bond_style harmonic
angle_style harmonic'
cat > prep.in <<IN
$head
read_data rigid-water.data
kspace_style pppm 1e-5
neighbor 0.3 bin
neigh_modify every 1 delay 0 check yes
timestep 1.0
fix 1 all nvt temp 300.0 300.0 50.0
fix 2 all rattle 1e-10 100 0 b 1 a 1
run 3000
write_data start.data
IN
lmp -in prep.in -log prep.log -screen none || { tail -n 5 prep.log >&2; exit 1; }
for dt in 1 2; do
	steps=$(awk -v p="$ps" -v d="$dt" 'BEGIN{printf "%d", p * 1000 / d}')
	cat > nve$dt.in <<IN
$head
read_data start.data
kspace_style pppm 1e-5
neighbor 0.3 bin
neigh_modify every 1 delay 0 check yes
timestep $dt
fix 1 all nve
fix 2 all rattle 1e-10 100 0 b 1 a 1
thermo_style custom step time etotal
thermo_modify norm no format float %.12g
thermo 100
run $steps
IN
	lmp -in nve$dt.in -log lmp$dt.log -screen none &
	$bin/md-run --data start.data --constrain water --dt $dt --steps "$steps" \
		--thermo 100 --cutoff 9 --skin 0.3 --threads 1 -q > ours$dt.txt
	if $bin/md-run --data start.data --constrain water --dt $dt --steps "$steps" \
		--thermo 100 --cutoff 9 --skin 0.3 --threads 1 -q --precision mixed > mixed$dt.txt 2>/dev/null; then
		awk '!/^#/ {print $2/1000, $6}' mixed$dt.txt > skm$dt.txt
	fi
	wait
	awk '/^ *Step/ {on=1; next} /^Loop/ {on=0} on && NF==3 {print $2/1000, $3}' lmp$dt.log > lmp$dt.txt
	awk '!/^#/ {print $2/1000, $6}' ours$dt.txt > sk$dt.txt
done
stats() { awk '{k++; x=$1; y=$2/216; sx+=x; sy+=y; sxx+=x*x; sxy+=x*y; syy+=y*y}
	END {b=(k*sxy-sx*sy)/(k*sxx-sx*sx); m=sy/k; printf "drift %+.2e kcal/mol/molecule/ps, rms %.2e kcal/mol/molecule", b, sqrt(syy/k-m*m)}' "$1"; }
for dt in 1 2; do
	echo "NVE $ps ps, dt $dt fs: md-run $(stats sk$dt.txt); LAMMPS $(stats lmp$dt.txt)"
	if [ -s skm$dt.txt ]; then echo "NVE $ps ps, dt $dt fs: md-run --precision mixed $(stats skm$dt.txt)"; fi
done
