/* mbar: free-energy differences along a schedule of lambda states from
 * the window tables of fep-window, by MBAR, BAR, TI (trapezoid and cubic
 * spline) and EXP; the results table of DESIGN.md. The estimators are in
 * common/fe_analysis.c and the modules it calls. See man/man1/mbar.1. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "fe_analysis.h"
#include "fe_window.h"
#include "table.h"
#include "units.h"

static const char *tool = "mbar";

/* Neighbours with less overlap than this get a warning (alchemlyb and
 * Klimovich et al. 2015 use 0.03 as the rule of thumb). */
#define OVERLAP_WARN 0.03

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: mbar [options] WINDOW ...\n"
"Free energy from state 0 to state K-1 of a lambda schedule (dG = f_K-1 - f_0)\n"
"by MBAR, BAR, TI, TI-CUBIC, EXP-FWD and EXP-BWD, from one window table per\n"
"state (fep-window; any order; - or no file reads stdin).\n"
"  --temp T              temperature (K for real, eps/kB for lj; default: from\n"
"                        the windows); adds dG and err in energy units\n"
"  --units lj|real       energy units of those columns (default: from the\n"
"                        windows, else real)\n"
"  --no-subsample        use every sample (default: subsample each window by\n"
"                        its statistical inefficiency)\n"
"  --equilibrate         detect and drop each window's equilibration prefix\n"
"  --per-state           add rows METHOD@k: cumulative dG from state 0 to k\n"
"  --overlap FILE        write the MBAR overlap matrix\n"
"  --tol X               MBAR convergence: weights sum to 1 within X\n"
"                        (default 1e-10)\n"
"  --max-iter N          MBAR iteration cap (default 10000)\n"
"  -o FILE               output table (default stdout)\n"
"  -q                    no notes on stderr (warnings stay)\n"
"  -h, --help  --version\n");
}

static int die(int code, const struct err *e)
{
	fprintf(stderr, "%s: %s\n", tool, e->msg);
	return code;
}

struct out_opts {
	const char *out, *overlap;
	int per_state;
	double kT;                 /* energy per kT, 0: unknown */
	const char *eunit;         /* "kcal/mol" or "eps" */
	double temp;
	const char *units;
};

static void put_row(FILE *fp, const char *name, double dg, double err,
		    double kT)
{
	fprintf(fp, "%s %.10g %.10g", name, dg, err);
	if (kT > 0)
		fprintf(fp, " %.10g %.10g", dg * kT, err * kT);
	fputc('\n', fp);
}

/* "# key: v0 v1 ..." of one per-state number. */
static void meta_list(struct table_writer *w, const char *key,
		      const struct fe_analysis *r, int what)
{
	size_t n = r->K * 24 + 1, used = 0;
	char *s = malloc(n);
	if (!s)
		return;
	s[0] = '\0';
	for (size_t k = 0; k < r->K; k++) {
		const struct fe_state_stats *st = &r->st[k];
		if (what == 0)
			used += (size_t)snprintf(s + used, n - used, "%s%zu",
						 k ? " " : "", st->kept);
		else if (what == 1)
			used += (size_t)snprintf(s + used, n - used, "%s%.4g",
						 k ? " " : "", st->g);
		else
			used += (size_t)snprintf(s + used, n - used, "%s%zu",
						 k ? " " : "", st->t0);
	}
	table_writer_meta(w, key, "%s", s);
	free(s);
}

