/* msd: mean square displacement of atoms or molecular centres of mass from
 * AMBER NetCDF trajectories (each file a replica), by the FFT algorithm, and
 * the quantities the paper derives from it: D, MSD at a lag, time to reach a
 * distance, regime change. The physics is in common/msd.c. See
 * man/man1/msd.1. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "lmp_data.h"
#include "msd.h"
#include "table.h"
#include "traj_nc.h"

static const char *tool = "msd";
#define MAXG 32
#define MAXT 64

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: msd --data FILE [options] TRAJ.nc [TRAJ.nc ...]\n"
"Mean square displacement, FFT algorithm; each file is a replica, MSDs are\n"
"averaged per lag over replicas.\n"
"  --data FILE           LAMMPS data file (types, masses, molecule ids)\n"
"  --units lj|real       unit style (default real)\n"
"  --group NAME=T1,T2    a group of atom types (repeatable; default: all)\n"
"  --com                 molecules' centres of mass instead of atoms\n"
"  --no-drift-removal    keep the system centre-of-mass drift\n"
"  --first N --last N    frame range in each file, 0-based, inclusive\n"
"  --stride N            every N-th frame (default 1)\n"
"  --components          add msdx_ msdy_ msdz_ columns\n"
"  --fit T0:T1           D from MSD = a + 6 D t over lags T0..T1\n"
"  --linear-tol X        warn when the log-log slope of the fit window\n"
"                        differs from 1 by more than X (default 0.1)\n"
"  --at LAG              MSD at LAG (interpolated)\n"
"  --reach DIST          first time the RMS displacement reaches DIST\n"
"  --regime              lag where the MSD's second derivative turns negative\n"
"  --regime-width N      half-width in lags of its smoothing (default 2)\n"
"  --summary FILE        derived quantities table (default stderr)\n"
"  --time-tol X          allowed unevenness of frame times (default 1e-3)\n"
"  --direct              O(N^2) double loop instead of the FFT (tests)\n"
"  -o FILE               MSD table (default stdout)\n"
"  -q, --progress        no progress / progress even when not a terminal\n"
"  -h, --help  --version\n");
}

struct input {
	const char *path;
	struct traj_nc *t;
	size_t first, last, n;
	double dt;
	double *msd;           /* [(g*4 + c)*n + m] */
};

struct opts {
	int com, drift, comps, direct, show;
	int fit, at, reach, regime;
	double t0, t1, lintol, lag, dist, ttol;
	long hw, first, last, stride;
	const char *data, *out, *summary;
};

/* NAME=T1,T2,...: NAME of letters, digits, '_', '.', '-' (it becomes a
 * column name). */
static int parse_group(const char *s, struct msd_group *g, char *name,
		       size_t nname, int *types, struct err *e)
{
	const char *eq = strchr(s, '=');
	size_t n = eq ? (size_t)(eq - s) : 0;
	if (!eq || n == 0 || n >= nname)
		return err_set(e, "--group: '%s' is not NAME=TYPES", s);
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-", s[i]) || s[i] == '\0')
			return err_set(e, "--group: name '%.*s': use letters, digits, "
				       "'_', '.', '-'", (int)n, s);
	memcpy(name, s, n);
	name[n] = '\0';
	double v[MAXT];
	int k;
	if (cli_list("--group", eq + 1, v, MAXT, &k, e) != 0)
		return -1;
	for (int i = 0; i < k; i++) {
		if (v[i] < 1 || v[i] != floor(v[i]) || v[i] > 1e9)
			return err_set(e, "--group: '%g' is not an atom type", v[i]);
		types[i] = (int)v[i];
	}
	if (k == 0)
		return err_set(e, "--group: '%s' lists no types", s);
	g->name = name;
	g->types = types;
	g->ntypes = (size_t)k;
	return 0;
}

