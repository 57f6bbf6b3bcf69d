/* bonded: bonds, angles, dihedrals and impropers of a LAMMPS data file, with
 * LAMMPS's formulas, coefficient conventions and sign conventions
 * (src/MOLECULE/{bond_harmonic,angle_harmonic,angle_charmm,dihedral_opls,
 * dihedral_multi_harmonic,dihedral_charmm,improper_harmonic,improper_cvff}
 * .cpp, src/EXTRA-MOLECULE/dihedral_fourier.cpp), so that a data file means
 * here what it means there. Units: those of the data file (real: Å,
 * kcal/mol; angles in the file in degrees).
 *
 * Styles ("Bond Coeffs # harmonic" etc.), their coefficients per type as
 * in the data file, and energies; phi is the dihedral angle (180 degrees
 * trans), chi and the cvff phi the angle between the planes of atoms
 * 1,2,3 and 2,3,4:
 *   bond harmonic       K r0         K (r - r0)^2                 (no 1/2)
 *   angle harmonic      K theta0     K (theta - theta0)^2
 *   angle charmm        K theta0 K_ub r_ub
 *                                  K (theta - theta0)^2 + K_ub (r13 - r_ub)^2
 *   dihedral opls       K1 K2 K3 K4  K1/2 (1 + cos phi) + K2/2 (1 - cos 2phi)
 *                                  + K3/2 (1 + cos 3phi) + K4/2 (1 - cos 4phi)
 *   dihedral multi/harmonic A1..A5   sum_n A_n cos^(n-1) phi
 *   dihedral fourier    m K1 n1 d1 ...  sum_i K_i (1 + cos(n_i phi - d_i))
 *                       (at most 2 terms: a data-file row holds 8 numbers)
 *   dihedral charmm     K n d w      K (1 + cos(n phi - d)), n, d integers;
 *                       w > 0 adds w times the 1-4 LJ (lj/charmm 1-4
 *                       parameters) and Coulomb of atoms 1 and 4, tallied
 *                       as pair energy (evdwl, ecoul) as LAMMPS does; it
 *                       needs bonded_opts.eps14/sig14 and is refused
 *                       without them (the plain 1/r Coulomb of
 *                       lj/charmm/coul/charmm; not the /implicit variant)
 *   improper harmonic   K chi0       K (chi - chi0)^2
 *   improper cvff       K d n        K (1 + d cos(n phi)), d = +-1, n = 0..6
 *
 * Geometry: each term's vectors (1->2 bond, 2->3, 3->4 as LAMMPS forms
 * them) are minimum images, and a term must span less than half the box
 * along every axis, the condition under which this equals LAMMPS's closest
 * images (a larger term means the box is too small for the molecule: an
 * error, not a silently wrong force). Positions may be unwrapped. Forces
 * and the virial (sum of r_ij (x) f_ij, LAMMPS's ev_tally) are ADDED. */
#ifndef SK_BONDED_H
#define SK_BONDED_H

#include <stddef.h>

#include "err.h"
#include "lmp_data.h"
#include "system.h"

enum bonded_style {
	BONDED_NONE = 0,
	BOND_HARMONIC,
	ANGLE_HARMONIC,
	ANGLE_CHARMM,
	DIHEDRAL_OPLS,
	DIHEDRAL_MULTI_HARMONIC,
	DIHEDRAL_FOURIER,
	DIHEDRAL_CHARMM,
	IMPROPER_HARMONIC,
	IMPROPER_CVFF,
};

/* Per-type coefficients in the form the kernels use (radians, halved opls
 * constants, cos/sin of shifts); BONDED_NC slots per type. */
#define BONDED_NC 12
#define BONDED_FOURIER_MAXTERMS 2

/* One kind of term: bonds (nat 2), angles (3), dihedrals (4), impropers (4). */
struct bonded_terms {
	enum bonded_style style;   /* BONDED_NONE: no terms of this kind */
	const char *name;          /* "bond", "angle", "dihedral", "improper" */
	int nat;
	size_t n;
	size_t *atom;              /* [n*nat] atom indices (lmp_data order) */
	int *type;                 /* [n] 0-based type */
	long *id;                  /* [n] term id in the file, for messages */
	size_t ntypes;
	double *c;                 /* [ntypes*BONDED_NC] */
};

