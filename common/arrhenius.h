/* arrhenius: activation energies of diffusion and the equilibrium models of
 * the Soret coefficient tested in the paper (Eq. 1, 2, 4).
 *
 * Arrhenius: ln D = ln D0 - Ea/(R T), a straight line in x = 1/T:
 * slope c1 = -Ea/R. With errors of D, weighted least squares on ln D with
 * sigma(ln D) = sigma(D)/D (first order). R is the gas constant in the
 * energy unit per temperature unit: kB of the unit style (LAMMPS real:
 * 0.0019872067 kcal/mol/K; lj: 1, Ea in epsilon).
 *
 * Models, for a solute 2 in a solvent 1 at temperature T (paper's notation):
 *   Eq. 2 (Prigogine, sign as the paper corrects it):
 *         S_T = (Ea2 - Ea1)/(R T^2)
 *   Eq. 4 (mass-corrected; the paper's corrected sign):
 *         S_T = (Ea2 - Ea1)/(R T^2) + (M2 - M1)/(M1 + M2) (Ea2 + Ea1)/(R T^2)
 *   Eq. 1 (Eastman): S_T = (1/kB T) dG/dT, G the free energy of the
 *         particle in the solution: the solvation free energy
 *         dG_solv = G(in solution) - G(ideal gas) = -dG_desolv.
 * Errors by first-order propagation, the two Ea independent (separate fits). */
#ifndef SK_ARRHENIUS_H
#define SK_ARRHENIUS_H

#include <stddef.h>

#include "err.h"
#include "linfit.h"

struct arrhenius {
	size_t n, ntemp;      /* points, distinct temperatures */
	int weighted;
	double Ea, Ea_err;    /* energy units of R; err NaN if undefined */
	double lnD0, lnD0_err;
	double chi2_red;      /* weighted and n > 2: chi^2/(n-2); else NaN */
	struct linfit line;   /* ln D against 1/T */
};

/* T > 0 and D > 0 required (messages name the 1-based point); Derr may be
 * NULL. At least 2 distinct temperatures; without Derr the error needs 3. */
int arrhenius_fit(const double *T, const double *D, const double *Derr,
		  size_t n, double R, struct arrhenius *a, struct err *e);

/* Eq. 2 and Eq. 4; errors s1, s2 of Ea1, Ea2 (NaN propagates). */
void arrhenius_prigogine(double Ea2, double s2, double Ea1, double s1,
			 double R, double T, double *st, double *err);
void arrhenius_prigogine_mass(double Ea2, double s2, double Ea1, double s1,
			      double M2, double M1, double R, double T,
			      double *st, double *err);
/* Eq. 1 from a line G(T) = c0 + c1 T fitted to solvation free energies
 * (energy units of kB): S_T = c1/(kB T), err = err(c1)/(kB T). */
void arrhenius_eastman(double dGdT, double dGdT_err, double kB, double T,
		       double *st, double *err);

#endif
