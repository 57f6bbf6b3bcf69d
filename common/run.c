/* run: MD loop, outputs, checkpoint and exact resume (see run.h). */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "omp_util.h"
#include "constrain.h"
#include "table.h"
#include "traj_nc.h"

#define RUN_LAYOUT 1.0
#define HOOK_PACK_MAX 256

/* FNV-1a of n bytes into h. */
static uint64_t fnv_bytes(uint64_t h, const unsigned char *b, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		h ^= b[k];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The input file behind --data or --from, into the hash: the same command
 * line over a regenerated file (make rebuilds init.data after a kill) must
 * not resume the old checkpoint. Its size, and its bytes up to 2 MiB
 * (a data file is read whole), else the first and the last MiB (a --from
 * trajectory can be large; a different one differs in its last frame). A
 * file that cannot be read adds nothing: the tool reports it itself. */
static uint64_t hash_input_file(uint64_t h, const char *path)
{
	enum { PART = 1 << 20 };
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return h;
	unsigned char *buf = malloc(PART);
	long size = -1;
	if (buf && fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		h = fnv_bytes(h, (const unsigned char *)&size, sizeof size);
		size_t n;
		if (size <= 2L * PART) {
			while ((n = fread(buf, 1, PART, fp)) > 0)
				h = fnv_bytes(h, buf, n);
		} else {
			n = fread(buf, 1, PART, fp);
			h = fnv_bytes(h, buf, n);
			if (fseek(fp, size - PART, SEEK_SET) == 0) {
				n = fread(buf, 1, PART, fp);
				h = fnv_bytes(h, buf, n);
			}
		}
	}
	free(buf);
	fclose(fp);
	return h;
}

double run_command_hash(int argc, char **argv)
{
	/* FNV-1a over the arguments and the contents of the input files,
	 * truncated to 52 bits so that it is exact in a double. */
	uint64_t h = 1469598103934665603ULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "--data") || !strcmp(a, "--from")) && i + 1 < argc)
			h = hash_input_file(h, argv[i + 1]);
		else if (!strncmp(a, "--data=", 7) || !strncmp(a, "--from=", 7))
			h = hash_input_file(h, a + 7);
		if (!strcmp(a, "-q") || !strcmp(a, "--progress") ||
		    !strcmp(a, "--quiet"))
			continue;
		if (!strcmp(a, "--threads")) {
			i++;
			continue;
		}
		if (!strncmp(a, "--threads=", 10))
			continue;
		for (const char *c = a; *c; c++) {
			h ^= (unsigned char)*c;
			h *= 1099511628211ULL;
		}
		h ^= 0xff;
		h *= 1099511628211ULL;
	}
	return (double)(h >> 12);
}

static char *tmp_name(const char *path)
{
	size_t n = strlen(path) + 5;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s.tmp", path);
	return s;
}

static int tmp_exists(const char *path)
{
	char *t = tmp_name(path);
	int ok = t && access(t, F_OK) == 0;
	free(t);
	return ok;
}

struct thermo_out {
	FILE *fp;
	char *path, *tmp;      /* NULL for stdout */
	struct table_writer w;
	size_t ncol;
	char segment[1024];    /* provenance line of this process, at close */
};

/* The "# segment:" provenance line of this process: the steps it ran, its
 * wall time, the cores it held (the Slurm allocation's when inside one,
 * else its threads), host and Slurm job. A run stopped and resumed has
 * one line per process (a SIGKILLed one has none: it could not write), so
 * the table carries its whole cost wherever it ran. */
static void thermo_segment(struct thermo_out *t, long from, long to,
			   double wall)
{
	char host[256];
	if (gethostname(host, sizeof host) < 0)
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	int threads = omp_util_max_threads(), cpus = threads;
	const char *c = getenv("SLURM_CPUS_PER_TASK");
	if (c && *c) {
		char *end;
		long v = strtol(c, &end, 10);
		if (*end == '\0' && v > 0 && v < 1000000)
			cpus = (int)v;
	}
	const char *job = getenv("SLURM_JOB_ID");
	snprintf(t->segment, sizeof t->segment,
		 "# segment: steps=%ld-%ld wall=%.3fs cpus=%d threads=%d host=%s%s%s\n",
		 from, to, wall, cpus, threads, host,
		 job && *job ? " slurm_job_id=" : "", job && *job ? job : "");
}

