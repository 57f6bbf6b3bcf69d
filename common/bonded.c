/* bonded: LAMMPS's bond, angle, dihedral and improper styles (see bonded.h
 * for the list and the formulas). The force expressions are LAMMPS's:
 *  - bonds and angles: gradients of r and of theta = acos(c);
 *  - opls, multi/harmonic, improper harmonic, improper cvff: E as a
 *    function of c = cos(phi), forces dE/dc times the gradient of c
 *    (Bekker's form, dihedral_multi_harmonic.cpp), with LAMMPS's clamps of
 *    the bond-angle sines (0.001) so near-linear geometries match too;
 *  - charmm and fourier: E as a function of phi, forces dE/dphi times the
 *    gradient of phi (Blondel & Karplus, J. Comput. Chem. 17, 1132 (1996),
 *    as dihedral_charmm.cpp);
 *  - the virial of a term is sum_k r_k (x) f_k with r_k the term's bond
 *    vectors (Angle/Dihedral::ev_tally). */
#include "bonded.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_BOND, K_ANGLE, K_DIHEDRAL, K_IMPROPER, NKIND };

static const struct kind_def {
	const char *sec;        /* Coeffs section */
	const char *topo;       /* topology section */
	const char *word;       /* one term */
	int nat;
	const char *supported;
} kinds[NKIND] = {
	{"Bond Coeffs", "Bonds", "bond", 2, "harmonic"},
	{"Angle Coeffs", "Angles", "angle", 3, "harmonic charmm"},
	{"Dihedral Coeffs", "Dihedrals", "dihedral", 4,
	 "opls multi/harmonic fourier charmm"},
	{"Improper Coeffs", "Impropers", "improper", 4, "harmonic cvff"},
};

static const struct style_def {
	int kind;
	const char *name;
	enum bonded_style style;
} styles[] = {
	{K_BOND, "harmonic", BOND_HARMONIC},
	{K_ANGLE, "harmonic", ANGLE_HARMONIC},
	{K_ANGLE, "charmm", ANGLE_CHARMM},
	{K_DIHEDRAL, "opls", DIHEDRAL_OPLS},
	{K_DIHEDRAL, "multi/harmonic", DIHEDRAL_MULTI_HARMONIC},
	{K_DIHEDRAL, "fourier", DIHEDRAL_FOURIER},
	{K_DIHEDRAL, "charmm", DIHEDRAL_CHARMM},
	{K_IMPROPER, "harmonic", IMPROPER_HARMONIC},
	{K_IMPROPER, "cvff", IMPROPER_CVFF},
};

/* ---- Building from a data file ----------------------------------------- */

static int is_int(double v)
{
	return v == floor(v) && fabs(v) < 1e9;
}

/* Convert one Coeffs row p[0..np-1] of style s into c[BONDED_NC]; on bad
 * values fills why and returns -1. Conversions as the styles' coeff(). */
static int convert(enum bonded_style s, const double *p, int np, double *c,
		   char *why, size_t nwhy)
{
	int want = 0;
	switch (s) {
	case BOND_HARMONIC:   /* K r0 */
	case ANGLE_HARMONIC:  /* K theta0[deg] */
	case IMPROPER_HARMONIC: /* K chi0[deg] */
		want = 2;
		break;
	case ANGLE_CHARMM:    /* K theta0 K_ub r_ub */
	case DIHEDRAL_OPLS:   /* K1 K2 K3 K4 */
	case DIHEDRAL_CHARMM: /* K n d w */
		want = 4;
		break;
	case DIHEDRAL_MULTI_HARMONIC:
		want = 5;
		break;
	case IMPROPER_CVFF:   /* K d n */
		want = 3;
		break;
	case DIHEDRAL_FOURIER: /* m K1 n1 d1 ... */
		if (np < 1 || !is_int(p[0]) || p[0] < 1) {
			snprintf(why, nwhy, "the first value (number of "
				 "terms) must be an integer >= 1");
			return -1;
		}
		if (p[0] > BONDED_FOURIER_MAXTERMS) {
			snprintf(why, nwhy, "%g terms, at most %d fit in a "
				 "data-file row", p[0],
				 BONDED_FOURIER_MAXTERMS);
			return -1;
		}
		want = 1 + 3 * (int)p[0];
		break;
	case BONDED_NONE:
		break;
	}
	if (np != want) {
		snprintf(why, nwhy, "%d values, expected %d", np, want);
		return -1;
	}
	memset(c, 0, BONDED_NC * sizeof *c);
	switch (s) {
	case BOND_HARMONIC:
		c[0] = p[0];
		c[1] = p[1];
		break;
	case ANGLE_HARMONIC:
	case IMPROPER_HARMONIC:
		c[0] = p[0];
		c[1] = p[1] / 180.0 * 3.14159265358979323846;
		break;
	case ANGLE_CHARMM:
		c[0] = p[0];
		c[1] = p[1] / 180.0 * 3.14159265358979323846;
		c[2] = p[2];
		c[3] = p[3];
		break;
	case DIHEDRAL_OPLS: /* LAMMPS stores the halves */
		for (int k = 0; k < 4; k++)
			c[k] = 0.5 * p[k];
		break;
	case DIHEDRAL_MULTI_HARMONIC:
		for (int k = 0; k < 5; k++)
			c[k] = p[k];
		break;
	case DIHEDRAL_CHARMM:
		/* LAMMPS reads n and d as integers (inumeric) */
		if (!is_int(p[1]) || p[1] < 0 || !is_int(p[2])) {
			snprintf(why, nwhy, "multiplicity %g and shift %g must "
				 "be integers (n >= 0), as LAMMPS requires",
				 p[1], p[2]);
			return -1;
		}
		if (p[3] < 0.0 || p[3] > 1.0) {
			snprintf(why, nwhy, "weight %g is outside [0,1]",
				 p[3]);
			return -1;
		}
		c[0] = p[0];
		c[1] = p[1];
		c[2] = cos(3.14159265358979323846 * p[2] / 180.0);
		c[3] = sin(3.14159265358979323846 * p[2] / 180.0);
		c[4] = p[3];
		break;
	case DIHEDRAL_FOURIER:
		c[0] = p[0];
		for (int k = 0; k < (int)p[0]; k++) {
			const double *q = p + 1 + 3 * k;
			if (!is_int(q[1]) || q[1] < 0) {
				snprintf(why, nwhy, "multiplicity %g of term "
					 "%d must be an integer >= 0", q[1],
					 k + 1);
				return -1;
			}
			c[1 + 4 * k] = q[0];
			c[2 + 4 * k] = q[1];
			c[3 + 4 * k] = cos(3.14159265358979323846 * q[2] /
					   180.0);
			c[4 + 4 * k] = sin(3.14159265358979323846 * q[2] /
					   180.0);
		}
		break;
	case IMPROPER_CVFF:
		/* improper_cvff.cpp evaluates n = 0..6 only */
		if (p[1] != 1.0 && p[1] != -1.0) {
			snprintf(why, nwhy, "sign d = %g must be 1 or -1",
				 p[1]);
			return -1;
		}
		if (!is_int(p[2]) || p[2] < 0 || p[2] > 6) {
			snprintf(why, nwhy, "multiplicity n = %g must be an "
				 "integer 0..6", p[2]);
			return -1;
		}
		c[0] = p[0];
		c[1] = p[1];
		c[2] = p[2];
		break;
	case BONDED_NONE:
		break;
	}
	return 0;
}