static int open_inputs(struct input *in, size_t nin, const struct opts *o,
		       const struct units *u, size_t natoms, size_t *total,
		       struct err *e)
{
	*total = 0;
	for (size_t i = 0; i < nin; i++) {
		if (traj_nc_open(&in[i].t, in[i].path, e) != 0)
			return -1;
		size_t nf = traj_nc_nframes(in[i].t);
		if (traj_nc_units(in[i].t) != u->style)
			return err_set(e, "%s: holds %s units, --units is %s", in[i].path,
				       u->style == UNITS_LJ ? "real" : "lj", u->name);
		if (traj_nc_natoms(in[i].t) != natoms)
			return err_set(e, "%s: %zu atoms, the data file has %zu",
				       in[i].path, traj_nc_natoms(in[i].t), natoms);
		if (nf == 0 || (size_t)o->first >= nf)
			return err_set(e, "%s: %zu frames, none from --first %ld",
				       in[i].path, nf, o->first);
		in[i].first = (size_t)o->first;
		in[i].last = o->last < 0 || (size_t)o->last >= nf ? nf - 1
								  : (size_t)o->last;
		in[i].n = (in[i].last - in[i].first) / (size_t)o->stride + 1;
		if (in[i].n < 2)
			return err_set(e, "%s: %zu frame selected; an MSD needs at "
				       "least 2", in[i].path, in[i].n);
		*total += in[i].n;
	}
	return 0;
}

/* One replica: read, unwrap, MSD per group and axis. */
static int run_one(struct input *in, const struct msd_sel *s,
		   const struct lmp_data *d, const struct opts *o,
		   struct progress *pr, long *done, struct err *e)
{
	struct msd_replica r;
	struct frame f;
	double box[3];
	for (int a = 0; a < 3; a++)
		box[a] = d->hi[a] - d->lo[a];
	if (msd_replica_init(&r, s, in->n, o->drift, box, e) != 0) {
		err_prefix(e, "%s", in->path);
		return -1;
	}
	if (frame_alloc(&f, s->natoms, 0, e) != 0) {
		msd_replica_free(&r);
		return -1;
	}
	int rc = 0;
	for (size_t k = in->first; k <= in->last && rc == 0;
	     k += (size_t)o->stride) {
		rc = traj_nc_read(in->t, k, &f, e);
		if (rc == 0 && (rc = msd_replica_add(&r, &f, e)) != 0)
			err_prefix(e, "%s: frame %zu", in->path, k);
		progress_update(pr, ++*done);
	}
	frame_free(&f);
	in->msd = rc ? NULL : malloc(s->ngroups * 4 * in->n * sizeof *in->msd);
	if (rc == 0 && !in->msd)
		rc = err_set(e, "out of memory");
	if (rc == 0 && msd_replica_finish(&r, o->direct, o->ttol, &in->dt,
					  in->msd, e) != 0) {
		err_prefix(e, "%s", in->path);
		rc = -1;
	}
	/* a quarter box: still unwrapped right, but near the limit of 1/2 */
	if (rc == 0 && r.maxstep > 0.25)
		fprintf(stderr, "%s: warning: %s: a particle moved %.2f box lengths "
			"between two frames; unwrapping needs less than 0.5: use "
			"frames closer in time\n", tool, in->path, r.maxstep);
	msd_replica_free(&r);
	return rc;
}

/* Mean over replicas per lag (replicas shorter than a lag do not count). */
static double *average(const struct input *in, size_t nin, size_t ng,
		       size_t *nlag, size_t *nshort)
{
	size_t n = 0;
	*nshort = 0;
	for (size_t i = 0; i < nin; i++)
		n = in[i].n > n ? in[i].n : n;
	for (size_t i = 0; i < nin; i++)
		*nshort += in[i].n < n;
	double *a = calloc(ng * 4 * n, sizeof *a);
	if (!a)
		return NULL;
	for (size_t j = 0; j < ng * 4; j++)
		for (size_t m = 0; m < n; m++) {
			size_t cnt = 0;
			double s = 0.0;
			for (size_t i = 0; i < nin; i++)
				if (m < in[i].n) {
					s += in[i].msd[j * in[i].n + m];
					cnt++;
				}
			a[j * n + m] = s / (double)cnt;
		}
	*nlag = n;
	return a;
}

