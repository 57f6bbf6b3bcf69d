# CLI tests of box-build: a small box (200 SPC/E + 4 methanols spread along
# z, 20 x 20 x 30 A) with the right counts, molecule ids, net charge 0, no
# atoms of different molecules closer than the tolerance less 0.3 A, one
# solute per z layer; LAMMPS reads it and gives the same energy terms as
# md-run --steps 0; the same seed gives the same file; refusals.
. "$TOP/tests/cli/lib.sh"
FF=$TOP/share/ff
export OMP_NUM_THREADS=1
std_cli box-build
# every long option of --help is documented in the man page
man_lists_help box-build
if ! command -v packmol >/dev/null; then
	notok "packmol is installed (scripts/install-deps)"; finish
fi
B="--box 20,20,30 --mol $FF/spce.data:200 --mol $FF/methanol.data:4:zspread --tolerance 2.0"
expect_ok "small box builds" box-build $B --seed 1 -o small.data
expect_grep "summary line on stderr" '^box-build: 624 atoms, 204 molecules' "$T/err"
expect_grep "624 atoms" '^624 atoms$' small.data
expect_grep "6 atom types (2 water + 4 methanol)" '^6 atom types$' small.data
expect_grep "bonds: 400 water + 20 methanol" '^420 bonds$' small.data
expect_grep "dihedrals: 3 per methanol" '^12 dihedrals$' small.data
expect_grep "header states the special bonds" 'special_bonds lj/coul 0.0 0.0 0.5' small.data
expect_grep "header names the templates' type ranges" 'methanol.data x 4 \(zspread.*atom types 3-6, molecules 201-204' small.data
if grep -q '^Velocities' small.data; then notok "no Velocities"; else ok "no Velocities"; fi
python3 "$TOP/tests/cli/box_build_check.py" small.data 1.7 200 201 4 2.0 > chk.out
cat chk.out; fails=$((fails + $(grep -c '^not ok' chk.out)))
nmol=$(awk '/^Atoms/{a=1; next} /^(Bonds|Velocities)/{a=0} a && NF>=7 {print $2}' small.data | sort -n | uniq | wc -l)
expect_close "204 molecules" "$nmol" 204 0

expect_ok "same seed: rebuild" box-build $B --seed 1 -o again.data -q
# the header names the command line (-o differs); the body must not differ
if cmp -s <(grep -v '^#' small.data) <(grep -v '^#' again.data); then ok "same seed gives the same file"; else notok "same seed gives the same file"; fi
expect_ok "other seed" box-build $B --seed 2 -o other.data -q
if cmp -s <(grep -v '^#' small.data) <(grep -v '^#' other.data); then notok "another seed gives another file"; else ok "another seed gives another file"; fi

# two spread solutes and water; solutes only (nothing left for packmol)
expect_ok "two zspread species and water" box-build --box 20,20,30 --mol "$FF/methanol.data:4:zspread" \
	--mol "$FF/urea.data:3:zspread" --mol "$FF/spce.data:100" --seed 3 -o mixed.data
python3 "$TOP/tests/cli/box_build_check.py" mixed.data 1.7 0 1 4 2.0 | grep -v 'solvent molecules' > chk.out
cat chk.out; fails=$((fails + $(grep -c '^not ok' chk.out)))
expect_grep "mixed: 4*6 + 3*8 + 100*3 atoms" '^348 atoms$' mixed.data
expect_ok "solutes only" box-build --box 20,20,30 --mol "$FF/glucose.data:3:zspread" --seed 3 -o only.data
python3 "$TOP/tests/cli/box_build_check.py" only.data 1.7 0 1 3 2.0 | grep -v 'solvent molecules' > chk.out
cat chk.out; fails=$((fails + $(grep -c '^not ok' chk.out)))

# LAMMPS reads it; run 0 terms equal md-run --steps 0
cat > in.lmp <<EOF
units real
atom_style full
pair_style lj/cut/coul/cut 8.0
pair_modify mix geometric
bond_style harmonic
angle_style harmonic
dihedral_style multi/harmonic
read_data small.data
special_bonds lj/coul 0.0 0.0 0.5
thermo_style custom step pe evdwl ecoul ebond eangle edihed
thermo_modify norm no format float %20.15g
run 0
EOF
if lmp -in in.lmp -log none > lmp.out 2>&1; then ok "LAMMPS reads the box and runs 0"; else
	notok "LAMMPS reads the box ($(grep ERROR lmp.out | head -1))"; fi
ref=$(awk '/^ *Step +PotEng/{getline; print; exit}' lmp.out)
expect_ok "md-run --steps 0 on the box" md-run --data small.data --kspace none --cutoff 8 --skin 1 \
	--special-lj 0,0,0.5 --special-coul 0,0,0.5 --steps 0 --threads 1 -q
row=$(grep -v '^#' "$T/out")
for k in "pe 4 2" "evdwl 10 3" "ecoul 11 4" "ebond 13 5" "eangle 14 6" "edihed 15 7"; do
	set -- $k
	expect_close "box: $1 equals LAMMPS" "$(echo "$row" | awk -v c="$2" '{print $c}')" \
		"$(echo "$ref" | awk -v c="$3" '{print $c}')" 1e-8
done

