/* test_traj_nc: AMBER NetCDF trajectories and restarts (common/traj_nc.c).
 *
 * Tolerances: float files round each value once to binary32, relative
 * error <= 2^-24; the unit conversion (one multiply on writing, one divide
 * on reading, in double) adds a few 2^-53, hence RT_FLOAT. Double files
 * and restarts must be exact.
 *
 * Also a helper for tests/cli/traj_nc_mdanalysis.sh:
 *   test_traj_nc --write PATH   write a known 3-frame real-unit trajectory
 *                               and print its values in file units
 *   test_traj_nc --read PATH    print every frame of PATH in engine units */
#include "check.h"
#include "traj_nc.h"

#include <netcdf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RT_FLOAT (0x1p-24 + 0x1p-50)

static char dir[64];

static const char *in_dir(char *buf, const char *name)
{
	snprintf(buf, 256, "%s/%s", dir, name);
	return buf;
}

static int exists(const char *p)
{
	return access(p, F_OK) == 0;
}

/* Deterministic values with full mantissas (not short binary fractions,
 * which would round-trip through float by luck). */
static double val(size_t i, size_t k, int c)
{
	return 10.0 * sin(1.1 * (double)i + 0.7 * (double)k + 0.37 * c) + 0.1 * c;
}

static void fill(struct frame *f, size_t k, double dt)
{
	for (size_t i = 0; i < f->natoms; i++) {
		f->x[i] = val(i, k, 0) + 20.0;
		f->y[i] = val(i, k, 1);
		f->z[i] = val(i, k, 2) * 3.0;
		if (f->vx) {
			f->vx[i] = val(i, k, 3) * 1e-3;
			f->vy[i] = val(i, k, 4) * 1e-3;
			f->vz[i] = val(i, k, 5) * 1e-3;
		}
	}
	f->time = dt * (double)(k + 1) / 3.0;
	f->has_cell = 1;
	f->cell[0] = 30.0 + val(0, k, 6);
	f->cell[1] = 31.0 + val(1, k, 6);
	f->cell[2] = 60.0 + val(2, k, 6);
	f->angle[0] = f->angle[1] = f->angle[2] = 90.0;
}

/* max relative error over all coordinates (and velocities) */
static double max_rel(const struct frame *a, const struct frame *b, int vel)
{
	double m = 0;
	for (size_t i = 0; i < a->natoms; i++) {
		const double *pa[6] = { a->x, a->y, a->z, a->vx, a->vy, a->vz };
		const double *pb[6] = { b->x, b->y, b->z, b->vx, b->vy, b->vz };
		for (int c = vel ? 3 : 0; c < (vel ? 6 : 3); c++) {
			double d = fabs(pa[c][i] - pb[c][i]) / fabs(pb[c][i]);
			if (!(d <= m))
				m = d; /* NaN propagates as a failure */
		}
	}
	return m;
}

static int same_bits(const struct frame *a, const struct frame *b, int vel)
{
	size_t n = a->natoms * sizeof(double);
	int ok = !memcmp(a->x, b->x, n) && !memcmp(a->y, b->y, n) &&
		 !memcmp(a->z, b->z, n);
	if (vel)
		ok = ok && !memcmp(a->vx, b->vx, n) && !memcmp(a->vy, b->vy, n) &&
		     !memcmp(a->vz, b->vz, n);
	return ok;
}

/* write nframes frames of fill() */
static int write_traj(const char *path, size_t natoms, size_t nframes, int vel,
		      int prec, const struct units *u, struct err *e)
{
	struct traj_nc *t;
	struct frame f;
	if (frame_alloc(&f, natoms, vel, e) < 0)
		return -1;
	if (traj_nc_create(&t, path, natoms, vel, prec, u, "test", e) < 0) {
		frame_free(&f);
		return -1;
	}
	for (size_t k = 0; k < nframes; k++) {
		fill(&f, k, 1000.0);
		if (traj_nc_append(t, &f, e) < 0) {
			traj_nc_abort(t);
			frame_free(&f);
			return -1;
		}
	}
	frame_free(&f);
	return traj_nc_close(t, e);
}

static int gtext_is(int ncid, int var, const char *name, const char *want)
{
	char buf[256] = { 0 };
	size_t len;
	if (nc_inq_attlen(ncid, var, name, &len) || len >= sizeof buf ||
	    nc_get_att_text(ncid, var, name, buf))
		return 0;
	return strcmp(buf, want) == 0;
}

