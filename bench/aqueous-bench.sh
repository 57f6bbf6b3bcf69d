#!/bin/sh
# aqueous-bench.sh: ns/day of the paper's aqueous system (25 x 25 x 50 A,
# 1024 rigid SPC/E waters + 40 OPLS-AA methanols, 3312 atoms) for md-run on
# 1 and 2 threads, LAMMPS serial and GROMACS `gmx mdrun -nt 1`, on the same
# start state and model in one run (issue 7). bench/water-bench.sh is the
# same measurement for flexible water without solutes at 0.5 fs.
#
# The system: box-build (as pipelines/aqueous.mk builds the studies' boxes,
# seed 5), minimised (flexible) and given 2 ps of NVT at 300 K with
# constraints by md-run with the pipelines' options; the last state
# (md-run's NetCDF restart, read with ncdump) is written into a copy of
# box.data with image flags and a Velocities section: start.data, the
# data file LAMMPS and md-run read and scripts/lmp2gmx converts for
# GROMACS (velocities added to its .gro).
#
# Model (pipelines/aqueous.mk): share/ff/spce.data + methanol.data, LJ cut
# at 9 A, real-space Coulomb 8.5 A (LAMMPS lj/cut/coul/long 9.0 8.5, its
# default tabulated erfc), special bonds lj/coul 0/0/0.5, geometric
# mixing, no dispersion correction, PPPM at relative accuracy 1e-5. Rigid
# water and X-H bonds: md-run --constrain hbonds (SETTLE + SHAKE, RATTLE
# velocities, tol 1e-10); LAMMPS fix rattle 1e-10 on every bond to an H
# (m 1.008) and the water angle; GROMACS [ settles ] and constraints =
# h-bonds (LINCS order 6, 2 iterations, as pipelines/aqueous-fep/gmx).
# GROMACS needs rcoulomb >= rvdw: both 0.9 nm, with LAMMPS's splitting
# parameter (ewald-rtol = erfc(9 A g_ewald)), grid and order. Nose-Hoover
# NVT at 300 K, Tdamp 0.1 ps, dt 1 fs, energies only at the end (chains
# of 3 in LAMMPS and md-run; GROMACS's leap-frog has no chains: one
# thermostat, applied every nsttcouple = 5 steps, tau-t / 20 as grompp
# asks).
# Neighbour lists: LAMMPS and md-run skin 2 A checked every step; GROMACS
# its own Verlet buffer (verlet-buffer-tolerance default).
#
# Time of a run: wall (and CPU) seconds of the whole command, less those
# of the same command with 0 steps (set-up), best of REPS interleaved
# repetitions. The machine may be shared: the load average is printed,
# and the CPU-time figures of the 1-thread runs are the robust ones.
# Each code's potential energy and temperature at step 0 and at the last
# step are printed. At step 0 they are the same state: md-run's potential
# energy equals that of LAMMPS `run 0` with the exact erfc (pair_modify
# table 0, printed too) to ~1e-10 and the timed tabulated default to
# ~1e-6, GROMACS's to the PME accuracy (~1e-5; its leap-frog temperature
# is that of the half steps around step 0); after STEPS steps of chaotic
# dynamics they differ but should stay within a few per cent.
# Usage: bench/aqueous-bench.sh [STEPS [REPS]]   (default 1000 3)
#   KEEP=DIR: work in DIR and keep its files (data files, inputs, logs)
set -eu
steps=${1:-1000}
reps=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
me=aqueous-bench.sh
command -v lmp >/dev/null || { echo "$me: lmp (LAMMPS) not found" >&2; exit 1; }
command -v ncdump >/dev/null || { echo "$me: ncdump (netcdf-bin) not found" >&2; exit 1; }
for b in md-run box-build; do
	[ -x "$top/bin/$b" ] || make -s -C "$top" "bin/$b" >/dev/null
done
mdrun=$top/bin/md-run
if [ -n "${KEEP:-}" ]; then
	work=$KEEP; mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
cd "$work"

