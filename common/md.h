/* md: one MD run's context and the force/thermo quantities every front end
 * (md-run, ehex-gradient, fep-window) uses. Not a god object: it only ties
 * together the plain structs a time step needs; each module still takes the
 * pieces it uses.
 *
 * Pressure, temperature and kinetic energy follow LAMMPS compute temp and
 * compute pressure exactly:
 *   KE = 1/2 sum m v^2 * mvv2e,  T = 2 KE / (dof kB)
 *   P  = (dof kB T + virial_xx + virial_yy + virial_zz) / (3 V) * nktv2p */
#ifndef SK_MD_H
#define SK_MD_H

#include "err.h"
#include "forcefield.h"
#include "nbr.h"
#include "rng.h"
#include "softcore.h"
#include "system.h"

struct constrain;

struct md {
	const struct system *sys;
	struct state *st;
	struct nbr_list *nl;
	struct energy en;       /* of the current positions (after md_forces) */
	double dt;              /* engine time units */
	long nforce;            /* force evaluations so far */
	struct softcore *sc;    /* NULL, or the decoupled atoms (--decouple):
				   their pairs are added after pair_lj */
	struct forcefield *ff;  /* NULL, or the molecular terms (charges,
				   special pairs, bonded) added after pair_lj */
	struct constrain *cons; /* NULL, or the rigid water / X-H bond
				   constraints (--constrain, constrain.h) */
	double cvirial[6];      /* virial of the last constraint forces
				   (constrain.h), added to the pressure as
				   LAMMPS adds fix shake's */
	/* Atom order. With reorder set (atomic systems: no sc, ff or cons),
	 * every neighbour build renumbers the atoms in the list's slot order
	 * (md_reorder), as LAMMPS sorts its atoms, so that each thread's
	 * atoms, its slab of the pair pass, are contiguous in memory and the
	 * threads stop trading cache lines; sysw is then the system that
	 * moves with them, and orig[i] the input index of atom i, which
	 * writers of frames and checkpoints use to keep the input order
	 * (run.c). Without reorder, orig is NULL: the input order. */
	int reorder;
	struct system *sysw;
	int *orig;              /* [n] or NULL */
	void *reorder_buf;
	int forces_only;        /* set by the caller of integrator_step when
				   nothing reads the energies of the coming
				   step (no thermo row): md_forces may then
				   skip energy and virial (m->en NaN), as
				   LAMMPS does between thermo steps */
	int separate_loops;     /* tests: integrator_step takes the general
				   path's separate per-atom loops (nh_step)
				   instead of the fused NVT pass, to compare
				   the two */
};

/* Rebuild the neighbour list if needed, then compute all forces, energies
 * and the virial for the current positions into m->en and st->f*; with
 * m->sc, the soft-core pairs of the decoupled atoms too (and m->sc->dudl_lj);
 * with m->ff, the special-pair, Coulomb and bonded terms (forcefield.h).
 * Fails on non-finite energy or forces ("step N: non-finite force on atom
 * id K (overlapping atoms?)"). */
int md_forces(struct md *m, struct err *e);
/* md_forces with energy 0: the pair forces only (bitwise the same forces);
 * m->en is set to NaN. Soft-core terms are always computed in full (and
 * then the energy is kept), force-field terms with their energies
 * discarded. Used by the integrators when m->forces_only allows it. */
int md_forces_eflag(struct md *m, int energy, struct err *e);
/* md_forces_eflag, then the final half kick of velocity Verlet on every
 * atom, v += (dtf / m) f (dtf = dt/2 ftm2v): for LJ pairs alone, done as
 * the pair pass folds each thread's forces (one pass over the atoms less);
 * velocities bitwise the same as md_kick after md_forces_eflag. On a
 * failure (non-finite forces) the velocities are not to be used. */
int md_forces_kick(struct md *m, int energy, double dtf, struct err *e);
/* A whole velocity-Verlet NVE step for LJ pairs alone (no soft-core or
 * force-field terms: error otherwise): v += (dtf / m) f, x += dtv v, the
 * rebuild check, forces and the final kick as md_forces_kick, in one
 * parallel region when the list holds (pair_lj_step_nve). Positions,
 * velocities and forces bitwise those of the separate loops. The caller
 * advances st->step and st->time. */
int md_step_nve(struct md *m, int energy, double dtf, double dtv,
		struct err *e);
/* The most work items (nbr_items) md_step_nh and md_ke_items take. */
enum { MD_MAX_ITEMS = 256 };
/* The work items the per-atom regions of md and the integrator split the
 * atoms into, each taken by one thread: the list's (nbr_items; item w's
 * atoms nbr_atom_range, with the atoms renumbered the slab whose forces
 * its thread folds), or one, all atoms, without a list or with more than
 * MD_MAX_ITEMS. Sums over atoms are made per item in atom order and
 * added in item order: one item gives the serial sum's bits. */
