/* constrain: SHAKE, SETTLE and RATTLE in the design of LAMMPS fix shake /
 * fix rattle; see constrain.h. Clusters are independent (no atom is in
 * two), so each is solved on its own; the loops are serial, so the
 * virial's summation order, hence every number, does not depend on the
 * thread count. */
#include "constrain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- cluster geometry --------------------------------------------------- */

/* Constraint pairs (cluster-local atom indices) of each kind: water 0-1,
 * 0-2, 1-2; bond clusters 0-k. */
static const int PAIRS[5][3][2] = {
	{{0, 0}, {0, 0}, {0, 0}},
	{{0, 1}, {0, 2}, {1, 2}},
	{{0, 1}, {0, 0}, {0, 0}},
	{{0, 1}, {0, 2}, {0, 0}},
	{{0, 1}, {0, 2}, {0, 3}},
};

static int ncon(int kind) { return kind == CL_WATER ? 3 : kind - 1; }
static int natom(int kind) { return kind == CL_WATER ? 3 : kind; }

/* Coefficient of lambda_l r_l in the change of r_k = x_p - x_q when atom
 * p_l moves by +im lambda_l r_l and q_l by -im lambda_l r_l. */
static double coef(const int pk[2], const int pl[2], const double im[4])
{
	return ((pk[0] == pl[0]) - (pk[0] == pl[1])) * im[pk[0]] -
	       ((pk[1] == pl[0]) - (pk[1] == pl[1])) * im[pk[1]];
}

/* Minimum image by rounding (positions may be unwrapped), as bonded.c. */
static inline void mimage(const double len[3], double d[3])
{
	for (int a = 0; a < 3; a++)
		d[a] -= len[a] * nearbyint(d[a] / len[a]);
}

