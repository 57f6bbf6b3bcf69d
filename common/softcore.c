/* softcore: soft-core decoupling of selected atoms (see softcore.h for the
 * forms, the tail and the type-cloning scheme). References: LAMMPS
 * src/FEP/pair_lj_cut_soft.cpp (compute, init_one), Beutler et al., Chem.
 * Phys. Lett. 222, 529 (1994); notes/algorithms.md section 4. */
#include "softcore.h"

#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sc_params_default(struct sc_params *p, enum sc_form form)
{
	p->form = form;
	p->n = 1.0;
	p->alpha = 0.5;
	p->p = form == SC_FORM_GROMACS ? 1.0 : 2.0;
}

int sc_params_check(const struct sc_params *p, struct err *e)
{
	if (!(p->alpha >= 0.0) || !isfinite(p->alpha))
		return err_set(e, "soft-core alpha %g must be >= 0", p->alpha);
	if (!(p->n >= 1.0) || !isfinite(p->n))
		return err_set(e, "soft-core n %g must be >= 1 (dU/dlambda "
				  "diverges at lambda = 0 otherwise)", p->n);
	if (!(p->p >= 1.0) || !isfinite(p->p))
		return err_set(e, "soft-core power %g must be >= 1", p->p);
	if (p->form == SC_FORM_LAMMPS && p->p != 2.0)
		return err_set(e, "soft-core form lammps has (1-lambda)^2; "
				  "--sc-power is for --sc-form gromacs");
	if (p->form == SC_FORM_GROMACS && p->n != 1.0)
		return err_set(e, "soft-core form gromacs scales by lambda "
				  "(n = 1); --sc-n is for --sc-form lammps");
	return 0;
}

static int parse_unit(const char *opt, const char *s, double *v,
		      struct err *e)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(*v))
		return err_set(e, "%s: '%s' is not a number", opt, s);
	if (*v < 0.0 || *v > 1.0)
		return err_set(e, "%s: lambda %g is outside [0, 1]", opt, *v);
	return 0;
}

int sc_lambda_parse(const char *opt, const char *s, struct sc_lambda *l,
		    struct err *e)
{
	char buf[128];
	if (strlen(s) >= sizeof buf)
		return err_set(e, "%s: '%s' is too long", opt, s);
	strcpy(buf, s);
	char *comma = strchr(buf, ',');
	l->coul = 1.0;
	if (comma) {
		*comma = '\0';
		if (strchr(comma + 1, ','))
			return err_set(e, "%s: '%s' is not X or COUL,LJ", opt, s);
		if (parse_unit(opt, buf, &l->coul, e) ||
		    parse_unit(opt, comma + 1, &l->lj, e))
			return -1;
		return 0;
	}
	return parse_unit(opt, buf, &l->lj, e);
}

/* ---- selection ------------------------------------------------------ */

static int parse_long(const char *s, const char *end, long *v)
{
	char buf[32];
	size_t n = (size_t)(end - s);
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *q;
	errno = 0;
	*v = strtol(buf, &q, 10);
	return (q == buf || *q != '\0' || errno == ERANGE) ? -1 : 0;
}

static long find_id(const struct system *sys, long id)
{
	size_t lo = 0, hi = sys->natoms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sys->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < sys->natoms && sys->id[lo] == id) ? (long)lo : -1;
}

