/* fep: re-evaluation of trajectory frames at every state of a lambda
 * schedule, for the window tables of DESIGN.md (fep-window writes them,
 * mbar reads them).
 *
 * What a row holds. For a frame x sampled at state i, u_k for every state k
 * of the schedule is, in kT,
 *     u_k = beta [U_dec(x; lambda_k) + p V]          (default)
 *     u_k = beta [U(x; lambda_k) + p V]              (absolute)
 * with U_dec the energy of every pair that involves a decoupled atom (soft-
 * core pairs with the environment, full pairs among decoupled atoms, and
 * their tail terms with --tail), and U = U_env + U_dec the whole potential
 * energy, U_env the energy of the pairs without a decoupled atom. U_env
 * does not depend on lambda: it is the same number for every k of a frame,
 * so differences u_k - u_l, and with them every estimate of mbar (MBAR,
 * BAR, EXP, TI), are the same either way; leaving it out keeps the digits
 * (|beta U| ~ 10^3-10^5 kT against differences of ~1 kT) and saves the
 * environment's force evaluation. The absolute form is the reduced
 * potential of DESIGN.md to the letter (what pymbar/alchemlyb call u_nk).
 * p V (NPT, p given) is the same for every k too and is added as DESIGN.md
 * asks; its volume is the frame's. dudl = beta dU/dlambda at the sampled
 * state (one value per lambda component). Molecular systems (decouple.h):
 * U_dec(x; lambda) adds lc X(x), X the solute-environment Coulomb energy,
 * and dudl_coul = beta X; the rest of the Coulomb energy does not depend
 * on lambda.
 *
 * Cost per frame: one pass over the decoupled atoms' pairs (O(N n_dec)),
 * then O(n_pairs) per state (softcore_energies); absolute adds one
 * neighbour build and pair_lj_compute. */
#ifndef SK_FEP_H
#define SK_FEP_H

#include <stddef.h>

#include "decouple.h"
#include "err.h"
#include "forcefield.h"
#include "nbr.h"
#include "softcore.h"
#include "system.h"

struct fep_schedule {
	size_t K;
	int ncomp;           /* 1 (lj) or 2 (coul,lj) */
	double *lambda;      /* [K*ncomp], as given */
};

/* "0,0.05,...,1" (comma-separated numbers), or entries separated by blanks
 * or ';', each "X" or "COUL,LJ" (all entries of one form): "1,1 1,0.5 1,0".
 * Values in [0, 1] (a Coulomb lambda other than 1 needs a molecular
 * system: the tool checks). At least 2 states. */
int fep_schedule_parse(const char *s, struct fep_schedule *sch,
		       struct err *e);
/* K equally spaced LJ states from coupled to decoupled:
 * lambda_k = 1 - k/(K-1) (mbar's dG is then the desolvation free energy). */
int fep_schedule_windows(size_t K, struct fep_schedule *sch, struct err *e);
void fep_schedule_free(struct fep_schedule *sch);
/* State k as the soft-core lambda pair. */
struct sc_lambda fep_schedule_state(const struct fep_schedule *sch, size_t k);

struct fep_eval {
	const struct system *sys;
	const struct softcore *sc;
	/* molecular systems (fep_eval_molecular), else NULL */
	struct softcore *sc_mut;     /* the same as sc, for --absolute */
	struct forcefield *ff;
	struct decouple *dc;
	const struct fep_schedule *sch;
	size_t state;          /* index of the sampled state */
	double beta;           /* 1/(kB T), 1/energy */
	double press;          /* pressure (system units); NAN: no pV term */
	int absolute;          /* add beta U_env */
	struct nbr_list *nl;   /* absolute only (owned) */
	struct sc_lambda *lam; /* [K] */
	double *e, *dudl;      /* [K+1] scratch */
};

/* Prepare; temperature in the system's units. */
int fep_eval_init(struct fep_eval *ev, const struct system *sys,
		  const struct softcore *sc, const struct fep_schedule *sch,
		  size_t state, double temperature, double press, int absolute,
		  double skin, struct err *e);
void fep_eval_free(struct fep_eval *ev);
/* A molecular system (engine_cli has_ff): the Coulomb lambda of each state
 * scales the solute-environment Coulomb energy X (decouple.h), so the
 * default u_k adds beta lc_k X; --absolute evaluates the whole force field
 * at sc's lambda (md_forces's terms) and adds u_k - u(sc's lambda) to it.
 * ff must be prepared (forcefield_prepare); dc may be NULL when the
 * system has a force field but no decoupling hook (never for fep-window). */
int fep_eval_molecular(struct fep_eval *ev, struct softcore *sc,
		       struct forcefield *ff, struct decouple *dc,
		       struct err *e);
/* One frame (positions and box in st; st's forces are scratch when
 * absolute): u[K] reduced potentials and dudl[ncomp] (kT per unit lambda)
 * at the sampled state. */
int fep_eval_frame(struct fep_eval *ev, struct state *st, double *u,
		   double *dudl, struct err *e);

#endif
