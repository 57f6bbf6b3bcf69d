/* molbuild: merge molecule templates into one box; packmol input/output.
 * See molbuild.h. */
#include "molbuild.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bonded.h"

/* g/mol per A^3 -> g/cm^3: 1e24 / N_A */
#define DENSITY_FACTOR 1.66053906660

static const char *const kind_name[4] = {"Bond", "Angle", "Dihedral",
					 "Improper"};

static struct lmp_topo *topo(struct lmp_data *d, int k)
{
	struct lmp_topo *t[4] = {&d->bonds, &d->angles, &d->dihedrals,
				 &d->impropers};
	return t[k];
}

static const struct lmp_topo *ctopo(const struct lmp_data *d, int k)
{
	return topo((struct lmp_data *)d, k);
}

static struct lmp_coeffs *coeffs(struct lmp_data *d, int k)
{
	struct lmp_coeffs *c[4] = {&d->bond_coeffs, &d->angle_coeffs,
				   &d->dihedral_coeffs, &d->improper_coeffs};
	return c[k];
}

static const struct lmp_coeffs *ccoeffs(const struct lmp_data *d, int k)
{
	return coeffs((struct lmp_data *)d, k);
}

static size_t *ntypes_of(struct lmp_data *d, int k)
{
	size_t *n[4] = {&d->nbondtypes, &d->nangletypes, &d->ndihedraltypes,
			&d->nimpropertypes};
	return n[k];
}

static size_t cntypes(const struct lmp_data *d, int k)
{
	return *ntypes_of((struct lmp_data *)d, k);
}

int molbuild_parse_spec(const char *arg, struct molbuild_spec *s,
			struct err *e)
{
	const char *c1 = strrchr(arg, ':'), *cnt;
	char *end;
	memset(s, 0, sizeof *s);
	if (c1 && !strcmp(c1 + 1, "zspread")) {
		s->zspread = 1;
		const char *c0 = c1;
		while (c0 > arg && c0[-1] != ':')
			c0--;
		cnt = c0;
		c1 = c0 > arg ? c0 - 1 : NULL;
	} else {
		cnt = c1 ? c1 + 1 : NULL;
	}
	if (!c1 || c1 == arg)
		return err_set(e, "--mol: '%s' is not FILE:COUNT[:zspread]", arg);
	errno = 0;
	long n = strtol(cnt, &end, 10);
	if (end == cnt || (*end && *end != ':') || errno)
		return err_set(e, "--mol: '%s': count '%.*s' is not an integer "
			       "(FILE:COUNT[:zspread])", arg,
			       (int)strcspn(cnt, ":"), cnt);
	if (n <= 0)
		return err_set(e, "--mol: '%s': count must be > 0", arg);
	s->count = n;
	if (!(s->path = strndup(arg, (size_t)(c1 - arg))))
		return err_set(e, "--mol: out of memory");
	return 0;
}

void molbuild_spec_free(struct molbuild_spec *s)
{
	free(s->path);
	s->path = NULL;
}

/* Unwrapped coordinate a of atom i of template t. */
static double tcoord(const struct lmp_data *t, size_t i, int a)
{
	const double *x[3] = {t->x, t->y, t->z};
	const int *im[3] = {t->ix, t->iy, t->iz};
	return x[a][i] + (im[a] ? im[a][i] : 0) * (t->hi[a] - t->lo[a]);
}