int softcore_select(const struct system *sys, const char *sel, size_t **idx,
		    size_t *n, struct err *e)
{
	size_t N = sys->natoms;
	unsigned char *mark = calloc(N ? N : 1, 1);
	if (!mark)
		return err_set(e, "out of memory");
	int rc = -1;
	*idx = NULL;
	*n = 0;
	if (!strncmp(sel, "mol:", 4) || !strncmp(sel, "type:", 5)) {
		int bytype = sel[0] == 't';
		const char *v = sel + (bytype ? 5 : 4);
		long val;
		if (parse_long(v, v + strlen(v), &val)) {
			err_set(e, "--decouple: '%s' is not %s:N", sel,
				bytype ? "type" : "mol");
			rc = -2;
			goto out;
		}
		for (size_t i = 0; i < N; i++)
			if (bytype ? sys->type[i] + 1L == val : sys->mol[i] == val)
				mark[i] = 1;
	} else {
		const char *s = sel;
		if (!*s) {
			err_set(e, "--decouple: empty selection");
			rc = -2;
			goto out;
		}
		for (;;) {
			const char *end = strchr(s, ',');
			if (!end)
				end = s + strlen(s);
			const char *dash = memchr(s + 1, '-', end > s ? (size_t)(end - s - 1) : 0);
			long a, b;
			if (dash ? (parse_long(s, dash, &a) || parse_long(dash + 1, end, &b))
				 : parse_long(s, end, &a)) {
				err_set(e, "--decouple: '%.*s' is not an atom id or "
					   "range A-B (selection: ids 1,5,7, ranges "
					   "3-9, mol:N or type:N)", (int)(end - s), s);
				rc = -2;
				goto out;
			}
			if (!dash)
				b = a;
			if (b < a) {
				err_set(e, "--decouple: range %ld-%ld is empty", a, b);
				rc = -2;
				goto out;
			}
			for (long id = a; id <= b; id++) {
				long k = find_id(sys, id);
				if (k < 0) {
					err_set(e, "--decouple: no atom id %ld in the "
						   "system", id);
					goto out;
				}
				mark[k] = 1;
			}
			if (!*end)
				break;
			s = end + 1;
		}
	}
	for (size_t i = 0; i < N; i++)
		*n += mark[i];
	if (*n == 0) {
		err_set(e, "--decouple: '%s' selects no atom (no atom has that "
			   "%s)", sel, sel[0] == 't' ? "type" : "molecule id");
		goto out;
	}
	if (*n == N) {
		err_set(e, "--decouple: '%s' selects every atom; nothing is left "
			   "to decouple from", sel);
		goto out;
	}
	*idx = malloc(*n * sizeof **idx);
	if (!*idx) {
		err_set(e, "out of memory");
		goto out;
	}
	*n = 0;
	for (size_t i = 0; i < N; i++)
		if (mark[i])
			(*idx)[(*n)++] = i;
	rc = 0;
out:
	free(mark);
	return rc;
}

/* ---- set-up ----------------------------------------------------------- */

void softcore_free(struct softcore *sc)
{
	if (!sc)
		return;
	free(sc->dec);
	free(sc->is_dec);
	free(sc->eps0);
	free(sc->sig0);
	free(sc->type0);
	free(sc->fdd);
	free(sc->dpos);
	memset(sc, 0, sizeof *sc);
}

int softcore_set_lambda(struct softcore *sc, struct sc_lambda lam,
			struct err *e)
{
	if (!(lam.lj >= 0.0 && lam.lj <= 1.0))
		return err_set(e, "lambda %g is outside [0, 1]", lam.lj);
	if (!(lam.coul >= 0.0 && lam.coul <= 1.0))
		return err_set(e, "Coulomb lambda %g is outside [0, 1]", lam.coul);
	sc->lam = lam;
	return 0;
}

