/* arrhenius: activation energies of diffusion from D(T) tables, and the
 * equilibrium models of the Soret coefficient (paper Eq. 1, 2, 4). The
 * physics is in common/arrhenius.c. See man/man1/arrhenius.1. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "arrhenius.h"
#include "cli.h"
#include "table.h"
#include "units.h"

static const char *tool = "arrhenius";
#define KJ_PER_KCAL 4.184

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: arrhenius [options] [TABLE]\n"
"Arrhenius fit ln D = ln D0 - Ea/(R T) of diffusion coefficients, and the\n"
"equilibrium models of S_T (paper Eq. 1, 2, 4). TABLE - or absent: stdin\n"
"(absent with --dg: no Arrhenius fit).\n"
"  --t-col NAME          temperature column (default T)\n"
"  --d-col NAME          diffusion coefficient column (default D)\n"
"  --err-col NAME        errors of D: weighted least squares\n"
"  --key NAME            fit each value of column NAME separately\n"
"  --units lj|real       unit style (default real: K, kcal/mol)\n"
"  --temp T              temperature of the S_T predictions\n"
"  --solute KEY --solvent KEY  Prigogine Eq. 2 (needs --key, --temp)\n"
"  --mass-solute M --mass-solvent M  mass-corrected Eq. 4 too\n"
"  --dg FILE             free energies G(T): Eastman Eq. 1 (needs --temp)\n"
"  --dg-kind solvation|desolvation  what the --dg column holds (required)\n"
"  --dg-t-col NAME --dg-col NAME --dg-err-col NAME  its columns\n"
"                        (default T, dG, no errors)\n"
"  -o FILE               output table (default stdout)\n"
"  -q                    no notes on stderr\n"
"  -h, --help  --version\n");
}

struct opts {
	const char *tcol, *dcol, *ecol, *key, *solute, *solvent;
	const char *dg, *dgt, *dgc, *dge, *out;
	int dgsign;            /* +1 solvation, -1 desolvation, 0 unset */
	int quiet;
	double temp, msolute, msolvent;
	int have_temp, have_ms, have_mv;
};

struct fit {
	const char *key;       /* borrowed from the table */
	struct arrhenius a;
};

/* One result row. */
static void put(FILE *fp, const char *q, const char *key, double v, double err,
		const char *unit)
{
	fprintf(fp, "%s %s %.10g %.10g %s\n", q, key, isnan(v) ? NAN : v,
		isnan(err) ? NAN : err, unit);
}

static int column(const struct table *t, const char *name, struct err *e)
{
	int c = table_column(t, name, e);
	if (c >= 0 && table_numeric(t, (size_t)c, 0, e) != 0)
		return -1;
	return c;
}

/* kB of the wrong unit style (LJ data without --units lj) would be off by
 * orders of magnitude: trust a temperature column's unit when it has one. */
static int temp_unit(const struct table *t, int col, const char *name,
		     const struct units *u, struct err *e)
{
	const char *tu = t->unit[col];
	if (tu[0] && strcmp(tu, u->u_temp) &&
	    !(u->style == UNITS_LJ && !strcmp(tu, "T*")))
		return err_set(e, "%s: column %s is in %s; --units %s expects %s%s",
			       t->source, name, tu, u->name, u->u_temp,
			       u->style == UNITS_LJ ? " or T*" : "");
	return 0;
}