static int check_template(struct molbuild *mb, size_t k, struct err *e)
{
	const struct lmp_data *t = &mb->tmpl[k];
	const char *p = mb->spec[k].path;
	struct bonded b;
	if (t->style != LMP_FULL)
		return err_set(e, "%s: a template needs atom_style full "
			       "(Atoms # full: molecule ids and charges)", p);
	if (!t->natoms)
		return err_set(e, "%s: no atoms", p);
	if (!t->has_mass)
		return err_set(e, "%s: no Masses (a template carries its "
			       "parameters)", p);
	if (t->has_pairij)
		return err_set(e, "%s: PairIJ Coeffs are not supported in a "
			       "template (give Pair Coeffs; the run mixes)", p);
	if (!t->has_pair)
		return err_set(e, "%s: no Pair Coeffs (a template carries its "
			       "parameters)", p);
	if (t->bondbond_coeffs.present || t->bondangle_coeffs.present)
		return err_set(e, "%s: class2 cross terms are not supported", p);
	for (int c = 0; c < 4; c++)
		if (cntypes(t, c) && !ccoeffs(t, c)->present)
			return err_set(e, "%s: %zu %s types but no %s Coeffs (a "
				       "template carries its parameters)", p,
				       cntypes(t, c), kind_name[c], kind_name[c]);
	/* every bonded type has coefficients and a supported style */
	if (bonded_from_data(&b, t, NULL, p, e))
		return -1;
	bonded_free(&b);
	/* The copies are the template's unwrapped atoms (tcoord). A bond
	 * longer than half the template's box along an axis has a closer
	 * image, the one LAMMPS takes: the image flags leave the molecule cut
	 * by the box, and its copies would be broken (thousands of kcal/mol
	 * of bond energy). Only bonds: a box fitted to the molecule is fine. */
	for (size_t n = 0; n < t->bonds.n; n++) {
		long i = lmp_data_index(t, t->bonds.atom[2 * n]);
		long j = lmp_data_index(t, t->bonds.atom[2 * n + 1]);
		for (int a = 0; a < 3; a++) {
			double d = fabs(tcoord(t, (size_t)i, a) -
					tcoord(t, (size_t)j, a));
			double len = t->hi[a] - t->lo[a];
			if (d > 0.5 * len)
				return err_set(e, "%s: bond %ld (atoms %ld %ld) "
					       "spans %g along %c, more than "
					       "half the template's box (%g): "
					       "its image flags do not keep the "
					       "molecule whole", p,
					       t->bonds.id[n],
					       t->bonds.atom[2 * n],
					       t->bonds.atom[2 * n + 1], d,
					       "xyz"[a], len);
		}
	}
	for (size_t i = 1; i < t->natoms; i++)
		if (t->mol[i] != t->mol[0])
			return err_set(e, "%s: atoms of molecule ids %ld and "
				       "%ld: a template holds one molecule",
				       p, t->mol[0], t->mol[i]);
	double cm[3] = {0, 0, 0}, best = INFINITY, dmax = 0, m = 0;
	for (size_t i = 0; i < t->natoms; i++) {
		for (int a = 0; a < 3; a++)
			cm[a] += tcoord(t, i, a) / (double)t->natoms;
		m += t->mass[t->type[i] - 1];
	}
	for (size_t i = 0; i < t->natoms; i++) {
		double r2 = 0;
		for (int a = 0; a < 3; a++)
			r2 += pow(tcoord(t, i, a) - cm[a], 2);
		if (r2 < best) {
			best = r2;
			mb->center[k] = i;
		}
		for (size_t j = i + 1; j < t->natoms; j++) {
			double d2 = 0;
			for (int a = 0; a < 3; a++)
				d2 += pow(tcoord(t, i, a) - tcoord(t, j, a), 2);
			if (d2 > dmax)
				dmax = d2;
		}
	}
	mb->size[k] = sqrt(dmax);
	mb->mass[k] = m;
	return 0;
}

int molbuild_load(struct molbuild *mb, struct molbuild_spec *spec,
		  size_t nspec, struct err *e)
{
	memset(mb, 0, sizeof *mb);
	mb->nspec = nspec;
	mb->spec = spec;
	mb->tmpl = calloc(nspec, sizeof *mb->tmpl);
	mb->center = calloc(nspec, sizeof *mb->center);
	mb->size = calloc(nspec, sizeof *mb->size);
	mb->mass = calloc(nspec, sizeof *mb->mass);
	if (!nspec)
		return err_set(e, "no molecules (--mol FILE:COUNT)");
	if (!mb->tmpl || !mb->center || !mb->size || !mb->mass)
		return err_set(e, "out of memory");
	for (size_t k = 0; k < nspec; k++) {
		if (lmp_data_read(&mb->tmpl[k], spec[k].path, e))
			return -1;
		if (check_template(mb, k, e))
			return -1;
		if ((size_t)spec[k].count > (SIZE_MAX / 2 - mb->natoms) /
		    mb->tmpl[k].natoms)
			return err_set(e, "%s: %ld copies are too many",
				       spec[k].path, spec[k].count);
		mb->natoms += (size_t)spec[k].count * mb->tmpl[k].natoms;
	}
	/* LAMMPS takes one style per kind (hybrid aside) */
	for (int c = 0; c < 4; c++) {
		size_t first = nspec;
		for (size_t k = 0; k < nspec; k++) {
			const struct lmp_coeffs *co = ccoeffs(&mb->tmpl[k], c);
			if (!co->present || !co->ntypes)
				continue;
			if (first == nspec)
				first = k;
			else if (strcmp(co->style,
					ccoeffs(&mb->tmpl[first], c)->style))
				return err_set(e, "%s: %s Coeffs style '%s' "
					       "differs from '%s' of %s (one "
					       "style per kind in a box)",
					       spec[k].path, kind_name[c],
					       co->style,
					       ccoeffs(&mb->tmpl[first], c)->style,
					       spec[first].path);
		}
	}
	return 0;
}

