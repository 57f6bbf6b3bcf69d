/* soret-fit: Soret coefficients S_T = -d ln c/dT (paper Eq. 3) from the
 * slab profiles of replicas, in the two gradient windows of a box with a
 * cold and a hot slab, combined over replicas. The fits are in
 * common/soret.c. See man/man1/soret-fit.1. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "soret.h"
#include "table.h"
#include "units.h"

static const char *tool = "soret-fit";

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: soret-fit --cold Z0:Z1 --hot Z0:Z1 [options] [PROFILE ...]\n"
"Soret coefficient S_T = -d ln c/dT from profile tables (one per replica;\n"
"none or - reads stdin).\n"
"  --cold Z0:Z1          cold thermostatted slab (required)\n"
"  --hot Z0:Z1           hot thermostatted slab (required)\n"
"  --margin D            excluded beyond each side of each slab (default 0)\n"
"  --units lj|real       unit style of the profiles (default real)\n"
"  --eps-kb X            lj: epsilon/kB in K; adds S_T in 1/K\n"
"  --box LO:HI           periodic extent along the axis (default: from the\n"
"                        profile's provenance or its bin spacing)\n"
"  --min-slabs N         fewest slabs in a window (default 3)\n"
"  --grad-sigma K        |dT/dz| must exceed K standard errors (default 2)\n"
"  --temperature measured|linear  regress ln c on the slab T (default) or\n"
"                        on the linear fit T(z) (no errors-in-variables bias)\n"
"  -o FILE               output table (default stdout)\n"
"  -q                    no notes on stderr\n"
"  -h, --help  --version\n");
}

static int die(int code, const struct err *e)
{
	fprintf(stderr, "%s: %s\n", tool, e->msg);
	return code;
}

/* A file name as one table cell: whitespace and '#' would split the row or
 * start a comment. */
static void put_name(FILE *fp, const char *s)
{
	for (; *s; s++)
		fputc(*s == ' ' || *s == '\t' || *s == '\n' || *s == '#' ? '_' : *s,
		      fp);
}

enum { NVAL = 13, NVAL_K = 15 };

static void values(const struct soret_result *r, double epskb, double *v)
{
	double k[NVAL_K] = {r->st, r->st_err, r->w[0].st, r->w[0].st_err,
			    r->w[1].st, r->w[1].st_err, r->w[0].dtdz, r->w[1].dtdz,
			    r->w[0].r2, r->w[1].r2, (double)r->w[0].nslab,
			    (double)r->w[1].nslab, (double)r->w[0].weighted +
			    2.0 * r->w[1].weighted,
			    r->st / epskb, r->st_err / epskb};
	memcpy(v, k, sizeof k);
}

static void put_row(FILE *fp, const char *name, const double *v, size_t n)
{
	put_name(fp, name);
	for (size_t c = 0; c < n; c++)
		fprintf(fp, " %.10g", isnan(v[c]) ? NAN : v[c]);
	fputc('\n', fp);
}

