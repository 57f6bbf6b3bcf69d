/* fe_analysis: every estimator over the windows of a schedule; see
 * fe_analysis.h for what is computed and why. */
#include "fe_analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fe_corr.h"
#include "fe_ti.h"

const char *const fe_method_name[FE_NMETHOD] = {
	"MBAR", "BAR", "TI", "TI-CUBIC", "EXP-FWD", "EXP-BWD"};

void fe_analysis_opts_default(struct fe_analysis_opts *o)
{
	o->subsample = 1;
	o->equilibrate = 0;
	o->mintime = 3;
	o->origins = 100;
	mbar_opts_default(&o->mbar);
	fe_bar_opts_default(&o->bar);
}

/* The kept samples: u[k*N + n] (K x N), dudl[c*N + n], N_k, start. */
struct kept {
	size_t N;
	size_t *N_k, *start;
	double *u, *dudl;
};

static void kept_free(struct kept *s)
{
	free(s->N_k);
	free(s->start);
	free(s->u);
	free(s->dudl);
}

/* Observable of window k for the correlation analysis into a[n]. */
static int observable(const struct fe_windows *w, size_t k, double *a,
		      struct err *e)
{
	size_t N = w->N, s = w->start[k];
	size_t nb = k + 1 < w->K ? k + 1 : k - 1;
	for (size_t i = 0; i < w->N_k[k]; i++) {
		size_t n = s + i;
		if (w->ndudl) {
			a[i] = 0;
			for (int c = 0; c < w->ndudl; c++)
				a[i] += w->dudl[(size_t)c * N + n];
		} else {
			a[i] = w->u_kn[nb * N + n] - w->u_kn[k * N + n];
			if (!isfinite(a[i]))
				return err_set(e, "%s:%ld: u_%zu - u_%zu is infinite: "
					       "no overlap with the neighbouring "
					       "state (the observable of the "
					       "correlation analysis); see "
					       "--no-subsample", w->source[k],
					       w->line[n], nb, k);
		}
	}
	return 0;
}

/* Choose the samples of every window. */
static int select_samples(const struct fe_windows *w,
			  const struct fe_analysis_opts *o,
			  struct fe_analysis *r, struct kept *s, struct err *e)
{
	size_t K = w->K, nmax = 0;
	for (size_t k = 0; k < K; k++)
		if (w->N_k[k] > nmax)
			nmax = w->N_k[k];
	double *a = malloc(nmax * sizeof *a);
	size_t *idx = malloc(w->N * sizeof *idx);   /* kept, window order */
	s->N_k = calloc(K, sizeof *s->N_k);
	s->start = calloc(K, sizeof *s->start);
	int rc = -1;
	if (!a || !idx || !s->N_k || !s->start) {
		err_set(e, "out of memory");
		goto out;
	}
	size_t tot = 0;
	for (size_t k = 0; k < K; k++) {
		struct fe_state_stats *st = &r->st[k];
		size_t n = w->N_k[k];
		st->n = n;
		st->g = 1.0;
		if ((o->subsample || o->equilibrate) && observable(w, k, a, e))
			goto out;
		if (o->equilibrate) {
			size_t nskip = (n + o->origins - 1) / (o->origins ? o->origins : 1);
			double neff;
			fe_corr_equilibrate(a, n, nskip, o->mintime, &st->t0, &st->g,
					    &neff);
			st->constant = fe_corr_g(a, n, o->mintime, &neff) != 0;
		} else if (o->subsample) {
			st->constant = fe_corr_g(a, n, o->mintime, &st->g) != 0;
		}
		if (!o->subsample)
			st->g = 1.0;
		size_t m = fe_corr_subsample(n - st->t0, st->g, idx + tot);
		s->start[k] = tot;
		for (size_t i = 0; i < m; i++)
			idx[tot + i] += w->start[k] + st->t0;
		s->N_k[k] = st->kept = m;
		tot += m;
	}
	s->N = tot;
	s->u = malloc(K * tot * sizeof *s->u);
	s->dudl = w->ndudl ? malloc((size_t)w->ndudl * tot * sizeof *s->dudl)
			   : NULL;
	if (!s->u || (w->ndudl && !s->dudl)) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < K; k++)
		for (size_t n = 0; n < tot; n++)
			s->u[k * tot + n] = w->u_kn[k * w->N + idx[n]];
	for (int c = 0; c < w->ndudl; c++)
		for (size_t n = 0; n < tot; n++)
			s->dudl[(size_t)c * tot + n] =
				w->dudl[(size_t)c * w->N + idx[n]];
	rc = 0;
out:
	free(a);
	free(idx);
	return rc;
}

