# CLI tests of profile-bin. Inputs: the synthetic fixture of test_profile
# (mix.data; prod.nc: 40 frames of 2048 + 80 LJ atoms with a known
# piecewise-linear T(z), 0.9 at z = 12.5 to 1.1 at z = 37.5; novel.nc
# without velocities) and a short md-run trajectory.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
UNIT=${UNIT:-$TOP/build/tests}

std_cli profile-bin
# every long option of --help is documented in the man page
man_lists_help profile-bin

if ! "$UNIT/test_profile" --write-fixture . 2>"$T/err"; then
	notok "write the fixture ($(head -c 300 "$T/err"))"
	finish
fi

# The man page example
expect_ok "profile of the fixture" profile-bin --units lj --data mix.data \
	--solute 2 --solvent 1 --bins 50 prod.nc -o prof.txt
rows=$(grep -vc '^#' prof.txt)
[ "$rows" -eq 50 ] && ok "50 slab rows" || notok "50 slab rows (got $rows)"
expect_grep "column header" \
	'^# bin z\[sigma\] T\[eps/kB\] T_err\[eps/kB\] c\[mol/mol\] c_err\[mol/mol\] n_solute n_solvent rho_1\[sigma\^-3\] rho_2\[sigma\^-3\]$' prof.txt
for key in tool version command data input frames units axis bins axis_lo \
	axis_len blocks conc temperature; do
	expect_grep "provenance '$key'" "^# $key: " prof.txt
done
expect_grep "40 frames used" '^# frames: 40$' prof.txt
# Slab 25 (z = 25.5): T = 0.9 + 0.2*13/25 = 1.004. Per slab and frame
# 3*42 - 3 degrees of freedom, 40 frames: relative sd 2%; 10% is 5 sd.
t25=$(awk '!/^#/ && $1 == 25 {print $3}' prof.txt)
expect_close "T of slab 25 (1.004)" "$t25" 1.004 0.10
c25=$(awk '!/^#/ && $1 == 25 {print $5}' prof.txt)
awk -v c="$c25" 'BEGIN{exit !(c > 0 && c < 0.2)}' &&
	ok "mole fraction of slab 25 is plausible ($c25)" ||
	notok "mole fraction of slab 25 ($c25)"
# rho_1 + rho_2 over the box is the atom density 2128/(7.65^2 * 50)
rho=$(awk '!/^#/ {s += $9 + $10; n++} END {printf "%.10g", s/n}' prof.txt)
expect_close "mean number density" "$rho" "$(awk 'BEGIN{print 2128/(7.65*7.65*50)}')" 1e-6

# Frame ranges apply to each file: 5, 8, 11, 14 of two files
expect_ok "frame range over two files" profile-bin --units lj --data mix.data \
	--bins 10 --first 5 --last 14 --stride 3 --blocks 2 prod.nc prod2.nc -o r.txt
expect_grep "8 frames from two files" '^# frames: 8$' r.txt
expect_grep "input line per file" '^# input: prod2.nc frames 5..14 stride 3 \(4\)$' r.txt
expect_grep "no c columns without --solute" '^# bin z\[sigma\] T\[eps/kB\] T_err\[eps/kB\] rho_1' r.txt
expect_ok "table on stdout" profile-bin --units lj --data mix.data --bins 5 \
	--axis x --conc density --solute 2 prod.nc
expect_grep "stdout is the table, density" '^# bin z\[sigma\] .* c\[sigma\^-3\]' "$T/out"
expect_grep "axis x in the provenance" '^# axis: x$' "$T/out"
expect_ok "--progress" profile-bin --progress --units lj --data mix.data --bins 5 prod.nc -o p.txt
expect_grep "--progress reports on stderr" '100\.0%' "$T/err"
expect_ok "-q" profile-bin -q --progress --units lj --data mix.data --bins 5 prod.nc -o p.txt
[ ! -s "$T/err" ] && ok "-q is quiet" || notok "-q is quiet ($(head -c 200 "$T/err"))"

# A real md-run trajectory (LJ mixture of the paper's box, short run)
if box-init --box 7.65,7.65,50 --count 2048,80 --lattice -o md.data --seed 1 2>/dev/null &&
	md-run --units lj --data md.data --temp 1 --steps 40 --dump 20 -o md.nc -q \
		--thermo-file md.thermo 2>/dev/null; then
	expect_ok "profile of an md-run trajectory" profile-bin --units lj \
		--data md.data --solute 2 --solvent 1 --bins 10 --blocks 3 md.nc -o md.txt
	expect_grep "three md-run frames" '^# frames: 3$' md.txt
else
	notok "box-init + md-run to make a trajectory"
fi

