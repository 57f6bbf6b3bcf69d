/* ehex: heat exchange between a cold and a hot slab, HEX (Ikeshoji &
 * Hafskjold, Mol. Phys. 81, 251, 1994) and eHEX (Wirnsberger, Frenkel,
 * Dellago, J. Chem. Phys. 143, 124104, 2015), in the asymmetric form of
 * LAMMPS fix ehex (one thermostat step at the end of each velocity-Verlet
 * step; notes/algorithms.md section 1).
 *
 * Each step, for a reservoir G (atoms whose wrapped z lies in [z0, z1)) with
 * imposed energy flux F (energy/time; +flux into the hot slab, -flux into
 * the cold one):
 *   v_G = sum m v / M,  K_G = 1/2 sum m v^2 - 1/2 M v_G^2  (non-translational)
 *   eHEX only: r_i -= dt^3 eps_i with eps of paper Eq. 20 (uses the forces
 *   at the new positions and the velocities before rescaling)
 *   v_i <- v_G + xi (v_i - v_G),  xi = sqrt(1 + F dt / K_G)
 * which adds exactly F dt of kinetic energy to G and keeps its momentum.
 *
 * With constraints (m->cons), as LAMMPS fix ehex `constrain com`
 * (notes/algorithms.md 1.4): a molecule belongs to G when its centre of
 * mass does, so all its sites are rescaled together about v_G (relative
 * velocities along bonds scale by xi and stay zero), and after the
 * exchange the constraint forces are computed again for the corrected
 * positions and rescaled velocities (constrain_end_of_step). */
#ifndef SK_EHEX_H
#define SK_EHEX_H

#include "err.h"
#include "md.h"

struct ehex_slab {
	double z0, z1;          /* region in z (distance units, box frame) */
	double flux;            /* energy/time into the slab (signed) */
};

struct ehex {
	struct ehex_slab slab[2];   /* [0] cold (flux < 0), [1] hot */
	int correct;                /* 1 eHEX, 0 plain HEX */
	int min_atoms;              /* refuse smaller reservoirs (default 10) */
	/* accumulators (checkpointed) */
	double heat_in;             /* total energy added to the hot slab */
	double heat_out;            /* total energy removed from the cold slab */
	double etotal0;             /* total energy when the exchange started */
	int have_e0;
	long nexchange;
	int natoms_last[2];         /* atoms in each slab at the last step */
	double xi_last[2];
	unsigned char *mask;        /* scratch: membership of the current slab */
	size_t nmask;
	size_t *gatom, *gstart;     /* molecules (constraints): atoms grouped */
	size_t ngatom, ngroup;
};

/* Set up cold/hot slabs with |flux| each (energy/time). */
void ehex_init(struct ehex *h, double cold_z0, double cold_z1, double hot_z0,
	       double hot_z1, double flux, int correct);
/* One exchange after a full velocity-Verlet step (forces at the new
 * positions already computed). Errors: empty or too small reservoir, zero
 * non-translational kinetic energy, kinetic energy going negative. */
int ehex_apply(struct ehex *h, struct md *m, struct err *e);
void ehex_free(struct ehex *h);
/* Temperature of reservoir k (0 cold, 1 hot), slab COM velocity removed,
 * 3 N - N_constraints - 3 degrees of freedom (N, N_constraints of the
 * molecules in it). NaN when out of memory. */
double ehex_slab_temp(struct ehex *h, const struct md *m, int k);

#define EHEX_PACK_N 10
size_t ehex_pack(const struct ehex *h, double *buf, size_t max);
int ehex_unpack(struct ehex *h, const double *buf, size_t n, struct err *e);

#endif
