# CLI tests of correlate: the man page example (run as written), numbers
# against scipy (Anscombe's data set I, values in tests/unit/test_correlate.c),
# the join, the figure, and bad input.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
MAN=$TOP/man/man1/correlate.1

std_cli correlate
man_lists_help correlate

sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$MAN" |
	awk '/^\.EX/ {on = 1; next} /^\.EE/ {on = 0} on' |
	sed -e 's/\\-/-/g' -e 's/\\e/\\/g' >example.sh
expect_ok "man page example runs" bash -e example.sh
expect_grep "result header with units" '^# n pearson_r pearson_p spearman_rho spearman_p slope\[1/T\*/tau\] slope_err\[1/T\*/tau\] intercept\[1/T\*\] intercept_err\[1/T\*\] x0\[tau\] x0_err\[tau\] chi2$' corr.txt
expect_grep "5 rows joined on eps,mass (1.0 = 1)" '^5 ' corr.txt
for key in tool version command input x y joined p_values line; do
	expect_grep "provenance '$key'" "^# $key: " corr.txt
done
if command -v gnuplot >/dev/null; then
	[ -s st.png ] && head -c 8 st.png | grep -q PNG && ok "PNG figure written" ||
		notok "PNG figure written"
else
	expect_grep "no gnuplot: a note" 'gnuplot not found' "$T/err"
fi
[ -s st.gp ] && [ -s st.dat ] && ok "script and data kept beside the figure" ||
	notok "st.gp and st.dat"
expect_grep "the reference line is in the script" 'set arrow from 0.98' st.gp

# Anscombe I (textbook; digits from scipy, see test_correlate.c), in two
# tables with text keys, one extra row without a partner
printf '# id x\n' >ax.txt; printf '# id y\n' >ay.txt
i=0
for p in 10:8.04 8:6.95 13:7.58 9:8.81 11:8.33 14:9.96 6:7.24 4:4.26 12:10.84 7:4.82 5:5.68; do
	i=$((i + 1)); echo "p$i ${p%%:*}" >>ax.txt; echo "p$i ${p##*:}" >>ay.txt
done
echo "p99 3" >>ax.txt
expect_ok "Anscombe I" correlate --key id --x x --y y -o a.txt ax.txt ay.txt
expect_grep "note about the dropped row" '1 row without a partner' "$T/err"
read -r n r rp rho rhop b be a ae x0 x0e chi2 <<<"$(grep -v '^#' a.txt)"
[ "$n" = 11 ] && ok "11 rows" || notok "11 rows ($n)"
expect_close "Pearson r" "$r" 0.81642051634484 1e-9
expect_close "Pearson p" "$rp" 0.002169628873078783 1e-8
expect_close "slope" "$b" 0.5000909090909091 1e-9
expect_close "slope error" "$be" 0.11790550059563408 1e-9
expect_close "intercept" "$a" 3.0000909090909103 1e-9
expect_close "intercept error" "$ae" 1.1247467908086437 1e-9
expect_close "x0 = -a/b" "$x0" "$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.12g", -a/b}')" 1e-9
# one table from stdin, svg
expect_ok "stdin and svg" sh -c 'paste ax.txt ay.txt | head -12 | awk "NR == 1 {print \"# id x id2 y\"; next} {print}" |
	correlate --key id --x x --y y --plot f.svg -q'
expect_grep "stdin result" '^11 0\.81642051' "$T/out"
if command -v gnuplot >/dev/null; then
	grep -q '<svg' f.svg 2>/dev/null && ok "SVG figure written" || notok "SVG figure"
fi

# Bad input
run1() { rm -f out.txt; expect_exit 1 "$@"; expect_absent "$1: no output" out.txt; }
printf '# id x y\na 1 2\nb 2 3\n' >two.txt
printf '# id x y\na 1 2\nb 2 2\nc 3 2\n' >const.txt
printf '# id x y\na 1 2\na 2 3\nc 3 4\n' >dup.txt
run1 "missing x column" correlate --key id --x nope --y y -o out.txt ax.txt ay.txt
run1 "missing key column" correlate --key nope --x x --y y -o out.txt ax.txt ay.txt
run1 "too few rows" correlate --key id --x x --y y -o out.txt two.txt
run1 "constant y" correlate --key id --x x --y y -o out.txt const.txt
run1 "repeated key" correlate --key id --x x --y y -o out.txt dup.txt
# a key repeated in rows the other table has no partner for, and a
# two-column key named whole
printf '# id x\na 1\nb 2\nc 3\nd 4\n' >jx.txt
printf '# id y\na 1\nb 3\nc 2\nz 4\nz 5\n' >jy.txt
run1 "repeated key without partner" correlate --key id --x x --y y -o out.txt jx.txt jy.txt
expect_grep "repeat named with its lines" "jy\.txt:6: key 'z' repeats \(line 5\)" "$T/err"
printf '# e m x y\n1 1 1 2\n1 2 2 3\n2 1 3 1\n1 2 4 4\n' >dup2.txt
run1 "repeated two-column key" correlate --key e,m --x x --y y -o out.txt dup2.txt
expect_grep "both key columns named" "key '1,2' repeats" "$T/err"
run1 "missing file" correlate --key id --x x --y y -o out.txt nope.txt
# y = 0 + 0 x exactly: a flat line never crosses y = 0, x0 is NaN (not inf)
printf '# id x y\na 0 1\nb 1 0\nc 2 0\nd 3 1\n' >flat.txt
expect_ok "flat line" correlate --key id --x x --y y -o flat.out flat.txt
expect_grep "flat line: a note" 'flat \(slope 0\)' "$T/err"
grep -v '^#' flat.out | grep -qi inf && notok "flat line: no inf in the table" ||
	ok "flat line: no inf in the table"
expect_grep "flat line: x0 and x0_err NaN" ' nan nan [0-9.e+-]+$' flat.out
# sums of squares that overflow: an error, not r = 0
printf '# id x y\na 1 1e160\nb 2 2e160\nc 3 4e160\n' >huge.txt
run1 "y^2 overflows" correlate --key id --x x --y y -o out.txt huge.txt
# a bad y error names its row's key (not the index of the joined row)
printf '# id x y e\na 1 1 1\nc 3 4 1\nb 2 2 -1\n' >negerr.txt
run1 "negative y error" correlate --key id --x x --y y --yerr e -o out.txt negerr.txt
expect_grep "negative y error: key named" "key 'b': e = -1 is not a positive error" "$T/err"
expect_exit 2 "no --key" correlate --x x --y y ax.txt
expect_exit 2 "no --y" correlate --key id --x x ax.txt
expect_exit 2 "bad figure name" correlate --key id --x x --y y --plot f.pdf ax.txt ay.txt
expect_exit 2 "stdin twice" correlate --key id --x x --y y - -
finish