int softcore_init(struct softcore *sc, struct system *sys, const size_t *idx,
		  size_t n, const struct sc_params *par, struct sc_lambda lam,
		  struct err *e)
{
	size_t N = sys->natoms, nt0 = sys->ntypes;
	int rc = -1;
	double *eps1 = NULL, *sig1 = NULL, *diag = NULL, *mt = NULL;
	size_t *count = NULL, *cnt_e = NULL, *cnt_d = NULL;
	int *clone = NULL;
	memset(sc, 0, sizeof *sc);
	if (sc_params_check(par, e) || softcore_set_lambda(sc, lam, e))
		return -1;
	if (n == 0 || n >= N)
		return err_set(e, "decoupling needs 1 to N-1 atoms (got %zu of %zu)",
			       n, N);
	if (sys->lj.ntypes != nt0)
		return err_set(e, "internal: pair table has %zu types, system %zu",
			       sys->lj.ntypes, nt0);
	sc->par = *par;
	sc->natoms = N;
	sc->ndec = n;
	sc->nt0 = nt0;
	sc->rc = sys->lj.cut_global;
	sc->rcsq = sc->rc * sc->rc;
	sc->shift = sys->lj.shift;
	sc->tail = sys->lj.tail;
	sc->dec = malloc(n * sizeof *sc->dec);
	sc->is_dec = calloc(N, 1);
	sc->type0 = malloc(N * sizeof *sc->type0);
	sc->eps0 = malloc(nt0 * nt0 * sizeof *sc->eps0);
	sc->sig0 = malloc(nt0 * nt0 * sizeof *sc->sig0);
	clone = malloc(nt0 * sizeof *clone);
	cnt_e = calloc(nt0, sizeof *cnt_e);
	cnt_d = calloc(nt0, sizeof *cnt_d);
	if (!sc->dec || !sc->is_dec || !sc->type0 || !sc->eps0 || !sc->sig0 ||
	    !clone || !cnt_e || !cnt_d) {
		err_set(e, "out of memory");
		goto out;
	}
	memcpy(sc->type0, sys->type, N * sizeof *sc->type0);
	memcpy(sc->eps0, sys->lj.eps, nt0 * nt0 * sizeof *sc->eps0);
	memcpy(sc->sig0, sys->lj.sig, nt0 * nt0 * sizeof *sc->sig0);
	for (size_t k = 0; k < n; k++) {
		if (idx[k] >= N || (k > 0 && idx[k] <= idx[k - 1])) {
			err_set(e, "internal: decoupled atoms must be ascending "
				   "indices < %zu", N);
			goto out;
		}
		sc->dec[k] = idx[k];
		sc->is_dec[idx[k]] = 1;
	}
	for (size_t i = 0; i < N; i++) {
		if (sc->is_dec[i])
			cnt_d[sys->type[i]]++;
		else
			cnt_e[sys->type[i]]++;
	}

	/* Clone types: one new type per original type with decoupled atoms. */
	size_t nt1 = nt0;
	for (size_t t = 0; t < nt0; t++)
		clone[t] = cnt_d[t] ? (int)nt1++ : -1;
	eps1 = calloc(nt1 * nt1, sizeof *eps1);
	sig1 = malloc(nt1 * nt1 * sizeof *sig1);
	diag = malloc(2 * nt1 * sizeof *diag);
	count = calloc(nt1, sizeof *count);
	mt = malloc(nt1 * sizeof *mt);
	if (!eps1 || !sig1 || !diag || !count || !mt) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nt1 * nt1; k++)
		sig1[k] = 1.0; /* eps 0, sigma 1: no interaction, no 1/0 */
	for (size_t i = 0; i < nt0; i++)
		for (size_t j = 0; j < nt0; j++) {
			eps1[i * nt1 + j] = sc->eps0[i * nt0 + j];
			sig1[i * nt1 + j] = sc->sig0[i * nt0 + j];
		}
	for (size_t t = 0; t < nt1; t++) {
		diag[t] = eps1[t * nt1 + t];
		diag[nt1 + t] = sig1[t * nt1 + t];
	}
	for (size_t t = 0; t < nt0; t++) {
		count[t] = cnt_e[t];
		mt[t] = sys->mass_type[t];
		if (clone[t] >= 0) {
			count[clone[t]] = cnt_d[t];
			mt[clone[t]] = sys->mass_type[t];
		}
	}
	if (pair_lj_setup(&sys->lj, nt1, diag, diag + nt1, eps1, sig1, count,
			  sc->rc, sys->lj.mix, sys->lj.shift, sys->lj.tail, e)) {
		err_prefix(e, "decoupling");
		goto out;
	}
	free(sys->mass_type);
	sys->mass_type = mt;
	mt = NULL;
	sys->ntypes = nt1;
	for (size_t k = 0; k < n; k++)
		sys->type[idx[k]] = clone[sys->type[idx[k]]];

	/* Tail sums split into decoupled-environment and decoupled-decoupled
	 * parts (ordered type pairs, as LAMMPS's i != j counted twice). */
	if (sc->tail) {
		double rc3 = sc->rc * sc->rc * sc->rc, rc6 = rc3 * rc3,
		       rc9 = rc3 * rc6;
		for (size_t a = 0; a < nt0; a++)
			for (size_t b = 0; b < nt0; b++) {
				double ep = sc->eps0[a * nt0 + b];
				double sg = sc->sig0[a * nt0 + b];
				double s6 = sg * sg * sg * sg * sg * sg;
				double et = 8.0 * M_PI * ep * s6 *
					    (s6 - 3.0 * rc6) / (9.0 * rc9);
				double pt = 16.0 * M_PI * ep * s6 *
					    (2.0 * s6 - 3.0 * rc6) / (9.0 * rc9);
				double de = (double)cnt_e[a] * (double)cnt_d[b] +
					    (double)cnt_d[a] * (double)cnt_e[b];
				double dd = (double)cnt_d[a] * (double)cnt_d[b];
				sc->etail_de += de * et;
				sc->ptail_de += de * pt;
				sc->etail_dd += dd * et;
				sc->ptail_dd += dd * pt;
			}
	}
	rc = 0;