/* At the end of a run: this segment and the total wall time of all. */
static int thermo_add_segment(struct thermo_out *t, int final, struct err *e)
{
	if (!t->tmp || !t->segment[0])
		return 0;
	char text[1200];
	snprintf(text, sizeof text, "%s", t->segment);
	if (final) {
		double total = 0;
		FILE *fp = fopen(t->tmp, "r");
		char line[1024];
		while (fp && fgets(line, sizeof line, fp) && line[0] == '#') {
			const char *w = strstr(line, " wall=");
			if (!strncmp(line, "# segment: ", 11) && w)
				total += strtod(w + 6, NULL);
		}
		if (fp)
			fclose(fp);
		const char *w = strstr(t->segment, " wall=");
		total += w ? strtod(w + 6, NULL) : 0;
		size_t l = strlen(text);
		snprintf(text + l, sizeof text - l, "# wall_time: %.3f s\n", total);
	}
	return table_file_insert_meta(t->tmp, text, e);
}

static void thermo_header(struct thermo_out *t, const struct md *m,
			  const struct run_opts *o, const struct run_hook *hk)
{
	const struct units *u = &m->sys->units;
	char c[16][64];
	const char *cols[32];
	size_t n = 0;
	snprintf(c[0], 64, "step");
	snprintf(c[1], 64, "time[%s]", u->u_time);
	snprintf(c[2], 64, "temp[%s]", u->u_temp);
	snprintf(c[3], 64, "pe[%s]", u->u_energy);
	snprintf(c[4], 64, "ke[%s]", u->u_energy);
	snprintf(c[5], 64, "etotal[%s]", u->u_energy);
	snprintf(c[6], 64, "press[%s]", u->u_press);
	snprintf(c[7], 64, "volume[%s^3]", u->u_dist);
	snprintf(c[8], 64, "econserved[%s]", u->u_energy);
	for (n = 0; n < 9; n++)
		cols[n] = c[n];
	/* Molecular systems: each energy term (LAMMPS thermo keywords). */
	static const char *const term[] = {"evdwl", "ecoul", "elong", "ebond",
					   "eangle", "edihed", "eimp"};
	if (m->ff)
		for (size_t k = 0; k < 7; k++, n++) {
			snprintf(c[n], 64, "%s[%s]", term[k], u->u_energy);
			cols[n] = c[n];
		}
	if (hk)
		for (size_t k = 0; k < hk->nthermo && n < 32; k++)
			cols[n++] = hk->thermo_cols[k];
	t->w.fp = t->fp;
	t->w.path = t->w.tmp = NULL;
	table_writer_provenance(&t->w, o->tool, SK_VERSION, o->argc, o->argv);
	table_writer_meta(&t->w, "units", "%s", u->name);
	table_writer_meta(&t->w, "natoms", "%zu", m->sys->natoms);
	table_writer_meta(&t->w, "dt", "%.17g %s", m->dt, u->u_time);
	if (m->ff) {
		char buf[512];
		forcefield_describe(m->ff, buf, sizeof buf);
		table_writer_meta(&t->w, "forcefield", "%s", buf);
	}
	if (m->cons) {
		const struct constrain *cs = m->cons;
		table_writer_meta(&t->w, "constrain", "%zu waters, %zu X-H "
				  "clusters, %zu constraints, dof %.17g; %s; "
				  "shake-tol %g shake-iter %ld", cs->nwater,
				  cs->ncl - cs->nwater, cs->ncons, m->sys->dof,
				  cs->o.shake_only ? "shake" : "rattle", cs->o.tol,
				  cs->o.max_iter);
	}
	if (hk && hk->describe)
		hk->describe(hk->ctx, &t->w);
	table_writer_header(&t->w, n, cols);
	t->ncol = n;
}

