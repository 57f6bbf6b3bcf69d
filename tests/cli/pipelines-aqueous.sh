# Smoke test of the four aqueous studies (pipelines/aqueous-*): each whole
# chain in its TINY size (a small box, methanol only, a few hundred steps
# per stage: box-build, minimisation, NVT/NPT, eHEX, decoupling windows,
# profile-bin, soret-fit, fep-window, mbar, msd, arrhenius, correlate,
# gnuplot) on a copy of pipelines/, checking that every table and figure
# exists and parses. The numbers of such short runs mean nothing; the
# studies' own numbers are in their READMEs. The GROMACS cross-check is
# optional and skipped without gmx.
. "$TOP/tests/cli/lib.sh"
export OMP_NUM_THREADS=1
# the studies without anything a run in the source tree left there
mkdir -p "$T/pipelines"
(cd "$TOP/pipelines" && tar cf - --exclude=runs aqueous.mk slurm.mk check.mk scale-mass dof-per-atom aqueous-*) |
	(cd "$T/pipelines" && tar xf -)
M="make -s --no-print-directory TINY=1 BIN=$BIN FF=$TOP/share/ff"
P=$T/pipelines
for d in "$P"/aqueous-*; do $M -C "$d" clean >/dev/null 2>&1; done

# table FILE NCOL: data rows exist, each with NCOL fields, numbers or nan
table() {
	awk -v n="$2" '!/^#/ { rows++; if (NF != n) bad = 1
		for (i = 2; i <= NF; i++) if ($i !~ /^-?(nan|inf|[0-9.]+([eE][-+]?[0-9]+)?)$/ && $i !~ /^[a-z]/) bad = 1 }
		END { exit !(rows > 0 && !bad) }' "$1"
}
check_table() { if [ -s "$1" ] && table "$1" "$2"; then ok "$3"; else notok "$3 ($1: $(head -c 300 "$1" 2>/dev/null))"; fi; }
check_png() { if [ -s "$1" ] && head -c 8 "$1" | grep -q PNG; then ok "$2"; else notok "$2 ($1 missing)"; fi; }

# Each lists its MD stages for scripts/slurm-study (../slurm.mk): a target
# per run directory, in order; aqueous-soret's are the scan's for its goal.
stages() { $M -C "$P/$1" slurm-stages ${2:+SLURM_GOALS="$2"} | awk '{print $1 "/" $2}' | uniq -c | awk '{printf "%s%s:%d", (NR > 1 ? " " : ""), $2, $1}'; }
for want in "aqueous-soret|nvt/all:1 npt/corr:1 eq/corr:1 prod/corr:1" \
	"aqueous-soret scan|nvt/all:3 npt/corr:3 eq/corr:3 prod/corr:3" \
	"aqueous-fep|npt/all:2 win/all:10" "aqueous-diffusion|nvt/all:2 npt/corr:2 prod/corr:2" \
	"aqueous-correlations|nvt/all:3 npt/corr:3 prod/corr:3"; do
	got=$(stages ${want%%|*})
	if [ "$got" = "${want#*|}" ]; then ok "${want%%|*}: slurm-stages $got"
	else notok "${want%%|*}: slurm-stages '$got', want '${want#*|}'"; fi
done

# aqueous-soret: Table 1 row and the mass scan (3 masses of methanol)
if $M -C "$P/aqueous-soret" all scan >"$T/soret.log" 2>&1; then ok "aqueous-soret TINY runs end to end"
else notok "aqueous-soret TINY: $(tail -n 3 "$T/soret.log")"; fi
S=$P/aqueous-soret
check_table "$S/results.txt" 9 "aqueous-soret results.txt: solute factor M S_T err std n paper err"
expect_grep "aqueous-soret results name the paper's methanol value" '^methanol 1 32.0424 .* 1.5 0.7$' "$S/results.txt"
check_table "$S/scan.txt" 9 "aqueous-soret scan.txt: the three masses"
check_png "$S/profile.png" "aqueous-soret profile.png (T, ln m, fit)"
check_png "$S/fig4a-st.png" "aqueous-soret fig4a-st.png (S_T against mass)"
expect_grep "eHEX ran with the paper's slab geometry (1/4 and 3/4 of the box)" '^[0-9.]+:[0-9.]+$' "$S/runs/methanol_m1_r1/slabs"
expect_grep "profile temperatures count the constrained degrees of freedom" '^# temperature: .*sum_frames\(2\.[0-9]+ N - 3\)' "$S/runs/methanol_m1_r1/prof.txt"
$M -C "$S" estimate QUICK=0 TINY=0 >"$T/est.txt" 2>&1
expect_grep "aqueous-soret estimates the core-hours of the full protocol" 'about [0-9]+ core-hours' "$T/est.txt"

# aqueous-fep: 5 states (2 Coulomb, 2 LJ), two temperatures, Eastman
if $M -C "$P/aqueous-fep" all >"$T/fep.log" 2>&1; then ok "aqueous-fep TINY runs end to end"
else notok "aqueous-fep TINY: $(tail -n 3 "$T/fep.log")"; fi
F=$P/aqueous-fep
expect_grep "windows sample the Coulomb-then-LJ schedule" '^# lambdas: 1,1 0\.5,1 0,1 0,0\.5 0,0' "$F/runs/methanol_T300_r1/win2.txt"
check_table "$F/dg_methanol.txt" 10 "aqueous-fep dg_methanol.txt: T dG err sd n BAR TI errors"
check_table "$F/results.txt" 11 "aqueous-fep results.txt: dG, slope, Eastman S_T, measured, paper"
for f in fig2a fig2b fig2d; do check_png "$F/$f.png" "aqueous-fep $f.png"; done
if command -v gmx >/dev/null 2>&1; then
	if $M -C "$F" gmx TEMPS=300 >"$T/gmx.log" 2>&1; then ok "aqueous-fep gmx cross-check runs"
	else notok "aqueous-fep gmx: $(tail -n 3 "$T/gmx.log")"; fi
else
	echo "ok - aqueous-fep gmx cross-check # skip gmx is not installed"
fi

# aqueous-diffusion: two temperatures, D of water and methanol, Ea, Eq. 2/4
if $M -C "$P/aqueous-diffusion" all >"$T/diff.log" 2>&1; then ok "aqueous-diffusion TINY runs end to end"
else notok "aqueous-diffusion TINY: $(tail -n 3 "$T/diff.log")"; fi
D=$P/aqueous-diffusion
check_table "$D/diff_methanol.txt" 4 "aqueous-diffusion diff_methanol.txt: species T D D_err"
check_table "$D/results.txt" 12 "aqueous-diffusion results.txt: Ea's, Eq. 2, Eq. 4, measured S_T"
check_png "$D/arrhenius.png" "aqueous-diffusion arrhenius.png"
check_png "$D/fig3.png" "aqueous-diffusion fig3.png"

# aqueous-correlations: the soret scan's three masses against the 170 fs MSD
if $M -C "$P/aqueous-correlations" all >"$T/corr.log" 2>&1; then ok "aqueous-correlations TINY runs end to end"
else notok "aqueous-correlations TINY: $(tail -n 3 "$T/corr.log")"; fi
C=$P/aqueous-correlations
check_table "$C/motion.txt" 7 "aqueous-correlations motion.txt: MSD at 170 fs, regime lags"
check_table "$C/results.txt" 8 "aqueous-correlations results.txt: Pearson, Spearman"
check_png "$C/fig4a.png" "aqueous-correlations fig4a.png"
finish
