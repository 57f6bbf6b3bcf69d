/* mbar: MBAR free energies, covariance and overlap. Shirts & Chodera,
 * J. Chem. Phys. 129, 124105 (2008); equation numbers are theirs, the
 * solver and covariance follow pymbar 3 (notes/algorithms.md 3.2-3.4).
 *
 * Working layout: the energies are copied sample-major (u[n*K + k]) so the
 * inner loops over states run along memory, with the per-sample minimum
 * over the sampled states removed (preconditioning: W and f unchanged,
 * the exponents stay near 0). One pass over the samples at a given f
 * gives log D_n = logsumexp_k(ln N_k + f_k - u_kn), the weight sums
 * sum_n W_nk (compensated) and, for Newton, sum_n W_ni W_nj. */
#include "mbar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sort_vector.h>
#include <gsl/gsl_vector.h>

void mbar_opts_default(struct mbar_opts *o)
{
	o->tol = 1e-10;
	o->max_iter = 10000;
	o->min_sc_iter = 2;
}

/* Work space over the Ks sampled states. */
struct ws {
	size_t K, N, Ks;
	size_t *sk;        /* [Ks] sampled state indices */
	double *Nk, *logN; /* [Ks] */
	double *u;         /* [N*K] preconditioned, sample-major */
	double *logD;      /* [N] */
	double *ex;        /* [Ks] scratch */
	double *wsum, *wc; /* [Ks] sum_n W_nk and its compensation */
	double *P;         /* [Ks*Ks] sum_n W_ni W_nj (upper triangle) */
};

static void ws_free(struct ws *w)
{
	free(w->sk);
	free(w->Nk);
	free(w->logN);
	free(w->u);
	free(w->logD);
	free(w->ex);
	free(w->wsum);
	free(w->wc);
	free(w->P);
}

/* Neumaier's compensated addition of x to (*s, *c). */
static inline void kadd(double *s, double *c, double x)
{
	double t = *s + x;
	*c += fabs(*s) >= fabs(x) ? (*s - t) + x : (x - t) + *s;
	*s = t;
}

/* One pass at f[Ks]; fills logD, wsum and (want_p) P. */
static void pass(struct ws *w, const double *f, int want_p)
{
	size_t Ks = w->Ks, K = w->K;
	memset(w->wsum, 0, Ks * sizeof *w->wsum);
	memset(w->wc, 0, Ks * sizeof *w->wc);
	if (want_p)
		memset(w->P, 0, Ks * Ks * sizeof *w->P);
	double *ex = w->ex;
	for (size_t n = 0; n < w->N; n++) {
		const double *un = w->u + n * K;
		double m = -INFINITY;
		for (size_t j = 0; j < Ks; j++) {
			ex[j] = w->logN[j] + f[j] - un[w->sk[j]];
			if (ex[j] > m)
				m = ex[j];
		}
		double s = 0;
		for (size_t j = 0; j < Ks; j++) {
			ex[j] = exp(ex[j] - m);
			s += ex[j];
		}
		w->logD[n] = m + log(s);
		/* W_nj = exp(f_j - u_nj - log D_n) = ex_j / (s N_j) */
		double inv = 1.0 / s;
		for (size_t j = 0; j < Ks; j++) {
			ex[j] *= inv / w->Nk[j];
			kadd(&w->wsum[j], &w->wc[j], ex[j]);
		}
		if (!want_p)
			continue;
		for (size_t i = 0; i < Ks; i++) {
			double wi = ex[i];
			double *row = w->P + i * Ks;
			for (size_t j = i; j < Ks; j++)
				row[j] += wi * ex[j];
		}
	}
	for (size_t j = 0; j < Ks; j++)
		w->wsum[j] += w->wc[j];
}

