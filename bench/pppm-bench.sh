#!/bin/sh
# pppm-bench.sh: time per PPPM call (k-space only: spread, FFTs, field,
# interpolation, energy and virial) on a 3000-atom water box, LAMMPS
# `kspace_style pppm 1e-5` serial (`-sf none`, 1 thread) against soretkit's
# common/pppm.c on 1 and 2 threads. The box: 10^3 SPC/E-geometry molecules
# on a 3.1 A lattice, randomly rotated (31 A cube, the water model of
# tests/fixtures/kspace), Coulomb cut-off 8.5 A, order 5; both codes choose
# the same g_ewald and grid (checked in test_kspace). Atoms do not move:
# LAMMPS evaluates forces STEPS times (pair coul/long + pppm, no fix) and
# its "Kspace" timer over STEPS is its time per call; ours calls
# pppm_compute STEPS times. REPS interleaved repetitions, best of each.
# On a machine loaded beyond its cores, spinning OpenMP barriers make the
# 2-thread figure meaningless; the passive-wait line shows that case.
# Usage: bench/pppm-bench.sh [STEPS [REPS]]   (default 200 3)
set -eu
steps=${1:-200}
reps=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
command -v lmp >/dev/null || { echo "pppm-bench.sh: lmp (LAMMPS) not found" >&2; exit 1; }
make -s -C "$top" build/libsoretkit.a >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cp "$top/tests/fixtures/kspace/spce.mol" .
lmp -in "$top/tests/fixtures/kspace/make-water.in" -var n 10 -var out water.data \
	-log none -screen none

cat > run.in <<IN
units           real
atom_style      full
read_data       water.data
bond_style      zero
bond_coeff      *
angle_style     zero
angle_coeff     *
special_bonds   lj/coul 0.0 0.0 0.0
pair_style      coul/long 8.5
pair_coeff      * *
kspace_style    pppm 1e-5
neighbor        2.0 bin
neigh_modify    every 1000 delay 0 check no
thermo          $steps
run             $steps
IN

cat > bench_pppm.c <<'C'
/* time pppm_compute on a data file: STEPS calls, prints ms/call */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "lmp_data.h"
#include "pppm.h"
#include "units.h"
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}
int main(int argc, char **argv)
{
	struct lmp_data d;
	struct err e;
	struct units u;
	int steps = atoi(argv[2]);
	units_set(&u, UNITS_REAL);
	if (lmp_data_read(&d, argv[1], &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	struct state st = { 0 };
	st.n = d.natoms;
	for (int k = 0; k < 3; k++) {
		st.lo[k] = d.lo[k];
		st.len[k] = d.hi[k] - d.lo[k];
	}
	st.x = d.x; st.y = d.y; st.z = d.z;
	struct pppm_opts o = { .accuracy = 1e-5, .cutoff = 8.5, .qqr2e = u.qqr2e,
			       .fftw_measure = 1 };
	double t0 = now();
	struct pppm *p = pppm_create(&o, st.len, d.q, st.n, &e);
	double tc = now() - t0;
	if (!p) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	struct pppm_info in;
	pppm_get_info(p, &in);
	double *f = calloc(3 * st.n, sizeof *f), E = 0, v[6] = { 0 };
	pppm_compute(p, &st, d.q, &E, v, f, f + st.n, f + 2 * st.n, &e); /* warm */
	t0 = now();
	for (int s = 0; s < steps; s++)
		pppm_compute(p, &st, d.q, &E, v, f, f + st.n, f + 2 * st.n, &e);
	double t = (now() - t0) / steps;
	t0 = now();
	for (int s = 0; s < 20; s++)
		pppm_setup(p, st.len, &e);
	double ts = (now() - t0) / 20;
	printf("grid %d %d %d g_ewald %.8g\n", in.grid[0], in.grid[1], in.grid[2], in.g_ewald);
	printf("ms/call %.6g\n", 1e3 * t);
	printf("setup_ms %.6g create_ms %.6g\n", 1e3 * ts, 1e3 * tc);
	return 0;
}
C
cc -std=c17 -O3 -march=native -fopenmp -I"$top/common" bench_pppm.c \
	"$top/build/libsoretkit.a" $(pkg-config --libs fftw3 gsl netcdf) -fopenmp -lm -o bench_pppm

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
best() { sort -g | head -n 1; }   # smallest time
: > lmp.t; : > one.t; : > two.t; : > twop.t
r=0
while [ "$r" -lt "$reps" ]; do
	r=$((r + 1))
	OMP_NUM_THREADS=1 lmp -sf none -in run.in -log lammps.log -screen none
	# "Kspace  | min | avg | max | %varavg | %total": avg seconds over the run
	awk -v n="$steps" '$1 == "Kspace" && $2 == "|" {printf "%.6g\n", 1e3 * $5 / n}' lammps.log >> lmp.t
	OMP_NUM_THREADS=1 ./bench_pppm water.data "$steps" > ours1.out
	OMP_NUM_THREADS=2 ./bench_pppm water.data "$steps" > ours2.out
	OMP_WAIT_POLICY=passive OMP_NUM_THREADS=2 ./bench_pppm water.data "$steps" > ours2p.out
	awk '/^ms\/call/ {print $2}' ours1.out >> one.t
	awk '/^ms\/call/ {print $2}' ours2.out >> two.t
	awk '/^ms\/call/ {print $2}' ours2p.out >> twop.t
done
tl=$(best < lmp.t); t1=$(best < one.t); t2=$(best < two.t); t2p=$(best < twop.t)
lgrid=$(sed -n 's/^ *grid = //p' lammps.log | head -n 1)
lg=$(sed -n 's/^ *G vector (1\/distance) = //p' lammps.log | head -n 1)
echo "water box: 3000 atoms (1000 SPC/E-geometry molecules), 31 A cube, pppm 1e-5, rc 8.5, order 5; $steps calls, best of $reps"
printf '%-30s %10s ms/call  (grid %s, g_ewald %s; all: %s)\n' "LAMMPS pppm, 1 thread" "$tl" \
	"$lgrid" "$lg" "$(tr '\n' ' ' < lmp.t)"
printf '%-30s %10s ms/call  (%s; all: %s)\n' "soretkit pppm, 1 thread" "$t1" \
	"$(head -n 1 ours1.out)" "$(tr '\n' ' ' < one.t)"
printf '%-30s %10s ms/call  (all: %s)\n' "soretkit pppm, 2 threads" "$t2" "$(tr '\n' ' ' < two.t)"
printf '%-30s %10s ms/call  (all: %s)\n' "  same, OMP_WAIT_POLICY=passive" "$t2p" "$(tr '\n' ' ' < twop.t)"
awk -v l="$tl" -v a="$t1" -v b="$t2" 'BEGIN {printf "speed-up over LAMMPS: %.2fx (1 thread), %.2fx (2 threads)\n", l / a, l / b}'
awk '/^setup_ms/ {printf "soretkit pppm_setup (new box: influence function) %.3g ms, pppm_create (parameters, FFTW_MEASURE plans) %.3g ms\n", $2, $4}' ours1.out
echo "load average before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