void molbuild_free(struct molbuild *mb)
{
	for (size_t k = 0; mb->tmpl && k < mb->nspec; k++)
		lmp_data_free(&mb->tmpl[k]);
	for (size_t k = 0; mb->spec && k < mb->nspec; k++)
		molbuild_spec_free(&mb->spec[k]);
	free(mb->tmpl);
	free(mb->center);
	free(mb->size);
	free(mb->mass);
	memset(mb, 0, sizeof *mb);
}

double molbuild_density(const struct molbuild *mb, const double box[3])
{
	double m = 0;
	for (size_t k = 0; k < mb->nspec; k++)
		m += mb->mass[k] * (double)mb->spec[k].count;
	return m / (box[0] * box[1] * box[2]) * DENSITY_FACTOR;
}

int molbuild_check_box(const struct molbuild *mb, const double box[3],
		       double tolerance, double max_density, struct err *e)
{
	double lmin = fmin(box[0], fmin(box[1], box[2]));
	for (size_t k = 0; k < mb->nspec; k++)
		if (mb->size[k] > lmin - tolerance)
			return err_set(e, "%s: the molecule (%.3g A across) does "
				       "not fit in the box less the tolerance "
				       "(%.3g A): the box is too small for the "
				       "molecules", mb->spec[k].path,
				       mb->size[k], lmin - tolerance);
	double rho = molbuild_density(mb, box);
	if (rho > max_density)
		return err_set(e, "the molecules would have a density of %.3g "
			       "g/cm^3 in this box (over %g): the box is too "
			       "small for the molecules", rho, max_density);
	return 0;
}

static const char *element(double m)
{
	static const struct { double m; const char *el; } tab[] = {
		{1.008, "H"}, {12.011, "C"}, {14.007, "N"}, {15.999, "O"},
		{18.998, "F"}, {22.990, "Na"}, {30.974, "P"}, {32.06, "S"},
		{35.45, "Cl"}, {39.098, "K"}};
	for (size_t k = 0; k < sizeof tab / sizeof *tab; k++)
		if (fabs(m - tab[k].m) < 0.1)
			return tab[k].el;
	return "X";
}

int molbuild_write_xyz(const struct molbuild *mb, size_t k, FILE *fp,
		       struct err *e)
{
	const struct lmp_data *t = &mb->tmpl[k];
	fprintf(fp, "%zu\n%s\n", t->natoms, mb->spec[k].path);
	for (size_t i = 0; i < t->natoms; i++)
		fprintf(fp, "%s %.10f %.10f %.10f\n",
			element(t->mass[t->type[i] - 1]), tcoord(t, i, 0),
			tcoord(t, i, 1), tcoord(t, i, 2));
	if (fflush(fp) || ferror(fp))
		return err_set(e, "%s: cannot write its xyz copy: %s",
			       mb->spec[k].path, strerror(errno));
	return 0;
}

/* Minimum-image squared distance. */
static double d2_min(const double *a, const double *b, const double box[3])
{
	double s = 0;
	for (int k = 0; k < 3; k++) {
		double d = a[k] - b[k];
		d -= box[k] * nearbyint(d / box[k]);
		s += d * d;
	}
	return s;
}

