# CLI test of scripts/lmp2gmx (the GROMACS side of the aqueous-fep
# cross-check, pipelines/aqueous-fep/gmx): a box of flexible SPC/E water with
# one methanol, urea and TMAO (box-build from share/ff) converted to a
# GROMACS .top/.gro gives, by gmx grompp + gmx mdrun -rerun (-DFLEXIBLE, no
# constraints, double precision when gmx_d is there), the same single-point
# energy terms as md-run --steps 0 on the same data file:
#   LJ (SR) + LJ-14 = evdwl; Bond = ebond; Angle = eangle;
#   Ryckaert-Bell. = edihed; Improper/Periodic dihedrals = eimp;
#   Coulomb (SR) + Coulomb-14 + Coul. recip. = ecoul + elong.
# kJ/mol = 4.184 kcal/mol. Atoms are displaced at random by up to 0.05 A
# first, so that every bonded term is away from its minimum. Tolerances:
# bonded and LJ terms 2e-6 relative (2e-5 with mixed-precision gmx) plus
# 1e-5 kJ/mol absolute; Coulomb 2e-5 of |SR| + |recip| (our Ewald at 1e-10
# against PME at ewald-rtol 1e-8, 0.05 nm grid, order 8, both converged:
# what is left is LAMMPS's polynomial erfc, |error| <= 1.5e-7, that our
# real-space kernel keeps in order to equal LAMMPS, in the excluded-pair
# corrections: 3.5e-5 kcal/mol per SPC/E water, 4e-6 of |SR| + |recip| here).
# Also the study's settings (common.mdp: PME 1e-5, order 6, 0.08 nm, rc
# 0.9 nm) against PPPM 1e-5 at the same cut-off, to 1e-4 of |SR| + |recip|.
# Skips (one "ok ... # skip" line) without gmx or packmol.
. "$TOP/tests/cli/lib.sh"
export OMP_NUM_THREADS=1
L2G=$TOP/scripts/lmp2gmx
FF=$TOP/share/ff
GMX=
for g in gmx_d gmx; do command -v $g >/dev/null 2>&1 && { GMX=$g; break; }; done
if [ -z "$GMX" ]; then echo "ok - gmx-convert # skip gmx not installed"; exit 0; fi
if ! command -v packmol >/dev/null 2>&1; then echo "ok - gmx-convert # skip packmol not installed"; exit 0; fi
rtol=2e-6
[ "$GMX" = gmx ] && rtol=2e-5

expect_ok "box-build: 180 SPC/E + methanol + urea + TMAO in 20 A" box-build --box 20,20,20 \
	--mol "$FF/spce.data:180" --mol "$FF/methanol.data:1:zspread" --mol "$FF/urea.data:1:zspread" \
	--mol "$FF/tmao.data:1:zspread" --seed 5 -q -o box0.data
awk 'BEGIN { srand(7) } /^[A-Z]/ { sec = $0 } sec ~ /^Atoms/ && NF >= 7 && $1 ~ /^[0-9]+$/ {
	for (k = 5; k <= 7; k++) $k = sprintf("%.6f", $k + 0.1 * (rand() - 0.5)) } { print }' box0.data > box.data
expect_ok "lmp2gmx writes box.top and box.gro" python3 "$L2G" box.data box --names methanol,urea,tmao
expect_grep "water as settles (rigid) with flexible terms under FLEXIBLE" '^#ifndef FLEXIBLE' box.top
expect_grep "molecules: 180 SOL then the three solutes" '^SOL 180$' box.top
expect_grep "OPLS 1-4 pairs at fudge 0.5" '^1 3 yes 0.5 0.5$' box.top

cat > sp.mdp <<'EOF'
integrator = md
nsteps = 0
define = -DFLEXIBLE
cutoff-scheme = Verlet
verlet-buffer-tolerance = -1
rlist = 0.9
nstlist = 1
coulombtype = PME
coulomb-modifier = None
rcoulomb = 0.9
vdw-modifier = None
rvdw = 0.9
DispCorr = no
ewald-rtol = 1e-8
fourierspacing = 0.05
pme-order = 8
constraints = none
nstcalcenergy = 1
nstenergy = 1
EOF
# the production settings (common.mdp) without constraints, for the PPPM check
{ grep -v '^constraints' "$TOP/pipelines/aqueous-fep/gmx/common.mdp"; printf 'integrator = md\nnsteps = 0\ndefine = -DFLEXIBLE\nconstraints = none\nnstcalcenergy = 1\nnstenergy = 1\n'; } > prod.mdp