/* States whose energies equal those of state 0 on every kept sample. */
static int same_as_0(const struct kept *s, size_t k)
{
	for (size_t n = 0; n < s->N; n++)
		if (s->u[k * s->N + n] != s->u[n])
			return 0;
	return 1;
}

static int run_mbar(const struct kept *s, size_t K,
		    const struct fe_analysis_opts *o, struct fe_analysis *r,
		    struct err *e)
{
	struct mbar_result m;
	double t0 = wall_seconds();
	if (mbar_solve(K, s->N, s->u, s->N_k, &o->mbar, &m, e))
		return -1;
	r->mbar_seconds = wall_seconds() - t0;
	for (size_t k = 0; k < K; k++) {
		r->dg[FE_MBAR * K + k] = m.f[k];
		r->err[FE_MBAR * K + k] = same_as_0(s, k) ? 0.0
							     : mbar_df_err(&m, 0, k);
	}
	memcpy(r->overlap, m.overlap, K * K * sizeof *r->overlap);
	r->overlap_scalar = m.overlap_scalar;
	r->mbar_iterations = m.iterations;
	r->mbar_grad = m.grad;
	r->have[FE_MBAR] = 1;
	mbar_result_free(&m);
	return 0;
}

/* BAR and EXP between neighbours, summed along the path. */
static int run_pairs(const struct kept *s, size_t K,
		     const struct fe_analysis_opts *o, struct fe_analysis *r,
		     struct err *e)
{
	size_t nmax = 0, N = s->N;
	for (size_t k = 0; k < K; k++)
		if (s->N_k[k] > nmax)
			nmax = s->N_k[k];
	double *wF = malloc(nmax * sizeof *wF), *wR = malloc(nmax * sizeof *wR);
	if (!wF || !wR) {
		free(wF);
		free(wR);
		return err_set(e, "out of memory");
	}
	double v[3] = {0, 0, 0};   /* variances: BAR, EXP-FWD, EXP-BWD */
	int meth[3] = {FE_BAR, FE_EXP_FWD, FE_EXP_BWD}, rc = -1;
	for (int m = 0; m < 3; m++)
		r->dg[meth[m] * (int)K] = r->err[meth[m] * (int)K] = 0;
	for (size_t k = 0; k + 1 < K; k++) {
		size_t a = s->start[k], na = s->N_k[k];
		size_t b = s->start[k + 1], nb = s->N_k[k + 1];
		for (size_t i = 0; i < na; i++)
			wF[i] = s->u[(k + 1) * N + a + i] - s->u[k * N + a + i];
		for (size_t i = 0; i < nb; i++)
			wR[i] = s->u[k * N + b + i] - s->u[(k + 1) * N + b + i];
		double d[3], dd[3];
		if (fe_bar(wF, na, wR, nb, &o->bar, &d[0], &dd[0], e) ||
		    fe_exp(wF, na, &d[1], &dd[1], e) ||
		    fe_exp(wR, nb, &d[2], &dd[2], e)) {
			err_prefix(e, "states %zu and %zu", k, k + 1);
			goto out;
		}
		d[2] = -d[2];
		for (int m = 0; m < 3; m++) {
			size_t at = (size_t)meth[m] * K;
			v[m] += dd[m] * dd[m];
			r->dg[at + k + 1] = r->dg[at + k] + d[m];
			r->err[at + k + 1] = sqrt(v[m]);
		}
	}
	for (int m = 0; m < 3; m++)
		r->have[meth[m]] = 1;
	rc = 0;
out:
	free(wF);
	free(wR);
	return rc;
}

/* Per-interval weights of component c into W[j*K + i] (intervals j,
 * states i), over each stretch where lambda_c changes monotonically. */
static int ti_component(const double *lam, int ncomp, int c, size_t K,
			int cubic, double *W, double *x, double *wint,
			struct err *e)
{
	memset(W, 0, (K - 1) * K * sizeof *W);
	size_t j = 0;
	while (j + 1 < K) {
		double d0 = lam[(j + 1) * (size_t)ncomp + (size_t)c] -
			    lam[j * (size_t)ncomp + (size_t)c];
		if (d0 == 0) {
			j++;
			continue;
		}
		size_t b = j + 1;   /* stretch of states j..b */
		while (b + 1 < K) {
			double d = lam[(b + 1) * (size_t)ncomp + (size_t)c] -
				   lam[b * (size_t)ncomp + (size_t)c];
			if (!(d * d0 > 0))
				break;
			b++;
		}
		size_t m = b - j + 1;
		for (size_t i = 0; i < m; i++)
			x[i] = lam[(j + i) * (size_t)ncomp + (size_t)c];
		if (fe_ti_weights(m, x, cubic, wint, e))
			return -1;
		for (size_t q = 0; q + 1 < m; q++)
			for (size_t i = 0; i < m; i++)
				W[(j + q) * K + j + i] = wint[q * m + i];
		j = b;
	}
	return 0;
}

