# CLI tests of the force-field templates share/ff/*.data: net charge 0,
# mass of the molecular formula, bond lengths within 5e-3 A of r0 and
# angles within 3 degrees of theta0 (the geometry is the minimum of the
# bonded terms alone: angles cannot all sit at theta0 where a centre's
# theta0 are not mutually consistent, e.g. a methyl's HCH 107.8 with HCO
# 109.5 (0.83 deg off), and glucose's ring torsions pull its bonds and
# angles, worst 2.6e-3 A and 2.65 deg), every bonded type with
# coefficients (tests/cli/ff_check.py), and LAMMPS reads each file and
# gives, with pair lj/cut/coul/cut 12 in the 30 A box and special_bonds
# lj/coul 0 0 0.5, the same energy terms as md-run --kspace none --steps 0.
. "$TOP/tests/cli/lib.sh"
FF=$TOP/share/ff
export OMP_NUM_THREADS=1
for spec in spce:H2O tip4p2005:H2O methanol:CH4O urea:CH4N2O glucose:C6H12O6 tmao:C3H9NO; do
	m=${spec%%:*} formula=${spec#*:}
	python3 "$TOP/tests/cli/ff_check.py" "$FF/$m.data" "$formula" 5e-3 3 > chk.out
	cat chk.out; fails=$((fails + $(grep -c '^not ok' chk.out)))
	expect_grep "$m: header cites the model" '^# Model: ' "$FF/$m.data"
	expect_grep "$m: header states the mixing and special bonds" 'special_bonds lj/coul 0.0 0.0 0.5' "$FF/$m.data"

	# LAMMPS run 0 with the study's pair and special settings
	dih=none imp=none
	grep -q '^Dihedral Coeffs # multi/harmonic' "$FF/$m.data" && dih=multi/harmonic
	grep -q '^Improper Coeffs # cvff' "$FF/$m.data" && imp=cvff
	cat > in.lmp <<EOF
units real
atom_style full
pair_style lj/cut/coul/cut 12.0
pair_modify mix geometric
bond_style harmonic
angle_style harmonic
$( [ $dih != none ] && echo "dihedral_style $dih" )
$( [ $imp != none ] && echo "improper_style $imp" )
read_data $FF/$m.data
special_bonds lj/coul 0.0 0.0 0.5
thermo_style custom step pe evdwl ecoul ebond eangle edihed eimp
thermo_modify norm no format float %20.15g
run 0
EOF
	if lmp -in in.lmp -log none > lmp.out 2>&1; then
		ok "$m: LAMMPS reads the template and runs 0"
	else
		notok "$m: LAMMPS reads the template ($(grep ERROR lmp.out | head -1))"; continue
	fi
	ref=$(awk '/^ *Step +PotEng/{getline; print; exit}' lmp.out)
	expect_ok "$m: md-run --kspace none --steps 0" md-run --data "$FF/$m.data" \
		--kspace none --cutoff 12 --special-lj 0,0,0.5 --special-coul 0,0,0.5 --steps 0 --threads 1 -q
	row=$(grep -v '^#' "$T/out")
	# md-run columns: pe 4, evdwl 10, ecoul 11, ebond 13, eangle 14, edihed 15, eimp 16
	for k in "pe 4 2" "evdwl 10 3" "ecoul 11 4" "ebond 13 5" "eangle 14 6" "edihed 15 7" "eimp 16 8"; do
		set -- $k
		got=$(echo "$row" | awk -v c="$2" '{print $c}')
		want=$(echo "$ref" | awk -v c="$3" '{print $c}')
		# terms that are zero to round-off compare absolutely (1e-9 kcal/mol)
		if awk -v g="$got" -v w="$want" 'BEGIN{d=g-w; if(d<0)d=-d; a=w<0?-w:w; exit !(d<=1e-9*a || d<1e-9)}'; then
			ok "$m: $1 equals LAMMPS ($got ~ $want)"
		else notok "$m: $1 equals LAMMPS (got $got want $want)"; fi
	done
done
# share/ff/README.md says to regenerate by running share/ff/gen-templates.py
[ -x "$FF/gen-templates.py" ] && ok "gen-templates.py is executable, as README.md runs it" ||
	notok "gen-templates.py is not executable (README.md runs it as a command)"
# the generator's output is what is committed (only when the GROMACS tables
# and lmp are here to regenerate it)
if [ -d /usr/share/gromacs/top/oplsaa.ff ]; then
	mkdir gen
	if python3 "$FF/gen-templates.py" gen > gen.out 2>&1; then
		same=1
		for f in "$FF"/*.data; do cmp -s "$f" "gen/$(basename "$f")" || { same=0; echo "# differs: $(basename "$f")"; }; done
		[ $same = 1 ] && ok "gen-templates.py reproduces share/ff/*.data" || notok "gen-templates.py reproduces share/ff/*.data"
	else notok "gen-templates.py runs ($(tail -1 gen.out))"; fi
fi
finish
