# CLI tests of md-run with 4-site water (--tip4p, --kspace pppm/tip4p): the
# energy terms and pressure at --steps 0 equal LAMMPS run 0
# (tests/fixtures/tip4p), the provenance line, usage errors and bad data
# (exit codes, messages, nothing left behind), a bitwise-repeatable NVE
# run, and the man page's TIP4P example as written.
. "$TOP/tests/cli/lib.sh"
D=$FIX/tip4p
export OMP_NUM_THREADS=1
W="--data $D/water.data --cutoff 9 --coul-cutoff 8.5 --skin 0.3 --threads 1"
TIP="--tip4p 1,2,1,1,0.1546"

# thermo row: step time temp pe ke etotal press volume econserved evdwl
# ecoul elong ebond eangle ...; LAMMPS log: step pe evdwl ecoul elong
# ebond eangle edihed eimp press ...
compare() { # case-name lammps-log
	local row ref
	row=$(grep -v '^#' "$T/out")
	ref=$(awk '/^Step PotEng/{getline; print; exit}' "$2")
	for k in "pe 4 2" "evdwl 10 3" "ecoul 11 4" "elong 12 5" "ebond 13 6" "eangle 14 7" "press 7 10"; do
		set -- $k "$1"
		expect_close "$4: $1 equals LAMMPS" "$(echo "$row" | awk -v c=$2 '{print $c}')" \
			"$(echo "$ref" | awk -v c=$3 '{print $c}')" 1e-9
	done
}

expect_ok "tip4p --steps 0 (default kspace)" md-run $W $TIP -q
expect_grep "provenance names tip4p and pppm/tip4p" \
	'^# forcefield: .*tip4p O 1 H 2 bond 1 angle 1 qdist 0.154.* waters 216; kspace pppm/tip4p accuracy 1e-05' "$T/out"
compare "pppm/tip4p 1e-5" "$D/tip4p_pppm5.log"
expect_ok "tip4p --kspace pppm/tip4p 1e-6" md-run $W $TIP --kspace pppm/tip4p --kspace-accuracy 1e-6 -q
compare "pppm/tip4p 1e-6" "$D/tip4p_pppm6.log"
expect_ok "tip4p --kspace none" md-run $W $TIP --kspace none -q
compare "tip4p/cut" "$D/tip4p_cut.log"
expect_ok "two waters, M-M pair left out" md-run --data "$D/pair.data" --cutoff 9 \
	--coul-cutoff 8.5 --skin 0.3 --threads 1 $TIP --kspace none -q
compare "pair tip4p/cut" "$D/pair_cut.log"
expect_ok "tip4p --kspace ewald" md-run $W $TIP --kspace ewald --kspace-accuracy 1e-6 -q
# ewald on the sites vs LAMMPS pppm/tip4p 1e-6: within the k-space accuracy
expect_close "ewald pe near pppm/tip4p 1e-6" "$(grep -v '^#' "$T/out" | awk '{print $4}')" \
	"$(awk '/^Step PotEng/{getline; print $2; exit}' "$D/tip4p_pppm6.log")" 1e-4

# usage errors (exit 2) and bad data (exit 1), nothing left behind
expect_exit 2 "pppm/tip4p without --tip4p" md-run $W --kspace pppm/tip4p -o u.nc
expect_grep "message names --tip4p" 'needs --tip4p' "$T/err"
expect_absent "no trajectory after a usage error" u.nc
expect_exit 2 "--tip4p with plain pppm" md-run $W $TIP --kspace pppm
expect_grep "message says pppm/tip4p" 'use --kspace pppm/tip4p' "$T/err"
expect_exit 2 "--tip4p with four fields" md-run $W --tip4p 1,2,1,1
expect_exit 2 "--tip4p with equal O and H types" md-run $W --tip4p 1,1,1,1,0.15
expect_exit 1 "--tip4p O type the file lacks" md-run $W --tip4p 3,2,1,1,0.1546 -o b.nc
expect_grep "message names the file and the types" 'water.data: --tip4p: types O 3, H 2: the file has 2 atom types' "$T/err"
expect_absent "no trajectory after bad data" b.nc
expect_exit 1 "--tip4p O and H swapped" md-run $W --tip4p 2,1,1,1,0.1546
expect_grep "message says swapped" 'swapped' "$T/err"
sed 's/^2 0 0$/2 0.01 1.0/' "$D/water.data" > hlj.data
expect_exit 1 "water H with LJ" md-run --data hlj.data --cutoff 9 --coul-cutoff 8.5 --skin 0.3 $TIP
expect_grep "message says epsilon must be 0" 'LJ epsilon 0.01; it must be 0' "$T/err"
sed 's/^3 1 2 0.5564 /3 1 1 0.5564 /' "$D/water.data" > noh.data
expect_exit 1 "water with an O for its second H" md-run --data noh.data --cutoff 9 --coul-cutoff 8.5 --skin 0.3 $TIP
expect_grep "message names the atoms" 'water O atom 1: atom 3 has type 1, not the H type 2' "$T/err"

# NVE with pppm/tip4p: the same command twice gives the same trajectory
# (double-precision frames: round-off shows), with the first run's FFTW
# plans (timed plans differ between runs) or with estimated ones
expect_ok "nve 20 steps" md-run $W $TIP --temp 300 --dt 0.5 --steps 20 --thermo 10 --dump 10 --double -o a.nc -q
cp "$T/out" a.thermo
expect_ok "nve again" md-run $W $TIP --temp 300 --dt 0.5 --steps 20 --thermo 10 --dump 10 --double -o b.nc -q --fftw-wisdom a.nc.rst
if cmp -s a.nc b.nc; then ok "trajectories bitwise equal"; else notok "trajectories bitwise equal"; fi
for r in c d; do
	expect_ok "nve --fftw estimate ($r)" md-run $W $TIP --temp 300 --dt 0.5 --steps 20 --thermo 10 --dump 10 --double -o $r.nc -q --fftw estimate
done
if cmp -s c.nc d.nc; then ok "--fftw estimate: trajectories bitwise equal"; else notok "--fftw estimate: trajectories bitwise equal"; fi

# the man page's TIP4P example (the .nf block with --tip4p), as written
mkdir ex && cd ex || exit 1
cp "$D/water.data" .
sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$TOP/man/man1/md-run.1" |
	awk '/^\.nf/{b=""; next} /^\.fi/{if (b ~ /--tip4p/) last=b; next} {b=b $0 "\n"} END{printf "%s", last}' |
	sed 's/\\\\/\\/g' > example.sh
expect_grep "example is the TIP4P one" 'tip4p 1,2,1,1,0.1546' example.sh
expect_ok "md-run.1 TIP4P example runs" sh -e example.sh
expect_grep "example: thermo reaches step 200" '^200 ' tip4p.txt
expect_grep "example: --steps 0 names pppm/tip4p" 'kspace pppm/tip4p' tip4p-terms.txt
cd "$T" || exit 1
finish
