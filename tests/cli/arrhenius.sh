# CLI tests of arrhenius: the man page examples (run as written), exact
# recovery of Ea, the model predictions against numbers worked by hand, the
# dG sign convention, and bad input.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
MAN=$TOP/man/man1/arrhenius.1

std_cli arrhenius
man_lists_help arrhenius

# The EXAMPLES of the man page, as written (roff escapes undone)
sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$MAN" |
	awk '/^\.EX/ {on = 1; next} /^\.EE/ {on = 0} on' |
	sed -e 's/\\-/-/g' -e 's/\\e/\\/g' >example.sh
expect_ok "man page examples run" bash -e example.sh
expect_grep "the example prints S_T_eq2" '^S_T_eq2 urea ' "$T/out"
# The example table was made with Ea = 4.2 (water), 4.9 (urea) kcal/mol and
# D rounded to 5 digits: Ea to ~1e-3 relative.
ea_w=$(awk '$1 == "Ea" && $2 == "water" && $5 == "kcal/mol" {print $3}' ea.txt)
ea_u=$(awk '$1 == "Ea" && $2 == "urea" && $5 == "kcal/mol" {print $3}' ea.txt)
expect_close "Ea of water" "$ea_w" 4.2 1e-3
expect_close "Ea of urea" "$ea_u" 4.9 1e-3
kj=$(awk '$1 == "Ea" && $2 == "water" && $5 == "kJ/mol" {print $3}' ea.txt)
expect_close "Ea in kJ/mol = 4.184 x kcal/mol" "$kj" "$(awk -v e="$ea_w" 'BEGIN{printf "%.12g", 4.184 * e}')" 1e-9
# Eq. 2 from the fitted Ea: (Ea_u - Ea_w)/(R 330^2)
st2=$(awk '$1 == "S_T_eq2" {print $3}' ea.txt)
expect_close "Eq. 2 = (Ea_u - Ea_w)/(R T^2)" "$st2" \
	"$(awk -v a="$ea_u" -v b="$ea_w" 'BEGIN{printf "%.12g", (a - b)/(0.0019872067 * 330 * 330)}')" 1e-8
st4=$(awk '$1 == "S_T_eq4" {print $3}' ea.txt)
expect_close "Eq. 4 with the masses" "$st4" \
	"$(awk -v a="$ea_u" -v b="$ea_w" 'BEGIN{mu = (60.06 - 18.015)/(60.06 + 18.015); printf "%.12g", ((a - b) + mu * (a + b))/(0.0019872067 * 330 * 330)}')" 1e-8
expect_grep "weighted fit: reduced chi-square" '^chi2_red water ' ea.txt
for key in tool version command units R fit temp eq2 eq4 rows; do
	expect_grep "provenance '$key'" "^# $key: " ea.txt
done
expect_grep "header" '^# quantity key value err unit$' ea.txt
# Eastman: the example's desolvation free energies rise with T (slope about
# 0.0232 kcal/mol/K), so the solvation free energy falls: S_T < 0.
s1=$(awk '$1 == "S_T_eq1" {print $3}' eastman.txt)
g=$(awk '$1 == "dGdT" {print $3}' eastman.txt)
awk -v g="$g" 'BEGIN{exit !(g < -0.02 && g > -0.03)}' && ok "dG_solv/dT = -slope of dG_desolv ($g)" ||
	notok "dG_solv/dT ($g)"
expect_close "Eq. 1 = dG/dT/(kB T)" "$s1" "$(awk -v g="$g" 'BEGIN{printf "%.12g", g/(0.0019872067 * 330)}')" 1e-8
expect_grep "eq1 provenance names the convention" '^# eq1: S_T = \(1/kB T\) dG/dT, G = solvation' eastman.txt
# the same numbers as solvation free energies: the sign flips
expect_ok "--dg-kind solvation" arrhenius --dg dg.txt --dg-kind solvation --dg-err-col err --temp 330 -o solv.txt
s1b=$(awk '$1 == "S_T_eq1" {print $3}' solv.txt)
[ "-$s1b" = "$s1" ] && ok "solvation = -desolvation ($s1b)" ||
	notok "solvation = -desolvation ($s1b, $s1)"
# kT units: dG[kT] x kB T gives the same energies
awk '/^#/ && !/^# T/ {next} /^# T/ {print "# T[K] dG[kT] err[kT]"; next}
	{printf "%s %.17g %.17g\n", $1, $2/(0.0019872067*$1), $3/(0.0019872067*$1)}' dg.txt >dgkt.txt