static const struct lmp_topo *topo_of(const struct lmp_data *d, int k)
{
	const struct lmp_topo *t[NKIND] = {&d->bonds, &d->angles,
					   &d->dihedrals, &d->impropers};
	return t[k];
}

static const struct lmp_coeffs *coeffs_of(const struct lmp_data *d, int k)
{
	const struct lmp_coeffs *c[NKIND] = {
		&d->bond_coeffs, &d->angle_coeffs, &d->dihedral_coeffs,
		&d->improper_coeffs};
	return c[k];
}

static size_t ntypes_of(const struct lmp_data *d, int k)
{
	const size_t n[NKIND] = {d->nbondtypes, d->nangletypes,
				 d->ndihedraltypes, d->nimpropertypes};
	return n[k];
}

static struct bonded_terms *terms_of(struct bonded *b, int k)
{
	struct bonded_terms *t[NKIND] = {&b->bonds, &b->angles, &b->dihedrals,
					 &b->impropers};
	return t[k];
}

static int build_kind(struct bonded *b, int k, const struct lmp_data *d,
		      const struct bonded_opts *o, const char *path,
		      struct err *e)
{
	const struct kind_def *kd = &kinds[k];
	const struct lmp_topo *tp = topo_of(d, k);
	const struct lmp_coeffs *co = coeffs_of(d, k);
	struct bonded_terms *t = terms_of(b, k);
	const char *given = o ? o->style[k] : NULL;
	const char *name;
	size_t nt = ntypes_of(d, k);
	t->nat = kd->nat;
	t->name = kd->word;
	if (tp->n == 0)
		return 0;
	if (tp->nat != kd->nat)
		return err_set(e, "%s: %s: %d atoms per entry, expected %d",
			       path, kd->topo, tp->nat, kd->nat);
	if (!co->present || co->ntypes == 0)
		return err_set(e, "%s: no %s for %s type %d (the file has %s "
			       "but no %s section)", path, kd->sec, kd->word,
			       tp->type[0], kd->topo, kd->sec);
	if (co->style[0] && given && given[0] && strcmp(co->style, given))
		return err_set(e, "%s: %s style '%s' in the file, but '%s' "
			       "was asked for", path, kd->sec, co->style,
			       given);
	name = co->style[0] ? co->style : given;
	if (!name || !name[0])
		return err_set(e, "%s: %s has no style comment to say what "
			       "its numbers are: write it as LAMMPS "
			       "write_data does, '%s # STYLE' (supported: "
			       "%s)", path, kd->sec, kd->sec, kd->supported);
	for (size_t s = 0; s < sizeof styles / sizeof *styles; s++)
		if (styles[s].kind == k && !strcmp(styles[s].name, name))
			t->style = styles[s].style;
	if (t->style == BONDED_NONE)
		return err_set(e, "%s: %s style '%s' is not supported "
			       "(supported: %s)", path, kd->sec, name,
			       kd->supported);

