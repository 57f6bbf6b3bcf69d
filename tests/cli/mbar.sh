# CLI tests of mbar: windows of a harmonic-oscillator path written by
# test_mbar --write-windows (exact dG known), the man page examples,
# options, malformed windows (exit 1, one line, no output), usage errors
# (exit 2), and the cross-check against pymbar (/usr/bin/python3, Debian
# python3-pymbar) on the same u_kn.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
UNIT=${UNIT:-$TOP/build/tests}
PY=/usr/bin/python3

std_cli mbar
# every long option of --help is documented in the man page
man_lists_help mbar

col() { # file method column(2 = dG[kT], 3 = err[kT], 4, 5 energy units)
	awk -v m="$2" -v c="$3" '!/^#/ && $1 == m {print $c; exit}' "$1"
}
# |a - b| <= tol
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(a == a + 0 && d <= t)}'; }
check_near() { # what got want tol
	if near "$2" "$3" "$4"; then ok "$1: $2 vs $3 (within $4)"; else notok "$1: $2 vs $3 (tol $4)"; fi
}

"$UNIT/test_mbar" --write-windows w 5 400 0 1 >/dev/null || notok "generator"
exact=$(cat w/exact.txt)

# ---- results table -------------------------------------------------
expect_ok "five windows" mbar -o res.txt w/win_*.txt
expect_grep "header names methods and kT" '^# method dG\[kT\] err\[kT\]$' res.txt
for m in MBAR BAR TI TI-CUBIC EXP-FWD EXP-BWD; do
	expect_grep "row $m" "^$m [-0-9.e]+ [0-9.e]+$" res.txt
done
expect_grep "sign convention stated" '^# convention: dG = f_4 - f_0, from state 0 \(lambda 0\) to state 4 \(lambda 1\)' res.txt
expect_grep "samples per state" '^# samples: [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$' res.txt
expect_grep "windows in state order" '^# windows: w/win_0.txt w/win_1.txt w/win_2.txt w/win_3.txt w/win_4.txt$' res.txt
for m in MBAR BAR; do
	d=$(col res.txt $m 2) s=$(col res.txt $m 3)
	awk -v d="$d" -v s="$s" -v x="$exact" 'BEGIN {e = d - x; if (e < 0) e = -e; exit !(s > 0 && e < 4 * s)}' &&
		ok "$m $d +- $s within 4 sigma of exact $exact" || notok "$m $d +- $s vs exact $exact"
done
expect_grep "notes on stderr" '^mbar: note: state 0 ' "$T/err"
expect_ok "-q" mbar -q -o res.txt w/win_*.txt
[ ! -s "$T/err" ] && ok "-q: nothing on stderr" || notok "-q: stderr $(head -c 200 "$T/err")"

# file order and stdin do not matter
body() { grep -v -e '^# command:' -e '^# date:' -e '^# windows:' "$1"; }
expect_ok "files in reverse order" mbar -q -o rev.txt w/win_4.txt w/win_3.txt w/win_2.txt w/win_1.txt w/win_0.txt
body res.txt >a.body; body rev.txt >b.body
cmp -s a.body b.body && ok "same table whatever the file order" || notok "file order changes the table"
expect_ok "one window from stdin" sh -c 'cat w/win_2.txt | mbar -q -o pipe.txt w/win_0.txt w/win_1.txt - w/win_3.txt w/win_4.txt'
body pipe.txt >c.body
cmp -s a.body c.body && ok "stdin window: same table" || notok "stdin window changes the table"
# rows of a window shuffled (time kept in order): MBAR with every sample
# sees the same set of samples
for k in 0 1 2 3 4; do
	awk 'BEGIN {n = 0} /^#/ {print; next} {t[n] = $1; $1 = ""; r[n++] = $0}
		END {srand(7); for (i = n - 1; i > 0; i--) {j = int(rand() * (i + 1)); x = r[i]; r[i] = r[j]; r[j] = x}
		for (i = 0; i < n; i++) print t[i] r[i]}' w/win_$k.txt >shuf_$k.txt