/* Fits per key (or one "all"); fits[] has room for t->nrow entries. */
static int fit_table(const struct table *t, const struct opts *o,
		     const struct units *u, struct fit *fits, size_t *nfit,
		     struct err *e)
{
	double R = u->boltz;
	int ct = column(t, o->tcol, e), cd = ct < 0 ? -1 : column(t, o->dcol, e);
	int ce = cd < 0 || !o->ecol ? -1 : column(t, o->ecol, e);
	int ck = cd < 0 || !o->key ? -1 : table_column(t, o->key, e);
	if (ct < 0 || cd < 0 || (o->ecol && ce < 0) || (o->key && ck < 0))
		return -1;
	if (temp_unit(t, ct, o->tcol, u, e) != 0)
		return -1;
	for (size_t r = 0; r < t->nrow; r++) {
		double T = table_get(t, r, (size_t)ct), D = table_get(t, r, (size_t)cd);
		if (!(T > 0))
			return err_set(e, "%s:%ld: %s = %g is not a positive "
				       "temperature", t->source, t->line[r], o->tcol, T);
		if (!(D > 0))
			return err_set(e, "%s:%ld: %s = %g: ln D needs D > 0",
				       t->source, t->line[r], o->dcol, D);
		if (ce >= 0 && !(table_get(t, r, (size_t)ce) > 0))
			return err_set(e, "%s:%ld: %s = %g is not a positive error",
				       t->source, t->line[r], o->ecol,
				       table_get(t, r, (size_t)ce));
	}
	if (t->nrow == 0)
		return err_set(e, "%s: no data rows", t->source);
	double *buf = malloc(3 * t->nrow * sizeof *buf);
	if (!buf)
		return err_set(e, "out of memory");
	*nfit = 0;
	for (size_t r = 0; r < t->nrow; r++) {
		const char *k = ck >= 0 ? table_cell(t, r, (size_t)ck) : "all";
		int seen = 0;
		for (size_t f = 0; f < *nfit; f++)
			seen |= strcmp(fits[f].key, k) == 0;
		if (seen)
			continue;
		size_t n = 0;
		for (size_t j = r; j < t->nrow; j++) {
			if (ck >= 0 && strcmp(table_cell(t, j, (size_t)ck), k) != 0)
				continue;
			buf[n] = table_get(t, j, (size_t)ct);
			buf[t->nrow + n] = table_get(t, j, (size_t)cd);
			buf[2 * t->nrow + n] = ce >= 0 ? table_get(t, j, (size_t)ce) : 0;
			n++;
		}
		fits[*nfit].key = k;
		if (arrhenius_fit(buf, buf + t->nrow, ce >= 0 ? buf + 2 * t->nrow
			: NULL, n, R, &fits[*nfit].a, e) != 0) {
			free(buf);
			if (ck >= 0)
				return err_prefix(e, "%s: %s %s", t->source, o->key, k);
			return err_prefix(e, "%s", t->source);
		}
		if (!o->quiet && isnan(fits[*nfit].a.Ea_err))
			fprintf(stderr, "%s: note: %s: %zu temperatures and no D errors: "
				"no error estimate for Ea (3 needed)\n", tool, k,
				fits[*nfit].a.ntemp);
		(*nfit)++;
	}
	free(buf);
	return 0;
}