/* Cumulative TI to every state with interval weights W[c][j*K + i]. */
static void ti_cumulative(const struct kept *s, size_t K, int ncomp,
			  const double *W, double *dg, double *err)
{
	size_t N = s->N;
	double *cw = calloc((size_t)ncomp * K, sizeof *cw);  /* [c*K + i] */
	if (!cw) {
		for (size_t k = 0; k < K; k++)
			dg[k] = err[k] = NAN;
		return;
	}
	dg[0] = err[0] = 0;
	for (size_t k = 1; k < K; k++) {
		/* add interval k-1 */
		for (int c = 0; c < ncomp; c++)
			for (size_t i = 0; i < K; i++)
				cw[(size_t)c * K + i] +=
					W[(size_t)c * (K - 1) * K + (k - 1) * K + i];
		double sum = 0, var = 0;
		for (size_t i = 0; i < K; i++) {
			int any = 0;
			for (int c = 0; c < ncomp; c++)
				any |= cw[(size_t)c * K + i] != 0;
			if (!any)
				continue;
			size_t n0 = s->start[i], n = s->N_k[i];
			double mean = 0, m2 = 0;
			for (size_t q = 0; q < n; q++) {   /* Welford */
				double y = 0;
				for (int c = 0; c < ncomp; c++)
					y += cw[(size_t)c * K + i] *
					     s->dudl[(size_t)c * N + n0 + q];
				double d = y - mean;
				mean += d / (double)(q + 1);
				m2 += d * (y - mean);
			}
			sum += mean;
			var += n > 1 ? m2 / (double)(n - 1) / (double)n : NAN;
		}
		dg[k] = sum;
		err[k] = sqrt(var);
	}
	free(cw);
}

static int run_ti(const struct fe_windows *w, const struct kept *s,
		  struct fe_analysis *r, struct err *e)
{
	size_t K = w->K;
	int nc = w->ncomp;
	double *W = malloc((size_t)nc * (K - 1) * K * sizeof *W);
	double *x = malloc(K * sizeof *x), *wint = malloc(K * K * sizeof *wint);
	if (!W || !x || !wint) {
		free(W);
		free(x);
		free(wint);
		return err_set(e, "out of memory");
	}
	for (int cubic = 0; cubic < 2; cubic++) {
		int meth = cubic ? FE_TI_CUBIC : FE_TI, ok = 1;
		struct err te;
		for (int c = 0; c < nc && ok; c++)
			ok = ti_component(w->lambda, nc, c, K, cubic,
					  W + (size_t)c * (K - 1) * K, x, wint,
					  &te) == 0;
		if (!ok) {
			snprintf(r->ti_note, sizeof r->ti_note, "%s not computed: %.200s",
				 fe_method_name[meth], te.msg);
			continue;
		}
		ti_cumulative(s, K, nc, W, r->dg + (size_t)meth * K,
			      r->err + (size_t)meth * K);
		r->have[meth] = 1;
	}
	free(W);
	free(x);
	free(wint);
	return 0;
}

int fe_analyze(const struct fe_windows *w, const struct fe_analysis_opts *o,
	       struct fe_analysis *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	size_t K = w->K;
	struct kept s = {0};
	int rc = -1;
	if (K < 2)
		return err_set(e, "%zu state(s): free energies need at least 2",
			       K);
	r->K = K;
	r->dg = calloc(FE_NMETHOD * K, sizeof *r->dg);
	r->err = calloc(FE_NMETHOD * K, sizeof *r->err);
	r->st = calloc(K, sizeof *r->st);
	r->overlap = calloc(K * K, sizeof *r->overlap);
	if (!r->dg || !r->err || !r->st || !r->overlap) {
		err_set(e, "out of memory");
		goto out;
	}
	r->observable = w->ndudl ? "dudl" : "dU to neighbour";
	if (select_samples(w, o, r, &s, e) || run_mbar(&s, K, o, r, e) ||
	    run_pairs(&s, K, o, r, e))
		goto out;
	if (w->ndudl && run_ti(w, &s, r, e))
		goto out;
	if (!w->ndudl && w->note[0])
		snprintf(r->ti_note, sizeof r->ti_note, "%s", w->note);
	rc = 0;
out:
	kept_free(&s);
	if (rc)
		fe_analysis_free(r);
	return rc;
}

void fe_analysis_free(struct fe_analysis *r)
{
	free(r->dg);
	free(r->err);
	free(r->st);
	free(r->overlap);
	memset(r, 0, sizeof *r);
}