static int write_table(const char *out, char **names,
		       const struct soret_result *r, size_t nrep,
		       const struct soret_opts *o, const struct units *u,
		       double epskb, int argc, char **argv, struct err *e)
{
	size_t ncol = epskb > 0 ? NVAL_K : NVAL;
	const char *stu = u->style == UNITS_LJ ? "1/T*" : "1/K";
	char h[NVAL_K][48];
	const char *cols[NVAL_K + 1] = {"replica"};
	const char *base[NVAL_K] = {"S_T", "S_T_err", "S_T_A", "S_T_A_err", "S_T_B",
				    "S_T_B_err", "dTdz_A", "dTdz_B", "R2_A", "R2_B",
				    "nslab_A", "nslab_B", "weighted", "S_T_K",
				    "S_T_K_err"};
	for (size_t c = 0; c < ncol; c++) {
		if (c < 6)
			snprintf(h[c], sizeof h[c], "%s[%s]", base[c], stu);
		else if (c < 8)
			snprintf(h[c], sizeof h[c], "%s[%s/%s]", base[c], u->u_temp,
				 u->u_dist);
		else if (c < 13)
			snprintf(h[c], sizeof h[c], "%s", base[c]);
		else
			snprintf(h[c], sizeof h[c], "%s[1/K]", base[c]);
		cols[c + 1] = h[c];
	}
	double *v = malloc((nrep ? nrep : 1) * NVAL_K * sizeof *v);
	double *col = malloc((nrep ? nrep : 1) * sizeof *col);
	if (!v || !col) {
		free(v);
		free(col);
		return err_set(e, "out of memory");
	}
	for (size_t i = 0; i < nrep; i++)
		values(&r[i], epskb, v + i * NVAL_K);

	struct table_writer w;
	if (table_writer_open(&w, out, e) != 0) {
		free(v);
		free(col);
		return -1;
	}
	table_writer_provenance(&w, tool, SK_VERSION, argc, argv);
	table_writer_meta(&w, "units", "%s", u->name);
	table_writer_meta(&w, "cold", "%.10g:%.10g", o->cold[0], o->cold[1]);
	table_writer_meta(&w, "hot", "%.10g:%.10g", o->hot[0], o->hot[1]);
	table_writer_meta(&w, "margin", "%.10g", o->margin);
	table_writer_meta(&w, "replicas", "%zu", nrep);
	table_writer_meta(&w, "fit", "S_T = -d ln c/dT, weighted least squares "
			  "(weights (c/c_err)^2) in windows A (cold->hot) and B "
			  "(hot->cold); S_T = mean of A and B");
	table_writer_meta(&w, "temperature", "%s", o->t_linear ?
			  "linear fit T(z) in each window" : "measured slab T");
	table_writer_meta(&w, "weighted", "1: window A weighted, 2: B, 3: both");
	table_writer_meta(&w, "rows", "one per replica, then mean, std (n-1) and "
			  "sem over replicas of every column");
	if (epskb > 0)
		table_writer_meta(&w, "eps_kb", "%.10g K (S_T_K = S_T / eps_kb)", epskb);
	table_writer_header(&w, ncol + 1, cols);
	for (size_t i = 0; i < nrep; i++)
		put_row(w.fp, names[i], v + i * NVAL_K, ncol);
	double stat[3][NVAL_K];
	for (size_t c = 0; c < ncol; c++) {
		for (size_t i = 0; i < nrep; i++)
			col[i] = v[i * NVAL_K + c];
		soret_stats(col, nrep, &stat[0][c], &stat[1][c], &stat[2][c]);
	}
	put_row(w.fp, "mean", stat[0], ncol);
	put_row(w.fp, "std", stat[1], ncol);
	put_row(w.fp, "sem", stat[2], ncol);
	free(v);
	free(col);
	return table_writer_close(&w, e);
}