	t->ntypes = nt;
	t->n = tp->n;
	t->c = calloc(nt * BONDED_NC + 1, sizeof *t->c);
	t->atom = malloc((t->n * (size_t)t->nat + 1) * sizeof *t->atom);
	t->type = malloc((t->n + 1) * sizeof *t->type);
	t->id = malloc((t->n + 1) * sizeof *t->id);
	if (!t->c || !t->atom || !t->type || !t->id)
		return err_set(e, "%s: out of memory", path);
	for (size_t ty = 0; ty < nt; ty++) {
		char why[160];
		if (ty >= co->ntypes || co->nparam[ty] == 0)
			return err_set(e, "%s: no %s for %s type %zu", path,
				       kd->sec, kd->word, ty + 1);
		if (convert(t->style, co->p + ty * LMP_MAXP, co->nparam[ty],
			    t->c + ty * BONDED_NC, why, sizeof why))
			return err_set(e, "%s: %s: %s type %zu (%s): %s",
				       path, kd->sec, kd->word, ty + 1, name,
				       why);
	}
	for (size_t n = 0; n < t->n; n++) {
		int ty = tp->type[n];
		t->id[n] = tp->id[n];
		if (ty < 1 || (size_t)ty > nt)
			return err_set(e, "%s: %s: %s %ld has type %d, not in "
				       "1..%zu", path, kd->topo, kd->word,
				       tp->id[n], ty, nt);
		t->type[n] = ty - 1;
		for (int a = 0; a < t->nat; a++) {
			long id = tp->atom[n * (size_t)t->nat + (size_t)a];
			long i = lmp_data_index(d, id);
			if (i < 0)
				return err_set(e, "%s: %s: %s %ld refers to "
					       "atom id %ld, which is not in "
					       "Atoms", path, kd->topo,
					       kd->word, tp->id[n], id);
			t->atom[n * (size_t)t->nat + (size_t)a] = (size_t)i;
		}
	}
	return 0;
}

/* LAMMPS Pair::mix_energy / mix_distance for geometric and arithmetic,
 * then PairLJCharmmCoulCharmm::init_one's lj14_1..4. */
static int build_lj14(struct bonded *b, const struct lmp_data *d,
		      const struct bonded_opts *o, const char *path,
		      struct err *e)
{
	const struct bonded_terms *t = &b->dihedrals;
	size_t wtype = 0;
	int need = 0;
	if (t->style != DIHEDRAL_CHARMM)
		return 0;
	for (size_t ty = 0; ty < t->ntypes && !need; ty++)
		if (t->c[ty * BONDED_NC + 4] > 0.0) {
			need = 1;
			wtype = ty;
		}
	if (!need)
		return 0;
	if (!o || !o->eps14 || !o->sig14)
		return err_set(e, "%s: Dihedral Coeffs: dihedral type %zu "
			       "(charmm) has 1-4 weight %g > 0, which needs "
			       "the 1-4 parameters of pair lj/charmm/coul/"
			       "charmm; give weight 0 and scale 1-4 pairs "
			       "with --special-lj/--special-coul instead",
			       path, wtype + 1,
			       t->c[wtype * BONDED_NC + 4]);
	size_t nt = d->ntypes, n = d->natoms;
	struct bonded_lj14 *p = calloc(1, sizeof *p);
	if (!p)
		return err_set(e, "%s: out of memory", path);
	b->lj14 = p;
	p->ntypes = nt;
	p->qqrd2e = o->qqrd2e;
	p->lj1 = malloc((nt * nt + 1) * sizeof *p->lj1);
	p->lj2 = malloc((nt * nt + 1) * sizeof *p->lj2);
	p->lj3 = malloc((nt * nt + 1) * sizeof *p->lj3);
	p->lj4 = malloc((nt * nt + 1) * sizeof *p->lj4);
	p->type = malloc((n + 1) * sizeof *p->type);
	p->q = calloc(n + 1, sizeof *p->q);
	if (!p->lj1 || !p->lj2 || !p->lj3 || !p->lj4 || !p->type || !p->q)
		return err_set(e, "%s: out of memory", path);
	for (size_t i = 0; i < nt; i++)
		for (size_t j = 0; j < nt; j++) {
			double ei = o->eps14[i], ej = o->eps14[j];
			double si = o->sig14[i], sj = o->sig14[j];
			double eps = sqrt(ei * ej);
			double sig = o->mix14 == MIX_ARITHMETIC
					     ? 0.5 * (si + sj)
					     : sqrt(si * sj);
			size_t ij = i * nt + j;
			p->lj1[ij] = 48.0 * eps * pow(sig, 12.0);
			p->lj2[ij] = 24.0 * eps * pow(sig, 6.0);
			p->lj3[ij] = 4.0 * eps * pow(sig, 12.0);
			p->lj4[ij] = 4.0 * eps * pow(sig, 6.0);
		}
	for (size_t i = 0; i < n; i++) {
		p->type[i] = d->type[i] - 1;
		if (d->q)
			p->q[i] = d->q[i];
	}
	return 0;
}

int bonded_from_data(struct bonded *b, const struct lmp_data *d,
		     const struct bonded_opts *o, const char *path,
		     struct err *e)
{
	memset(b, 0, sizeof *b);
	b->natoms = d->natoms;
	b->atom_id = malloc((d->natoms + 1) * sizeof *b->atom_id);
	if (!b->atom_id)
		return err_set(e, "%s: out of memory", path);
	for (size_t i = 0; i < d->natoms; i++)
		b->atom_id[i] = d->id[i];
	for (int k = 0; k < NKIND; k++)
		if (build_kind(b, k, d, o, path, e))
			goto fail;
	if (build_lj14(b, d, o, path, e))
		goto fail;
	return 0;
fail:
	bonded_free(b);
	return -1;
}

void bonded_remove(struct bonded_terms *t, const unsigned char *drop)
{
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (drop[i])
			continue;
		for (int a = 0; a < t->nat; a++)
			t->atom[k * (size_t)t->nat + (size_t)a] =
				t->atom[i * (size_t)t->nat + (size_t)a];
		t->type[k] = t->type[i];
		t->id[k] = t->id[i];
		k++;
	}
	t->n = k;
}

static void terms_free(struct bonded_terms *t)
{
	free(t->atom);
	free(t->type);
	free(t->id);
	free(t->c);
}

