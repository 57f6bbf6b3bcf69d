/* forcefield: what md_forces adds to pair_lj_compute for a molecular
 * (atom_style full) system, as LAMMPS `pair_style lj/cut/coul/long` with
 * `pair_modify table 0`, `special_bonds lj A B C coul D E F`, a k-space
 * style and the bond/angle/dihedral/improper styles of the data file:
 *
 *  - special LJ: pair_lj_compute sums every pair, special ones included, at
 *    full strength; forcefield subtracts (1 - f_lj) [E_LJ(r) - offset] and
 *    its force for each 1-2/1-3/1-4 pair with f_lj != 1 and r < rc (LAMMPS
 *    multiplies the same term by f_lj; equal up to round-off, see below);
 *  - real-space Coulomb: with k-space, in the LJ kernel's pass over the
 *    neighbour list (pair_ljcoul, forcefield_pair) when the list's cut-off
 *    covers it (forcefield_fuse), else coul_long_compute (erfc(g r)/r,
 *    r < coul cut-off, own cell list); then coul_long_special_correct:
 *    -(1 - f_coul) q q / r for special pairs (LAMMPS keeps them in the list
 *    when k-space is on);
 *  - reciprocal space: pppm_compute or ewald_compute (elong), set up again
 *    whenever the box lengths differ from those of the last set-up (NPT,
 *    --from), as LAMMPS calls KSpace::setup after a box change;
 *  - bonded terms: bonded_compute_state.
 * kspace none means pair lj/cut/coul/cut: plain q q / r within the coul
 * cut-off (g = 0, exact erfc), special pairs scaled, no elong.
 *
 * With tip4p (--tip4p; LAMMPS lj/cut/tip4p/long + pppm/tip4p, or
 * lj/cut/tip4p/cut for kspace none): every Coulomb term above runs on the
 * charge sites of tip4p_sites (each water's O charge at its M), the real-
 * space pair also needs its atoms within coul cut-off + 2 qdist, and the
 * site forces are spread back by tip4p_spread; LJ and bonded terms stay on
 * the atoms. pppm/tip4p is pppm on the sites; ewald with tip4p (not in
 * LAMMPS) is ewald on the sites, for testing.
 *
 * Precision of the LJ subtraction: a 1-2 pair of heavy atoms 1.5 Å apart
 * has E_LJ ~ 1e4 kcal/mol; adding it in the kernel and subtracting it here
 * leaves ~1e-16 of that per pair, ~1e-12 kcal/mol, far below the 1e-10
 * relative agreement with LAMMPS the tests ask for. Water's H has eps = 0,
 * so its O-H pairs carry no LJ at all.
 *
 * Energies go to en->evdwl (special LJ), ecoul, elong, ebond, eangle,
 * edihed, eimp; forces and virial are ADDED (pair_lj_compute first). */
#ifndef SK_FORCEFIELD_H
#define SK_FORCEFIELD_H

#include <stddef.h>

#include "bonded.h"
#include "coul_long.h"
#include "err.h"
#include "ewald.h"
#include "lmp_data.h"
#include "nbr.h"
#include "pair_ljcoul.h"
#include "pppm.h"
#include "special.h"
#include "system.h"
#include "tip4p.h"

enum kspace_style { KSPACE_DEFAULT = -1, KSPACE_NONE = 0, KSPACE_PPPM = 1,
		    KSPACE_EWALD = 2, KSPACE_PPPM_TIP4P = 3 };

struct forcefield_opts {
	enum kspace_style kspace;  /* DEFAULT: pppm when the system is charged */
	double accuracy;           /* relative force accuracy (1e-5) */
	double coul_cutoff;        /* <= 0: the LJ cut-off */
	double special_lj[3], special_coul[3];
	int allow_charged;         /* 1: a non-neutral system only warns */
	int fftw_measure;          /* pppm_opts.fftw_measure (0: ESTIMATE) */
	int has_tip4p;             /* 1: 4-site water, tip4p below */
	struct tip4p_opts tip4p;
};

struct decouple;