out:
	free(eps1);
	free(sig1);
	free(diag);
	free(count);
	free(mt);
	free(clone);
	free(cnt_e);
	free(cnt_d);
	if (rc)
		softcore_free(sc);
	return rc;
}

/* ---- kernels ---------------------------------------------------------- */

/* Lambda-dependent factors: E = lamn 4 eps (1/D^2 - 1/D), D = a + (r/s)^6;
 * dlamn = d(lamn)/dlambda, da = -dA/dlambda. */
struct sc_coef {
	double lamn, dlamn, a, da;
};

static struct sc_coef sc_coef_of(const struct sc_params *p, double lambda)
{
	struct sc_coef c;
	double om = 1.0 - lambda;
	c.lamn = pow(lambda, p->n);
	c.dlamn = p->n * pow(lambda, p->n - 1.0);
	c.a = p->alpha * pow(om, p->p);
	c.da = p->alpha * p->p * pow(om, p->p - 1.0);
	return c;
}

/* LAMMPS pair_lj_cut_soft.cpp compute(): r4sig6 = r^4/sig^6,
 * D = lj3 + r^2 r4sig6, F/r = lj1 eps (48 r4sig6/D^3 - 24 r4sig6/D^2). */
static inline void sc_kernel(const struct sc_coef *c, double eps, double sig6,
			     double rsq, double *en, double *fpair,
			     double *dedl)
{
	const double r4sig6 = rsq * rsq / sig6;
	const double d = c->a + rsq * r4sig6;
	const double id = 1.0 / d, id2 = id * id, id3 = id2 * id;
	if (fpair)
		*fpair = c->lamn * eps * (48.0 * r4sig6 * id3 - 24.0 * r4sig6 * id2);
	*en = c->lamn * 4.0 * eps * (id2 - id);
	if (dedl)
		*dedl = 4.0 * eps * (c->dlamn * (id2 - id) +
				     c->lamn * c->da * (2.0 * id3 - id2));
}

void softcore_pair(const struct sc_params *p, double lambda, double eps,
		   double sig, double rsq, double *energy, double *fpair,
		   double *dedl)
{
	struct sc_coef c = sc_coef_of(p, lambda);
	double s6 = sig * sig * sig * sig * sig * sig;
	if (eps == 0.0 || sig == 0.0) {
		*energy = 0.0;
		if (fpair)
			*fpair = 0.0;
		if (dedl)
			*dedl = 0.0;
		return;
	}
	sc_kernel(&c, eps, s6, rsq, energy, fpair, dedl);
}