void bonded_free(struct bonded *b)
{
	terms_free(&b->bonds);
	terms_free(&b->angles);
	terms_free(&b->dihedrals);
	terms_free(&b->impropers);
	free(b->atom_id);
	if (b->lj14) {
		free(b->lj14->lj1);
		free(b->lj14->lj2);
		free(b->lj14->lj3);
		free(b->lj14->lj4);
		free(b->lj14->type);
		free(b->lj14->q);
		free(b->lj14);
	}
	memset(b, 0, sizeof *b);
}

/* ---- Geometry ----------------------------------------------------------- */

struct box {
	double len[3], half[3];
};

static inline void mi_vec(const struct box *bx, const double *x,
			  const double *y, const double *z, size_t i, size_t j,
			  double d[3])
{
	/* x_i - x_j, minimum image by rounding (positions may be unwrapped) */
	d[0] = x[i] - x[j];
	d[1] = y[i] - y[j];
	d[2] = z[i] - z[j];
	for (int a = 0; a < 3; a++)
		d[a] -= bx->len[a] * nearbyint(d[a] / bx->len[a]);
}

/* Does the set of points p[0..np-1] span half the box or more along an
 * axis? Returns the axis (0..2) or -1; *span is the extent. */
static int too_wide(const struct box *bx, const double (*p)[3], int np,
		    double *span)
{
	for (int a = 0; a < 3; a++) {
		double lo = p[0][a], hi = p[0][a];
		for (int k = 1; k < np; k++) {
			if (p[k][a] < lo)
				lo = p[k][a];
			if (p[k][a] > hi)
				hi = p[k][a];
		}
		if (hi - lo >= bx->half[a]) {
			*span = hi - lo;
			return a;
		}
	}
	return -1;
}

static int wide_error(const long *aid, const struct bonded_terms *t,
		      size_t n, int axis, double span, const struct box *bx,
		      int flags, struct err *e)
{
	const size_t *a = t->atom + n * (size_t)t->nat;
	char atoms[128];
	int len = 0;
	for (int k = 0; k < t->nat && len < (int)sizeof atoms; k++)
		len += snprintf(atoms + len, sizeof atoms - (size_t)len,
				"%s%ld", k ? " " : "", aid[a[k]]);
	return err_set(e, "%s %ld (atoms %s) spans %g along %c%s, half the "
		       "box is %g: the box is too small for the molecule%s",
		       t->name, t->id[n], atoms, span, "xyz"[axis],
		       flags ? " with the image flags" : "", bx->half[axis],
		       flags ? " (or the image flags do not keep it whole)"
			   : "");
}

static inline void add_f(double *fx, double *fy, double *fz, size_t i,
			 const double f[3], double s)
{
	fx[i] += s * f[0];
	fy[i] += s * f[1];
	fz[i] += s * f[2];
}

/* ---- Bonds -------------------------------------------------------------- */

static void bonds_harmonic(const struct bonded_terms *t, const struct box *bx,
			   const double *x, const double *y, const double *z,
			   double *fx, double *fy, double *fz, double *eb,
			   double v[6])
{
	for (size_t n = 0; n < t->n; n++) {
		const size_t *a = t->atom + 2 * n;
		const double *c = t->c + (size_t)t->type[n] * BONDED_NC;
		double d[3];
		mi_vec(bx, x, y, z, a[0], a[1], d);
		double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
		double r = sqrt(rsq);
		double dr = r - c[1], rk = c[0] * dr;
		/* f = -dE/dr * d/r on atom 1 */
		double fbond = r > 0.0 ? -2.0 * rk / r : 0.0;
		*eb += rk * dr;
		add_f(fx, fy, fz, a[0], d, fbond);
		add_f(fx, fy, fz, a[1], d, -fbond);
		v[0] += d[0] * d[0] * fbond;
		v[1] += d[1] * d[1] * fbond;
		v[2] += d[2] * d[2] * fbond;
		v[3] += d[0] * d[1] * fbond;
		v[4] += d[0] * d[2] * fbond;
		v[5] += d[1] * d[2] * fbond;
	}
}

/* ---- Angles ------------------------------------------------------------- */

