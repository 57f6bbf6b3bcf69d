# CLI test of whole-molecule decoupling in a molecular system (decouple.c):
# one methanol in flexible SPC/E-like water (tests/fixtures/decouple), three
# states of the Coulomb-then-LJ path (1,1 -> 0,1 -> 0,0), md-run at each,
# fep-window over the frames (agreeing with md-run's own dU/dlambda and
# energies), mbar on the three tables; and bad input.
. "$TOP/tests/cli/lib.sh"
D=$FIX/decouple
export OMP_NUM_THREADS=1
FF="--data $D/meoh.data --cutoff 9 --special-lj 0,0,0.5 --special-coul 0,0,0.5 --threads 1"
L="1,1 0,1 0,0"

md-run $FF --skin 0.3 --ensemble min --maxiter 200 -o min.nc -q >/dev/null 2>&1
[ -f min.nc.rst ] && ok "methanol in water minimised" || notok "minimisation failed"
k=0
for l in $L; do
	expect_ok "md-run nvt --decouple mol:94 --lambda $l" md-run $FF --skin 0.3 \
		--from min.nc.rst --ensemble nvt --temp 300 --tdamp 50 --dt 0.5 \
		--decouple mol:94 --lambda "$l" --steps 200 --thermo 10 --dump 10 \
		--double -o w$k.nc --thermo-file w$k.thermo -q
	k=$((k + 1))
done
expect_grep "thermo: dudl_coul and dudl_lj columns" \
	'eimp\[kcal/mol\] dudl_coul\[kcal/mol\] dudl_lj\[kcal/mol\]$' w1.thermo
expect_grep "thermo gives both lambdas" '^# lambda: 0,1$' w1.thermo
expect_grep "thermo names the molecule" '^# decouple: mol:94 \(6 atoms\)' w1.thermo

for k in 0 1 2; do
	expect_ok "fep-window state $k" fep-window $FF --decouple mol:94 \
		--traj w$k.nc --lambdas "$L" --state $k --temp 300 -q -o u$k.txt
done
expect_grep "window table: lambdas" '^# lambdas: 1,1 0,1 0,0$' u1.txt
expect_grep "window table: header" \
	'^# time\[fs\] dudl_coul\[kT\] dudl_lj\[kT\] u_0\[kT\] u_1\[kT\] u_2\[kT\]$' u1.txt
rows=$(grep -vc '^#' u1.txt)
[ "$rows" -eq 21 ] && ok "21 frames, 21 rows" || notok "21 frames gave $rows rows"

# fep-window's dudl_coul, dudl_lj (kT) = beta x md-run's thermo columns at
# the same steps (time / dt 0.5 fs; double-precision frames; thermo has
# 10 digits)
for k in 0 1 2; do
	bad=$(awk -v b="$(awk 'BEGIN { printf "%.17g", 1 / (0.0019872067 * 300) }')" '
		NR == FNR { if ($1 !~ /^#/) { c[$1 * 1] = $17; l[$1 * 1] = $18 }; next }
		!/^#/ { t = sprintf("%.0f", $1 / 0.5) * 1; if (!(t in c)) { n++; next }
			for (q = 0; q < 2; q++) { x = b * (q ? l[t] : c[t]); g = q ? $3 : $2
				r = g - x; if (r < 0) r = -r; a = x < 0 ? -x : x
				if (!(r <= 1e-8 * a + 1e-8)) n++ } }
		END { print n + 0 }' w$k.thermo u$k.txt)
	[ "$bad" -eq 0 ] && ok "state $k: dudl_coul, dudl_lj = beta x md-run's thermo" \
		|| notok "state $k: dudl differs from md-run in $bad values"
done
# the Coulomb leg's dU/dlc is the methanol-water Coulomb energy: negative
awk '!/^#/ { s += $2; n++ } END { exit !(n > 0 && s / n < -2) }' u0.txt \
	&& ok "mean dudl_coul at 1,1 is negative (solute-water attraction)" \
	|| notok "mean dudl_coul at 1,1 is not negative"
# --absolute: u at the sampled state is beta pe of md-run
fep-window $FF --decouple mol:94 --traj w1.nc --lambdas "$L" --state 1 \
	--temp 300 --absolute -q -o u1a.txt
bad=$(awk -v b="$(awk 'BEGIN { printf "%.17g", 1 / (0.0019872067 * 300) }')" '
	NR == FNR { if ($1 !~ /^#/) pe[$1 * 1] = $4; next }
	!/^#/ { x = b * pe[sprintf("%.0f", $1 / 0.5) * 1]; r = $5 - x; if (r < 0) r = -r; a = x < 0 ? -x : x
		if (!(r <= 1e-8 * a)) n++ }
	END { print n + 0 }' w1.thermo u1a.txt)
[ "$bad" -eq 0 ] && ok "--absolute: u_1 = beta pe of md-run at every frame" \
	|| notok "--absolute differs from md-run's pe in $bad frames"
bad=$(paste <(grep -v '^#' u1.txt) <(grep -v '^#' u1a.txt) | awk '
	{ d1 = $4 - $6; d2 = $10 - $12; r = d1 - d2; if (r < 0) r = -r; if (r > 1e-8) n++ }
	END { print n + 0 }')
[ "$bad" -eq 0 ] && ok "u_0 - u_2 is the same with --absolute" \
	|| notok "--absolute changes u_0 - u_2 in $bad frames"

expect_ok "mbar on the three windows" mbar -q -o dg.txt u0.txt u1.txt u2.txt
expect_grep "mbar: an MBAR row" '^MBAR [0-9.e+-]+ [0-9.e+-]+' dg.txt
expect_grep "mbar: a TI row from dudl_coul and dudl_lj" '^TI [0-9.e+-]+ [0-9.e+-]+' dg.txt

# bad input
expect_exit 1 "md-run: a selection that cuts the methanol" md-run $FF --skin 0.3 \
	--decouple 280-282 --steps 0 -o bad.nc
expect_absent "md-run: no trajectory after a cut molecule" bad.nc
expect_exit 1 "fep-window: a selection that cuts the methanol" fep-window $FF \
	--decouple 280-282 --traj w1.nc --lambdas "$L" --state 1 --temp 300 -o bad.txt
expect_absent "fep-window: no table after a cut molecule" bad.txt
expect_exit 2 "md-run: Coulomb lambda 1.5" md-run $FF --decouple mol:94 --lambda 1.5,1
finish