static void thermo_row(struct thermo_out *t, const struct md *m,
		       const struct integrator *it, const struct run_hook *hk)
{
	double v[32];
	double ke = md_ke(m->sys, m->st), pe = energy_pe(&m->en);
	v[0] = (double)m->st->step;
	v[1] = m->st->time;
	v[2] = md_temp(m->sys, m->st);
	v[3] = pe;
	v[4] = ke;
	v[5] = pe + ke;
	v[6] = md_pressure(m, ke);
	v[7] = md_volume(m->st);
	v[8] = it ? integrator_conserved(it, m) : pe + ke;
	size_t n = 9;
	if (m->ff) {
		const struct energy *en = &m->en;
		const double terms[7] = {en->evdwl, en->ecoul, en->elong, en->ebond,
				     en->eangle, en->edihed, en->eimp};
		for (size_t k = 0; k < 7; k++)
			v[n++] = terms[k];
	}
	if (hk && hk->thermo)
		hk->thermo(hk->ctx, m, v + n);
	t->w.ncol = t->ncol;
	table_writer_row(&t->w, v, 0);
}

/* Keep the comment lines and the data rows with step <= last_step. */
static int thermo_truncate(const char *tmp, long last_step, struct err *e)
{
	FILE *in = fopen(tmp, "r");
	if (!in)
		return err_set(e, "%s: cannot reopen for resume: %s", tmp,
			       strerror(errno));
	char *buf = NULL;
	size_t cap = 0, len = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	while ((n = getline(&line, &lcap, in)) > 0) {
		if (line[0] != '#') {
			char *end;
			long s = strtol(line, &end, 10);
			if (end == line || s > last_step || line[n - 1] != '\n')
				break;
		}
		if (len + (size_t)n + 1 > cap) {
			cap = 2 * (len + (size_t)n + 1);
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				free(line);
				fclose(in);
				return err_set(e, "out of memory");
			}
			buf = nb;
		}
		memcpy(buf + len, line, (size_t)n);
		len += (size_t)n;
	}
	free(line);
	fclose(in);
	FILE *out = fopen(tmp, "w");
	if (!out || (len && fwrite(buf, 1, len, out) != len) || fclose(out) != 0) {
		free(buf);
		return err_set(e, "%s: cannot rewrite for resume", tmp);
	}
	free(buf);
	return 0;
}

static int thermo_open(struct thermo_out *t, const char *path, int resume,
		       long last_step, struct err *e)
{
	memset(t, 0, sizeof *t);
	if (!path || !strcmp(path, "-")) {
		t->fp = stdout;
		return 0;
	}
	t->path = strdup(path);
	t->tmp = tmp_name(path);
	if (!t->path || !t->tmp)
		return err_set(e, "out of memory");
	if (resume && access(t->tmp, F_OK) == 0) {
		if (thermo_truncate(t->tmp, last_step, e) != 0)
			return -1;
		t->fp = fopen(t->tmp, "a");
	} else {
		t->fp = fopen(t->tmp, "w");
	}
	if (!t->fp)
		return err_set(e, "%s: %s", t->tmp, strerror(errno));
	return 1; /* header needed unless resumed; caller decides */
}

static int thermo_close(struct thermo_out *t, int keep, struct err *e)
{
	int rc = 0;
	if (t->fp == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = err_set(e, "stdout: write error: %s", strerror(errno));
	} else if (t->fp) {
		if (ferror(t->fp) | fclose(t->fp))
			rc = err_set(e, "%s: write error", t->tmp);
		else if (keep == 2 && thermo_add_segment(t, 1, e) != 0)
			rc = -1;
		else if (keep == 2 && rename(t->tmp, t->path) != 0)
			rc = err_set(e, "%s: rename: %s", t->path, strerror(errno));
	}
	free(t->path);
	free(t->tmp);
	t->fp = NULL;
	return rc;
}

static void frame_of_state(struct frame *f, const struct state *st)
{
	memset(f, 0, sizeof *f);
	f->natoms = st->n;
	f->x = st->x;
	f->y = st->y;
	f->z = st->z;
	f->vx = st->vx;
	f->vy = st->vy;
	f->vz = st->vz;
	f->time = st->time;
	f->has_cell = 1;
	for (int a = 0; a < 3; a++) {
		f->cell[a] = st->len[a];
		f->angle[a] = 90.0;
	}
}

/* f holds the state in input order (md.h: orig): with the atoms
 * renumbered, positions and velocities are copied into buf (6n) in input
 * order; wrap also wraps the positions into the box. */