static int angles(const long *aid, const struct bonded_terms *t,
		  const struct box *bx,
		  const double *x, const double *y, const double *z, double *fx,
		  double *fy, double *fz, double *ea, double v[6],
		  struct err *e)
{
	const int ub = t->style == ANGLE_CHARMM;
	for (size_t n = 0; n < t->n; n++) {
		const size_t *a = t->atom + 3 * n;
		const double *c = t->c + (size_t)t->type[n] * BONDED_NC;
		double p[3][3] = {{0.0, 0.0, 0.0}}, span;
		double *d1 = p[1], *d2 = p[2]; /* atom 1, 3 relative to 2 */
		mi_vec(bx, x, y, z, a[0], a[1], d1);
		mi_vec(bx, x, y, z, a[2], a[1], d2);
		int ax = too_wide(bx, (const double(*)[3])p, 3, &span);
		if (ax >= 0)
			return wide_error(aid, t, n, ax, span, bx, 0, e);
		double rsq1 = d1[0] * d1[0] + d1[1] * d1[1] + d1[2] * d1[2];
		double rsq2 = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
		double r1 = sqrt(rsq1), r2 = sqrt(rsq2);
		double f1[3], f3[3], eang = 0.0;
		double fub = 0.0, dub[3] = {0.0, 0.0, 0.0};

		if (ub) { /* Urey-Bradley spring between atoms 1 and 3 */
			for (int k = 0; k < 3; k++)
				dub[k] = d2[k] - d1[k];
			double rub = sqrt(dub[0] * dub[0] + dub[1] * dub[1] +
					  dub[2] * dub[2]);
			double dr = rub - c[3], rk = c[2] * dr;
			fub = rub > 0.0 ? -2.0 * rk / rub : 0.0;
			eang = rk * dr;
		}
		double cs = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) /
			    (r1 * r2);
		if (cs > 1.0)
			cs = 1.0;
		if (cs < -1.0)
			cs = -1.0;
		double s = sqrt(1.0 - cs * cs);
		if (s < 0.001)
			s = 0.001;
		double dtheta = acos(cs) - c[1], tk = c[0] * dtheta;
		eang += tk * dtheta;
		/* dE/dtheta = 2 tk; dtheta/dc = -1/sin */
		double pa = -2.0 * tk / s;
		double a11 = pa * cs / rsq1, a12 = -pa / (r1 * r2),
		       a22 = pa * cs / rsq2;
		for (int k = 0; k < 3; k++) {
			f1[k] = a11 * d1[k] + a12 * d2[k] - dub[k] * fub;
			f3[k] = a22 * d2[k] + a12 * d1[k] + dub[k] * fub;
		}
		*ea += eang;
		add_f(fx, fy, fz, a[0], f1, 1.0);
		fx[a[1]] -= f1[0] + f3[0];
		fy[a[1]] -= f1[1] + f3[1];
		fz[a[1]] -= f1[2] + f3[2];
		add_f(fx, fy, fz, a[2], f3, 1.0);
		v[0] += d1[0] * f1[0] + d2[0] * f3[0];
		v[1] += d1[1] * f1[1] + d2[1] * f3[1];
		v[2] += d1[2] * f1[2] + d2[2] * f3[2];
		v[3] += d1[0] * f1[1] + d2[0] * f3[1];
		v[4] += d1[0] * f1[2] + d2[0] * f3[2];
		v[5] += d1[1] * f1[2] + d2[1] * f3[2];
	}
	return 0;
}

/* ---- Four-body terms ---------------------------------------------------- */

/* Bond vectors of a dihedral or improper as LAMMPS forms them:
 * b1 = x1 - x2, b2 = x3 - x2, b3 = x4 - x3. */
struct quad {
	double b1[3], b2[3], b3[3];
};

static int quad_vectors(const long *aid, const struct bonded_terms *t,
			size_t n,
			const struct box *bx, const double *x, const double *y,
			const double *z, struct quad *q, struct err *e)
{
	const size_t *a = t->atom + 4 * n;
	double p[4][3], span;
	mi_vec(bx, x, y, z, a[0], a[1], q->b1);
	mi_vec(bx, x, y, z, a[2], a[1], q->b2);
	mi_vec(bx, x, y, z, a[3], a[2], q->b3);
	for (int k = 0; k < 3; k++) { /* atoms relative to atom 2 */
		p[0][k] = q->b1[k];
		p[1][k] = 0.0;
		p[2][k] = q->b2[k];
		p[3][k] = q->b2[k] + q->b3[k];
	}
	int ax = too_wide(bx, (const double(*)[3])p, 4, &span);
	return ax >= 0 ? wide_error(aid, t, n, ax, span, bx, 0, e) : 0;
}

static inline double dot3(const double *u, const double *w)
{
	return u[0] * w[0] + u[1] * w[1] + u[2] * w[2];
}

/* c = cos(phi) from the two bond angles and b1.b3 (Bekker), with what the
 * force needs. sin_clamp: opls/multi/cvff clamp each bond-angle sine at
 * 0.001; improper harmonic clamps the squared sine at 0.001 instead. */
struct cgeom {
	double sb1, sb2, sb3, rb1, rb3, r12c1, r12c2;
	double c0, c1, c2, s1, s2, s12, c;
};

static void cos_geom(const struct quad *q, int sin_clamp, struct cgeom *g)
{
	double l1 = dot3(q->b1, q->b1), l2 = dot3(q->b2, q->b2),
	       l3 = dot3(q->b3, q->b3);
	g->sb1 = 1.0 / l1;
	g->sb2 = 1.0 / l2;
	g->sb3 = 1.0 / l3;
	g->rb1 = sqrt(g->sb1);
	g->rb3 = sqrt(g->sb3);
	g->c0 = dot3(q->b1, q->b3) * g->rb1 * g->rb3;
	g->r12c1 = 1.0 / (sqrt(l1) * sqrt(l2));
	g->r12c2 = 1.0 / (sqrt(l2) * sqrt(l3));
	g->c1 = dot3(q->b1, q->b2) * g->r12c1;   /* cos(angle 1-2-3) */
	g->c2 = -dot3(q->b2, q->b3) * g->r12c2;  /* cos(angle 2-3-4) */
	if (sin_clamp) {
		double sc1 = sqrt(fmax(1.0 - g->c1 * g->c1, 0.0));
		double sc2 = sqrt(fmax(1.0 - g->c2 * g->c2, 0.0));
		sc1 = 1.0 / (sc1 < 0.001 ? 0.001 : sc1);
		sc2 = 1.0 / (sc2 < 0.001 ? 0.001 : sc2);
		g->s1 = sc1 * sc1;
		g->s2 = sc2 * sc2;
		g->s12 = sc1 * sc2;
	} else {
		double s1 = 1.0 - g->c1 * g->c1, s2 = 1.0 - g->c2 * g->c2;
		g->s1 = 1.0 / (s1 < 0.001 ? 0.001 : s1);
		g->s2 = 1.0 / (s2 < 0.001 ? 0.001 : s2);
		g->s12 = sqrt(g->s1 * g->s2);
	}
	double c = (g->c0 + g->c1 * g->c2) * g->s12;
	g->c = c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c;
}