static void test_float_real(void)
{
	char p[256], tmp[300];
	struct units u;
	struct err e = { "" };
	struct traj_nc *t;
	struct frame w, r;
	const size_t n = 7, nf = 4;
	units_set(&u, UNITS_REAL);
	in_dir(p, "real.nc");
	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	frame_alloc(&w, n, 1, &e);
	frame_alloc(&r, n, 1, &e);
	int rc = traj_nc_create(&t, p, n, 1, TRAJ_FLOAT, &u, "float real", &e);
	CHECK(rc == 0, "create float real trajectory (%s)", e.msg);
	if (rc)
		return;
	for (size_t k = 0; k < nf; k++) {
		fill(&w, k, 1000.0);
		if (k == 2)
			w.has_cell = 0;
		rc |= traj_nc_append(t, &w, &e);
	}
	CHECK(rc == 0, "append %zu frames (%s)", nf, e.msg);
	CHECK(traj_nc_sync(t, &e) == 0, "sync (%s)", e.msg);
	CHECK(exists(tmp) && !exists(p), "writer uses path.tmp until close");
	CHECK(traj_nc_close(t, &e) == 0, "close (%s)", e.msg);
	CHECK(exists(p) && !exists(tmp), "close renames path.tmp to path");

	/* the file as other programs see it */
	int ncid, fmt, var;
	CHECK(nc_open(p, NC_NOWRITE, &ncid) == 0, "nc_open our file");
	nc_inq_format(ncid, &fmt);
	CHECK(fmt == NC_FORMAT_64BIT_OFFSET, "format is 64-bit offset (%d)", fmt);
	CHECK(gtext_is(ncid, NC_GLOBAL, "Conventions", "AMBER"), "Conventions AMBER");
	CHECK(gtext_is(ncid, NC_GLOBAL, "ConventionVersion", "1.0"), "ConventionVersion 1.0");
	CHECK(gtext_is(ncid, NC_GLOBAL, "program", "soretkit"), "program soretkit");
	CHECK(gtext_is(ncid, NC_GLOBAL, "soretkit_units", "real"), "soretkit_units real");
	CHECK(gtext_is(ncid, NC_GLOBAL, "title", "float real"), "title");
	nc_inq_varid(ncid, "velocities", &var);
	CHECK(gtext_is(ncid, var, "units", "angstrom/picosecond"), "velocity units");
	nc_inq_varid(ncid, "cell_angles", &var);
	CHECK(gtext_is(ncid, var, "units", "degree"), "cell_angles units degree");
	char xyz[4] = { 0 }, ang[16] = { 0 };
	nc_inq_varid(ncid, "spatial", &var);
	nc_get_var_text(ncid, var, xyz);
	nc_inq_varid(ncid, "cell_angular", &var);
	nc_get_var_text(ncid, var, ang);
	CHECK(strcmp(xyz, "xyz") == 0 && strcmp(ang, "alphabeta gamma") == 0,
	      "label variables: '%s' '%s'", xyz, ang);
	float fv, ft;
	nc_inq_varid(ncid, "velocities", &var);
	nc_get_var1_float(ncid, var, (size_t[]){ 1, 2, 0 }, &fv);
	nc_inq_varid(ncid, "time", &var);
	nc_get_var1_float(ncid, var, (size_t[]){ 1 }, &ft);
	fill(&w, 1, 1000.0);
	/* stored in Å/ps and ps: engine Å/fs * 1000, fs / 1000 */
	CHECK_CLOSE(fv, w.vx[2] * 1e3, RT_FLOAT, 0, "raw velocity in angstrom/picosecond");
	CHECK_CLOSE(ft, w.time * 1e-3, RT_FLOAT, 0, "raw time in picosecond");
	nc_close(ncid);

	CHECK(traj_nc_open(&t, p, &e) == 0, "open (%s)", e.msg);
	CHECK(traj_nc_nframes(t) == nf && traj_nc_natoms(t) == n && traj_nc_has_vel(t) &&
	      traj_nc_units(t) == UNITS_REAL, "nframes %zu natoms %zu vel units",
	      traj_nc_nframes(t), traj_nc_natoms(t));
	for (size_t k = 0; k < nf; k++) {
		fill(&w, k, 1000.0);
		rc = traj_nc_read(t, k, &r, &e);
		CHECK(rc == 0, "read frame %zu (%s)", k, e.msg);
		double ex = max_rel(&r, &w, 0), ev = max_rel(&r, &w, 1);
		CHECK(ex <= RT_FLOAT, "frame %zu positions rel err %g <= 2^-24", k, ex);
		CHECK(ev <= RT_FLOAT, "frame %zu velocities (A/fs) rel err %g <= 2^-24", k, ev);
		CHECK_CLOSE(r.time, w.time, RT_FLOAT, 0, "frame time (fs)");
		if (k == 2) {
			CHECK(r.has_cell == 0, "frame without cell reads has_cell 0");
		} else {
			CHECK(r.has_cell && r.cell[0] == w.cell[0] && r.cell[1] == w.cell[1] &&
			      r.cell[2] == w.cell[2] && r.angle[0] == 90.0 &&
			      r.angle[2] == 90.0, "frame %zu cell exact (double)", k);
		}
	}
	/* a frame without velocity arrays skips them */
	struct frame nv;
	frame_alloc(&nv, n, 0, &e);
	fill(&w, 0, 1000.0);
	CHECK(traj_nc_read(t, 0, &nv, &e) == 0 && max_rel(&nv, &w, 0) <= RT_FLOAT,
	      "read into a frame without velocity arrays (%s)", e.msg);
	frame_free(&nv);
	rc = traj_nc_read(t, nf, &r, &e);
	CHECK(rc == -1 && strstr(e.msg, "out of range") && strstr(e.msg, p),
	      "frame index out of range: %s", e.msg);
	/* any numeric variable can be read as an "extra", all frames */
	double *tv = NULL;
	size_t ntv = 0;
	rc = traj_nc_read_extra(t, "time", &tv, &ntv, &e);
	fill(&w, 3, 1000.0);
	CHECK(rc == 0 && ntv == nf && fabs(tv[3] - w.time * 1e-3) <= RT_FLOAT * tv[3],
	      "read_extra on a trajectory variable: %zu values, last %g ps", ntv,
	      ntv ? tv[ntv - 1] : 0.0);
	free(tv);
	CHECK(traj_nc_read_extra(t, "spatial", &tv, &ntv, &e) == -1 && strstr(e.msg, "numeric"),
	      "read_extra of a text variable: %s", e.msg);
	traj_nc_close(t, &e);

	/* an empty trajectory of a large system is a valid file */
	in_dir(p, "empty.nc");
	CHECK(traj_nc_create(&t, p, 200000, 1, TRAJ_FLOAT, &u, NULL, &e) == 0 &&
	      traj_nc_close(t, &e) == 0, "create and close with no frames (%s)", e.msg);
	CHECK(traj_nc_open(&t, p, &e) == 0 && traj_nc_nframes(t) == 0 &&
	      traj_nc_natoms(t) == 200000, "empty trajectory: 0 frames (%s)", e.msg);
	traj_nc_close(t, &e);
	frame_free(&w);
	frame_free(&r);
}

