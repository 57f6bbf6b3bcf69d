/* decouple: linear Coulomb decoupling of a solute molecule beside the
 * soft-core LJ of softcore.c (see decouple.h for the energy and why two
 * k-space calls suffice). */
#include "decouple.h"

#include <stdlib.h>
#include <string.h>

void decouple_free(struct decouple *dc)
{
	if (!dc)
		return;
	free(dc->qneg);
	free(dc->xp);
	free(dc->buf);
	memset(dc, 0, sizeof *dc);
}

void decouple_set_lambda(struct decouple *dc, double lc)
{
	dc->lc = lc;
}

int decouple_init(struct decouple *dc, struct forcefield *ff,
		  const struct system *sys, struct softcore *sc, struct err *e)
{
	const size_t N = sys->natoms;
	size_t *pi = NULL, *pj = NULL;
	double *pf = NULL;
	size_t np = 0;
	memset(dc, 0, sizeof *dc);
	dc->natoms = N;
	dc->ndec = sc->ndec;
	dc->lc = sc->lam.coul;
	if (ff->nspairs) {
		pi = malloc(ff->nspairs * sizeof *pi);
		pj = malloc(ff->nspairs * sizeof *pj);
		pf = malloc(ff->nspairs * sizeof *pf);
		if (!pi || !pj || !pf) {
			err_set(e, "out of memory");
			goto fail;
		}
	}
	for (size_t k = 0; k < ff->nspairs; k++) {
		const struct special_pair *p = &ff->spairs[k];
		if (sc->is_dec[p->i] != sc->is_dec[p->j]) {
			err_set(e, "--decouple: atoms %ld and %ld are bonded (a "
				   "1-%d pair) but only one of them is decoupled; "
				   "decouple whole molecules (mol:N)",
				sys->id[p->i], sys->id[p->j], p->rel + 1);
			goto fail;
		}
		if (sc->is_dec[p->i] && p->lj != 1.0) {
			pi[np] = p->i;
			pj[np] = p->j;
			pf[np++] = p->lj;
		}
	}
	if (np && softcore_set_special(sc, pi, pj, pf, np, e) != 0)
		goto fail;
	free(pi);
	free(pj);
	free(pf);
	pi = pj = NULL;
	pf = NULL;

	int qsol = 0, qenv = 0;
	for (size_t i = 0; i < N; i++)
		if (sys->q[i] != 0.0) {
			if (sc->is_dec[i])
				qsol = 1;
			else
				qenv = 1;
		}
	dc->coul = qsol && ff->has_charge;
	ff->dc = dc;
	if (!dc->coul)
		return 0;
	dc->qneg = malloc(N * sizeof *dc->qneg);
	dc->buf = malloc(6 * N * sizeof *dc->buf);
	if (!dc->qneg || !dc->buf) {
		err_set(e, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < N; i++)
		dc->qneg[i] = sc->is_dec[i] ? -sys->q[i] : sys->q[i];
	if (qenv) {
		size_t nenv = 0;
		for (size_t i = 0; i < N; i++)
			nenv += !sc->is_dec[i] && sys->q[i] != 0.0;
		dc->xp = malloc(nenv * sc->ndec * sizeof *dc->xp);
		if (!dc->xp) {
			err_set(e, "out of memory");
			goto fail;
		}
		for (size_t a = 0; a < sc->ndec; a++) {
			size_t i = sc->dec[a];
			if (sys->q[i] == 0.0)
				continue;
			for (size_t j = 0; j < N; j++)
				if (!sc->is_dec[j] && sys->q[j] != 0.0)
					dc->xp[dc->nxp++] =
						(struct coul_pair){i, j, 1.0};
		}
	}
	return 0;
fail:
	free(pi);
	free(pj);
	free(pf);
	ff->dc = NULL;
	decouple_free(dc);
	return -1;
}

/* Solute-environment real-space energy (erfc pairs within rc) of st, its
 * forces into fx.. (zeroed here, length natoms) and virial into v. */
static double cross_real(const struct decouple *dc, const struct forcefield *ff,
			 const struct state *st, const double *q, double *fx,
			 double *fy, double *fz, double v[6])
{
	double en = 0.0;
	memset(fx, 0, dc->natoms * sizeof *fx);
	memset(fy, 0, dc->natoms * sizeof *fy);
	memset(fz, 0, dc->natoms * sizeof *fz);
	memset(v, 0, 6 * sizeof *v);
	coul_long_special_full(ff->cl, st, q, dc->xp, dc->nxp, fx, fy, fz, &en,
			       v);
	return en;
}

void decouple_coul_real(struct decouple *dc, const struct forcefield *ff,
			const struct state *st, const double *q, double *fx,
			double *fy, double *fz, double *ecoul,
			double virial[6])
{
	dc->x_real = dc->x_k = dc->dudl_coul = 0.0;
	if (!dc->coul || !ff->cl)
		return;
	const size_t N = dc->natoms;
	double *bx = dc->buf, *by = bx + N, *bz = by + N, v[6];
	dc->x_real = cross_real(dc, ff, st, q, bx, by, bz, v);
	dc->dudl_coul = dc->x_real;
	const double s = -(1.0 - dc->lc);
	if (s == 0.0)
		return;
	for (size_t i = 0; i < N; i++) {
		fx[i] += s * bx[i];
		fy[i] += s * by[i];
		fz[i] += s * bz[i];
	}
	*ecoul += s * dc->x_real;
	for (int c = 0; c < 6; c++)
		virial[c] += s * v[c];
}

/* U_k(q) into buffer A (forces), U_k(q') into buffer B; energies, virials. */
static int kspace_pair(struct decouple *dc, struct forcefield *ff,
		       const struct state *st, const double *q, double *ea,
		       double va[6], double *eb, double vb[6], struct err *e)
{
	const size_t N = dc->natoms;
	double *a = dc->buf, *b = dc->buf + 3 * N;
	memset(dc->buf, 0, 6 * N * sizeof *dc->buf);
	*ea = *eb = 0.0;
	memset(va, 0, 6 * sizeof *va);
	memset(vb, 0, 6 * sizeof *vb);
	if (forcefield_kspace(ff, st, q, ea, va, a, a + N, a + 2 * N, e) != 0 ||
	    forcefield_kspace(ff, st, dc->qneg, eb, vb, b, b + N, b + 2 * N,
			      e) != 0)
		return -1;
	return 0;
}

int decouple_kspace(struct decouple *dc, struct forcefield *ff,
		    const struct state *st, const double *q, double *elong,
		    double virial[6], double *fx, double *fy, double *fz,
		    struct err *e)
{
	if (!dc->coul) {
		dc->x_k = 0.0;
		return forcefield_kspace(ff, st, q, elong, virial, fx, fy, fz, e);
	}
	const size_t N = dc->natoms;
	double ea, eb, va[6], vb[6];
	if (kspace_pair(dc, ff, st, q, &ea, va, &eb, vb, e) != 0)
		return -1;
	/* U_k(lc) = ca U_k(q) + cb U_k(q'); at lc = 1, cb = 0 exactly and
	 * the forces are U_k(q)'s to the bit */
	const double ca = 0.5 * (1.0 + dc->lc), cb = 0.5 * (1.0 - dc->lc);
	const double *a = dc->buf, *b = dc->buf + 3 * N;
	for (size_t i = 0; i < N; i++) {
		fx[i] += ca * a[i] + cb * b[i];
		fy[i] += ca * a[N + i] + cb * b[N + i];
		fz[i] += ca * a[2 * N + i] + cb * b[2 * N + i];
	}
	if (elong)
		*elong += ca * ea + cb * eb;
	if (virial)
		for (int c = 0; c < 6; c++)
			virial[c] += ca * va[c] + cb * vb[c];
	dc->x_k = 0.5 * (ea - eb);
	dc->dudl_coul = dc->x_real + dc->x_k;
	return 0;
}

int decouple_coul_cross(struct decouple *dc, struct forcefield *ff,
			const struct state *st, const double *q, double *x,
			struct err *e)
{
	*x = 0.0;
	if (!dc->coul || !ff->cl)
		return 0;
	const size_t N = dc->natoms;
	double v[6], va[6], vb[6], ea, eb;
	double xr = cross_real(dc, ff, st, q, dc->buf, dc->buf + N,
			       dc->buf + 2 * N, v);
	double xk = 0.0;
	if (ff->pppm || ff->ewald) {
		if (kspace_pair(dc, ff, st, q, &ea, va, &eb, vb, e) != 0)
			return -1;
		xk = 0.5 * (ea - eb);
	}
	*x = xr + xk;
	return 0;
}
