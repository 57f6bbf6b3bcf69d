# soret-fit against an independent numpy/scipy fit (soret_check.py) of the
# same profiles: both windows (B through the periodic boundary), S_T, its
# errors, dT/dz, R^2, slab counts, for the measured and the linear-T
# option, weighted (c_err, T_err; chi^2 above and below n - 2) and
# unweighted fits. Tolerance 1e-8 relative: inputs and outputs carry 10
# significant digits (<= 5e-10 each); the mean of the two windows may lose
# a digit. Shown to fail on a fit table perturbed by 1e-7 and on the other
# temperature option.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
UNIT=${UNIT:-$TOP/build/tests}
PY=/usr/bin/python3
CHK="$TOP/tests/cli/soret_check.py"
W="--cold 10.5:14.5 --hot 35.5:39.5"
check() { # what args...
	local what=$1; shift
	$PY "$CHK" "$@" >chk.out 2>chk.err
	if [ -s chk.out ] && ! grep -qv '^ok ' chk.out; then
		ok "$what ($(awk '{for (i = 1; i < NF; i++) if ($i == "diff" && $(i+1) > m) m = $(i+1)} END {print "max rel diff " m+0}' chk.out))"
	else
		notok "$what: $(grep -v '^ok ' chk.out chk.err | head -3 | tr '\n' ' ')"
	fi
}
refuse() {
	local what=$1; shift
	$PY "$CHK" "$@" >chk.out 2>&1
	grep -q '^not ok ' chk.out && ok "$what" || notok "$what (the check passed)"
}

# noisy synthetic profiles (awk's seeded rand): T linear 270..330 plus
# noise, c = 0.1 exp(-0.0075 (T - 300)) times noise; T_err/c_err columns
# given at NOISE x the true scatter (2: chi^2 < n - 2, 0.5: above it, so
# the errors are inflated), or 0 (unweighted fits).
synth() { # seed errscale
	awk -v seed="$1" -v es="$2" 'BEGIN {
		srand(seed)
		print "# tool: synth"; print "# units: real"; print "# axis_lo: 0"; print "# axis_len: 50"
		print "# bin z[A] T[K] T_err[K] c[mol/kg] c_err[mol/kg]"
		for (k = 0; k < 50; k++) {
			z = k + 0.5; d = z - 12.5; if (d < 0) d = -d; if (d > 25) d = 50 - d
			T = 270 + 60 * d / 25 + 1.5 * (rand() - 0.5)
			c = 0.1 * exp(-0.0075 * (T - 300)) * (1 + 0.04 * (rand() - 0.5))
			printf "%d %.10g %.10g %.10g %.10g %.10g\n", k, z, T, es * 0.43, c, es * 0.0115 * c
		}
	}'
}
synth 1 2 >w2.txt; synth 2 0.5 >w05.txt; synth 3 0 >w0.txt
for tm in measured linear; do
	expect_ok "synthetic profiles, T $tm" soret-fit $W --margin 1 --temperature $tm -q \
		-o s-$tm.txt w2.txt w05.txt w0.txt
	check "synthetic, T $tm: every column equals numpy/scipy" s-$tm.txt 10.5:14.5 35.5:39.5 1 $tm w2.txt w05.txt w0.txt
done
awk '$1 == "w05.txt" {$3 = sprintf("%.10g", $3 * (1 + 1e-7))} {print}' s-measured.txt >bad.txt
refuse "the check sees S_T_err off by 1e-7" bad.txt 10.5:14.5 35.5:39.5 1 measured w2.txt w05.txt w0.txt
refuse "the check tells the two T options apart" s-linear.txt 10.5:14.5 35.5:39.5 1 measured w2.txt w05.txt w0.txt

# the man page pipeline: profile-bin profiles of test_profile's trajectories
if "$UNIT/test_profile" --write-fixture . 2>"$T/err"; then
	for r in prod prod2 prod3; do
		profile-bin --units lj --data mix.data --solute 2 --solvent 1 \
			--bins 50 $r.nc -o $r.txt -q || notok "profile of $r.nc"
	done
	for tm in measured linear; do
		expect_ok "fixture profiles, T $tm" soret-fit --units lj $W --margin 2 \
			--temperature $tm -q -o f-$tm.txt prod.txt prod2.txt prod3.txt
		check "fixture, T $tm: every column equals numpy/scipy" f-$tm.txt \
			10.5:14.5 35.5:39.5 2 $tm prod.txt prod2.txt prod3.txt
	done
else
	notok "write the fixture ($(head -c 300 "$T/err"))"
fi
finish
