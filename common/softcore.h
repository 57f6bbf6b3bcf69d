/* softcore: alchemical decoupling of a set of atoms (one solute atom or a
 * small molecule) from the rest of the system through soft-core
 * Lennard-Jones pairs scaled by lambda (lambda = 1: fully coupled, plain
 * lj/cut; lambda = 0: no interaction with the environment).
 *
 * Pair energy of a decoupled atom with an environment atom, r < rc:
 *   E = lambda^n 4 eps [1/D^2 - 1/D],   D = alpha (1 - lambda)^p + (r/sigma)^6
 * - form lammps (LAMMPS pair lj/cut/soft, FEP package, notes section 4.1):
 *   p = 2, n and alpha = alpha_LJ from the options (defaults 1 and 0.5);
 * - form gromacs (Beutler et al. 1994, sc-r-power 6, notes section 4.2):
 *   n = 1, p = sc-power (default 1), alpha = sc-alpha; our lambda is
 *   GROMACS's 1 - lambda when the coupled state is GROMACS's state A,
 *   i.e. E = lambda V_LJ(r_B), r_B^6 = alpha sigma^6 (1-lambda)^p + r^6.
 * Both are one family, so one kernel serves both. Derivatives (notes 4.1):
 *   F/r  = lambda^n eps (r^4/sigma^6) (48/D^3 - 24/D^2)
 *   dE/dlambda = 4 eps [ n lambda^(n-1) (1/D^2 - 1/D)
 *                      + alpha p lambda^n (1-lambda)^(p-1) (2/D^3 - 1/D^2) ]
 * eps and sigma are the pair's (mixed) lj/cut parameters; a pair with
 * eps = 0 or sigma = 0 has no interaction at any lambda (no sc-sigma).
 * With --shift the energy at rc of the same lambda is subtracted (LAMMPS
 * lj/cut/soft offset), its lambda derivative too. Pairs among decoupled
 * atoms (intramolecular) keep full-strength lj/cut at every lambda, times
 * their special-bond factor (softcore_set_special) in molecular systems.
 *
 * Tail correction (--tail): as LAMMPS lj/cut/soft, the tail of the
 * decoupled-environment pairs is the plain lj/cut tail times lambda^n (n = 1
 * for the gromacs form, GROMACS's dispersion correction being linear in
 * lambda); decoupled-decoupled tail terms keep full strength. So at
 * lambda = 1 the total equals plain lj/cut with --tail exactly (to
 * round-off), and dU/dlambda gets n lambda^(n-1) E_tail,de / V.
 *
 * How it leaves the fast kernel alone: softcore_init gives every decoupled
 * atom a clone of its type whose lj/cut coefficients with every type are
 * zero (eps = 0, sigma = 1) in the main pair table, so pair_lj_compute only
 * sums environment-environment pairs; softcore_compute adds the pairs of the
 * decoupled atoms by a direct loop over decoupled atoms x all atoms with the
 * minimum image, O(N n_dec) per step, single-threaded and in a fixed order
 * (results independent of the thread count).
 *
 * Lambda has two components, struct sc_lambda {coul, lj}: softcore does the
 * LJ one; the Coulomb one (molecular systems) is decouple.c's, which
 * scales the solute-environment Coulomb energy linearly (decouple.h).
 * Units: those of the system (energy, distance); dU/dlambda in energy. */
#ifndef SK_SOFTCORE_H
#define SK_SOFTCORE_H

#include <stddef.h>

#include "err.h"
#include "system.h"

enum sc_form { SC_FORM_LAMMPS = 0, SC_FORM_GROMACS = 1 };

struct sc_params {
	enum sc_form form;
	double n;      /* exponent of lambda (LAMMPS n; 1 for gromacs) */
	double alpha;  /* alpha_LJ (lammps) / sc-alpha (gromacs), >= 0 */
	double p;      /* exponent of (1 - lambda): 2 (lammps), sc-power */
};

/* Defaults: lammps n = 1, alpha = 0.5, p = 2. */
void sc_params_default(struct sc_params *p, enum sc_form form);
/* Check n >= 1, p >= 1, alpha >= 0 and the form's fixed exponent. */
int sc_params_check(const struct sc_params *p, struct err *e);

/* The state of the decoupled atoms: one value per interaction kind. */
struct sc_lambda {
	double coul, lj;
};