static void test_double_lj(void)
{
	char p[256];
	struct units u;
	struct err e = { "" };
	struct traj_nc *t;
	struct frame w, r;
	const size_t n = 5, nf = 3;
	units_set(&u, UNITS_LJ);
	in_dir(p, "lj.nc");
	CHECK(write_traj(p, n, nf, 1, TRAJ_DOUBLE, &u, &e) == 0,
	      "write double lj trajectory (%s)", e.msg);
	frame_alloc(&w, n, 1, &e);
	frame_alloc(&r, n, 1, &e);
	CHECK(traj_nc_open(&t, p, &e) == 0, "open (%s)", e.msg);
	CHECK(traj_nc_units(t) == UNITS_LJ, "units lj from soretkit_units");
	int exact = 1;
	for (size_t k = 0; k < nf; k++) {
		fill(&w, k, 1000.0);
		exact &= traj_nc_read(t, k, &r, &e) == 0 && same_bits(&r, &w, 1);
		/* time is stored as float by the AMBER convention */
		CHECK_CLOSE(r.time, w.time, RT_FLOAT, 0, "lj time unchanged");
	}
	CHECK(exact, "double positions and velocities exact, lj unconverted");
	traj_nc_close(t, &e);
	int ncid, var;
	double v;
	nc_open(p, NC_NOWRITE, &ncid);
	CHECK(gtext_is(ncid, NC_GLOBAL, "soretkit_units", "lj"), "soretkit_units lj");
	nc_inq_varid(ncid, "velocities", &var);
	nc_get_var1_double(ncid, var, (size_t[]){ 2, 4, 1 }, &v);
	fill(&w, 2, 1000.0);
	CHECK(v == w.vy[4], "lj velocity stored unconverted");
	nc_close(ncid);

	/* no velocities in the file: asking for them is an error */
	in_dir(p, "novel.nc");
	CHECK(write_traj(p, n, 2, 0, TRAJ_FLOAT, &u, &e) == 0, "write without velocities");
	CHECK(traj_nc_open(&t, p, &e) == 0 && !traj_nc_has_vel(t), "has_vel 0");
	CHECK(traj_nc_read(t, 0, &r, &e) == -1 && strstr(e.msg, "velocities"),
	      "velocities requested, none in file: %s", e.msg);
	traj_nc_close(t, &e);
	frame_free(&w);
	frame_free(&r);
}

