# CLI tests of soret-fit: exact synthetic profiles written with awk, the
# man page pipeline on the synthetic trajectories of test_profile
# (S_T* = 2 by construction), malformed tables and refusals.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
UNIT=${UNIT:-$TOP/build/tests}

std_cli soret-fit
# every long option of --help is documented in the man page
man_lists_help soret-fit

# synth S TC TH [c at slab k = value]: 50 slabs of 1 in a 50 box, T linear
# from TC at z = 12.5 to TH at z = 37.5 and back, c = 0.1 exp(-S (T - 300)),
# c_err = 1% of c, T_err 0.5. Written to stdout at full precision.
synth() {
	awk -v S="$1" -v tc="$2" -v th="$3" -v zero="${4:--1}" -v u="${5:-real}" 'BEGIN {
		print "# tool: synth"; print "# units: " u
		print "# bin z[A] T[K] T_err[K] c[mol/kg] c_err[mol/kg]"
		for (k = 0; k < 50; k++) {
			z = k + 0.5; d = z - 12.5; if (d < 0) d = -d; if (d > 25) d = 50 - d
			T = tc + (th - tc) * d / 25; c = 0.1 * exp(-S * (T - 300))
			if (k == zero) c = 0
			printf "%d %.17g %.17g 0.5 %.17g %.17g\n", k, z, T, c, 0.01 * c
		}
	}'
}
col() { # file row-name column-name : the value
	awk -v r="$2" -v c="$3" '/^# replica/ {for (i = 2; i <= NF; i++) {
		n = $i; sub(/\[.*/, "", n); idx[n] = i - 1}}
		!/^#/ && $1 == r {print $(idx[c] - 0); exit}' "$1"
}
W="--cold 10.5:14.5 --hot 35.5:39.5"
synth 0.0075 270 330 >a.txt
synth 0.0075 270 330 >b.txt
synth -0.0076 270 330 >neg.txt

expect_ok "fit of an exact profile" soret-fit $W --margin 1 -o fit.txt a.txt
expect_close "S_T = 7.5e-3 1/K" "$(col fit.txt a.txt S_T)" 0.0075 1e-8
expect_close "window A" "$(col fit.txt a.txt S_T_A)" 0.0075 1e-8
expect_close "window B (through the boundary)" "$(col fit.txt a.txt S_T_B)" 0.0075 1e-8
expect_close "dT/dz in A" "$(col fit.txt a.txt dTdz_A)" 2.4 1e-8
expect_close "dT/dz in B" "$(col fit.txt a.txt dTdz_B)" -2.4 1e-8
expect_close "18 slabs in B" "$(col fit.txt a.txt nslab_B)" 18 0
expect_grep "unit of S_T" '^# replica S_T\[1/K\] S_T_err\[1/K\] S_T_A\[1/K\]' fit.txt
expect_grep "summary rows" '^mean ' fit.txt
expect_grep "std row" '^std ' fit.txt
expect_grep "sem row" '^sem ' fit.txt
expect_ok "negative S_T" soret-fit $W neg.txt
expect_close "S_T = -7.6e-3" "$(col "$T/out" neg.txt S_T)" -0.0076 1e-8
expect_ok "stdin with -" sh -c "soret-fit $W - <a.txt"
expect_close "S_T from stdin" "$(col "$T/out" - S_T)" 0.0075 1e-8
expect_ok "stdin without arguments" sh -c "soret-fit $W <a.txt"
expect_ok "two replicas" soret-fit $W a.txt b.txt -o two.txt
expect_close "mean of identical replicas" "$(col two.txt mean S_T)" 0.0075 1e-8
expect_close "their std is 0" "$(col two.txt std S_T)" 0 0
# the same without c_err: unweighted, with a note
awk '!/^#/ {$6 = 0} {print}' a.txt >noerr.txt
expect_ok "c_err 0: unweighted" soret-fit $W noerr.txt
expect_grep "unweighted: a note on stderr" 'unweighted' "$T/err"
expect_ok "-q silences notes" soret-fit -q $W noerr.txt
[ ! -s "$T/err" ] && ok "-q: nothing on stderr" || notok "-q: stderr $(head -c 200 "$T/err")"