static int write_results(const struct out_opts *oo,
			 const struct fe_windows *w,
			 const struct fe_analysis *r,
			 const struct fe_analysis_opts *ao, int argc,
			 char **argv, struct err *e)
{
	size_t K = r->K;
	struct table_writer tw;
	if (table_writer_open(&tw, oo->out, e))
		return -1;
	table_writer_provenance(&tw, tool, SK_VERSION, argc, argv);
	char a[80], b[80];
	fe_window_lambda_str(w, 0, a, sizeof a);
	fe_window_lambda_str(w, K - 1, b, sizeof b);
	table_writer_meta(&tw, "convention", "dG = f_%zu - f_0, from state 0 "
			  "(lambda %s) to state %zu (lambda %s)", K - 1, a, K - 1,
			  b);
	table_writer_meta(&tw, "states", "%zu", K);
	size_t len = 1;
	for (size_t k = 0; k < K; k++)
		len += sizeof a + strlen(w->source[k]) + 2;
	char *buf = malloc(len);
	if (buf) {   /* without memory, two provenance lines fewer */
		size_t used = 0;
		buf[0] = '\0';
		for (size_t k = 0; k < K; k++) {
			fe_window_lambda_str(w, k, a, sizeof a);
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 k ? " " : "", a);
		}
		table_writer_meta(&tw, "lambdas", "%s", buf);
		used = 0;
		for (size_t k = 0; k < K; k++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 k ? " " : "", w->source[k]);
		table_writer_meta(&tw, "windows", "%s", buf);
		free(buf);
	}
	if (oo->kT > 0) {
		table_writer_meta(&tw, "temperature", "%.10g", oo->temp);
		table_writer_meta(&tw, "units", "%s", oo->units);
		table_writer_meta(&tw, "kT", "%.10g %s", oo->kT, oo->eunit);
	}
	table_writer_meta(&tw, "subsample", "%s", ao->subsample ?
			  "by statistical inefficiency g (pymbar, mintime 3)" :
			  "no (every sample)");
	table_writer_meta(&tw, "observable", "%s", r->observable);
	if (ao->equilibrate)
		meta_list(&tw, "t0", r, 2);
	meta_list(&tw, "g", r, 1);
	meta_list(&tw, "samples", r, 0);
	table_writer_meta(&tw, "mbar", "%ld iterations, weights sum to 1 within "
			  "%.3g", r->mbar_iterations, r->mbar_grad);
	table_writer_meta(&tw, "overlap_scalar", "%.6g", r->overlap_scalar);
	if (oo->per_state)
		table_writer_meta(&tw, "rows", "one per method, then METHOD@k: "
				  "dG from state 0 to state k");
	if (oo->kT > 0)
		fprintf(tw.fp, "# method dG[kT] err[kT] dG[%s] err[%s]\n",
			oo->eunit, oo->eunit);
	else
		fputs("# method dG[kT] err[kT]\n", tw.fp);
	for (int m = 0; m < FE_NMETHOD; m++)
		if (r->have[m])
			put_row(tw.fp, fe_method_name[m], r->dg[m * (int)K + (int)K - 1],
				r->err[m * (int)K + (int)K - 1], oo->kT);
	for (int m = 0; m < FE_NMETHOD && oo->per_state; m++)
		for (size_t k = 0; k < K && r->have[m]; k++) {
			char name[32];
			snprintf(name, sizeof name, "%s@%zu", fe_method_name[m], k);
			put_row(tw.fp, name, r->dg[(size_t)m * K + k],
				r->err[(size_t)m * K + k], oo->kT);
		}
	return table_writer_close(&tw, e);
}

/* Written but left open in tw: main closes it (renames it into place)
 * only once the results table is in place too, so that a failure leaves
 * neither file behind. */
static int write_overlap(const char *path, const struct fe_analysis *r,
			 int argc, char **argv, struct table_writer *ptw,
			 struct err *e)
{
	size_t K = r->K;
	struct table_writer tw;
	char **names = calloc(K + 1, sizeof *names);
	double *row = malloc((K + 1) * sizeof *row);
	int rc = -1;
	if (!names || !row) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t k = 0; k <= K; k++)
		if (!(names[k] = malloc(32))) {
			err_set(e, "out of memory");
			goto out;
		}
	snprintf(names[0], 32, "state");
	for (size_t k = 0; k < K; k++)
		snprintf(names[k + 1], 32, "O_%zu", k);
	if (table_writer_open(&tw, path, e))
		goto out;
	table_writer_provenance(&tw, tool, SK_VERSION, argc, argv);
	table_writer_meta(&tw, "overlap", "O_ij = N_j sum_n W_ni W_nj (MBAR "
			  "weights of the samples used; pymbar computeOverlap): "
			  "the probability that a sample of state i is seen "
			  "in state j; rows sum to 1");
	table_writer_meta(&tw, "overlap_scalar", "%.10g (1 - second largest "
			  "eigenvalue)", r->overlap_scalar);
	table_writer_header(&tw, K + 1, (const char *const *)names);
	for (size_t i = 0; i < K; i++) {
		row[0] = (double)i;
		memcpy(row + 1, r->overlap + i * K, K * sizeof *row);
		table_writer_row(&tw, row, 0);
	}
	*ptw = tw;
	rc = 0;
