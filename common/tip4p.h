/* tip4p: the massless charge site M of 4-site water (TIP4P family), as
 * LAMMPS 29Sep2021 pair lj/cut/tip4p/long, lj/cut/tip4p/cut and kspace
 * pppm/tip4p (src/KSPACE/pair_lj_cut_tip4p_long.cpp, pppm_tip4p.cpp).
 *
 * A water is an O atom of type OTYPE followed by two atoms of type HTYPE
 * with the next two atom ids (LAMMPS finds them as tag+1, tag+2). Its O
 * carries LJ at its own position; its charge sits at
 *     M = O + (alpha/2) [(H1 - O) + (H2 - O)],
 *     alpha = qdist / (cos(theta0/2) b0),
 * theta0 the equilibrium angle of angle type ATYPE and b0 the equilibrium
 * length of bond type BTYPE (the Angle/Bond Coeffs, as LAMMPS's
 * equilibrium_angle/distance), H - O the minimum images. For a molecule at
 * that geometry |M - O| = qdist along the bisector; a flexible molecule
 * keeps the same alpha, so M moves with it. (LAMMPS's alpha is twice the
 * weight of each O-H vector: M = (1 - alpha) O + alpha/2 (H1 + H2).)
 *
 * M is built from the positions at every force evaluation (tip4p_sites):
 * a copy of the state with each O moved to its M, on which the real-space
 * Coulomb (coul_long_compute_offsite: a pair needs its atoms within
 * rc + 2 qdist and its sites within rc, LAMMPS's two tests), the special
 * pair corrections and the k-space solver work unchanged. The force on M,
 * F, is then spread back as LAMMPS does (Feenstra et al., J. Comput. Chem.
 * 20, 786 (1999)): (1 - alpha) F on O and alpha/2 F on each H
 * (tip4p_spread), which keeps the total force and torque of the molecule.
 *
 * Virial: the solvers' sum of r_site (x) f_site over pairs equals LAMMPS's
 * sum of r (x) f over the O and H atoms the force was spread to (since
 * (1 - alpha) O + alpha/2 (H1 + H2) = M, componentwise), and pppm/tip4p's
 * k-space virial is the k-space sum over the sites, as here.
 *
 * Refused (tip4p_create, with the file name): a type out of range or equal
 * O and H types, no atom of either type, an O whose id+1 or id+2 is missing,
 * of another type or in another molecule, a water H type with LJ epsilon
 * != 0 (LAMMPS's rule), an O type lighter than the H type (types swapped),
 * a bond or angle type without harmonic coefficients, qdist < 0 or not
 * below b0. */
#ifndef SK_TIP4P_H
#define SK_TIP4P_H

#include <stddef.h>

#include "err.h"
#include "lmp_data.h"
#include "system.h"

struct tip4p_opts {
	int otype, htype, btype, atype; /* data-file types (1-based), as the
					   pair style's arguments */
	double qdist;                   /* |M - O| at the equilibrium
					   geometry (distance units) */
};

struct tip4p {
	struct tip4p_opts o;
	double alpha;
	size_t nwater;
	size_t *wat;          /* [3 nwater] indices of O, H1, H2 */
	struct state site;    /* charge sites (x, y, z, box) and the forces
				 on them (fx, fy, fz) */
	double *ox, *oy, *oz; /* [natoms] site - atom: 0 except for O */
	unsigned char *is_o;  /* [natoms] 1 for a water O */
};

/* "OTYPE,HTYPE,BTYPE,ATYPE,QDIST" (LAMMPS's pair style arguments). */
int tip4p_parse(const char *arg, struct tip4p_opts *o, struct err *e);

/* Find the waters of sys/d and alpha; checks as above (path for
 * messages). t is overwritten; on failure it owns nothing. */
int tip4p_create(struct tip4p *t, const struct tip4p_opts *o,
		 const struct system *sys, const struct lmp_data *d,
		 const char *path, struct err *e);
void tip4p_free(struct tip4p *t);

/* Sites of st's positions into t->site (box copied, each O replaced by
 * its M), offsets into ox/oy/oz, site forces zeroed. */
void tip4p_sites(struct tip4p *t, const struct state *st);
/* ADD the site forces to st's forces: unchanged for atoms that carry
 * their charge, (1 - alpha) F to O and alpha/2 F to each H for M. */
void tip4p_spread(const struct tip4p *t, struct state *st);

#endif