/* max_k |1 - sum_n W_nk| and |g|^2 with g_k = N_k (sum_n W_nk - 1). */
static double grad_max(const struct ws *w, double *g2)
{
	double mx = 0, s2 = 0;
	for (size_t j = 0; j < w->Ks; j++) {
		double d = w->wsum[j] - 1.0;
		if (fabs(d) > mx || isnan(d))
			mx = isnan(d) ? INFINITY : fabs(d);
		s2 += w->Nk[j] * w->Nk[j] * d * d;
	}
	if (g2)
		*g2 = s2;
	return mx;
}

/* Self-consistent update (eq. C3): f_k <- -ln sum_n exp(-u_kn - log D_n),
 * with log D_n of the last pass, then re-gauge f_0 = 0. Summed in log
 * space, not as f_k - ln sum_n W_nk: far from the answer (states hundreds
 * of kT apart, f = 0 to start) every W_nk of a state underflows to 0 and
 * ln 0 would end the solve. */
/* out[j] = -ln sum_n exp(-u_n,col_j - log D_n) for ncol states (col
 * NULL: states 0..ncol-1), one pass with a running maximum per state;
 * s: ncol doubles of scratch. */
static void neg_log_sum(const struct ws *w, const size_t *col, size_t ncol,
			double *s, double *out)
{
	for (size_t j = 0; j < ncol; j++) {
		out[j] = -INFINITY;   /* the running maximum */
		s[j] = 0;
	}
	for (size_t n = 0; n < w->N; n++)
		for (size_t j = 0; j < ncol; j++) {
			double x = -w->u[n * w->K + (col ? col[j] : j)] -
				   w->logD[n];
			if (x == -INFINITY)
				continue;
			if (x > out[j]) {
				s[j] = s[j] * exp(out[j] - x) + 1.0;
				out[j] = x;
			} else {
				s[j] += exp(x - out[j]);
			}
		}
	for (size_t j = 0; j < ncol; j++)
		out[j] = -(out[j] + log(s[j]));
}

static void sc_step(const struct ws *w, double *out)
{
	neg_log_sum(w, w->sk, w->Ks, w->ex, out);
	double f0 = out[0];
	for (size_t j = 0; j < w->Ks; j++)
		out[j] -= f0;
}

/* Newton direction in the gauge f_0 = 0: H d = -g over states 1..Ks-1,
 * H_ij = delta_ij N_i sum_n W_ni - N_i N_j sum_n W_ni W_nj (eq. C9).
 * Cholesky; SVD pseudo-inverse when H is not numerically positive
 * definite. */
static int newton_dir(const struct ws *w, double *d, struct err *e)
{
	size_t m = w->Ks - 1;
	gsl_matrix *H = gsl_matrix_alloc(m, m);
	gsl_vector *b = gsl_vector_alloc(m), *x = gsl_vector_alloc(m);
	gsl_matrix *V = gsl_matrix_alloc(m, m);
	gsl_vector *S = gsl_vector_alloc(m), *work = gsl_vector_alloc(m);
	int rc = -1;
	if (!H || !b || !x || !V || !S || !work) {
		err_set(e, "MBAR: out of memory");
		goto out;
	}
	for (size_t i = 0; i < m; i++) {
		size_t a = i + 1;
		for (size_t j = i; j < m; j++) {
			size_t c = j + 1;
			double h = -w->Nk[a] * w->Nk[c] * w->P[a * w->Ks + c];
			if (a == c)
				h += w->Nk[a] * w->wsum[a];
			gsl_matrix_set(H, i, j, h);
			gsl_matrix_set(H, j, i, h);
		}
		gsl_vector_set(b, i, -w->Nk[a] * (w->wsum[a] - 1.0));
	}
	gsl_matrix_memcpy(V, H);
	if (gsl_linalg_cholesky_decomp1(V) == GSL_SUCCESS &&
	    gsl_linalg_cholesky_solve(V, b, x) == GSL_SUCCESS) {
		rc = 0;
	} else {
		/* H = U S V^T, d = V S^+ U^T b, singular values below 1e-12
		 * of the largest dropped (the direction the data cannot fix) */
		if (gsl_linalg_SV_decomp(H, V, S, work) != GSL_SUCCESS) {
			err_set(e, "MBAR: SVD of the Hessian failed");
			goto out;
		}
		double smax = gsl_vector_get(S, 0);
		for (size_t i = 0; i < m; i++)
			if (!(gsl_vector_get(S, i) > 1e-12 * smax))
				gsl_vector_set(S, i, 0.0);
		if (gsl_linalg_SV_solve(H, V, S, b, x) != GSL_SUCCESS) {
			err_set(e, "MBAR: SVD solve failed");
			goto out;
		}
		rc = 0;
	}
	d[0] = 0;
	for (size_t i = 0; i < m; i++)
		d[i + 1] = gsl_vector_get(x, i);
out:
	gsl_matrix_free(H);
	gsl_matrix_free(V);
	gsl_vector_free(b);
	gsl_vector_free(x);
	gsl_vector_free(S);
	gsl_vector_free(work);
	return rc;
}

