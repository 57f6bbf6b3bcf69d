/* tip4p: M sites of 4-site water and the spreading of their forces (see
 * tip4p.h). Formulas as LAMMPS 29Sep2021 PairLJCutTIP4PLong::init_style
 * (alpha), compute_newsite and PPPMTIP4P::find_M (M), and the force
 * partition of both. */
#include "tip4p.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LMP_PI 3.14159265358979323846 /* MathConst::MY_PI */

static int parse_int(const char *s, char **end, int *out)
{
	errno = 0;
	long v = strtol(s, end, 10);
	if (*end == s || errno || v < 1 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

int tip4p_parse(const char *arg, struct tip4p_opts *o, struct err *e)
{
	const char *what = "--tip4p: expected OTYPE,HTYPE,BTYPE,ATYPE,QDIST "
			   "(four types >= 1 and a distance)";
	int *t[4] = {&o->otype, &o->htype, &o->btype, &o->atype};
	const char *s = arg;
	char *end;
	for (int k = 0; k < 4; k++) {
		if (parse_int(s, &end, t[k]) != 0 || *end != ',')
			return err_set(e, "%s, got '%s'", what, arg);
		s = end + 1;
	}
	errno = 0;
	o->qdist = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(o->qdist))
		return err_set(e, "%s, got '%s'", what, arg);
	if (o->qdist < 0)
		return err_set(e, "--tip4p: QDIST %g is negative", o->qdist);
	if (o->otype == o->htype)
		return err_set(e, "--tip4p: O and H types are both %d", o->otype);
	return 0;
}

void tip4p_free(struct tip4p *t)
{
	if (!t)
		return;
	free(t->wat);
	free(t->ox);
	free(t->oy);
	free(t->oz);
	free(t->is_o);
	state_free(&t->site);
	memset(t, 0, sizeof *t);
}

/* Equilibrium bond length (harmonic: K r0) and angle (harmonic or charmm:
 * K theta0 ..., degrees in the file; LAMMPS stores theta0/180 pi). */
static int equilibrium(const struct lmp_data *d, const struct tip4p_opts *o,
		       const char *path, double *b0, double *theta0,
		       struct err *e)
{
	const struct lmp_coeffs *bc = &d->bond_coeffs, *ac = &d->angle_coeffs;
	if (o->btype > (int)d->nbondtypes || !bc->present)
		return err_set(e, "%s: --tip4p: no bond type %d (the file has "
			       "%zu bond types%s)", path, o->btype,
			       d->nbondtypes, bc->present ? "" :
			       " and no Bond Coeffs");
	if (o->atype > (int)d->nangletypes || !ac->present)
		return err_set(e, "%s: --tip4p: no angle type %d (the file has "
			       "%zu angle types%s)", path, o->atype,
			       d->nangletypes, ac->present ? "" :
			       " and no Angle Coeffs");
	if (strcmp(bc->style, "harmonic") != 0)
		return err_set(e, "%s: --tip4p: Bond Coeffs style '%s': the "
			       "equilibrium length needs harmonic", path,
			       bc->style);
	if (strcmp(ac->style, "harmonic") != 0 &&
	    strcmp(ac->style, "charmm") != 0)
		return err_set(e, "%s: --tip4p: Angle Coeffs style '%s': the "
			       "equilibrium angle needs harmonic or charmm",
			       path, ac->style);
	if (bc->nparam[o->btype - 1] < 2 || ac->nparam[o->atype - 1] < 2)
		return err_set(e, "%s: --tip4p: bond type %d or angle type %d "
			       "has no equilibrium value", path, o->btype,
			       o->atype);
	*b0 = bc->p[(size_t)(o->btype - 1) * LMP_MAXP + 1];
	*theta0 = ac->p[(size_t)(o->atype - 1) * LMP_MAXP + 1] / 180.0 * LMP_PI;
	return 0;
}

int tip4p_create(struct tip4p *t, const struct tip4p_opts *o,
		 const struct system *sys, const struct lmp_data *d,
		 const char *path, struct err *e)
{
	memset(t, 0, sizeof *t);
	t->o = *o;
	const size_t n = sys->natoms, nt = sys->ntypes;
	if (o->otype < 1 || o->otype > (int)nt || o->htype < 1 ||
	    o->htype > (int)nt)
		return err_set(e, "%s: --tip4p: types O %d, H %d: the file has "
			       "%zu atom types", path, o->otype, o->htype, nt);
	if (o->otype == o->htype)
		return err_set(e, "%s: --tip4p: O and H types are both %d", path,
			       o->otype);
	const int to = o->otype - 1, th = o->htype - 1;
	if (!(sys->mass_type[to] > sys->mass_type[th]))
		return err_set(e, "%s: --tip4p: O type %d (mass %g) is not "
			       "heavier than H type %d (mass %g): are the "
			       "types swapped?", path, o->otype,
			       sys->mass_type[to], o->htype, sys->mass_type[th]);
	if (sys->lj.eps[(size_t)th * nt + th] != 0.0)
		return err_set(e, "%s: --tip4p: water H type %d has LJ epsilon "
			       "%g; it must be 0 (as LAMMPS lj/cut/tip4p/long)",
			       path, o->htype, sys->lj.eps[(size_t)th * nt + th]);
	double b0 = 0.0, theta0 = 0.0;
	if (equilibrium(d, o, path, &b0, &theta0, e) != 0)
		return -1;
	if (!(o->qdist < b0))
		return err_set(e, "%s: --tip4p: QDIST %g is not below the O-H "
			       "bond length %g", path, o->qdist, b0);
	/* LAMMPS PairLJCutTIP4PLong::init_style, same operations */
	t->alpha = o->qdist / (cos(0.5 * theta0) * b0);

	size_t nh = 0;
	for (size_t i = 0; i < n; i++) {
		t->nwater += sys->type[i] == to;
		nh += sys->type[i] == th;
	}
	if (!t->nwater || !nh)
		return err_set(e, "%s: --tip4p: no atom of %s type %d", path,
			       t->nwater ? "H" : "O", t->nwater ? o->htype
							   : o->otype);
	t->wat = malloc(3 * t->nwater * sizeof *t->wat);
	t->ox = calloc(n, sizeof *t->ox);
	t->oy = calloc(n, sizeof *t->oy);
	t->oz = calloc(n, sizeof *t->oz);
	t->is_o = calloc(n, sizeof *t->is_o);
	if (!t->wat || !t->ox || !t->oy || !t->oz || !t->is_o ||
	    state_alloc(&t->site, n, e) != 0) {
		tip4p_free(t);
		return err_set(e, "%s: --tip4p: out of memory", path);
	}
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (sys->type[i] != to)
			continue;
		/* atoms are sorted by id: id+1, id+2 are at i+1, i+2 if present */
		for (int k = 1; k <= 2; k++) {
			size_t j = i + (size_t)k;
			if (j >= n || sys->id[j] != sys->id[i] + k) {
				err_set(e, "%s: --tip4p: water O atom %ld: its "
					"H atom %ld is missing (each water is O, "
					"H, H with consecutive ids)", path,
					sys->id[i], sys->id[i] + k);
				goto fail;
			}
			if (sys->type[j] != th) {
				err_set(e, "%s: --tip4p: water O atom %ld: atom "
					"%ld has type %d, not the H type %d", path,
					sys->id[i], sys->id[j], sys->type[j] + 1,
					o->htype);
				goto fail;
			}
			if (sys->mol && sys->mol[j] != sys->mol[i]) {
				err_set(e, "%s: --tip4p: water O atom %ld (molecule "
					"%ld): H atom %ld is in molecule %ld", path,
					sys->id[i], sys->mol[i], sys->id[j],
					sys->mol[j]);
				goto fail;
			}
			t->wat[3 * w + k] = j;
		}
		t->wat[3 * w] = i;
		t->is_o[i] = 1;
		w++;
	}
	return 0;
fail:
	tip4p_free(t);
	return -1;
}

