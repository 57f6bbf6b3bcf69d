/* molbuild: a simulation box from molecule templates (box-build).
 *
 * A template is a LAMMPS data file (atom_style full, real units) of one
 * molecule with its parameters: Masses, Pair Coeffs (lj/cut-form, e.g.
 * "# lj/cut/coul/long") and the Coeffs of every bonded kind it has
 * (share/ff/NAME.data). A spec "FILE:COUNT[:zspread]" asks for COUNT copies;
 * zspread copies go one per equal-height z layer (the paper's flat initial
 * concentration profile), the rest anywhere. Placement is packmol's
 * (Martinez et al., J. Comput. Chem. 30, 2157 (2009)): molbuild writes its
 * input and reads its xyz output; running it is the tool's job.
 *
 * Merging: atom, bond, angle, dihedral and improper types of template k
 * are shifted by the type counts of templates 0..k-1 (no types are shared
 * or merged, so every template keeps its own numbers), Coeffs sections are
 * concatenated (one style per kind across templates, as LAMMPS needs
 * without hybrid styles), atoms and molecules are numbered in spec order,
 * copy after copy. Pair Coeffs hold the diagonal only: unlike pairs come
 * from the run's mixing rule. Image flags 0, no Velocities. */
#ifndef SK_MOLBUILD_H
#define SK_MOLBUILD_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "lmp_data.h"
#include "rng.h"

struct molbuild_spec {
	char *path;        /* template data file (owned) */
	long count;        /* copies, > 0 */
	int zspread;       /* one copy per equal-height z layer */
};

struct molbuild {
	size_t nspec;
	struct molbuild_spec *spec;   /* [nspec] */
	struct lmp_data *tmpl;        /* [nspec] templates as read */
	size_t *center;               /* [nspec] atom index nearest the centre
					 of geometry (the atom a zspread
					 layer constrains) */
	double *size;                 /* [nspec] largest atom-atom distance */
	double *mass;                 /* [nspec] molecular mass, g/mol */
	size_t natoms;                /* atoms of the whole box */
};

/* Parse "FILE:COUNT" or "FILE:COUNT:zspread" (the last colons split, so a
 * FILE may contain ':'). COUNT must be an integer > 0. */
int molbuild_parse_spec(const char *arg, struct molbuild_spec *s,
			struct err *e);
void molbuild_spec_free(struct molbuild_spec *s);

/* Read and check every template (atom_style full, Masses, Pair Coeffs,
 * coefficients and a supported style for every bonded type, one style per
 * kind across templates, one molecule id, and image flags that keep each
 * bond shorter than half the template box). Takes ownership of spec[]
 * (its paths). */
int molbuild_load(struct molbuild *mb, struct molbuild_spec *spec,
		  size_t nspec, struct err *e);
void molbuild_free(struct molbuild *mb);

/* Mass density of the molecules in the box, g/cm^3 (real units). */
double molbuild_density(const struct molbuild *mb, const double box[3]);

/* Quick refusals before packmol: a molecule larger than the box less the
 * tolerance, or a mass density above max_density g/cm^3. */
int molbuild_check_box(const struct molbuild *mb, const double box[3],
		       double tolerance, double max_density, struct err *e);

/* Template k's coordinates as an xyz file (element guessed from mass). */
int molbuild_write_xyz(const struct molbuild *mb, size_t k, FILE *fp,
		       struct err *e);

/* Place the copies of every zspread spec, one per equal-height z layer of
 * the packing region [tolerance/2, L - tolerance/2]: the template's
 * central atom uniformly in its layer (x, y uniform), the orientation
 * uniform (random unit quaternion, Shoemake 1992), every atom inside the
 * packing region and at least the tolerance (minimum image) from every
 * atom of the copies placed before; at most max_tries draws per copy.
 * pos[k] ([count * natoms * 3], x y z per atom, copy after copy) is
 * allocated for each zspread spec k, NULL for the others. */
int molbuild_place_zspread(const struct molbuild *mb, const double box[3],
			   double tolerance, struct rng *r, long max_tries,
			   double **pos, struct err *e);

/* The placed copies of zspread spec k as one xyz file (packmol keeps it
 * fixed where it is). */
int molbuild_write_placed_xyz(const struct molbuild *mb, size_t k,
			      const double *pos, FILE *fp, struct err *e);

/* packmol input: structure files xyz[k], output file out (xyz). Every atom
 * is kept inside [tolerance/2, L - tolerance/2] on each axis, so that the
 * periodic images are also at least the tolerance apart (packmol 20.14 has
 * no periodic boundaries). A zspread spec's xyz[k] holds its placed copies
 * (molbuild_place_zspread), given to packmol as one fixed structure, so
 * packmol only packs the others around them. nloop <= 0 leaves packmol's
 * default. */
int molbuild_packmol_input(const struct molbuild *mb, const double box[3],
			   double tolerance, long seed, long nloop,
			   const char *const *xyz, const char *out, FILE *fp,
			   struct err *e);

/* Read packmol's xyz output (atoms in molbuild order) into x, y, z
 * [mb->natoms]. */
int molbuild_read_xyz(const struct molbuild *mb, const char *path,
		      double *x, double *y, double *z, struct err *e);

/* The merged system at positions x, y, z in the box [0, box). out is
 * overwritten; title is copied. */
int molbuild_merge(const struct molbuild *mb, const double box[3],
		   const double *x, const double *y, const double *z,
		   const char *title, struct lmp_data *out, struct err *e);


#endif