int molbuild_place_zspread(const struct molbuild *mb, const double box[3],
			   double tolerance, struct rng *r, long max_tries,
			   double **pos, struct err *e)
{
	double lo = tolerance / 2, hi[3], tol2 = tolerance * tolerance;
	size_t nplaced = 0, cap = 0;
	double *placed = NULL;     /* atoms of the copies placed so far */
	for (int a = 0; a < 3; a++)
		hi[a] = box[a] - tolerance / 2;
	for (size_t k = 0; k < mb->nspec; k++)
		pos[k] = NULL;
	for (size_t k = 0; k < mb->nspec; k++) {
		const struct molbuild_spec *s = &mb->spec[k];
		const struct lmp_data *t = &mb->tmpl[k];
		size_t n = t->natoms, c0 = mb->center[k];
		if (!s->zspread)
			continue;
		pos[k] = malloc((size_t)s->count * n * 3 * sizeof *pos[k]);
		if (cap < nplaced + (size_t)s->count * n) {
			cap = nplaced + (size_t)s->count * n;
			double *np = realloc(placed, cap * 3 * sizeof *placed);
			if (!np) {
				err_set(e, "out of memory");
				goto fail;
			}
			placed = np;
		}
		if (!pos[k]) {
			err_set(e, "out of memory");
			goto fail;
		}
		double h = (hi[2] - lo) / (double)s->count;
		for (long l = 0; l < s->count; l++) {
			double *p = pos[k] + (size_t)l * n * 3;
			long tries = 0;
			for (;;) {
				if (tries++ == max_tries) {
					err_set(e, "%s: no room for copy %ld of "
						       "%ld in its z layer [%.4g, %.4g) "
						       "after %ld tries (--max-tries): the "
						       "box is too small for the molecules",
						       s->path, l + 1, s->count,
						       lo + h * (double)l,
						       lo + h * (double)(l + 1),
						       max_tries);
					goto fail;
				}
				/* uniform rotation: unit quaternion (Shoemake) */
				double u1 = rng_uniform(r), u2 = 2 * M_PI * rng_uniform(r),
				       u3 = 2 * M_PI * rng_uniform(r);
				double qw = sqrt(1 - u1) * sin(u2), qx = sqrt(1 - u1) * cos(u2),
				       qy = sqrt(u1) * sin(u3), qz = sqrt(u1) * cos(u3);
				double R[3][3] = {
					{1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw)},
					{2 * (qx * qy + qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw)},
					{2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy)}};
				double cpos[3] = {lo + (hi[0] - lo) * rng_uniform(r),
						  lo + (hi[1] - lo) * rng_uniform(r),
						  lo + h * ((double)l + rng_uniform(r))};
				int good = 1;
				for (size_t i = 0; i < n && good; i++) {
					double d[3];
					for (int a = 0; a < 3; a++)
						d[a] = tcoord(t, i, a) - tcoord(t, c0, a);
					for (int a = 0; a < 3; a++) {
						p[i * 3 + a] = cpos[a] + R[a][0] * d[0] +
							R[a][1] * d[1] + R[a][2] * d[2];
						if (p[i * 3 + a] < lo || p[i * 3 + a] > hi[a])
							good = 0;
					}
					for (size_t j = 0; j < nplaced && good; j++)
						if (d2_min(p + i * 3, placed + j * 3, box) < tol2)
							good = 0;
				}
				if (good)
					break;
			}
			memcpy(placed + nplaced * 3, p, n * 3 * sizeof *p);
			nplaced += n;
		}
	}
	free(placed);
	return 0;
fail:
	free(placed);
	for (size_t k = 0; k < mb->nspec; k++) {
		free(pos[k]);
		pos[k] = NULL;
	}
	return -1;
}

int molbuild_write_placed_xyz(const struct molbuild *mb, size_t k,
			      const double *pos, FILE *fp, struct err *e)
{
	const struct lmp_data *t = &mb->tmpl[k];
	size_t n = t->natoms * (size_t)mb->spec[k].count;
	fprintf(fp, "%zu\n%s x %ld placed by box-build (zspread)\n", n,
		mb->spec[k].path, mb->spec[k].count);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s %.10f %.10f %.10f\n",
			element(t->mass[t->type[i % t->natoms] - 1]),
			pos[i * 3], pos[i * 3 + 1], pos[i * 3 + 2]);
	if (fflush(fp) || ferror(fp))
		return err_set(e, "%s: cannot write the placed copies: %s",
			       mb->spec[k].path, strerror(errno));
	return 0;
}

