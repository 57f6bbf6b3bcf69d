# traj_nc_mdanalysis: cross-check common/traj_nc.c with MDAnalysis, an
# independent AMBER NetCDF reader and writer (NCDFReader/NCDFWriter).
#   1. our trajectory (real units, float, velocities, cell) read by
#      MDAnalysis: positions, velocities [A/ps], box, time [ps];
#   2. MDAnalysis trajectories (plain, and with scale_factor attributes)
#      read by us: the same numbers, in engine units (A, fs, A/fs);
#   5. foreign frames through the tools: triclinic and NaN refused, a
#      LAMMPS lj-units dump netcdf read in lj units.
# Tolerance: float32 storage, relative 2^-24 (plus a few double roundings).
# Uses the Debian python (/usr/bin/python3), which has MDAnalysis; the
# `python3` on PATH may be a shim without it.
. "$(dirname "$0")/lib.sh"

prog=$TOP/build/tests/test_traj_nc
py=/usr/bin/python3
if [ ! -x "$prog" ]; then
	notok "traj_nc helper $prog not built (make unit)"
	finish
fi
if ! "$py" -c 'import MDAnalysis, netCDF4' 2>/dev/null; then
	ok "skipped: $py lacks MDAnalysis or netCDF4"
	finish
fi

# python prints its own ok / not ok lines and exits 1 on any failure
pycheck() {
	"$py" -W ignore::DeprecationWarning - "$@"
	local rc=$?
	[ "$rc" -eq 0 ] || fails=$((fails + 1))
}

# --- 1. ours -> MDAnalysis -----------------------------------------------
if "$prog" --write ours.nc >known.txt 2>"$T/err"; then
	ok "helper wrote ours.nc"
else
	notok "helper --write failed: $(head -c 300 "$T/err")"
	finish
fi

pycheck ours.nc known.txt <<'EOF'
import sys, warnings
import numpy as np
import MDAnalysis as mda

path, known = sys.argv[1], sys.argv[2]
frames = []
for line in open(known):
    w = line.split()
    if w[0] == "frame":
        frames.append({"time": float(w[2]), "box": [float(v) for v in w[3:9]],
                       "atoms": []})
    else:
        frames[-1]["atoms"].append([float(v) for v in w[1:7]])
