/* profile: slab profiles of a trajectory along one box axis (notes/
 * algorithms.md section 2): kinetic temperature, number density per atom
 * type and solute concentration per slab, with block-averaged errors.
 *
 * Plan once, add frames, finish (as FFTW plans and executes):
 *
 *   profile_init(&p, &opts, &data, nframes, units, &e);
 *   for each frame: profile_add(&p, &frame, &e);
 *   profile_finish(&p, &result, &e);
 *   profile_result_free(&result); profile_free(&p);
 *
 * Binning. Slabs are fractions of the box length along the axis, so that
 * under NPT they scale with the box (LAMMPS compute chunk/atom bin/1d with
 * `units reduced`): slab k of N holds s in [k/N, (k+1)/N), where
 * s = (x - lo(t))/L(t) wrapped into [0,1). The grid origin lo(t) = c - L(t)/2
 * keeps the data file's box centre c fixed, which is where LAMMPS dilates an
 * NPT box (and equals the data file's lo at constant volume). Atoms are
 * binned by their own position (temperature, densities); molecules by their
 * centre of mass along the axis, made whole by the minimum image relative to
 * the molecule's first atom (concentration).
 *
 * Temperature (kinetic, centre-of-mass velocity of the slab removed in each
 * frame, pooled over the frames f of a block):
 *
 *   T_k = sum_f sum_{i in k} m_i |v_i - V_k,f|^2 mvv2e
 *         / (kB sum_f (d N_k,f - 3))
 *
 * with d = dof_per_atom (3 for unconstrained atoms; the hook for rigid
 * molecules, e.g. d = 2 for rigid 3-site water, notes 2.2). Frames in which
 * a slab holds fewer than 2 atoms (or d N - 3 <= 0) add nothing to that
 * slab, neither energy nor degrees of freedom. Pooling is fix ave/chunk's
 * `norm all`, not an average of per-frame temperatures (biased for small
 * N_k).
 *
 * Concentration, pooled the same way (sums over frames, then the ratio):
 *   molefrac: N_solute / (N_solute + N_solvent)          [mol/mol]
 *   molality: N_solute / (sum of solvent molar masses / 1000)  [mol/kg]
 *             i.e. N_solute / (N_solvent M_solvent[g/mol]/1000) for one
 *             solvent species; real units only (masses in g/mol)
 *   density:  N_solute / V_slab                          [dist^-3]
 * counted in molecules. A molecule is solute when one of its atoms has a
 * solute type, solvent when one has a solvent type (both: an error);
 * other molecules are not counted. Number densities rho_t are atoms of type t
 * per slab volume.
 *
 * Errors: the frames are split into B contiguous blocks of (nearly) equal
 * size; each block gives its own T_k and c_k, and the reported error is the
 * standard error of the block values, sd/sqrt(B') with the n-1 standard
 * deviation over the B' blocks where the value is defined. NaN when fewer
 * than two blocks define it (B = 1 gives no error estimate). */
#ifndef SK_PROFILE_H
#define SK_PROFILE_H

#include <stddef.h>

#include "err.h"
#include "lmp_data.h"
#include "traj_nc.h"
#include "units.h"

enum profile_conc {
	PROFILE_CONC_NONE = 0,   /* no solute selection: no c columns */
	PROFILE_CONC_MOLEFRAC,
	PROFILE_CONC_MOLALITY,
	PROFILE_CONC_DENSITY
};

struct profile_opts {
	int axis;               /* 0 x, 1 y, 2 z */
	size_t nbins;           /* >= 1 */
	size_t nblocks;         /* >= 1 */
	enum profile_conc conc;
	double dof_per_atom;    /* 3; lower it for constrained atoms */
	const int *solute;      /* atom types (1-based), nsolute of them */
	size_t nsolute;
	const int *solvent;
	size_t nsolvent;
};

/* Sums of one block over its frames, per bin. */
struct profile_block {
	size_t nframes;
	double vol;             /* sum over frames of the slab volume */
	double *ke;             /* [nbins] sum m v'^2 mvv2e (energy) */
	double *dof;            /* [nbins] */
	double *natom;          /* [nbins*ntypes] atoms of each type */
	double *nsolute;        /* [nbins] solute molecules */
	double *nsolvent;       /* [nbins] solvent molecules */
	double *msolvent;       /* [nbins] solvent molar mass sum (g/mol) */
};

struct profile {
	struct profile_opts o;
	struct units u;
	size_t natoms, ntypes, nmol, nframes_total, nframes;
	double centre;          /* data-file box centre along the axis */
	double box[3];          /* data-file box, for frames without a cell */
	double sum_len;         /* sum over frames of L along the axis */
	const int *type;        /* [natoms], borrowed from the data */
	double *mass;           /* [natoms] per-atom mass */
	int *solute_type, *solvent_type; /* [ntypes+1] membership flags */
	/* Molecules: atoms of molecule m are mol_atom[mol_start[m] ..
	 * mol_start[m+1]-1], ascending, the first one the reference atom. */
	size_t *mol_start, *mol_atom;
	signed char *mol_kind;  /* [nmol] 1 solute, 2 solvent, 0 neither */
	double *mol_mass;       /* [nmol] */
	struct profile_block *blk;  /* [nblocks] */
	/* per-frame work space */
	size_t *bin_of;         /* [natoms] */
	double *wm, *wp;        /* [nbins] mass, [3*nbins] momentum */
	double *wn;             /* [nbins] atom count */
	double *wke;            /* [nbins] */
};

struct profile_result {
	size_t nbins, ntypes;
	double *z;              /* [nbins] slab centres (mean over frames) */
	double *T, *T_err;      /* temperature (engine units) */
	double *c, *c_err;      /* NULL for PROFILE_CONC_NONE */
	double *nsolute, *nsolvent; /* mean molecules per frame */
	double *rho;            /* [nbins*ntypes], rho[k*ntypes + t-1] */
	double lo, len;         /* mean grid origin and length along the axis */
	size_t nframes;
};

/* Plan a profile of nframes frames of the system d in units u. The data
 * file provides types, masses (required) and molecule ids; d must outlive
 * p (its type array is borrowed). */
int profile_init(struct profile *p, const struct profile_opts *o,
		 const struct lmp_data *d, size_t nframes,
		 const struct units *u, struct err *e);
/* Add the next frame (engine units, velocities required). Messages say
 * what is wrong with the frame; the caller prefixes "file: frame k". A frame
 * without a cell uses the data file's box. */
int profile_add(struct profile *p, const struct frame *f, struct err *e);
/* All planned frames must have been added. */
int profile_finish(const struct profile *p, struct profile_result *r,
		   struct err *e);
void profile_result_free(struct profile_result *r);
void profile_free(struct profile *p);

/* Names for options and tables. */
const char *profile_conc_name(enum profile_conc c);
/* Unit of the concentration column for units u ("mol/mol", "mol/kg",
 * "sigma^-3" ...); buf of at least 32 bytes. */
const char *profile_conc_unit(enum profile_conc c, const struct units *u,
			      char *buf, size_t n);
int profile_conc_parse(const char *s, enum profile_conc *c, struct err *e);

#endif
