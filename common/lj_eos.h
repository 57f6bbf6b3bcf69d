/* lj_eos: the Lennard-Jones equation of state of Johnson, Zollweg and
 * Gubbins, Mol. Phys. 78, 591 (1993) (modified Benedict-Webb-Rubin form,
 * 32 parameters of their Table 10, gamma = 3), for the full (untruncated)
 * LJ potential in reduced units. Used to check the engine against published
 * state points and, in the free-energy studies, the solvent's excess
 * chemical potential. Stated accuracy: pressure within a few 0.01, energy
 * within ~0.5% in the dense liquid away from the critical point. */
#ifndef SK_LJ_EOS_H
#define SK_LJ_EOS_H

struct lj_eos_point {
	double p;        /* pressure, reduced */
	double u;        /* configurational energy per atom, reduced */
	double a_res;    /* residual Helmholtz energy per atom, reduced */
	double mu_ex;    /* excess chemical potential: A_res + P/rho - T */
};

void lj_eos_jzg(double rho, double t, struct lj_eos_point *out);

#endif