/* Iterate to convergence over the sampled states; f[Ks] in/out. */
static int solve(struct ws *w, double *f, const struct mbar_opts *o,
		 struct mbar_result *r, struct err *e)
{
	size_t Ks = w->Ks;
	double *d = malloc(Ks * sizeof *d), *fo = malloc(Ks * sizeof *fo);
	if (!d || !fo) {
		free(d);
		free(fo);
		return err_set(e, "MBAR: out of memory");
	}
	int rc = -1;
	long it = 0, since_best = 0;
	pass(w, f, o->min_sc_iter <= 0);
	double g2, gmax = grad_max(w, &g2), best = gmax;
	for (;; it++) {
		if (gmax < o->tol) {
			rc = 0;
			break;
		}
		if (it >= o->max_iter || since_best > 50) {
			err_set(e, "MBAR did not converge in %ld iterations (weights "
				"sum to 1 within %.3g, --tol is %.3g): poor overlap "
				"between states? see the overlap matrix", it, gmax,
				o->tol);
			break;
		}
		if (it < o->min_sc_iter) {
			sc_step(w, f);
			pass(w, f, it + 1 >= o->min_sc_iter);
		} else {
			if (newton_dir(w, d, e))
				break;
			memcpy(fo, f, Ks * sizeof *f);
			double g2o = g2, t = 1;
			int ok = 0;
			for (int tries = 0; tries < 5 && !ok; tries++, t *= 0.5) {
				for (size_t j = 0; j < Ks; j++)
					f[j] = fo[j] + t * d[j];
				pass(w, f, 1);
				gmax = grad_max(w, &g2);
				ok = g2 < g2o;
			}
			if (ok) {
				r->newton_steps++;
			} else {
				/* self-consistent step from the old point */
				pass(w, fo, 0);
				sc_step(w, f);
				pass(w, f, 1);
			}
		}
		gmax = grad_max(w, &g2);
		if (gmax < best) {
			best = gmax;
			since_best = 0;
		} else {
			since_best++;
		}
	}
	r->iterations = it;
	r->grad = gmax;
	free(d);
	free(fo);
	return rc;
}

/* pinv(A) for symmetric A (n x n) via SVD, singular values at or below
 * rcond * max dropped (numpy.linalg.pinv, as pymbar's _pseudoinverse). */
static int pinv(gsl_matrix *A, double rcond, gsl_matrix *out)
{
	size_t n = A->size1;
	gsl_matrix *V = gsl_matrix_alloc(n, n);
	gsl_vector *S = gsl_vector_alloc(n), *work = gsl_vector_alloc(n);
	int rc = -1;
	if (V && S && work && gsl_linalg_SV_decomp(A, V, S, work) == GSL_SUCCESS) {
		double cut = rcond * gsl_vector_get(S, 0);
		/* out = V S^+ U^T, U in A */
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				double s = 0;
				for (size_t k = 0; k < n; k++) {
					double sk = gsl_vector_get(S, k);
					if (sk > cut)
						s += gsl_matrix_get(V, i, k) / sk *
						     gsl_matrix_get(A, j, k);
				}
				gsl_matrix_set(out, i, j, s);
			}
		rc = 0;
	}
	gsl_matrix_free(V);
	gsl_vector_free(S);
	gsl_vector_free(work);
	return rc;
}