/* the frames of path (engine units), bit for bit equal to fill(k) floats? */
static void test_append(void)
{
	char p[256], tmp[300], moved[300];
	struct units u, lj;
	struct err e = { "" };
	struct traj_nc *t, *orig;
	struct frame w, r, o;
	const size_t n = 6;
	units_set(&u, UNITS_REAL);
	units_set(&lj, UNITS_LJ);
	in_dir(p, "app.nc");
	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	snprintf(moved, sizeof moved, "%s.orig", p);
	frame_alloc(&w, n, 1, &e);
	frame_alloc(&r, n, 1, &e);
	frame_alloc(&o, n, 1, &e);
	CHECK(write_traj(p, n, 5, 1, TRAJ_FLOAT, &u, &e) == 0, "write 5 frames");
	/* keep a copy to compare the kept frames with, bit for bit */
	CHECK(write_traj(moved, n, 5, 1, TRAJ_FLOAT, &u, &e) == 0, "write reference copy");

	CHECK(traj_nc_append_open(&t, p, 3, &u, &e) == 0, "append_open keep 3 (%s)", e.msg);
	for (size_t k = 0; k < 2; k++) {
		fill(&w, k + 10, 1000.0);
		CHECK(traj_nc_append(t, &w, &e) == 0, "append after resume (%s)", e.msg);
	}
	CHECK(traj_nc_close(t, &e) == 0 && !exists(tmp), "close resumed writer (%s)", e.msg);
	CHECK(traj_nc_open(&t, p, &e) == 0 && traj_nc_nframes(t) == 5,
	      "resumed file has 3 + 2 frames (%s)", e.msg);
	traj_nc_open(&orig, moved, &e);
	int ok = 1;
	for (size_t k = 0; k < 3; k++)
		ok &= traj_nc_read(t, k, &r, &e) == 0 && traj_nc_read(orig, k, &o, &e) == 0 &&
		      same_bits(&r, &o, 1) && r.time == o.time && r.cell[2] == o.cell[2];
	CHECK(ok, "kept frames copied bit for bit");
	for (size_t k = 3; k < 5; k++) {
		fill(&w, k + 7, 1000.0);
		ok = traj_nc_read(t, k, &r, &e) == 0;
		CHECK(ok && max_rel(&r, &w, 1) <= RT_FLOAT && max_rel(&r, &w, 0) <= RT_FLOAT,
		      "appended frame %zu", k);
	}
	traj_nc_close(t, &e);
	traj_nc_close(orig, &e);

	/* an interrupted run left only path.tmp */
	CHECK(rename(p, tmp) == 0, "simulate an interrupted run");
	CHECK(traj_nc_append_open(&t, p, 4, &u, &e) == 0, "append_open from path.tmp (%s)", e.msg);
	CHECK(traj_nc_close(t, &e) == 0 && exists(p) && !exists(tmp), "path.tmp finished as path");
	CHECK(traj_nc_open(&t, p, &e) == 0 && traj_nc_nframes(t) == 4, "4 frames kept");
	traj_nc_close(t, &e);

	/* a run stopped by a signal detaches: path.tmp stays for the resume */
	in_dir(p, "det.nc");
	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	CHECK(traj_nc_create(&t, p, n, 1, TRAJ_FLOAT, &u, NULL, &e) == 0, "create det.nc");
	for (size_t k = 0; k < 3; k++) {
		fill(&w, k, 1000.0);
		traj_nc_append(t, &w, &e);
	}
	CHECK(traj_nc_detach(t) == 0 && exists(tmp) && !exists(p),
	      "detach keeps path.tmp, no final file");
	CHECK(traj_nc_append_open(&t, p, 2, &u, &e) == 0, "resume a detached file (%s)", e.msg);
	fill(&w, 20, 1000.0);
	traj_nc_append(t, &w, &e);
	CHECK(traj_nc_close(t, &e) == 0 && exists(p) && !exists(tmp), "resumed file closed");
	CHECK(traj_nc_open(&t, p, &e) == 0 && traj_nc_nframes(t) == 3 &&
	      traj_nc_read(t, 2, &r, &e) == 0 && max_rel(&r, &w, 1) <= RT_FLOAT,
	      "detached + resumed: 2 kept frames and the new one");
	traj_nc_close(t, &e);
	in_dir(p, "app.nc");
	snprintf(tmp, sizeof tmp, "%s.tmp", p);

	/* keep 0: an empty trajectory that grows */
	CHECK(traj_nc_append_open(&t, p, 0, &u, &e) == 0, "append_open keep 0 (%s)", e.msg);
	fill(&w, 0, 1000.0);
	traj_nc_append(t, &w, &e);
	traj_nc_close(t, &e);
	CHECK(traj_nc_open(&t, p, &e) == 0 && traj_nc_nframes(t) == 1, "keep 0 then 1 frame");
	traj_nc_close(t, &e);

	CHECK(traj_nc_append_open(&t, p, 2, &u, &e) == -1 && strstr(e.msg, "cannot keep 2"),
	      "nkeep beyond the file: %s", e.msg);
	CHECK(!exists(tmp), "failed append_open leaves no temporary file");
	CHECK(traj_nc_append_open(&t, p, 1, &lj, &e) == -1 && strstr(e.msg, "units"),
	      "resume with other units: %s", e.msg);
	in_dir(p, "none.nc");
	CHECK(traj_nc_append_open(&t, p, 0, &u, &e) == -1 && strstr(e.msg, "none.nc"),
	      "append_open missing file: %s", e.msg);

	/* abort deletes the temporary file and keeps the finished file */
	in_dir(p, "app.nc");
	CHECK(traj_nc_append_open(&t, p, 1, &u, &e) == 0, "append_open again");
	traj_nc_abort(t);
	CHECK(exists(p) && !exists(tmp), "abort removes path.tmp, keeps path");
	frame_free(&w);
	frame_free(&r);
	frame_free(&o);
}

