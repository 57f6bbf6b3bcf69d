# ehex-gradient against one step redone in numpy (ehex_check.py) from the
# same double-precision restart: velocity Verlet with all-pairs LJ forces,
# the HEX rescaling and the eHEX position correction of paper Eq. 20
# (notes/algorithms.md 1.3). Checks that the kinetic energy exchanged in
# each slab is flux*dt (1e-9 relative; measured from the velocities, not
# from the heat_in/heat_out accumulators), that the thermo slab temperatures
# are those of the restart (3N - 3, slab COM removed), that slab and total momenta are
# conserved (1e-11), that the HEX step equals numpy's to 1e-11 and that
# x_eHEX - x_HEX = -dt^3 eps to 1e-5 of its size (positions of order 10
# carry ~1e-15 absolute, the correction ~1e-6). Shown to fail with a flux
# off by 2.5e-6 and with HEX in place of eHEX.
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
PY=/usr/bin/python3
CHK="$TOP/tests/cli/ehex_check.py"
box-init --box 7.65,7.65,20 --count 820,40 --eps 1,1.5 --seed 5 -o mix.data
md-run --units lj --data mix.data --ensemble min -o min.nc -q >/dev/null
md-run --units lj --data mix.data --from min.nc.rst --ensemble nvt --temp 1 --steps 300 \
	--threads 1 -o nvt.nc -q >/dev/null
E="ehex-gradient --units lj --data mix.data --from nvt.nc.rst --cold 2:5 --hot 12:15 --flux 40 --dt 0.01 --steps 1 --threads 1 -q"
expect_ok "one HEX step" $E --hex -o hex.nc
expect_ok "one eHEX step" $E -o ehex.nc --thermo-file ehex.thermo
A="mix.data nvt.nc.rst hex.nc.rst ehex.nc.rst 2:5 12:15"
$PY "$CHK" $A 40 0.01 2.5 ehex.thermo >chk.out 2>chk.err || notok "ehex_check.py ran ($(head -c 300 chk.err))"
cat chk.out
[ "$(grep -c '^ok ' chk.out)" -eq 9 ] || notok "ehex_check.py: 9 checks expected"
$PY "$CHK" $A 40.0001 0.01 2.5 >chk.out 2>&1
grep -q '^not ok - kinetic energy exchanged in the hot' chk.out && ok "the check sees a flux off by 2.5e-6" ||
	notok "the check missed a flux off by 2.5e-6"
$PY "$CHK" mix.data nvt.nc.rst hex.nc.rst hex.nc.rst 2:5 12:15 40 0.01 2.5 >chk.out 2>&1
grep -q '^not ok - eHEX position correction' chk.out && ok "the check sees a missing eHEX correction" ||
	notok "the check missed a missing eHEX correction"
finish