static void frame_input_order(struct frame *f, const struct md *m,
			      double *buf, int wrap)
{
	const struct state *st = m->st;
	const size_t n = st->n;
	const int *orig = m->orig;
	frame_of_state(f, st);
	if (!orig && !wrap)
		return;
	double *x = buf, *y = buf + n, *z = buf + 2 * n;
	for (size_t i = 0; i < n; i++) {
		size_t o = orig ? (size_t)orig[i] : i;
		x[o] = st->x[i];
		y[o] = st->y[i];
		z[o] = st->z[i];
		if (wrap) {
			x[o] -= st->len[0] * floor((st->x[i] - st->lo[0]) / st->len[0]);
			y[o] -= st->len[1] * floor((st->y[i] - st->lo[1]) / st->len[1]);
			z[o] -= st->len[2] * floor((st->z[i] - st->lo[2]) / st->len[2]);
		}
	}
	f->x = x;
	f->y = y;
	f->z = z;
	if (orig) {
		double *vx = buf + 3 * n, *vy = buf + 4 * n, *vz = buf + 5 * n;
		for (size_t i = 0; i < n; i++) {
			vx[orig[i]] = st->vx[i];
			vy[orig[i]] = st->vy[i];
			vz[orig[i]] = st->vz[i];
		}
		f->vx = vx;
		f->vy = vy;
		f->vz = vz;
	}
}

/* Trajectory frames hold positions wrapped into the box (AMBER convention
 * as written by LAMMPS dump netcdf: coordinates inside the cell); the
 * engine's positions may lie up to skin/2 outside between rebuilds.
 * buf: 6n doubles. */
static int traj_write(struct traj_nc *t, const struct md *m, double *buf,
		      struct err *e)
{
	struct frame f;
	frame_input_order(&f, m, buf, 1);
	return traj_nc_append(t, &f, e);
}

enum { X_STEP, X_HASH, X_INTEG, X_HOOK, X_REF, X_META, X_IMG, NX };

static int write_checkpoint(const struct md *m, const struct integrator *it,
			    const struct run_hook *hk, const char *rst,
			    double hash, const char *wisdom, struct err *e)
{
	const struct state *st = m->st;
	size_t n = st->n;
	double step = (double)st->step, integ[INTEGRATOR_PACK_MAX];
	double hookbuf[HOOK_PACK_MAX];
	double meta[8];
	size_t ni = it ? integrator_pack(it, integ) : 0;
	size_t nh = (hk && hk->pack) ? hk->pack(hk->ctx, hookbuf, HOOK_PACK_MAX) : 0;
	double *ref = malloc(3 * n * sizeof *ref);
	double *img = malloc(3 * n * sizeof *img);
	double *frc = malloc(3 * n * sizeof *frc);
	double *fbuf = m->orig ? malloc(6 * n * sizeof *fbuf) : NULL;
	if (!ref || !img || !frc || (m->orig && !fbuf)) {
		free(ref);
		free(img);
		free(frc);
		free(fbuf);
		return err_set(e, "out of memory");
	}
	const double *xr, *yr, *zr;
	double rlo[3], rlen[3];
	int have_ref = nbr_reference(m->nl, &xr, &yr, &zr, rlo, rlen) == 0;
	/* everything per atom in input order (md.h: orig) */
	for (size_t i = 0; i < n; i++) {
		size_t o = m->orig ? (size_t)m->orig[i] : i;
		ref[o] = have_ref ? xr[i] : NAN;
		ref[n + o] = have_ref ? yr[i] : NAN;
		ref[2 * n + o] = have_ref ? zr[i] : NAN;
		img[o] = st->ix[i];
		img[n + o] = st->iy[i];
		img[2 * n + o] = st->iz[i];
		frc[o] = st->fx[i];
		frc[n + o] = st->fy[i];
		frc[2 * n + o] = st->fz[i];
	}
	meta[0] = RUN_LAYOUT;
	meta[1] = have_ref;
	for (int a = 0; a < 3; a++) {
		meta[2 + a] = rlo[a];
		meta[5 + a] = rlen[a];
	}
	/* The restart frame carries the box origin through cell lengths only;
	 * keep lo and time exactly in the meta block too. */
	double lo_time[5] = {st->lo[0], st->lo[1], st->lo[2], st->time, (double)m->nforce};
	double cvir[6];
	memcpy(cvir, m->cvirial, sizeof cvir);
	struct nc_extra x[] = {
		{"soretkit_step", 1, &step},
		{"soretkit_hash", 1, &hash},
		{"soretkit_integrator", ni ? ni : 1, integ},
		{"soretkit_hook", nh ? nh : 1, hookbuf},
		{"soretkit_nbr_ref", 3 * n, ref},
		{"soretkit_meta", 8, meta},
		{"soretkit_images", 3 * n, img},
		{"soretkit_lo_time", 5, lo_time},
		/* Forces as the integrator left them: Langevin adds its random
		 * force to f at step n and kicks with it at step n+1, so
		 * recomputing them on resume would not be exact. */
		{"soretkit_forces", 3 * n, frc},
		/* The constraint virial: with fix rattle semantics the NPT
		 * barostat's second half step reads the previous step's. */
		{"soretkit_cvirial", 6, cvir},
	};
	struct nc_text tx = {RUN_WISDOM_ATTR, wisdom};
	if (!ni)
		integ[0] = 0;
	if (!nh)
		hookbuf[0] = 0;
	struct frame f;
	frame_input_order(&f, m, fbuf, 0);
	int rc = traj_nc_write_restart(rst, &f, &m->sys->units, x,
				       sizeof x / sizeof x[0], &tx, wisdom != NULL,
				       e);
	free(ref);
	free(img);
	free(frc);
	free(fbuf);
	return rc;
}

