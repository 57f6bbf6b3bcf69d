/* soret: gradient windows and ln c vs T fits; definitions in soret.h. */
#include "soret.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

void soret_opts_default(struct soret_opts *o)
{
	memset(o, 0, sizeof *o);
	o->min_slabs = 3;
	o->grad_sigma = 2.0;
}

void soret_profile_free(struct soret_profile *p)
{
	free(p->source);
	free(p->z);
	free(p->T);
	free(p->c);
	free(p->c_err);
	free(p->T_err);
	free(p->line);
	memset(p, 0, sizeof *p);
}

/* Index of column name, or -1 without touching any message. */
static int find_column(const struct table *t, const char *name)
{
	for (size_t c = 0; c < t->ncol; c++)
		if (strcmp(t->name[c], name) == 0)
			return (int)c;
	return -1;
}

static double *column(const struct table *t, int col)
{
	double *v = malloc((t->nrow ? t->nrow : 1) * sizeof *v);
	if (v)
		for (size_t r = 0; r < t->nrow; r++)
			v[r] = table_get(t, r, (size_t)col);
	return v;
}

static int meta_number(const struct table *t, const char *key, double *v,
		       struct err *e)
{
	const char *s = table_meta(t, key);
	if (!s)
		return 1;
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (end == s || *end || errno == ERANGE || !isfinite(*v))
		return err_set(e, "%s: provenance %s '%s' is not a number",
			       t->source, key, s);
	return 0;
}

/* The periodic extent: given, from provenance, or from equal spacing. */
static int profile_box(struct soret_profile *p, const struct table *t,
		       double box_lo, double box_len, struct err *e)
{
	if (box_len > 0.0) {
		/* A box that does not hold the slabs' centres is not this
		 * profile's (a wrong --box would wrap them into other windows). */
		double tol = 1e-9 * box_len;
		for (size_t i = 0; i < p->n; i++)
			if (!(p->z[i] >= box_lo - tol &&
			      p->z[i] <= box_lo + box_len + tol))
				return err_set(e, "%s:%ld: z = %g is outside the box "
					       "%g:%g", t->source, p->line[i], p->z[i],
					       box_lo, box_lo + box_len);
		p->lo = box_lo;
		p->len = box_len;
		return 0;
	}
	double lo, len;
	int a = meta_number(t, "axis_lo", &lo, e), b = meta_number(t, "axis_len", &len, e);
	if (a < 0 || b < 0)
		return -1;
	if (a == 0 && b == 0) {
		if (!(len > 0.0))
			return err_set(e, "%s: provenance axis_len %g is not positive",
				       t->source, len);
		p->lo = lo;
		p->len = len;
		return 0;
	}
	size_t n = p->n;
	double dz = n > 1 ? (p->z[n - 1] - p->z[0]) / (double)(n - 1) : 0.0;
	int equal = dz > 0.0;
	for (size_t i = 0; equal && i < n; i++)
		equal = fabs(p->z[i] - (p->z[0] + (double)i * dz)) <= 1e-6 * dz;
	if (!equal)
		return err_set(e, "%s: cannot tell the box along the axis (no "
			       "axis_len provenance and z is not equally spaced); "
			       "give --box LO:HI", t->source);
	p->lo = p->z[0] - 0.5 * dz;
	p->len = (double)n * dz;
	return 0;
}

int soret_profile_from_table(struct soret_profile *p, const struct table *t,
			     double box_lo, double box_len, struct err *e)
{
	memset(p, 0, sizeof *p);
	int cz = table_column(t, "z", e), cT, cc;
	if (cz < 0 || (cT = table_column(t, "T", e)) < 0 ||
	    (cc = table_column(t, "c", e)) < 0)
		return -1;
	int cce = find_column(t, "c_err"), cTe = find_column(t, "T_err");
	if (table_numeric(t, (size_t)cz, 0, e) != 0 ||
	    table_numeric(t, (size_t)cT, 1, e) != 0 ||
	    table_numeric(t, (size_t)cc, 1, e) != 0 ||
	    (cce >= 0 && table_numeric(t, (size_t)cce, 1, e) != 0) ||
	    (cTe >= 0 && table_numeric(t, (size_t)cTe, 1, e) != 0))
		return -1;
	if (t->nrow == 0)
		return err_set(e, "%s: no data rows", t->source);
	p->n = t->nrow;
	p->source = strdup(t->source);
	p->z = column(t, cz);
	p->T = column(t, cT);
	p->c = column(t, cc);
	p->c_err = cce >= 0 ? column(t, cce) : NULL;
	p->T_err = cTe >= 0 ? column(t, cTe) : NULL;
	p->line = malloc(p->n * sizeof *p->line);
	if (!p->source || !p->z || !p->T || !p->c || !p->line ||
	    (cce >= 0 && !p->c_err) || (cTe >= 0 && !p->T_err)) {
		soret_profile_free(p);
		return err_set(e, "out of memory");
	}
	memcpy(p->line, t->line, p->n * sizeof *p->line);
	if (profile_box(p, t, box_lo, box_len, e) != 0) {
		soret_profile_free(p);
		return -1;
	}
	return 0;
}