/* Soft-core offsets at rc (energy and its lambda derivative) per original
 * type pair, for the current lambda; zero without --shift. */
static void sc_offsets(const struct softcore *sc, const struct sc_coef *c,
		       double *off, double *doff)
{
	size_t nn = sc->nt0 * sc->nt0;
	for (size_t k = 0; k < nn; k++) {
		off[k] = doff[k] = 0.0;
		double ep = sc->eps0[k], sg = sc->sig0[k];
		if (!sc->shift || ep == 0.0 || sg == 0.0)
			continue;
		double s6 = sg * sg * sg * sg * sg * sg;
		sc_kernel(c, ep, s6, sc->rcsq, &off[k], NULL, &doff[k]);
	}
}

/* Plain lj/cut of a decoupled-decoupled pair, as pair_lj_cut.cpp. */
static inline void lj_plain(double eps, double sig, double rsq, int shift,
			    double rcsq, double *en, double *fpair)
{
	if (eps == 0.0) {
		*en = *fpair = 0.0;
		return;
	}
	double s6 = pow(sig, 6.0), s12 = pow(sig, 12.0);
	double r2inv = 1.0 / rsq, r6inv = r2inv * r2inv * r2inv;
	double forcelj = r6inv * (48.0 * eps * s12 * r6inv - 24.0 * eps * s6);
	*fpair = forcelj * r2inv;
	*en = r6inv * (4.0 * eps * s12 * r6inv - 4.0 * eps * s6);
	if (shift) {
		double rc6inv = 1.0 / (rcsq * rcsq * rcsq);
		*en -= 4.0 * eps * (s12 * rc6inv * rc6inv - s6 * rc6inv);
	}
}

/* LJ factor of a pair of decoupled atoms: the special-bond factor of a
 * 1-2/1-3/1-4 pair (LAMMPS multiplies E - offset and F by it), else 1. */
static inline double dd_factor(const struct softcore *sc, size_t i, size_t j)
{
	if (!sc->fdd)
		return 1.0;
	return sc->fdd[sc->dpos[i] * sc->ndec + sc->dpos[j]];
}

int softcore_set_special(struct softcore *sc, const size_t *pi,
			 const size_t *pj, const double *f, size_t n,
			 struct err *e)
{
	const size_t nd = sc->ndec;
	if (!sc->fdd) {
		sc->fdd = malloc(nd * nd * sizeof *sc->fdd);
		sc->dpos = malloc(sc->natoms * sizeof *sc->dpos);
		if (!sc->fdd || !sc->dpos) {
			free(sc->fdd);
			free(sc->dpos);
			sc->fdd = NULL;
			sc->dpos = NULL;
			return err_set(e, "out of memory");
		}
		for (size_t k = 0; k < nd * nd; k++)
			sc->fdd[k] = 1.0;
		for (size_t i = 0; i < sc->natoms; i++)
			sc->dpos[i] = SIZE_MAX;
		for (size_t a = 0; a < nd; a++)
			sc->dpos[sc->dec[a]] = a;
	}
	for (size_t k = 0; k < n; k++) {
		if (pi[k] >= sc->natoms || pj[k] >= sc->natoms ||
		    !sc->is_dec[pi[k]] || !sc->is_dec[pj[k]] || pi[k] == pj[k])
			return err_set(e, "internal: special pair %zu-%zu is not "
					  "a pair of decoupled atoms", pi[k], pj[k]);
		size_t a = sc->dpos[pi[k]], b = sc->dpos[pj[k]];
		sc->fdd[a * nd + b] = sc->fdd[b * nd + a] = f[k];
	}
	return 0;
}

static inline double min_image(double d, double len)
{
	return d - len * nearbyint(d / len);
}