# refusals: exit code, one-line message, no output left behind
expect_exit 1 "unknown template file" box-build --box 20,20,30 --mol nosuch.data:3 -o r1.data
expect_grep "message names the file" 'nosuch.data' "$T/err"
expect_absent "no output after a missing template" r1.data
awk '/^Bond Coeffs/{skip=1; next} skip && /^[A-Z]/{skip=0} !skip' "$FF/methanol.data" > nocoeff.data
expect_exit 1 "template without Bond Coeffs" box-build --box 20,20,30 --mol nocoeff.data:3 -o r2.data
expect_grep "message names the file and the missing coefficients" 'nocoeff.data.*Bond Coeffs' "$T/err"
expect_absent "no output after a template without coefficients" r2.data
awk '/^Pair Coeffs/{skip=1; next} skip && /^[A-Z]/{skip=0} !skip' "$FF/methanol.data" > nopair.data
expect_exit 1 "template without Pair Coeffs" box-build --box 20,20,30 --mol nopair.data:3 -o r3.data
expect_grep "message says Pair Coeffs" 'nopair.data: no Pair Coeffs' "$T/err"
# a template whose molecule is cut by its box (positions wrapped, image
# flags 0) was copied broken: bonds of 28 A, thousands of kcal/mol
awk '/^Atoms/{a=1} /^Bonds/{a=0} a && NF >= 10 {x = $5 + 14.5; if (x >= 15) x -= 30; $5 = x} {print}' \
	"$FF/methanol.data" > cut.data
expect_exit 1 "template cut by its box" box-build --box 40,40,40 --mol cut.data:3 -o r9.data
expect_grep "message names the bond and the image flags" \
	'^box-build: cut.data: bond 4 \(atoms 1 5\) spans .* along x, more than half the template.s box \(30\): its image flags do not keep the molecule whole$' "$T/err"
expect_absent "no output after a cut template" r9.data
awk '/^Atoms/{a=1} /^Bonds/{a=0} a && $1 == 6 {$2 = 2} {print}' "$FF/methanol.data" > twomol.data
expect_exit 1 "template of two molecule ids" box-build --box 20,20,30 --mol twomol.data:3 -o r9.data
expect_grep "message says one molecule" 'twomol.data: atoms of molecule ids 1 and 2: a template holds one molecule' "$T/err"
expect_absent "no output after a two-molecule template" r9.data
expect_exit 2 "count 0" box-build --box 20,20,30 --mol "$FF/spce.data:0" -o r4.data
expect_exit 2 "count -3" box-build --box 20,20,30 --mol "$FF/spce.data:-3" -o r4.data
expect_exit 2 "count not a number" box-build --box 20,20,30 --mol "$FF/spce.data:many" -o r4.data
expect_exit 2 "no count" box-build --box 20,20,30 --mol "$FF/spce.data" -o r4.data
expect_exit 2 "no --mol" box-build --box 20,20,30 -o r4.data
expect_exit 2 "bad --box" box-build --box 20,20 --mol "$FF/spce.data:10" -o r4.data
expect_exit 2 "bad --tolerance" box-build $B --tolerance 0 -o r4.data
expect_absent "no output after usage errors" r4.data
expect_exit 1 "box too small for a molecule" box-build --box 4,20,20 --mol "$FF/glucose.data:1" -o r5.data
expect_grep "message says the box is too small" 'box is too small for the molecules' "$T/err"
expect_exit 1 "box too dense" box-build --box 10,10,10 --mol "$FF/spce.data:200" -o r5.data
expect_grep "message gives the density" 'density of .* g/cm\^3' "$T/err"
expect_absent "no output after a box too small" r5.data
expect_exit 1 "zspread copies that cannot fit their layers" box-build --box 12,12,30 \
	--mol "$FF/glucose.data:20:zspread" --max-tries 200 -o r6.data
expect_grep "message names the copy and the layer" 'glucose.data: no room for copy' "$T/err"
expect_exit 1 "packmol not converging" box-build --box 18,18,18 --mol "$FF/spce.data:300" \
	--nloop 1 -o r7.data
expect_grep "message says packmol found no packing" 'packmol found no packing' "$T/err"
expect_absent "no output when packmol fails" r7.data
expect_exit 1 "packmol missing from PATH" env PATH="$BIN" box-build $B -o r8.data
expect_grep "message says how to install packmol" '^box-build: packmol not found; install it with scripts/install-deps$' "$T/err"
expect_exit 1 "--packmol that does not exist" box-build $B --packmol /nonexistent/packmol -o r8.data
expect_absent "no output without packmol" r8.data

# the man page's first example, as written, in a directory with the templates
mkdir ex && cd ex || exit 1
cp "$FF/spce.data" "$FF/methanol.data" .
sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$TOP/man/man1/box-build.1" |
	awk '/^\.nf/{b=""; n++; next} /^\.fi/{if (n==1) first=b; next} {b=b $0 "\n"} END{printf "%s", first}' |
	sed 's/\\\\/\\/g' > example.sh
expect_grep "example builds mix.data" 'mix.data' example.sh
expect_ok "box-build.1 example runs" sh -e example.sh
expect_grep "example: md-run evaluated the box" '^0 ' mix.txt
cd "$T" || exit 1
finish