static void test_restart(void)
{
	char p[256], tmp[300];
	struct units u;
	struct err e = { "" };
	struct traj_nc *t;
	struct frame w, r;
	const size_t n = 9;
	units_set(&u, UNITS_REAL);
	in_dir(p, "rst.nc");
	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	frame_alloc(&w, n, 1, &e);
	frame_alloc(&r, n, 1, &e);
	fill(&w, 3, 1.0);
	w.time = 123456.789 / 7.0; /* fs; not exact in ps */
	w.angle[1] = 109.47122063449069;
	double step = 1234567, eta[3] = { 0.1 / 3, -2.0 / 7, 1e300 },
	       rng[5] = { 1.0 / 3, 2.0 / 3, 0x1.fffffffffffffp-1, -0.0, 4.9e-324 };
	struct nc_extra x[4] = { { "soretkit_step", 1, &step }, { "nhc_eta", 3, eta },
				 { "rng_state", 5, rng }, { "ehex_empty", 0, NULL } };
	/* a text as FFTW wisdom looks: newlines, parentheses, '#' */
	const char *wis = "(fftw-3.3.10 fftw_wisdom #x458a31c8\n  (fftw_codelet_r2cb_3 0 #x10bdd)\n)\n";
	struct nc_text tx[1] = { { "soretkit_fftw_wisdom", wis } };
	CHECK(traj_nc_write_restart(p, &w, &u, x, 4, tx, 1, &e) == 0, "write restart (%s)", e.msg);
	CHECK(exists(p) && !exists(tmp), "restart renamed into place");

	int ncid, fmt, dim, var;
	nc_open(p, NC_NOWRITE, &ncid);
	nc_inq_format(ncid, &fmt);
	CHECK(fmt == NC_FORMAT_64BIT_OFFSET && gtext_is(ncid, NC_GLOBAL, "Conventions",
							"AMBERRESTART"),
	      "restart: 64-bit offset, Conventions AMBERRESTART");
	CHECK(nc_inq_dimid(ncid, "frame", &dim) == NC_EBADDIM, "restart has no frame dimension");
	nc_type ty;
	nc_inq_varid(ncid, "coordinates", &var);
	nc_inq_vartype(ncid, var, &ty);
	int nd;
	nc_inq_varndims(ncid, var, &nd);
	CHECK(ty == NC_DOUBLE && nd == 2, "restart coordinates double [atom, spatial]");
	double v;
	nc_inq_varid(ncid, "velocities", &var);
	nc_get_var1_double(ncid, var, (size_t[]){ 4, 2 }, &v);
	CHECK(v == w.vz[4] * 1e3, "restart velocities in angstrom/picosecond");
	nc_close(ncid);

	CHECK(traj_nc_open(&t, p, &e) == 0 && traj_nc_nframes(t) == 1 && traj_nc_has_vel(t),
	      "open restart: 1 frame (%s)", e.msg);
	CHECK(traj_nc_read(t, 0, &r, &e) == 0, "read restart frame 0 (%s)", e.msg);
	CHECK(same_bits(&r, &w, 1) && r.time == w.time, "restart positions, velocities, time exact");
	CHECK(r.has_cell && !memcmp(r.cell, w.cell, sizeof r.cell) &&
	      !memcmp(r.angle, w.angle, sizeof r.angle), "restart cell exact");
	CHECK(traj_nc_read(t, 1, &r, &e) == -1 && strstr(e.msg, "out of range"),
	      "restart frame 1: %s", e.msg);
	for (int i = 0; i < 4; i++) {
		double *got = NULL;
		size_t m = 99;
		int rc = traj_nc_read_extra(t, x[i].name, &got, &m, &e);
		CHECK(rc == 0 && m == x[i].n && (m == 0 || !memcmp(got, x[i].val, m * sizeof *got)),
		      "extra %s: %zu values exact", x[i].name, m);
		free(got);
	}
	double *got = NULL;
	size_t m = 5;
	CHECK(traj_nc_read_extra(t, "no_such", &got, &m, &e) == 1 && !got && m == 0,
	      "absent extra returns 1");
	char *txt = NULL;
	CHECK(traj_nc_read_text(t, "soretkit_fftw_wisdom", &txt, &e) == 0 && txt &&
	      !strcmp(txt, wis), "extra text round trip (%s)", e.msg);
	free(txt);
	txt = NULL;
	CHECK(traj_nc_read_text(t, "no_such", &txt, &e) == 1 && !txt, "absent text returns 1");
	traj_nc_close(t, &e);

	/* names netCDF refuses, or ours, are errors, and leave nothing behind */
	struct nc_extra bad[1] = { { "coordinates", 1, &step } };
	CHECK(traj_nc_write_restart(p, &w, &u, bad, 1, NULL, 0, &e) == -1 && strstr(e.msg, "coordinates"),
	      "extra clashing with a variable: %s", e.msg);
	CHECK(!exists(tmp) && exists(p), "failed restart write leaves the old file");

	/* AMBER (pmemd) restarts store velocities in internal units with
	 * scale_factor 20.455 (Å/ps per internal unit); made here by hand */
	in_dir(p, "amber.rst7.nc");
	int ad, sd, vx, cx;
	nc_create(p, NC_CLOBBER | NC_64BIT_OFFSET, &ncid);
	nc_put_att_text(ncid, NC_GLOBAL, "Conventions", 12, "AMBERRESTART");
	nc_put_att_text(ncid, NC_GLOBAL, "ConventionVersion", 3, "1.0");
	nc_def_dim(ncid, "spatial", 3, &sd);
	nc_def_dim(ncid, "atom", 2, &ad);
	nc_def_var(ncid, "coordinates", NC_DOUBLE, 2, (int[]){ ad, sd }, &cx);
	nc_def_var(ncid, "velocities", NC_DOUBLE, 2, (int[]){ ad, sd }, &vx);
	nc_put_att_double(ncid, vx, "scale_factor", NC_DOUBLE, 1, (double[]){ 20.455 });
	nc_enddef(ncid);
	double xs[6] = { 1, 2, 3, 4, 5, 6 }, vs[6] = { 0.5, -1, 2, 0, 1e-3, 3 };
	nc_put_var_double(ncid, cx, xs);
	nc_put_var_double(ncid, vx, vs);
	nc_close(ncid);
	struct frame a;
	frame_alloc(&a, 2, 1, &e);
	e.msg[0] = '\0';
	CHECK(traj_nc_open(&t, p, &e) == 0 && traj_nc_read(t, 0, &a, &e) == 0,
	      "read an AMBER-style restart (%s)", e.msg);
	CHECK_CLOSE(a.vx[0], 0.5 * 20.455 / 1e3, 1e-15, 0, "scale_factor 20.455 honoured (A/fs)");
	CHECK_CLOSE(a.vz[1], 3 * 20.455 / 1e3, 1e-15, 0, "scale_factor on another atom");
	CHECK(a.has_cell == 0 && a.time == 0.0 && a.z[1] == 6.0, "no cell, no time: defaults");
	traj_nc_close(t, &e);
	frame_free(&a);
	frame_free(&w);
	frame_free(&r);
}