/* Theta = V Sigma (I - Sigma V^T N V Sigma)^+ Sigma V^T with W^T W =
 * V Sigma^2 V^T (pymbar 'svd-ew', Appendix D of the paper). */
static int covariance(size_t K, const double *WtW, const double *Nk,
		      double *theta, struct err *e)
{
	gsl_matrix *A = gsl_matrix_alloc(K, K), *V = gsl_matrix_alloc(K, K);
	gsl_matrix *M = gsl_matrix_alloc(K, K), *Mi = gsl_matrix_alloc(K, K);
	gsl_vector *S2 = gsl_vector_alloc(K);
	gsl_eigen_symmv_workspace *ew = gsl_eigen_symmv_alloc(K);
	int rc = -1;
	if (!A || !V || !M || !Mi || !S2 || !ew) {
		err_set(e, "MBAR: out of memory");
		goto out;
	}
	for (size_t i = 0; i < K * K; i++)
		A->data[i] = WtW[i];
	if (gsl_eigen_symmv(A, S2, V, ew) != GSL_SUCCESS) {
		err_set(e, "MBAR: eigen-decomposition of W^T W failed");
		goto out;
	}
	double *sig = malloc(K * sizeof *sig);
	if (!sig) {
		err_set(e, "MBAR: out of memory");
		goto out;
	}
	for (size_t k = 0; k < K; k++) {
		double s2 = gsl_vector_get(S2, k);
		sig[k] = s2 > 0 ? sqrt(s2) : 0.0;
	}
	/* M = I - Sigma V^T N V Sigma */
	for (size_t a = 0; a < K; a++)
		for (size_t b = 0; b < K; b++) {
			double s = 0;
			for (size_t k = 0; k < K; k++)
				s += gsl_matrix_get(V, k, a) * Nk[k] *
				     gsl_matrix_get(V, k, b);
			gsl_matrix_set(M, a, b, (a == b) - sig[a] * s * sig[b]);
		}
	if (pinv(M, 1e-10, Mi)) {
		free(sig);
		err_set(e, "MBAR: pseudo-inverse in the covariance failed");
		goto out;
	}
	/* Theta = (V Sigma) Mi (V Sigma)^T */
	for (size_t i = 0; i < K; i++)
		for (size_t j = 0; j < K; j++) {
			double s = 0;
			for (size_t a = 0; a < K; a++) {
				double via = gsl_matrix_get(V, i, a) * sig[a];
				if (via == 0)
					continue;
				for (size_t b = 0; b < K; b++)
					s += via * gsl_matrix_get(Mi, a, b) * sig[b] *
					     gsl_matrix_get(V, j, b);
			}
			theta[i * K + j] = s;
		}
	free(sig);
	rc = 0;
out:
	gsl_matrix_free(A);
	gsl_matrix_free(V);
	gsl_matrix_free(M);
	gsl_matrix_free(Mi);
	gsl_vector_free(S2);
	if (ew)
		gsl_eigen_symmv_free(ew);
	return rc;
}

/* O_ij = N_j (W^T W)_ij; its eigenvalues are those of the symmetric
 * sqrt(N_i) (W^T W)_ij sqrt(N_j). Returns 1 - lambda_2. */