/* Parse "X" (lj; coul = 1) or "C,L" (coul, lj), each in [0, 1]; a Coulomb
 * lambda is the business of decouple.c (molecular systems); softcore only
 * range-checks it and carries it. */
int sc_lambda_parse(const char *opt, const char *s, struct sc_lambda *l,
		    struct err *e);

struct softcore {
	struct sc_params par;
	struct sc_lambda lam;
	size_t natoms, ndec;
	size_t *dec;             /* [ndec] atom indices, ascending */
	unsigned char *is_dec;   /* [natoms] */
	size_t nt0;              /* types before cloning */
	double *eps0, *sig0;     /* [nt0*nt0] mixed lj/cut parameters */
	int *type0;              /* [natoms] type before cloning */
	double rc, rcsq;
	int shift, tail;
	/* tail sums (times volume), full strength, LAMMPS Pair::etail form */
	double etail_de, ptail_de;   /* decoupled-environment pairs */
	double etail_dd, ptail_dd;   /* decoupled-decoupled pairs */
	/* results of the last softcore_compute */
	double e_dec;            /* energy of all pairs with a decoupled atom */
	double dudl_lj;          /* dU/dlambda_lj (energy units) */
	double dudl_coul;        /* 0: Coulomb is decouple.c's (struct decouple) */
	/* special-bond LJ factors of pairs of decoupled atoms (molecular
	 * solutes; softcore_set_special), NULL: every such pair at 1 */
	double *fdd;             /* [ndec*ndec] */
	size_t *dpos;            /* [natoms] position in dec, SIZE_MAX if none */
};

/* Atom indices (0-based, ascending, unique) of a selection: atom ids
 * "1,5,7", ranges "3-9" (mixed "1,4-6"), "mol:N" for all atoms of
 * molecule id N, or "type:N" for all atoms of (data file) type N. Errors:
 * syntax, an id not in the system, a molecule or type without atoms: -1, or -2 for a malformed selection (a usage error).
 * *idx is malloc'd. */
int softcore_select(const struct system *sys, const char *sel, size_t **idx,
		    size_t *n, struct err *e);

/* Set up decoupling of atoms idx[0..n-1] at lambda lam: clones their types
 * in sys (sys->type, ntypes, mass_type and the lj/cut tables change) and
 * keeps the original parameters here. sc must be zeroed before. */
int softcore_init(struct softcore *sc, struct system *sys, const size_t *idx,
		  size_t n, const struct sc_params *par, struct sc_lambda lam,
		  struct err *e);
int softcore_set_lambda(struct softcore *sc, struct sc_lambda lam,
			struct err *e);
void softcore_free(struct softcore *sc);

/* LJ factors f[k] of n pairs (pi[k], pj[k]) of decoupled atoms (atom
 * indices): their lj/cut energy (minus offset) and force are multiplied by
 * f, as LAMMPS special_bonds lj does (0 removes the pair). Both atoms of a
 * pair must be decoupled (decouple.c refuses a selection that cuts a
 * molecule). Pairs not given keep factor 1. */
int softcore_set_special(struct softcore *sc, const size_t *pi,
			 const size_t *pj, const double *f, size_t n,
			 struct err *e);

/* Forces, energy and virial of every pair involving a decoupled atom at
 * the current lambda, ADDED to st->f*, en->evdwl and en->virial (after
 * pair_lj_compute); also sets sc->e_dec and sc->dudl_lj. Positions may be
 * unwrapped (minimum image by rounding). */
void softcore_compute(struct softcore *sc, struct state *st,
		      struct energy *en);

/* Energy of the pairs involving decoupled atoms (tail included), and its
 * dU/dlambda_lj, at each of nlam lambda values, in one pass over the pairs
 * (fep-window). e[k], dudl[k] (dudl may be NULL). Forces untouched. */
int softcore_energies(const struct softcore *sc, const struct state *st,
		      size_t nlam, const struct sc_lambda *lam, double *e,
		      double *dudl, struct err *e_out);

/* One soft-core pair, no shift: energy, F/r (force on i = d * fpair with
 * d = x_i - x_j) and dE/dlambda, for rsq = r^2 (exposed for tests). */
void softcore_pair(const struct sc_params *p, double lambda, double eps,
		   double sig, double rsq, double *energy, double *fpair,
		   double *dedl);

#endif
