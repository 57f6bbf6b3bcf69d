#!/bin/sh
# lj-bench.sh: LAMMPS `lj/cut` (serial) against soretkit's LJ engine core on
# the paper's system: 2048 solvent + 80 solute (eps 1.5), sigma 1, masses 1,
# box 7.65 x 7.65 x 50 sigma, rc 2.5, skin 0.3, dt 0.005, T* = 1, NVE,
# neighbour list checked every step. Same data file, same step count; the
# runs (LAMMPS; the bench_lj driver, build/bench/bench_lj, on 1 and 2
# threads; md-run itself on 1 and 2 threads) are repeated REPS times,
# interleaved, and the best of each is reported (other load on the machine
# only ever slows a run down). The driver times its time-step loop, md-run
# is timed as a whole command (wall clock, set-up included), each run
# started when the host is in its fast mode (below).
# Beside them, to read the 2-thread figure against this host: md-run's own
# loop (bench_lj --md) as the per-step best of 3 repetitions (the host's
# interruptions removed), two single-thread md-runs at once (what the host
# gives two independent jobs: the ceiling for 2 threads) and, if LAMMPS has
# MPI, LAMMPS on 2 ranks; if gmx is installed, GROMACS on 1 and 2 OpenMP
# threads on the same state (the scaling of a code whose step is as short
# as ours, on this host); and the same loop as the 10th percentiles of its
# steps that build the list, prune it or neither, at the run's rates (bench_lj's
# "steps p10" line: steady against the host's changes of speed).
# Usage: bench/lj-bench.sh [STEPS [REPS]]   (default 20000 3)
set -eu
steps=${1:-20000}
reps=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
buildlog=$(mktemp)
if ! make -s -C "$top/bench" >"$buildlog" 2>&1 ||
	! make -s -C "$top" bin/md-run >>"$buildlog" 2>&1; then
	cat "$buildlog" >&2
	rm -f "$buildlog"
	echo "lj-bench.sh: building bench_lj or md-run failed" >&2
	exit 1