# Data errors: exit 1, one line, no output left behind
head -c 1000000 prod.nc >trunc.nc
echo "not a netcdf file" >text.nc
sed 's/^17 1 /17 one /' mix.data >bad.data
run1() { # what cmd... : exit 1 and no out.txt
	rm -f out.txt
	expect_exit 1 "$@"
	expect_absent "$1: no output" out.txt
}
P="profile-bin --units lj --data mix.data --bins 10 -o out.txt"
run1 "truncated trajectory" $P trunc.nc
expect_grep "truncated: names the file" 'trunc\.nc' "$T/err"
run1 "trajectory without velocities" $P novel.nc
expect_grep "no velocities: names the file" 'novel\.nc: no velocities' "$T/err"
run1 "not a NetCDF file" $P text.nc
run1 "missing trajectory" $P nosuch.nc
run1 "missing data file" profile-bin --units lj --data nosuch.data --bins 10 -o out.txt prod.nc
run1 "malformed data file" profile-bin --units lj --data bad.data --bins 10 -o out.txt prod.nc
expect_grep "malformed data: file and line" 'bad\.data:[0-9]+' "$T/err"
run1 "units differ from the trajectory" profile-bin --units real --data mix.data --bins 10 -o out.txt prod.nc
run1 "more blocks than frames" $P --blocks 41 prod.nc
run1 "--first beyond the file" $P --first 40 prod.nc
if box-init --box 7.65,7.65,50 --count 100,10 -o small.data 2>/dev/null; then
	run1 "atom count differs" profile-bin --units lj --data small.data --bins 10 -o out.txt prod.nc
	expect_grep "atom count: both numbers" '2128 atoms, the data file has 110' "$T/err"
else
	notok "box-init for a small data file"
fi
run1 "unwritable output" profile-bin --units lj --data mix.data --bins 10 -o nodir/out.txt prod.nc

# Usage errors: exit 2
run2() {
	rm -f out.txt
	expect_exit 2 "$@"
	expect_absent "$1: no output" out.txt
}
run2 "--bins 0" $P --bins 0 prod.nc
run2 "--bins abc" $P --bins abc prod.nc
run2 "--bins 2.5" $P --bins 2.5 prod.nc
run2 "--bins missing" profile-bin --units lj --data mix.data -o out.txt prod.nc
run2 "--data missing" profile-bin --units lj --bins 10 -o out.txt prod.nc
run2 "no trajectory" $P
run2 "--units bogus" profile-bin --units metal --data mix.data --bins 10 -o out.txt prod.nc
run2 "--axis w" $P --axis w prod.nc
run2 "--stride 0" $P --stride 0 prod.nc
run2 "--last before --first" $P --first 5 --last 2 prod.nc
run2 "--solute type out of range" $P --solute 3 --solvent 1 prod.nc
run2 "--solute not a type" $P --solute 1.5 --solvent 1 prod.nc
run2 "--conc molality in lj units" $P --solute 2 --solvent 1 --conc molality prod.nc
run2 "--conc molefrac without --solvent" $P --solute 2 prod.nc
run2 "--conc bogus" $P --solute 2 --solvent 1 --conc ppm prod.nc
run2 "a type both solute and solvent" $P --solute 2 --solvent 1,2 prod.nc
run2 "--conc without --solute (was ignored)" $P --conc density prod.nc
run2 "--blocks 0" $P --blocks 0 prod.nc
run2 "--dof-per-atom 0" $P --dof-per-atom 0 prod.nc
run2 "--dof-per-atom 4" $P --dof-per-atom 4 prod.nc

# rigid 3-site water: with one slab and 2 degrees of freedom per atom the
# temperature is md-run's (3N - 3 - N constraints = 2N - 3; total momentum
# zero, so removing the slab's COM velocity changes nothing)
C=$FIX/constrain
expect_ok "rigid water: 20 steps" md-run --data "$C/rigid-water.data" --cutoff 9 \
	--skin 0.3 --threads 1 --constrain water --steps 20 --thermo 20 --dump 20 \
	--double -o w.nc -q
tmd=$(grep -v '^#' "$T/out" | awk '$1 == 20 {print $3}')
expect_ok "rigid water: --dof-per-atom 2" profile-bin --data "$C/rigid-water.data" \
	--bins 1 --blocks 1 --first 1 --dof-per-atom 2 -q w.nc
expect_grep "provenance states the degrees of freedom" '2 N - 3' "$T/out"
expect_close "rigid water: slab temperature equals md-run's" \
	"$(grep -v '^#' "$T/out" | awk '{print $3}')" "$tmd" 1e-8
# The same frames as LAMMPS dump netcdf writes a real-units run: its own
# units (velocities in angstrom/femtosecond, time in femtosecond, said in
# the units attributes), no soretkit attributes. Read as A/ps, T would be
# 10^6 times too low.
ncdump w.nc | awk '
	/velocities:units/ {sub(/angstrom\/picosecond/, "angstrom/femtosecond")}
	/time:units/ {sub(/picosecond/, "femtosecond")}
	/:soretkit_units|:program =|:title =/ {next}
	/^ *velocities =/ {v = 1}
	/^ *time =/ {tm = 1}
	v || tm {
		for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9.]+(e[-+]?[0-9]+)?[,;]?$/) {
			p = $i; s = ""
			if (p ~ /[,;]$/) {s = substr(p, length(p)); p = substr(p, 1, length(p) - 1)}
			$i = sprintf("%.9g%s", v ? p / 1000 : p * 1000, s)
		}
		if (/;/) v = tm = 0
	}
	{print}' | ncgen -k nc6 -o lmp.nc
expect_ok "LAMMPS-style trajectory (A/fs)" profile-bin --data "$C/rigid-water.data" \
	--bins 1 --blocks 1 --first 1 --dof-per-atom 2 -q lmp.nc
expect_close "A/fs velocities: the same temperature" \
	"$(grep -v '^#' "$T/out" | awk '{print $3}')" "$tmd" 1e-5
finish
