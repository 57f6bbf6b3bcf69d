# arrhenius against an independent numpy/scipy computation
# (arrhenius_check.py) on noisy data: Ea (kcal/mol, kJ/mol), ln D0, their
# errors and chi2_red for the weighted fit (numpy.polyfit, unscaled
# covariance) and the ordinary one (scipy.stats.linregress), the paper's
# Eq. 2 and Eq. 4 with errors by numerical derivatives, and Eq. 1 from a
# dG(T) table in kJ/mol as desolvation and as solvation free energies.
# Tolerance 1e-8 relative: inputs and outputs carry 10 significant digits.
# Shown to fail on an Ea error perturbed by 1e-7 and on the other fit kind.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
PY=/usr/bin/python3
CHK="$TOP/tests/cli/arrhenius_check.py"
check() { # what args...
	local what=$1; shift
	$PY "$CHK" check "$@" >chk.out 2>chk.err
	if [ -s chk.out ] && ! grep -qv '^ok ' chk.out; then
		ok "$what ($(sed 's/.*: max/max/; s/ (.*//' chk.out))"
	else
		notok "$what: $(cat chk.out chk.err | head -3 | tr '\n' ' ')"
	fi
}
refuse() {
	local what=$1; shift
	$PY "$CHK" check "$@" >chk.out 2>&1
	grep -q '^not ok ' chk.out && ok "$what" || notok "$what (the check passed)"
}
M="--temp 330 --solute urea --solvent water --mass-solute 60.06 --mass-solvent 18.015"
for seed in 4 5; do
	$PY "$CHK" gen d$seed.txt g$seed.txt $seed || notok "generate data (seed $seed)"
	expect_ok "weighted, desolvation (seed $seed)" arrhenius --key species --err-col D_err $M \
		--dg g$seed.txt --dg-kind desolvation --dg-err-col err -o w$seed.txt d$seed.txt
	check "weighted, desolvation (seed $seed): every row equals numpy/scipy" \
		w$seed.txt d$seed.txt g$seed.txt 330 60.06 18.015 1 desolvation
	expect_ok "unweighted, solvation (seed $seed)" arrhenius -q --key species $M \
		--dg g$seed.txt --dg-kind solvation --dg-err-col err -o u$seed.txt d$seed.txt
	check "unweighted, solvation (seed $seed): every row equals numpy/scipy" \
		u$seed.txt d$seed.txt g$seed.txt 330 60.06 18.015 0 solvation
done
awk '$1 == "Ea" && $2 == "urea" && $5 == "kcal/mol" {$4 = sprintf("%.10g", $4 * (1 + 1e-7))} {print}' w4.txt >bad.txt
refuse "the check sees an Ea error off by 1e-7" bad.txt d4.txt g4.txt 330 60.06 18.015 1 desolvation
refuse "the check tells weighted from ordinary fits" u4.txt d4.txt g4.txt 330 60.06 18.015 1 solvation
refuse "the check tells solvation from desolvation" w4.txt d4.txt g4.txt 330 60.06 18.015 1 solvation
finish
