# CLI tests of md-run on molecular (atom_style full) systems: the energy
# terms at --steps 0 equal LAMMPS run 0 (tests/fixtures/molecular), the
# new options, bad input (unknown style, non-neutral system, usage errors),
# and an exact resume with PPPM.
. "$TOP/tests/cli/lib.sh"
M=$FIX/molecular
export OMP_NUM_THREADS=1
W="--data $M/water.data --cutoff 9 --skin 0.3 --threads 1"

expect_ok "water --steps 0" md-run $W -q
expect_grep "thermo header adds the energy terms" \
	'^# step .* econserved\[kcal/mol\] evdwl\[kcal/mol\] ecoul\[kcal/mol\] elong\[kcal/mol\] ebond\[kcal/mol\] eangle\[kcal/mol\] edihed\[kcal/mol\] eimp\[kcal/mol\]$' "$T/out"
expect_grep "provenance names the k-space set-up" '^# forcefield: .*kspace pppm accuracy 1e-05 g_ewald' "$T/out"
# LAMMPS water_pppm.log: pe evdwl ecoul elong ebond eangle
row=$(grep -v '^#' "$T/out")
ref=$(awk '/^Step PotEng/{getline; print; exit}' "$M/water_pppm.log")
for k in "pe 4 2" "evdwl 10 3" "ecoul 11 4" "elong 12 5" "ebond 13 6" "eangle 14 7"; do
	set -- $k
	expect_close "water $1 equals LAMMPS" "$(echo "$row" | awk -v c=$2 '{print $c}')" \
		"$(echo "$ref" | awk -v c=$3 '{print $c}')" 1e-9
done
expect_close "water press equals LAMMPS" "$(echo "$row" | awk '{print $7}')" \
	"$(echo "$ref" | awk '{print $10}')" 1e-9

O="--data $M/opls.data --cutoff 9 --skin 1 --threads 1 --special-lj 0,0,0.5 --special-coul 0,0,0.5"
expect_ok "opls --steps 0 with ewald" md-run $O --kspace ewald --kspace-accuracy 1e-6 -q
ref=$(awk '/^Step PotEng/{getline; print; exit}' "$M/opls_ewald.log")
expect_close "opls pe equals LAMMPS (ewald)" "$(grep -v '^#' "$T/out" | awk '{print $4}')" \
	"$(echo "$ref" | awk '{print $2}')" 1e-9
expect_close "opls edihed equals LAMMPS" "$(grep -v '^#' "$T/out" | awk '{print $15}')" \
	"$(echo "$ref" | awk '{print $8}')" 1e-9

# an LJ-only data file keeps the LJ thermo columns
expect_ok "LJ data: --steps 0" md-run --units lj --data "$FIX/integrate/liquid.data" -q
if grep -q evdwl "$T/out"; then notok "LJ data: no energy-term columns"; else ok "LJ data: no energy-term columns"; fi

# bad input
sed 's/^Dihedral Coeffs # opls/Dihedral Coeffs # table/' "$M/opls.data" > bad.data
expect_exit 1 "unknown dihedral style" md-run --data bad.data --cutoff 9 --skin 1 -o bad.nc
expect_grep "message names the style and the file" "bad.data: Dihedral Coeffs style 'table'" "$T/err"
expect_absent "no trajectory after failure" bad.nc
# no style comment: the message says where to write it (it spoke of a
# style "given", which no option gives)
sed 's/^Bond Coeffs # harmonic/Bond Coeffs/' "$M/water.data" > nostyle.data
expect_exit 1 "Bond Coeffs without a style comment" md-run --data nostyle.data --cutoff 9 --skin 0.3 -o ns.nc
expect_grep "message says to write the comment" "nostyle.data: Bond Coeffs has no style comment .*'Bond Coeffs # STYLE' \\(supported: harmonic\\)$" "$T/err"
if grep -q 'was given' "$T/err"; then notok "message names no option md-run lacks"; else ok "message names no option md-run lacks"; fi
expect_absent "no trajectory after the refusal" ns.nc
sed '0,/ -0.8476 /s// -0.8 /' "$M/water.data" > charged.data
expect_exit 1 "non-neutral system with pppm refused" md-run --data charged.data --cutoff 9 --skin 0.3 -o q.nc
expect_grep "message says --allow-charged" 'not charge neutral.*--allow-charged' "$T/err"
expect_absent "no trajectory after refusal" q.nc
expect_ok "non-neutral system with --allow-charged" md-run --data charged.data --cutoff 9 --skin 0.3 --allow-charged -q
expect_grep "non-neutral: warning on stderr" 'warning: the system is not charge neutral' "$T/err"
expect_ok "non-neutral system with --kspace none (coul/cut)" md-run --data charged.data --cutoff 9 --skin 0.3 --kspace none -q
expect_exit 2 "bad --kspace" md-run $W --kspace p3m
expect_exit 2 "bad --special-lj" md-run $W --special-lj 0,0
expect_exit 2 "--special-coul out of range" md-run $W --special-coul 0,0,2
expect_exit 2 "bad --kspace-accuracy" md-run $W --kspace-accuracy -1
# an accuracy Ewald cannot afford is refused at once (1e-300 wanted kmax
# ~500: it filled tens of GB of k-vector tables and never started)
expect_exit 1 "ewald: an unaffordable --kspace-accuracy" timeout -s KILL 20 md-run $W --kspace ewald --kspace-accuracy 1e-300 -o ew.nc
expect_grep "message says ewald cannot and names pppm" 'ewald: accuracy 1e-300 needs kmax above 100 .*use pppm' "$T/err"
expect_absent "no trajectory after the refusal" ew.nc