static void test_errors(void)
{
	char p[256];
	struct units u;
	struct err e = { "" };
	struct traj_nc *t = NULL;
	struct frame f, big;
	units_set(&u, UNITS_REAL);

	in_dir(p, "missing.nc");
	CHECK(traj_nc_open(&t, p, &e) == -1 && strstr(e.msg, p) && t == NULL,
	      "missing file: %s", e.msg);
	in_dir(p, "text.nc");
	FILE *fp = fopen(p, "w");
	fputs("# z T\n1 2\n", fp);
	fclose(fp);
	CHECK(traj_nc_open(&t, p, &e) == -1 && strstr(e.msg, p), "not a netCDF file: %s", e.msg);

	/* a netCDF file of another convention */
	int ncid, dim, var;
	in_dir(p, "cf.nc");
	nc_create(p, NC_CLOBBER | NC_64BIT_OFFSET, &ncid);
	nc_put_att_text(ncid, NC_GLOBAL, "Conventions", 6, "CF-1.8");
	nc_def_dim(ncid, "atom", 3, &dim);
	nc_def_var(ncid, "coordinates", NC_FLOAT, 1, &dim, &var);
	nc_close(ncid);
	CHECK(traj_nc_open(&t, p, &e) == -1 && strstr(e.msg, "CF-1.8"),
	      "wrong Conventions: %s", e.msg);
	in_dir(p, "noconv.nc");
	nc_create(p, NC_CLOBBER | NC_64BIT_OFFSET, &ncid);
	nc_close(ncid);
	CHECK(traj_nc_open(&t, p, &e) == -1 && strstr(e.msg, "Conventions"),
	      "no Conventions: %s", e.msg);
	in_dir(p, "nocoord.nc");
	nc_create(p, NC_CLOBBER | NC_64BIT_OFFSET, &ncid);
	nc_put_att_text(ncid, NC_GLOBAL, "Conventions", 5, "AMBER");
	nc_def_dim(ncid, "atom", 3, &dim);
	nc_close(ncid);
	CHECK(traj_nc_open(&t, p, &e) == -1 && strstr(e.msg, "coordinates"),
	      "no coordinates: %s", e.msg);

	/* atom count mismatch, reading and writing */
	in_dir(p, "seven.nc");
	CHECK(write_traj(p, 7, 2, 1, TRAJ_FLOAT, &u, &e) == 0, "write 7 atoms");
	frame_alloc(&f, 8, 1, &e);
	CHECK(traj_nc_open(&t, p, &e) == 0, "open 7 atoms");
	CHECK(traj_nc_read(t, 0, &f, &e) == -1 && strstr(e.msg, "atoms"),
	      "read into a frame of 8 atoms: %s", e.msg);
	traj_nc_close(t, &e);
	CHECK(traj_nc_create(&t, p, 7, 1, TRAJ_FLOAT, &u, NULL, &e) == 0, "create 7 atoms");
	CHECK(traj_nc_append(t, &f, &e) == -1 && strstr(e.msg, "atoms"),
	      "append a frame of 8 atoms: %s", e.msg);
	traj_nc_abort(t);
	frame_free(&f);

	/* a file cut short (interrupted copy, full disk): netCDF-3 opens it
	 * and would read zeros past the end; every frame beyond the cut must
	 * be an error, every frame before it correct */
	const size_t n = 50, nf = 6;
	in_dir(p, "cut.nc");
	CHECK(write_traj(p, n, nf, 1, TRAJ_FLOAT, &u, &e) == 0, "write %zu frames", nf);
	struct stat st;
	stat(p, &st);
	CHECK(truncate(p, st.st_size / 2) == 0, "truncate to half (%lld bytes)",
	      (long long)st.st_size / 2);
	frame_alloc(&f, n, 1, &e);
	frame_alloc(&big, n, 1, &e);
	if (traj_nc_open(&t, p, &e) < 0) {
		CHECK(strstr(e.msg, p) != NULL, "truncated file refused at open: %s", e.msg);
	} else {
		size_t nbad = 0, nwrong = 0;
		for (size_t k = 0; k < nf; k++) {
			e.msg[0] = '\0';
			int rc = traj_nc_read(t, k, &f, &e);
			char want[300];
			snprintf(want, sizeof want, "%s: frame %zu: ", p, k);
			if (rc < 0) {
				nbad++;
				CHECK(strncmp(e.msg, want, strlen(want)) == 0,
				      "truncated file, frame %zu: %s", k, e.msg);
			} else {
				fill(&big, k, 1000.0);
				nwrong += !(max_rel(&f, &big, 0) <= RT_FLOAT &&
					    max_rel(&f, &big, 1) <= RT_FLOAT);
			}
		}
		CHECK(nbad >= nf / 2, "%zu of %zu frames past the cut refused", nbad, nf);
		CHECK(nwrong == 0, "frames before the cut read correctly (%zu wrong)", nwrong);
		double *all = NULL;
		size_t nall = 0;
		CHECK(traj_nc_read_extra(t, "velocities", &all, &nall, &e) == -1 &&
		      strstr(e.msg, "truncated") && !all,
		      "read_extra of a cut variable: %s", e.msg);
		traj_nc_close(t, &e);
	}
	CHECK(truncate(p, 40) == 0, "truncate into the header");
	CHECK(traj_nc_open(&t, p, &e) == -1 && strstr(e.msg, p), "header cut: %s", e.msg);
	frame_free(&f);
	frame_free(&big);
}

