/* system and state: the plain structs every engine module works on.
 *
 * struct system holds what does not change during a run (types, masses,
 * ids, charges, pair parameters, degrees of freedom); struct state holds
 * what does (box, positions, velocities, forces, images, step). Arrays are
 * structure-of-arrays, indexed 0..natoms-1 in ascending atom-id order (the
 * order of lmp_data and of every trajectory we write). Units: those of
 * sys->units throughout (real: Å, fs, Å/fs, kcal/mol; lj: reduced). */
#ifndef SK_SYSTEM_H
#define SK_SYSTEM_H

#include <stddef.h>

#include "err.h"
#include "lmp_data.h"
#include "units.h"

enum lj_mix { MIX_GEOMETRIC = 0, MIX_ARITHMETIC = 1 };

/* Pair style lj/cut, per type pair (0-based ntypes x ntypes, symmetric),
 * coefficients as LAMMPS pair_lj_cut.cpp init_one:
 *   lj1 = 48 eps sig^12, lj2 = 24 eps sig^6   (force: r fpair = r^-6 (lj1 r^-6 - lj2) / r^2 ...)
 *   lj3 = 4 eps sig^12,  lj4 = 4 eps sig^6    (energy)
 *   offset = lj3/rc^12 - lj4/rc^6 when shift, else 0. */
struct pair_lj {
	size_t ntypes;
	double cut_global;      /* --cutoff */
	int shift, tail;        /* pair_modify shift yes / tail yes */
	enum lj_mix mix;
	double *eps, *sig;      /* [nt*nt] after mixing */
	double *cutsq;          /* [nt*nt] */
	double *lj1, *lj2, *lj3, *lj4, *offset; /* [nt*nt] */
	double etail, ptail;    /* LAMMPS Pair::etail/ptail sums (times volume) */
	int portable;           /* 1: pair_lj.c's portable C kernel even where
				   an AVX-512 one is compiled (tests) */
};

struct system {
	struct units units;
	size_t natoms, ntypes;
	int *type;              /* [natoms], 0-based type index */
	double *mass;           /* [natoms] */
	double *mass_type;      /* [ntypes] */
	long *id;               /* [natoms] LAMMPS atom ids, ascending */
	long *mol;              /* [natoms] molecule ids (0 for atomic) */
	double *q;              /* [natoms] charges (0 for atomic) */
	struct pair_lj lj;
	double dof;             /* degrees of freedom for temperature: 3N - 3 */
};

struct state {
	size_t n;
	double lo[3], len[3];   /* orthorhombic box: origin and edge lengths */
	double *x, *y, *z;      /* positions, wrapped at neighbour rebuilds */
	double *vx, *vy, *vz;
	double *fx, *fy, *fz;
	int *ix, *iy, *iz;      /* image flags: unwrapped = x + ix*len[0] */
	long step;
	double time;            /* engine time units */
};

/* Energies and virial of one force evaluation (energy units; virial is
 * sum over pairs of r_ij (x) f_ij, components xx yy zz xy xz yz, as the
 * LAMMPS virial before division by volume). Tail corrections included
 * when enabled. */
struct energy {
	double evdwl, ecoul, elong, ebond, eangle, edihed, eimp;
	double virial[6];
};
static inline double energy_pe(const struct energy *en)
{
	return en->evdwl + en->ecoul + en->elong + en->ebond + en->eangle +
	       en->edihed + en->eimp;
}

/* Build the system and state from a data file. Applies units, mixing,
 * cutoff, shift/tail to the pair parameters; copies velocities when present
 * (zero otherwise). Errors name the file: missing Masses or Pair Coeffs,
 * pair style other than lj/cut (when the comment names one), triclinic box. */
struct system_opts {
	enum units_style units;
	double cutoff;          /* global LJ cutoff */
	enum lj_mix mix;
	int shift, tail;
};
int system_from_data(struct system *sys, struct state *st,
		     const struct lmp_data *d, const struct system_opts *o,
		     const char *path, struct err *e);
/* (Re)compute the pair tables from sys->lj.eps/sig diagonal + options. */
int pair_lj_setup(struct pair_lj *p, size_t ntypes, const double *eps_ii,
		  const double *sig_ii, const double *eps_ij,
		  const double *sig_ij, const size_t *count_per_type,
		  double cutoff, enum lj_mix mix, int shift, int tail,
		  struct err *e);
void system_free(struct system *sys);

/* Sums over atoms a0..a1-1 in atom order, scalar (a vector sum would
 * reassociate them): of m (vx^2 + vy^2 + vz^2) (md_ke's), and of the
 * kinetic tensor m v_a v_b into k[0..nc-1] (xx yy zz, then xy xz yz with
 * nc 6). Every kinetic sum uses these, so a serial sum and the per-item
 * sums added in item order give the same bits with one item. */
static inline double state_mv2_range(const struct state *st,
				     const double *mass, size_t a0, size_t a1)
{
	const double *restrict vx = st->vx, *restrict vy = st->vy,
			       *restrict vz = st->vz;
	double sum = 0.0;
	for (size_t i = a0; i < a1; i++)
		sum += mass[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
	return sum;
}

static inline void state_ktensor_range(const struct state *st,
				       const double *mass, size_t a0,
				       size_t a1, int nc, double k[6])
{
	const double *restrict vx = st->vx, *restrict vy = st->vy,
			       *restrict vz = st->vz;
	double q[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
	if (nc > 3) {
		for (size_t i = a0; i < a1; i++) {
			double mi = mass[i];
			q[0] += mi * vx[i] * vx[i];
			q[1] += mi * vy[i] * vy[i];
			q[2] += mi * vz[i] * vz[i];
			q[3] += mi * vx[i] * vy[i];
			q[4] += mi * vx[i] * vz[i];
			q[5] += mi * vy[i] * vz[i];
		}
	} else {
		for (size_t i = a0; i < a1; i++) {
			double mi = mass[i];
			q[0] += mi * vx[i] * vx[i];
			q[1] += mi * vy[i] * vy[i];
			q[2] += mi * vz[i] * vz[i];
		}
	}
	for (int a = 0; a < nc; a++)
		k[a] = q[a];
}

int state_alloc(struct state *st, size_t n, struct err *e);
void state_free(struct state *st);
int state_copy(struct state *dst, const struct state *src, struct err *e);

#endif