done
mbar -q --no-subsample -o ns.txt w/win_*.txt
expect_ok "shuffled samples" mbar -q --no-subsample -o shuf.txt shuf_*.txt
check_near "MBAR unchanged by sample order" "$(col shuf.txt MBAR 2)" "$(col ns.txt MBAR 2)" 1e-9
check_near "MBAR error unchanged by sample order" "$(col shuf.txt MBAR 3)" "$(col ns.txt MBAR 3)" 1e-9
check_near "BAR unchanged by sample order" "$(col shuf.txt BAR 2)" "$(col ns.txt BAR 2)" 1e-9

# ---- options -------------------------------------------------------
expect_ok "--temp 300 --units real" mbar -q --temp 300 --units real -o kc.txt w/win_*.txt
expect_grep "kcal/mol columns" '^# method dG\[kT\] err\[kT\] dG\[kcal/mol\] err\[kcal/mol\]$' kc.txt
check_near "dG in kcal/mol = dG kB T" "$(col kc.txt MBAR 4)" \
	"$(awk -v d="$(col kc.txt MBAR 2)" 'BEGIN {printf "%.12g", d * 0.0019872067 * 300}')" 1e-8
expect_ok "--temp 1.2 --units lj" mbar -q --temp 1.2 --units lj -o lj.txt w/win_*.txt
expect_grep "eps columns" 'dG\[eps\] err\[eps\]$' lj.txt
check_near "dG in eps = 1.2 dG" "$(col lj.txt BAR 4)" "$(awk -v d="$(col lj.txt BAR 2)" 'BEGIN {printf "%.12g", 1.2 * d}')" 1e-8
# temperature and units from the windows' provenance
for k in 0 1 2 3 4; do
	sed 's/^# state:/# temperature: 300\n# units: real\n# state:/' w/win_$k.txt >m_$k.txt
done
expect_ok "temperature and units from the windows" mbar -q -o meta.txt m_*.txt
expect_grep "kcal/mol from metadata" 'dG\[kcal/mol\]' meta.txt
expect_exit 1 "--units contradicting the windows" mbar -q --units lj -o out.txt m_*.txt
expect_absent "contradiction: no output" out.txt
expect_exit 1 "--temp contradicting the windows" mbar -q --temp 310 -o out.txt m_*.txt
expect_ok "--per-state" mbar -q --per-state -o ps.txt w/win_*.txt
for m in MBAR BAR TI TI-CUBIC EXP-FWD EXP-BWD; do
	n=$(grep -c "^$m@[0-4] " ps.txt)
	[ "$n" -eq 5 ] && ok "--per-state: 5 rows $m@k" || notok "--per-state: $n rows $m@k"
done
check_near "$m@4 is the $m row" "$(col ps.txt MBAR@4 2)" "$(col ps.txt MBAR 2)" 0
check_near "MBAR@0 is 0" "$(col ps.txt MBAR@0 2)" 0 0
expect_ok "--overlap" mbar -q --overlap ovl.txt -o /dev/null w/win_*.txt
expect_grep "overlap header" '^# state O_0 O_1 O_2 O_3 O_4$' ovl.txt
awk '!/^#/ {s = 0; for (i = 2; i <= NF; i++) s += $i; d = s - 1; if (d < 0) d = -d; if (d > 1e-8) bad++; n++}
	END {exit !(n == 5 && !bad)}' ovl.txt && ok "overlap rows sum to 1" || notok "overlap rows"
# a results table that cannot be written: the overlap file is not left
# behind either ("nothing is written on failure")
expect_exit 1 "-o in a missing directory" mbar -q --overlap ovl2.txt -o nodir/res.txt w/win_*.txt
expect_absent "-o fails: no overlap file left" ovl2.txt
expect_ok "--tol and --max-iter" mbar -q --tol 1e-12 --max-iter 50 -o /dev/null w/win_*.txt
expect_exit 1 "--max-iter 1: MBAR does not converge" mbar -q --max-iter 1 -o out.txt w/win_*.txt
expect_grep "not converged: said" 'did not converge' "$T/err"
expect_absent "not converged: no output" out.txt