# ---- the system (box-build, md-run) ----
eq_steps=2000
FF="--cutoff 9 --coul-cutoff 8.5 --special-lj 0,0,0.5 --special-coul 0,0,0.5 --kspace-accuracy 1e-5 --skin 2"
"$top/bin/box-build" --box 25,25,50 --mol "$top/share/ff/spce.data:1024" \
	--mol "$top/share/ff/methanol.data:40:zspread" --seed 5 -q -o box.data
$mdrun --data box.data --ensemble min $FF --threads 1 -q --etol 1e-4 --ftol 1e-6 \
	--maxiter 2000 -o min.nc --thermo-file min.thermo
$mdrun --data box.data --from min.nc.rst --ensemble nvt --temp 300 --tdamp 100 --dt 1 \
	--seed 5 $FF --constrain hbonds --threads 1 -q --steps $eq_steps --thermo $eq_steps \
	--dump $eq_steps -o eq.nc --thermo-file eq.thermo
# The restart's atoms are in id order (box-build's ids are 1..N):
# coordinates (wrapped, A) and soretkit_velocities (A/fs) as N x 3,
# soretkit_images as all ix, then all iy, then all iz (common/run.c).
ncdump -p 9,17 -v coordinates,soretkit_images,soretkit_velocities eq.nc.rst > eq.cdl
awk '
FNR == NR {
	if ($0 ~ /^data:/) {d = 1; next}
	if (!d) next
	if ($0 ~ /^ [A-Za-z_]+ =/) {v = $1; sub(/^ [A-Za-z_]+ =/, "")}
	gsub(/[,;}]/, " ")
	n = split($0, f, " ")
	for (i = 1; i <= n; i++) val[v, cnt[v]++] = f[i]
	next
}
FNR == 1 {print; next}
/^ *[0-9]+ +atoms *$/ {nhead = $1}
/^[A-Z][A-Za-z ]*(#.*)?$/ {
	sec = $1
	if (sec == "Velocities") {skip = 1; next}   # replaced below
	skip = 0
	if (sec != "Atoms" && atoms_done && !vel_done) {
		print "Velocities\n"
		for (i = 0; i < natoms; i++)
			printf "%d %.17g %.17g %.17g\n", i + 1, val["soretkit_velocities", 3 * i],
				val["soretkit_velocities", 3 * i + 1], val["soretkit_velocities", 3 * i + 2]
		print ""
		vel_done = 1
	}
	print; next
}
skip {next}
sec == "Atoms" && NF >= 7 {
	i = $1 - 1
	if ($1 > natoms) natoms = $1
	printf "%s %s %s %s %.17g %.17g %.17g %d %d %d\n", $1, $2, $3, $4,
		val["coordinates", 3 * i], val["coordinates", 3 * i + 1], val["coordinates", 3 * i + 2],
		val["soretkit_images", i], val["soretkit_images", nhead + i], val["soretkit_images", 2 * nhead + i]
	atoms_done = 1
	next
}
{print}
END {
	if (atoms_done && !vel_done) {
		print "\nVelocities\n"
		for (i = 0; i < natoms; i++)
			printf "%d %.17g %.17g %.17g\n", i + 1, val["soretkit_velocities", 3 * i],
				val["soretkit_velocities", 3 * i + 1], val["soretkit_velocities", 3 * i + 2]
	}
	if (nhead != natoms || cnt["coordinates"] != 3 * natoms || cnt["soretkit_velocities"] != 3 * natoms ||
	    cnt["soretkit_images"] != 3 * natoms) {
		printf "aqueous-bench.sh: eq.nc.rst has %d coordinates, %d velocities, %d images for %d atoms\n",
			cnt["coordinates"], cnt["soretkit_velocities"], cnt["soretkit_images"], natoms > "/dev/stderr"
		exit 1
	}
}' eq.cdl box.data > start.data
grep -q '^Velocities' start.data || { echo "$me: no Velocities written to start.data" >&2; exit 1; }

