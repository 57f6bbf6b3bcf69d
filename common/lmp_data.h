/* lmp_data: LAMMPS data files (read_data / write_data format), atom_style
 * atomic and full, with the same meaning LAMMPS gives them.
 *
 * Atoms are stored sorted by atom id (LAMMPS writes them in any order);
 * index i of every per-atom array is the i-th smallest id. Types are kept
 * 1-based as in the file (type[i] in 1..ntypes). Topology sections refer to
 * atom ids as in the file. Every malformed input is reported with its line:
 * "file:line: what". */
#ifndef SK_LMP_DATA_H
#define SK_LMP_DATA_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

enum lmp_atom_style { LMP_ATOMIC = 0, LMP_FULL = 1 };

/* A Coeffs section (Bond Coeffs, Angle Coeffs, ...): ntypes rows of up to
 * LMP_MAXP numbers each; style is the "# style" comment after the section
 * name when present (e.g. "harmonic"), else "". */
#define LMP_MAXP 8
struct lmp_coeffs {
	char style[64];
	size_t ntypes;
	int present;
	int *nparam;        /* [ntypes] numbers on each row */
	double *p;          /* [ntypes*LMP_MAXP], row t-1 for type t */
};

/* A topology section: n entries of `id type a1 .. a_nat` (nat = 2 bonds,
 * 3 angles, 4 dihedrals/impropers). */
struct lmp_topo {
	size_t n;
	int nat;
	long *id;           /* [n] */
	int *type;          /* [n], 1-based */
	long *atom;         /* [n*nat] atom ids */
};

struct lmp_data {
	char *title;                  /* first line */
	enum lmp_atom_style style;    /* from "Atoms # style" or by column count */
	size_t natoms, ntypes;
	size_t nbondtypes, nangletypes, ndihedraltypes, nimpropertypes;
	double lo[3], hi[3];          /* xlo xhi, ylo yhi, zlo zhi */
	double xy, xz, yz;            /* tilt factors */
	int triclinic;

	double *mass;                 /* [ntypes]; mass of type t at mass[t-1];
	                                 NULL after a read without Masses */
	int has_mass;

	/* Pair Coeffs (lj/cut: eps sigma [cut]) for i==i, or PairIJ Coeffs.
	 * Kept (has_pair/has_pairij set, arrays allocated) only when the
	 * style comment is absent or an lj/cut-form style (eps sigma [cut]);
	 * for any other style pair_style names it and no values are kept. */
	char pair_style[64];          /* "# lj/cut" comment, "" if none
	                                 (written as lj/cut) */
	int has_pair, has_pairij;
	double *pair_eps, *pair_sig;  /* [ntypes*ntypes], row-major, (i-1,j-1);
	                                 for Pair Coeffs only the diagonal is set */
	double *pair_cut;             /* [ntypes*ntypes] per-pair cutoff or 0 */

	/* Atoms */
	long *id;                     /* [natoms], ascending */
	int *type;                    /* [natoms], 1..ntypes */
	long *mol;                    /* [natoms], 0 for atomic */
	double *q;                    /* [natoms], 0 for atomic */
	double *x, *y, *z;            /* [natoms] as in the file */
	int *ix, *iy, *iz;            /* [natoms] image flags (0 if absent) */
	double *vx, *vy, *vz;         /* [natoms] Velocities, NULL if absent */

	struct lmp_topo bonds, angles, dihedrals, impropers;
	struct lmp_coeffs bond_coeffs, angle_coeffs, dihedral_coeffs,
		improper_coeffs, bondbond_coeffs, bondangle_coeffs;
};

/* d is overwritten (it must own nothing); on failure it is left zeroed.
 * Arrays of sections the file lacks are NULL (coeffs: present == 0). */
int lmp_data_read(struct lmp_data *d, const char *path, struct err *e);
/* The same from an open stream; name is used in messages. */
int lmp_data_read_stream(struct lmp_data *d, FILE *fp, const char *name,
			 struct err *e);
/* Write in the layout of LAMMPS write_data (Masses, Pair Coeffs or PairIJ
 * Coeffs, Bond/Angle/... Coeffs, Atoms # style with image flags,
 * Velocities, Bonds, ...). Written to a temporary and renamed; "-", a
 * device or a FIFO in place. */
int lmp_data_write(const struct lmp_data *d, const char *path, struct err *e);
/* The same with comment lines ("# ...", each ending in '\n'; NULL: none)
 * after the title line, for facts a data file has no section for (how it
 * was built, the conventions to run it with). */
int lmp_data_write_commented(const struct lmp_data *d, const char *comments,
			     const char *path, struct err *e);
/* The same body to an open stream (flushed, not closed); name is used in
 * messages. Nothing is written when d fails the checks. */
int lmp_data_write_stream(const struct lmp_data *d, FILE *fp,
			  const char *name, struct err *e);
/* Index (0-based) of atom id, or -1. Binary search over the sorted ids. */
long lmp_data_index(const struct lmp_data *d, long id);
void lmp_data_free(struct lmp_data *d);
/* Allocate the per-atom/per-type arrays for natoms atoms of ntypes types
 * (zeroed; velocities only if with_vel); for builders. d is overwritten;
 * mass and the pair matrices are allocated too, and the builder sets
 * has_mass/has_pair once it has filled them. */
int lmp_data_alloc(struct lmp_data *d, size_t natoms, size_t ntypes,
		   int with_vel, struct err *e);

#endif