int md_work_items(const struct md *m);
void md_item_atoms(const struct md *m, int w, int items, size_t *a0,
		   size_t *a1);
/* A Nose-Hoover NVT step's particle part for LJ pairs alone, in the
 * parallel region of md_step_nve: v *= vscale (the thermostat's first
 * half-step factor), then md_step_nve's drift, rebuild check, forces and
 * final kick; *ke gets the kinetic energy after the kick, summed by the
 * pass as it kicks (md_ke_items' sums). Positions, velocities and forces
 * bitwise those of the separate loops; *ke is md_ke's with one work item
 * (with more, the items' sums added in item order). Error with more than
 * MD_MAX_ITEMS items. */
int md_step_nh(struct md *m, int energy, double vscale, double dtf,
	       double dtv, double *ke, struct err *e);
/* The kinetic energy as md_ke, each work item of the list (nbr_items,
 * nbr_atom_range) summed by its thread in atom order, the items' sums
 * added in item order: md_ke itself with one item. */
double md_ke_items(const struct md *m);
/* v *= f on every atom, each thread on its items' atoms. */
void md_scale_v(struct md *m, double f);
/* md_kick, each thread on its items' atoms (the same arithmetic). */
void md_kick_items(struct md *m, double dtf);
/* The kinetic tensor's sums m v_a v_b (xx, yy, zz, xy, xz, yz; the first
 * nc, 3 or 6, the rest 0) by work item as md_ke_items: the serial sum over
 * all atoms with one item. */
void md_ktensor_items(const struct md *m, int nc, double k[6]);
/* Let md renumber the atoms at every neighbour build (m->reorder; see
 * struct md); sys must be m->sys, writable. Renumbers them at once if the
 * list is built. md_free_order releases what this allocates. */
int md_allow_reorder(struct md *m, struct system *sys, struct err *e);
void md_free_order(struct md *m);
/* Renumber the atoms in the order of the last build (nbr_order_item):
 * state, system arrays, orig and the list. A no-op without m->reorder. */
void md_reorder(struct md *m);
/* Renumber the atoms back to input order (orig the identity again); the
 * next build renumbers them again. A no-op without m->reorder. */
void md_input_order(struct md *m);

/* v += (dtf / m) f on every atom (LAMMPS fix nve final_integrate). */
void md_kick(const struct system *sys, struct state *st, double dtf);
/* The kick of atoms a0..a1-1, and v *= f of them: the per-atom loops
 * md_kick_items, md_scale_v and the integrator's passes share (restrict
 * copies: vectorised, the division by the mass too; per atom the same
 * arithmetic as md_kick). */
static inline void md_kick_range(struct state *st, const double *mass,
				 size_t a0, size_t a1, double dtf)
{
	double *restrict vx = st->vx, *restrict vy = st->vy,
		       *restrict vz = st->vz;
	const double *restrict fx = st->fx, *restrict fy = st->fy,
			       *restrict fz = st->fz, *restrict m = mass;
#pragma omp simd
	for (size_t i = a0; i < a1; i++) {
		double dtfm = dtf / m[i];
		vx[i] += dtfm * fx[i];
		vy[i] += dtfm * fy[i];
		vz[i] += dtfm * fz[i];
	}
}

static inline void md_scale_range(struct state *st, size_t a0, size_t a1,
				  double f)
{
	double *restrict vx = st->vx, *restrict vy = st->vy,
		       *restrict vz = st->vz;
#pragma omp simd
	for (size_t i = a0; i < a1; i++) {
		vx[i] *= f;
		vy[i] *= f;
		vz[i] *= f;
	}
}

double md_ke(const struct system *sys, const struct state *st);
double md_temp(const struct system *sys, const struct state *st);
double md_volume(const struct state *st);
/* Scalar pressure from ke (energy units), the virial in m->en and the
 * constraint virial m->cvirial. */
double md_pressure(const struct md *m, double ke);
/* Pressure tensor (xx yy zz xy xz yz), LAMMPS compute pressure vector. */
void md_pressure_tensor(const struct md *m, double ptensor[6]);
/* The same from the kinetic tensor's sums k (md_ktensor_items), its first
 * nc components. */
void md_pressure_tensor_from(const struct md *m, const double *k, int nc,
			     double *p);

/* Gaussian velocities at temperature t with zero total momentum, scaled to
 * exactly t (as LAMMPS `velocity create t seed dist gaussian mom yes`,
 * but with our own generator; not bitwise the same numbers as LAMMPS). */
void md_velocity_create(const struct system *sys, struct state *st, double t,
			struct rng *r);
/* Remove the centre-of-mass velocity. */
void md_zero_momentum(const struct system *sys, struct state *st);

#endif
