#!/bin/sh
# lj-starts.sh: the starting states of the drift benchmarks (nve-drift.sh,
# ehex-drift.sh), in the current directory: the paper's LJ box made by
# box-init (mix.data: 2048 + 80 atoms, eps 1 and 1.5, 7.65 x 7.65 x 50
# sigma), minimised and thermalised at T* = 1 by LAMMPS (start.data), then
# start1.data .. startN.data with velocities drawn afresh at T* = 1, seed
# by seed, so that both codes start from the same files; and startN.in,
# the LAMMPS lines that read startN.data with the settings both benchmarks
# compare md-run's --shift --skin 0.3 defaults with (shifted LJ, bin
# neighbour list of skin 0.3 checked every step), for their inputs to
# `include`.
# Usage: bench/lj-starts.sh BIN_DIR N
set -eu
bin=$1
samples=$2
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
s=1
while [ "$s" -le "$samples" ]; do
	cat > vel$s.in <<IN
units           lj
atom_style      atomic
pair_style      lj/cut 2.5
read_data       start.data
velocity        all create 1.0 $((4928 + 97 * s)) mom yes dist gaussian
write_data      start$s.data
IN
	lmp -in vel$s.in -log none -screen none
	cat > start$s.in <<IN
units           lj
atom_style      atomic
pair_style      lj/cut 2.5
pair_modify     shift yes
read_data       start$s.data
neighbor        0.3 bin
neigh_modify    every 1 delay 0 check yes
IN
	s=$((s + 1))
done
