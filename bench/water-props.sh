#!/bin/sh
# water-props.sh: density and self-diffusion of the study's water model
# (rigid SPC/E, share/ff/spce.data) at 300 K and 1 bar, beside the published
# values (issue 7). A validation of the model as the aqueous pipelines run
# it, not a test: nothing here passes or fails; the numbers go to
# BENCHMARKS.md ("SPC/E water at 300 K").
#
# The system and the options are pipelines/aqueous.mk's: NWAT SPC/E waters
# built by box-build in a cube of BOXL A (500 in 24.7 A: 0.993 g/cm^3), LJ
# cut at 9 A without tail correction (TAIL=1 adds --tail), Coulomb 8.5 A +
# PPPM 1e-5, special 0/0/0.5, skin 2 A, rigid water (--constrain water:
# SETTLE + RATTLE), Nose-Hoover chains of 3, Tdamp 100 fs, Pdamp 1000 fs.
# Time step DT fs (default 2: SETTLE makes 2 fs as well conserved with
# md-run as with LAMMPS, BENCHMARKS.md "NVE of rigid SPC/E water").
#
# Stages: minimisation (flexible, 2000 iterations at most); NVT at 300 K
# for NVT_PS ps; NPT at 300 K and 1 bar (0.986923 atm) for NPT_PS ps, thermo
# every 100 fs; NVE production for PROD_PS ps from the NPT end state (its
# box), a frame every DUMP_FS fs. NVE so that no thermostat touches the
# dynamics the diffusion coefficient is taken from.
#
# Density: the NPT volume after its first EQ_PS ps, as 18.0154 NWAT /
# (N_A V); the mean and a block-averaged standard error (NB equal blocks,
# error = sd of the block means / sqrt(NB)).
#
# Diffusion: msd --com --group water=1,2 (molecular centres of mass, system
# drift removed) of the production, cut into NB equal blocks (--first,
# --last); in each block D from the least-squares fit MSD = a + 6 D t over
# lags FIT (default 2000:10000 fs: past the cage, ~0.5 ps, and the
# sub-diffusive shoulder, to a third of a 30 ps block, where every lag
# still averages over >= 20 ps of time origins). D_pbc = the mean of the
# block D's, error = their sd / sqrt(NB). Also the whole production fitted
# over the same window (msd's D_err there is the regression error and too
# small). Finite size (Yeh and Hummer, JPCB 108, 15873, 2004):
#   D_inf = D_pbc + 2.837297 kB T / (6 pi eta L)
# with T the production's mean temperature, L its box edge and eta = ETA
# mPa s (SPC/E: 0.73, e.g. Gonzalez and Abascal JCP 132, 096101, 2010:
# 0.729 mPa s at 298 K).
#
# Usage: bench/water-props.sh [NPT_PS [PROD_PS]]       (default 150 200)
# Environment: NWAT (500) BOXL (24.7) DT (2) NVT_PS (10) EQ_PS (30)
#   DUMP_FS (50) NB (5) FIT (2000:10000) ETA (0.73) TAIL (0) SEED (11)
#   PROD_ENS (nve; nvt: Nose-Hoover at 300 K, Tdamp 100 fs, which pins the
#   production temperature: NVE settles wherever the NPT end state puts it)
#   KEEP=DIR keeps the run files in DIR (default: a temporary directory).
# One thread (OMP_NUM_THREADS=1, --threads 1).
set -eu
npt_ps=${1:-150}
prod_ps=${2:-200}
NWAT=${NWAT:-500}
BOXL=${BOXL:-24.7}
DT=${DT:-2}
NVT_PS=${NVT_PS:-10}
EQ_PS=${EQ_PS:-30}
DUMP_FS=${DUMP_FS:-50}
NB=${NB:-5}
FIT=${FIT:-2000:10000}
ETA=${ETA:-0.73}
TAIL=${TAIL:-0}
SEED=${SEED:-11}
PROD_ENS=${PROD_ENS:-nve}
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$top/bin}
FF=$top/share/ff
for t in box-build md-run msd; do
	[ -x "$BIN/$t" ] || { echo "water-props.sh: $BIN/$t missing (make first)" >&2; exit 1; }