# a data file without image flags (LAMMPS reads them as 0) whose
# molecules are cut by the box: LAMMPS runs it (closest images), and so
# must md-run, with the same energy as the file with its image flags.
# Stated non-zero flags that break a molecule are still refused.
awk '/^Atoms/{a=1} /^Velocities/{a=0} {if (a && NF == 10) NF = 7; print}' "$M/opls.data" > noimg.data
expect_ok "opls: the file with image flags" md-run $O --kspace ewald --kspace-accuracy 1e-6 -q
pe_img=$(grep -v '^#' "$T/out" | awk '{print $4}')
expect_ok "opls without image flags, molecules cut by the box" md-run ${O/$M\/opls.data/noimg.data} --kspace ewald --kspace-accuracy 1e-6 -q
expect_close "no image flags: pe equals the file's with them" "$(grep -v '^#' "$T/out" | awk '{print $4}')" "$pe_img" 1e-12
sed 's/^8 2 1 \(.*\) -1 0 0$/8 2 1 \1 1 0 0/' "$M/opls.data" > badimg.data
expect_exit 1 "stated image flags that break a molecule" md-run ${O/$M\/opls.data/badimg.data} -o bi.nc
expect_grep "message names the bond and the image flags" 'badimg.data: bond 6 \(atoms 7 8\) spans .* with the image flags' "$T/err"
expect_absent "no trajectory after the refusal" bi.nc

# --from a trajectory frame (no image flags, wrapped positions): molecules
# cut by the box are made whole again; step 0 equals the frame's energy
expect_ok "water: 20 steps, double-precision frames" md-run $W --steps 20 --dump 10 --thermo 20 --double -o fr.nc
pe20=$(grep -v '^#' "$T/out" | tail -n 1 | awk '{print $4}')
expect_ok "--from a trajectory frame of a molecular system" md-run $W --from fr.nc --steps 0 -q
expect_close "--from the frame: pe equals the run's at that step" "$(grep -v '^#' "$T/out" | awk '{print $4}')" "$pe20" 1e-10
rm -f fr.nc fr.nc.rst

# --precision mixed: single-precision pair kernel (AVX-512 builds)
expect_exit 2 "bad --precision" md-run $W --precision half
if md-run $W --precision mixed -q >"$T/mixed" 2>"$T/err"; then
	md-run $W -q >"$T/double" 2>/dev/null
	expect_close "--precision mixed: pe equals double's to 1e-6" \
		"$(grep -v '^#' "$T/mixed" | awk '{print $4}')" \
		"$(grep -v '^#' "$T/double" | awk '{print $4}')" 1e-6
	if cmp -s "$T/mixed" "$T/double"; then notok "--precision mixed is another kernel"
	else ok "--precision mixed is another kernel"; fi
	# 2 threads: each thread's copy of the slots holds the dummy cluster
	# that pads the kernel's odd lists (it once held stale positions: pe
	# off by 2.5e-3). The threads sum the float pair terms in another
	# order: a few float ulps (6e-8) of the pe, hence 1e-7.
	OMP_NUM_THREADS=2 md-run --data "$M/water.data" --cutoff 9 --skin 0.3 \
		--threads 2 --precision mixed -q >"$T/mixed2" 2>/dev/null
	expect_close "--precision mixed on 2 threads: pe equals 1 thread's to 1e-7" \
		"$(grep -v '^#' "$T/mixed2" | awk '{print $4}')" \
		"$(grep -v '^#' "$T/mixed" | awk '{print $4}')" 1e-7
	expect_exit 2 "--precision mixed without k-space refused" md-run $W --kspace none --precision mixed
	expect_grep "message says which pass has it" 'fused LJ \+ real-space Coulomb' "$T/err"
