# The studies' Makefiles and the top-level install, without MD (a few
# seconds): variables checked before anything runs, one correlate run per
# table + figure under make -j, install to a prefix with a space in it.
. "$TOP/tests/cli/lib.sh"
P=$T/pipelines
mkdir -p "$P"
(cd "$TOP/pipelines" && tar cf - --exclude=runs --exclude=slurm *.mk scale-mass dof-per-atom lj-* aqueous-*) |
	(cd "$P" && tar xf -)

# A bad REPLICAS or list stops make at once (exit 2, the variable named),
# before a recipe runs with no input files and waits for stdin.
bad() { # DIR VAR=value WANT
	make -n -C "$P/$1" QUICK=1 BIN="$BIN" "$2" all </dev/null >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" -eq 2 ] && grep -q "$3" "$T/err"; then ok "$1 $2 stops at once: $(grep -o '\*\*\*.*' "$T/err")"
	else notok "$1 $2: exit $rc, want 2 naming $3 ($(head -c 200 "$T/err"))"; fi
}
for d in lj-soret lj-diffusion lj-correlations lj-fep aqueous-soret aqueous-fep aqueous-diffusion aqueous-correlations; do
	bad "$d" REPLICAS=0 REPLICAS
done
bad lj-soret REPLICAS=x REPLICAS
bad lj-soret EPS= EPS
bad lj-soret MASS="1 -2" MASS
bad lj-diffusion TEMPS="0.9 abc" TEMPS
bad lj-fep NWIN=0 NWIN
bad aqueous-soret MASS="w x" MASS
bad aqueous-fep SOLUTES= SOLUTES
bad aqueous-correlations SCAN= SCAN
expect_ok "lj-soret: the defaults pass the checks" make -n -C "$P/lj-soret" QUICK=1 BIN="$BIN" all
expect_ok "aqueous-soret: MASS may name a water's mass (w)" make -n -C "$P/aqueous-soret" QUICK=1 MASS="w 4" BIN="$BIN" all
expect_ok "make clean runs whatever the variables" make -s -C "$P/lj-soret" clean REPLICAS=0

# correlate writes a table and a figure (and FIG.gp, FIG.dat, FIG.png.tmp)
# in one run: make -j2 must run it once, not once per target at the same
# time on the same files. A stub correlate counts its runs.
mkdir -p "$T/stub"
cat >"$T/stub/correlate" <<'EOF'
#!/bin/sh
echo run >>"$LOG"
sleep 1
while [ $# -gt 0 ]; do
	case $1 in -o|--plot) echo x >"$2"; shift ;; esac
	shift
done
EOF
chmod +x "$T/stub/correlate"
printf '# eps mass t1_solute t1_solvent msd_solute msd_solvent\n0.5 1 1 1 1 1\n' >"$P/lj-correlations/motion.txt"
printf '# eps mass S_T S_T_err\n0.5 1 -1 0.2\n' >"$T/soret.txt"
printf '# solute factor M msd_solute msd_water t_regime_solute t_regime_water\nmethanol 1 32 1 1 1 1\n' >"$P/aqueous-correlations/motion.txt"
printf '# solute factor M S_T S_T_err\nmethanol 1 32 1 0.2\n' >"$T/scan.txt"
for g in "lj-correlations corr_t1.txt fig4b.png" "lj-correlations corr_msd.txt fig_msd.png" "aqueous-correlations corr_msd.txt fig4a.png"; do
	set -- $g
	d=$1; shift
	: >"$T/log"
	rm -f "$P/$d/$1" "$P/$d/$2"
	[ "$d" = lj-correlations ] && s=$T/soret.txt || s=$T/scan.txt
	LOG=$T/log make -s -j2 -C "$P/$d" -o motion.txt BIN="$T/stub" SORET="$s" "$@" >"$T/out" 2>&1
	n=$(wc -l <"$T/log")
	if [ "$n" -eq 1 ]; then ok "$d: make -j2 $* runs correlate once"
	else notok "$d: make -j2 $* ran correlate $n times"; fi
done

# runs/ keeps the protocol it was made with (runs/protocol): the runs of
# QUICK=1 (make demo) are not taken for the paper's protocol's (make).
d=$P/lj-soret
make -s -C "$d" clean
make -n -C "$d" QUICK=1 BIN="$BIN" all >/dev/null 2>&1
[ -e "$d/runs/protocol" ] && notok "make -n wrote runs/protocol" || ok "make -n writes no protocol"
expect_ok "QUICK=1: a run's first file" make -s -C "$d" QUICK=1 BIN="$BIN" runs/e0.5_m1_r1/init.data
expect_exit 2 "the full protocol then stops at once" make -s -C "$d" BIN="$BIN" runs/e0.5_m1_r1/init.data
expect_grep "the message names both protocols" 'another protocol \(QUICK=1 .*runs/protocol\) and this make has QUICK=0 ' "$T/err"
expect_exit 2 "a changed run length stops too" make -s -C "$d" QUICK=1 PROD_STEPS=1000 BIN="$BIN" runs/e0.5_m1_r1/init.data
expect_ok "the same protocol carries on" make -s -C "$d" QUICK=1 REPLICAS=2 BIN="$BIN" runs/e0.5_m1_r2/init.data
make -s -C "$d" clean
expect_ok "after make clean the full protocol runs" make -s -C "$d" BIN="$BIN" runs/e0.5_m1_r1/init.data
make -s -C "$d" clean

# make install quotes PREFIX and DESTDIR: a path with a space installs there
# (and leaves nothing in the source tree).
before=$(cd "$TOP" && git status --porcelain 2>/dev/null)
expect_ok "make install DESTDIR='with space'" make -s -C "$TOP" install DESTDIR="$T/with space" PREFIX=/usr/local
if [ -x "$T/with space/usr/local/bin/md-run" ] && [ -s "$T/with space/usr/local/share/man/man1/md-run.1" ] &&
	[ -s "$T/with space/usr/local/share/soretkit/ff/spce.data" ]; then ok "installed tools, man pages and ff templates under the spaced DESTDIR"
else notok "nothing installed under '$T/with space'"; fi
after=$(cd "$TOP" && git status --porcelain 2>/dev/null)
if [ "$before" = "$after" ]; then ok "make install leaves the source tree as it was"
else notok "make install changed the source tree: $after"; fi
finish