dt=1
# LAMMPS: bonded styles as the data file names them; water's angle is
# angle type 1 (box-build numbers the first template's types first).
styles=$(for s in Bond Angle Dihedral Improper; do
	st=$(sed -n "s/^$s Coeffs *# *//p" start.data | head -n 1)
	if [ -n "$st" ]; then printf '%s_style %s\n' "$(echo $s | tr 'A-Z' 'a-z')" "$st"; fi
done)
common_lmp="units real
atom_style full
pair_style lj/cut/coul/long 9.0 8.5
pair_modify mix geometric
$styles
read_data start.data
special_bonds lj/coul 0.0 0.0 0.5
kspace_style pppm 1e-5
neighbor 2.0 bin
neigh_modify every 1 delay 0 check yes
timestep $dt
fix t all nvt temp 300 300 100
fix c all rattle 1e-10 100 0 m 1.008 a 1
thermo_style custom step temp pe ke etotal
thermo_modify norm no format float %.12g"
printf '%s\nthermo %s\nrun %s\n' "$common_lmp" "$steps" "$steps" > run.in
printf '%s\nrun 0\n' "$common_lmp" > run0.in
OMP_NUM_THREADS=1 lmp -in run0.in -log lmp0.log -screen none ||
	{ tail -n 5 lmp0.log >&2; exit 1; }
g=$(sed -n 's/^ *G vector (1\/distance) = *//p' lmp0.log | head -n 1)
grid=$(sed -n 's/^ *grid = *//p' lmp0.log | head -n 1)
order=$(sed -n 's/^ *stencil order = *//p' lmp0.log | head -n 1)
# the same single point with the exact erfc (md-run's real-space kernel
# equals it to ~1e-10): the check that the two codes run the same model
sed 's/^pair_modify mix geometric$/pair_modify mix geometric table 0/' run0.in > run0-table0.in
OMP_NUM_THREADS=1 lmp -in run0-table0.in -log lmp0-table0.log -screen none ||
	{ tail -n 5 lmp0-table0.log >&2; exit 1; }

md="$mdrun --data start.data $FF --constrain hbonds --ensemble nvt --temp 300 --tdamp 100 --dt $dt -q"

# ---- GROMACS: the same atoms, velocities and model ----
have_gmx=0
if command -v gmx >/dev/null 2>&1; then
	have_gmx=1
	"$top/scripts/lmp2gmx" start.data sys --special-lj 0,0,0.5 --special-coul 0,0,0.5 \
		--names methanol > lmp2gmx.log 2>&1 || { cat lmp2gmx.log >&2; exit 1; }
	# lmp2gmx's .gro (unwrapped, 9 decimals) plus the velocities, A/fs
	# -> nm/ps (x 100), one more decimal as GROMACS writes them.
	awk '
	FNR == NR {
		if ($0 ~ /^Velocities/) {sec = 1; next}
		if ($0 ~ /^[A-Z]/) sec = 0
		if (sec && NF == 4) {vx[$1] = $2; vy[$1] = $3; vz[$1] = $4}
		next
	}
	FNR == 2 {n = $1}
	FNR > 2 && FNR <= n + 2 {
		id = FNR - 2
		printf "%s%14.10f%14.10f%14.10f\n", $0, vx[id] * 100, vy[id] * 100, vz[id] * 100
		next
	}
	{print}' start.data sys.gro > conf.gro
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
dt = 0.001
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
nsttcouple = 5
constraints = h-bonds
constraint-algorithm = lincs
lincs-order = 6
lincs-iter = 2
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
	gmx -quiet grompp -f grompp.mdp -c conf.gro -p sys.top -o run.tpr \
		-maxwarn 2 > grompp.log 2>&1 || { cat grompp.log >&2; exit 1; }
	sed "s/^nsteps = .*/nsteps = 0/; s/= $steps\$/= 1/" grompp.mdp > run0.mdp
	gmx -quiet grompp -f run0.mdp -c conf.gro -p sys.top -o run0.tpr \
		-maxwarn 2 > grompp0.log 2>&1 || { cat grompp0.log >&2; exit 1; }
fi
gmxrun="gmx -quiet mdrun -nt 1 -pin off -notunepme -nb cpu"