fi
rm -f "$buildlog"
bench="$top/build/bench/bench_lj"
pingpong="$top/build/bench/pingpong"
command -v lmp >/dev/null || { echo "lj-bench.sh: lmp (LAMMPS) not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cp "$top/bench/lj-system.in" gen.in
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

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
# best (largest) of the numbers on stdin
best() { sort -g | tail -n 1; }
# Each whole md-run command, on 1 thread and on 2, starts in the host's
# fast mode (bench/wait-fast-mode.sh), as bench/md-run-pairs.sh's do; the
# round trips before and after each 2-thread run are printed, so a run the
# slow mode met midway can be told apart.
slowstarts=0
# seconds since the epoch, with nanoseconds (GNU date)
now() { date +%s.%N; }
natoms=$(awk '$2 == "atoms" {print $1; exit}' system.data)
: > lmp.rates
: > lmp2.rates
: > pair.rates
: > pingpong.ns
for t in 1 2; do
	: > drv$t.rates; : > run$t.rates; : > psb$t.rates; : > p10$t.rates
done
# LAMMPS on 2 MPI ranks, when the package has MPI: how a code whose step
# is ~3x longer scales on this host
mpi=""
if command -v mpirun >/dev/null &&
	mpirun --allow-run-as-root --oversubscribe -np 2 true >/dev/null 2>&1; then
	mpi="mpirun --allow-run-as-root -np 2"
fi
# GROMACS on the same state: LJ reduced units are GROMACS units with
# sigma = 1 nm, eps = 1 kJ/mol, m = 1 u (tau = 1 ps); plain cut at rc, a
# fixed list of radius rc + skin rebuilt every 10 steps (GROMACS has no
# displacement check), no charges; positions and velocities of system.data
have_gmx=0
if command -v gmx >/dev/null 2>&1; then
	awk '
	$3 == "xlo" {xlo = $1; lx = $2 - $1} $3 == "ylo" {ylo = $1; ly = $2 - $1}
	$3 == "zlo" {zlo = $1; lz = $2 - $1}
	/^[A-Z]/ {sec = $1; next}
	NF == 0 {next}
	sec == "Atoms" {t[$1] = $2; x[$1] = $3 - xlo; y[$1] = $4 - ylo; z[$1] = $5 - zlo; n++}
	sec == "Velocities" {vx[$1] = $2; vy[$1] = $3; vz[$1] = $4}
	END {
		print "lj-bench"; print n
		k = 0
		for (ty = 1; ty <= 2; ty++) for (i in t) if (t[i] == ty) {
			k++; nm = ty == 1 ? "A" : "B"
			printf "%5d%-5s%5s%5d%15.9f%15.9f%15.9f%15.9f%15.9f%15.9f\n", \
				k % 100000, nm, nm, k % 100000, x[i], y[i], z[i], vx[i], vy[i], vz[i]
		}
		printf "%12.6f%12.6f%12.6f\n", lx, ly, lz
	}' system.data > lj.gro
	na=$(awk '$2 == "atoms" {print $1; exit}' system.data)
	nb=$(awk '/^Atoms/ {a = 1; next} /^[A-Z]/ {a = 0} a && NF && $2 == 2 {c++} END {print c + 0}' system.data)
	cat > lj.top <<TOP
[ defaults ]
1 3 no 1.0 1.0
[ atomtypes ]
A 1.0 0.0 A 1.0 1.0
B 1.0 0.0 A 1.0 1.5
[ moleculetype ]
A 0
[ atoms ]
1 A 1 A A 1 0.0 1.0
[ moleculetype ]
B 0
[ atoms ]
1 B 1 B B 1 0.0 1.0
[ system ]
lj-bench
[ molecules ]
A $((na - nb))
B $nb
TOP
	cat > lj.mdp <<MDP
integrator = md
dt = 0.005
nsteps = $steps
cutoff-scheme = Verlet
rvdw = 2.5
vdw-modifier = none
rcoulomb = 2.5
coulombtype = cut-off
verlet-buffer-tolerance = -1
rlist = 2.8
nstlist = 10
tcoupl = no
pcoupl = no
gen-vel = no
continuation = yes
nstcalcenergy = $steps
nstenergy = $steps
nstlog = $steps
MDP
	if gmx -quiet grompp -f lj.mdp -c lj.gro -p lj.top -o lj.tpr \
		-maxwarn 2 > grompp.log 2>&1; then
		have_gmx=1
	else
		echo "lj-bench.sh: gmx grompp failed (GROMACS left out):" >&2
		tail -n 5 grompp.log >&2
	fi
fi
: > gmx1.rates
: > gmx2.rates
psteps=$((steps < 2000 ? steps : 2000))
r=0
while [ "$r" -lt "$reps" ]; do
	r=$((r + 1))
	OMP_NUM_THREADS=1 lmp -sf none -in nve.in -log lammps.log -screen none
	# "Loop time of T on 1 procs for N steps with M atoms"
	awk '/^Loop time of/ {printf "%.6g\n", $9 * $12 / $4}' lammps.log >> lmp.rates
	for t in 1 2; do
		# the driver (its own VV loop; time-step loop only)
		OMP_NUM_THREADS=$t "$bench" --threads "$t" --steps "$steps" \
			--cutoff 2.5 --skin 0.3 --dt 0.005 system.data > drv$t.out
		awk '/^atom-steps\/s/ {print $2}' drv$t.out >> drv$t.rates
		# the real tool, wall time of the whole command (set-up, the
		# first and last thermo rows included), started in the fast
		# mode; the host's cross-core round trips just before and after
		# the 2-thread run: which of its modes the run met
		"$top/bench/wait-fast-mode.sh" "$pingpong" ||
			slowstarts=$((slowstarts + 1))
		p0=$("$pingpong" | tail -n 1)
		t0=$(now)
		OMP_NUM_THREADS=$t "$top/bin/md-run" --units lj --data system.data \
			--cutoff 2.5 --skin 0.3 --dt 0.005 --steps "$steps" \
			--thermo "$steps" --threads "$t" -q > run$t.out
		t1=$(now)
		p1=$("$pingpong" | tail -n 1)
		if [ "$t" = 2 ]; then echo "$p0/$p1" >> pingpong.ns; fi
		awk -v n="$natoms" -v s="$steps" -v a="$t0" -v b="$t1" \
			'BEGIN {printf "%.6g\n", n * s / (b - a)}' >> run$t.rates
		# md-run's own loop, per-step best of 3 repetitions: what
		# the code does when the host leaves both vCPUs alone
		OMP_NUM_THREADS=$t "$bench" --md --threads "$t" --steps "$psteps" \
			--reps 3 --cutoff 2.5 --skin 0.3 --dt 0.005 system.data \
			> psb$t.out
		awk '/^per-step best/ {print $4}' psb$t.out >> psb$t.rates
		awk '/^steps p10/ {print $NF}' psb$t.out >> p10$t.rates
	done
	# two single-thread md-runs at once: what the host gives two
	# independent jobs (the ceiling for 2 threads), as aggregate rate
	t0=$(now)
	OMP_NUM_THREADS=1 "$top/bin/md-run" --units lj --data system.data \
		--cutoff 2.5 --skin 0.3 --dt 0.005 --steps "$steps" \
		--thermo "$steps" --threads 1 -q > pair1.out &
	OMP_NUM_THREADS=1 "$top/bin/md-run" --units lj --data system.data \
		--cutoff 2.5 --skin 0.3 --dt 0.005 --steps "$steps" \
		--thermo "$steps" --threads 1 -q > pair2.out
	wait
	t1=$(now)
	awk -v n="$natoms" -v s="$steps" -v a="$t0" -v b="$t1" \
		'BEGIN {printf "%.6g\n", 2 * n * s / (b - a)}' >> pair.rates
	if [ "$have_gmx" = 1 ]; then
		for t in 1 2; do
			# "Performance: ns/day hours/ns" of the run's loop
			OMP_NUM_THREADS=$t gmx -quiet mdrun -s lj.tpr -deffnm gmx$t \
				-ntmpi 1 -ntomp "$t" -nb cpu > /dev/null 2>&1 &&
				awk -v n="$natoms" '/^Performance:/ {
					printf "%.6g\n", $2 * 1000 / 0.005 / 86400 * n}' \
					gmx$t.log >> gmx$t.rates
		done
	fi
	if [ -n "$mpi" ]; then
		OMP_NUM_THREADS=1 $mpi lmp -sf none -in nve.in -log lammps2.log \
			-screen none >/dev/null 2>&1 &&
			awk '/^Loop time of/ {printf "%.6g\n", $9 * $12 / $4}' \
				lammps2.log >> lmp2.rates
	fi
