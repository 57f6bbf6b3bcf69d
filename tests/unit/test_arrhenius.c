/* Unit tests for common/arrhenius.c and common/linfit.c: exact recovery of
 * Ea from synthetic Arrhenius data (ordinary and weighted), the refusals,
 * and the model predictions Eq. 2, 4, 1 against numbers worked by hand:
 *   R = 0.0019872067 kcal/mol/K (LAMMPS real), T = 300 K:
 *   R T^2 = 178.848603 kcal/mol/K.
 *   Eq. 2, Ea2 = 3 +- 0.3, Ea1 = 2 +- 0.4 kcal/mol:
 *     S_T = 1/178.848603 = 5.5913213e-3 1/K, err = 0.5/178.848603.
 *   Eq. 4 with M2 = 60, M1 = 18: mu = 42/78 = 0.5384615;
 *     S_T = (1 + 5 mu)/178.848603 = 2.0644879e-2 1/K,
 *     err = sqrt(((1+mu) 0.3)^2 + ((mu-1) 0.4)^2)/178.848603 = 2.7794018e-3.
 *   Eq. 1, dG/dT = 0.01 +- 0.002 kcal/mol/K: S_T = 0.01/(R 300)
 *     = 1.6773964e-2 1/K, err 3.3547928e-3. */
#include "arrhenius.h"
#include "check.h"

#include <gsl/gsl_errno.h>

int main(void)
{
	gsl_set_error_handler_off();
	const double R = 0.0019872067, Ea = 2.5, D0 = 1.7e-3;
	double T[4] = {280, 300, 320, 340}, D[4], De[4];
	for (int i = 0; i < 4; i++) {
		D[i] = D0 * exp(-Ea / (R * T[i]));
		De[i] = 0.01 * D[i] * (1 + i);
	}
	struct arrhenius a;
	struct err e;
	CHECK(arrhenius_fit(T, D, NULL, 4, R, &a, &e) == 0, "ordinary fit");
	CHECK_CLOSE(a.Ea, Ea, 1e-10, 0, "Ea recovered exactly (kcal/mol)");
	CHECK_CLOSE(a.lnD0, log(D0), 1e-10, 0, "ln D0 recovered exactly");
	CHECK(a.Ea_err < 1e-9 && a.ntemp == 4, "no scatter: Ea error %.3g",
	      a.Ea_err);
	CHECK(arrhenius_fit(T, D, De, 4, R, &a, &e) == 0, "weighted fit");
	CHECK_CLOSE(a.Ea, Ea, 1e-10, 0, "weighted: Ea recovered exactly");
	CHECK(a.weighted && a.chi2_red < 1e-20, "weighted: chi2 0 for exact data");
	/* the weighted error follows from the weights alone: sigma ln D = 1-4 %
	 * gives an Ea error that is finite and of order R x 0.02/(1/280-1/340) */
	CHECK(a.Ea_err > 0.05 && a.Ea_err < 0.5, "weighted: Ea error from the "
	      "D errors (%.4f kcal/mol)", a.Ea_err);
	/* lj: kB = 1, Ea in epsilon */
	double Tl[3] = {0.9, 1.0, 1.1}, Dl[3];
	for (int i = 0; i < 3; i++)
		Dl[i] = 0.5 * exp(-1.3 / Tl[i]);
	CHECK(arrhenius_fit(Tl, Dl, NULL, 3, 1.0, &a, &e) == 0 &&
	      fabs(a.Ea - 1.3) < 1e-12, "lj: Ea = 1.3 eps (%.15g)", a.Ea);

	/* refusals */
	CHECK(arrhenius_fit(T, D, NULL, 2, R, &a, &e) == 0 && isnan(a.Ea_err) &&
	      fabs(a.Ea - Ea) < 1e-9, "2 temperatures: Ea, but no error estimate");
	double T1[3] = {300, 300, 300};
	CHECK(arrhenius_fit(T1, D, NULL, 3, R, &a, &e) != 0, "one temperature is "
	      "refused: %s", e.msg);
	double Dn[4] = {D[0], -D[1], D[2], D[3]};
	CHECK(arrhenius_fit(T, Dn, NULL, 4, R, &a, &e) != 0, "negative D is "
	      "refused: %s", e.msg);
	Dn[1] = 0.0;
	CHECK(arrhenius_fit(T, Dn, NULL, 4, R, &a, &e) != 0, "zero D is refused: "
	      "%s", e.msg);
	double Tn[4] = {280, -300, 320, 340};
	CHECK(arrhenius_fit(Tn, D, NULL, 4, R, &a, &e) != 0, "negative T is "
	      "refused: %s", e.msg);

	/* models, by hand (see the top of the file) */
	double st, err;
	arrhenius_prigogine(3.0, 0.3, 2.0, 0.4, R, 300.0, &st, &err);
	CHECK_CLOSE(st, 5.591321280826555e-3, 1e-12, 0, "Eq. 2 S_T");
	CHECK_CLOSE(err, 2.7956606404132777e-3, 1e-12, 0, "Eq. 2 error");
	arrhenius_prigogine(2.0, 0.4, 3.0, 0.3, R, 300.0, &st, &err);
	CHECK_CLOSE(st, -5.591321280826555e-3, 1e-12, 0, "Eq. 2: a solute with "
		    "the lower Ea goes to the hot side (S_T < 0)");
	arrhenius_prigogine_mass(3.0, 0.3, 2.0, 0.4, 60.0, 18.0, R, 300.0, &st,
				 &err);
	CHECK_CLOSE(st, 2.064487857535959e-2, 1e-12, 0, "Eq. 4 S_T");
	CHECK_CLOSE(err, 2.7794018387897897e-3, 1e-10, 0, "Eq. 4 error");
	arrhenius_prigogine_mass(3.0, 0.3, 2.0, 0.4, 18.0, 18.0, R, 300.0, &st,
				 &err);
	CHECK_CLOSE(st, 5.591321280826555e-3, 1e-12, 0, "Eq. 4 = Eq. 2 for "
		    "equal masses");
	arrhenius_eastman(0.01, 0.002, R, 300.0, &st, &err);
	CHECK_CLOSE(st, 1.677396384247967e-2, 1e-12, 0, "Eq. 1 S_T");
	CHECK_CLOSE(err, 3.3547927684959332e-3, 1e-12, 0, "Eq. 1 error");

	/* linfit: the x crossing and its propagated error on an exact line */
	double x[3] = {1, 2, 3}, y[3] = {-1, 1, 3};
	struct linfit l;
	double x0, x0e;
	CHECK(linfit(x, y, NULL, 3, &l, &e) == 0, "line through 3 points");
	linfit_x0(&l, &x0, &x0e);
	CHECK_CLOSE(x0, 1.5, 1e-14, 0, "y = 2x - 3 crosses 0 at 1.5");
	CHECK(x0e < 1e-7, "exact line: x0 error %.3g", x0e);
	double yf[4] = {1, 0, 0, 1}, xf[4] = {0, 1, 2, 3};
	CHECK(linfit(xf, yf, NULL, 4, &l, &e) == 0 && l.c1 == 0.0, "flat line");
	linfit_x0(&l, &x0, &x0e);
	CHECK(isnan(x0) && isnan(x0e), "a flat line has no crossing: x0 %g, "
	      "error %g (NaN, not inf)", x0, x0e);
	double xs[2] = {1, 1};
	CHECK(linfit(xs, y, NULL, 2, &l, &e) != 0, "no slope from one x: %s",
	      e.msg);
	return check_done();
}