/* 1-4 pair parameters of dihedral charmm with weight > 0 (LAMMPS's
 * lj14_1..4 from pair lj/charmm/coul/charmm: eps14, sigma14 mixed). */
struct bonded_lj14 {
	size_t ntypes;             /* atom types */
	double *lj1, *lj2, *lj3, *lj4; /* [ntypes^2]: 48 e s^12, 24 e s^6,
					  4 e s^12, 4 e s^6 */
	int *type;                 /* [natoms] 0-based atom type */
	double *q;                 /* [natoms] charges */
	double qqrd2e;             /* Coulomb constant / dielectric */
};

struct bonded {
	size_t natoms;
	long *atom_id;             /* [natoms] atom ids, for messages */
	struct bonded_terms bonds, angles, dihedrals, impropers;
	struct bonded_lj14 *lj14;  /* NULL unless a charmm weight is > 0 */
};

struct bonded_opts {
	/* Style of each kind (bond, angle, dihedral, improper) for a Coeffs
	 * section without a "# style" comment; NULL: such a section is an
	 * error. A comment that names another style is an error too. */
	const char *style[4];
	/* dihedral charmm weights > 0: the lj/charmm/coul/charmm 1-4
	 * parameters per atom type ([ntypes], type t at t-1), NULL if none */
	const double *eps14, *sig14;
	enum lj_mix mix14;         /* LAMMPS lj/charmm default: arithmetic */
	double qqrd2e;             /* units qqr2e / dielectric */
};

/* Build from the data file's topology and Coeffs sections (o may be NULL).
 * Errors name path and what is wrong: a style that is not supported
 * ("path: Dihedral Coeffs style 'x' is not supported (supported: ...)"),
 * a section without coefficients or a type without its row ("path: no
 * Dihedral Coeffs for dihedral type 2"), a row with the wrong number of
 * values, an atom id that is not in Atoms, a charmm weight > 0 without
 * 1-4 parameters. b is overwritten; on failure it owns nothing. */
int bonded_from_data(struct bonded *b, const struct lmp_data *d,
		     const struct bonded_opts *o, const char *path,
		     struct err *e);
void bonded_free(struct bonded *b);
/* Remove the terms i with drop[i] != 0 (order of the rest kept), e.g. the
 * bonds and angles held rigid by constraints (LAMMPS fix shake turns their
 * types negative, so they carry no energy or force). */
void bonded_remove(struct bonded_terms *t, const unsigned char *drop);

/* Setup check that every term can be made whole in the box len: the
 * equilibrium lengths (bond r0, Urey-Bradley r_ub) are below half the
 * shortest box edge, and, when image flags are given (ix may be NULL),
 * each term of the unwrapped molecule (x + ix*len) spans less than half
 * the box along every axis, else "bond 7 (atoms 13 14) spans 12.5 along x
 * with the image flags, half the box is 10: the box is too small for the
 * molecule (or the image flags do not keep it whole)". Stricter than
 * LAMMPS, which ignores image flags for forces: pass ix = NULL for files
 * whose image flags are not to be trusted (the equilibrium lengths and the
 * per-step span check of bonded_compute still apply). */
int bonded_check(const struct bonded *b, const double len[3],
		 const double *x, const double *y, const double *z,
		 const int *ix, const int *iy, const int *iz, struct err *e);

/* Forces ADDED to fx, fy, fz; energies ADDED to en->ebond, eangle, edihed,
 * eimp (and evdwl, ecoul for charmm 1-4 pairs) and the virial to
 * en->virial; en may be NULL (forces only). Orthorhombic box of edge
 * lengths len. Fails (forces then incomplete) when a term spans half the
 * box or more along an axis. */
int bonded_compute(const struct bonded *b, const double len[3],
		   const double *x, const double *y, const double *z,
		   double *fx, double *fy, double *fz, struct energy *en,
		   struct err *e);

static inline int bonded_compute_state(const struct bonded *b,
				       struct state *st, struct energy *en,
				       struct err *e)
{
	return bonded_compute(b, st->len, st->x, st->y, st->z, st->fx, st->fy,
			      st->fz, en, e);
}

#endif