else
	expect_grep "--precision mixed refused only for want of AVX-512" 'no mixed-precision kernel' "$T/err"
fi
expect_exit 1 "--kspace on an uncharged system" md-run --units lj --data "$FIX/integrate/liquid.data" --kspace pppm
expect_ok "--decouple of a whole water (decouple.c)" md-run $W --decouple 1-3 --lambda 0.5,1 -q
expect_grep "molecular decoupling: dudl_coul and dudl_lj columns" 'dudl_coul\[kcal/mol\] dudl_lj\[kcal/mol\]$' "$T/out"
expect_exit 1 "--decouple that cuts a water" md-run $W --decouple 1-2
expect_exit 2 "bad --fftw" md-run $W --fftw patient
expect_exit 2 "--fftw-wisdom with --fftw estimate" md-run $W --fftw estimate --fftw-wisdom x.rst
expect_ok "--fftw estimate" md-run $W --fftw estimate -o est.nc -q
expect_grep "provenance names the FFTW planning" '^# forcefield: .*kspace pppm .* order 5 fftw estimate$' "$T/out"
expect_exit 1 "--fftw-wisdom: a restart without wisdom" md-run $W --fftw-wisdom est.nc.rst -q
expect_grep "message names the file and the attribute" 'est.nc.rst: no FFTW wisdom \(attribute soretkit_fftw_wisdom' "$T/err"
# a rerun imports its checkpoint's wisdom before planning; wisdom FFTW
# cannot read (another machine or FFTW build) only warns: fresh plans
expect_ok "--steps 0 -o: checkpoint with wisdom" md-run $W -o w.nc -q
expect_grep "provenance: fftw measure by default" '^# forcefield: .* fftw measure$' "$T/out"
LC_ALL=C sed 's/(fftw-3/(fftw-X/' w.nc.rst > w.rst && mv w.rst w.nc.rst && cp w.nc.rst bad.nc.rst
rm -f w.nc
expect_ok "unreadable wisdom in the checkpoint: runs" md-run $W -o w.nc -q
expect_grep "warning names the checkpoint" '^md-run: warning: w.nc.rst: FFTW cannot read its wisdom.*planning the FFTs afresh' "$T/err"
expect_exit 1 "--fftw-wisdom with unreadable wisdom: error" md-run $W --fftw-wisdom bad.nc.rst -q

# exact resume with PPPM and bonded terms: killed run + resume = straight run
# (thermo to files: a resumed run's stdout lacks the rows before the
# checkpoint, its --thermo-file keeps them). Double-precision frames: two
# runs whose FFT plans differ part by 1e-16 relative at the first step,
# which float frames of a short run do not show. PPPM times its FFT plans
# (--fftw measure; processes on this machine pick different ones): the
# resume must take the killed run's plans from its checkpoint, and the
# straight run then takes them from the resumed run's final restart file
# (--fftw-wisdom) to be comparable at all.
B="$W --temp 300 --dt 0.5 --steps 200 --thermo 10 --dump 10 --checkpoint 50 --double -q"
rm -f b.nc.rst
md-run $B -o b.nc --thermo-file b.thermo > /dev/null 2>&1 &
pid=$!
for i in $(seq 1000); do [ -e b.nc.rst ] && break; sleep 0.01; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
if [ -e b.nc.tmp ] && LC_ALL=C grep -aq 'soretkit_fftw_wisdom.*(fftw-3' b.nc.rst; then ok "killed mid-way; its checkpoint keeps the FFTW wisdom"
else notok "killed mid-way; its checkpoint keeps the FFTW wisdom"; fi
md-run $B -o b.nc --thermo-file b.thermo 2>/dev/null
expect_ok "nve straight with the resumed run's plans" md-run $B -o a.nc --thermo-file a.thermo --fftw-wisdom b.nc.rst
if cmp -s a.nc b.nc; then ok "resumed trajectory equals the straight run"; else notok "resumed trajectory equals the straight run"; fi
# a rerun from the step-50 checkpoint prints the rows from there on: they
# must be the straight run's last rows (all of them after an early kill)
nb=$(grep -vc '^#' b.thermo)
if [ "$nb" -ge 1 ] && diff <(grep -v '^#' a.thermo | tail -n "$nb") <(grep -v '^#' b.thermo) >/dev/null; then ok "resumed thermo rows equal"; else notok "resumed thermo rows equal"; fi

