# CLI tests of ehex-gradient: options, bad input, eHEX vs HEX energy drift,
# and exact resume with the eHEX accumulators.
. "$TOP/tests/cli/lib.sh"

std_cli ehex-gradient
box-init --box 7.65,7.65,50 --count 2048,80 --eps 1,1.5 --seed 5 -o mix.data
md-run --units lj --data mix.data --ensemble min -o min.nc -q >/dev/null
md-run --units lj --data mix.data --from min.nc.rst --ensemble nvt --temp 1 --steps 1000 -o nvt.nc -q >/dev/null
E="ehex-gradient --units lj --data mix.data --from nvt.nc.rst --cold 10.5:14.5 --hot 35.5:39.5"

expect_exit 2 "missing --flux" $E --steps 10
expect_exit 2 "overlapping slabs" ehex-gradient --units lj --data mix.data --cold 10:20 --hot 15:25 --flux 5
expect_exit 2 "bad range" ehex-gradient --units lj --data mix.data --cold 14.5:10.5 --hot 35.5:39.5 --flux 5
expect_exit 2 "negative flux" $E --flux -5
expect_exit 2 "--min-atoms beyond int (would wrap to 10)" $E --flux 5 --min-atoms 4294967306
# a slab through the periodic boundary is refused as such (it was called
# "empty", which 45:5 in a 50 box is not); the man page says so
expect_exit 2 "slab wrapping through the periodic boundary" ehex-gradient --units lj --data mix.data --cold 45:5 --hot 20:30 --flux 5
expect_grep "wrapping slab: the message says why, not 'empty'" 'wrap through the periodic boundary' "$T/err"
expect_exit 2 "slab outside the box" ehex-gradient --units lj --data mix.data --cold 10:14 --hot 48:55 --flux 5
expect_exit 1 "empty slab" ehex-gradient --units lj --data mix.data --from nvt.nc.rst --cold 10:10.001 --hot 35.5:39.5 --flux 5 --steps 10 -o empty.nc
expect_absent "no output after an empty slab" empty.nc
expect_exit 1 "flux too large for the cold slab" $E --flux 1e6 --steps 10 -o big.nc
expect_absent "no output after a failed exchange" big.nc

# A gradient forms: after 4000 steps the hot slab is hotter than the cold one.
# Slab temperatures of 170 atoms fluctuate by ~0.07: average the second
# half of a 40 tau run (the heat-relaxation time across the box is ~40 tau:
# 0.11 measured then, 0.2 at steady state).
expect_ok "short eHEX run" $E --flux 5 --steps 8000 --thermo 100 --threads 1 -q
awk '!/^#/ && $1 >= 4000 {n++; tc+=$10; th+=$11} END {d=(th - tc)/n; print d > "dT"; exit !(d > 0.05)}' "$T/out" && ok "hot slab hotter than cold slab by $(cat dT) > 0.05" || notok "no gradient after 8000 steps: $(cat dT)"
awk '!/^#/ {hin=$12; hout=$13} END {exit !(hin == 200 && hout == 200)}' "$T/out" && ok "heat in = heat out = F t = 200" || notok "heat accounting"

# eHEX removes HEX's energy drift. A large time step and flux make the
# drift visible in 20000 steps; --shift removes the cut-off noise. The
# slope of edrift(t) from a least-squares fit must be clearly negative for
# HEX (-0.1 eps/tau measured), and at least 4 times smaller in magnitude
# for eHEX (measured 0.002 and -0.012 on two engine builds: its slope is
# the noise of a 200 tau fit).
D="--flux 40 --dt 0.01 --shift --steps 20000 --thermo 500 --threads 1 -q"
$E $D > ehex.txt & $E $D --hex > hex.txt; wait
slope() { awk '!/^#/ {n++; x=$2; y=$14; sx+=x; sy+=y; sxx+=x*x; sxy+=x*y} END {printf "%.6g", (n*sxy-sx*sy)/(n*sxx-sx*sx)}' "$1"; }
se=$(slope ehex.txt); sh=$(slope hex.txt)
awk -v a="$sh" 'BEGIN{exit !(a < -0.05)}' && ok "HEX drifts: slope $sh eps/tau" || notok "HEX drift not seen: slope $sh"
awk -v a="$se" -v b="$sh" 'BEGIN{if(a<0)a=-a; if(b<0)b=-b; exit !(4*a < b)}' && ok "eHEX drift slope $se is < 1/4 of HEX's $sh" || notok "eHEX slope $se vs HEX $sh"

