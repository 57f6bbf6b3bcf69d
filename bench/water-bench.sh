#!/bin/sh
# water-bench.sh: ns/day of a water box of the paper's size (25 x 25 x 50
# A, 1024 waters, 3072 atoms) for md-run on 1 and 2 threads, LAMMPS serial
# and GROMACS `gmx mdrun -nt 1`, on the same system and model in one run.
#
# The box: LAMMPS makes it (1024 SPC/E-geometry molecules on a 3.125 A
# lattice, randomly rotated, minimised, 500 steps of NVT at 300 K) and
# writes the data file all three codes start from. Model: flexible
# SPC/E-like water (SPC/E charges and O LJ, harmonic O-H 529.581
# kcal/mol/A^2 at 1.0 A, H-O-H 37.95 kcal/mol/rad^2 at 109.47 deg; md-run
# has no constraints yet, so no code uses them), LJ and real-space Coulomb
# cut at 9 A, 1-2 and 1-3 pairs excluded, no dispersion correction,
# PPPM/PME at LAMMPS's accuracy 1e-5: GROMACS gets LAMMPS's splitting
# parameter (ewald-rtol = erfc(g rc)), grid and order 5. Nose-Hoover NVT
# at 300 K, Tdamp 0.1 ps, dt 0.5 fs, energies only at the end. Neighbour
# lists: LAMMPS and md-run skin 2 A checked every step; GROMACS its own
# Verlet buffer (verlet-buffer-tolerance default). LAMMPS runs its default
# pair_style (tabulated erfc, `pair_modify table 12`).
#
# Time of a run: wall (and CPU) seconds of the whole command, less those
# of the same command with 0 steps (set-up), best of REPS interleaved
# repetitions. The machine may be shared: the load average is printed,
# and the CPU-time figures of the 1-thread runs are the robust ones.
# Usage: bench/water-bench.sh [STEPS [REPS]]   (default 1000 3)
set -eu
steps=${1:-1000}
reps=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
command -v lmp >/dev/null || { echo "water-bench.sh: lmp (LAMMPS) not found" >&2; exit 1; }
[ -x "$top/bin/md-run" ] || make -s -C "$top" bin/md-run >/dev/null
mdrun=$top/bin/md-run
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# ---- the system (LAMMPS) ----
cp "$top/tests/fixtures/kspace/spce.mol" .
cat > make.in <<'IN'
units           real
atom_style      full
boundary        p p p
lattice         sc 3.125
region          box block 0 8 0 8 0 16
create_box      2 box bond/types 1 angle/types 1 &
                extra/bond/per/atom 2 extra/angle/per/atom 1 extra/special/per/atom 2
molecule        w spce.mol
create_atoms    0 box mol w 24680
mass            1 15.9994
mass            2 1.008
pair_style      lj/cut/coul/long 9.0
pair_coeff      1 1 0.1553 3.166
pair_coeff      2 2 0.0 0.0
bond_style      harmonic
bond_coeff      1 529.581 1.0
angle_style     harmonic
angle_coeff     1 37.95 109.47
special_bonds   lj/coul 0.0 0.0 0.0
kspace_style    pppm 1e-4
neighbor        2.0 bin
minimize        1e-4 1e-6 200 2000
reset_timestep  0
velocity        all create 300 4242 mom yes rot yes dist gaussian
timestep        0.5
fix             t all nvt temp 300 300 50
run             500
write_data      water.data
IN
OMP_NUM_THREADS=1 lmp -in make.in -log make.log -screen none ||
	{ tail -n 5 make.log >&2; exit 1; }

dt=0.5
common_lmp="units real
atom_style full
pair_style lj/cut/coul/long 9.0
bond_style harmonic
angle_style harmonic
read_data water.data
special_bonds lj/coul 0.0 0.0 0.0
kspace_style pppm 1e-5
neighbor 2.0 bin
neigh_modify every 1 delay 0 check yes
timestep $dt
fix t all nvt temp 300 300 100"
printf '%s\nthermo %s\nrun %s\n' "$common_lmp" "$steps" "$steps" > run.in
printf '%s\nrun 0\n' "$common_lmp" > run0.in
OMP_NUM_THREADS=1 lmp -in run0.in -log lmp0.log -screen none ||
	{ tail -n 5 lmp0.log >&2; exit 1; }
g=$(sed -n 's/^ *G vector (1\/distance) = *//p' lmp0.log | head -n 1)
grid=$(sed -n 's/^ *grid = *//p' lmp0.log | head -n 1)
order=$(sed -n 's/^ *stencil order = *//p' lmp0.log | head -n 1)

md="$mdrun --data water.data --cutoff 9 --ensemble nvt --temp 300 --tdamp 100 --dt $dt -q"

