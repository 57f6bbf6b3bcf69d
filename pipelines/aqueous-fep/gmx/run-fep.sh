#!/usr/bin/env bash
# run-fep.sh: the decoupling free energy of one solute molecule in water with
# GROMACS (gmx grompp/mdrun/bar) on the same box, force field and lambda
# windows as soretkit's aqueous-fep. See README.md beside this file.
#
# Usage: run-fep.sh DATA MOLTYPE OUTDIR [VAR=VALUE ...]
#   DATA     LAMMPS data file of the box (box-build; the solute is the one
#            molecule of its kind), converted by scripts/lmp2gmx
#   MOLTYPE  the solute's moleculetype name (lmp2gmx --names MOLTYPE)
#   OUTDIR   made if missing; ends with OUTDIR/dg.txt
# Variables (defaults): TEMP=300 NCOUL=20 NLJ=20 DT=0.002 (ps) EQ_STEPS=10000
#   WIN_STEPS=10000 SKIP_PS=4 (discarded at the start of each window)
#   NSTDHDL=50 GMX=gmx NT=1 NICE=5 SEED=1 TAU_T=1.0 RC=0.9 (nm, rcoulomb =
#   rvdw) PRESS= (bar; empty: constant volume) SC_SIGMA=0.2 (nm; GROMACS
#   gives pairs with a smaller sigma this one in the soft core: it must be
#   below every solute-water sigma, TMAO's H-O(water) 2.37 A the smallest)
# Integrator sd (Langevin, tau-t TAU_T), GROMACS's recommendation for
# sampling decoupled states; at constant volume (the data file's box), or
# with PRESS at constant pressure by the C-rescale barostat (tau-p 1 ps as
# soretkit's Pdamp, compressibility 4.5e-5 /bar).
# States (GROMACS order, 0 = decoupled): vdw 0 -> 1 at coul 0 (NLJ windows),
# then coul 0 -> 1 at vdw 1 (NCOUL windows); gmx bar's total is
# G(coupled) - G(decoupled) = the hydration free energy; dg.txt gives it and
# its negative, the desolvation free energy soretkit's mbar reports.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
[ $# -ge 3 ] || { echo "usage: run-fep.sh DATA MOLTYPE OUTDIR [VAR=VALUE ...]" >&2; exit 2; }
data=$(readlink -f "$1") mol=$2 out=$3; shift 3
TEMP=300 NCOUL=20 NLJ=20 DT=0.002 EQ_STEPS=10000 WIN_STEPS=10000 SKIP_PS=4
NSTDHDL=50 GMX=gmx NT=1 NICE=5 SEED=1 TAU_T=1.0 RC=0.9 PRESS= SC_SIGMA=0.2
for kv in "$@"; do
	case $kv in
	TEMP=*|NCOUL=*|NLJ=*|DT=*|EQ_STEPS=*|WIN_STEPS=*|SKIP_PS=*|NSTDHDL=*|GMX=*|NT=*|NICE=*|SEED=*|TAU_T=*|RC=*|PRESS=*|SC_SIGMA=*)
		eval "${kv%%=*}=\${kv#*=}" ;;
	*) echo "run-fep.sh: unknown setting $kv" >&2; exit 2 ;;
	esac
done
command -v "$GMX" >/dev/null || { echo "run-fep.sh: $GMX not found" >&2; exit 1; }
mkdir -p "$out"; cd "$out"
common() { sed "s/^rcoulomb .*/rcoulomb = $RC/; s/^rvdw .*/rvdw = $RC/" "$here/common.mdp"; }
mdrun() { nice -n "$NICE" "$GMX" mdrun -nt "$NT" -pin off "$@"; }

# lambda vectors, decoupled first
coul= vdw=
for k in $(seq 0 "$NLJ"); do
	coul="$coul 0"; vdw="$vdw $(awk -v k="$k" -v n="$NLJ" 'BEGIN{printf "%.6g", k/n}')"
done
for k in $(seq 1 "$NCOUL"); do
	coul="$coul $(awk -v k="$k" -v n="$NCOUL" 'BEGIN{printf "%.6g", k/n}')"; vdw="$vdw 1"
done
nstate=$((NLJ + NCOUL + 1))

"$top/scripts/lmp2gmx" "$data" sys --names "$mol"