struct forcefield {
	int has_charge;            /* some q != 0 */
	enum kspace_style kspace;
	double coul_cutoff, accuracy, qqrd2e;
	int allow_charged;
	int fftw_measure;          /* from forcefield_opts, for pppm_create */
	struct bonded bonded;
	int has_bonded;
	struct special sp;
	int has_special;
	struct special_pair *spairs; /* every special pair, i < j */
	size_t nspairs;
	struct coul_pair *cpairs;  /* special pairs with f_coul != 1 */
	size_t ncpairs;
	struct coul_long *cl;      /* NULL without charges */
	int fused;                 /* real-space Coulomb in the LJ pass */
	struct pair_ljcoul plc;    /* its parameters (fused) */
	struct pppm *pppm;
	struct ewald *ewald;
	double len_setup[3];       /* box lengths of the last k-space set-up */
	double g_ewald;
	int nonneutral;            /* |sum q| > COUL_NONNEUTRAL_SMALL */
	double qsum;
	struct tip4p *tip4p;       /* NULL unless --tip4p */
	struct decouple *dc;       /* NULL, or a decoupled solute whose
				      Coulomb energy with the rest is scaled
				      (decouple.h; its hooks run inside
				      forcefield_compute) */
};

/* Usage errors in o alone: --kspace pppm/tip4p without --tip4p, plain
 * pppm with it. */
int forcefield_opts_check(const struct forcefield_opts *o, struct err *e);

/* 1 if a data file needs a forcefield: any charge, bond, angle, dihedral
 * or improper. */
int forcefield_needed(const struct lmp_data *d);

/* Topology part: bonded terms, special lists and the TIP4P waters from the
 * data file (path for messages). Charges and types from sys. ff is
 * overwritten. Option combinations (pppm/tip4p without tip4p, pppm with
 * it) are the caller's to refuse (forcefield_opts_check). */
int forcefield_create(struct forcefield *ff, const struct system *sys,
		      const struct lmp_data *d,
		      const struct forcefield_opts *o, const char *path,
		      struct err *e);
/* Box part, once the start state is known: bonded_check (image flags),
 * real-space Coulomb and the k-space solver for st's box. A non-neutral
 * system is an error unless allow_charged (then ff->nonneutral is set for
 * the caller's warning). */
int forcefield_prepare(struct forcefield *ff, const struct system *sys,
		       const struct state *st, struct err *e);
/* After forcefield_prepare: the cut-off the neighbour list needs. With
 * k-space and a box at least 2 (max(rc_lj, rc_coul) + skin) wide, the
 * real-space Coulomb moves into the LJ pass over that list (ff->fused),
 * and *list_cutoff becomes max(rc_lj, rc_coul); otherwise (kspace none,
 * tip4p, a narrower box, g rc_coul >= 26) it stays rc_lj and coul_long
 * runs with its own cells. Returns 0 (kept for errors to come). */
int forcefield_fuse(struct forcefield *ff, const struct system *sys,
		    const struct state *st, double skin, double *list_cutoff,
		    struct err *e);
/* The pair pass: pair_lj_compute, or pair_ljcoul_compute when fused
 * (en may be NULL: forces only). */
int forcefield_pair(struct forcefield *ff, const struct system *sys,
		    struct state *st, const struct nbr_list *nl,
		    struct energy *en, struct err *e);
/* Add the terms above for st (after forcefield_pair filled f and en
 * with list nl, whose separations the special-pair corrections take). */
int forcefield_compute(struct forcefield *ff, const struct system *sys,
		       struct state *st, const struct nbr_list *nl,
		       struct energy *en, struct err *e);
void forcefield_free(struct forcefield *ff);
/* The k-space solver alone, for charges q (any charge set on st's atoms):
 * set up again if the box changed, then energy, virial and forces ADDED
 * (pppm_compute/ewald_compute conventions). Requires ff->pppm or ff->ewald. */
int forcefield_kspace(struct forcefield *ff, const struct state *st,
		      const double *q, double *elong, double virial[6],
		      double *fx, double *fy, double *fz, struct err *e);

/* LAMMPS's setup lines for the thermo provenance: "pppm g_ewald 0.27
 * grid 20 20 20 order 5 accuracy 1e-5" etc. */
void forcefield_describe(const struct forcefield *ff, char *buf, size_t n);

#endif