/* Forces on the four atoms from dEdc = dE/d(cos phi). */
static void cos_forces(const struct quad *q, const struct cgeom *g,
		       double dEdc, double f[4][3])
{
	double cc = g->c * dEdc, s12 = g->s12 * dEdc;
	double a11 = cc * g->sb1 * g->s1;
	double a22 = -g->sb2 * (2.0 * g->c0 * s12 - cc * (g->s1 + g->s2));
	double a33 = cc * g->sb3 * g->s2;
	double a12 = -g->r12c1 * (g->c1 * cc * g->s1 + g->c2 * s12);
	double a13 = -g->rb1 * g->rb3 * s12;
	double a23 = g->r12c2 * (g->c2 * cc * g->s2 + g->c1 * s12);
	for (int k = 0; k < 3; k++) {
		double s2 = a12 * q->b1[k] + a22 * q->b2[k] + a23 * q->b3[k];
		f[0][k] = a11 * q->b1[k] + a12 * q->b2[k] + a13 * q->b3[k];
		f[1][k] = -s2 - f[0][k];
		f[3][k] = a13 * q->b1[k] + a23 * q->b2[k] + a33 * q->b3[k];
		f[2][k] = s2 - f[3][k];
	}
}

/* phi from the normals A = b1 x (-b2), B = b3 x (-b2) (Blondel-Karplus):
 * cos phi = c, sin phi = s; and the gradients' factors. */
struct pgeom {
	double A[3], B[3], c, s;
	double dtf[3], dtg[3], dth[3];
};

static void phi_geom(const struct quad *q, struct pgeom *g)
{
	const double *b1 = q->b1, *b3 = q->b3;
	double m[3] = {-q->b2[0], -q->b2[1], -q->b2[2]};
	g->A[0] = b1[1] * m[2] - b1[2] * m[1];
	g->A[1] = b1[2] * m[0] - b1[0] * m[2];
	g->A[2] = b1[0] * m[1] - b1[1] * m[0];
	g->B[0] = b3[1] * m[2] - b3[2] * m[1];
	g->B[1] = b3[2] * m[0] - b3[0] * m[2];
	g->B[2] = b3[0] * m[1] - b3[1] * m[0];
	double rasq = dot3(g->A, g->A), rbsq = dot3(g->B, g->B);
	double rg = sqrt(dot3(m, m));
	double rginv = rg > 0 ? 1.0 / rg : 0.0;
	double ra2inv = rasq > 0 ? 1.0 / rasq : 0.0;
	double rb2inv = rbsq > 0 ? 1.0 / rbsq : 0.0;
	double rabinv = sqrt(ra2inv * rb2inv);
	double c = dot3(g->A, g->B) * rabinv;
	g->s = rg * rabinv * dot3(g->A, b3);
	g->c = c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c;
	double fga = dot3(b1, m) * ra2inv * rginv;
	double hgb = dot3(b3, m) * rb2inv * rginv;
	double gaa = -ra2inv * rg, gbb = rb2inv * rg;
	for (int k = 0; k < 3; k++) {
		g->dtf[k] = gaa * g->A[k];
		g->dtg[k] = fga * g->A[k] - hgb * g->B[k];
		g->dth[k] = gbb * g->B[k];
	}
}

/* Forces from df = -dE/dphi. */
static void phi_forces(const struct pgeom *g, double df, double f[4][3])
{
	for (int k = 0; k < 3; k++) {
		double s2 = df * g->dtg[k];
		f[0][k] = df * g->dtf[k];
		f[1][k] = s2 - f[0][k];
		f[3][k] = df * g->dth[k];
		f[2][k] = -s2 - f[3][k];
	}
}

/* K (1 + cos(n phi - d)) for cos/sin of phi (c, s) and of d (cd, sd):
 * adds the energy to *en and -dE/dphi to *df. (c + i s)^n by repeated
 * multiplication, as dihedral_charmm.cpp. */
static void cos_term(double K, int n, double cd, double sd, double c,
		     double s, double *en, double *df)
{
	double re = 1.0, im = 0.0;
	for (int i = 0; i < n; i++) {
		double t = re * c - im * s;
		im = re * s + im * c;
		re = t;
	}
	double p = re * cd + im * sd;     /* cos(n phi - d) */
	double sn = im * cd - re * sd;    /* sin(n phi - d) */
	*en += K * (1.0 + p);
	*df += K * n * sn;
}

static void quad_virial(const struct quad *q, const double f[4][3],
			double v[6])
{
	/* atoms relative to atom 2: 1 at b1, 3 at b2, 4 at b2 + b3 */
	double r4[3] = {q->b2[0] + q->b3[0], q->b2[1] + q->b3[1],
			q->b2[2] + q->b3[2]};
	v[0] += q->b1[0] * f[0][0] + q->b2[0] * f[2][0] + r4[0] * f[3][0];
	v[1] += q->b1[1] * f[0][1] + q->b2[1] * f[2][1] + r4[1] * f[3][1];
	v[2] += q->b1[2] * f[0][2] + q->b2[2] * f[2][2] + r4[2] * f[3][2];
	v[3] += q->b1[0] * f[0][1] + q->b2[0] * f[2][1] + r4[0] * f[3][1];
	v[4] += q->b1[0] * f[0][2] + q->b2[0] * f[2][2] + r4[0] * f[3][2];
	v[5] += q->b1[1] * f[0][2] + q->b2[1] * f[2][2] + r4[1] * f[3][2];
}

