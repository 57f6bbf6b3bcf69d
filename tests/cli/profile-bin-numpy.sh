# profile-bin against an independent numpy recomputation (profile_check.py,
# netCDF4 + the data file) of every column: slab temperatures with the slab
# COM velocity removed and D N - 3 degrees of freedom, densities, solute
# concentrations (molecules binned by COM), block errors, slab centres.
# Tolerance 1e-9 relative: the table prints 10 significant digits (half an
# ulp of the last digit is <= 5e-10) and both sides sum the same float
# trajectory in double. The check is shown to fail on a table perturbed by
# 1e-8 and on a wrong number of degrees of freedom.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
PY=/usr/bin/python3
CHK="$TOP/tests/cli/profile_check.py"
check() { # what args... : every line of profile_check.py must be "ok"
	local what=$1; shift
	$PY "$CHK" "$@" >chk.out 2>chk.err
	if [ -s chk.out ] && ! grep -qv '^ok ' chk.out; then
		ok "$what ($(awk '{sub(/.*max rel diff /, ""); sub(/ \(.*/, ""); if ($1 > m) m = $1} END {print "max rel diff " m+0}' chk.out))"
	else
		notok "$what: $(grep -v '^ok ' chk.out chk.err | head -3 | tr '\n' ' ')"
	fi
}
refuse() { # what args... : the check must find a difference
	local what=$1; shift
	$PY "$CHK" "$@" >chk.out 2>&1
	grep -q '^not ok ' chk.out && ok "$what" || notok "$what (the check passed)"
}

# md-run LJ mixture (atomic), 11 frames, solute mole fraction
if box-init --box 7.65,7.65,50 --count 2048,80 --lattice -o md.data --seed 1 2>/dev/null &&
	md-run --units lj --data md.data --temp 1 --steps 100 --dump 10 --threads 1 \
		-o md.nc -q >/dev/null 2>&1; then
	expect_ok "profile of an md-run trajectory" profile-bin --units lj --data md.data \
		--solute 2 --solvent 1 --bins 10 --blocks 3 md.nc -o md.txt
	check "lj md-run, molefrac: every column equals numpy" md.data md.nc md.txt lj z 10 3 3 2 1 molefrac
	expect_ok "density along x" profile-bin --units lj --data md.data \
		--solute 2 --conc density --axis x --bins 3 --blocks 2 md.nc -o mdx.txt
	check "lj md-run, density along x equals numpy" md.data md.nc mdx.txt lj x 3 2 3 2 - density
	awk '!/^#/ && $1 == 4 {$3 = sprintf("%.10g", $3 * (1 + 1e-8))} {print}' md.txt >bad.txt
	refuse "the check sees T off by 1e-8" md.data md.nc bad.txt lj z 10 3 3 2 1 molefrac
	refuse "the check sees 2 degrees of freedom per atom instead of 3" md.data md.nc md.txt lj z 10 3 2 2 1 molefrac
else
	notok "box-init + md-run to make a trajectory"
fi

# Molecules, real units: the OPLS/SPC/E mixture of tests/fixtures/molecular,
# 12 synthetic frames (molecules straddling the faces, drifting slabs, box
# lengths varying by 1%); solutes are the four non-water molecules.
M=$FIX/molecular/mix.data
S=$(seq -s, 3 28)
if $PY "$CHK" --make-traj "$M" mol.nc 12 3 2>"$T/err"; then
	for c in molality molefrac density; do
		expect_ok "molecular $c" profile-bin --data "$M" --solute "$S" --solvent 1,2 \
			--conc $c --bins 4 --blocks 4 mol.nc -o mol-$c.txt -q
		check "real units, molecules, $c: every column equals numpy" \
			"$M" mol.nc mol-$c.txt real z 4 4 3 "$S" 1,2 $c
	done
	refuse "the check sees molality counting only methanol" "$M" mol.nc mol-molality.txt real z 4 4 3 3,4,5,6 1,2 molality
else
	notok "synthetic molecular trajectory ($(head -c 300 "$T/err"))"
fi
finish