done
if [ -n "${KEEP:-}" ]; then
	mkdir -p "$KEEP"; work=$(cd "$KEEP" && pwd)
else
	work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fi
cd "$work"
export OMP_NUM_THREADS=1

steps() { awk -v ps="$1" -v dt="$DT" 'BEGIN{printf "%d", ps * 1000 / dt + 0.5}'; }
nvt_steps=$(steps "$NVT_PS")
npt_steps=$(steps "$npt_ps")
prod_steps=$(steps "$prod_ps")
dump=$(awk -v f="$DUMP_FS" -v dt="$DT" 'BEGIN{printf "%d", f / dt + 0.5}')
thermo=$(awk -v dt="$DT" 'BEGIN{printf "%d", 100 / dt + 0.5}')
tail_opt=
[ "$TAIL" = 1 ] && tail_opt=--tail
FF_OPTS="--cutoff 9 --coul-cutoff 8.5 --special-lj 0,0,0.5 --special-coul 0,0,0.5 --kspace-accuracy 1e-5 --skin 2 $tail_opt"
DYN="$FF_OPTS --constrain water --threads 1 -q --dt $DT"

echo "water-props.sh: $NWAT SPC/E in ${BOXL} A, dt $DT fs, tail $TAIL, NVT $NVT_PS ps, NPT $npt_ps ps (first $EQ_PS discarded), $PROD_ENS $prod_ps ps; load: $(cut -d' ' -f1-3 /proc/loadavg)"
# A stage whose thermo file exists in KEEP is reused, not run again (its
# trajectory's restart file must be there too): a run cut short can be
# finished or re-analysed.
have() { [ -f "$1.thermo" ] && [ -f "$1.nc.rst" ] && echo "  $1: reused from $work"; }
t0=$(date +%s)
[ -f init.data ] || "$BIN/box-build" --box "$BOXL,$BOXL,$BOXL" --mol "$FF/spce.data:$NWAT" --seed "$SEED" -q -o init.data
have min || "$BIN/md-run" --data init.data --ensemble min $FF_OPTS --threads 1 -q \
	--etol 1e-4 --ftol 1e-6 --maxiter 2000 -o min.nc --thermo-file min.thermo
have nvt || "$BIN/md-run" --data init.data --from min.nc.rst --ensemble nvt --temp 300 --tdamp 100 \
	--seed "$SEED" $DYN --steps "$nvt_steps" --thermo "$thermo" --dump "$nvt_steps" \
	-o nvt.nc --thermo-file nvt.thermo
t1=$(date +%s)
have npt || "$BIN/md-run" --data init.data --from nvt.nc.rst --ensemble npt --temp 300 --press 0.986923 \
	--tdamp 100 --pdamp 1000 $DYN --steps "$npt_steps" --thermo "$thermo" --dump "$npt_steps" \
	-o npt.nc --thermo-file npt.thermo
t2=$(date +%s)
prod_opts="--ensemble nve"
[ "$PROD_ENS" = nvt ] && prod_opts="--ensemble nvt --temp 300 --tdamp 100"
have prod || "$BIN/md-run" --data init.data --from npt.nc.rst $prod_opts $DYN --steps "$prod_steps" \
	--thermo "$thermo" --dump "$dump" -o prod.nc --thermo-file prod.thermo
t3=$(date +%s)
rate() { awk -v s="$1" -v p="$2" 'BEGIN{if (s > 0) printf "%d s for %s ps, %.1f ns/day", s, p, p / 1000 / (s / 86400); else printf "reused"}'; }
echo "wall: NPT $(rate $((t2 - t1)) "$npt_ps"); production $(rate $((t3 - t2)) "$prod_ps"); total $((t3 - t0)) s; load now: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- density (NPT, after EQ_PS) ----
awk -v eq="$EQ_PS" -v nb="$NB" -v nw="$NWAT" '
/^#/ { next }
$2 >= eq * 1000 { n++; v[n] = $8; rho[n] = nw * 18.0154 / (0.602214076 * $8); t += $3; p += $7 }
END {
	if (n < nb) { print "density: too few NPT samples after EQ_PS" > "/dev/stderr"; exit 1 }
	m = int(n / nb); s = 0; s2 = 0
	for (b = 0; b < nb; b++) {
		bm = 0; for (i = b * m + 1; i <= (b + 1) * m; i++) bm += rho[i]; bm /= m
		s += bm; s2 += bm * bm; printf "  block %d: %.5f g/cm^3\n", b + 1, bm
	}
	mean = s / nb; sd = sqrt((s2 - nb * mean * mean) / (nb - 1))
	printf "density (NPT, %d samples, %d blocks of %.1f ps): %.4f +- %.4f g/cm^3 (T %.1f K, P %.0f atm)\n", \
		n, nb, m * 0.1, mean, sd / sqrt(nb), t / n, p / n
}' npt.thermo

