/* lj_eos: Johnson-Zollweg-Gubbins (1993) MBWR equation of state.
 *   P = rho T + sum_{i=1..8} a_i rho^{i+1} + F sum_{i=1..6} b_i rho^{2i+1},
 *   F = exp(-gamma rho^2);
 *   A_res/N = sum a_i rho^i / i + sum b_i G_i;
 *   U/N = sum c_i rho^i / i + sum d_i G_i,
 * with a_i(T), b_i(T) of their Table 5, c_i, d_i the corresponding
 * temperature derivatives (d(beta A)/d beta), and G_i the density integrals
 * G_1 = (1 - F)/(2 gamma), G_i = -(F rho^{2(i-1)} - 2 (i-1) G_{i-1})/(2 gamma). */
#include "lj_eos.h"

#include <math.h>

static const double X[33] = {
	0.0, /* 1-based, as the paper */
	0.8623085097507421, 2.976218765822098, -8.402230115796038,
	0.1054136629203555, -0.8564583828174598, 1.582759470107601,
	0.7639421948305453, 1.753173414312048, 2.798291772190376e3,
	-4.8394220260857657e-2, 0.9963265197721935, -3.698000291272493e1,
	2.084012299434647e1, 8.305402124717285e1, -9.574799715203068e2,
	-1.477746229234994e2, 6.398607852471505e1, 1.603993673294834e1,
	6.805916615864377e1, -2.791293578795945e3, -6.245128304568454,
	-8.116836104958410e3, 1.488735559561229e1, -1.059346754655084e4,
	-1.131607632802822e2, -8.867771540418822e3, -3.986982844450543e1,
	-4.689270299917261e3, 2.593535277438717e2, -2.694523589434903e3,
	-7.218487631550215e2, 1.721802063863269e2};

void lj_eos_jzg(double rho, double t, struct lj_eos_point *out)
{
	const double *x = X, g = 3.0, t2 = t * t, st = sqrt(t);
	double a[8], b[6], c[8], d[6], G[6];
	a[0] = x[1] * t + x[2] * st + x[3] + x[4] / t + x[5] / t2;
	a[1] = x[6] * t + x[7] + x[8] / t + x[9] / t2;
	a[2] = x[10] * t + x[11] + x[12] / t;
	a[3] = x[13];
	a[4] = x[14] / t + x[15] / t2;
	a[5] = x[16] / t;
	a[6] = x[17] / t + x[18] / t2;
	a[7] = x[19] / t2;
	b[0] = (x[20] + x[21] / t) / t2;
	b[1] = (x[22] + x[23] / t2) / t2;
	b[2] = (x[24] + x[25] / t) / t2;
	b[3] = (x[26] + x[27] / t2) / t2;
	b[4] = (x[28] + x[29] / t) / t2;
	b[5] = (x[30] + x[31] / t + x[32] / t2) / t2;
	/* c_i = a_i - T da_i/dT, d_i = b_i - T db_i/dT (energy coefficients) */
	c[0] = x[2] * st / 2 + x[3] + 2 * x[4] / t + 3 * x[5] / t2;
	c[1] = x[7] + 2 * x[8] / t + 3 * x[9] / t2;
	c[2] = x[11] + 2 * x[12] / t;
	c[3] = x[13];
	c[4] = 2 * x[14] / t + 3 * x[15] / t2;
	c[5] = 2 * x[16] / t;
	c[6] = 2 * x[17] / t + 3 * x[18] / t2;
	c[7] = 3 * x[19] / t2;
	d[0] = (3 * x[20] + 4 * x[21] / t) / t2;
	d[1] = (3 * x[22] + 5 * x[23] / t2) / t2;
	d[2] = (3 * x[24] + 4 * x[25] / t) / t2;
	d[3] = (3 * x[26] + 5 * x[27] / t2) / t2;
	d[4] = (3 * x[28] + 4 * x[29] / t) / t2;
	d[5] = (3 * x[30] + 4 * x[31] / t + 5 * x[32] / t2) / t2;
	double r2 = rho * rho, F = exp(-g * r2);
	G[0] = (1.0 - F) / (2.0 * g);
	double rp = 1.0;
	for (int i = 1; i < 6; i++) {
		rp *= r2;
		G[i] = -(F * rp - 2.0 * i * G[i - 1]) / (2.0 * g);
	}
	double pa = 0, pb = 0, ar = 0, u = 0, rk = 1.0;
	for (int i = 0; i < 8; i++) {
		rk *= rho;                 /* rho^(i+1) */
		pa += a[i] * rk * rho;     /* a_i rho^(i+2) */
		ar += a[i] * rk / (i + 1);
		u += c[i] * rk / (i + 1);
	}
	double r2k = rho;
	for (int i = 0; i < 6; i++) {
		r2k *= r2;                 /* rho^(2i+3) */
		pb += b[i] * r2k;
		ar += b[i] * G[i];
		u += d[i] * G[i];
	}
	out->p = rho * t + pa + F * pb;
	out->a_res = ar;
	out->u = u;
	out->mu_ex = ar + out->p / rho - t;
}