/* ---- helpers for the MDAnalysis cross-check ------------------------------ */

static int write_known(const char *path)
{
	struct units u;
	struct err e;
	struct traj_nc *t;
	struct frame f;
	const size_t n = 4;
	units_set(&u, UNITS_REAL);
	if (frame_alloc(&f, n, 1, &e) < 0 ||
	    traj_nc_create(&t, path, n, 1, TRAJ_FLOAT, &u, "mdanalysis check", &e) < 0) {
		fprintf(stderr, "test_traj_nc: %s\n", e.msg);
		return 1;
	}
	/* print in file units (Å, ps, Å/ps), as MDAnalysis reports them */
	for (size_t k = 0; k < 3; k++) {
		fill(&f, k, 1000.0);
		f.angle[2] = 90.0 + 5.0 * (double)k;
		printf("frame %zu %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", k,
		       f.time * u.time_to_file, f.cell[0], f.cell[1], f.cell[2],
		       f.angle[0], f.angle[1], f.angle[2]);
		for (size_t i = 0; i < n; i++)
			printf("atom %.17g %.17g %.17g %.17g %.17g %.17g\n", f.x[i],
			       f.y[i], f.z[i], f.vx[i] * u.vel_to_file,
			       f.vy[i] * u.vel_to_file, f.vz[i] * u.vel_to_file);
		if (traj_nc_append(t, &f, &e) < 0) {
			fprintf(stderr, "test_traj_nc: %s\n", e.msg);
			traj_nc_abort(t);
			return 1;
		}
	}
	frame_free(&f);
	if (traj_nc_close(t, &e) < 0) {
		fprintf(stderr, "test_traj_nc: %s\n", e.msg);
		return 1;
	}
	return 0;
}