# The man page pipeline: S_T* = 2 by construction. Three replicas with T
# from the linear fit (the slab T noise would bias the measured-T fit low,
# see the man page); mean within 3 standard errors of 2.
if "$UNIT/test_profile" --write-fixture . 2>"$T/err"; then
	for r in prod prod2 prod3; do
		profile-bin --units lj --data mix.data --solute 2 --solvent 1 \
			--bins 50 $r.nc -o $r.txt 2>/dev/null || notok "profile of $r.nc"
	done
	expect_ok "man page example" soret-fit --units lj $W --margin 1 prod.txt
	expect_ok "three replicas, lj, eps/kB" soret-fit --units lj $W --margin 1 \
		--temperature linear --eps-kb 119.8 -o lj.txt prod.txt prod2.txt prod3.txt
	m=$(col lj.txt mean S_T) s=$(col lj.txt sem S_T)
	awk -v m="$m" -v s="$s" 'BEGIN {d = m - 2; if (d < 0) d = -d; exit !(s > 0 && d < 3 * s)}' &&
		ok "S_T* = $m +- $s (sem) agrees with 2" || notok "S_T* = $m +- $s, want 2"
	expect_grep "reduced unit" '^# replica S_T\[1/T\*\]' lj.txt
	expect_close "S_T in 1/K = S_T*/(eps/kB)" "$(col lj.txt prod2.txt S_T_K)" \
		"$(awk -v x="$(col lj.txt prod2.txt S_T)" 'BEGIN {printf "%.10g", x / 119.8}')" 1e-8
	rm -f out.txt
	expect_exit 1 "profile in lj units, --units real" soret-fit $W -o out.txt prod.txt
	expect_absent "units mismatch: no output" out.txt
else
	notok "write the fixture ($(head -c 300 "$T/err"))"
fi

# Data errors: exit 1, one line, no output left behind
run1() {
	rm -f out.txt
	expect_exit 1 "$@"
	expect_absent "$1: no output" out.txt
}
F="soret-fit $W -o out.txt"
awk 'NR == 10 {$0 = $0 " 7"} {print}' a.txt >ragged.txt
sed 's/ c_err\[mol\/kg\]//; s/^# bin z\[A\] T\[K\] T_err\[K\] c\[mol\/kg\]/# bin z[A] T[K] T_err[K] conc[mol\/kg]/' a.txt | awk '!/^#/ {NF = 5} {print}' >noc.txt
awk 'NR == 20 {$3 = "warm"} {print}' a.txt >text.txt
synth 0.0075 270 330 20 >zero.txt
synth 0.0075 300 300 >flat.txt
: >empty.txt
run1 "ragged row" $F ragged.txt
expect_grep "ragged: file and line" 'ragged\.txt:10' "$T/err"
run1 "missing column c" $F noc.txt
expect_grep "missing column: named" "'c'" "$T/err"
run1 "non-number" $F text.txt
expect_grep "non-number: file and line" 'text\.txt:20' "$T/err"
run1 "empty table" $F empty.txt
run1 "--box that does not hold the slabs" $F --box 0:40 a.txt
expect_grep "box: file, line and z named" "a\.txt:44: z = 40\.5 is outside the box 0:40" "$T/err"
expect_ok "--box of the profile's box" soret-fit $W --box 0:50 a.txt
expect_close "S_T with --box 0:50" "$(col "$T/out" a.txt S_T)" 0.0075 1e-8
run1 "missing file" $F nosuch.txt
run1 "c = 0 in a fitted slab" $F zero.txt
expect_grep "c = 0: line and slab" 'zero\.txt:24: c = 0 in slab z = 20\.5' "$T/err"
run1 "no temperature gradient" $F flat.txt
expect_grep "no gradient: said" 'no temperature gradient' "$T/err"
run1 "too few slabs" soret-fit --cold 10.5:14.5 --hot 16.5:20.5 -o out.txt a.txt
expect_grep "too few slabs: said" 'window A .* holds 1 slabs' "$T/err"
run1 "overlapping slabs" soret-fit --cold 10.5:14.5 --hot 12.5:16.5 -o out.txt a.txt
run1 "margin empties a window" $F --margin 11 a.txt
run1 "one good, one bad replica" $F a.txt zero.txt

# Usage errors: exit 2
run2() {
	rm -f out.txt
	expect_exit 2 "$@"
	expect_absent "$1: no output" out.txt
}
run2 "--cold missing" soret-fit --hot 35.5:39.5 -o out.txt a.txt
run2 "--hot missing" soret-fit --cold 10.5:14.5 -o out.txt a.txt
run2 "--cold reversed" soret-fit --cold 14.5:10.5 --hot 35.5:39.5 -o out.txt a.txt
run2 "--cold not a range" soret-fit --cold 10.5 --hot 35.5:39.5 -o out.txt a.txt
run2 "--margin negative" $F --margin -1 a.txt
run2 "--margin not a number" $F --margin 1x a.txt
run2 "--eps-kb with real units" $F --eps-kb 119.8 a.txt
run2 "--eps-kb zero" $F --units lj --eps-kb 0 a.txt
run2 "--units bogus" $F --units si a.txt
run2 "--min-slabs 2" $F --min-slabs 2 a.txt
run2 "--temperature bogus" $F --temperature fitted a.txt
run2 "stdin twice" $F - - <a.txt
finish