out:
	if (names)
		for (size_t k = 0; k <= K; k++)
			free(names[k]);
	free(names);
	free(row);
	return rc;
}

static void notes(const struct fe_windows *w, const struct fe_analysis *r,
		  const struct fe_analysis_opts *ao, int quiet,
		  const double *secs)
{
	size_t K = r->K;
	if (!quiet)
		fprintf(stderr, "%s: note: %zu windows, %zu samples read in %.3g s; "
			"estimators %.3g s (MBAR %.3g s, %ld iterations)\n", tool,
			K, w->N, secs[0], secs[1], r->mbar_seconds,
			r->mbar_iterations);
	for (size_t k = 0; k < K && !quiet; k++) {
		const struct fe_state_stats *st = &r->st[k];
		fprintf(stderr, "%s: note: state %zu (%s): %zu samples", tool, k,
			w->source[k], st->n);
		if (ao->equilibrate)
			fprintf(stderr, ", equilibrated from sample %zu", st->t0);
		if (ao->subsample)
			fprintf(stderr, ", g = %.3g%s", st->g,
				st->constant ? " (constant observable)" : "");
		fprintf(stderr, ", %zu used\n", st->kept);
	}
	if (r->ti_note[0] && !quiet)
		fprintf(stderr, "%s: note: %s\n", tool, r->ti_note);
	for (size_t k = 0; k + 1 < K; k++) {
		double o = fmin(r->overlap[k * K + k + 1], r->overlap[(k + 1) * K + k]);
		if (o < OVERLAP_WARN)
			fprintf(stderr, "%s: warning: overlap of states %zu and %zu "
				"is %.3g < %.2g: %s; add states between them\n",
				tool, k, k + 1, o, OVERLAP_WARN, o < 1e-6 ?
				"dG across them is undetermined and its errors "
				"meaningless" : "estimates across them are unreliable");
	}
	for (size_t k = 0; k < K; k++)
		if (r->st[k].kept < 2)   /* also with --no-subsample */
			fprintf(stderr, "%s: warning: state %zu: one sample "
				"used: its variance is undefined, errors through "
				"it are nan (TI) or meaningless\n", tool, k);
		else if (ao->subsample && r->st[k].kept < 50)
			fprintf(stderr, "%s: warning: state %zu: only %zu "
				"uncorrelated samples; errors are unreliable\n",
				tool, k, r->st[k].kept);
}

/* Temperature and units: options, else the windows'; in conflict, an
 * error. */
