#!/bin/sh
# lj-bench.sh: LAMMPS `lj/cut` (serial) against soretkit's LJ engine core on
# the paper's system: 2048 solvent + 80 solute (eps 1.5), sigma 1, masses 1,
# box 7.65 x 7.65 x 50 sigma, rc 2.5, skin 0.3, dt 0.005, T* = 1, NVE,
# neighbour list checked every step. Same data file, same step count; prints
# atom-steps/s of each and the ratios.
# Usage: bench/lj-bench.sh [STEPS]   (default 20000)
set -eu
steps=${1:-20000}
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top/bench" >/dev/null
bench="$top/build/bench/bench_lj"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > gen.in <<'IN'
units           lj
atom_style      atomic
boundary        p p p
region          box block 0 7.65 0 7.65 0 50
create_box      2 box
create_atoms    1 random 2048 4711 box
create_atoms    2 random 80 4712 box
mass            * 1.0
pair_style      soft 1.0
pair_coeff      * * 0.0
variable        pre equal ramp(0,60)
fix             s all adapt 1 pair soft a * * v_pre
fix             1 all nve
fix             2 all langevin 1.0 1.0 0.5 12345
run             2000
unfix           s
pair_style      lj/cut 2.5
pair_coeff      1 1 1.0 1.0
pair_coeff      2 2 1.5 1.0
neighbor        0.3 bin
minimize        1e-6 1e-8 200 2000
run             1000
unfix           2
velocity        all create 1.0 87287 mom yes dist gaussian
write_data      system.data
IN
lmp -in gen.in -log none -screen none

cat > nve.in <<IN
units           lj
atom_style      atomic
pair_style      lj/cut 2.5
read_data       system.data
neighbor        0.3 bin
neigh_modify    every 1 delay 0 check yes
timestep        0.005
fix             1 all nve
thermo          $steps
run             $steps
IN
OMP_NUM_THREADS=1 lmp -sf none -in nve.in -log lammps.log -screen none
# "Loop time of T on 1 procs for N steps with M atoms"
lmp_rate=$(awk '/^Loop time of/ {printf "%.6g", $9 * $12 / $4}' lammps.log)
lmp_builds=$(awk '/^Neighbor list builds/ {print $5}' lammps.log)

run_ours() { # threads
	OMP_NUM_THREADS=$1 OMP_PROC_BIND=true "$bench" --threads "$1" \
		--steps "$steps" --cutoff 2.5 --skin 0.3 --dt 0.005 system.data
}
run_ours 1 > ours1.out
run_ours 2 > ours2.out
r1=$(awk '/^atom-steps\/s/ {print $2}' ours1.out)
r2=$(awk '/^atom-steps\/s/ {print $2}' ours2.out)
b1=$(sed -n 's/.* builds \([0-9]*\) .*/\1/p' ours1.out)

echo "paper LJ system: 2128 atoms, 7.65 x 7.65 x 50, rc 2.5, skin 0.3, $steps NVE steps"
printf '%-28s %12s atom-steps/s  (%s builds)\n' "LAMMPS lj/cut, 1 thread" "$lmp_rate" "$lmp_builds"
printf '%-28s %12s atom-steps/s  (%s builds)\n' "soretkit, 1 thread" "$r1" "$b1"
printf '%-28s %12s atom-steps/s\n' "soretkit, 2 threads" "$r2"
awk -v l="$lmp_rate" -v a="$r1" -v b="$r2" 'BEGIN {
	printf "ratio soretkit 1 thread / LAMMPS:    %.2f  (target >= 2)\n", a / l
	printf "ratio soretkit 2 threads / 1 thread: %.2f  (target >= 1.8)\n", b / a
	printf "ratio soretkit 2 threads / LAMMPS:   %.2f\n", b / l }'
sed -n 's/^atoms.*\(etotal .*\)/energy check (1 thread): \1/p' ours1.out
