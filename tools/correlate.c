/* correlate: join tables on a key and measure the correlation of two
 * columns (Pearson, Spearman, p-values, least-squares line, its crossing of
 * y = 0), optionally with a gnuplot figure. The statistics are in
 * common/correlate.c. See man/man1/correlate.1. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "correlate.h"
#include "table.h"

extern char **environ;

static const char *tool = "correlate";
#define MAXK 8
#define MAXF 64

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: correlate --key NAME[,NAME] --x COL --y COL [options] [TABLE ...]\n"
"Join tables on key columns; Pearson r, Spearman rho, p-values, the\n"
"least-squares line y = a + b x and where it crosses y = 0. No TABLE or -:\n"
"stdin.\n"
"  --key NAMES           key column(s) the tables are joined on\n"
"  --x COL --y COL       the two columns (each from the first table having it)\n"
"  --xerr COL --yerr COL errors: drawn; y errors also weight the line\n"
"  --plot FILE.png|FILE.svg  figure by gnuplot (FILE.gp and FILE.dat kept)\n"
"  --mark-x X            vertical reference line in the figure\n"
"  --mark-label TEXT     its legend (default: reference)\n"
"  -o FILE               result table (default stdout)\n"
"  -q                    no notes on stderr\n"
"  -h, --help  --version\n");
}

struct opts {
	const char *keys[MAXK];
	size_t nkey;
	const char *x, *y, *xerr, *yerr, *plot, *out, *mark_label;
	double mark_x;
	int have_mark, quiet;
};

static int split_keys(char *s, struct opts *o, struct err *e)
{
	char *save = NULL;
	for (char *k = strtok_r(s, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		if (o->nkey >= MAXK)
			return err_set(e, "--key: at most %d columns", MAXK);
		o->keys[o->nkey++] = k;
	}
	return o->nkey ? 0 : err_set(e, "--key: no column named");
}

static void name_unit(char *buf, size_t n, const char *name, const char *unit)
{
	if (unit && unit[0])
		snprintf(buf, n, "%s[%s]", name, unit);
	else
		snprintf(buf, n, "%s", name);
}

static int write_result(const struct opts *o, const struct corr_result *c,
			const struct corr_join *j, char **files, size_t nf,
			int argc, char **argv, struct err *e)
{
	const char *xu = j->unit[0], *yu = j->unit[1];
	char su[96], iu[96], xo[96];
	if (!strcmp(xu, yu))   /* same units (or none): a pure number */
		snprintf(su, sizeof su, "slope");
	else
		snprintf(su, sizeof su, strchr(xu, '/') ? "slope[%s/(%s)]" :
			 "slope[%s/%s]", yu[0] ? yu : "1", xu[0] ? xu : "1");
	name_unit(iu, sizeof iu, "intercept", yu);
	name_unit(xo, sizeof xo, "x0", xu);
	struct table_writer w;
	if (table_writer_open(&w, o->out, e) != 0)
		return -1;
	table_writer_provenance(&w, tool, SK_VERSION, argc, argv);
	for (size_t i = 0; i < nf; i++)
		table_writer_meta(&w, "input", "%s", files[i]);
	table_writer_meta(&w, "x", "%s%s%s%s", o->x, xu[0] ? "[" : "", xu,
			  xu[0] ? "]" : "");
	table_writer_meta(&w, "y", "%s%s%s%s", o->y, yu[0] ? "[" : "", yu,
			  yu[0] ? "]" : "");
	table_writer_meta(&w, "joined", "%zu rows (%zu without a partner or with "
			  "a NaN dropped)", j->n, j->ndrop);
	table_writer_meta(&w, "p_values", "two-sided, t = r sqrt((n-2)/(1-r^2)) "
			  "with n-2 degrees of freedom");
	table_writer_meta(&w, "line", "y = intercept + slope x, %s least squares; "
			  "x0 = -intercept/slope, error by propagation",
			  o->yerr ? "weighted (1/yerr^2)" : "ordinary");
	static const char *base[] = {"n", "pearson_r", "pearson_p", "spearman_rho",
				     "spearman_p"};
	char se[112], ie[112], xe[112];
	const char *bu = strchr(su, '[');
	snprintf(se, sizeof se, "slope_err%s", bu ? bu : "");
	name_unit(ie, sizeof ie, "intercept_err", yu);
	name_unit(xe, sizeof xe, "x0_err", xu);
	const char *cols[] = {base[0], base[1], base[2], base[3], base[4], su, se,
			      iu, ie, xo, xe, "chi2"};
	table_writer_header(&w, 12, cols);
	const struct linfit *l = &c->line;
	double v[12] = {(double)c->n, c->r, c->r_p, c->rho, c->rho_p, l->c1,
			sqrt(l->cov11), l->c0, sqrt(l->cov00), c->x0, c->x0_err,
			l->chi2};
	for (int i = 0; i < 12; i++)
		if (isnan(v[i]))
			v[i] = NAN;
	table_writer_row(&w, v, 0);
	return table_writer_close(&w, e);
}

