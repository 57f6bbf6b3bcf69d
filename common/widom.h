/* widom: Widom test-particle insertion (Widom, J. Chem. Phys. 39, 2808
 * (1963); Frenkel & Smit, "Understanding Molecular Simulation", 2nd ed.,
 * sections 7.2.1 (NVT) and 7.2.2 (NPT)), an estimate of the excess chemical
 * potential that owes nothing to lambda windows or MBAR: the cross-check of
 * the decoupling free energies (issue 6).
 *
 *   beta mu_ex = -ln( <V exp(-beta dU)> / <V> )
 *
 * averages over frames and over random test positions in each frame, dU
 * the energy of a test particle with the environment. With constant volume
 * (NVT) it is the usual -ln <exp(-beta dU)>. The environment is every atom
 * not marked `skip` (the decoupled solute of a lambda = 0 window does not
 * interact with anything, so its frames sample the pure solvent).
 *
 * dU uses the run's lj/cut: truncated at rc, shifted with shift, and with
 * tail the change of the tail energy on adding one atom of type t,
 *   dE_tail = 8 pi [2 sum_b N_b e_tb + e_tt] / V,
 *   e_ab = eps sig^6 (sig^6 - 3 rc^6) / (9 rc^9)
 * (LAMMPS's etail sum, notes section 4.1, differenced).
 *
 * Cut-off correction of the excess chemical potential (for comparing with
 * the full-potential LJ equation of state): the part of the insertion
 * energy beyond rc, with g(r) = 1 there, is
 *   mu_tail = rho int_rc^inf 4 pi r^2 u(r) dr
 *           = 16 pi rho eps sig^3 [ (sig/rc)^9 / 9 - (sig/rc)^3 / 3 ]
 * which is twice the tail energy per particle, u_tail = (8/3) pi rho eps
 * sig^3 [(1/3)(sig/rc)^9 - (sig/rc)^3] (Frenkel & Smit section 3.2.2):
 * inserting a particle adds its own N rho-weighted pair tail while the
 * energy per particle counts each pair half. So
 * mu_ex(truncated) = mu_ex(full) - mu_tail. A shifted potential lowers
 * every pair within rc by u(rc): mu_ex(shifted) = mu_ex(truncated)
 * - u(rc) N_c, N_c the number of neighbours within rc of a coupled particle
 * (the Boltzmann-weighted count of the insertions). */
#ifndef SK_WIDOM_H
#define SK_WIDOM_H

#include <stddef.h>

#include "err.h"
#include "rng.h"
#include "system.h"

struct widom {
	size_t natoms, ntypes;
	const int *type;            /* [natoms] index into eps/sig */
	const unsigned char *skip;  /* [natoms] 1: not in the environment; or NULL */
	const double *eps, *sig;    /* [ntypes*ntypes] mixed lj/cut parameters */
	double rc, rcsq;
	int shift, tail;
	size_t nenv;                /* atoms in the environment */
	double *tail_t;             /* [ntypes] 8 pi [2 sum N_b e_tb + e_tt] */
	double *off;                /* [ntypes*ntypes] u(rc) (shift) */
};

int widom_init(struct widom *w, size_t natoms, size_t ntypes,
	       const int *type, const unsigned char *skip, const double *eps,
	       const double *sig, double rc, int shift, int tail,
	       struct err *e);
void widom_free(struct widom *w);

/* Energy of a test particle of type t at (x, y, z) with the environment in
 * st (minimum image; box at least 2 rc); *nc: environment atoms within rc
 * (may be NULL). */
double widom_delta_u(const struct widom *w, const struct state *st, int t,
		     double x, double y, double z, int *nc);

/* One frame: nins uniform random insertions. Fills the frame means
 * wb = <exp(-beta dU)>, wbn = <exp(-beta dU) n_c> over the insertions. */
int widom_frame(const struct widom *w, const struct state *st, int t,
		size_t nins, double beta, struct rng *r, double *wb,
		double *wbn, struct err *e);

/* beta mu_ex = -ln(sum V wb / sum V) over nf frames, its error from nblock
 * contiguous blocks (standard error of the block values; NAN with fewer
 * than 2 blocks), and N_c = sum V wbn / sum V wb. */
int widom_estimate(size_t nf, const double *vol, const double *wb,
		   const double *wbn, size_t nblock, double *bmu, double *berr,
		   double *ncoord, struct err *e);

/* mu_tail of the header comment (energy units of eps). */
double widom_mu_tail(double rho, double eps, double sig, double rc);

#endif