# ---- diffusion (NVE production) ----
nframes=$(ncdump -h prod.nc | awk '/frame = UNLIMITED/ { gsub(/[()]/, ""); print $(NF - 1); exit } /frame = [0-9]/ { print $3; exit }')
per=$((nframes / NB))
: > blocks.txt
b=0
while [ $b -lt "$NB" ]; do
	"$BIN/msd" --data init.data --com --group water=1,2 --first $((b * per)) --last $(((b + 1) * per - 1)) \
		--fit "$FIT" -q --summary d_block$b.txt -o msd_block$b.txt prod.nc 2> msd_block$b.err || { cat msd_block$b.err >&2; exit 1; }
	awk '!/^#/ && $1 == "water" { print $2, $6 }' d_block$b.txt >> blocks.txt
	b=$((b + 1))
done
"$BIN/msd" --data init.data --com --group water=1,2 --fit "$FIT" -q --summary d_all.txt -o msd_all.txt prod.nc 2> msd_all.err
cat msd_*.err | sort -u | sed 's/^/  msd: /'
awk '!/^#/' prod.thermo | awk -v nb="$NB" -v per="$per" -v dfs="$DUMP_FS" -v fit="$FIT" -v eta="$ETA" '
FNR == NR { t += $3; v = $8; n++; next }
{ b++; d[b] = $1 * 1e4; s += d[b]; s2 += d[b] * d[b]; printf "  block %d: D %.3f e-5 cm^2/s, log-log slope %.3f\n", b, d[b], $2 }
END {
	T = t / n; L = v ^ (1 / 3); mean = s / nb; sd = sqrt((s2 - nb * mean * mean) / (nb - 1)); err = sd / sqrt(nb)
	kB = 1.380649e-23; pi = 3.14159265358979
	# m^2/s -> 1e-5 cm^2/s: x 1e4 (cm^2) / 1e-5
	yh = 2.837297 * kB * T / (6 * pi * eta * 1e-3 * L * 1e-10) * 1e9
	printf "D_pbc (water COM, %d blocks of %.1f ps, fit %s fs): %.3f +- %.3f e-5 cm^2/s (production T %.1f K, L %.3f A)\n", \
		nb, per * dfs / 1000, fit, mean, err, T, L
	printf "Yeh-Hummer (eta %.2f mPa s): + %.3f -> D_inf %.3f +- %.3f e-5 cm^2/s\n", eta, yh, mean + yh, err
}' - blocks.txt
awk '!/^#/ && $1 == "water" { printf "D whole production (same fit): %.3f e-5 cm^2/s (regression error %.3f, an underestimate), log-log slope %.3f\n", $2 * 1e4, $3 * 1e4, $6 }' d_all.txt
awk '!/^#/ { n++; e0 = (n == 1) ? $9 : e0; e = $9; t = $2 } END { printf "production drift of econserved: %.2e kcal/mol per molecule per ps\n", (e - e0) / '"$NWAT"' / (t / 1000) }' prod.thermo
cat <<'EOF'
published SPC/E, 298-300 K, 1 bar:
  density 0.994-0.999 g/cm^3 (Vega & Abascal PCCP 13, 19663 (2011): 0.994 at 298 K
    with long-range LJ correction; lower without a tail correction at short cut-offs)
  D 2.4-2.8 e-5 cm^2/s at finite N (Berendsen et al. 1987: 2.5); finite-size corrected
    ~2.7-2.9 e-5 cm^2/s (Yeh & Hummer, JPCB 108, 15873 (2004))
EOF