# ---- timing: whole commands, N steps and 0 steps, interleaved ----
t() { # t NAME CMD...: append "wall cpu" of CMD to NAME.t
	name=$1; shift
	/usr/bin/time -f "%e %U %S" -o time.tmp "$@" > /dev/null 2>&1 ||
		{ echo "$me: $name failed" >&2; exit 1; }
	awk '{printf "%.4f %.4f\n", $1, $2 + $3}' time.tmp >> "$name.t"
}
# md-run --precision mixed (single-precision pair pass: GROMACS's
# default precision) where the build has it (AVX-512)
have_mixed=0
$md --precision mixed --steps 0 --threads 1 --thermo-file mixed-probe.thermo 2>/dev/null && have_mixed=1
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
r=0
while [ "$r" -lt "$reps" ]; do
	r=$((r + 1))
	t lmp env OMP_NUM_THREADS=1 lmp -sf none -in run.in -log lmp.log -screen none
	t lmp0 env OMP_NUM_THREADS=1 lmp -sf none -in run0.in -log none -screen none
	t md1 $md --steps "$steps" --thermo "$steps" --threads 1 --thermo-file md1.thermo
	t md10 $md --steps 0 --threads 1 --thermo-file md10.thermo
	t md2 $md --steps "$steps" --thermo "$steps" --threads 2 --thermo-file md2.thermo
	t md20 $md --steps 0 --threads 2 --thermo-file md20.thermo
	if [ "$have_mixed" = 1 ]; then
		t mdm $md --precision mixed --steps "$steps" --thermo "$steps" --threads 1 --thermo-file mdm.thermo
		t mdm0 $md --precision mixed --steps 0 --threads 1 --thermo-file mdm0.thermo
	fi
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
# "step pe temp" rows (kcal/mol, K) of each code's log, first and last step
lmp_e() { awk '/^ *Step /{h = 1; next} /^Loop time/{h = 0} h && $1 ~ /^[0-9]+$/ {print $1, $3, $2}' "$1"; }
md_e() { awk '!/^#/ && NF > 4 {print $1, $4, $3}' "$1"; }
# GROMACS md.log: "Step Time" then the energy blocks, names and values
# in 15-character columns; Potential in kJ/mol
gmx_e() { awk '
	/A V E R A G E S/ {exit}
	/^ +Step +Time/ {getline; step = $1}
	/Energies \(kJ\/mol\)/ {blk = 1; n = 0; next}
	blk && NF == 0 {
		blk = 0
		for (i = 1; i + 1 <= n; i += 2)
			for (k = 0; k < length(row[i]); k += 15) {
				nm = substr(row[i], k + 1, 15); gsub(/^ +| +$/, "", nm)
				e[nm] = substr(row[i + 1], k + 1, 15) + 0
			}
		printf "%d %.10g %.10g\n", step, e["Potential"] / 4.184, e["Temperature"]
		next
	}
	blk {row[++n] = $0}' "$1"; }

set -- $(ns lmp); lw=$1; lc=$2; lws=$3; lcs=$4
set -- $(ns md1); m1w=$1; m1c=$2; m1ws=$3; m1cs=$4
set -- $(ns md2); m2w=$1; m2c=$2; m2ws=$3; m2cs=$4
mdgrid=$(sed -n 's/^# forcefield:.*kspace pppm .* grid \([0-9]* [0-9]* [0-9]*\) order \([0-9]*\).*/\1, order \2/p' md10.thermo)
echo "aqueous box: 1024 rigid SPC/E + 40 OPLS-AA methanol (3312 atoms), 25 x 25 x 50 A; lj/cut/coul/long 9 / 8.5 A, special 0/0/0.5, PPPM 1e-5 (LAMMPS g_ewald $g, grid $grid, order $order; md-run grid $mdgrid), constraints SETTLE + X-H, NVT 300 K, dt $dt fs, $steps steps, best of $reps"
printf '%-28s %9s %9s   %s\n' "code" "ns/day" "ns/day" "loop s (wall, cpu)"
printf '%-28s %9s %9s\n' "" "(wall)" "(cpu)"
printf '%-28s %9s %9s   %s %s\n' "LAMMPS 1 thread" "$lw" "$lc" "$lws" "$lcs"
printf '%-28s %9s %9s   %s %s\n' "md-run 1 thread" "$m1w" "$m1c" "$m1ws" "$m1cs"
printf '%-28s %9s %9s   %s %s\n' "md-run 2 threads" "$m2w" "$m2c" "$m2ws" "$m2cs"
if [ "$have_mixed" = 1 ]; then
	set -- $(ns mdm); mmw=$1; mmc=$2; mmws=$3; mmcs=$4
	printf '%-28s %9s %9s   %s %s\n' "md-run 1 thread, mixed" "$mmw" "$mmc" "$mmws" "$mmcs"
fi
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
	if [ "$have_mixed" = 1 ]; then
		awk -v g="$gw" -v gc="$gc" -v a="$mmw" -v ac="$mmc" 'BEGIN {
		printf "md-run --precision mixed / GROMACS (both single-precision pair kernels): %.2fx (1 thread, wall), %.2fx (1 thread, cpu)\n", a / g, ac / gc}'
	fi