expect_ok "dG in kT" arrhenius --dg dgkt.txt --dg-kind desolvation --dg-err-col err --temp 330 -o kt.txt
s1c=$(awk '$1 == "S_T_eq1" {print $3}' kt.txt)
expect_close "kT column converted by kB T per row" "$s1c" "$s1" 1e-9

# Exact synthetic data, lj units, no errors, from stdin, one species
awk 'BEGIN{print "# T D"; for (T = 0.9; T < 1.15; T += 0.1) printf "%.1f %.17g\n", T, 0.3*exp(-1.7/T)}' >lj.txt
expect_ok "lj, stdin" sh -c 'arrhenius --units lj <lj.txt'
ea=$(awk '$1 == "Ea" {print $3}' "$T/out")
expect_close "exact Ea = 1.7 eps" "$ea" 1.7 1e-9
expect_grep "lj energy unit" '^Ea all [0-9.e+-]+ [0-9.e+-]+ eps$' "$T/out"
head -3 lj.txt >lj2.txt
expect_ok "two temperatures" arrhenius --units lj -o two.txt lj2.txt
expect_grep "2 temperatures: Ea error nan" '^Ea all [0-9.e+-]+ nan eps$' two.txt
expect_grep "2 temperatures: a note" 'no error estimate' "$T/err"

# Bad input: exit 1, one line, no output left behind
run1() { rm -f out.txt; expect_exit 1 "$@"; expect_absent "$1: no output" out.txt; }
printf '# T D\n300 1e-4\n300 2e-4\n' >onet.txt
printf '# T D\n300 1e-4\n330 -2e-4\n360 3e-4\n' >neg.txt
printf '# T D\n300 1e-4\n330 0\n360 3e-4\n' >zero.txt
printf '# T Diff\n300 1e-4\n330 2e-4\n' >nocol.txt
printf '# T D\n300 1e-4\n330 abc\n' >text.txt
run1 "one temperature" arrhenius -o out.txt onet.txt
run1 "negative D" arrhenius -o out.txt neg.txt
expect_grep "negative D: file and line" 'neg.txt:3: D = -0.0002' "$T/err"
run1 "zero D" arrhenius -o out.txt zero.txt
run1 "missing D column" arrhenius -o out.txt nocol.txt
run1 "missing error column" arrhenius --err-col D_err -o out.txt lj.txt
run1 "missing key column" arrhenius --key species -o out.txt lj.txt
run1 "text in D" arrhenius -o out.txt text.txt
run1 "solute key without rows" arrhenius --key species --temp 330 --solute glucose --solvent water -o out.txt d.txt
run1 "missing dG column" arrhenius --dg lj.txt --dg-kind solvation --temp 1 -o out.txt
run1 "missing file" arrhenius -o out.txt nope.txt
# LJ data without --units lj: R in kcal/mol/K applied to reduced T
printf '# T[eps/kB] D[sigma^2/tau]\n0.9 0.05\n1.0 0.06\n1.1 0.07\n' >ljunits.txt
run1 "T in eps/kB, --units real" arrhenius -o out.txt ljunits.txt
expect_grep "the message names the unit" 'column T is in eps/kB; --units real expects K' "$T/err"
printf '# T[eps/kB] dG[kT]\n0.9 1\n1.0 2\n1.1 3\n' >ljdg.txt
run1 "--dg T in eps/kB, --units real" arrhenius --dg ljdg.txt --dg-kind solvation --temp 1 -o out.txt
expect_ok "T in eps/kB, --units lj" arrhenius --units lj ljunits.txt
expect_exit 2 "--dg without --dg-kind" arrhenius --dg dg.txt --temp 330
expect_exit 2 "models without --temp" arrhenius --key species --solute urea --solvent water d.txt
expect_exit 2 "--solute without --key" arrhenius --temp 330 --solute urea --solvent water d.txt
expect_exit 2 "--solute without --solvent" arrhenius --key species --temp 330 --solute urea d.txt
expect_exit 2 "one mass only" arrhenius --key species --temp 330 --solute urea --solvent water --mass-solute 60 d.txt
expect_exit 2 "negative --temp" arrhenius --temp -3 d.txt
expect_exit 2 "bad --dg-kind" arrhenius --dg dg.txt --dg-kind free --temp 330
finish