n = len(frames[0]["atoms"])
fails = 0
def check(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    fails += not cond

def rel(got, want):
    got, want = np.asarray(got, float), np.asarray(want, float)
    return float(np.max(np.abs(got - want) / np.abs(want)))

TOL = 2.0**-24 + 2.0**-50
u = mda.Universe.empty(n)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    u.load_new(path, format="NCDF")
mine = [str(w.message) for w in caught if "NCDF" in str(w.message)
        or "AMBER" in str(w.message)]
check(not mine, "MDAnalysis reads ours.nc without convention warnings %s" % mine)
check(u.trajectory.n_frames == len(frames),
      "MDAnalysis sees %d frames" % u.trajectory.n_frames)
check(u.trajectory.trjfile.version_byte == 2, "64-bit offset (version_byte 2)")
for k, ts in enumerate(u.trajectory):
    want = np.array(frames[k]["atoms"])
    check(rel(ts.positions, want[:, :3]) <= TOL,
          "frame %d positions [A] rel err %.3g" % (k, rel(ts.positions, want[:, :3])))
    check(ts.has_velocities and rel(ts.velocities, want[:, 3:]) <= TOL,
          "frame %d velocities [A/ps] rel err %.3g" % (k, rel(ts.velocities, want[:, 3:])))
    check(rel(ts.dimensions, frames[k]["box"]) <= TOL,
          "frame %d box %s" % (k, ts.dimensions))
    check(rel([ts.time], [frames[k]["time"]]) <= TOL,
          "frame %d time %.9g ps (want %.9g)" % (k, ts.time, frames[k]["time"]))
sys.exit(1 if fails else 0)
EOF

# --- 2. MDAnalysis -> ours -----------------------------------------------
pycheck "$prog" <<'EOF'
import sys, subprocess
import numpy as np
import MDAnalysis as mda
from MDAnalysis.coordinates.memory import MemoryReader

prog = sys.argv[1]
fails = 0
def check(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    fails += not cond

n, nf, dt = 5, 3, 2.5  # dt in ps
rng = np.random.default_rng(7)
pos = rng.uniform(-20, 40, (nf, n, 3)).astype(np.float32)
vel = rng.normal(0, 5, (nf, n, 3)).astype(np.float32)      # A/ps
dims = np.array([[31.5 + k, 28.25 - k, 45.125, 90, 90, 90 + 7 * k]
                 for k in range(nf)], dtype=np.float32)

def read_ours(path):
    r = subprocess.run([prog, "--read", path], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    head, frames = None, []
    for line in r.stdout.splitlines():
        w = line.split()
        if w[0] == "natoms":
            head = dict(zip(w[0::2], w[1::2]))
        elif w[0] == "frame":
            frames.append({"time": float(w[2]), "has_cell": int(w[3]),
                           "box": [float(v) for v in w[4:10]], "atoms": []})
        else:
            frames[-1]["atoms"].append([float(v) for v in w[1:7]])
    return head, frames

def rel(got, want):
    got, want = np.asarray(got, float), np.asarray(want, float)
    return float(np.max(np.abs(got - want) / np.abs(want)))

TOL = 2.0**-24 + 2.0**-50
cases = [("md.nc", {}),
         ("md_scaled.nc", {"scale_velocities": 20.455, "scale_coordinates": 0.5,
                           "scale_time": 2.0, "scale_cell_lengths": 0.25})]
for name, scale in cases:
    u = mda.Universe.empty(n)
    u.load_new(pos.copy(), format=MemoryReader, velocities=vel.copy(),
               dimensions=dims.copy(), dt=dt)
    with mda.Writer(name, n_atoms=n, format="NCDF", velocities=True, **scale) as W:
        for ts in u.trajectory:
            W.write(u)
    head, frames = read_ours(name)
    check(head is not None, "we read %s written by MDAnalysis NCDFWriter %s" % (name, frames if head is None else ""))
    if head is None:
        continue
    check(head["natoms"] == str(n) and head["nframes"] == str(nf) and
          head["units"] == "real" and head["vel"] == "1",
          "%s: header %s" % (name, head))
    # no scale factor: the file holds our float32 numbers exactly, and the
    # only error is the unit conversion in double; with scale factors the
    # writer divided in float32, hence TOL
    tol = 1e-15 if not scale else TOL
    for k, fr in enumerate(frames):
        a = np.array(fr["atoms"])
        check(rel(a[:, :3], pos[k]) <= tol,
              "%s frame %d positions rel err %.3g" % (name, k, rel(a[:, :3], pos[k])))
        check(rel(a[:, 3:] * 1e3, vel[k]) <= tol,
              "%s frame %d velocities A/fs (x1000 = A/ps) rel err %.3g"
              % (name, k, rel(a[:, 3:] * 1e3, vel[k])))
        check(fr["has_cell"] == 1 and rel(fr["box"], dims[k]) <= tol,
              "%s frame %d box %s" % (name, k, fr["box"]))
        want_t = k * dt * 1e3  # fs
        check(abs(fr["time"] - want_t) <= TOL * want_t,
              "%s frame %d time %.9g fs (want %.9g)" % (name, k, fr["time"], want_t))
sys.exit(1 if fails else 0)
EOF

# --- 3. other writers and netCDF formats ------------------------------------
# netCDF4-python in every format it writes, scipy.io.netcdf (CDF-1 and
# CDF-2, its own header layout), and a lone short record variable (netCDF
# packs such records without padding): we must read them all, exactly.
pycheck "$prog" <<'EOF'
import sys, subprocess
import numpy as np
import netCDF4, scipy.io

prog = sys.argv[1]
fails = 0
def check(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    fails += not cond

n, nf = 3, 4
xyz = (np.arange(nf * n * 3).reshape(nf, n, 3) * 0.75 - 7).astype(np.float32)
t = np.arange(nf, dtype=np.float32) * 1.5

def write(ds, coord_type="f4", with_time=True):
    ds.Conventions = "AMBER"
    ds.ConventionVersion = "1.0"
    ds.createDimension("frame", None)
    ds.createDimension("spatial", 3)
    ds.createDimension("atom", n)
    c = ds.createVariable("coordinates", coord_type, ("frame", "atom", "spatial"))
    c.units = "angstrom"
    c[:] = xyz.astype(coord_type)
    if with_time:
        tv = ds.createVariable("time", "f4", ("frame",))
        tv.units = "picosecond"
        tv[:] = t
    ds.close()

def read_ours(path):
    r = subprocess.run([prog, "--read", path], capture_output=True, text=True)
    if r.returncode != 0:
        return None, None, r.stderr.strip()
    fr, at = [], []
    for line in r.stdout.splitlines():
        w = line.split()
        if w[0] == "frame":
            fr.append(float(w[2]))
        elif w[0] == "atom":
            at.append([float(v) for v in w[1:4]])
    return np.array(fr), np.array(at).reshape(-1, n, 3), ""

files = []
for fmt in ["NETCDF3_CLASSIC", "NETCDF3_64BIT_OFFSET", "NETCDF3_64BIT_DATA",
            "NETCDF4"]:
    name = "nc4py_%s.nc" % fmt
    write(netCDF4.Dataset(name, "w", format=fmt))
    files.append((name, "f4"))
for v in (1, 2):
    name = "scipy_v%d.nc" % v
    write(scipy.io.netcdf_file(name, "w", version=v))
    files.append((name, "f4"))
write(netCDF4.Dataset("short_lone.nc", "w", format="NETCDF3_64BIT_OFFSET"),
      coord_type="i2", with_time=False)
files.append(("short_lone.nc", "i2"))
for name, ty in files:
    times, at, err = read_ours(name)
    if times is None:
        check(False, "%s: %s" % (name, err))
        continue
    want = xyz.astype(ty).astype(float)
    want_t = t * 1e3 if ty == "f4" else np.zeros(nf)  # ps -> fs
    check(at.shape == want.shape and np.array_equal(at, want) and
          np.allclose(times, want_t, rtol=1e-15, atol=0),
          "%s: %d frames read exactly" % (name, len(times)))
sys.exit(1 if fails else 0)
EOF

# --- 4. a damaged file gives one clear message, no crash --------------------
cp ours.nc cut.nc
truncate -s $(( $(stat -c %s ours.nc) * 2 / 3 )) cut.nc
expect_exit 1 "truncated trajectory refused" "$prog" --read cut.nc
expect_grep "message names the file and frame" 'cut\.nc: frame [0-9]+: ' "$T/err"

# --- 5. frames of other programs through the tools ----------------------------
# A triclinic cell (traj_nc reads its angles) and a NaN position are
# refused by every tool that takes the box or positions from a trajectory,
# naming file and frame (they ran on an orthorhombic box of the wrong
# volume; widom blamed the number of insertions). A LAMMPS `dump netcdf`
# file of an lj run (units attributes "lj", no soretkit_units) is read in
# lj units: the same profile and MSD as our own file of the same frames.
export OMP_NUM_THREADS=1
box-init --box 7,7,7 --count 250,20 --seed 4 -o lj.data
md-run --units lj --data lj.data --ensemble min -o ljmin.nc -q >/dev/null
md-run --units lj --data lj.data --from ljmin.nc.rst --ensemble nvt --temp 1 \
	--steps 200 --dump 50 -o lj.nc -q >/dev/null
pycheck <<'EOF2'
import sys
import numpy as np, netCDF4
src = netCDF4.Dataset("lj.nc"); src.set_auto_mask(False)
X, V = src["coordinates"][:], src["velocities"][:]
T, L = src["time"][:], src["cell_lengths"][:]
nf, n = X.shape[:2]
def write(name, angles=90.0, nan=False, lammps=False):
    ds = netCDF4.Dataset(name, "w", format="NETCDF3_64BIT_DATA" if lammps
                         else "NETCDF3_64BIT_OFFSET")
    ds.Conventions = "AMBER"; ds.ConventionVersion = "1.0"
    ds.program = "LAMMPS" if lammps else "test"; ds.programVersion = "1"
    if not lammps:
        ds.soretkit_units = "lj"
    for d, k in (("frame", None), ("atom", n), ("spatial", 3),
                 ("cell_spatial", 3), ("cell_angular", 3)):
        ds.createDimension(d, k)
    u = "lj" if lammps else None
    t = ds.createVariable("time", "f4", ("frame",))
    c = ds.createVariable("coordinates", "f4", ("frame", "atom", "spatial"))
    v = ds.createVariable("velocities", "f4", ("frame", "atom", "spatial"))
    cl = ds.createVariable("cell_lengths", "f8", ("frame", "cell_spatial"))
    ca = ds.createVariable("cell_angles", "f8", ("frame", "cell_angular"))
    for var, un in ((t, "picosecond"), (c, "angstrom"), (cl, "angstrom"),
                    (v, "angstrom/picosecond"), (ca, "degree")):
        var.units = u if u and var is not ca else un
    if lammps:  # time = step, scale_factor dt (dump_netcdf.cpp)
        t.scale_factor = np.float32(0.005)
        t.set_auto_scale(False)
        t[:] = np.round(T / 0.005)
    else:
        t[:] = T
    xx = X.copy()
    if nan:
        xx[-1, 3, 1] = np.nan
    c[:] = xx; v[:] = V; cl[:] = L
    ca[:] = np.broadcast_to(np.asarray(angles, float), (nf, 3))
    ds.close()
write("tric.nc", angles=[90, 90, 100])
write("nan.nc", nan=True)
write("lmp_lj.nc", lammps=True)
print("ok - foreign frames written")
EOF2
for f in tric nan; do
	what="cell angles 90 90 100: only orthorhombic"
	[ $f = nan ] && what="atom 4: position y is nan"
	expect_exit 1 "md-run --from $f.nc refused" md-run --units lj --data lj.data \
		--from $f.nc --steps 0 -q
	expect_grep "md-run: names $f.nc, frame and cause" "$f\.nc: frame 4: $what" "$T/err"
	expect_exit 1 "ehex-gradient --from $f.nc refused" ehex-gradient --units lj \
		--data lj.data --from $f.nc --cold 0:1.5 --hot 3.5:5 --flux 0.1 --steps 0 -q
	expect_grep "ehex-gradient: names $f.nc, frame and cause" "$f\.nc: frame 4: $what" "$T/err"
	expect_exit 1 "fep-window on $f.nc refused" fep-window --units lj --data lj.data \
		--traj $f.nc --decouple type:2 --lambdas 1,0 --state 0 --temp 1 -q -o fw.txt
	expect_grep "fep-window: names $f.nc, frame and cause" "$f\.nc: frame [04]: $what" "$T/err"
	expect_absent "fep-window on $f.nc: no table left" fw.txt
	expect_exit 1 "widom on $f.nc refused" widom --units lj --data lj.data \
		--traj $f.nc --temp 1 --insert 20 -q
	expect_grep "widom: names $f.nc, frame and cause" "$f\.nc: frame [04]: $what" "$T/err"
done
for tool in profile-bin msd; do
	opt=; [ $tool = profile-bin ] && opt="--bins 4"
	$tool --units lj --data lj.data $opt lj.nc -q | grep -v '^#' >ours.txt
	expect_ok "$tool --units lj reads LAMMPS lj-units dump netcdf" \
		$tool --units lj --data lj.data $opt lmp_lj.nc -q
	# LAMMPS's time is step * float(dt): lags agree to float precision
	if grep -v '^#' "$T/out" | paste -d' ' - ours.txt | awk '
		{ h = NF / 2; if (h < 2 || h != int(h)) exit 1
		  for (i = 1; i <= h; i++) { d = $i - $(i + h); a = $(i + h)
		    if (d < 0) d = -d; if (a < 0) a = -a; if (d > 1e-7 * a) exit 1 } }
		END { if (NR == 0) exit 1 }'; then
		ok "$tool: LAMMPS lj file gives our numbers"
	else
		notok "$tool: LAMMPS lj file: $(grep -v '^#' "$T/out" | head -2) vs $(head -2 ours.txt)"
	fi
done
finish