static int overlap(size_t K, const double *WtW, const double *Nk, double *O,
		   double *scalar, struct err *e)
{
	gsl_matrix *A = gsl_matrix_alloc(K, K);
	gsl_vector *ev = gsl_vector_alloc(K);
	gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(K);
	int rc = -1;
	if (!A || !ev || !ws) {
		err_set(e, "MBAR: out of memory");
		goto out;
	}
	for (size_t i = 0; i < K; i++)
		for (size_t j = 0; j < K; j++) {
			O[i * K + j] = Nk[j] * WtW[i * K + j];
			gsl_matrix_set(A, i, j, sqrt(Nk[i] * Nk[j]) * WtW[i * K + j]);
		}
	if (gsl_eigen_symm(A, ev, ws) != GSL_SUCCESS) {
		err_set(e, "MBAR: eigenvalues of the overlap matrix failed");
		goto out;
	}
	gsl_sort_vector(ev);
	*scalar = K > 1 ? 1.0 - gsl_vector_get(ev, K - 2) : 0.0;
	rc = 0;
out:
	gsl_matrix_free(A);
	gsl_vector_free(ev);
	if (ws)
		gsl_eigen_symm_free(ws);
	return rc;
}

/* After the solve: f for every state from one self-consistent update
 * (log D_n of the sampled states), re-gauged to state 0; then W_nk with
 * these f for every state, W^T W, and the normalisation check. */
static int finish(struct ws *w, const size_t *N_k, struct mbar_result *r,
		  double *WtW, struct err *e)
{
	size_t K = w->K, N = w->N;
	double *s = calloc(K, sizeof *s);
	double *fl = calloc(K, sizeof *fl), *ln = malloc(K * sizeof *ln);
	double *wn = malloc(K * sizeof *wn), *ws = calloc(K, sizeof *ws);
	double *wc = calloc(K, sizeof *wc);
	int rc = -1;
	if (!s || !fl || !ln || !wn || !ws || !wc) {
		err_set(e, "MBAR: out of memory");
		goto out;
	}
	neg_log_sum(w, NULL, K, s, fl);
	if (!isfinite(fl[0])) {
		err_set(e, "MBAR: state 0 has infinite energy for every sample");
		goto out;
	}
	for (size_t k = 0; k < K; k++) {
		r->f[k] = fl[k] - fl[0];
		ln[k] = N_k[k] ? log((double)N_k[k]) : -INFINITY;
	}
	/* W with the final f of all states (pymbar mbar_log_W_nk) */
	memset(WtW, 0, K * K * sizeof *WtW);
	for (size_t n = 0; n < N; n++) {
		const double *un = w->u + n * K;
		double mx = -INFINITY, sum = 0;
		for (size_t k = 0; k < K; k++)
			if (N_k[k] && ln[k] + r->f[k] - un[k] > mx)
				mx = ln[k] + r->f[k] - un[k];
		for (size_t k = 0; k < K; k++)
			if (N_k[k])
				sum += exp(ln[k] + r->f[k] - un[k] - mx);
		double logD = mx + log(sum);
		for (size_t k = 0; k < K; k++) {
			/* an unsampled state no sample can be in: f = +inf */
			wn[k] = isfinite(r->f[k]) ? exp(r->f[k] - un[k] - logD) : 0.0;
			kadd(&ws[k], &wc[k], wn[k]);
		}
		for (size_t i = 0; i < K; i++) {
			if (wn[i] == 0)
				continue;
			for (size_t j = i; j < K; j++)
				WtW[i * K + j] += wn[i] * wn[j];
		}
	}
	for (size_t i = 0; i < K; i++)
		for (size_t j = 0; j < i; j++)
			WtW[i * K + j] = WtW[j * K + i];
	r->grad = 0;
	for (size_t k = 0; k < K; k++)
		if (N_k[k] && fabs(ws[k] + wc[k] - 1.0) > r->grad)
			r->grad = fabs(ws[k] + wc[k] - 1.0);
	rc = 0;
out:
	free(s);
	free(fl);
	free(ln);
	free(wn);
	free(ws);
	free(wc);
	return rc;
}