# correlated windows (AR(1) 0.9): g ~ 10 is found and used; equilibration
"$UNIT/test_mbar" --write-windows c 4 3000 0.9 5 >/dev/null
expect_ok "correlated windows" mbar -q -o cor.txt c/win_*.txt
g0=$(awk '/^# g:/ {print $3}' cor.txt)
awk -v g="$g0" 'BEGIN {exit !(g > 5 && g < 20)}' && ok "AR(1) 0.9: g = $g0 (position g = 19, dudl quadratic ~10)" ||
	notok "g = $g0"
expect_ok "--equilibrate" mbar -q --equilibrate -o eq.txt c/win_*.txt
expect_grep "t0 reported" '^# t0: [0-9]+ [0-9]+ [0-9]+ [0-9]+$' eq.txt

# poor overlap: two states far apart warn on stderr
"$UNIT/test_mbar" --write-windows far 2 300 0 3 400 6 >/dev/null
expect_ok "far states still estimated" mbar -q -o far.txt far/win_*.txt
expect_grep "poor overlap warned even with -q" '^mbar: warning: overlap of states 0 and 1 is .* < 0.03' "$T/err"
mbar -q w/win_*.txt >/dev/null 2>good.err
grep -q 'overlap of states' good.err && notok "overlap warning on a good schedule" || ok "no overlap warning on a good schedule"

# a window of one sample: TI's error is nan, and a warning says why
mkdir one && cp w/win_*.txt one/ && awk '/^#/ || !n++' w/win_2.txt >one/win_2.txt
expect_ok "one-sample window estimated" mbar -q --no-subsample -o one.txt one/win_*.txt
expect_grep "one-sample window warned" '^mbar: warning: state 2: one sample used' "$T/err"

# ---- man page examples --------------------------------------------
mkdir ex && cd ex || exit 1
expect_ok "example: write windows" "$UNIT/test_mbar" --write-windows . 5 500
expect_ok "example: per-state and overlap" mbar --no-subsample --per-state --overlap overlap.txt -o dg.txt win_*.txt
expect_ok "example: awk" sh -c "awk '\$1 == \"MBAR\" {print \$2, \$3}' dg.txt | grep -qE '^[-0-9.e]+ [0-9.e]+$'"
expect_ok "example: kcal/mol" mbar --temp 300 --units real win_*.txt
expect_ok "example: pipe" sh -c 'cat win_2.txt | mbar -q win_0.txt win_1.txt - win_3.txt win_4.txt'
cd "$T" || exit 1