/* Eastman: linear fit of G(T) in energy units, G = sign * column. */
static int fit_dg(const struct opts *o, const struct units *u,
		  struct linfit *line, size_t *npts, char *what, size_t nwhat,
		  struct err *e)
{
	struct table t = {0};
	if (table_read(&t, o->dg, e) != 0)
		return -1;
	int ct = column(&t, o->dgt, e), cg = ct < 0 ? -1 : column(&t, o->dgc, e);
	int ce = cg < 0 || !o->dge ? -1 : column(&t, o->dge, e);
	int rc = -1;
	double *x = malloc(3 * (t.nrow ? t.nrow : 1) * sizeof *x);
	if (ct < 0 || cg < 0 || (o->dge && ce < 0) || !x ||
	    temp_unit(&t, ct, o->dgt, u, e) != 0) {
		if (!x)
			err_set(e, "out of memory");
		goto out;
	}
	/* the column's unit says how to make an energy of it */
	const char *un = t.unit[cg];
	double scale = 1.0;
	int per_kT = 0;
	if (!strcmp(un, "kT"))
		per_kT = 1;
	else if (u->style == UNITS_REAL && !strcmp(un, "kJ/mol"))
		scale = 1.0 / KJ_PER_KCAL;
	else if (un[0] && strcmp(un, u->u_energy)) {
		err_set(e, "%s: column %s is in %s; expected %s%s or kT",
			t.source, o->dgc, un, u->u_energy,
			u->style == UNITS_REAL ? ", kJ/mol" : "");
		goto out;
	}
	snprintf(what, nwhat, "%s[%s] as %s free energy", o->dgc,
		 un[0] ? un : u->u_energy, o->dgsign > 0 ? "solvation" :
		 "desolvation");
	double *y = x + t.nrow, *sy = ce >= 0 ? x + 2 * t.nrow : NULL;
	for (size_t r = 0; r < t.nrow; r++) {
		double T = table_get(&t, r, (size_t)ct);
		if (!(T > 0)) {
			err_set(e, "%s:%ld: %s = %g is not a positive temperature",
				t.source, t.line[r], o->dgt, T);
			goto out;
		}
		double f = scale * (per_kT ? u->boltz * T : 1.0) * o->dgsign;
		x[r] = T;
		y[r] = f * table_get(&t, r, (size_t)cg);
		if (sy) {
			sy[r] = fabs(f) * table_get(&t, r, (size_t)ce);
			if (!(sy[r] > 0)) {
				err_set(e, "%s:%ld: %s = %g is not a positive error",
					t.source, t.line[r], o->dge,
					table_get(&t, r, (size_t)ce));
				goto out;
			}
		}
	}
	if (linfit(x, y, sy, t.nrow, line, e) != 0) {
		err_prefix(e, "%s", t.source);
		goto out;
	}
	*npts = t.nrow;
	if (!o->quiet && isnan(line->cov11))
		fprintf(stderr, "%s: note: %s: 2 temperatures and no errors: no "
			"error estimate for dG/dT (3 needed)\n", tool, t.source);
	rc = 0;
out:
	free(x);
	table_free(&t);
	return rc;
}

static const struct fit *find(const struct fit *f, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].key, k))
			return &f[i];
	return NULL;
}