enum { S_D, S_DERR, S_DREP, S_A, S_LOG, S_NPT, S_AT, S_REACH, S_REG,
       S_REGMSD, NS };

/* Derived quantities of every group; warnings on stderr. */
static int derive(const double *avg, size_t n, double dt,
		  const struct input *in, size_t nin, const struct msd_sel *s,
		  const struct opts *o, double *v, struct err *e)
{
	for (size_t g = 0; g < s->ngroups; g++) {
		const double *m = avg + (g * 4 + 3) * n;
		double *r = v + g * NS;
		const char *gn = s->gname[g];
		for (int k = 0; k < NS; k++)
			r[k] = NAN;
		if (o->fit) {
			struct msd_fit f;
			if (msd_fit_window(m, n, dt, 3, o->t0, o->t1, &f, e) != 0)
				return err_prefix(e, "--fit");
			r[S_D] = f.D;
			r[S_DERR] = f.D_err;
			r[S_A] = f.intercept;
			r[S_LOG] = f.loglog;
			r[S_NPT] = (double)f.npts;
			double sum = 0, sum2 = 0;
			size_t nr = 0;
			for (size_t i = 0; i < nin; i++) {
				struct msd_fit fi;
				struct err ei;
				if (msd_fit_window(in[i].msd + (g * 4 + 3) * in[i].n,
						   in[i].n, dt, 3, o->t0, o->t1, &fi,
						   &ei) == 0) {
					sum += fi.D;
					sum2 += fi.D * fi.D;
					nr++;
				}
			}
			if (nr < nin)
				fprintf(stderr, "%s: warning: group %s: D_err_rep from %zu "
					"of %zu replicas: the others end before the fit "
					"window %g:%g\n", tool, gn, nr, nin, o->t0, o->t1);
			if (nr >= 2) {
				double mean = sum / (double)nr;
				double var = (sum2 - (double)nr * mean * mean) / (double)(nr - 1);
				r[S_DREP] = sqrt(var > 0 ? var : 0) / sqrt((double)nr);
			}
			if (!(fabs(f.loglog - 1.0) <= o->lintol))
				fprintf(stderr, "%s: warning: group %s: log-log slope %.3f in "
					"the fit window %g:%g, not 1 within %g: not the "
					"diffusive regime\n", tool, gn, f.loglog, o->t0, o->t1,
					o->lintol);
		}
		if (o->at && msd_at(m, n, dt, o->lag, &r[S_AT], e) != 0)
			return err_prefix(e, "--at");
		if (o->reach && msd_reach(m, n, dt, o->dist, &r[S_REACH]) != 0)
			fprintf(stderr, "%s: warning: group %s: the RMS displacement "
				"never reaches %g (longest lag %g)\n", tool, gn, o->dist,
				(double)(n - 1) * dt);
		if (o->regime) {
			int rc = msd_regime(m, n, dt, (size_t)o->hw, &r[S_REG], e);
			if (rc < 0)
				return err_prefix(e, "--regime");
			if (rc > 0)
				fprintf(stderr, "%s: warning: group %s: the second derivative "
					"of the MSD never turns negative\n", tool, gn);
			if (rc == 2)
				fprintf(stderr, "%s: warning: group %s: regime change at %g, "
					"within %ld lags: frames too far apart to resolve "
					"the ballistic regime\n", tool, gn, r[S_REG], o->hw);
			if (rc != 1)
				msd_at(m, n, dt, r[S_REG], &r[S_REGMSD], e);
		}
	}
	return 0;
}