static int setup(struct ws *w, size_t K, size_t N, const double *u_kn,
		 const size_t *N_k, struct err *e)
{
	memset(w, 0, sizeof *w);
	w->K = K;
	w->N = N;
	size_t tot = 0;
	for (size_t k = 0; k < K; k++) {
		tot += N_k[k];
		w->Ks += N_k[k] > 0;
	}
	if (K < 1 || tot != N)
		return err_set(e, "MBAR: %zu samples, but the N_k sum to %zu", N,
			       tot);
	if (w->Ks == 0)
		return err_set(e, "MBAR: no state has samples");
	size_t Ks = w->Ks;
	w->sk = malloc(Ks * sizeof *w->sk);
	w->Nk = malloc(Ks * sizeof *w->Nk);
	w->logN = malloc(Ks * sizeof *w->logN);
	w->u = malloc(N * K * sizeof *w->u);
	w->logD = malloc(N * sizeof *w->logD);
	w->ex = malloc(Ks * sizeof *w->ex);
	w->wsum = malloc(Ks * sizeof *w->wsum);
	w->wc = malloc(Ks * sizeof *w->wc);
	w->P = malloc(Ks * Ks * sizeof *w->P);
	if (!w->sk || !w->Nk || !w->logN || !w->u || !w->logD || !w->ex ||
	    !w->wsum || !w->wc || !w->P)
		return err_set(e, "MBAR: out of memory");
	for (size_t k = 0, j = 0; k < K; k++)
		if (N_k[k]) {
			w->sk[j] = k;
			w->Nk[j] = (double)N_k[k];
			w->logN[j] = log((double)N_k[k]);
			j++;
		}
	for (size_t n = 0; n < N; n++) {
		double c = INFINITY;
		for (size_t k = 0; k < K; k++) {
			double v = u_kn[k * N + n];
			if (isnan(v) || v == -INFINITY)
				return err_set(e, "MBAR: u_kn[%zu][%zu] is %g", k, n, v);
			if (N_k[k] && v < c)
				c = v;
			w->u[n * K + k] = v;
		}
		if (!isfinite(c))
			return err_set(e, "MBAR: sample %zu has infinite energy in "
				       "every sampled state", n);
		for (size_t k = 0; k < K; k++)
			w->u[n * K + k] -= c;
	}
	return 0;
}

int mbar_solve(size_t K, size_t N, const double *u_kn, const size_t *N_k,
	       const struct mbar_opts *o, struct mbar_result *r,
	       struct err *e)
{
	memset(r, 0, sizeof *r);
	struct ws w;
	double *f = NULL, *WtW = NULL, *Nk = NULL;
	int rc = -1;
	if (setup(&w, K, N, u_kn, N_k, e))
		goto out;
	r->K = K;
	r->f = malloc(K * sizeof *r->f);
	r->theta = malloc(K * K * sizeof *r->theta);
	r->overlap = malloc(K * K * sizeof *r->overlap);
	f = calloc(w.Ks, sizeof *f);
	WtW = malloc(K * K * sizeof *WtW);
	Nk = malloc(K * sizeof *Nk);
	if (!r->f || !r->theta || !r->overlap || !f || !WtW || !Nk) {
		err_set(e, "MBAR: out of memory");
		goto out;
	}
	if (w.Ks > 1) {
		if (solve(&w, f, o, r, e))
			goto out;
	} else {
		pass(&w, f, 0);
	}
	if (finish(&w, N_k, r, WtW, e))
		goto out;
	for (size_t k = 0; k < K; k++)
		Nk[k] = (double)N_k[k];
	if (covariance(K, WtW, Nk, r->theta, e) ||
	    overlap(K, WtW, Nk, r->overlap, &r->overlap_scalar, e))
		goto out;
	rc = 0;
out:
	ws_free(&w);
	free(f);
	free(WtW);
	free(Nk);
	if (rc)
		mbar_result_free(r);
	return rc;
}

void mbar_result_free(struct mbar_result *r)
{
	free(r->f);
	free(r->theta);
	free(r->overlap);
	memset(r, 0, sizeof *r);
}

double mbar_df_err(const struct mbar_result *r, size_t i, size_t j)
{
	size_t K = r->K;
	double v = r->theta[i * K + i] + r->theta[j * K + j] -
		   2.0 * r->theta[i * K + j];
	if (v < 0)
		return v > -1e-10 ? 0.0 : NAN;
	return sqrt(v);
}