gmx_terms() { # MDP NAME: rerun, write NAME.terms "name value" (kJ/mol)
	$GMX grompp -f "$1" -c box.gro -p box.top -o "$2.tpr" -po "$2.out.mdp" -maxwarn 5 >"$2.grompp.log" 2>&1 &&
	$GMX mdrun -s "$2.tpr" -rerun box.gro -nt 1 -deffnm "$2" >"$2.mdrun.log" 2>&1 &&
	echo "$(seq -s ' ' 1 20) 0" | $GMX energy -dp -f "$2.edr" -o "$2.xvg" >"$2.energy.log" 2>&1 &&
	awk '/^@ s[0-9]+ legend/ { n = $2; sub(/^s/, "", n); s = $0; sub(/^[^"]*"/, "", s); sub(/".*/, "", s); name[n] = s }
	     !/^[@#]/ { for (i = 2; i <= NF; i++) v[i - 2] = $i }
	     END { for (k in name) { g = name[k]; gsub(/ /, "_", g); print g, v[k] } }' "$2.xvg" > "$2.terms"
}
term() { awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' "$2"; }

if gmx_terms sp.mdp sp; then ok "gmx grompp + mdrun -rerun ($GMX)"; else notok "gmx grompp + mdrun -rerun ($GMX): $(tail -n 3 sp.grompp.log sp.mdrun.log | head -c 400)"; fi
OURS="--cutoff 9 --coul-cutoff 9 --skin 0.5 --mix geometric --special-lj 0,0,0.5 --special-coul 0,0,0.5"
expect_ok "md-run --steps 0 (ewald 1e-10)" md-run --data box.data --steps 0 $OURS --kspace ewald --kspace-accuracy 1e-10 -o sp.nc --thermo-file ours.thermo
row() { # THERMO COLUMN
	awk -v c="$2" '/^# step/ { for (i = 2; i <= NF; i++) { n = $i; sub(/\[.*/, "", n); col[n] = i - 1 } }
	     !/^#/ && NF { print $(col[c]) }' "$1" | tail -n 1
}
cmp_term() { # WHAT GMX_KJ OURS_KCAL RTOL SCALE_KJ
	if awk -v g="$2" -v o="$3" -v r="$4" -v s="$5" 'BEGIN { d = g - 4.184 * o; if (d < 0) d = -d; exit !(d <= r * s + 1e-5) }'; then
		ok "$1: gmx $2 kJ/mol = ours $3 kcal/mol"
	else notok "$1: gmx $2 kJ/mol vs ours $3 kcal/mol x 4.184 (tol $4 of $5 + 1e-5)"; fi
}
abs() { awk -v x="$1" 'BEGIN { print (x < 0 ? -x : x) }'; }
sum() { awk -v a="$1" -v b="$2" -v c="${3:-0}" 'BEGIN { printf "%.10f", a + b + c }'; }
g=sp.terms o=ours.thermo
lj=$(sum "$(term 'LJ_(SR)' $g)" "$(term LJ-14 $g)")
cmp_term "LJ (SR + 1-4)" "$lj" "$(row $o evdwl)" $rtol "$(abs "$lj")"
for pair in Bond:ebond Angle:eangle Ryckaert-Bell.:edihed; do
	v=$(term "${pair%%:*}" $g)
	cmp_term "${pair%%:*}" "$v" "$(row $o "${pair#*:}")" $rtol "$(abs "$v")"
done
imp=$(sum "$(term Improper_Dih. $g)" "$(term Proper_Dih. $g)" "$(term Per._Imp._Dih. $g)")
cmp_term "impropers (urea cvff -> periodic)" "$imp" "$(row $o eimp)" $rtol "$(abs "$imp")"
sr=$(sum "$(term 'Coulomb_(SR)' $g)" "$(term Coulomb-14 $g)") rec=$(term Coul._recip. $g)
scale=$(sum "$(abs "$sr")" "$(abs "$rec")")
cmp_term "Coulomb (SR + 1-4 + recip) vs ecoul + elong" "$(sum "$sr" "$rec")" "$(sum "$(row $o ecoul)" "$(row $o elong)")" 2e-5 "$scale"
for t in Bond Angle Ryckaert-Bell.; do
	awk -v b="$(term $t $g)" 'BEGIN { exit !(b > 1) }' && ok "$t energy is large enough to test (displaced atoms)" || notok "$t energy ~0: not tested"
done

# the study's settings: PME 1e-5 (common.mdp) vs PPPM 1e-5, both rc 9 A
if gmx_terms prod.mdp prod; then ok "common.mdp settings rerun"; else notok "common.mdp settings rerun: $(tail -n 3 prod.grompp.log | head -c 300)"; fi
expect_ok "md-run --steps 0 (pppm 1e-5)" md-run --data box.data --steps 0 $OURS --kspace pppm --kspace-accuracy 1e-5 -o pp.nc --thermo-file pp.thermo
g=prod.terms o=pp.thermo
sr=$(sum "$(term 'Coulomb_(SR)' $g)" "$(term Coulomb-14 $g)") rec=$(term Coul._recip. $g)
scale=$(sum "$(abs "$sr")" "$(abs "$rec")")
cmp_term "Coulomb PME 1e-5 vs PPPM 1e-5" "$(sum "$sr" "$rec")" "$(sum "$(row $o ecoul)" "$(row $o elong)")" 1e-4 "$scale"

# refusals
sed 's/^Dihedral Coeffs # multi\/harmonic/Dihedral Coeffs # charmm/' box.data > bad.data
expect_exit 1 "an unsupported dihedral style" python3 "$L2G" bad.data bad
expect_absent "nothing written for it" bad.top
expect_exit 1 "special bonds other than 0,0,f" python3 "$L2G" box.data bad --special-lj 0,0.5,0.5
expect_exit 2 "no output prefix" python3 "$L2G" box.data
exit 0