static void put_summary(FILE *fp, const struct msd_sel *s, const double *v,
			const struct opts *o, const struct units *u)
{
	const char *tu = u->u_time, *du = u->u_dist;
	fputs("# group", fp);
	if (o->fit)
		fprintf(fp, " D[%s^2/%s] D_err[%s^2/%s] D_err_rep[%s^2/%s] "
			"intercept[%s^2] loglog_slope fit_lags", du, tu, du, tu, du,
			tu, du);
	if (o->at)
		fprintf(fp, " msd_at[%s^2]", du);
	if (o->reach)
		fprintf(fp, " t_reach[%s]", tu);
	if (o->regime)
		fprintf(fp, " t_regime[%s] msd_regime[%s^2]", tu, du);
	fputc('\n', fp);
	for (size_t g = 0; g < s->ngroups; g++) {
		const double *r = v + g * NS;
		fputs(s->gname[g], fp);
		for (int k = 0; k < NS; k++) {
			int on = (k <= S_NPT && o->fit) || (k == S_AT && o->at) ||
				 (k == S_REACH && o->reach) || (k >= S_REG && o->regime);
			if (on)
				fprintf(fp, " %.10g", isnan(r[k]) ? NAN : r[k]);
		}
		fputc('\n', fp);
	}
}

static void meta_common(struct table_writer *w, const struct msd_sel *s,
			const struct input *in, size_t nin, const struct opts *o,
			const struct units *u, double dt, int argc, char **argv)
{
	table_writer_provenance(w, tool, SK_VERSION, argc, argv);
	table_writer_meta(w, "data", "%s", o->data);
	for (size_t i = 0; i < nin; i++)
		table_writer_meta(w, "input", "%s frames %zu..%zu stride %ld (%zu)",
				  in[i].path, in[i].first, in[i].last, o->stride,
				  in[i].n);
	table_writer_meta(w, "replicas", "%zu (MSD averaged per lag over "
			  "replicas)", nin);
	table_writer_meta(w, "units", "%s", u->name);
	table_writer_meta(w, "dt", "%.10g %s between frames", dt, u->u_time);
	table_writer_meta(w, "particles", "%s", s->com ?
			  "molecular centres of mass" : "atoms");
	table_writer_meta(w, "drift", "%s", o->drift ? "system centre-of-mass "
			  "drift removed" : "kept");
	table_writer_meta(w, "algorithm", "%s", o->direct ? "direct double loop" :
			  "FFT (Calandrini et al. 2011), all time origins");
	for (size_t g = 0; g < s->ngroups; g++)
		table_writer_meta(w, "group", "%s %zu %s", s->gname[g], s->gcount[g],
				  s->com ? "molecules" : "atoms");
}

static int write_msd(const double *avg, size_t n, double dt,
		     const struct msd_sel *s, const struct input *in, size_t nin,
		     size_t nshort, const struct opts *o, const struct units *u,
		     int argc, char **argv, struct err *e)
{
	size_t ng = s->ngroups, nc = 1 + ng * (o->comps ? 4 : 1);
	char (*h)[96] = malloc(nc * sizeof *h);
	const char **cols = malloc(nc * sizeof *cols);
	double *row = malloc(nc * sizeof *row);
	struct table_writer w;
	if (!h || !cols || !row || table_writer_open(&w, o->out, e) != 0) {
		free(h);
		free(cols);
		free(row);
		return h && cols && row ? -1 : err_set(e, "out of memory");
	}
	meta_common(&w, s, in, nin, o, u, dt, argc, argv);
	if (nshort)
		table_writer_meta(&w, "short_replicas", "%zu shorter than the "
				  "longest: long lags average fewer replicas", nshort);
	snprintf(h[0], sizeof h[0], "lag[%s]", u->u_time);
	size_t j = 1;
	for (size_t g = 0; g < ng; g++)
		snprintf(h[j++], sizeof h[0], "msd_%s[%s^2]", s->gname[g], u->u_dist);
	for (size_t g = 0; o->comps && g < ng; g++)
		for (int c = 0; c < 3; c++)
			snprintf(h[j++], sizeof h[0], "msd%c_%s[%s^2]", "xyz"[c],
				 s->gname[g], u->u_dist);
	for (size_t c = 0; c < nc; c++)
		cols[c] = h[c];
	table_writer_header(&w, nc, cols);
	for (size_t m = 0; m < n; m++) {
		j = 0;
		row[j++] = (double)m * dt;
		for (size_t g = 0; g < ng; g++)
			row[j++] = avg[(g * 4 + 3) * n + m];
		for (size_t g = 0; o->comps && g < ng; g++)
			for (size_t c = 0; c < 3; c++)
				row[j++] = avg[(g * 4 + c) * n + m];
		table_writer_row(&w, row, 0);
	}
	free(h);
	free(cols);
	free(row);
	return table_writer_close(&w, e);
}