static int write_out(const struct opts *o, const struct units *u,
		     const struct fit *f, size_t nf, const char *dunit,
		     const struct linfit *dg, size_t ndg, const char *dgwhat,
		     int argc, char **argv, struct err *e)
{
	int real = u->style == UNITS_REAL;
	const char *stu = real ? "1/K" : "1/T*";
	char lnu[64], gtu[64];
	snprintf(lnu, sizeof lnu, "ln(%s)", dunit[0] ? dunit : "D");
	snprintf(gtu, sizeof gtu, "%s/%s", u->u_energy, real ? "K" : "T*");
	const struct fit *s2 = NULL, *s1 = NULL;
	if (o->solute && !(s2 = find(f, nf, o->solute)))
		return err_set(e, "--solute %s: no rows with %s %s", o->solute,
			       o->key, o->solute);
	if (o->solvent && !(s1 = find(f, nf, o->solvent)))
		return err_set(e, "--solvent %s: no rows with %s %s", o->solvent,
			       o->key, o->solvent);
	struct table_writer w;
	if (table_writer_open(&w, o->out, e) != 0)
		return -1;
	table_writer_provenance(&w, tool, SK_VERSION, argc, argv);
	table_writer_meta(&w, "units", "%s", u->name);
	table_writer_meta(&w, "R", "%.10g %s/%s", u->boltz, u->u_energy,
			  real ? "K" : "T*");
	if (nf)
		table_writer_meta(&w, "fit", "ln D = ln D0 - Ea/(R T), %s least "
				  "squares in 1/T", o->ecol ? "weighted (sigma ln D "
				  "= sigma D/D)" : "ordinary");
	if (o->have_temp)
		table_writer_meta(&w, "temp", "%.10g", o->temp);
	if (s1 && s2)
		table_writer_meta(&w, "eq2", "S_T = (Ea_solute - Ea_solvent)/(R T^2) "
				  "(Prigogine, sign as corrected in the paper)");
	if (s1 && s2 && o->have_ms)
		table_writer_meta(&w, "eq4", "S_T = eq2 + (M_solute - M_solvent)/"
				  "(M_solute + M_solvent) (Ea_solute + Ea_solvent)/"
				  "(R T^2); masses %g %g", o->msolute, o->msolvent);
	if (dg)
		table_writer_meta(&w, "eq1", "S_T = (1/kB T) dG/dT, G = solvation "
				  "free energy (= -desolvation); %s, linear fit over "
				  "%zu temperatures", dgwhat, ndg);
	table_writer_meta(&w, "rows", "quantity, key (species), value, error, "
			  "unit; errors NaN when undefined");
	const char *cols[] = {"quantity", "key", "value", "err", "unit"};
	table_writer_header(&w, 5, cols);
	for (size_t i = 0; i < nf; i++) {
		const struct arrhenius *a = &f[i].a;
		put(w.fp, "Ea", f[i].key, a->Ea, a->Ea_err, u->u_energy);
		if (real)
			put(w.fp, "Ea", f[i].key, a->Ea * KJ_PER_KCAL,
			    a->Ea_err * KJ_PER_KCAL, "kJ/mol");
		put(w.fp, "lnD0", f[i].key, a->lnD0, a->lnD0_err, lnu);
		put(w.fp, "points", f[i].key, (double)a->n, NAN, "-");
		put(w.fp, "temperatures", f[i].key, (double)a->ntemp, NAN, "-");
		if (a->weighted)
			put(w.fp, "chi2_red", f[i].key, a->chi2_red, NAN, "-");
	}
	double st, err;
	if (s1 && s2 && o->have_temp) {
		arrhenius_prigogine(s2->a.Ea, s2->a.Ea_err, s1->a.Ea, s1->a.Ea_err,
				    u->boltz, o->temp, &st, &err);
		put(w.fp, "S_T_eq2", o->solute, st, err, stu);
		if (o->have_ms) {
			arrhenius_prigogine_mass(s2->a.Ea, s2->a.Ea_err, s1->a.Ea,
						 s1->a.Ea_err, o->msolute, o->msolvent,
						 u->boltz, o->temp, &st, &err);
			put(w.fp, "S_T_eq4", o->solute, st, err, stu);
		}
	}
	if (dg) {
		put(w.fp, "dGdT", "dG", dg->c1, sqrt(dg->cov11), gtu);
		arrhenius_eastman(dg->c1, sqrt(dg->cov11), u->boltz, o->temp, &st,
				  &err);
		put(w.fp, "S_T_eq1", "dG", st, err, stu);
	}
	return table_writer_close(&w, e);
}

