/* fe_bar: BAR and EXP between two states. Bennett, J. Comput. Phys. 22,
 * 245 (1976); Shirts, Bair, Hooker & Pande, PRL 91, 140601 (2003); the
 * forms, bracket and variance of pymbar 3 (notes/algorithms.md 3.5-3.6). */
#include "fe_bar.h"

#include <math.h>

void fe_bar_opts_default(struct fe_bar_opts *o)
{
	o->tol = 1e-12;
	o->max_iter = 500;
}

/* ln(1 + e^x) without overflow; +inf stays +inf. */
static double softplus(double x)
{
	return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* logsumexp_i [-k softplus(a + s w_i)] */
static double lse_fermi(const double *w, size_t n, double a, double s,
			double k)
{
	double m = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		double v = -k * softplus(a + s * w[i]);
		if (v > m)
			m = v;
	}
	if (m == -INFINITY)
		return -INFINITY;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += exp(-k * softplus(a + s * w[i]) - m);
	return m + log(sum);
}

/* Z(dF): pymbar BARzero, increasing in dF. */
static double bar_zero(const double *wF, size_t TF, const double *wR,
		       size_t TR, double M, double dF)
{
	return lse_fermi(wF, TF, M - dF, 1.0, 1.0) -
	       lse_fermi(wR, TR, -M + dF, 1.0, 1.0);
}

int fe_exp(const double *w, size_t T, double *df, double *ddf,
	   struct err *e)
{
	double mx = -INFINITY;
	for (size_t i = 0; i < T; i++)
		if (-w[i] > mx)
			mx = -w[i];
	if (T == 0 || mx == -INFINITY || isnan(mx))
		return err_set(e, "EXP: no sample reaches the other state "
			       "(all work values infinite)");
	double s = 0, s2 = 0;
	for (size_t i = 0; i < T; i++) {
		double x = exp(-w[i] - mx);
		s += x;
	}
	double mean = s / (double)T;
	for (size_t i = 0; i < T; i++) {
		double d = exp(-w[i] - mx) - mean;
		s2 += d * d;
	}
	*df = -(mx + log(mean));
	*ddf = sqrt(s2 / (double)T) / sqrt((double)T) / mean;
	return 0;
}

int fe_bar(const double *wF, size_t TF, const double *wR, size_t TR,
	   const struct fe_bar_opts *o, double *df, double *ddf,
	   struct err *e)
{
	double up, lo, d;
	if (TF == 0 || TR == 0)
		return err_set(e, "BAR: no samples in one of the two states");
	if (fe_exp(wF, TF, &up, &d, e) || fe_exp(wR, TR, &lo, &d, e))
		return err_set(e, "BAR: no overlap (a state's samples all have "
			       "infinite energy in the other)");
	lo = -lo;
	double M = log((double)TF / (double)TR);
	if (lo > up) {
		double t = lo;
		lo = up;
		up = t;
	}
	double flo = bar_zero(wF, TF, wR, TR, M, lo);
	double fhi = bar_zero(wF, TF, wR, TR, M, up);
	/* widen until the root is bracketed (Z increases with dF) */
	double step = fmax(up - lo, 0.1);
	for (int i = 0; i < 200 && (flo > 0 || fhi < 0); i++, step *= 2) {
		if (flo > 0) {
			lo -= step;
			flo = bar_zero(wF, TF, wR, TR, M, lo);
		}
		if (fhi < 0) {
			up += step;
			fhi = bar_zero(wF, TF, wR, TR, M, up);
		}
	}
	if (!(flo <= 0 && fhi >= 0))
		return err_set(e, "BAR: cannot bracket the free energy (no "
			       "overlap between the two states?)");
	/* false position, Illinois variant */
	double x = lo;
	int side = 0, conv = flo == 0 || fhi == 0;
	if (flo == 0)
		x = lo;
	else if (fhi == 0)
		x = up;
	for (long it = 0; it < o->max_iter && !conv; it++) {
		x = (lo * fhi - up * flo) / (fhi - flo);
		if (!(x > lo && x < up))
			x = 0.5 * (lo + up);
		double fx = bar_zero(wF, TF, wR, TR, M, x);
		if (isnan(fx))
			return err_set(e, "BAR: Z(%g) is not a number", x);
		if (fx == 0) {
			conv = 1;
			break;
		}
		if (fx < 0) {
			lo = x;
			flo = fx;
			if (side == -1)
				fhi *= 0.5;
			side = -1;
		} else {
			up = x;
			fhi = fx;
			if (side == 1)
				flo *= 0.5;
			side = 1;
		}
		if (up - lo <= o->tol * fmax(1.0, fabs(x))) {
			x = 0.5 * (lo + up);
			conv = 1;
		}
	}
	if (!conv)
		return err_set(e, "BAR did not converge in %ld iterations "
			       "(bracket %.17g..%.17g)", o->max_iter, lo, up);
	*df = x;
	/* variance ('BAR' form of pymbar), in logs: <f^2>/(T <f>^2) =
	 * exp(lse(-2 sp) - 2 lse(-sp)) */
	double C = M - x;
	double vF = exp(lse_fermi(wF, TF, C, 1.0, 2.0) -
			2.0 * lse_fermi(wF, TF, C, 1.0, 1.0));
	double vR = exp(lse_fermi(wR, TR, -C, 1.0, 2.0) -
			2.0 * lse_fermi(wR, TR, -C, 1.0, 1.0));
	double var = vF + vR - ((double)TF + (double)TR) /
			       ((double)TF * (double)TR);
	*ddf = var >= 0 ? sqrt(var) : (var > -1e-12 ? 0.0 : NAN);
	return 0;
}