static void quad_apply(const size_t *a, const double f[4][3], double *fx,
		       double *fy, double *fz)
{
	for (int k = 0; k < 4; k++)
		add_f(fx, fy, fz, a[k], f[k], 1.0);
}

/* 1-4 pair of a charmm dihedral with weight w (dihedral_charmm.cpp):
 * LJ with lj14 parameters and plain Coulomb, tallied as pair terms. */
static void charmm14(const struct bonded_lj14 *p, const struct quad *q,
		     const size_t *a, double w, double *fx, double *fy,
		     double *fz, double *evdwl, double *ecoul, double v[6])
{
	size_t i1 = a[0], i4 = a[3];
	size_t ij = (size_t)p->type[i1] * p->ntypes + (size_t)p->type[i4];
	double d[3]; /* x1 - x4 */
	for (int k = 0; k < 3; k++)
		d[k] = q->b1[k] - q->b2[k] - q->b3[k];
	double rsq = dot3(d, d), r2inv = 1.0 / rsq;
	double r6inv = r2inv * r2inv * r2inv;
	double fcoul = p->qqrd2e * p->q[i1] * p->q[i4] * sqrt(r2inv);
	double flj = r6inv * (p->lj1[ij] * r6inv - p->lj2[ij]);
	double fpair = w * (flj + fcoul) * r2inv;
	*ecoul += w * fcoul;
	*evdwl += w * r6inv * (p->lj3[ij] * r6inv - p->lj4[ij]);
	add_f(fx, fy, fz, i1, d, fpair);
	add_f(fx, fy, fz, i4, d, -fpair);
	v[0] += d[0] * d[0] * fpair;
	v[1] += d[1] * d[1] * fpair;
	v[2] += d[2] * d[2] * fpair;
	v[3] += d[0] * d[1] * fpair;
	v[4] += d[0] * d[2] * fpair;
	v[5] += d[1] * d[2] * fpair;
}

/* Energy and dE/dc of the cos(phi) styles. */
static double opls(const double *k, const struct quad *q,
		   const struct cgeom *g, double *dEdc)
{
	/* phi signed by (b1 x b2).b3 as dihedral_opls.cpp; every term is
	 * even in phi, the sign only meets the clamp of sin(phi) */
	double cx = q->b1[1] * q->b2[2] - q->b1[2] * q->b2[1];
	double cy = q->b1[2] * q->b2[0] - q->b1[0] * q->b2[2];
	double cz = q->b1[0] * q->b2[1] - q->b1[1] * q->b2[0];
	double phi = acos(g->c);
	if (cx * q->b3[0] + cy * q->b3[1] + cz * q->b3[2] < 0.0)
		phi = -phi;
	double si = sin(phi);
	if (fabs(si) < 0.00001)
		si = 0.00001;
	double siinv = 1.0 / si;
	*dEdc = k[0] - 2.0 * k[1] * sin(2.0 * phi) * siinv +
		3.0 * k[2] * sin(3.0 * phi) * siinv -
		4.0 * k[3] * sin(4.0 * phi) * siinv;
	return k[0] * (1.0 + g->c) + k[1] * (1.0 - cos(2.0 * phi)) +
	       k[2] * (1.0 + cos(3.0 * phi)) + k[3] * (1.0 - cos(4.0 * phi));
}

static double multi_harmonic(const double *a, double c, double *dEdc)
{
	*dEdc = a[1] + c * (2.0 * a[2] + c * (3.0 * a[3] + c * 4.0 * a[4]));
	return a[0] + c * (a[1] + c * (a[2] + c * (a[3] + c * a[4])));
}

/* K (1 + d cos(n phi)) = K (1 + d T_n(c)); dT_n/dc = n U_{n-1}(c). */
static double cvff(const double *k, double c, double *dEdc)
{
	int n = (int)k[2];
	double t0 = 1.0, t1 = c, u0 = 1.0, u1 = 2.0 * c; /* T_0,T_1,U_0,U_1 */
	double tn = 1.0, un1 = 0.0;                       /* T_n, U_{n-1} */
	if (n >= 1) {
		tn = t1;
		un1 = u0;
	}
	for (int m = 2; m <= n; m++) {
		double t2 = 2.0 * c * t1 - t0;
		tn = t2;
		un1 = u1;
		t0 = t1;
		t1 = t2;
		double u2 = 2.0 * c * u1 - u0;
		u0 = u1;
		u1 = u2;
	}
	*dEdc = k[0] * k[1] * n * un1;
	return k[0] * (1.0 + k[1] * tn);
}

