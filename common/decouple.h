/* decouple: alchemical decoupling of a whole solute molecule in a molecular
 * (charged, bonded) system, with two lambdas (struct sc_lambda): lc scales
 * the solute-environment Coulomb energy linearly, ll the solute-environment
 * LJ through soft-core (softcore.c). Everything intramolecular keeps full
 * strength at every lambda (GROMACS couple-intramol = no):
 *
 *   U(lc, ll) = U_bonded + U_LJ,env-env + U_LJ,intra + U_LJ,sc(ll)
 *             + lc U_C(q) + (1 - lc) [U_C(q_env) + U_C(q_sol)]
 *
 * U_C(c) is the complete Coulomb energy (real space + special-pair
 * corrections + k-space + self + background) of the whole periodic system
 * with charges c; q_env has the solute's charges zeroed, q_sol the
 * environment's. U_C is a quadratic form in the charges, so
 *   dU/dlc = U_C(q) - U_C(q_env) - U_C(q_sol) = X,
 * X being exactly the solute-environment Coulomb energy (and forces,
 * virial: the same linear mix). The solute's interaction with its own
 * periodic images is part of U_C(q_sol) and so does not change with lc
 * (docs/decisions.md compares this with GROMACS's A/B interpolation).
 *
 * How it is computed (two hooks inside forcefield_compute):
 *  - real space: the full erfc sum is computed as usual; the solute-
 *    environment pairs (r < rc, minimum image, same erfc) are summed again
 *    (coul_long_special_full with factor 1) and (1 - lc) of them removed;
 *  - k-space: U_k(q_env) + U_k(q_sol) = [U_k(q) + U_k(q')]/2 with
 *    q' = q_env - q_sol (the solute's charges negated), so
 *      U_k(lc) = (1 + lc)/2 U_k(q) + (1 - lc)/2 U_k(q'),
 *      X_k = [U_k(q) - U_k(q')]/2:
 *    two solver calls with the same grid and g_ewald (PPPM's energy and
 *    forces are exactly quadratic in the charges), the second only when
 *    the solute carries charge. Special pairs are all inside the solute
 *    (a selection that cuts a special pair is refused), so the special
 *    corrections do not change with lambda.
 * The LJ part: softcore.c with the special-bond LJ factors of the solute's
 * pairs (softcore_set_special).
 *
 * Units: the system's (energy, distance); dudl in energy per unit lambda. */
#ifndef SK_DECOUPLE_H
#define SK_DECOUPLE_H

#include <stddef.h>

#include "coul_long.h"
#include "err.h"
#include "forcefield.h"
#include "softcore.h"
#include "system.h"

struct decouple {
	double lc;               /* Coulomb lambda, [0, 1] */
	size_t natoms, ndec;
	int coul;                /* the solute has a charge and the system a
				    Coulomb term: lc matters */
	double *qneg;            /* [natoms] q with the solute's negated */
	struct coul_pair *xp;    /* solute-environment pairs, q_i q_j != 0 */
	size_t nxp;
	double *buf;             /* [6 natoms] scratch forces */
	/* results of the last force or energy evaluation */
	double x_real, x_k;      /* solute-environment Coulomb energy */
	double dudl_coul;        /* x_real + x_k = dU/dlc */
};

/* After forcefield_create and softcore_init for the same system: checks
 * that no special pair (bond, angle, dihedral neighbour) joins a decoupled
 * atom to a kept one (error naming both atom ids), hands the solute's
 * special LJ factors to sc, prepares the charge sets and sets ff->dc = dc.
 * dc must stay at its address while ff uses it. lc from sc->lam.coul. */
int decouple_init(struct decouple *dc, struct forcefield *ff,
		  const struct system *sys, struct softcore *sc, struct err *e);
void decouple_set_lambda(struct decouple *dc, double lc);
void decouple_free(struct decouple *dc);

/* Hooks of forcefield_compute (not for other callers). Real space: after
 * coul_long_compute, removes (1 - lc) of the solute-environment erfc
 * pairs; sets x_real. */
void decouple_coul_real(struct decouple *dc, const struct forcefield *ff,
			const struct state *st, const double *q, double *fx,
			double *fy, double *fz, double *ecoul,
			double virial[6]);
/* K-space: the lc mix above in place of forcefield_kspace; sets x_k and
 * dudl_coul. */
int decouple_kspace(struct decouple *dc, struct forcefield *ff,
		    const struct state *st, const double *q, double *elong,
		    double virial[6], double *fx, double *fy, double *fz,
		    struct err *e);

/* The solute-environment Coulomb energy X of st (= dU/dlc at every lc),
 * without touching st's forces (fep-window). ff must be prepared. */
int decouple_coul_cross(struct decouple *dc, struct forcefield *ff,
			const struct state *st, const double *q, double *x,
			struct err *e);

#endif