static int parse(int argc, char **argv, struct opts *o, const char **units,
		 struct err *e, int *exit_now)
{
	enum { O_TCOL = 256, O_DCOL, O_ECOL, O_KEY, O_UNITS, O_TEMP, O_SOLUTE,
	       O_SOLVENT, O_MSOLUTE, O_MSOLVENT, O_DG, O_DGKIND, O_DGT, O_DGC,
	       O_DGE, O_VER };
	static const struct option lo[] = {
		{"t-col", 1, 0, O_TCOL}, {"d-col", 1, 0, O_DCOL},
		{"err-col", 1, 0, O_ECOL}, {"key", 1, 0, O_KEY},
		{"units", 1, 0, O_UNITS}, {"temp", 1, 0, O_TEMP},
		{"solute", 1, 0, O_SOLUTE}, {"solvent", 1, 0, O_SOLVENT},
		{"mass-solute", 1, 0, O_MSOLUTE}, {"mass-solvent", 1, 0, O_MSOLVENT},
		{"dg", 1, 0, O_DG}, {"dg-kind", 1, 0, O_DGKIND},
		{"dg-t-col", 1, 0, O_DGT}, {"dg-col", 1, 0, O_DGC},
		{"dg-err-col", 1, 0, O_DGE},
		{"help", 0, 0, 'h'}, {"version", 0, 0, O_VER}, {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case O_TCOL: o->tcol = optarg; break;
		case O_DCOL: o->dcol = optarg; break;
		case O_ECOL: o->ecol = optarg; break;
		case O_KEY: o->key = optarg; break;
		case O_UNITS: *units = optarg; break;
		case O_TEMP: rc = cli_positive("--temp", optarg, &o->temp, e);
			o->have_temp = 1;
			break;
		case O_SOLUTE: o->solute = optarg; break;
		case O_SOLVENT: o->solvent = optarg; break;
		case O_MSOLUTE:
			rc = cli_positive("--mass-solute", optarg, &o->msolute, e);
			o->have_ms = 1;
			break;
		case O_MSOLVENT:
			rc = cli_positive("--mass-solvent", optarg, &o->msolvent, e);
			o->have_mv = 1;
			break;
		case O_DG: o->dg = optarg; break;
		case O_DGKIND:
			if (!strcmp(optarg, "solvation"))
				o->dgsign = 1;
			else if (!strcmp(optarg, "desolvation"))
				o->dgsign = -1;
			else
				rc = err_set(e, "--dg-kind: '%s' is not solvation or "
					     "desolvation", optarg);
			break;
		case O_DGT: o->dgt = optarg; break;
		case O_DGC: o->dgc = optarg; break;
		case O_DGE: o->dge = optarg; break;
		case 'o': o->out = optarg; break;
		case 'q': o->quiet = 1; break;
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
	if (argc - optind > 1)
		return err_set(e, "one table at most (got %d)", argc - optind);
	if ((o->solute != NULL) != (o->solvent != NULL))
		return err_set(e, "--solute and --solvent go together");
	if (o->solute && !o->key)
		return err_set(e, "--solute/--solvent name values of the --key column: "
			       "--key is needed");
	if ((o->solute || o->dg) && !o->have_temp)
		return err_set(e, "the S_T predictions need --temp T");
	if (o->have_ms != o->have_mv)
		return err_set(e, "--mass-solute and --mass-solvent go together");
	if (o->have_ms && !o->solute)
		return err_set(e, "the masses (Eq. 4) need --solute and --solvent");
	if (o->dg && !o->dgsign)
		return err_set(e, "--dg needs --dg-kind solvation|desolvation: Eq. 1 "
			       "uses the solvation free energy (= -desolvation), "
			       "and the sign of S_T depends on it");
	if (!o->dg && (o->dgsign || o->dge))
		return err_set(e, "--dg-kind and --dg-err-col need --dg");
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.tcol = "T", .dcol = "D", .dgt = "T", .dgc = "dG"};
	const char *units = "real";
	struct err e = {{0}};
	int exit_now = 0;
	if (parse(argc, argv, &o, &units, &e, &exit_now) != 0) {
		if (e.msg[0])
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
	int code = ERR_DATA, have_table = optind < argc || !o.dg;
	struct table t = {0};
	struct fit *fits = NULL;
	size_t nfit = 0, ndg = 0;
	struct linfit dg;
	char dgwhat[160] = "";
	const char *dunit = "";
	if (have_table) {
		if (table_read(&t, optind < argc ? argv[optind] : "-", &e) != 0)
			goto fail;
		fits = calloc(t.nrow ? t.nrow : 1, sizeof *fits);
		if (!fits) {
			err_set(&e, "out of memory");
			goto fail;
		}
		if (fit_table(&t, &o, &u, fits, &nfit, &e) != 0)
			goto fail;
		int cd = table_column(&t, o.dcol, NULL);
		dunit = cd >= 0 ? t.unit[cd] : "";
	}
	if (o.dg && fit_dg(&o, &u, &dg, &ndg, dgwhat, sizeof dgwhat, &e) != 0)
		goto fail;
	if (write_out(&o, &u, fits, nfit, dunit, o.dg ? &dg : NULL, ndg, dgwhat,
		      argc, argv, &e) != 0)
		goto fail;
	code = 0;
	goto done;
fail:
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	free(fits);
	table_free(&t);
	return code;
}