int molbuild_packmol_input(const struct molbuild *mb, const double box[3],
			   double tolerance, long seed, long nloop,
			   const char *const *xyz, const char *out, FILE *fp,
			   struct err *e)
{
	double lo = tolerance / 2, hi[3];
	for (int a = 0; a < 3; a++)
		hi[a] = box[a] - tolerance / 2;
	fprintf(fp, "# packmol input written by soretkit box-build\n"
		"tolerance %.10g\nseed %ld\nfiletype xyz\noutput %s\n",
		tolerance, seed, out);
	if (nloop > 0)
		fprintf(fp, "nloop %ld\n", nloop);
	for (size_t k = 0; k < mb->nspec; k++) {
		const struct molbuild_spec *s = &mb->spec[k];
		if (s->zspread)
			fprintf(fp, "\nstructure %s\n  number 1\n"
				"  fixed 0. 0. 0. 0. 0. 0.\nend structure\n",
				xyz[k]);
		else
			fprintf(fp, "\nstructure %s\n  number %ld\n"
				"  inside box %.10g %.10g %.10g %.10g %.10g %.10g\n"
				"end structure\n", xyz[k], s->count, lo, lo,
				lo, hi[0], hi[1], hi[2]);
	}
	if (fflush(fp) || ferror(fp))
		return err_set(e, "packmol input: write error: %s",
			       strerror(errno));
	return 0;
}

int molbuild_read_xyz(const struct molbuild *mb, const char *path,
		      double *x, double *y, double *z, struct err *e)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	long lineno = 0;
	int rc = -1;
	if (!fp)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (!fgets(line, sizeof line, fp)) {
		err_set(e, "%s:1: empty file", path);
		goto out;
	}
	lineno = 1;
	char *end;
	errno = 0;
	long n = strtol(line, &end, 10);
	if (end == line || errno || n < 0 || (size_t)n != mb->natoms) {
		err_set(e, "%s:1: %ld atoms, expected %zu", path, n, mb->natoms);
		goto out;
	}
	if (!fgets(line, sizeof line, fp)) {
		err_set(e, "%s:2: truncated", path);
		goto out;
	}
	lineno = 2;
	for (size_t i = 0; i < mb->natoms; i++) {
		char el[16];
		lineno++;
		if (!fgets(line, sizeof line, fp) ||
		    sscanf(line, "%15s %lf %lf %lf", el, &x[i], &y[i], &z[i]) != 4 ||
		    !isfinite(x[i]) || !isfinite(y[i]) || !isfinite(z[i])) {
			err_set(e, "%s:%ld: expected 'element x y z'", path,
				lineno);
			goto out;
		}
	}
	rc = 0;
out:
	fclose(fp);
	return rc;
}

/* Copy a template's Coeffs rows into the merged section at offset off. */
static void put_rows(struct lmp_coeffs *dst, const struct lmp_coeffs *src,
		     size_t off)
{
	for (size_t t = 0; t < src->ntypes; t++) {
		dst->nparam[off + t] = src->nparam[t];
		memcpy(dst->p + (off + t) * LMP_MAXP, src->p + t * LMP_MAXP,
		       LMP_MAXP * sizeof *dst->p);
	}
}