# rigid water (--constrain water, fix rattle semantics) against LAMMPS's
# water_nve_rattle (tests/fixtures/constrain): temp with 3N - 3 - 648
# degrees of freedom, pe and press (constraint virial) at steps 0 and 100
C=$FIX/constrain
R="--data $C/rigid-water.data --cutoff 9 --skin 0.3 --threads 1 --constrain water --shake-tol 1e-13"
expect_ok "rigid water: 100 steps nve" md-run $R --steps 100 --thermo 100 -q
for s in 0 100; do
	row=$(grep -v '^#' "$T/out" | awk -v s=$s '$1 == s')
	ref=$(awk -v s=$s '/^Step Temp PotEng/{on=1; next} /^Loop/{on=0} on && $1 == s' "$C/water_nve_rattle.log")
	for k in "temp 3 2" "pe 4 3" "press 7 6"; do
		set -- $k
		expect_close "rigid water step $s: $1 equals LAMMPS fix rattle" \
			"$(echo "$row" | awk -v c=$2 '{print $c}')" "$(echo "$ref" | awk -v c=$3 '{print $c}')" 1e-9
	done
done
expect_grep "rigid water: provenance states the constraints and dof" \
	'^# constrain: 216 waters, 0 X-H clusters, 648 constraints, dof 1293; rattle; shake-tol 1e-13 shake-iter 100$' "$T/out"
expect_grep "rigid water: no bond or angle energy (columns ebond eangle)" \
	'^100 .* 0 0 0 0$' "$T/out"
# SHAKE that cannot converge: exit 1, step and atoms named, nothing left
H="--data $C/opls-hb.data --cutoff 9 --skin 1 --threads 1 --special-lj 0,0,0.5 --special-coul 0,0,0.5"
expect_exit 1 "SHAKE not converging is an error" md-run $H --constrain hbonds \
	--shake-iter 1 --shake-tol 1e-14 --steps 10 -o nc.nc
expect_grep "message names step, cluster and tolerance" \
	'^md-run: step 0: SHAKE did not converge in 1 iterations .*--shake-tol 1e-14.* for the SHAKE cluster of atoms [0-9 ]+$' "$T/err"
expect_absent "no trajectory after SHAKE failure" nc.nc
expect_absent "no checkpoint after SHAKE failure" nc.nc.rst
expect_exit 2 "bad --constrain" md-run $H --constrain all
expect_exit 2 "--shake-iter 0" md-run $H --constrain hbonds --shake-iter 0
expect_exit 2 "--ensemble min with --constrain" md-run $H --constrain hbonds --ensemble min
expect_exit 1 "--constrain water without water" md-run $H --constrain water
expect_ok "hbonds: opls 20 steps nvt" md-run $H --constrain hbonds --ensemble nvt --temp 300 --steps 20 -q

# exact resume with constraints: NPT (the barostat's second half step
# reads the previous step's constraint virial, kept in the checkpoint) and
# NVT with --shake-only; killed once the step-50 checkpoint exists
for mode in "--ensemble npt --press 1" "--ensemble nvt --shake-only"; do
	A="$R --temp 300 $mode --steps 150 --thermo 10 --dump 10 --checkpoint 50 --double"
	rm -f a.nc a.nc.rst b.nc b.nc.rst b.nc.tmp
	md-run $A -o a.nc -q > a.thermo 2>/dev/null
	md-run $A -o b.nc -q --fftw-wisdom a.nc.rst > /dev/null 2>&1 &
	pid=$!
	for i in $(seq 500); do [ -e b.nc.rst ] && break; sleep 0.01; done
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	md-run $A -o b.nc -q --fftw-wisdom a.nc.rst > b.thermo 2>/dev/null
	if [ -s a.nc ] && cmp -s a.nc b.nc; then ok "constraints ($mode): resumed trajectory equals the straight run"
	else notok "constraints ($mode): resumed trajectory equals the straight run"; fi
	if diff <(grep -v '^#' a.thermo | awk '$1 > 50') <(grep -v '^#' b.thermo | awk '$1 > 50') >/dev/null &&
		[ "$(grep -vc '^#' b.thermo)" -ge 10 ]; then ok "constraints ($mode): resumed thermo rows equal"
	else notok "constraints ($mode): resumed thermo rows equal"; fi
done

# the man page's molecular example (its last .nf block), as written
mkdir ex && cd ex || exit 1
cp "$M/water.data" .
sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$TOP/man/man1/md-run.1" |
	awk '/^\.nf/{b=""; next} /^\.fi/{last=b; next} {b=b $0 "\n"} END{printf "%s", last}' |
	sed 's/\\\\/\\/g' > example.sh
expect_grep "example is the water one" 'water.data' example.sh
expect_ok "md-run.1 molecular example runs" sh -e example.sh
expect_grep "example: thermo reaches step 200" '^200 ' water.txt
cd "$T" || exit 1
finish