done
lmp_rate=$(best < lmp.rates)
d1=$(best < drv1.rates)
d2=$(best < drv2.rates)
m1=$(best < run1.rates)
m2=$(best < run2.rates)
p1=$(best < psb1.rates)
p2=$(best < psb2.rates)
q1=$(best < p101.rates)
q2=$(best < p102.rates)
pair=$(best < pair.rates)
l2=$( [ -s lmp2.rates ] && best < lmp2.rates || echo 0)
g1=$( [ -s gmx1.rates ] && best < gmx1.rates || echo 0)
g2=$( [ -s gmx2.rates ] && best < gmx2.rates || echo 0)
lmp_builds=$(awk '/^Neighbor list builds/ {print $5}' lammps.log)
b1=$(sed -n 's/.* builds \([0-9]*\) .*/\1/p' drv1.out)
all() { tr '\n' ' ' < "$1"; }

echo "paper LJ system: $natoms atoms, 7.65 x 7.65 x 50, rc 2.5, skin 0.3, $steps NVE steps, best of $reps"
printf '%-28s %12s atom-steps/s  (%s builds; all: %s)\n' \
	"LAMMPS lj/cut, 1 thread" "$lmp_rate" "$lmp_builds" "$(all lmp.rates)"
printf '%-28s %12s atom-steps/s  (%s builds; all: %s)\n' \
	"bench_lj driver, 1 thread" "$d1" "$b1" "$(all drv1.rates)"
printf '%-28s %12s atom-steps/s  (all: %s)\n' \
	"bench_lj driver, 2 threads" "$d2" "$(all drv2.rates)"
printf '%-28s %12s atom-steps/s  (all: %s)\n' \
	"md-run, 1 thread" "$m1" "$(all run1.rates)"
printf '%-28s %12s atom-steps/s  (all: %s)\n' \
	"md-run, 2 threads" "$m2" "$(all run2.rates)"
