#include "arrhenius.h"

#include <math.h>
#include <stdlib.h>

int arrhenius_fit(const double *T, const double *D, const double *Derr,
		  size_t n, double R, struct arrhenius *a, struct err *e)
{
	a->n = n;
	a->weighted = Derr != NULL;
	a->Ea = a->Ea_err = a->lnD0 = a->lnD0_err = a->chi2_red = NAN;
	a->ntemp = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(T[i] > 0.0) || !isfinite(T[i]))
			return err_set(e, "point %zu: temperature %g is not positive",
				       i + 1, T[i]);
		if (!(D[i] > 0.0) || !isfinite(D[i]))
			return err_set(e, "point %zu: D = %g; ln D needs D > 0", i + 1,
				       D[i]);
		if (Derr && (!(Derr[i] > 0.0) || !isfinite(Derr[i])))
			return err_set(e, "point %zu: error of D %g is not positive",
				       i + 1, Derr[i]);
		int seen = 0;
		for (size_t j = 0; j < i; j++)
			seen |= T[j] == T[i];
		a->ntemp += !seen;
	}
	if (a->ntemp < 2)
		return err_set(e, "%zu temperature%s: an Arrhenius fit needs at "
			       "least 2 (3 for an error without D errors)", a->ntemp,
			       a->ntemp == 1 ? "" : "s");
	double *x = malloc(3 * n * sizeof *x);
	if (!x)
		return err_set(e, "out of memory");
	double *y = x + n, *sy = Derr ? x + 2 * n : NULL;
	for (size_t i = 0; i < n; i++) {
		x[i] = 1.0 / T[i];
		y[i] = log(D[i]);
		if (sy)
			sy[i] = Derr[i] / D[i];
	}
	int rc = linfit(x, y, sy, n, &a->line, e);
	free(x);
	if (rc != 0)
		return -1;
	a->Ea = -R * a->line.c1;
	a->Ea_err = R * sqrt(a->line.cov11);
	a->lnD0 = a->line.c0;
	a->lnD0_err = sqrt(a->line.cov00);
	if (a->weighted && n > 2)
		a->chi2_red = a->line.chi2 / (double)(n - 2);
	return 0;
}

void arrhenius_prigogine(double Ea2, double s2, double Ea1, double s1,
			 double R, double T, double *st, double *err)
{
	double rt2 = R * T * T;
	*st = (Ea2 - Ea1) / rt2;
	*err = hypot(s2, s1) / rt2;
}

void arrhenius_prigogine_mass(double Ea2, double s2, double Ea1, double s1,
			      double M2, double M1, double R, double T,
			      double *st, double *err)
{
	double rt2 = R * T * T, mu = (M2 - M1) / (M1 + M2);
	*st = (Ea2 - Ea1) / rt2 + mu * (Ea2 + Ea1) / rt2;
	/* dS/dEa2 = (1 + mu)/RT^2, dS/dEa1 = (mu - 1)/RT^2 */
	*err = hypot((1.0 + mu) * s2, (mu - 1.0) * s1) / rt2;
}

void arrhenius_eastman(double dGdT, double dGdT_err, double kB, double T,
		       double *st, double *err)
{
	*st = dGdT / (kB * T);
	*err = dGdT_err / (kB * T);
}