# ---- malformed windows: exit 1, one line file:line, no output -------
"$UNIT/test_mbar" --write-windows b 3 20 0 1 >/dev/null
cd b || exit 1
grep '^#' win_1.txt >empty.txt
awk 'NR == 12 {$4 = "nan"} {print}' win_1.txt >nan.txt
awk 'NR == 12 {$3 = "-inf"} {print}' win_1.txt >minf.txt
awk 'NR == 12 {$4 = "inf"} {print}' win_1.txt >owninf.txt
awk 'NR == 12 {$3 = "1.0x"} {print}' win_1.txt >text.txt
sed 's/^# lambdas: .*/# lambdas: 0 0.4 1/' win_1.txt >lam.txt
sed 's/^# state: 1/# state: 0/' win_1.txt >dup.txt
awk 'NR == 13 {$NF = ""} {print}' win_1.txt >ragged.txt
sed 's/u_2\[kT\]/v_2[kT]/' win_1.txt >nou.txt
sed 's/u_2\[kT\]/u_2[kcal\/mol]/' win_1.txt >unit.txt
awk 'NR == 14 {$1 = "3"} {print}' win_1.txt >time.txt
sed '/^# state/d' win_1.txt >nostate.txt
sed 's/^# state: 1/# state: 7/' win_1.txt >range.txt
awk 'NR == 12 {$5 = "inf"} {print}' win_1.txt >otherinf.txt
bad() { # what pattern files...
	local what=$1 pat=$2; shift 2
	rm -f out.txt
	expect_exit 1 "$what" mbar -q -o out.txt "$@"
	[ "$(wc -l <"$T/err")" -eq 1 ] && ok "$what: one line" || notok "$what: $(wc -l <"$T/err") lines"
	expect_grep "$what: says where" "$pat" "$T/err"
	expect_absent "$what: no output file" out.txt
}
bad "empty window" '^mbar: empty\.txt:8: empty window' win_0.txt empty.txt win_2.txt
bad "NaN energy" '^mbar: nan\.txt:12: u_1 is nan' win_0.txt nan.txt win_2.txt
bad "-inf energy" '^mbar: minf\.txt:12: u_0 is -inf' win_0.txt minf.txt win_2.txt
bad "+inf in the own state" '^mbar: owninf\.txt:12: u_1 is \+inf in the frame.s own' win_0.txt owninf.txt win_2.txt
bad "not a number" "^mbar: text\\.txt:12: u_0: '1\\.0x' is not a number" win_0.txt text.txt win_2.txt
bad "mismatched lambda schedules" '^mbar: lam\.txt:7: lambdas differ from win_0\.txt:7' win_0.txt lam.txt win_2.txt
bad "duplicate state" '^mbar: dup\.txt:6: state 0 again \(also win_0\.txt\)' win_0.txt win_1.txt win_2.txt dup.txt
bad "missing state" '^mbar: no window for state 2' win_0.txt win_1.txt
bad "ragged row" '^mbar: ragged\.txt:13: 4 columns, header has 5' win_0.txt ragged.txt win_2.txt
bad "missing u_k column" '^mbar: nou\.txt:8: no column u_2' win_0.txt nou.txt win_2.txt
bad "energies not in kT" '^mbar: unit\.txt:8: column u_2\[kcal/mol\]' win_0.txt unit.txt win_2.txt
bad "time going back" '^mbar: time\.txt:14: time 3 does not increase' win_0.txt time.txt win_2.txt
bad "no state line" "^mbar: nostate\\.txt: no '# state: k' line" win_0.txt nostate.txt win_2.txt
bad "state out of range" '^mbar: range\.txt:6: state 7, but the schedule has 3 states' win_0.txt range.txt win_2.txt
bad "missing file" '^mbar: nosuch\.txt: No such file' win_0.txt nosuch.txt win_2.txt
expect_ok "+inf in another state is allowed" mbar -q -o out.txt win_0.txt otherinf.txt win_2.txt
cd "$T" || exit 1

# ---- usage errors: exit 2 ------------------------------------------
use() {
	rm -f out.txt
	expect_exit 2 "$@"
	expect_absent "$1: no output" out.txt
}
use "--units bogus" mbar --units si -o out.txt w/win_*.txt
use "--temp negative" mbar --temp -3 -o out.txt w/win_*.txt
use "--temp not a number" mbar --temp 300K -o out.txt w/win_*.txt
use "--tol zero" mbar --tol 0 -o out.txt w/win_*.txt
use "--max-iter 0" mbar --max-iter 0 -o out.txt w/win_*.txt
use "stdin twice" mbar -o out.txt - - </dev/null