enum { SC_MAXTYPES_STACK = 16 };

void softcore_compute(struct softcore *sc, struct state *st,
		      struct energy *en)
{
	const size_t N = st->n, nt0 = sc->nt0, nn = nt0 * nt0;
	struct sc_coef c = sc_coef_of(&sc->par, sc->lam.lj);
	double offbuf[2 * SC_MAXTYPES_STACK * SC_MAXTYPES_STACK];
	double *off = nn <= SC_MAXTYPES_STACK * SC_MAXTYPES_STACK
			      ? offbuf : malloc(2 * nn * sizeof *off);
	double etot = 0.0, dudl = 0.0, v[6] = {0};
	if (!off) { /* cannot happen for sane type counts; fail loudly */
		sc->e_dec = sc->dudl_lj = NAN;
		en->evdwl = NAN;
		return;
	}
	double *doff = off + nn;
	sc_offsets(sc, &c, off, doff);
	const double lx = st->len[0], ly = st->len[1], lz = st->len[2];
	for (size_t a = 0; a < sc->ndec; a++) {
		const size_t i = sc->dec[a];
		const size_t ti = (size_t)sc->type0[i];
		const double xi = st->x[i], yi = st->y[i], zi = st->z[i];
		double fxi = 0.0, fyi = 0.0, fzi = 0.0;
		for (size_t j = 0; j < N; j++) {
			if (j == i || (sc->is_dec[j] && j < i))
				continue;
			const double dx = min_image(xi - st->x[j], lx);
			const double dy = min_image(yi - st->y[j], ly);
			const double dz = min_image(zi - st->z[j], lz);
			const double rsq = dx * dx + dy * dy + dz * dz;
			if (rsq >= sc->rcsq)
				continue;
			const size_t k = ti * nt0 + (size_t)sc->type0[j];
			const double ep = sc->eps0[k], sg = sc->sig0[k];
			double eij, fpair, dedl = 0.0;
			if (sc->is_dec[j]) {
				const double fs = dd_factor(sc, i, j);
				if (fs == 0.0)
					continue;
				lj_plain(ep, sg, rsq, sc->shift, sc->rcsq, &eij, &fpair);
				if (fs != 1.0) {
					eij *= fs;
					fpair *= fs;
				}
			} else {
				if (ep == 0.0 || sg == 0.0)
					continue;
				double s6 = sg * sg * sg * sg * sg * sg;
				sc_kernel(&c, ep, s6, rsq, &eij, &fpair, &dedl);
				eij -= off[k];
				dedl -= doff[k];
			}
			etot += eij;
			dudl += dedl;
			const double fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
			fxi += fx;
			fyi += fy;
			fzi += fz;
			st->fx[j] -= fx;
			st->fy[j] -= fy;
			st->fz[j] -= fz;
			v[0] += dx * fx;
			v[1] += dy * fy;
			v[2] += dz * fz;
			v[3] += dx * fy;
			v[4] += dx * fz;
			v[5] += dy * fz;
		}
		st->fx[i] += fxi;
		st->fy[i] += fyi;
		st->fz[i] += fzi;
	}
	if (off != offbuf)
		free(off);
	if (sc->tail) {
		double vol = lx * ly * lz;
		etot += (c.lamn * sc->etail_de + sc->etail_dd) / vol;
		dudl += c.dlamn * sc->etail_de / vol;
		for (int q = 0; q < 3; q++)
			v[q] += (c.lamn * sc->ptail_de + sc->ptail_dd) / vol;
	}
	sc->e_dec = etot;
	sc->dudl_lj = dudl;
	sc->dudl_coul = 0.0;
	if (en) {
		en->evdwl += etot;
		for (int q = 0; q < 6; q++)
			en->virial[q] += v[q];
	}
}