int molbuild_merge(const struct molbuild *mb, const double box[3],
		   const double *x, const double *y, const double *z,
		   const char *title, struct lmp_data *out, struct err *e)
{
	size_t nt = 0, nk[4] = {0}, nterm[4] = {0};
	for (size_t k = 0; k < mb->nspec; k++) {
		const struct lmp_data *t = &mb->tmpl[k];
		nt += t->ntypes;
		for (int c = 0; c < 4; c++) {
			nk[c] += cntypes(t, c);
			nterm[c] += ctopo(t, c)->n * (size_t)mb->spec[k].count;
		}
	}
	if (lmp_data_alloc(out, mb->natoms, nt, 0, e))
		return -1;
	out->style = LMP_FULL;
	out->title = strdup(title ? title : "LAMMPS data file via soretkit box-build");
	/* the templates' pair style when they agree (a comment only: the
	 * rows are eps sigma either way), else the study's */
	snprintf(out->pair_style, sizeof out->pair_style, "%s",
		 mb->tmpl[0].pair_style[0] ? mb->tmpl[0].pair_style : "lj/cut/coul/long");
	for (size_t k = 1; k < mb->nspec; k++)
		if (strcmp(mb->tmpl[k].pair_style, out->pair_style))
			snprintf(out->pair_style, sizeof out->pair_style,
				 "lj/cut/coul/long");
	out->has_mass = out->has_pair = 1;
	for (int a = 0; a < 3; a++) {
		out->lo[a] = 0;
		out->hi[a] = box[a];
	}
	for (int c = 0; c < 4; c++) {
		struct lmp_topo *tp = topo(out, c);
		struct lmp_coeffs *co = coeffs(out, c);
		*ntypes_of(out, c) = nk[c];
		tp->n = nterm[c];
		if (nterm[c]) {
			tp->id = calloc(nterm[c], sizeof *tp->id);
			tp->type = calloc(nterm[c], sizeof *tp->type);
			tp->atom = calloc(nterm[c] * (size_t)tp->nat,
					  sizeof *tp->atom);
			if (!tp->id || !tp->type || !tp->atom)
				goto oom;
		}
		if (nk[c]) {
			co->present = 1;
			co->ntypes = nk[c];
			co->nparam = calloc(nk[c], sizeof *co->nparam);
			co->p = calloc(nk[c] * LMP_MAXP, sizeof *co->p);
			if (!co->nparam || !co->p)
				goto oom;
			for (size_t k = 0; k < mb->nspec; k++)
				if (ccoeffs(&mb->tmpl[k], c)->present &&
				    ccoeffs(&mb->tmpl[k], c)->ntypes) {
					snprintf(co->style, sizeof co->style, "%s",
						 ccoeffs(&mb->tmpl[k], c)->style);
					break;
				}
		}
	}
	if (!out->title)
		goto oom;

	size_t toff = 0, koff[4] = {0}, kn[4] = {0}, i0 = 0;
	long mol0 = 0;
	for (size_t k = 0; k < mb->nspec; k++) {
		const struct lmp_data *t = &mb->tmpl[k];
		for (size_t a = 0; a < t->ntypes; a++) {
			out->mass[toff + a] = t->mass[a];
			size_t src = a * t->ntypes + a, dst = (toff + a) * nt + toff + a;
			out->pair_eps[dst] = t->pair_eps[src];
			out->pair_sig[dst] = t->pair_sig[src];
			out->pair_cut[dst] = t->pair_cut[src];
		}
		for (int c = 0; c < 4; c++)
			if (cntypes(t, c) && ccoeffs(t, c)->present)
				put_rows(coeffs(out, c), ccoeffs(t, c), koff[c]);
		/* molecule ids of the template, in order of first appearance,
		 * become mol0 + 1, mol0 + 2, ... in every copy */
		long *tm = malloc(t->natoms * sizeof *tm), nm = 0;
		if (!tm)
			goto oom;
		for (size_t i = 0; i < t->natoms; i++) {
			size_t j = 0;
			while (j < i && t->mol[j] != t->mol[i])
				j++;
			tm[i] = j < i ? tm[j] : ++nm;
		}
		for (long c = 0; c < mb->spec[k].count; c++) {
			size_t base = i0 + (size_t)c * t->natoms;
			for (size_t i = 0; i < t->natoms; i++) {
				size_t o = base + i;
				out->id[o] = (long)o + 1;
				out->type[o] = t->type[i] + (int)toff;
				out->mol[o] = mol0 + tm[i];
				out->q[o] = t->q[i];
				out->x[o] = x[o];
				out->y[o] = y[o];
				out->z[o] = z[o];
			}
			for (int kk = 0; kk < 4; kk++) {
				const struct lmp_topo *st = ctopo(t, kk);
				struct lmp_topo *dt = topo(out, kk);
				for (size_t m = 0; m < st->n; m++) {
					size_t o = kn[kk]++;
					dt->id[o] = (long)o + 1;
					dt->type[o] = st->type[m] + (int)koff[kk];
					for (int a = 0; a < st->nat; a++) {
						long idx = lmp_data_index(t, st->atom[m * st->nat + a]);
						dt->atom[o * dt->nat + a] = (long)base + idx + 1;
					}
				}
			}
			mol0 += nm;
		}
		free(tm);
		i0 += (size_t)mb->spec[k].count * t->natoms;
		toff += t->ntypes;
		for (int c = 0; c < 4; c++)
			koff[c] += cntypes(t, c);
	}
	return 0;
oom:
	lmp_data_free(out);
	return err_set(e, "out of memory merging %zu atoms", mb->natoms);
}