fi

# ---- the same system: potential energy and temperature, step 0 and last ----
{
	echo "LAMMPS_1_thread $(lmp_e lmp.log | sed -n '1p;$p' | tr '\n' ' ')"
	echo "md-run_1_thread $(md_e md1.thermo | sed -n '1p;$p' | tr '\n' ' ')"
	echo "md-run_2_threads $(md_e md2.thermo | sed -n '1p;$p' | tr '\n' ' ')"
	if [ "$have_mixed" = 1 ]; then echo "md-run_mixed $(md_e mdm.thermo | sed -n '1p;$p' | tr '\n' ' ')"; fi
	[ "$have_gmx" = 1 ] && echo "GROMACS $(gmx_e gmxrun.log | sed -n '1p;$p' | tr '\n' ' ')"
	echo "md-run_--steps_0 $(md_e md10.thermo | sed -n '1p' | tr '\n' ' ')"
	echo "LAMMPS_run_0 $(lmp_e lmp0.log | sed -n '1p' | tr '\n' ' ')"
	echo "LAMMPS_run_0,_table_0 $(lmp_e lmp0-table0.log | sed -n '1p' | tr '\n' ' ')"
	[ "$have_gmx" = 1 ] && echo "GROMACS_nsteps_0 $(gmx_e gmxrun0.log | sed -n '1p' | tr '\n' ' ')"
	echo "md-run_end_of_equilibration $(md_e eq.thermo | sed -n '$p' | tr '\n' ' ')"
} > energies.txt
awk -v steps="$steps" '
	{name[NR] = $1; pe0[NR] = $3; t0[NR] = $4; pe1[NR] = $6; t1[NR] = $7; n = NR
	 if ($1 == "LAMMPS_run_0,_table_0") ref = $3}
	END {
		printf "%-28s %16s %9s  %16s %9s  %s\n", "same system", "PE step 0", "T step 0", "PE step " steps, "T", "(kcal/mol, K)"
		for (i = 1; i <= n; i++) {
			nm = name[i]; gsub(/_/, " ", nm)
			rel = ref != 0 ? sprintf("PE0 / LAMMPS table 0 - 1: %+.1e", (pe0[i] - ref) / (ref < 0 ? -ref : ref)) : ""
			if (pe1[i] != "")
				printf "%-28s %16.6f %9.3f  %16.6f %9.3f  %s\n", nm, pe0[i], t0[i], pe1[i], t1[i], rel
			else
				printf "%-28s %16.6f %9.3f  %16s %9s  %s\n", nm, pe0[i], t0[i], "", "", rel
		}
	}' energies.txt
echo "all (wall cpu per run): LAMMPS $(tr '\n' ' ' < lmp.t)| md-run 1: $(tr '\n' ' ' < md1.t)| md-run 2: $(tr '\n' ' ' < md2.t)"
[ "$have_gmx" = 1 ] && echo "  GROMACS: $(tr '\n' ' ' < gmx.t)"
echo "load average before: $load0, after: $load1"