static int read_print(const char *path)
{
	struct err e;
	struct traj_nc *t;
	struct frame f;
	if (traj_nc_open(&t, path, &e) < 0) {
		fprintf(stderr, "test_traj_nc: %s\n", e.msg);
		return 1;
	}
	size_t n = traj_nc_natoms(t);
	int vel = traj_nc_has_vel(t);
	if (frame_alloc(&f, n, vel, &e) < 0) {
		fprintf(stderr, "test_traj_nc: %s\n", e.msg);
		traj_nc_close(t, NULL);
		return 1;
	}
	printf("natoms %zu nframes %zu units %s vel %d\n", n, traj_nc_nframes(t),
	       traj_nc_units(t) == UNITS_LJ ? "lj" : "real", vel);
	int rc = 0;
	for (size_t k = 0; k < traj_nc_nframes(t) && rc == 0; k++) {
		if (traj_nc_read(t, k, &f, &e) < 0) {
			fprintf(stderr, "test_traj_nc: %s\n", e.msg);
			rc = 1;
			break;
		}
		printf("frame %zu %.17g %d %.17g %.17g %.17g %.17g %.17g %.17g\n", k,
		       f.time, f.has_cell, f.cell[0], f.cell[1], f.cell[2],
		       f.angle[0], f.angle[1], f.angle[2]);
		for (size_t i = 0; i < n; i++)
			printf("atom %.17g %.17g %.17g %.17g %.17g %.17g\n", f.x[i],
			       f.y[i], f.z[i], vel ? f.vx[i] : 0.0,
			       vel ? f.vy[i] : 0.0, vel ? f.vz[i] : 0.0);
	}
	frame_free(&f);
	traj_nc_close(t, NULL);
	return rc;
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_traj_nc: cannot remove %s\n", dir);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_known(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--read") == 0)
		return read_print(argv[2]);
	snprintf(dir, sizeof dir, "/tmp/sk-traj-nc.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_float_real();
	test_double_lj();
	test_append();
	test_restart();
	test_errors();
	remove_dir();
	return check_done();
}