static inline double min_image(double d, double L)
{
	return d - L * nearbyint(d / L);
}

void tip4p_sites(struct tip4p *t, const struct state *st)
{
	struct state *s = &t->site;
	const size_t n = st->n;
	const double *L = st->len, a2 = t->alpha * 0.5;
	memcpy(s->lo, st->lo, sizeof s->lo);
	memcpy(s->len, st->len, sizeof s->len);
	s->step = st->step;
	memcpy(s->x, st->x, n * sizeof *s->x);
	memcpy(s->y, st->y, n * sizeof *s->y);
	memcpy(s->z, st->z, n * sizeof *s->z);
	memset(s->fx, 0, n * sizeof *s->fx);
	memset(s->fy, 0, n * sizeof *s->fy);
	memset(s->fz, 0, n * sizeof *s->fz);
	const double *x[3] = {st->x, st->y, st->z};
	double *xs[3] = {s->x, s->y, s->z}, *off[3] = {t->ox, t->oy, t->oz};
	for (size_t w = 0; w < t->nwater; w++) {
		size_t o = t->wat[3 * w], h1 = t->wat[3 * w + 1],
		       h2 = t->wat[3 * w + 2];
		for (int c = 0; c < 3; c++) {
			/* LAMMPS: xM = xO + alpha * 0.5 * (del1 + del2),
			 * del the minimum images of H - O */
			double d1 = min_image(x[c][h1] - x[c][o], L[c]);
			double d2 = min_image(x[c][h2] - x[c][o], L[c]);
			off[c][o] = a2 * (d1 + d2);
			xs[c][o] = x[c][o] + off[c][o];
		}
	}
}

void tip4p_spread(const struct tip4p *t, struct state *st)
{
	const struct state *s = &t->site;
	const size_t n = st->n;
	const double a = t->alpha, ha = 0.5 * t->alpha;
	for (size_t i = 0; i < n; i++) {
		if (t->is_o[i])
			continue;
		st->fx[i] += s->fx[i];
		st->fy[i] += s->fy[i];
		st->fz[i] += s->fz[i];
	}
	/* LAMMPS: fO = F (1 - alpha), fH = 0.5 alpha F */
	const double *fs[3] = {s->fx, s->fy, s->fz};
	double *f[3] = {st->fx, st->fy, st->fz};
	for (size_t w = 0; w < t->nwater; w++) {
		size_t o = t->wat[3 * w], h1 = t->wat[3 * w + 1],
		       h2 = t->wat[3 * w + 2];
		for (int c = 0; c < 3; c++) {
			double F = fs[c][o];
			f[c][o] += F * (1 - a);
			f[c][h1] += ha * F;
			f[c][h2] += ha * F;
		}
	}
}