static int quads(const struct bonded *b, const struct bonded_terms *t,
		 const struct box *bx, const double *x, const double *y,
		 const double *z, double *fx, double *fy, double *fz,
		 double *eq, double *evdwl, double *ecoul, double v[6],
		 struct err *e)
{
	for (size_t n = 0; n < t->n; n++) {
		const size_t *a = t->atom + 4 * n;
		const double *c = t->c + (size_t)t->type[n] * BONDED_NC;
		struct quad q;
		double f[4][3];
		if (quad_vectors(b->atom_id, t, n, bx, x, y, z, &q, e))
			return -1;
		if (t->style == DIHEDRAL_CHARMM ||
		    t->style == DIHEDRAL_FOURIER) {
			struct pgeom g;
			double en = 0.0, df = 0.0;
			phi_geom(&q, &g);
			if (t->style == DIHEDRAL_CHARMM)
				cos_term(c[0], (int)c[1], c[2], c[3], g.c, g.s,
					 &en, &df);
			else
				for (int k = 0; k < (int)c[0]; k++)
					cos_term(c[1 + 4 * k],
						 (int)c[2 + 4 * k],
						 c[3 + 4 * k], c[4 + 4 * k],
						 g.c, g.s, &en, &df);
			phi_forces(&g, df, f);
			*eq += en;
		} else {
			struct cgeom g;
			double dEdc = 0.0;
			cos_geom(&q, t->style != IMPROPER_HARMONIC, &g);
			switch (t->style) {
			case DIHEDRAL_OPLS:
				*eq += opls(c, &q, &g, &dEdc);
				break;
			case DIHEDRAL_MULTI_HARMONIC:
				*eq += multi_harmonic(c, g.c, &dEdc);
				break;
			case IMPROPER_CVFF:
				*eq += cvff(c, g.c, &dEdc);
				break;
			case IMPROPER_HARMONIC: {
				double s = sqrt(1.0 - g.c * g.c);
				if (s < 0.001)
					s = 0.001;
				double dchi = acos(g.c) - c[1];
				*eq += c[0] * dchi * dchi;
				dEdc = -2.0 * c[0] * dchi / s;
				break;
			}
			default:
				break;
			}
			cos_forces(&q, &g, dEdc, f);
		}
		quad_apply(a, f, fx, fy, fz);
		quad_virial(&q, f, v);
		if (t->style == DIHEDRAL_CHARMM && c[4] > 0.0 && b->lj14)
			charmm14(b->lj14, &q, a, c[4], fx, fy, fz, evdwl, ecoul,
				 v);
	}
	return 0;
}

/* ---- Driver ------------------------------------------------------------- */

static void box_init(struct box *bx, const double len[3])
{
	for (int a = 0; a < 3; a++) {
		bx->len[a] = len[a];
		bx->half[a] = 0.5 * len[a];
	}
}

int bonded_compute(const struct bonded *b, const double len[3],
		   const double *x, const double *y, const double *z,
		   double *fx, double *fy, double *fz, struct energy *en,
		   struct err *e)
{
	struct box bx;
	double v[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
	double eb = 0.0, ea = 0.0, ed = 0.0, ei = 0.0, evdwl = 0.0,
	       ecoul = 0.0;
	box_init(&bx, len);
	if (b->bonds.style == BOND_HARMONIC)
		bonds_harmonic(&b->bonds, &bx, x, y, z, fx, fy, fz, &eb, v);
	if (b->angles.n &&
	    angles(b->atom_id, &b->angles, &bx, x, y, z, fx, fy, fz, &ea, v, e))
		return -1;
	if (b->dihedrals.n && quads(b, &b->dihedrals, &bx, x, y, z, fx, fy,
				    fz, &ed, &evdwl, &ecoul, v, e))
		return -1;
	if (b->impropers.n && quads(b, &b->impropers, &bx, x, y, z, fx, fy,
				    fz, &ei, &evdwl, &ecoul, v, e))
		return -1;
	if (en) {
		en->ebond += eb;
		en->eangle += ea;
		en->edihed += ed;
		en->eimp += ei;
		en->evdwl += evdwl;
		en->ecoul += ecoul;
		for (int k = 0; k < 6; k++)
			en->virial[k] += v[k];
	}
	return 0;
}

/* ---- Setup check -------------------------------------------------------- */

int bonded_check(const struct bonded *b, const double len[3],
		 const double *x, const double *y, const double *z,
		 const int *ix, const int *iy, const int *iz, struct err *e)
{
	struct box bx;
	double hmin;
	box_init(&bx, len);
	hmin = fmin(bx.half[0], fmin(bx.half[1], bx.half[2]));
	const struct bonded_terms *bt = &b->bonds, *at = &b->angles;
	for (size_t ty = 0; ty < bt->ntypes && bt->style == BOND_HARMONIC;
	     ty++)
		if (bt->c[ty * BONDED_NC + 1] >= hmin)
			return err_set(e, "bond type %zu: equilibrium length "
				       "%g is not below half the shortest box "
				       "edge (%g): the box is too small for "
				       "the molecule", ty + 1,
				       bt->c[ty * BONDED_NC + 1], hmin);
	for (size_t ty = 0; ty < at->ntypes && at->style == ANGLE_CHARMM;
	     ty++)
		if (at->c[ty * BONDED_NC + 3] >= hmin)
			return err_set(e, "angle type %zu: Urey-Bradley length "
				       "%g is not below half the shortest box "
				       "edge (%g): the box is too small for "
				       "the molecule", ty + 1,
				       at->c[ty * BONDED_NC + 3], hmin);
	if (!ix || !iy || !iz)
		return 0;
	const struct bonded_terms *all[4] = {&b->bonds, &b->angles,
					     &b->dihedrals, &b->impropers};
	for (int k = 0; k < 4; k++) {
		const struct bonded_terms *t = all[k];
		for (size_t n = 0; n < t->n; n++) {
			double p[4][3] = {{0.0}}, span = 0.0;
			for (int m = 0; m < t->nat; m++) {
				size_t i = t->atom[n * (size_t)t->nat +
						   (size_t)m];
				p[m][0] = x[i] + ix[i] * len[0];
				p[m][1] = y[i] + iy[i] * len[1];
				p[m][2] = z[i] + iz[i] * len[2];
			}
			int ax = too_wide(&bx, (const double(*)[3])p, t->nat,
					  &span);
			if (ax >= 0)
				return wide_error(b->atom_id, t, n, ax, span,
						  &bx, 1, e);
		}
	}
	return 0;
}