# ---- GROMACS: the same atoms, velocities and model ----
have_gmx=0
if command -v gmx >/dev/null 2>&1; then
	have_gmx=1
	# Atoms (id mol type q x y z ix iy iz) unwrapped, Velocities; A -> nm,
	# A/fs -> nm/ps.
	awk '
	/^ *[0-9.eE+-]+ +[0-9.eE+-]+ +xlo xhi/ {L[0] = $2 - $1}
	/^ *[0-9.eE+-]+ +[0-9.eE+-]+ +ylo yhi/ {L[1] = $2 - $1}
	/^ *[0-9.eE+-]+ +[0-9.eE+-]+ +zlo zhi/ {L[2] = $2 - $1}
	/^Atoms/ {sec = "a"; next} /^Velocities/ {sec = "v"; next}
	/^[A-Z]/ {sec = ""}
	sec == "a" && NF >= 10 {id = $1; mol[id] = $2; ty[id] = $3
		x[id] = $5 + $8 * L[0]; y[id] = $6 + $9 * L[1]; z[id] = $7 + $10 * L[2]
		if (id > n) n = id}
	sec == "v" && NF == 4 {vx[$1] = $2; vy[$1] = $3; vz[$1] = $4}
	END {
		print "water (LAMMPS data file)"; print n
		for (i = 1; i <= n; i++) {
			h = (i - 1) % 3
			name = h == 0 ? "OW" : "HW" h
			printf "%5d%-5s%5s%5d%8.3f%8.3f%8.3f%8.4f%8.4f%8.4f\n", mol[i] % 100000, "SOL", name, i % 100000, \
				x[i] / 10, y[i] / 10, z[i] / 10, vx[i] * 100, vy[i] * 100, vz[i] * 100
		}
		printf "%10.5f%10.5f%10.5f\n", L[0] / 10, L[1] / 10, L[2] / 10
	}' water.data > conf.gro
	nmol=$(( $(sed -n 2p conf.gro) / 3 ))
	# LAMMPS K (r - r0)^2 is GROMACS kb/2 (r - b0)^2: kb = 2 K, in kJ/mol/nm^2.
	cat > topol.top <<TOP
[ defaults ]
; nbfunc comb-rule gen-pairs fudgeLJ fudgeQQ
1 2 no 1.0 1.0
[ atomtypes ]
; name mass charge ptype sigma/nm epsilon/(kJ/mol): 3.166 A, 0.1553 kcal/mol
OW 15.9994 0.0 A 0.3166 0.6497752
HW 1.008 0.0 A 0.0 0.0
[ moleculetype ]
SOL 2
[ atoms ]
1 OW 1 SOL OW  1 -0.8476 15.9994
2 HW 1 SOL HW1 1  0.4238 1.008
3 HW 1 SOL HW2 1  0.4238 1.008
[ bonds ]
; 2 x 529.581 kcal/mol/A^2
1 2 1 0.1 443153.38
1 3 1 0.1 443153.38
[ angles ]
; 2 x 37.95 kcal/mol/rad^2
2 1 3 1 109.47 317.5656
[ system ]
water
[ molecules ]
SOL $nmol
TOP
	rtol=$(awk -v g="$g" 'BEGIN {
		# erfc(x) for x ~ 3 by its continued fraction (relative error
		# far below what matters for the splitting parameter)
		x = 9.0 * g; f = x
		for (k = 60; k >= 1; k--) f = x + (k / 2.0) / f
		printf "%.6e", exp(-x * x) / (sqrt(3.141592653589793) * f)
	}')
	set -- $grid
	cat > grompp.mdp <<MDP
integrator = md
dt = 0.0005
nsteps = $steps
cutoff-scheme = Verlet
pbc = xyz
coulombtype = PME
coulomb-modifier = None
rcoulomb = 0.9
vdwtype = Cut-off
vdw-modifier = None
rvdw = 0.9
DispCorr = no
ewald-rtol = $rtol
fourier-nx = $1
fourier-ny = $2
fourier-nz = $3
pme-order = $order
tcoupl = nose-hoover
tc-grps = System
tau-t = 0.1
ref-t = 300
constraints = none
gen-vel = no
continuation = yes
nstcalcenergy = $steps
nstenergy = $steps
nstlog = $steps
nstxout = 0
nstvout = 0
nstfout = 0
nstxout-compressed = 0
MDP
	gmx -quiet grompp -f grompp.mdp -c conf.gro -p topol.top -o run.tpr \
		-maxwarn 2 > grompp.log 2>&1 || { cat grompp.log >&2; exit 1; }
	sed "s/^nsteps = .*/nsteps = 0/; s/= $steps\$/= 1/" grompp.mdp > run0.mdp
	gmx -quiet grompp -f run0.mdp -c conf.gro -p topol.top -o run0.tpr \
		-maxwarn 2 > grompp0.log 2>&1 || { cat grompp0.log >&2; exit 1; }
fi
gmxrun="gmx -quiet mdrun -nt 1 -pin off -notunepme -nb cpu"

