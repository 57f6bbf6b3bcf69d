# Cross-check of the OPLS-AA templates (methanol, urea, glucose) against
# GROMACS (gmx_d, double precision): GROMACS assigns bonds, angles,
# dihedrals and 1-4 pairs from its own oplsaa.ff tables (tests/cli/
# ff_to_gmx.py lists the terms without parameters), so a wrong lookup or
# unit/sign conversion in share/ff/gen-templates.py shows up here, where
# the LAMMPS/md-run comparison of ff-templates.sh cannot see it (both read
# the same converted numbers). md-run --kspace none --cutoff 12 terms (kcal/mol)
# x 4.184 against GROMACS terms (kJ/mol): ebond = Bond, eangle = Angle,
# edihed = Ryckaert-Bell., eimp = Per. Imp. Dih., evdwl = LJ-14 + LJ (SR)
# (vdw-modifier none), ecoul = Coulomb-14 + Coulomb (SR): GROMACS's plain
# cut-off is reaction-field with eps_rf = 1, whose -q q/rc shifts of all
# pairs, excluded ones and the self term included, sum to zero for a
# neutral molecule, leaving sum q q / r over the non-excluded pairs.
# Agreement to 1e-6 relative (1e-6 kJ/mol absolute for terms near 0; gmx
# energy prints 6 decimals). Each template is checked as it is and with
# every atom displaced (seeded), so that no term sits at its minimum.
. "$TOP/tests/cli/lib.sh"
FF=$TOP/share/ff
export OMP_NUM_THREADS=1
GMX=$(command -v gmx_d || command -v gmx)
if [ -z "$GMX" ] || [ ! -d /usr/share/gromacs/top/oplsaa.ff ]; then
	ok "# SKIP GROMACS not installed (scripts/install-deps --with-optional)"; finish
fi
cat > e.mdp <<'EOM'
integrator = md
nsteps = 0
cutoff-scheme = Verlet
pbc = xyz
coulombtype = cut-off
rcoulomb = 1.2
rvdw = 1.2
vdw-modifier = none
nstenergy = 1
nstcalcenergy = 1
EOM
# each template as it is, then displaced (seeded) so that no term sits at 0
for case in methanol urea glucose methanol:1 urea:2 glucose:3; do
	src=${case%%:*} m=$src data=$FF/$src.data
	[ "$case" != "$src" ] && { m="$src-displaced"; data=$m.data; }
	if [ "$case" = "$src" ]; then python3 "$TOP/tests/cli/ff_to_gmx.py" "$FF/$src.data" "$m"
	else python3 "$TOP/tests/cli/ff_to_gmx.py" "$FF/$src.data" "$m" "${case#*:}"; fi
	if ! "$GMX" -quiet grompp -f e.mdp -c "$m.gro" -p "$m.top" -o "$m.tpr" -maxwarn 5 > gp.log 2>&1; then
		notok "$m: grompp ($(grep -m1 -A1 ERROR gp.log | tr '\n' ' '))"; continue
	fi
	ok "$m: grompp assigns every term from oplsaa.ff"
	"$GMX" -quiet mdrun -s "$m.tpr" -deffnm "$m" -nt 1 > md.log 2>&1 || { notok "$m: mdrun"; continue; }
	"$GMX" -quiet energy -f "$m.edr" -o list.xvg < /dev/null > list.txt 2>&1
	names="Bond Angle Ryckaert-Bell. Per.-Imp.-Dih. LJ-14 Coulomb-14 LJ-(SR) Coulomb-(SR)"
	sel=""
	for n in $names; do grep -qF -- " $n" list.txt && sel="$sel $n"; done
	printf '%s\n' $sel "" | "$GMX" -quiet energy -f "$m.edr" -o e.xvg > /dev/null 2>&1
	g=$(grep -v '^[#@]' e.xvg | head -1)
	gval() { # term name -> value (0 when GROMACS has no such term)
		local i=2
		for n in $sel; do [ "$n" = "$1" ] && { echo "$g" | awk -v c=$i '{print $c}'; return; }; i=$((i+1)); done
		echo 0
	}
	md-run --data "$data" --kspace none --cutoff 12 --special-lj 0,0,0.5 \
		--special-coul 0,0,0.5 --steps 0 --threads 1 -q > mr.txt 2>/dev/null
	row=$(grep -v '^#' mr.txt)
	mv() { echo "$row" | awk -v c="$1" '{printf "%.12g", $c * 4.184}'; }
	cmp_term() { # what got want
		if awk -v g="$2" -v w="$3" 'BEGIN{d=g-w; if(d<0)d=-d; a=w<0?-w:w; exit !(d<=1e-6*a || d<1e-6)}'; then
			ok "$m: $1 equals GROMACS ($2 ~ $3 kJ/mol)"
		else notok "$m: $1 equals GROMACS (md-run $2, GROMACS $3 kJ/mol)"; fi
	}
	cmp_term ebond "$(mv 13)" "$(gval Bond)"
	cmp_term eangle "$(mv 14)" "$(gval Angle)"
	cmp_term edihed "$(mv 15)" "$(gval Ryckaert-Bell.)"
	cmp_term eimp "$(mv 16)" "$(gval Per.-Imp.-Dih.)"
	cmp_term evdwl "$(mv 10)" "$(awk -v a="$(gval LJ-14)" -v b="$(gval 'LJ-(SR)')" 'BEGIN{printf "%.12g", a+b}')"
	cmp_term ecoul "$(mv 11)" "$(awk -v a="$(gval Coulomb-14)" -v b="$(gval 'Coulomb-(SR)')" 'BEGIN{printf "%.12g", a+b}')"
done
finish
