#include "correlate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

double corr_pearson(const double *x, const double *y, size_t n)
{
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	double sxx = 0, syy = 0, sxy = 0;
	for (size_t i = 0; i < n; i++) {
		double a = x[i] - mx, b = y[i] - my;
		sxx += a * a;
		syy += b * b;
		sxy += a * b;
	}
	/* values near the ends of the double range: the sums overflow (or
	 * underflow to 0), and r would be 0 or NaN instead of an error */
	if (!isfinite(sxx) || !isfinite(syy) || !isfinite(sxy) ||
	    !(sxx > 0.0) || !(syy > 0.0))
		return NAN;
	double d = sxx * syy;   /* the product alone may leave the range */
	double r = isfinite(d) && d > 0.0 ? sxy / sqrt(d)
					  : sxy / (sqrt(sxx) * sqrt(syy));
	return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

struct idx { double v; size_t i; };

static int by_value(const void *a, const void *b)
{
	const struct idx *p = a, *q = b;
	return p->v < q->v ? -1 : p->v > q->v ? 1 : (p->i > q->i) - (p->i < q->i);
}

int corr_ranks(const double *x, size_t n, double *rank)
{
	struct idx *s = malloc((n ? n : 1) * sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		s[i] = (struct idx){x[i], i};
	qsort(s, n, sizeof *s, by_value);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && s[j + 1].v == s[i].v)
			j++;
		double r = 0.5 * ((double)i + (double)j) + 1.0;  /* average rank */
		for (size_t k = i; k <= j; k++)
			rank[s[k].i] = r;
		i = j + 1;
	}
	free(s);
	return 0;
}

double corr_spearman(const double *x, const double *y, size_t n)
{
	double *r = malloc(2 * (n ? n : 1) * sizeof *r);
	if (!r || corr_ranks(x, n, r) != 0 || corr_ranks(y, n, r + n) != 0) {
		free(r);
		return NAN;
	}
	double rho = corr_pearson(r, r + n, n);
	free(r);
	return rho;
}

double corr_pvalue(double r, size_t n)
{
	if (n < 3 || isnan(r))
		return NAN;
	if (fabs(r) >= 1.0)
		return 0.0;
	double df = (double)n - 2.0;
	double t = fabs(r) * sqrt(df / ((1.0 - r) * (1.0 + r)));
	return 2.0 * gsl_cdf_tdist_Q(t, df);
}

int correlate(const double *x, const double *y, const double *yerr,
	      size_t n, struct corr_result *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	c->n = n;
	if (n < 3)
		return err_set(e, "%zu joined row%s: a correlation needs at least 3",
			       n, n == 1 ? "" : "s");
	int vx = 0, vy = 0;
	for (size_t i = 1; i < n; i++) {
		vx |= x[i] != x[0];
		vy |= y[i] != y[0];
	}
	if (!vx || !vy)
		return err_set(e, "%s is constant: no correlation", vx ? "y" : "x");
	c->r = corr_pearson(x, y, n);
	if (isnan(c->r))
		return err_set(e, "sums of squares out of the range of double "
			       "precision: rescale the values");
	c->rho = corr_spearman(x, y, n);
	if (isnan(c->rho))
		return err_set(e, "out of memory");
	c->r_p = corr_pvalue(c->r, n);
	c->rho_p = corr_pvalue(c->rho, n);
	if (linfit(x, y, yerr, n, &c->line, e) != 0)
		return -1;
	linfit_x0(&c->line, &c->x0, &c->x0_err);
	return 0;
}

/* ---- join ---------------------------------------------------------- */

void corr_join_free(struct corr_join *j)
{
	for (size_t i = 0; j->key && i < j->n; i++)
		free(j->key[i]);
	free(j->key);
	free(j->val);
	free(j->unit);
	memset(j, 0, sizeof *j);
}

static int cell_eq(const struct table *a, size_t ra, size_t ca,
		   const struct table *b, size_t rb, size_t cb)
{
	double x = table_get(a, ra, ca), y = table_get(b, rb, cb);
	if (!isnan(x) && !isnan(y))
		return x == y;
	return strcmp(table_cell(a, ra, ca), table_cell(b, rb, cb)) == 0;
}

static int key_eq(const struct table *a, size_t ra, const int *ka,
		  const struct table *b, size_t rb, const int *kb, size_t nkey)
{
	for (size_t k = 0; k < nkey; k++)
		if (!cell_eq(a, ra, (size_t)ka[k], b, rb, (size_t)kb[k]))
			return 0;
	return 1;
}