# exact resume of an eHEX run (accumulators and all)
R="--flux 5 --steps 6000 --thermo 50 --dump 200 --checkpoint 500 --threads 1 -q"
mkdir -p a b
$E $R -o a/g.nc --thermo-file a/th.txt
signal_after_checkpoint TERM b/g.nc.rst $E $R -o b/g.nc --thermo-file b/th.txt 2>/dev/null
[ -f b/g.nc ] && notok "run finished before SIGTERM (make it longer)"
$E $R -o b/g.nc --thermo-file b/th.txt
cmp -s a/g.nc b/g.nc && ok "resumed eHEX trajectory bitwise identical" || notok "resumed eHEX trajectory differs"
cmp -s <(grep -v '^#' a/th.txt) <(grep -v '^#' b/th.txt) && ok "resumed eHEX thermo (heat, drift) identical" || notok "resumed eHEX thermo differs"
# SIGKILL between checkpoints: the resume starts from the last checkpoint's
# eHEX accumulators and the rows written after it are rewritten
mkdir -p k
signal_after_checkpoint KILL k/g.nc.rst $E $R -o k/g.nc --thermo-file k/th.txt 2>/dev/null
[ -f k/g.nc ] && notok "run finished before SIGKILL (make it longer)"
$E $R -o k/g.nc --thermo-file k/th.txt
cmp -s a/g.nc k/g.nc && ok "eHEX trajectory after SIGKILL and resume bitwise identical" || notok "eHEX trajectory after SIGKILL differs"
cmp -s <(grep -v '^#' a/th.txt) <(grep -v '^#' k/th.txt) && ok "eHEX thermo after SIGKILL and resume identical" || notok "eHEX thermo after SIGKILL differs"
# Energies and virial only on the steps that print them, and on the first
# (the drift's reference): a run printing every step computes them on
# every step, and its rows at the steps a/ printed are a/'s rows, the drift
# column included (a forces-only first step would make its reference the
# kinetic energy alone)
mkdir -p t1
$E --flux 5 --steps 6000 --thermo 1 --threads 1 -q --thermo-file t1/th.txt
cmp -s <(grep -v '^#' a/th.txt) <(grep -v '^#' t1/th.txt | awk '$1 % 50 == 0') &&
	ok "forces-only steps: rows every 50 steps as when every step prints" ||
	notok "forces-only steps change the run (rows every 50 steps differ from --thermo 1's)"

# rigid water (fix ehex constrain com): the exchange runs, the heat moves,
# and with 2 constraints per atom the slab temperatures are those of
# 3N - N_constraints - 3 degrees of freedom (checked in test_constrain)
W="ehex-gradient --data $FIX/constrain/rigid-water.data --cutoff 9 --skin 0.3 --threads 1 --constrain water"
expect_ok "rigid water: eHEX with constraints" $W --cold 0:3 --hot 9.3:12.3 --flux 0.01 --steps 20 --thermo 10 -q
expect_grep "rigid water: heat moved (20 x 0.01 kcal/mol)" '^20 .* 0\.2 0\.2 [-0-9.e]+$' "$T/out"
expect_exit 1 "rigid water: slab without a whole molecule" $W --cold 0:0.01 --hot 9.3:12.3 --flux 0.01 --steps 2
# ---- man page: options both ways, the example as written ----
# ehex-gradient.1 documents the tool's own options (those --help lists
# before --units) and defers the engine's to md-run.1: every option of
# --help is in one of the two, the own ones in ehex-gradient.1, and every
# option the page's OPTIONS section describes is one --help lists.
MAN=$TOP/man/man1/ehex-gradient.1
manopt() { grep -qF -- "\\-\\-$(echo "${1#--}" | sed 's/-/\\-/g')" "$2"; }
missing=
for o in $(ehex-gradient --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	manopt "$o" "$MAN" || manopt "$o" "$TOP/man/man1/md-run.1" || missing="$missing $o"
done
for o in $(ehex-gradient --help | sed '/^  --units/,$d' | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	manopt "$o" "$MAN" || missing="$missing $o"
done
[ -z "$missing" ] && ok "ehex-gradient.1 (+ md-run.1) documents the options of --help" ||
	notok "ehex-gradient.1 lacks$missing"
extra=
for o in $(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$MAN" | sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	ehex-gradient --help | grep -qE -- "$o( |$)" || extra="$extra $o"
done
[ -z "$extra" ] && ok "ehex-gradient.1's OPTIONS are all in --help" ||
	notok "ehex-gradient.1 documents options --help lacks:$extra"
mkdir ex && cd ex || exit 1
sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$MAN" |
	sed -n '/^\.nf/,/^\.fi/p' | grep -v -e '^\.nf' -e '^\.fi' | sed 's/\\\\/\\/g' >example.sh
expect_grep "example runs ehex-gradient" '^ehex-gradient ' example.sh
expect_ok "ehex-gradient.1 example runs" sh -e example.sh
expect_grep "example: thermo reaches step 2000, 50 eps moved each way" '^2000 .* 50 50 [-0-9.e]+$' grad.txt
cd "$T" || exit 1
finish