/* x - lo reduced into [0, len). */
static double updist(double lo, double x, double len)
{
	double u = fmod(x - lo, len);
	if (u < 0.0)
		u += len;
	return u < len ? u : 0.0;
}

int soret_windows(const struct soret_opts *o, double lo, double len,
		  double wlo[2], double wlen[2], struct err *e)
{
	double lc = o->cold[1] - o->cold[0], lh = o->hot[1] - o->hot[0];
	double tol = 1e-9 * len;
	if (!(len > 0.0))
		return err_set(e, "box length %g is not positive", len);
	if (!(lc > 0.0) || !(lh > 0.0))
		return err_set(e, "empty thermostatted slab");
	if (!(o->margin >= 0.0))
		return err_set(e, "negative margin %g", o->margin);
	if (lc + lh >= len)
		return err_set(e, "cold and hot slabs (%g + %g) do not fit in the "
			       "box length %g", lc, lh, len);
	double ga = updist(o->cold[1], o->hot[0], len);
	double gb = updist(o->hot[1], o->cold[0], len);
	/* Disjoint slabs tile the circle exactly once with the two gaps. */
	if (fabs(lc + ga + lh + gb - len) > tol)
		return err_set(e, "cold slab %g:%g and hot slab %g:%g overlap in the "
			       "periodic box [%g, %g)", o->cold[0], o->cold[1],
			       o->hot[0], o->hot[1], lo, lo + len);
	wlo[0] = lo + updist(lo, o->cold[1] + o->margin, len);
	wlo[1] = lo + updist(lo, o->hot[1] + o->margin, len);
	wlen[0] = ga - 2.0 * o->margin;
	wlen[1] = gb - 2.0 * o->margin;
	for (int k = 0; k < 2; k++)
		if (!(wlen[k] > 0.0))
			return err_set(e, "margin %g leaves window %c (between the "
				       "slabs) empty", o->margin, "AB"[k]);
	return 0;
}

/* Fit y = c0 + c1 x, weighted when w != NULL. *se is the standard error of
 * c1: weighted, from the weights and inflated by sqrt(chi2/(n-2)) when
 * that exceeds 1; unweighted, from the residual variance (GSL's cov11). */
static int line_fit(const double *x, const double *y, const double *w,
		    size_t n, double *c0, double *c1, double *se,
		    double *chisq)
{
	double cov00, cov01, cov11;
	int s = w ? gsl_fit_wlinear(x, 1, w, 1, y, 1, n, c0, c1, &cov00, &cov01,
				    &cov11, chisq)
		  : gsl_fit_linear(x, 1, y, 1, n, c0, c1, &cov00, &cov01, &cov11,
				   chisq);
	if (s)
		return s;
	double scale = 1.0;
	if (w && n > 2 && *chisq > (double)(n - 2))
		scale = sqrt(*chisq / (double)(n - 2));
	*se = sqrt(cov11) * scale;
	if (!isfinite(*c0) || !isfinite(*c1) || !isfinite(*se))
		return GSL_EDOM;
	return 0;
}

static int all_positive(const double *v, const size_t *idx, size_t n)
{
	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(v[idx[i]] > 0.0) || !isfinite(v[idx[i]]))
			return 0;
	return 1;
}

/* Work arrays of one window fit. */
struct fitbuf {
	size_t *idx;
	double *x, *T, *lnc, *w;
};

static int fit_window(const struct soret_profile *p, const struct soret_opts *o,
		      int k, double wlo, double wlen, struct fitbuf *b,
		      struct soret_window *r, struct err *e)
{
	const char name = "AB"[k];
	double h = 0.5 * p->len / (double)p->n, tol = 1e-9 * p->len;
	double wend = p->lo + updist(p->lo, wlo + wlen, p->len);
	size_t n = 0;
	memset(r, 0, sizeof *r);
	r->lo = wlo;
	r->len = wlen;
	for (size_t i = 0; i < p->n; i++) {
		double u = updist(wlo, p->z[i], p->len);
		if (u - h >= -tol && u + h <= wlen + tol) {
			b->idx[n] = i;
			b->x[n] = wlo + u;   /* unwrapped through the boundary */
			n++;
		}
	}
	r->nslab = n;
	if (n < o->min_slabs)
		return err_set(e, "%s: window %c (z %g..%g) holds %zu slabs; need at "
			       "least %zu (fewer bins, a smaller --margin?)",
			       p->source, name, wlo, wend, n, o->min_slabs);
	for (size_t j = 0; j < n; j++) {
		size_t i = b->idx[j];
		if (!isfinite(p->T[i]))
			return err_set(e, "%s:%ld: no temperature in slab z = %g "
				       "(window %c)", p->source, p->line[i], p->z[i], name);
		if (!(p->c[i] > 0.0) || !isfinite(p->c[i]))
			return err_set(e, "%s:%ld: c = %g in slab z = %g (window %c); "
				       "ln c needs c > 0", p->source, p->line[i],
				       p->c[i], p->z[i], name);
		b->T[j] = p->T[i];
		b->lnc[j] = log(p->c[i]);
	}