static int write_summary(const double *v, double dt, const struct msd_sel *s,
			 const struct input *in, size_t nin, const struct opts *o,
			 const struct units *u, int argc, char **argv,
			 struct err *e)
{
	if (!o->summary) {
		put_summary(stderr, s, v, o, u);
		return 0;
	}
	struct table_writer w;
	if (table_writer_open(&w, o->summary, e) != 0)
		return -1;
	meta_common(&w, s, in, nin, o, u, dt, argc, argv);
	if (o->fit)
		table_writer_meta(&w, "fit", "MSD = a + 6 D t over lags %g..%g, least "
				  "squares; D_err: regression standard error (lags "
				  "are correlated: an underestimate); D_err_rep: "
				  "standard error over replicas", o->t0, o->t1);
	if (o->at)
		table_writer_meta(&w, "at", "%g %s", o->lag, u->u_time);
	if (o->reach)
		table_writer_meta(&w, "reach", "%g %s (t where MSD = reach^2)",
				  o->dist, u->u_dist);
	if (o->regime)
		table_writer_meta(&w, "regime", "first + to - sign change of the "
				  "Savitzky-Golay second derivative, half-width %ld "
				  "lags", o->hw);
	put_summary(w.fp, s, v, o, u);
	return table_writer_close(&w, e);
}