printf '%-28s %12s atom-steps/s  (all: %s)\n' \
	"md-run loop, per-step best, 1" "$p1" "$(all psb1.rates)"
printf '%-28s %12s atom-steps/s  (all: %s)\n' \
	"md-run loop, per-step best, 2" "$p2" "$(all psb2.rates)"
printf '%-28s %12s atom-steps/s  (all: %s; %s)\n' \
	"md-run loop, step p10, 1" "$q1" "$(all p101.rates)" \
	"$(sed -n 's/^steps p10 us: \(.*\) ->.*/\1/p' psb1.out)"
printf '%-28s %12s atom-steps/s  (all: %s; %s)\n' \
	"md-run loop, step p10, 2" "$q2" "$(all p102.rates)" \
	"$(sed -n 's/^steps p10 us: \(.*\) ->.*/\1/p' psb2.out)"
printf '%-28s %12s atom-steps/s  (all: %s)\n' \
	"two 1-thread md-runs at once" "$pair" "$(all pair.rates)"
[ -s lmp2.rates ] && printf '%-28s %12s atom-steps/s  (all: %s)\n' \
	"LAMMPS lj/cut, 2 MPI ranks" "$l2" "$(all lmp2.rates)"
if [ -s gmx1.rates ] && [ -s gmx2.rates ]; then
	simd=$(sed -n 's/^SIMD instructions: *//p' gmx1.log | head -n 1)
	printf '%-28s %12s atom-steps/s  (all: %s; SIMD %s)\n' \
		"GROMACS, 1 thread" "$g1" "$(all gmx1.rates)" "$simd"
	printf '%-28s %12s atom-steps/s  (all: %s)\n' \
		"GROMACS, 2 threads" "$g2" "$(all gmx2.rates)"
elif [ "$have_gmx" = 0 ]; then
	echo "GROMACS: skipped: gmx not installed"
fi
awk -v l="$lmp_rate" -v d1="$d1" -v d2="$d2" -v m1="$m1" -v m2="$m2" \
	-v p1="$p1" -v p2="$p2" -v q1="$q1" -v q2="$q2" -v pair="$pair" \
	-v l2="$l2" -v g1="$g1" -v g2="$g2" 'BEGIN {
	printf "ratio md-run 1 thread / LAMMPS:     %.2f  (target >= 2)\n", m1 / l
	printf "ratio md-run 2 threads / 1 thread:  %.2f  (target >= 1.8)\n", m2 / m1
	printf "ratio md-run loop per-step best, 2 / 1 threads: %.2f\n", p2 / p1
	printf "ratio md-run loop step p10, 2 / 1 threads:      %.2f\n", q2 / q1
	printf "ratio two 1-thread runs at once / one alone:   %.2f  (the host'"'"'s ceiling for 2)\n", pair / m1
	if (l2 > 0)
		printf "ratio LAMMPS 2 MPI ranks / 1 rank:  %.2f\n", l2 / l
	if (g1 > 0 && g2 > 0) {
		printf "ratio GROMACS 2 threads / 1 thread: %.2f  (a step as short as ours)\n", g2 / g1
		printf "ratio md-run 1 thread / GROMACS 1 thread: %.2f\n", m1 / g1
	}
	printf "ratio driver 2 threads / 1 thread:  %.2f\n", d2 / d1
	printf "ratio md-run 2 threads / LAMMPS:    %.2f\n", m2 / l
}'
sed -n 's/^atoms.*\(etotal .*\)/energy check (driver, 1 thread): \1/p' drv1.out
# same state, different summation order: equal to round-off (the later
# rows drift apart, as any two MD trajectories do)
printf 'md-run initial pe, 1 / 2 threads: %s / %s\n' \
	"$(awk '!/^#/ {print $4; exit}' run1.out)" \
	"$(awk '!/^#/ {print $4; exit}' run2.out)"
echo "cross-core round trip before/after each 2-thread md-run: $(tr '\n' ' ' < pingpong.ns)ns (this host: ~50-70 fast mode, ~350 slow; BENCHMARKS.md); md-runs that could not start in the fast mode: $slowstarts"
echo "load average before / after the runs: $load0 / $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "(other load on the machine makes the 2-thread runs wait at barriers: compare on an idle machine)"