fep_block() { # STATE
	cat <<EOF
free-energy              = yes
couple-moltype           = $mol
couple-lambda0           = none
couple-lambda1           = vdw-q
couple-intramol          = no
init-lambda-state        = $1
coul-lambdas             =$coul
vdw-lambdas              =$vdw
sc-alpha                 = 0.5    ; soretkit sc-form lammps: alpha_LJ 0.5
sc-power                 = 2      ; its (1 - lambda)^2
sc-r-power               = 6
sc-sigma                 = $SC_SIGMA   ; below every solute-water sigma (methanol 2.81 A, TMAO 2.37 A): no pair is changed
sc-coul                  = no     ; linear Coulomb, as soretkit
nstdhdl                  = $NSTDHDL
calc-lambda-neighbors    = -1     ; all states (MBAR-ready); gmx bar uses the neighbours
dhdl-print-energy        = total
separate-dhdl-file       = yes
EOF
}
dyn_block() { # NSTEPS GEN_VEL
	cat <<EOF
integrator               = sd
dt                       = $DT
nsteps                   = $1
tc-grps                  = System
tau-t                    = $TAU_T
ref-t                    = $TEMP
$(if [ -n "$PRESS" ]; then printf 'pcoupl = C-rescale\ntau-p = 1.0\nref-p = %s\ncompressibility = 4.5e-5\n' "$PRESS"; else echo 'pcoupl = no'; fi)
gen-vel                  = $2
gen-temp                 = $TEMP
gen-seed                 = $SEED
ld-seed                  = $SEED
nstcalcenergy            = 10
nstenergy                = 500
nstlog                   = 5000
nstxout-compressed       = 0
EOF
}

if [ ! -s eq.gro ]; then
	{ common; printf 'integrator = steep\nnsteps = 5000\nemtol = 100\n'; } > em.mdp
	"$GMX" grompp -f em.mdp -c sys.gro -p sys.top -o em.tpr -po em.out.mdp -maxwarn 1 >em.grompp.log 2>&1
	mdrun -s em.tpr -deffnm em >em.mdrun.log 2>&1
	{ common; dyn_block "$EQ_STEPS" yes; fep_block "$nstate"; } | sed "s/^init-lambda-state .*/init-lambda-state = $((nstate - 1))/" > eq.mdp
	"$GMX" grompp -f eq.mdp -c em.gro -p sys.top -o eq.tpr -po eq.out.mdp -maxwarn 1 >eq.grompp.log 2>&1
	mdrun -s eq.tpr -deffnm eq >eq.mdrun.log 2>&1
fi
for s in $(seq 0 $((nstate - 1))); do
	[ -s "win$s.xvg" ] && continue
	{ common; dyn_block "$WIN_STEPS" no; fep_block "$s"; } > "win$s.mdp"
	"$GMX" grompp -f "win$s.mdp" -c eq.gro -t eq.cpt -p sys.top -o "win$s.tpr" -po "win$s.out.mdp" -maxwarn 1 >"win$s.grompp.log" 2>&1
	mdrun -s "win$s.tpr" -deffnm "win$s.part" -dhdl "win$s.part.xvg" >"win$s.mdrun.log" 2>&1
	mv "win$s.part.xvg" "win$s.xvg"
	rm -f "win$s.part.trr" "win$s.part.cpt" "win$s.part_prev.cpt" "win$s.part.gro"
done
"$GMX" bar -f $(for s in $(seq 0 $((nstate - 1))); do echo "win$s.xvg"; done) \
	-b "$(awk -v s="$SKIP_PS" 'BEGIN{print s}')" -o bar.xvg -oi barint.xvg -temp "$TEMP" >bar.log 2>&1
# "total      0 -     40,   DG -20.1 +/-  0.5" under "Final results in kJ/mol"
awk -v T="$TEMP" '
	/^Final results in/ { unit = $4 }
	/^total/ { for (i = 1; i <= NF; i++) if ($i == "DG") { dg = $(i+1); err = $(i+3) } }
	END {
		if (dg == "" || unit != "kJ/mol:") { print "run-fep.sh: no total in kJ/mol in bar.log" > "/dev/stderr"; exit 1 }
		kT = 0.0083144626 * T
		printf "# gmx bar (kcal/mol at %s K): dG_hyd = G(coupled) - G(decoupled); dG_desolv = -dG_hyd\n", T
		printf "# T dG_hyd err dG_desolv err dG_hyd_kT err_kT\n"
		printf "%s %.4f %.4f %.4f %.4f %.4f %.4f\n", T, dg / 4.184, err / 4.184, -dg / 4.184, err / 4.184, dg / kT, err / kT
	}' bar.log > dg.txt
cat dg.txt