/* gnuplot script and data beside the figure; the figure is drawn to a
 * temporary name and renamed when gnuplot succeeds. */
static int plot(const struct opts *o, const struct corr_result *c,
		const struct corr_join *j, struct err *e)
{
	const char *p = o->plot, *dot = strrchr(p, '.');
	int svg = !strcmp(dot, ".svg");   /* .png or .svg: checked by main */
	size_t nb = (size_t)(dot - p);
	char *gp = malloc(nb + 8), *dat = malloc(nb + 8), *tmp = malloc(strlen(p) + 8);
	if (!gp || !dat || !tmp) {
		free(gp);
		free(dat);
		free(tmp);
		return err_set(e, "out of memory");
	}
	snprintf(gp, nb + 8, "%.*s.gp", (int)nb, p);
	snprintf(dat, nb + 8, "%.*s.dat", (int)nb, p);
	snprintf(tmp, strlen(p) + 8, "%s.tmp", p);
	int rc = -1;
	FILE *fd = fopen(dat, "w"), *fg = fd ? fopen(gp, "w") : NULL;
	if (!fd || !fg) {
		err_set(e, "%s: %s", fd ? gp : dat, strerror(errno));
		if (fd)
			fclose(fd);
		goto out;
	}
	size_t nc = j->ncol;
	fprintf(fd, "# key %s %s%s%s%s%s\n", o->x, o->y, o->xerr ? " " : "",
		o->xerr ? o->xerr : "", o->yerr ? " " : "", o->yerr ? o->yerr : "");
	for (size_t i = 0; i < j->n; i++) {
		fprintf(fd, "%s", j->key[i]);
		for (size_t k = 0; k < nc; k++)
			fprintf(fd, " %.10g", j->val[i * nc + k]);
		fputc('\n', fd);
	}
	char xl[96], yl[96];
	name_unit(xl, sizeof xl, o->x, j->unit[0]);
	name_unit(yl, sizeof yl, o->y, j->unit[1]);
	fprintf(fg, "# %s (soretkit) %s: %s against %s\n", tool, SK_VERSION, o->y,
		o->x);
	fprintf(fg, "set terminal %s size 800,600\nset output '%s'\n",
		svg ? "svg" : "pngcairo", tmp);
	fprintf(fg, "set xlabel '%s' noenhanced\nset ylabel '%s' noenhanced\n", xl,
		yl);
	fprintf(fg, "set title 'n = %zu, Pearson r = %.3f (p = %.2g), Spearman rho "
		"= %.3f (p = %.2g)'\n", c->n, c->r, c->r_p, c->rho, c->rho_p);
	fprintf(fg, "set key below box\nset grid\nset xzeroaxis lt -1\n"
		"set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n");
	if (o->have_mark)
		fprintf(fg, "set arrow from %.15g, graph 0 to %.15g, graph 1 nohead "
			"dt 2 lw 2 lc rgb 'dark-orange'\n", o->mark_x, o->mark_x);
	fprintf(fg, "a = %.17g\nb = %.17g\nf(x) = a + b*x\n", c->line.c0,
		c->line.c1);
	int ix = o->xerr ? 4 : 0, iy = o->yerr ? (o->xerr ? 5 : 4) : 0;
	const char *using = ix && iy ? "2:3:4:5 with xyerrorbars" :
			    ix ? "2:3:4 with xerrorbars" : iy ?
			    "2:3:4 with yerrorbars" : "2:3 with points";
	fprintf(fg, "plot '%s' using %s pt 7 title 'data', f(x) lw 2 title "
		"'least squares'", dat, using);
	if (isfinite(c->x0))
		fprintf(fg, ", '+' using (%.17g):(0) with points pt 6 ps 3 lw 2 "
			"title sprintf('y = 0 at x = %%.3g', %.17g)", c->x0, c->x0);
	if (o->have_mark)
		fprintf(fg, ", NaN with lines dt 2 lw 2 lc rgb 'dark-orange' title "
			"'%s: x = %.4g'", o->mark_label ? o->mark_label : "reference",
			o->mark_x);
	fprintf(fg, "\n");
	int bad = fclose(fd) != 0;
	bad |= fclose(fg) != 0;
	if (bad) {
		err_set(e, "%s: write error", gp);
		goto out;
	}
	pid_t pid;
	char *av[] = {"gnuplot", gp, NULL};
	int s = posix_spawnp(&pid, "gnuplot", NULL, NULL, av, environ);
	if (s != 0) {
		if (!o->quiet)
			fprintf(stderr, "%s: note: gnuplot not found (%s): no figure; "
				"%s and %s are written, run 'gnuplot %s' where gnuplot "
				"is installed\n", tool, strerror(s), gp, dat, gp);
		rc = 0;
		goto out;
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		remove(tmp);
		err_set(e, "gnuplot %s failed", gp);
		goto out;
	}
	if (rename(tmp, p) != 0) {
		err_set(e, "%s: %s", p, strerror(errno));
		remove(tmp);
		goto out;
	}
	rc = 0;
out:
	free(gp);
	free(dat);
	free(tmp);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_KEY = 256, O_X, O_Y, O_XERR, O_YERR, O_PLOT, O_MARK, O_MARKL,
	       O_VER };
	static const struct option lo[] = {
		{"key", 1, 0, O_KEY}, {"x", 1, 0, O_X}, {"y", 1, 0, O_Y},
		{"xerr", 1, 0, O_XERR}, {"yerr", 1, 0, O_YERR},
		{"plot", 1, 0, O_PLOT}, {"mark-x", 1, 0, O_MARK},
		{"mark-label", 1, 0, O_MARKL},
		{"help", 0, 0, 'h'}, {"version", 0, 0, O_VER}, {0, 0, 0, 0}};
	struct opts o = {0};
	struct err e = {{0}};
	int c;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case O_KEY: rc = split_keys(optarg, &o, &e); break;
		case O_X: o.x = optarg; break;
		case O_Y: o.y = optarg; break;
		case O_XERR: o.xerr = optarg; break;
		case O_YERR: o.yerr = optarg; break;
		case O_PLOT: {
			const char *dot = strrchr(optarg, '.');
			o.plot = optarg;
			if (!dot || (strcmp(dot, ".png") && strcmp(dot, ".svg")))
				rc = err_set(&e, "--plot: '%s' does not end in .png or "
					     ".svg", optarg);
			else if (strpbrk(optarg, "'\"\\\n"))
				rc = err_set(&e, "--plot: quotes and backslashes are not "
					     "allowed in the name");
			break;
		}
		case O_MARK: rc = cli_double("--mark-x", optarg, &o.mark_x, &e);
			o.have_mark = 1;
			break;
		case O_MARKL:
			o.mark_label = optarg;
			if (strpbrk(optarg, "'\\\n"))
				rc = err_set(&e, "--mark-label: no quotes or backslashes");
			break;
		case 'o': o.out = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case O_VER: printf("%s (soretkit) %s\n", tool, SK_VERSION); return 0;
		default: cli_try_help(tool); return ERR_USAGE;
		}
		if (rc) {
			fprintf(stderr, "%s: %s\n", tool, e.msg);
			return ERR_USAGE;
		}
	}
	if (!o.nkey || !o.x || !o.y) {
		fprintf(stderr, "%s: --key, --x and --y are required\n", tool);
		return ERR_USAGE;
	}
	char *dash[] = {"-"};
	char **files = optind < argc ? argv + optind : dash;
	size_t nf = optind < argc ? (size_t)(argc - optind) : 1, nstdin = 0;
	for (size_t i = 0; i < nf; i++)
		nstdin += !strcmp(files[i], "-");
	if (nstdin > 1 || nf > MAXF) {
		fprintf(stderr, "%s: %s\n", tool, nstdin > 1 ? "stdin (-) can be read "
			"only once" : "too many tables");
		return ERR_USAGE;
	}
	gsl_set_error_handler_off();   /* statuses are checked instead */
	struct table tab[MAXF];
	struct table *tp[MAXF];
	memset(tab, 0, sizeof tab);
	struct corr_join j = {0};
	struct corr_result res;
	int code = ERR_DATA;
	const char *cols[4] = {o.x, o.y};
	size_t ncol = 2, iye = 0;
	if (o.xerr)
		cols[ncol++] = o.xerr;
	if (o.yerr)
		cols[iye = ncol++] = o.yerr;
	for (size_t i = 0; i < nf; i++) {
		tp[i] = &tab[i];
		if (table_read(&tab[i], files[i], &e) != 0)
			goto fail;
	}
	if (corr_join(tp, nf, o.keys, o.nkey, cols, ncol, &j, &e) != 0)
		goto fail;
	if (j.ndrop && !o.quiet)
		fprintf(stderr, "%s: note: %zu row%s without a partner in every table "
			"(or with a NaN) dropped\n", tool, j.ndrop, j.ndrop > 1 ? "s" : "");
	double *x = malloc(3 * (j.n ? j.n : 1) * sizeof *x);
	if (!x) {
		err_set(&e, "out of memory");
		goto fail;
	}
	double *y = x + j.n, *ye = o.yerr ? x + 2 * j.n : NULL;
	for (size_t i = 0; i < j.n; i++) {
		x[i] = j.val[i * ncol];
		y[i] = j.val[i * ncol + 1];
		if (ye && !((ye[i] = j.val[i * ncol + iye]) > 0)) {
			/* linfit would name the joined row's index, not its key */
			err_set(&e, "key '%s': %s = %g is not a positive error",
				j.key[i], o.yerr, ye[i]);
			free(x);
			goto fail;
		}
	}
	int rc = correlate(x, y, ye, j.n, &res, &e);
	free(x);
	if (rc == 0 && isnan(res.x0) && !o.quiet)
		fprintf(stderr, "%s: note: the fitted line is flat (slope 0): it does "
			"not cross y = 0, x0 and x0_err are NaN\n", tool);
	/* the figure first: a failed gnuplot leaves no result table */
	if (rc != 0 || (o.plot && plot(&o, &res, &j, &e) != 0) ||
	    write_result(&o, &res, &j, files, nf, argc, argv, &e) != 0)
		goto fail;
	code = 0;
	goto done;
fail:
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	corr_join_free(&j);
	for (size_t i = 0; i < nf; i++)
		table_free(&tab[i]);
	return code;
}