static int read_extra_n(struct traj_nc *t, const char *name, double **v,
			size_t *n, size_t want, struct err *e)
{
	int r = traj_nc_read_extra(t, name, v, n, e);
	if (r < 0)
		return -1;
	if (r == 1 || (want && *n != want))
		return err_set(e, "checkpoint lacks a valid %s", name);
	return 0;
}

/* Load a checkpoint written by write_checkpoint. Returns 1 if resumed, 0 if
 * the file does not belong to this command or is complete (start afresh). */
static int load_checkpoint(struct md *m, struct integrator *it,
			   const struct run_hook *hk, const char *rst,
			   double hash, long nsteps, struct err *e)
{
	struct traj_nc *t;
	struct state *st = m->st;
	size_t n = st->n;
	if (traj_nc_open(&t, rst, e) != 0)
		return -1;
	double *v = NULL;
	size_t nv;
	int rc = -1;
	struct frame f = {0};
	double *ref = NULL, *img = NULL, *meta = NULL, *lt = NULL, *frc = NULL;
	if (read_extra_n(t, "soretkit_hash", &v, &nv, 1, e) != 0)
		goto out;
	if (v[0] != hash) {
		rc = err_set(e, "%s: checkpoint was written by a different "
				"command or from other input files (--data, --from); "
				"remove it to start over", rst);
		goto out;
	}
	free(v);
	v = NULL;
	if (read_extra_n(t, "soretkit_step", &v, &nv, 1, e) != 0)
		goto out;
	long step = (long)v[0];
	free(v);
	v = NULL;
	if (step >= nsteps) {
		rc = 0;
		goto out;
	}
	if (traj_nc_natoms(t) != n) {
		rc = err_set(e, "%s: checkpoint has %zu atoms, system has %zu",
			     rst, traj_nc_natoms(t), n);
		goto out;
	}
	if (frame_alloc(&f, n, 1, e) != 0 || traj_nc_read(t, 0, &f, e) != 0)
		goto out;
	if (read_extra_n(t, "soretkit_integrator", &v, &nv, 0, e) != 0)
		goto out;
	if (it && integrator_unpack(it, v, nv, e) != 0)
		goto out;
	free(v);
	v = NULL;
	if (read_extra_n(t, "soretkit_hook", &v, &nv, 0, e) != 0)
		goto out;
	if (hk && hk->unpack && hk->unpack(hk->ctx, v, nv, e) != 0)
		goto out;
	if (read_extra_n(t, "soretkit_nbr_ref", &ref, &nv, 3 * n, e) != 0 ||
	    read_extra_n(t, "soretkit_images", &img, &nv, 3 * n, e) != 0 ||
	    read_extra_n(t, "soretkit_meta", &meta, &nv, 8, e) != 0 ||
	    read_extra_n(t, "soretkit_lo_time", &lt, &nv, 5, e) != 0 ||
	    read_extra_n(t, "soretkit_forces", &frc, &nv, 3 * n, e) != 0)
		goto out;
	/* optional: checkpoints of runs without constraints may lack it */
	{
		double *cv = NULL;
		size_t ncv = 0;
		int r = traj_nc_read_extra(t, "soretkit_cvirial", &cv, &ncv, e);
		if (r < 0)
			goto out;
		if (r == 0 && ncv == 6)
			memcpy(m->cvirial, cv, sizeof m->cvirial);
		free(cv);
	}
	if (meta[0] != RUN_LAYOUT) {
		rc = err_set(e, "%s: checkpoint layout %g, expected %g", rst,
			     meta[0], RUN_LAYOUT);
		goto out;
	}
	/* The checkpoint is in input order; atom i here is input atom
	 * orig[i] (md.h), and so are the reference positions. */
	double *refi = malloc(3 * n * sizeof *refi);
	if (!refi) {
		rc = err_set(e, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t o = m->orig ? (size_t)m->orig[i] : i;
		st->x[i] = f.x[o];
		st->y[i] = f.y[o];
		st->z[i] = f.z[o];
		st->vx[i] = f.vx[o];
		st->vy[i] = f.vy[o];
		st->vz[i] = f.vz[o];
		st->ix[i] = (int)img[o];
		st->iy[i] = (int)img[n + o];
		st->iz[i] = (int)img[2 * n + o];
		refi[i] = ref[o];
		refi[n + i] = ref[n + o];
		refi[2 * n + i] = ref[2 * n + o];
	}
	free(ref);
	ref = refi;
	for (int a = 0; a < 3; a++) {
		st->len[a] = f.cell[a];
		st->lo[a] = lt[a];
	}
	st->time = lt[3];
	st->step = step;
	/* Rebuild the neighbour list exactly as it was (same reference
	 * positions and box), so the forces of the next steps are summed in
	 * the same order as in an uninterrupted run. */
	if (meta[1] != 0.0) {
		if (nbr_restore(m->nl, st, ref, ref + n, ref + 2 * n, meta + 2,
				meta + 5, e) != 0)
			goto out;
		/* the order the uninterrupted run had since that build */
		md_reorder(m);
	}
	if (md_forces(m, e) != 0)
		goto out;
	m->nforce = (long)lt[4];
	for (size_t i = 0; i < n; i++) {
		size_t o = m->orig ? (size_t)m->orig[i] : i;
		st->fx[i] = frc[o];
		st->fy[i] = frc[n + o];
		st->fz[i] = frc[2 * n + o];
	}
	rc = 1;
out:
	free(v);
	free(ref);
	free(img);
	free(meta);
	free(lt);
	free(frc);
	frame_free(&f);
	traj_nc_close(t, NULL);
	return rc;
}

int run_write_state(const struct md *m, const char *traj_path,
		    const char *rst_path, struct err *e)
{
	if (traj_path) {
		struct traj_nc *t;
		size_t n = m->st->n;
		double *w = malloc(6 * n * sizeof *w);
		if (!w)
			return err_set(e, "out of memory");
		if (traj_nc_create(&t, traj_path, n, 1, TRAJ_FLOAT,
				   &m->sys->units, "soretkit", e) != 0) {
			free(w);
			return -1;
		}
		if (traj_write(t, m, w, e) != 0) {
			traj_nc_abort(t);
			free(w);
			return -1;
		}
		free(w);
		if (traj_nc_close(t, e) != 0)
			return -1;
	}
	if (rst_path) {
		/* The image flags go along: positions here are the engine's
		 * (wrapped at neighbour rebuilds), and a molecule across the
		 * boundary is whole only with them (bonded_check on --from). */
		const struct state *st = m->st;
		size_t n = st->n;
		/* image flags (3n), then the frame in input order (6n) */
		double *img = malloc(9 * n * sizeof *img);
		if (!img)
			return err_set(e, "out of memory");
		for (size_t i = 0; i < n; i++) {
			size_t o = m->orig ? (size_t)m->orig[i] : i;
			img[o] = st->ix[i];
			img[n + o] = st->iy[i];
			img[2 * n + o] = st->iz[i];
		}
		double lo_time[5] = {st->lo[0], st->lo[1], st->lo[2], st->time,
				     (double)m->nforce};
		struct nc_extra x[] = {{"soretkit_images", 3 * n, img},
				       {"soretkit_lo_time", 5, lo_time}};
		struct frame f;
		frame_input_order(&f, m, img + 3 * n, 0);
		int rc = traj_nc_write_restart(rst_path, &f, &m->sys->units, x, 2,
					       NULL, 0, e);
		free(img);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* The output lock (run.h): PATH.lock beside the run's first file output,
 * held with flock, so that a second run given the same outputs stops at
 * once instead of writing the same PATH.tmp and checkpoint (as GROMACS
 * mdrun refuses a second run on a locked log). The kernel drops the lock
 * when the process dies, even by SIGKILL, so a file left by a killed run
 * blocks nothing; a finished, failed or stopped run removes it. */
static const char *lock_target(const struct run_opts *o)
{
	if (o->traj_path)
		return o->traj_path;
	if (o->rst_path)
		return o->rst_path;
	if (o->thermo_path && strcmp(o->thermo_path, "-") != 0)
		return o->thermo_path;
	return NULL;
}

int run_lock_take(struct run_lock *l, const struct run_opts *o,
		  struct err *e)
{
	l->fd = -1;
	l->path = NULL;
	const char *target = lock_target(o);
	if (!target)
		return 0;
	size_t n = strlen(target) + 6;
	if (!(l->path = malloc(n)))
		return err_set(e, "out of memory");
	snprintf(l->path, n, "%s.lock", target);
	/* Taken on a file that another run removed between our open and
	 * our flock, the lock would guard nothing: retry until the locked
	 * file is the one the path names. */
	int rc = 0;
	for (int tries = 0; tries < 100; tries++) {
		int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			rc = err_set(e, "%s: cannot create the output lock: %s",
				     l->path, strerror(errno));
			break;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			if (errno == EWOULDBLOCK)
				rc = err_set(e, "%s: another run is writing these "
					     "outputs (it holds %s); wait for it to "
					     "end or give other outputs",
					     target, l->path);
			/* else a file system without flock: run unguarded */
			close(fd);
			break;
		}
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(l->path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			l->fd = fd;
			return 0;
		}
		close(fd);
		if (tries == 99)
			rc = err_set(e, "%s: the output lock keeps changing",
				     l->path);
	}
	free(l->path);
	l->path = NULL;
	return rc;
}

/* Remove the file while still holding the lock, then drop it: a run
 * that opened the old file meanwhile sees it is no longer the path's. */
void run_lock_drop(struct run_lock *l)
{
	if (l->fd >= 0) {
		unlink(l->path);
		close(l->fd);
	}
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}

int run_md(struct md *m, struct integrator *it, const struct run_opts *o,
	   const struct run_hook *hk, struct err *e)
{
	struct run_lock l;
	if (run_lock_take(&l, o, e) != 0)
		return -1;
	int rc = run_md_locked(m, it, o, hk, e);
	run_lock_drop(&l);
	return rc;
}

int run_md_locked(struct md *m, struct integrator *it,
		  const struct run_opts *o, const struct run_hook *hk,
		  struct err *e)
{
	struct state *st = m->st;
	size_t n = st->n;
	double hash = run_command_hash(o->argc, o->argv);
	double t_start = wall_seconds();
	int resumed = 0;
	/* Resume only an unfinished run: its final trajectory must not exist
	 * yet, and its checkpoint must name this command. */
	if (o->rst_path && access(o->rst_path, F_OK) == 0 &&
	    (!o->traj_path || (access(o->traj_path, F_OK) != 0 &&
			       tmp_exists(o->traj_path)))) {
		resumed = load_checkpoint(m, it, hk, o->rst_path, hash,
					  o->nsteps, e);
		if (resumed < 0)
			return -1;
	}
	if (!resumed) {
		st->step = 0;
		if (md_forces(m, e) != 0 ||
		    (it && integrator_setup(it, m, e) != 0))
			return -1;
	}
	long start = st->step;
	struct thermo_out th;
	int need_header = thermo_open(&th, o->thermo_path, resumed, start, e);
	if (need_header < 0)
		return -1;
	if (!resumed || th.fp == stdout) {
		thermo_header(&th, m, o, hk);
	} else {
		th.w.fp = th.fp;
		th.ncol = 9 + (m->ff ? 7 : 0) + (hk ? hk->nthermo : 0);
	}
	struct traj_nc *traj = NULL;
	double *wbuf = malloc(6 * n * sizeof *wbuf);
	if (!wbuf) {
		thermo_close(&th, 0, e);
		return err_set(e, "out of memory");
	}
	if (o->traj_path) {
		int rc;
		if (resumed) {
			size_t nkeep = o->dump_every ? (size_t)(start / o->dump_every) + 1 : 1;
			rc = traj_nc_append_open(&traj, o->traj_path, nkeep,
						 &m->sys->units, e);
		} else {
			rc = traj_nc_create(&traj, o->traj_path, n, 1,
					    o->traj_double ? TRAJ_DOUBLE : TRAJ_FLOAT,
					    &m->sys->units, "soretkit md", e);
		}
		if (rc != 0)
			goto fail;
	}
	if (!resumed) {
		if (traj && traj_write(traj, m, wbuf, e) != 0)
			goto fail;
		thermo_row(&th, m, it, hk);
	}
	struct progress pr;
	progress_init(&pr, o->progress, o->tool, start, o->nsteps,
		      m->dt * 86400.0 * (m->sys->units.style == UNITS_REAL ? 1e-6 : 1.0),
		      m->sys->units.style == UNITS_REAL ? "ns/day" : "tau/day");
	int stopped = 0;
	while (st->step < o->nsteps) {
		/* Energies and virial only for the steps that print them and
		 * those after which the hook's end_of_step reads them: the
		 * forces, hence the trajectory, are the same either way. */
		long next = st->step + 1;
		const int hook_reads = hk && hk->end_of_step &&
				       (!hk->wants_energy ||
					hk->wants_energy(hk->ctx));
		m->forces_only = !hook_reads && next != o->nsteps &&
				 !(o->thermo_every && next % o->thermo_every == 0);
		int rc_step = integrator_step(it, m, e);
		m->forces_only = 0;
		if (rc_step != 0)
			goto fail;
		if (hk && hk->end_of_step && hk->end_of_step(hk->ctx, m, e) != 0)
			goto fail;
		long s = st->step;
		int last = s == o->nsteps;
		if ((o->thermo_every && s % o->thermo_every == 0) || last)
			thermo_row(&th, m, it, hk);
		if (traj && ((o->dump_every && s % o->dump_every == 0) ||
			     (last && (!o->dump_every || s % o->dump_every))))
			if (traj_write(traj, m, wbuf, e) != 0)
				goto fail;
		int sig = o->stop && *o->stop;
		if (o->rst_path && !last &&
		    (sig || (o->ckpt_every && s % o->ckpt_every == 0))) {
			if (fflush(th.fp) != 0 ||
			    (traj && traj_nc_sync(traj, e) != 0))
				goto fail;
			if (write_checkpoint(m, it, hk, o->rst_path, hash,
					     o->fftw_wisdom, e) != 0)
				goto fail;
		}
		if (sig) {
			stopped = 1;
			break;
		}
		progress_update(&pr, s);
	}
	progress_end(&pr, st->step);
	free(wbuf);
	if (stopped) {
		/* Keep the temporaries: the next run resumes from them. */
		if (traj)
			traj_nc_sync(traj, NULL);
		fflush(th.fp);
		if (th.fp != stdout) {
			fclose(th.fp);
			thermo_segment(&th, start, st->step, wall_seconds() - t_start);
			/* A lost line costs only the accounting of this part. */
			struct err ignore = {0};
			thermo_add_segment(&th, 0, &ignore);
		}
		free(th.path);
		free(th.tmp);
		if (traj)
			traj_nc_detach(traj);
		return 1;
	}
	if (o->rst_path && write_checkpoint(m, it, hk, o->rst_path, hash,
					    o->fftw_wisdom, e) != 0)
		goto fail_nobuf;
	if (traj && traj_nc_close(traj, e) != 0) {
		traj = NULL;
		goto fail_nobuf;
	}
	traj = NULL;
	thermo_segment(&th, start, st->step, wall_seconds() - t_start);
	if (thermo_close(&th, 2, e) != 0)
		return -1;
	return 0;
fail:
	free(wbuf);
fail_nobuf:
	/* A failed run leaves nothing behind: temporaries and checkpoint are
	 * removed (only a killed or signalled run keeps them for resume). */
	if (traj)
		traj_nc_abort(traj);
	if (o->rst_path)
		remove(o->rst_path);
	if (th.fp && th.fp != stdout) {
		fclose(th.fp);
		th.fp = NULL;
		remove(th.tmp);
	}
	free(th.path);
	free(th.tmp);
	return -1;
}