int softcore_energies(const struct softcore *sc, const struct state *st,
		      size_t nlam, const struct sc_lambda *lam, double *e,
		      double *dudl, struct err *e_out)
{
	const size_t N = st->n, nt0 = sc->nt0, nn = nt0 * nt0;
	for (int q = 0; q < 3; q++)
		if (!(st->len[q] >= 2.0 * sc->rc))
			return err_set(e_out, "box length %g (%c) is less than twice "
					      "the cutoff %g", st->len[q], "xyz"[q],
				       sc->rc);
	for (size_t l = 0; l < nlam; l++)
		if (!(lam[l].lj >= 0.0 && lam[l].lj <= 1.0))
			return err_set(e_out, "LJ lambda %g is outside [0, 1]",
				       lam[l].lj);
	/* Pass 1: the pairs within rc; decoupled-decoupled summed at once,
	 * decoupled-environment kept as (type pair, rsq) for pass 2. */
	size_t cap = 256, np = 0;
	double *prsq = malloc(cap * sizeof *prsq);
	size_t *pk = malloc(cap * sizeof *pk);
	double *cc = malloc(2 * nn * sizeof *cc);
	if (!prsq || !pk || !cc) {
		free(prsq);
		free(pk);
		free(cc);
		return err_set(e_out, "out of memory");
	}
	double e_dd = 0.0;
	const double lx = st->len[0], ly = st->len[1], lz = st->len[2];
	for (size_t a = 0; a < sc->ndec; a++) {
		const size_t i = sc->dec[a];
		const size_t ti = (size_t)sc->type0[i];
		for (size_t j = 0; j < N; j++) {
			if (j == i || (sc->is_dec[j] && j < i))
				continue;
			const double dx = min_image(st->x[i] - st->x[j], lx);
			const double dy = min_image(st->y[i] - st->y[j], ly);
			const double dz = min_image(st->z[i] - st->z[j], lz);
			const double rsq = dx * dx + dy * dy + dz * dz;
			if (rsq >= sc->rcsq)
				continue;
			const size_t k = ti * nt0 + (size_t)sc->type0[j];
			if (sc->is_dec[j]) {
				const double fs = dd_factor(sc, i, j);
				double eij, fpair;
				if (fs == 0.0)
					continue;
				lj_plain(sc->eps0[k], sc->sig0[k], rsq, sc->shift,
					 sc->rcsq, &eij, &fpair);
				e_dd += fs * eij;
				continue;
			}
			if (sc->eps0[k] == 0.0 || sc->sig0[k] == 0.0)
				continue;
			if (np == cap) {
				cap *= 2;
				double *nr = realloc(prsq, cap * sizeof *prsq);
				if (nr)
					prsq = nr;
				size_t *nk = realloc(pk, cap * sizeof *pk);
				if (nk)
					pk = nk;
				if (!nr || !nk) {
					free(prsq);
					free(pk);
					free(cc);
					return err_set(e_out, "out of memory");
				}
			}
			prsq[np] = rsq;
			pk[np++] = k;
		}
	}
	double vol = lx * ly * lz;
	for (size_t l = 0; l < nlam; l++) {
		struct sc_coef c = sc_coef_of(&sc->par, lam[l].lj);
		double *off = cc, *doff = cc + nn;
		sc_offsets(sc, &c, off, doff);
		double el = e_dd, dl = 0.0;
		for (size_t q = 0; q < np; q++) {
			const size_t k = pk[q];
			const double sg = sc->sig0[k];
			double eij, dedl;
			sc_kernel(&c, sc->eps0[k], sg * sg * sg * sg * sg * sg,
				  prsq[q], &eij, NULL, &dedl);
			el += eij - off[k];
			dl += dedl - doff[k];
		}
		if (sc->tail) {
			el += (c.lamn * sc->etail_de + sc->etail_dd) / vol;
			dl += c.dlamn * sc->etail_de / vol;
		}
		e[l] = el;
		if (dudl)
			dudl[l] = dl;
	}
	free(prsq);
	free(pk);
	free(cc);
	return 0;
}