static int energy_units(struct out_opts *oo, const struct fe_windows *w,
			double opt_temp, const char *opt_units, struct err *e)
{
	if (opt_units && w->units[0] && strcmp(opt_units, w->units))
		return err_set(e, "--units %s, but the windows say %s (%s)",
			       opt_units, w->units, w->source[0]);
	if (opt_temp > 0 && w->temperature > 0 && opt_temp != w->temperature)
		return err_set(e, "--temp %.10g, but the windows say %.10g (%s)",
			       opt_temp, w->temperature, w->source[0]);
	oo->temp = opt_temp > 0 ? opt_temp : w->temperature;
	oo->units = opt_units ? opt_units : w->units[0] ? w->units : "real";
	if (oo->temp > 0) {
		struct units u;
		if (units_init(&u, oo->units, e))
			return -1;
		oo->kT = u.boltz * oo->temp;
		oo->eunit = u.u_energy;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_TEMP = 256, O_UNITS, O_NOSUB, O_EQUIL, O_PER, O_OVL, O_TOL,
	       O_MAXIT, O_VER };
	static const struct option lo[] = {
		{"temp", 1, 0, O_TEMP}, {"units", 1, 0, O_UNITS},
		{"no-subsample", 0, 0, O_NOSUB}, {"equilibrate", 0, 0, O_EQUIL},
		{"per-state", 0, 0, O_PER}, {"overlap", 1, 0, O_OVL},
		{"tol", 1, 0, O_TOL}, {"max-iter", 1, 0, O_MAXIT},
		{"help", 0, 0, 'h'}, {"version", 0, 0, O_VER}, {0, 0, 0, 0}};
	struct err e = {{0}};
	struct fe_analysis_opts ao;
	fe_analysis_opts_default(&ao);
	struct out_opts oo = {0};
	double opt_temp = 0;
	const char *opt_units = NULL;
	int quiet = 0, c;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		int rc = 0;
		long v;
		switch (c) {
		case O_TEMP: rc = cli_positive("--temp", optarg, &opt_temp, &e); break;
		case O_UNITS:
			if (strcmp(optarg, "real") && strcmp(optarg, "lj"))
				rc = err_set(&e, "--units: '%s' is not lj or real",
					     optarg);
			opt_units = optarg;
			break;
		case O_NOSUB: ao.subsample = 0; break;
		case O_EQUIL: ao.equilibrate = 1; break;
		case O_PER: oo.per_state = 1; break;
		case O_OVL: oo.overlap = optarg; break;
		case O_TOL: rc = cli_positive("--tol", optarg, &ao.mbar.tol, &e); break;
		case O_MAXIT:
			rc = cli_long("--max-iter", optarg, 1, &v, &e);
			ao.mbar.max_iter = v;
			break;
		case 'o': oo.out = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case O_VER: printf("%s (soretkit) %s\n", tool, SK_VERSION); return 0;
		default: cli_try_help(tool); return ERR_USAGE;
		}
		if (rc)
			return die(ERR_USAGE, &e);
	}
	const char *dash[] = {"-"};
	const char *const *files = optind < argc ? (const char *const *)argv + optind
						 : dash;
	size_t n = optind < argc ? (size_t)(argc - optind) : 1, nstdin = 0;
	for (size_t i = 0; i < n; i++)
		nstdin += strcmp(files[i], "-") == 0;
	if (nstdin > 1) {
		err_set(&e, "stdin (-) can be read only once");
		return die(ERR_USAGE, &e);
	}
	gsl_set_error_handler_off();   /* statuses are checked instead */
	struct fe_windows w;
	struct fe_analysis r;
	double t0 = wall_seconds(), secs[2];
	if (fe_window_read(&w, n, files, &e))
		return die(ERR_DATA, &e);
	secs[0] = wall_seconds() - t0;
	int code = ERR_DATA;
	if (energy_units(&oo, &w, opt_temp, opt_units, &e) ||
	    fe_analyze(&w, &ao, &r, &e)) {
		fe_window_free(&w);
		return die(ERR_DATA, &e);
	}
	secs[1] = wall_seconds() - t0 - secs[0];
	notes(&w, &r, &ao, quiet, secs);
	struct table_writer otw = {0};
	if (oo.overlap && write_overlap(oo.overlap, &r, argc, argv, &otw, &e))
		fprintf(stderr, "%s: %s\n", tool, e.msg);
	else if (write_results(&oo, &w, &r, &ao, argc, argv, &e)) {
		fprintf(stderr, "%s: %s\n", tool, e.msg);
		if (oo.overlap)
			table_writer_abort(&otw);
	} else if (oo.overlap && table_writer_close(&otw, &e))
		fprintf(stderr, "%s: %s\n", tool, e.msg);
	else
		code = 0;
	fe_analysis_free(&r);
	fe_window_free(&w);
	return code;
}