/* The row of table b matching row ra of a: -1 none; -2 (message) when the
 * key repeats in b (for b == a, row ra matches itself). */
static long match(const struct table *a, size_t ra, const int *ka,
		  const struct table *b, const int *kb, size_t nkey,
		  struct err *e)
{
	long found = -1;
	for (size_t r = 0; r < b->nrow; r++) {
		if (!key_eq(a, ra, ka, b, r, kb, nkey))
			continue;
		if (found >= 0) {
			/* the whole key, as --key names it: 1,2 for --key e,m */
			char key[128];
			size_t len = 0;
			key[0] = '\0';
			for (size_t k = 0; k < nkey && len < sizeof key; k++)
				len += (size_t)snprintf(key + len, sizeof key - len,
							"%s%s", k ? "," : "",
							table_cell(b, r, (size_t)kb[k]));
			err_set(e, "%s:%ld: key '%s' repeats (line %ld)", b->source,
				b->line[r], key, b->line[found]);
			return -2;
		}
		found = (long)r;
	}
	return found;
}

int corr_join(struct table *const *t, size_t nt, const char *const *keys,
	      size_t nkey, const char *const *cols, size_t ncol,
	      struct corr_join *j, struct err *e)
{
	memset(j, 0, sizeof *j);
	size_t *src = calloc(ncol, sizeof *src);
	int *ci = calloc(ncol, sizeof *ci);
	int *kc = calloc(nt * nkey, sizeof *kc);
	long *row = calloc(nt, sizeof *row);
	char *used = calloc(nt, 1);
	int rc = -1;
	if (!src || !ci || !kc || !row || !used) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < ncol; c++) {
		size_t i = 0;
		while (i < nt && table_column(t[i], cols[c], NULL) < 0)
			i++;
		if (i == nt) {
			err_set(e, "no table has a column '%s'", cols[c]);
			goto out;
		}
		src[c] = i;
		ci[c] = table_column(t[i], cols[c], NULL);
		used[i] = 1;
		if (table_numeric(t[i], (size_t)ci[c], 1, e) != 0)
			goto out;
	}
	for (size_t i = 0; i < nt; i++)
		for (size_t k = 0; used[i] && k < nkey; k++)
			if ((kc[i * nkey + k] = table_column(t[i], keys[k], e)) < 0)
				goto out;
	/* A repeated key is an error in every table read, also where its
	 * rows find no partner (they would be dropped, but the table is
	 * not what its writer meant). */
	for (size_t i = 0; i < nt; i++)
		for (size_t r = 0; used[i] && r < t[i]->nrow; r++)
			if (match(t[i], r, kc + i * nkey, t[i], kc + i * nkey, nkey,
				  e) == -2)
				goto out;
	const struct table *base = t[src[0]];
	const int *kb = kc + src[0] * nkey;
	j->ncol = ncol;
	j->key = calloc(base->nrow ? base->nrow : 1, sizeof *j->key);
	j->val = malloc((base->nrow ? base->nrow : 1) * ncol * sizeof *j->val);
	j->unit = malloc(ncol * sizeof *j->unit);
	if (!j->key || !j->val || !j->unit) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < ncol; c++)
		j->unit[c] = t[src[c]]->unit[ci[c]];
	for (size_t r = 0; r < base->nrow; r++) {
		int ok = 1;
		for (size_t i = 0; i < nt; i++) {
			if (!used[i])
				continue;
			row[i] = match(base, r, kb, t[i], kc + i * nkey, nkey, e);
			if (row[i] == -2)
				goto out;
			ok &= row[i] >= 0;
		}
		double *v = j->val + j->n * ncol;
		for (size_t c = 0; ok && c < ncol; c++) {
			v[c] = table_get(t[src[c]], (size_t)row[src[c]], (size_t)ci[c]);
			ok &= !isnan(v[c]);
		}
		if (!ok) {
			j->ndrop++;
			continue;
		}
		size_t len = 1;
		for (size_t k = 0; k < nkey; k++)
			len += strlen(table_cell(base, r, (size_t)kb[k])) + 1;
		char *s = malloc(len);
		if (!s) {
			err_set(e, "out of memory");
			goto out;
		}
		s[0] = '\0';
		for (size_t k = 0; k < nkey; k++) {
			if (k)
				strcat(s, ",");
			strcat(s, table_cell(base, r, (size_t)kb[k]));
		}
		j->key[j->n++] = s;
	}
	rc = 0;
out:
	if (rc)
		corr_join_free(j);
	free(src);
	free(ci);
	free(kc);
	free(row);
	free(used);
	return rc;
}