# ---- timing: whole commands, N steps and 0 steps, interleaved ----
t() { # t NAME CMD...: append "wall cpu" of CMD to NAME.t
	name=$1; shift
	/usr/bin/time -f "%e %U %S" -o time.tmp "$@" > /dev/null 2>&1 ||
		{ echo "water-bench.sh: $name failed" >&2; exit 1; }
	awk '{printf "%.4f %.4f\n", $1, $2 + $3}' time.tmp >> "$name.t"
}
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
r=0
while [ "$r" -lt "$reps" ]; do
	r=$((r + 1))
	t lmp env OMP_NUM_THREADS=1 lmp -sf none -in run.in -log lmp.log -screen none
	t lmp0 env OMP_NUM_THREADS=1 lmp -sf none -in run0.in -log none -screen none
	t md1 $md --steps "$steps" --thermo "$steps" --threads 1
	t md10 $md --steps 0 --threads 1
	t md2 $md --steps "$steps" --thermo "$steps" --threads 2
	t md20 $md --steps 0 --threads 2
	if [ "$have_gmx" = 1 ]; then
		t gmx env OMP_NUM_THREADS=1 $gmxrun -s run.tpr -deffnm gmxrun
		t gmx0 env OMP_NUM_THREADS=1 $gmxrun -s run0.tpr -deffnm gmxrun0
	fi
done
load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

# best (smallest) wall and CPU of NAME.t less those of NAME0.t; ns/day
ns() {
	awk -v steps="$steps" -v dt="$dt" '
	FNR == 1 {f++}
	f == 1 {if (!w1 || $1 < w1) w1 = $1; if (!c1 || $2 < c1) c1 = $2}
	f == 2 {if (!w0 || $1 < w0) w0 = $1; if (!c0 || $2 < c0) c0 = $2}
	END {ns = steps * dt * 1e-6 * 86400
	     printf "%.4g %.4g %.4g %.4g\n", ns / (w1 - w0), ns / (c1 - c0), w1 - w0, c1 - c0}' "$1.t" "${1}0.t"
}
set -- $(ns lmp); lw=$1; lc=$2; lws=$3; lcs=$4
set -- $(ns md1); m1w=$1; m1c=$2; m1ws=$3; m1cs=$4
set -- $(ns md2); m2w=$1; m2c=$2; m2ws=$3; m2cs=$4
echo "water box: 1024 flexible SPC/E-like waters (3072 atoms), 25 x 25 x 50 A; lj/cut/coul/long 9 A, PPPM 1e-5 (g_ewald $g, grid $grid, order $order), NVT 300 K, dt $dt fs, $steps steps, best of $reps"
printf '%-28s %9s %9s   %s\n' "code" "ns/day" "ns/day" "loop s (wall, cpu)"
printf '%-28s %9s %9s\n' "" "(wall)" "(cpu)"
printf '%-28s %9s %9s   %s %s\n' "LAMMPS 1 thread" "$lw" "$lc" "$lws" "$lcs"
printf '%-28s %9s %9s   %s %s\n' "md-run 1 thread" "$m1w" "$m1c" "$m1ws" "$m1cs"
printf '%-28s %9s %9s   %s %s\n' "md-run 2 threads" "$m2w" "$m2c" "$m2ws" "$m2cs"
if [ "$have_gmx" = 1 ]; then
	set -- $(ns gmx); gw=$1; gc=$2; gws=$3; gcs=$4
	simd=$(sed -n 's/^SIMD instructions: *//p' gmxrun.log | head -n 1)
	printf '%-28s %9s %9s   %s %s  (ewald-rtol %s, SIMD %s)\n' "GROMACS mdrun -nt 1" "$gw" "$gc" "$gws" "$gcs" "$rtol" "$simd"
else
	echo "GROMACS: skipped: gmx not installed"
fi
awk -v l="$lw" -v lc="$lc" -v a="$m1w" -v ac="$m1c" -v b="$m2w" 'BEGIN {
	printf "md-run / LAMMPS: %.2fx (1 thread, wall), %.2fx (1 thread, cpu), %.2fx (2 threads, wall)\n", a / l, ac / lc, b / l
	printf "md-run 2 threads / 1 thread: %.2fx (wall)\n", b / a}'
if [ "$have_gmx" = 1 ]; then
	awk -v g="$gw" -v gc="$gc" -v a="$m1w" -v ac="$m1c" -v b="$m2w" 'BEGIN {
	printf "md-run / GROMACS: %.2fx (1 thread, wall), %.2fx (1 thread, cpu), %.2fx (2 threads, wall)\n", a / g, ac / gc, b / g}'
fi
echo "all (wall cpu per run): LAMMPS $(tr '\n' ' ' < lmp.t)| md-run 1: $(tr '\n' ' ' < md1.t)| md-run 2: $(tr '\n' ' ' < md2.t)"
[ "$have_gmx" = 1 ] && echo "  GROMACS: $(tr '\n' ' ' < gmx.t)"
echo "load average before: $load0, after: $load1"