static int parse_opts(int argc, char **argv, struct opts *o,
		      struct msd_group *g, size_t *ng, const char **units,
		      struct err *e, int *exit_now)
{
	enum { O_DATA = 256, O_UNITS, O_GROUP, O_COM, O_NODRIFT, O_FIRST, O_LAST,
	       O_STRIDE, O_COMPS, O_FIT, O_LINTOL, O_AT, O_REACH, O_REGIME,
	       O_REGW, O_SUMMARY, O_TTOL, O_DIRECT, O_PROGRESS, O_VER };
	static const struct option lo[] = {
		{"data", 1, 0, O_DATA}, {"units", 1, 0, O_UNITS},
		{"group", 1, 0, O_GROUP}, {"com", 0, 0, O_COM},
		{"no-drift-removal", 0, 0, O_NODRIFT}, {"first", 1, 0, O_FIRST},
		{"last", 1, 0, O_LAST}, {"stride", 1, 0, O_STRIDE},
		{"components", 0, 0, O_COMPS}, {"fit", 1, 0, O_FIT},
		{"linear-tol", 1, 0, O_LINTOL}, {"at", 1, 0, O_AT},
		{"reach", 1, 0, O_REACH}, {"regime", 0, 0, O_REGIME},
		{"regime-width", 1, 0, O_REGW}, {"summary", 1, 0, O_SUMMARY},
		{"time-tol", 1, 0, O_TTOL}, {"direct", 0, 0, O_DIRECT},
		{"progress", 0, 0, O_PROGRESS}, {"help", 0, 0, 'h'},
		{"version", 0, 0, O_VER}, {0, 0, 0, 0}};
	static char names[MAXG][64];
	static int types[MAXG][MAXT];
	int quiet = 0, force = 0, c;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case O_DATA: o->data = optarg; break;
		case O_UNITS: *units = optarg; break;
		case O_GROUP:
			if (*ng >= MAXG)
				rc = err_set(e, "--group: at most %d groups", MAXG);
			else
				rc = parse_group(optarg, &g[*ng], names[*ng], sizeof names[0],
						 types[*ng], e);
			for (size_t k = 0; rc == 0 && k < *ng; k++)
				if (strcmp(g[k].name, g[*ng].name) == 0)
					rc = err_set(e, "--group: '%s' is given twice",
						     g[k].name);
			if (rc == 0)
				(*ng)++;
			break;
		case O_COM: o->com = 1; break;
		case O_NODRIFT: o->drift = 0; break;
		case O_FIRST: rc = cli_long("--first", optarg, 0, &o->first, e); break;
		case O_LAST: rc = cli_long("--last", optarg, 0, &o->last, e); break;
		case O_STRIDE: rc = cli_long("--stride", optarg, 1, &o->stride, e); break;
		case O_COMPS: o->comps = 1; break;
		case O_FIT:
			rc = cli_range("--fit", optarg, &o->t0, &o->t1, e);
			if (rc == 0 && o->t0 < 0)
				rc = err_set(e, "--fit: '%s' starts before lag 0", optarg);
			o->fit = 1;
			break;
		case O_LINTOL: rc = cli_positive("--linear-tol", optarg, &o->lintol, e);
			break;
		case O_AT:
			rc = cli_double("--at", optarg, &o->lag, e);
			if (rc == 0 && o->lag < 0)
				rc = err_set(e, "--at: '%s' is negative", optarg);
			o->at = 1;
			break;
		case O_REACH: rc = cli_positive("--reach", optarg, &o->dist, e);
			o->reach = 1;
			break;
		case O_REGIME: o->regime = 1; break;
		case O_REGW: rc = cli_long("--regime-width", optarg, 1, &o->hw, e);
			break;
		case O_SUMMARY: o->summary = optarg; break;
		case O_TTOL: rc = cli_positive("--time-tol", optarg, &o->ttol, e); break;
		case O_DIRECT: o->direct = 1; break;
		case O_PROGRESS: force = 1; break;
		case 'o': o->out = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); *exit_now = 1; return 0;
		case O_VER:
			printf("%s (soretkit) %s\n", tool, SK_VERSION);
			*exit_now = 1;
			return 0;
		default: cli_try_help(tool); e->msg[0] = '\0'; return -1;
		}
		if (rc)
			return -1;
	}
	o->show = !quiet && (force || isatty(STDERR_FILENO));
	if (!o->data || optind >= argc)
		return err_set(e, "--data FILE and at least one trajectory are "
			       "required");
	if (o->last >= 0 && o->last < o->first)
		return err_set(e, "--last %ld is before --first %ld", o->last,
			       o->first);
	if (o->summary && !(o->fit || o->at || o->reach || o->regime))
		return err_set(e, "--summary needs --fit, --at, --reach or --regime");
	if (o->summary && o->out && strcmp(o->summary, "-") != 0 &&
	    strcmp(o->summary, o->out) == 0)
		return err_set(e, "--summary and -o name the same file");
	if ((!o->out || !strcmp(o->out, "-")) && o->summary &&
	    !strcmp(o->summary, "-"))
		return err_set(e, "--summary - needs -o FILE (both on stdout)");
	return 0;
}