static int fit_one(const char *path, const struct soret_opts *o,
		   const struct units *u, const double box[2], int have_box,
		   struct soret_result *r, int quiet, struct err *e)
{
	struct table t = {0};
	struct soret_profile p = {0};
	int rc = -1;
	if (table_read(&t, path, e) != 0)
		return -1;
	const char *tu = table_meta(&t, "units");
	if (tu && strcmp(tu, u->name) != 0) {
		err_set(e, "%s: profile is in %s units, --units is %s", t.source, tu,
			u->name);
		goto out;
	}
	if (soret_profile_from_table(&p, &t, box[0],
				     have_box ? box[1] - box[0] : 0.0, e) != 0 ||
	    soret_fit(&p, o, r, e) != 0)
		goto out;
	for (int k = 0; k < 2 && !quiet; k++) {
		if (!r->w[k].weighted)
			fprintf(stderr, "%s: note: %s: window %c: c_err missing or not "
				"positive, unweighted fit\n", tool, t.source, "AB"[k]);
		/* a few percent of noise in the regressor is a few percent of
		 * bias in S_T: worth saying, not worth refusing */
		if (!o->t_linear && r->w[k].tnoise > 0.05)
			fprintf(stderr, "%s: note: %s: window %c: slab T noise is %.0f%% "
				"of the T variance, |S_T| is biased low by about as "
				"much; see --temperature linear\n", tool, t.source,
				"AB"[k], 100.0 * r->w[k].tnoise);
	}
	rc = 0;
out:
	soret_profile_free(&p);
	table_free(&t);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_COLD = 256, O_HOT, O_MARGIN, O_UNITS, O_EPSKB, O_BOX, O_MINSLAB,
	       O_GSIG, O_TEMP, O_VER };
	static const struct option lo[] = {
		{"cold", 1, 0, O_COLD}, {"hot", 1, 0, O_HOT},
		{"margin", 1, 0, O_MARGIN}, {"units", 1, 0, O_UNITS},
		{"eps-kb", 1, 0, O_EPSKB}, {"box", 1, 0, O_BOX},
		{"min-slabs", 1, 0, O_MINSLAB}, {"grad-sigma", 1, 0, O_GSIG},
		{"temperature", 1, 0, O_TEMP},
		{"help", 0, 0, 'h'}, {"version", 0, 0, O_VER}, {0, 0, 0, 0}};
	struct err e = {{0}};
	struct soret_opts o;
	soret_opts_default(&o);
	int have_cold = 0, have_hot = 0, have_box = 0, quiet = 0, c;
	double epskb = 0, box[2] = {0, 0};
	long minslab = 3;
	const char *out = NULL, *units = "real";
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case O_COLD:
			rc = cli_range("--cold", optarg, &o.cold[0], &o.cold[1], &e);
			have_cold = 1;
			break;
		case O_HOT:
			rc = cli_range("--hot", optarg, &o.hot[0], &o.hot[1], &e);
			have_hot = 1;
			break;
		case O_MARGIN:
			rc = cli_double("--margin", optarg, &o.margin, &e);
			if (!rc && o.margin < 0)
				rc = err_set(&e, "--margin: '%s' is negative", optarg);
			break;
		case O_UNITS: units = optarg; break;
		case O_EPSKB: rc = cli_positive("--eps-kb", optarg, &epskb, &e); break;
		case O_BOX:
			rc = cli_range("--box", optarg, &box[0], &box[1], &e);
			have_box = 1;
			break;
		case O_MINSLAB: rc = cli_long("--min-slabs", optarg, 3, &minslab, &e); break;
		case O_GSIG: rc = cli_double("--grad-sigma", optarg, &o.grad_sigma, &e);
			if (!rc && o.grad_sigma < 0)
				rc = err_set(&e, "--grad-sigma: '%s' is negative", optarg);
			break;
		case O_TEMP:
			if (!strcmp(optarg, "linear"))
				o.t_linear = 1;
			else if (strcmp(optarg, "measured"))
				rc = err_set(&e, "--temperature: '%s' is not measured or "
					     "linear", optarg);
			break;
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case O_VER: printf("%s (soretkit) %s\n", tool, SK_VERSION); return 0;
		default: cli_try_help(tool); return ERR_USAGE;
		}
		if (rc)
			return die(ERR_USAGE, &e);
	}
	o.min_slabs = (size_t)minslab;
	struct units u;
	if (units_init(&u, units, &e) != 0) {
		err_prefix(&e, "--units");
		return die(ERR_USAGE, &e);
	}
	if (!have_cold || !have_hot) {
		err_set(&e, "--cold Z0:Z1 and --hot Z0:Z1 are required");
		return die(ERR_USAGE, &e);
	}
	if (epskb > 0 && u.style != UNITS_LJ) {
		err_set(&e, "--eps-kb converts lj results; it needs --units lj");
		return die(ERR_USAGE, &e);
	}
	char *dash[] = {"-"};
	char **files = optind < argc ? argv + optind : dash;
	size_t nrep = optind < argc ? (size_t)(argc - optind) : 1, nstdin = 0;
	for (size_t i = 0; i < nrep; i++)
		nstdin += strcmp(files[i], "-") == 0;
	if (nstdin > 1) {
		err_set(&e, "stdin (-) can be read only once");
		return die(ERR_USAGE, &e);
	}
	gsl_set_error_handler_off();   /* statuses are checked instead */
	struct soret_result *r = calloc(nrep, sizeof *r);
	if (!r) {
		err_set(&e, "out of memory");
		return die(ERR_DATA, &e);
	}
	int code = ERR_DATA;
	for (size_t i = 0; i < nrep; i++)
		if (fit_one(files[i], &o, &u, box, have_box, &r[i], quiet, &e) != 0)
			goto fail;
	if (write_table(out, files, r, nrep, &o, &u, epskb, argc, argv, &e) != 0)
		goto fail;
	code = 0;
	goto done;
fail:
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	free(r);
	return code;
}