	/* 1. T(z): is there a significant, linear gradient? */
	const double *w = NULL;
	if (all_positive(p->T_err, b->idx, n)) {
		for (size_t j = 0; j < n; j++)
			b->w[j] = 1.0 / (p->T_err[b->idx[j]] * p->T_err[b->idx[j]]);
		w = b->w;
	}
	double c0, c1, se, chisq;
	int s = line_fit(b->x, b->T, w, n, &c0, &c1, &se, &chisq);
	if (s)
		return err_set(e, "%s: window %c: fit of T against z failed: %s",
			       p->source, name, gsl_strerror(s));
	double xmin = b->x[0], xmax = b->x[0], tm = 0.0, sst = 0.0, ssr = 0.0;
	for (size_t j = 0; j < n; j++) {
		xmin = fmin(xmin, b->x[j]);
		xmax = fmax(xmax, b->x[j]);
		tm += b->T[j] / (double)n;
	}
	for (size_t j = 0; j < n; j++) {
		double res = b->T[j] - (c0 + c1 * b->x[j]);
		sst += (b->T[j] - tm) * (b->T[j] - tm);
		ssr += res * res;
	}
	r->dtdz = c1;
	r->dtdz_err = se;
	r->tnoise = NAN;
	if (p->T_err && sst > 0.0) {
		double v = 0.0;
		for (size_t j = 0; j < n; j++)
			v += p->T_err[b->idx[j]] * p->T_err[b->idx[j]] / (double)n;
		r->tnoise = v / (sst / (double)(n - 1));
	}
	r->r2 = sst > 0.0 ? 1.0 - ssr / sst : NAN;
	r->dT = c1 * (xmax - xmin);
	if (!(fabs(c1) > o->grad_sigma * se))
		return err_set(e, "%s: window %c (z %g..%g): no temperature gradient: "
			       "dT/dz = %g +- %g, dT = %g across the window (need "
			       "|dT/dz| > %g errors)", p->source, name, wlo, wend,
			       c1, se, r->dT, o->grad_sigma);

	/* 2. ln c(T): S_T = -slope (Eq. 3). var(ln c) = (c_err/c)^2. */
	if (o->t_linear)
		for (size_t j = 0; j < n; j++)
			b->T[j] = c0 + c1 * b->x[j];
	double rel_grad = se / fabs(c1);
	w = NULL;
	r->weighted = all_positive(p->c_err, b->idx, n);
	if (r->weighted) {
		for (size_t j = 0; j < n; j++) {
			size_t i = b->idx[j];
			double rel = p->c_err[i] / p->c[i];
			b->w[j] = 1.0 / (rel * rel);
		}
		w = b->w;
	}
	s = line_fit(b->T, b->lnc, w, n, &r->lnc0, &c1, &se, &r->chisq);
	if (s)
		return err_set(e, "%s: window %c: fit of ln c against T failed: %s",
			       p->source, name, gsl_strerror(s));
	r->st = -c1;
	r->st_err = o->t_linear ? hypot(se, r->st * rel_grad) : se;
	return 0;
}

int soret_fit(const struct soret_profile *p, const struct soret_opts *o,
	      struct soret_result *r, struct err *e)
{
	double wlo[2], wlen[2];
	memset(r, 0, sizeof *r);
	if (o->min_slabs < 3)
		return err_set(e, "a window needs at least 3 slabs for a fit with an "
			       "error");
	if (soret_windows(o, p->lo, p->len, wlo, wlen, e) != 0)
		return err_prefix(e, "%s", p->source);
	size_t n = p->n;
	struct fitbuf b = {
		.idx = malloc(n * sizeof *b.idx), .x = malloc(n * sizeof *b.x),
		.T = malloc(n * sizeof *b.T), .lnc = malloc(n * sizeof *b.lnc),
		.w = malloc(n * sizeof *b.w)};
	int rc = -1;
	if (!b.idx || !b.x || !b.T || !b.lnc || !b.w)
		err_set(e, "out of memory");
	else if (fit_window(p, o, 0, wlo[0], wlen[0], &b, &r->w[0], e) == 0 &&
		 fit_window(p, o, 1, wlo[1], wlen[1], &b, &r->w[1], e) == 0) {
		r->st = 0.5 * (r->w[0].st + r->w[1].st);
		r->st_err = 0.5 * hypot(r->w[0].st_err, r->w[1].st_err);
		rc = 0;
	}
	free(b.idx);
	free(b.x);
	free(b.T);
	free(b.lnc);
	free(b.w);
	return rc;
}

void soret_stats(const double *x, size_t n, double *mean, double *sd,
		 double *sem)
{
	*mean = *sd = *sem = NAN;
	if (n == 0)
		return;
	double s = 0.0, ss = 0.0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	*mean = s / (double)n;
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - *mean) * (x[i] - *mean);
	*sd = sqrt(ss / (double)(n - 1));
	*sem = *sd / sqrt((double)n);
}