int main(int argc, char **argv)
{
	struct err e = {{0}};
	struct opts o = {.drift = 1, .lintol = 0.1, .ttol = 1e-3, .hw = 2,
			 .last = -1, .stride = 1};
	struct msd_group g[MAXG];
	size_t ng = 0;
	const char *units = "real";
	int exit_now = 0;
	if (parse_opts(argc, argv, &o, g, &ng, &units, &e, &exit_now) != 0) {
		if (e.msg[0])   /* empty: getopt has said it, with the usage */
			fprintf(stderr, "%s: %s\n", tool, e.msg);
		return ERR_USAGE;
	}
	if (exit_now)
		return 0;
	struct units u;
	if (units_init(&u, units, &e) != 0) {
		fprintf(stderr, "%s: --units: %s\n", tool, e.msg);
		return ERR_USAGE;
	}
	gsl_set_error_handler_off();   /* statuses are checked instead */

	size_t nin = (size_t)(argc - optind), total = 0, n = 0, nshort = 0;
	struct input *in = calloc(nin, sizeof *in);
	struct lmp_data d = {0};
	struct msd_sel s = {0};
	double *avg = NULL, *v = NULL;
	int code = ERR_DATA;
	if (!in) {
		err_set(&e, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < nin; i++)
		in[i].path = argv[optind + (int)i];
	if (lmp_data_read(&d, o.data, &e) != 0)
		goto fail;
	if (d.triclinic) {
		err_set(&e, "%s: triclinic boxes are not supported", o.data);
		goto fail;
	}
	for (size_t k = 0; k < ng; k++)
		for (size_t j = 0; j < g[k].ntypes; j++)
			if ((size_t)g[k].types[j] > d.ntypes) {
				err_set(&e, "--group %s: atom type %d does not exist (%s has "
					"%zu types)", g[k].name, g[k].types[j], o.data,
					d.ntypes);
				code = ERR_USAGE;
				goto fail;
			}
	if (msd_sel_init(&s, &d, o.com, o.drift, g, ng, &e) != 0) {
		err_prefix(&e, "%s", o.data);
		if (!d.has_mass && !o.com)
			err_set(&e, "%s: no Masses section: drift removal needs masses "
				"(--no-drift-removal)", o.data);
		goto fail;
	}
	if (open_inputs(in, nin, &o, &u, d.natoms, &total, &e) != 0)
		goto fail;
	struct progress pr;
	progress_init(&pr, o.show, tool, 0, (long)total, 1.0, "frames/s");
	long done = 0;
	for (size_t i = 0; i < nin; i++) {
		if (run_one(&in[i], &s, &d, &o, &pr, &done, &e) != 0)
			goto fail;
		traj_nc_close(in[i].t, NULL);
		in[i].t = NULL;
		if (fabs(in[i].dt - in[0].dt) > o.ttol * in[0].dt) {
			err_set(&e, "%s: frames %g %s apart, %s has %g: replicas must "
				"share the frame spacing", in[i].path, in[i].dt,
				u.u_time, in[0].path, in[0].dt);
			goto fail;
		}
	}
	progress_end(&pr, done);
	avg = average(in, nin, s.ngroups, &n, &nshort);
	v = malloc(s.ngroups * NS * sizeof *v);
	if (!avg || !v) {
		err_set(&e, "out of memory");
		goto fail;
	}
	int derived = o.fit || o.at || o.reach || o.regime;
	if ((derived && derive(avg, n, in[0].dt, in, nin, &s, &o, v, &e) != 0) ||
	    write_msd(avg, n, in[0].dt, &s, in, nin, nshort, &o, &u, argc, argv,
		      &e) != 0)
		goto fail;
	if (derived && write_summary(v, in[0].dt, &s, in, nin, &o, &u, argc, argv,
				     &e) != 0) {
		if (o.out && strcmp(o.out, "-"))
			remove(o.out);   /* all outputs or none */
		goto fail;
	}
	code = 0;
	goto done;
fail:
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	for (size_t i = 0; in && i < nin; i++) {
		if (in[i].t)
			traj_nc_close(in[i].t, NULL);
		free(in[i].msd);
	}
	free(in);
	free(avg);
	free(v);
	msd_sel_free(&s);
	lmp_data_free(&d);
	return code;
}