# ---- TI and TI-CUBIC against numpy / scipy --------------------------
# pymbar has no TI: numpy's trapezoid and scipy's natural cubic spline on
# the states' mean dU/dlambda (every sample), errors from the weights
# each rule gives a state (mbar_ti_check.py); on the uniform schedule and
# on a non-uniform one (the windows' lambdas line rewritten)
if "$PY" -c 'import scipy' 2>/dev/null; then
	mkdir -p nu
	for k in 0 1 2 3 4; do
		sed 's/^# lambdas: .*/# lambdas: 0 0.1 0.3 0.7 1/' w/win_$k.txt >nu/win_$k.txt
	done
	for d in w nu; do
		mbar -q --no-subsample -o ti.txt $d/win_*.txt
		"$PY" "$TOP/tests/cli/mbar_ti_check.py" $d/win_*.txt >tiref.txt
		for m in TI TI-CUBIC; do
			expect_close "$d: $m = numpy/scipy (1e-9 relative)" "$(col ti.txt $m 2)" \
				"$(awk -v m=$m '$1 == m {print $2}' tiref.txt)" 1e-9
			expect_close "$d: $m error = numpy/scipy's" "$(col ti.txt $m 3)" \
				"$(awk -v m=$m '$1 == m {print $3}' tiref.txt)" 1e-9
		done
	done
fi

# ---- cross-check with pymbar ---------------------------------------
# same u_kn (every sample): MBAR dG to 1e-6 kT and its error to 1e-4
# relative; BAR and EXP likewise (printed with 10 digits here). Then the
# whole pipeline on correlated windows: pymbar's statisticalInefficiency,
# subsampleCorrelatedData and detectEquilibration pick the same samples.
if "$PY" -c 'import pymbar' 2>/dev/null; then
	"$UNIT/test_mbar" --write-windows p 6 600 0 11 3 0.8 >/dev/null
	pycheck() { # label "mbar options" "script options" windows...
		local label=$1 mo=$2 po=$3; shift 3
		mbar -q $mo -o ours.txt "$@" || notok "$label: mbar"
		"$PY" "$TOP/tests/cli/mbar_pymbar.py" $po "$@" >ref.txt 2>ref.err ||
			notok "$label: pymbar: $(tail -n 2 ref.err)"
		for m in MBAR BAR EXP-FWD EXP-BWD; do
			ref=$(awk -v m=$m '$1 == m {print $2}' ref.txt)
			refe=$(awk -v m=$m '$1 == m {print $3}' ref.txt)
			check_near "$label: $m = pymbar to 1e-6 kT" "$(col ours.txt $m 2)" "$ref" 1e-6
			expect_close "$label: $m error = pymbar's (1e-4 relative)" "$(col ours.txt $m 3)" "$refe" 1e-4
		done
		a=$(awk '/^# samples:/ {$1 = $2 = ""; print}' ours.txt | xargs)
		b=$(awk '$1 == "samples" {$1 = ""; print}' ref.txt | xargs)
		[ "$a" = "$b" ] && ok "$label: same samples per state as pymbar ($a)" ||
			notok "$label: samples $a, pymbar $b"
		printf '# %s: pymbar %s\n' "$label" "$(tr '\n' ' ' <ref.txt)"
	}
	pycheck "every sample" --no-subsample "" p/win_*.txt
	pycheck "subsampled" "" --subsample c/win_*.txt
	pycheck "equilibrated" --equilibrate "--subsample --equilibrate" c/win_*.txt
	# without dudl the observable is u_{k+1} - u_k: on this linear path
	# that is (dlambda) dudl, so the same g and samples
	for k in 0 1 2 3; do
		awk '/^# time/ {$3 = ""} !/^#/ {$2 = ""} {print}' c/win_$k.txt >nd_$k.txt
	done
	pycheck "no dudl" "" --subsample nd_*.txt
	grep -q '^TI' ours.txt && notok "no dudl: TI rows" || ok "no dudl: no TI rows"
	expect_grep "no dudl: observable named" '^# observable: dU to neighbour' ours.txt
	printf '# pymbar %s\n' "$("$PY" -c 'import pymbar.version as v; print(v.full_version)' 2>/dev/null)"
else
	notok "pymbar cross-check: $PY cannot import pymbar (apt-get install python3-pymbar)"
fi
finish