static inline double dot3(const double a[3], const double b[3])
{
	return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void cross3(const double a[3], const double b[3], double c[3])
{
	c[0] = a[1] * b[2] - a[2] * b[1];
	c[1] = a[2] * b[0] - a[0] * b[2];
	c[2] = a[0] * b[1] - a[1] * b[0];
}

/* Solve M x = b for n = 1..3 by the explicit inverse (as LAMMPS); 0 if M
 * is singular. */
static int solve_small(int n, double M[3][3], const double b[3], double x[3])
{
	if (n == 1) {
		if (M[0][0] == 0.0)
			return 0;
		x[0] = b[0] / M[0][0];
		return 1;
	}
	if (n == 2) {
		double det = M[0][0] * M[1][1] - M[0][1] * M[1][0];
		if (det == 0.0)
			return 0;
		double di = 1.0 / det;
		x[0] = di * (M[1][1] * b[0] - M[0][1] * b[1]);
		x[1] = di * (-M[1][0] * b[0] + M[0][0] * b[1]);
		return 1;
	}
	double det = M[0][0] * M[1][1] * M[2][2] + M[0][1] * M[1][2] * M[2][0] +
		     M[0][2] * M[1][0] * M[2][1] - M[0][0] * M[1][2] * M[2][1] -
		     M[0][1] * M[1][0] * M[2][2] - M[0][2] * M[1][1] * M[2][0];
	if (det == 0.0)
		return 0;
	double di = 1.0 / det, A[3][3];
	A[0][0] = di * (M[1][1] * M[2][2] - M[1][2] * M[2][1]);
	A[0][1] = -di * (M[0][1] * M[2][2] - M[0][2] * M[2][1]);
	A[0][2] = di * (M[0][1] * M[1][2] - M[0][2] * M[1][1]);
	A[1][0] = -di * (M[1][0] * M[2][2] - M[1][2] * M[2][0]);
	A[1][1] = di * (M[0][0] * M[2][2] - M[0][2] * M[2][0]);
	A[1][2] = -di * (M[0][0] * M[1][2] - M[0][2] * M[1][0]);
	A[2][0] = di * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
	A[2][1] = -di * (M[0][0] * M[2][1] - M[0][1] * M[2][0]);
	A[2][2] = di * (M[0][0] * M[1][1] - M[0][1] * M[1][0]);
	for (int i = 0; i < 3; i++)
		x[i] = A[i][0] * b[0] + A[i][1] * b[1] + A[i][2] * b[2];
	return 1;
}

/* What a constraint-force pass reads and writes. v, f NULL mean zero
 * (set-up projection); the forces go to fo (may alias st->f). */
struct pass {
	const struct system *sys;
	struct state *st;
	const double *vx, *vy, *vz, *fx, *fy, *fz;
	double *fox, *foy, *foz;
	double dtv, dtfsq;
	double *vir;           /* NULL: no virial */
	const struct constrain_opts *o;
	long step;
};

static void atom_pos(const struct pass *p, size_t i, double x[3], double s[3])
{
	const struct state *st = p->st;
	double dtfm = p->dtfsq / p->sys->mass[i];
	x[0] = st->x[i];
	x[1] = st->y[i];
	x[2] = st->z[i];
	s[0] = x[0];
	s[1] = x[1];
	s[2] = x[2];
	if (p->vx) {
		s[0] += p->dtv * p->vx[i];
		s[1] += p->dtv * p->vy[i];
		s[2] += p->dtv * p->vz[i];
	}
	if (p->fx) {
		s[0] += dtfm * p->fx[i];
		s[1] += dtfm * p->fy[i];
		s[2] += dtfm * p->fz[i];
	}
}

static int cluster_error(const struct constrain *c, const struct cons_cluster *k,
			 long step, const char *what, struct err *e)
{
	char ids[96];
	int n = 0;
	for (int a = 0; a < natom(k->kind); a++)
		n += snprintf(ids + n, sizeof ids - (size_t)n, "%s%ld", a ? " " : "",
			      c->atom_id[k->atom[a]]);
	return err_set(e, "step %ld: %s for the %s of atoms %s", step, what,
		       k->kind == CL_WATER ? "water" : "SHAKE cluster", ids);
}

/* SHAKE for one cluster: LAMMPS's fixed-point iteration on the
 * multipliers (shake, shake3, shake4, shake3angle in one form). */
static int shake_one(const struct constrain *c, const struct cons_cluster *k,
		     const struct pass *p, struct err *e)
{
	const int nc = ncon(k->kind), na = natom(k->kind);
	const int (*pr)[2] = PAIRS[k->kind];
	double x[4][3], s[4][3], im[4], r[3][3], sv[3][3];
	for (int a = 0; a < na; a++) {
		atom_pos(p, k->atom[a], x[a], s[a]);
		im[a] = 1.0 / p->sys->mass[k->atom[a]];
	}
	for (int l = 0; l < nc; l++)
		for (int d = 0; d < 3; d++) {
			r[l][d] = x[pr[l][0]][d] - x[pr[l][1]][d];
			sv[l][d] = s[pr[l][0]][d] - s[pr[l][1]][d];
		}
	for (int l = 0; l < nc; l++) {
		mimage(p->st->len, r[l]);
		mimage(p->st->len, sv[l]);
	}
	double A[3][3] = {{0}}, C[3][3], rr[3][3], s2[3], d2[3];
	for (int kk = 0; kk < nc; kk++) {
		s2[kk] = dot3(sv[kk], sv[kk]);
		d2[kk] = k->d[kk] * k->d[kk];
		for (int l = 0; l < nc; l++) {
			C[kk][l] = coef(pr[kk], pr[l], im);
			A[kk][l] = 2.0 * C[kk][l] * dot3(sv[kk], r[l]);
			rr[kk][l] = dot3(r[kk], r[l]);
		}
	}
	double lam[3] = {0, 0, 0}, q[3] = {0, 0, 0}, b[3], res = INFINITY;
	long it;
	for (it = 0; it < p->o->max_iter; it++) {
		for (int kk = 0; kk < nc; kk++)
			b[kk] = d2[kk] - s2[kk] - q[kk];
		if (!solve_small(nc, A, b, lam))
			return cluster_error(c, k, p->step, "SHAKE matrix is "
					     "singular", e);
		/* quad_k = |sum_l C_kl lambda_l r_l|^2; the residual of the
		 * new multipliers is the change of quad (A lambda = b). */
		res = 0.0;
		for (int kk = 0; kk < nc; kk++) {
			double qn = 0.0;
			for (int l = 0; l < nc; l++)
				for (int m = 0; m < nc; m++)
					qn += C[kk][l] * C[kk][m] * lam[l] *
					      lam[m] * rr[l][m];
			double rk = fabs(qn - q[kk]) / d2[kk];
			res = isfinite(rk) ? fmax(res, rk) : INFINITY;
			q[kk] = qn;
		}
		if (res <= p->o->tol)
			break;
	}
	if (!(res <= p->o->tol)) {
		char what[160];
		snprintf(what, sizeof what, "SHAKE did not converge in %ld "
			 "iterations (relative error %.3g > --shake-tol %g)",
			 p->o->max_iter, res, p->o->tol);
		return cluster_error(c, k, p->step, what, e);
	}
	for (int l = 0; l < nc; l++) {
		double g = lam[l] / p->dtfsq;
		size_t i0 = k->atom[pr[l][0]], i1 = k->atom[pr[l][1]];
		p->fox[i0] += g * r[l][0];
		p->foy[i0] += g * r[l][1];
		p->foz[i0] += g * r[l][2];
		p->fox[i1] -= g * r[l][0];
		p->foy[i1] -= g * r[l][1];
		p->foz[i1] -= g * r[l][2];
		if (p->vir) {
			p->vir[0] += g * r[l][0] * r[l][0];
			p->vir[1] += g * r[l][1] * r[l][1];
			p->vir[2] += g * r[l][2] * r[l][2];
			p->vir[3] += g * r[l][0] * r[l][1];
			p->vir[4] += g * r[l][0] * r[l][2];
			p->vir[5] += g * r[l][1] * r[l][2];
		}
	}
	return 0;
}

/* SETTLE (Miyamoto & Kollman 1992) for water X (mass mO) H H (mass mH),
 * |XH| = d[0], |HH| = d[2]: the unconstrained positions relative to their
 * centre of mass are written in a frame whose z' axis is normal to the
 * plane of the current molecule (the constraint displacements lie along
 * its bonds, so z' and the centre of mass do not change); the rigid
 * triangle is placed by the rotations phi, psi (matching z') and theta
 * (zero torque of the displacements about the current positions). The
 * result is the converged SHAKE solution; the displacement gives the
 * constraint force m (x' - s) / dtfsq. Notation of the paper. */
static int settle_one(const struct constrain *c, const struct cons_cluster *k,
		      const struct pass *p, struct err *e)
{
	const struct system *sys = p->sys;
	size_t iA = k->atom[0], iB = k->atom[1], iC = k->atom[2];
	double mO = sys->mass[iA], mH = sys->mass[iB];
	double xa[3], sa[3], xb[3], sb[3], xc[3], sc[3];
	atom_pos(p, iA, xa, sa);
	atom_pos(p, iB, xb, sb);
	atom_pos(p, iC, xc, sc);
	double b0[3], c0[3], d2[3], d3[3];
	for (int a = 0; a < 3; a++) {
		b0[a] = xb[a] - xa[a];
		c0[a] = xc[a] - xa[a];
		d2[a] = sb[a] - sa[a];
		d3[a] = sc[a] - sa[a];
	}
	mimage(p->st->len, b0);
	mimage(p->st->len, c0);
	mimage(p->st->len, d2);
	mimage(p->st->len, d3);
	/* canonical triangle: X at (0, ra), H at (-+rc, -rb) about the COM */
	double wh = mH / (mO + 2.0 * mH);
	double rc = 0.5 * k->d[2];
	double h = sqrt(k->d[0] * k->d[0] - rc * rc);
	double ra = 2.0 * wh * h, rb = h - ra;
	double a1[3], b1[3], c1[3];
	for (int a = 0; a < 3; a++) {
		a1[a] = -wh * (d2[a] + d3[a]);
		b1[a] = d2[a] + a1[a];
		c1[a] = d3[a] + a1[a];
	}
	double ez[3], ex[3], ey[3];
	cross3(b0, c0, ez);
	cross3(a1, ez, ex);
	cross3(ez, ex, ey);
	double nx = sqrt(dot3(ex, ex)), ny = sqrt(dot3(ey, ey)),
	       nz = sqrt(dot3(ez, ez));
	for (int a = 0; a < 3; a++) {
		ex[a] /= nx;
		ey[a] /= ny;
		ez[a] /= nz;
	}
	double xb0 = dot3(ex, b0), yb0 = dot3(ey, b0);
	double xc0 = dot3(ex, c0), yc0 = dot3(ey, c0);
	double za1 = dot3(ez, a1);
	double xb1 = dot3(ex, b1), yb1 = dot3(ey, b1), zb1 = dot3(ez, b1);
	double xc1 = dot3(ex, c1), yc1 = dot3(ey, c1), zc1 = dot3(ez, c1);

	double sinphi = za1 / ra;
	double cos2phi = 1.0 - sinphi * sinphi;
	double cosphi = sqrt(cos2phi);
	double sinpsi = (zb1 - zc1) / (2.0 * rc * cosphi);
	double cospsi = sqrt(1.0 - sinpsi * sinpsi);
	double ya2 = ra * cosphi;
	double xb2 = -rc * cospsi;
	double t1 = -rb * cosphi, t2 = rc * sinpsi * sinphi;
	double yb2 = t1 - t2, yc2 = t1 + t2;
	double alpha = xb2 * (xb0 - xc0) + yb0 * yb2 + yc0 * yc2;
	double beta = xb2 * (yc0 - yb0) + xb0 * yb2 + xc0 * yc2;
	double gamma = xb0 * yb1 - xb1 * yb0 + xc0 * yc1 - xc1 * yc0;
	double al2be2 = alpha * alpha + beta * beta;
	double disc = al2be2 - gamma * gamma;
	double sinthe = (alpha * gamma - beta * sqrt(disc)) / al2be2;
	double costhe = sqrt(1.0 - sinthe * sinthe);
	if (!(cos2phi > 0.0) || !(disc >= 0.0) || !isfinite(sinthe) ||
	    !isfinite(costhe) || !isfinite(cospsi))
		return cluster_error(c, k, p->step, "SETTLE found no rigid "
				     "placement (displacement too large: "
				     "unstable integration?)", e);
	double a3p[3] = {-ya2 * sinthe, ya2 * costhe, za1};
	double b3p[3] = {xb2 * costhe - yb2 * sinthe,
			 xb2 * sinthe + yb2 * costhe, zb1};
	double c3p[3] = {-xb2 * costhe - yc2 * sinthe,
			 -xb2 * sinthe + yc2 * costhe, zc1};
	double fa[3], fb[3], fc[3];
	double ka = mO / p->dtfsq, kb = mH / p->dtfsq, kc = sys->mass[iC] / p->dtfsq;
	for (int a = 0; a < 3; a++) {
		double a3 = ex[a] * a3p[0] + ey[a] * a3p[1] + ez[a] * a3p[2];
		double b3 = ex[a] * b3p[0] + ey[a] * b3p[1] + ez[a] * b3p[2];
		double c3 = ex[a] * c3p[0] + ey[a] * c3p[1] + ez[a] * c3p[2];
		fa[a] = ka * (a3 - a1[a]);
		fb[a] = kb * (b3 - b1[a]);
		fc[a] = kc * (c3 - c1[a]);
	}
	p->fox[iA] += fa[0];
	p->foy[iA] += fa[1];
	p->foz[iA] += fa[2];
	p->fox[iB] += fb[0];
	p->foy[iB] += fb[1];
	p->foz[iB] += fb[2];
	p->fox[iC] += fc[0];
	p->foy[iC] += fc[1];
	p->foz[iC] += fc[2];
	if (p->vir) {
		/* sum_i r_i (x) f_i about X: equals LAMMPS's sum over the
		 * three pairs of lambda r (x) r for forces along the bonds */
		p->vir[0] += b0[0] * fb[0] + c0[0] * fc[0];
		p->vir[1] += b0[1] * fb[1] + c0[1] * fc[1];
		p->vir[2] += b0[2] * fb[2] + c0[2] * fc[2];
		p->vir[3] += b0[0] * fb[1] + c0[0] * fc[1];
		p->vir[4] += b0[0] * fb[2] + c0[0] * fc[2];
		p->vir[5] += b0[1] * fb[2] + c0[1] * fc[2];
	}
	return 0;
}

static int shake_pass(const struct constrain *c, const struct pass *p,
		      struct err *e)
{
	if (p->vir)
		for (int a = 0; a < 6; a++)
			p->vir[a] = 0.0;
	for (size_t n = 0; n < c->ncl; n++) {
		const struct cons_cluster *k = &c->cl[n];
		int rc = k->settle ? settle_one(c, k, p, e) : shake_one(c, k, p, e);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* RATTLE velocity step for one cluster (LAMMPS vrattle2/3/4/3angle):
 * remove from v the part of vp (= v + dtfv/m f) along the bonds at the
 * current positions, by the exact solution of the small linear system. */
static int rattle_one(const struct constrain *c, const struct cons_cluster *k,
		      const struct system *sys, struct state *st, double dtfv,
		      long step, struct err *e)
{
	const int nc = ncon(k->kind), na = natom(k->kind);
	const int (*pr)[2] = PAIRS[k->kind];
	double x[4][3], vp[4][3], im[4], r[3][3], M[3][3] = {{0}};
	double rhs[3] = {0, 0, 0}, mu[3] = {0, 0, 0};
	for (int a = 0; a < na; a++) {
		size_t i = k->atom[a];
		im[a] = 1.0 / sys->mass[i];
		double dtfm = dtfv * im[a];
		x[a][0] = st->x[i];
		x[a][1] = st->y[i];
		x[a][2] = st->z[i];
		vp[a][0] = st->vx[i] + dtfm * st->fx[i];
		vp[a][1] = st->vy[i] + dtfm * st->fy[i];
		vp[a][2] = st->vz[i] + dtfm * st->fz[i];
	}
	for (int l = 0; l < nc; l++) {
		double v[3];
		for (int d = 0; d < 3; d++) {
			r[l][d] = x[pr[l][0]][d] - x[pr[l][1]][d];
			v[d] = vp[pr[l][0]][d] - vp[pr[l][1]][d];
		}
		mimage(st->len, r[l]);
		rhs[l] = -dot3(v, r[l]);
	}
	for (int kk = 0; kk < nc; kk++)
		for (int l = 0; l < nc; l++)
			M[kk][l] = coef(pr[kk], pr[l], im) * dot3(r[kk], r[l]);
	if (!solve_small(nc, M, rhs, mu))
		return cluster_error(c, k, step, "RATTLE matrix is singular", e);
	for (int l = 0; l < nc; l++) {
		size_t i0 = k->atom[pr[l][0]], i1 = k->atom[pr[l][1]];
		double g0 = im[pr[l][0]] * mu[l], g1 = im[pr[l][1]] * mu[l];
		st->vx[i0] += g0 * r[l][0];
		st->vy[i0] += g0 * r[l][1];
		st->vz[i0] += g0 * r[l][2];
		st->vx[i1] -= g1 * r[l][0];
		st->vy[i1] -= g1 * r[l][1];
		st->vz[i1] -= g1 * r[l][2];
	}
	return 0;
}

static int rattle_pass(const struct constrain *c, const struct system *sys,
		       struct state *st, double dtfv, struct err *e)
{
	for (size_t n = 0; n < c->ncl; n++)
		if (rattle_one(c, &c->cl[n], sys, st, dtfv, st->step, e) != 0)
			return -1;
	return 0;
}

/* Constraint forces from x + dt v + dtfsq/m f, added to f. */
static int forces(struct constrain *c, struct md *m, double dtfsq,
		  double *vir, struct err *e)
{
	struct state *st = m->st;
	struct pass p = {.sys = m->sys, .st = st, .vx = st->vx, .vy = st->vy,
			 .vz = st->vz, .fx = st->fx, .fy = st->fy, .fz = st->fz,
			 .fox = st->fx, .foy = st->fy, .foz = st->fz,
			 .dtv = m->dt, .dtfsq = dtfsq, .vir = vir, .o = &c->o,
			 .step = st->step};
	/* The unconstrained update reads f while the pass adds to it: each
	 * cluster reads and writes only its own atoms, and reads them before
	 * it writes, so one array serves. */
	return shake_pass(c, &p, e);
}

int constrain_setup(struct constrain *c, struct md *m, struct err *e)
{
	const struct system *sys = m->sys;
	struct state *st = m->st;
	double ftm2v = sys->units.ftm2v, dt = m->dt;
	double half = 0.5 * dt * dt * ftm2v;
	size_t n = st->n;
	/* correct_coordinates: one SHAKE solve from the positions alone */
	double *fc = calloc(3 * n + 1, sizeof *fc);
	if (!fc)
		return err_set(e, "out of memory");
	struct pass p = {.sys = sys, .st = st, .fox = fc, .foy = fc + n,
			 .foz = fc + 2 * n, .dtv = dt, .dtfsq = half,
			 .o = &c->o, .step = st->step};
	int rc = shake_pass(c, &p, e);
	if (rc == 0)
		for (size_t i = 0; i < n; i++) {
			double dtfm = half / sys->mass[i];
			st->x[i] += dtfm * fc[i];
			st->y[i] += dtfm * fc[n + i];
			st->z[i] += dtfm * fc[2 * n + i];
		}
	free(fc);
	if (rc != 0)
		return err_prefix(e, "set-up");
	/* correct_velocities (fix rattle only) */
	if (!c->o.shake_only && rattle_pass(c, sys, st, 0.0, e) != 0)
		return -1;
	/* shake_end_of_step: the forces of the first step */
	return forces(c, m, half, m->cvirial, e);
}

int constrain_post_force(struct constrain *c, struct md *m, struct err *e)
{
	double ftm2v = m->sys->units.ftm2v, dt = m->dt;
	if (c->o.shake_only)
		return forces(c, m, dt * dt * ftm2v, m->cvirial, e);
	return rattle_pass(c, m->sys, m->st, 0.5 * dt * ftm2v, e);
}

int constrain_final(struct constrain *c, struct md *m, struct err *e)
{
	if (c->o.shake_only)
		return 0;
	return forces(c, m, 0.5 * m->dt * m->dt * m->sys->units.ftm2v,
		      m->cvirial, e);
}

int constrain_end_of_step(struct constrain *c, struct md *m, struct err *e)
{
	return forces(c, m, 0.5 * m->dt * m->dt * m->sys->units.ftm2v, NULL, e);
}

void constrain_errors(const struct constrain *c, const struct state *st,
		      double *dmax, double *vmax)
{
	*dmax = *vmax = 0.0;
	for (size_t n = 0; n < c->ncl; n++) {
		const struct cons_cluster *k = &c->cl[n];
		for (int l = 0; l < ncon(k->kind); l++) {
			size_t i = k->atom[PAIRS[k->kind][l][0]];
			size_t j = k->atom[PAIRS[k->kind][l][1]];
			double r[3] = {st->x[i] - st->x[j], st->y[i] - st->y[j],
				       st->z[i] - st->z[j]};
			double v[3] = {st->vx[i] - st->vx[j], st->vy[i] - st->vy[j],
				       st->vz[i] - st->vz[j]};
			mimage(st->len, r);
			double d = sqrt(dot3(r, r));
			*dmax = fmax(*dmax, fabs(d - k->d[l]) / k->d[l]);
			*vmax = fmax(*vmax, fabs(dot3(r, v)) / (d * k->d[l]));
		}
	}
}

/* ---- finding the clusters ----------------------------------------------- */

static int by_mol(const void *a, const void *b, void *ctx)
{
	const long *mol = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (mol[i] != mol[j])
		return mol[i] < mol[j] ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* Atoms per molecule, for each atom. */
static size_t *mol_sizes(const struct system *sys)
{
	size_t n = sys->natoms;
	size_t *idx = malloc((n + 1) * sizeof *idx);
	size_t *size = malloc((n + 1) * sizeof *size);
	if (!idx || !size) {
		free(idx);
		free(size);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof *idx, by_mol, sys->mol);
	for (size_t a = 0; a < n;) {
		size_t b = a;
		while (b < n && sys->mol[idx[b]] == sys->mol[idx[a]])
			b++;
		for (size_t k = a; k < b; k++)
			size[idx[k]] = b - a;
		a = b;
	}
	free(idx);
	return size;
}

static double bond_r0(const struct bonded *b, size_t t)
{
	return b->bonds.c[b->bonds.type[t] * BONDED_NC + 1];
}

/* Bond index between atoms i and j, or (size_t)-1. adj: CSR of bonds. */
static size_t find_bond(const struct bonded *b, const size_t *start,
			const size_t *list, size_t i, size_t j)
{
	for (size_t k = start[i]; k < start[i + 1]; k++) {
		size_t t = list[k];
		size_t a = b->bonds.atom[2 * t], c = b->bonds.atom[2 * t + 1];
		if ((a == i && c == j) || (a == j && c == i))
			return t;
	}
	return (size_t)-1;
}

struct finder {
	const struct system *sys;
	struct bonded *b;
	size_t *start, *list;     /* bonds of each atom (CSR) */
	unsigned char *isH, *inwater, *dropb, *dropa;
	size_t *msize;
};

static int push(struct constrain *c, size_t *cap, const struct cons_cluster *k)
{
	if (c->ncl == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		struct cons_cluster *p = realloc(c->cl, nc * sizeof *p);
		if (!p)
			return -1;
		c->cl = p;
		*cap = nc;
	}
	c->cl[c->ncl++] = *k;
	return 0;
}

static int find_water(struct constrain *c, struct finder *f, size_t *cap,
		      const char *path, struct err *e)
{
	struct bonded *b = f->b;
	const struct bonded_terms *an = &b->angles;
	const struct system *sys = f->sys;
	if (an->n && an->style != ANGLE_HARMONIC && an->style != ANGLE_CHARMM)
		return err_set(e, "%s: --constrain: angle style has no "
			       "equilibrium angle for rigid water", path);
	for (size_t t = 0; t < an->n; t++) {
		size_t h1 = an->atom[3 * t], o = an->atom[3 * t + 1],
		       h2 = an->atom[3 * t + 2];
		if (!f->isH[h1] || !f->isH[h2] || f->isH[o] ||
		    f->msize[o] != 3 || sys->mol[h1] != sys->mol[o] ||
		    sys->mol[h2] != sys->mol[o] || f->inwater[o])
			continue;
		size_t b1 = find_bond(b, f->start, f->list, o, h1);
		size_t b2 = find_bond(b, f->start, f->list, o, h2);
		if (b1 == (size_t)-1 || b2 == (size_t)-1)
			continue;
		double r1 = bond_r0(b, b1), r2 = bond_r0(b, b2);
		double th = an->c[an->type[t] * BONDED_NC + 1];
		struct cons_cluster k = {.kind = CL_WATER, .atom = {o, h1, h2, 0}};
		k.d[0] = r1;
		k.d[1] = r2;
		k.d[2] = sqrt(r1 * r1 + r2 * r2 - 2.0 * r1 * r2 * cos(th));
		k.settle = sys->mass[h1] == sys->mass[h2] && r1 == r2;
		if (push(c, cap, &k) != 0)
			return err_set(e, "out of memory");
		f->inwater[o] = f->inwater[h1] = f->inwater[h2] = 1;
		f->dropb[b1] = f->dropb[b2] = 1;
		f->dropa[t] = 1;
		c->nwater++;
	}
	return 0;
}

/* LAMMPS find_clusters for bonds to H: nshake = constrained bonds per
 * atom; an atom with nshake > 1 is a centre, two atoms with nshake 1
 * bonded to each other a 2-atom cluster centred on the lower id. */
static int find_hbonds(struct constrain *c, struct finder *f, size_t *cap,
		       const char *path, struct err *e)
{
	struct bonded *b = f->b;
	size_t n = f->sys->natoms, nb = b->bonds.n;
	int rc = -1;
	int *nshake = calloc(n + 1, sizeof *nshake);
	unsigned char *shk = calloc(nb + 1, 1);
	if (!nshake || !shk) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t t = 0; t < nb; t++) {
		size_t i = b->bonds.atom[2 * t], j = b->bonds.atom[2 * t + 1];
		if (f->dropb[t] || !(f->isH[i] || f->isH[j]))
			continue;
		shk[t] = 1;
		nshake[i]++;
		nshake[j]++;
	}
	for (size_t i = 0; i < n; i++) {
		if (nshake[i] > 3) {
			err_set(e, "%s: --constrain hbonds: atom %ld has %d bonds "
				"to H (a SHAKE cluster holds at most 4 atoms)",
				path, f->sys->id[i], nshake[i]);
			goto out;
		}
		if (nshake[i] < 2)
			continue;
		for (size_t k = f->start[i]; k < f->start[i + 1]; k++) {
			size_t t = f->list[k];
			size_t j = b->bonds.atom[2 * t] == i ? b->bonds.atom[2 * t + 1]
							       : b->bonds.atom[2 * t];
			if (shk[t] && nshake[j] > 1) {
				err_set(e, "%s: --constrain hbonds: atoms %ld and "
					"%ld both hold several constrained bonds "
					"(connected SHAKE clusters)", path,
					f->sys->id[i], f->sys->id[j]);
				goto out;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct cons_cluster k = {.atom = {i, 0, 0, 0}};
		int na = 1;
		for (size_t q = f->start[i]; q < f->start[i + 1]; q++) {
			size_t t = f->list[q];
			if (!shk[t])
				continue;
			size_t j = b->bonds.atom[2 * t] == i ? b->bonds.atom[2 * t + 1]
							       : b->bonds.atom[2 * t];
			if (nshake[i] == 1 && !(nshake[j] == 1 &&
						f->sys->id[i] < f->sys->id[j]))
				break;
			k.atom[na] = j;
			k.d[na - 1] = bond_r0(b, t);
			na++;
		}
		if (na < 2)
			continue;
		k.kind = na;
		if (push(c, cap, &k) != 0) {
			err_set(e, "out of memory");
			goto out;
		}
	}
	for (size_t t = 0; t < nb; t++)
		if (shk[t])
			f->dropb[t] = 1;
	rc = 0;
out:
	free(nshake);
	free(shk);
	return rc;
}

int constrain_create(struct constrain *c, const struct system *sys,
		     struct bonded *b, const struct constrain_opts *o,
		     const char *path, struct err *e)
{
	memset(c, 0, sizeof *c);
	c->o = *o;
	c->natoms = sys->natoms;
	size_t n = sys->natoms, nb = b->bonds.n, cap = 0;
	if (nb && b->bonds.style != BOND_HARMONIC)
		return err_set(e, "%s: --constrain: bond style has no "
			       "equilibrium length", path);
	struct finder f = {.sys = sys, .b = b};
	f.start = calloc(n + 2, sizeof *f.start);
	f.list = malloc((2 * nb + 1) * sizeof *f.list);
	f.isH = calloc(n + 1, 1);
	f.inwater = calloc(n + 1, 1);
	f.dropb = calloc(nb + 1, 1);
	f.dropa = calloc(b->angles.n + 1, 1);
	f.msize = mol_sizes(sys);
	c->atom_id = malloc((n + 1) * sizeof *c->atom_id);
	c->ndof = calloc(n + 1, 1);
	int rc = -1;
	if (!f.start || !f.list || !f.isH || !f.inwater || !f.dropb ||
	    !f.dropa || !f.msize || !c->atom_id || !c->ndof) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		f.isH[i] = sys->mass[i] < o->h_mass;
		c->atom_id[i] = sys->id[i];
	}
	for (size_t t = 0; t < nb; t++) {
		f.start[b->bonds.atom[2 * t] + 1]++;
		f.start[b->bonds.atom[2 * t + 1] + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		f.start[i + 1] += f.start[i];
	{
		size_t *fill = calloc(n + 1, sizeof *fill);
		if (!fill) {
			err_set(e, "out of memory");
			goto out;
		}
		for (size_t t = 0; t < nb; t++)
			for (int a = 0; a < 2; a++) {
				size_t i = b->bonds.atom[2 * t + a];
				f.list[f.start[i] + fill[i]++] = t;
			}
		free(fill);
	}
	if (find_water(c, &f, &cap, path, e) != 0)
		goto out;
	if (o->mode == CONSTRAIN_HBONDS && find_hbonds(c, &f, &cap, path, e) != 0)
		goto out;
	if (c->ncl == 0) {
		err_set(e, "%s: --constrain %s: nothing to constrain (%s)", path,
			o->mode == CONSTRAIN_WATER ? "water" : "hbonds",
			o->mode == CONSTRAIN_WATER
			? "no 3-atom molecule X-H-H with both bonds and the "
			  "H-X-H angle" : "no bond to an atom lighter than "
			  "--h-mass and no water");
		goto out;
	}
	for (size_t k = 0; k < c->ncl; k++) {
		int nk = ncon(c->cl[k].kind);
		c->ncons += (size_t)nk;
		c->ndof[c->cl[k].atom[0]] = (unsigned char)nk;
	}
	bonded_remove(&b->bonds, f.dropb);
	bonded_remove(&b->angles, f.dropa);
	rc = 0;
out:
	free(f.start);
	free(f.list);
	free(f.isH);
	free(f.inwater);
	free(f.dropb);
	free(f.dropa);
	free(f.msize);
	if (rc != 0)
		constrain_free(c);
	return rc;
}

void constrain_free(struct constrain *c)
{
	free(c->cl);
	free(c->atom_id);
	free(c->ndof);
	memset(c, 0, sizeof *c);
}
