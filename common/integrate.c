/* integrate: velocity Verlet, Nose-Hoover chains, the MTK barostat and
 * Langevin dynamics, step by step in the order of LAMMPS (29Sep2021)
 * fix nve, fix nvt/npt (src/fix_nh.cpp) and fix langevin, so that short
 * trajectories agree with LAMMPS to round-off.
 *
 * Equations: Martyna, Tuckerman, Tobias, Klein, Mol. Phys. 87, 1117 (1996)
 * (MTTK); Tuckerman et al., J. Phys. A 39, 5629 (2006) (Trotter splitting);
 * Shinoda, Shiga, Mikami, PRB 69, 134103 (2004) (the exp(+-x) velocity and
 * box propagators used below). LAMMPS names are kept (eta, omega_dot,
 * mtk_term1, ...) so that the code can be read beside fix_nh.cpp.
 *
 * One step of NVT/NPT (Trotter factorisation, each line a half step unless
 * noted):
 *   barostat chain -> particle chain (v *= exp(-eta_dot[0] dt/2))
 *   -> omega_dot (P - P0, MTK term) -> v *= exp(-(omega_dot+mtk2) dt/2)
 *   -> v += F/m dt/2 -> box dt/2 -> x += v dt -> box dt/2 -> forces
 *   -> v += F/m dt/2 -> v scaling -> omega_dot -> particle chain
 *   -> barostat chain.
 */
#include "integrate.h"

#include <math.h>
#include <string.h>

#include "constrain.h"
#include "nbr.h"
#include "omp_util.h"

/* Layout of integrator_pack; bump when the order or meaning changes. */
#define INTEGRATOR_LAYOUT 1.0

/* Quantities LAMMPS keeps in FixNH between the calls of one step. They are
 * recomputed every step, so they are not part of the packed state. */
struct nh_work {
	double t_current;        /* temperature the chain sees */
	double p_current[3];     /* pressure components the barostat sees */
	double p_target[3], p_hydro;
	double sigma[3];         /* reference stress, z-only coupling */
	double mtk_term1, mtk_term2;
	int pflag[3], pdim;
	int deviatoric;          /* LAMMPS deviatoric_flag: set for `z P P` */
	/* the current velocities' sums (nh_atoms), which current_pressure
	 * and nh_omega_dot read: 2 KE (md_ke_items), and the kinetic
	 * tensor's diagonal (md_ktensor_items) */
	double mv2, kdiag[3];
};

/* ---- helpers ---------------------------------------------------------- */

static int is_nh(const struct integrator *it)
{
	return it->o.ens == ENS_NVT || it->o.ens == ENS_NPT;
}

/* Fraction of the run done at step `step` (LAMMPS compute_temp_target:
 * (ntimestep - beginstep) / (endstep - beginstep)). */
static double ramp_delta(const struct integrator *it, long step)
{
	double delta = (double)(step - it->step0);
	if (delta != 0.0 && it->o.nsteps_total > 0)
		delta /= (double)it->o.nsteps_total;
	else
		delta = 0.0;
	return delta;
}

static double ramp_temp(const struct integrator *it, long step)
{
	double t0 = it->o.temp, t1 = it->o.temp_stop;
	return t0 + ramp_delta(it, step) * (t1 - t0);
}

static void nh_flags(const struct integrator *it, struct nh_work *w)
{
	int iso = it->o.pcouple == PCOUPLE_ISO;
	w->pflag[0] = w->pflag[1] = iso;
	w->pflag[2] = 1;
	w->pdim = iso ? 3 : 1;
	w->deviatoric = !iso;
}

/* Kinetic tensor diagonal sum m v_a^2 * mvv2e (LAMMPS compute temp vector,
 * which is not halved). */

/* ---- velocity Verlet pieces (fix nve) --------------------------------- */

/* The per-atom loops run in parallel, nve_vx on each thread's slab of
 * atoms (nbr_atom_range), the split of the pair pass's fold, so that each
 * thread reads the forces it has just written; the kick is md_kick (md.c).
 * Each atom's update is the same arithmetic whatever the thread count:
 * trajectories do not depend on it through these loops. */

/* v += dt/2 F/m, then x += dt v: fix nve initial_integrate in one pass
 * (the same arithmetic per atom as md_kick followed by nve_x). */
static void nve_vx(const struct system *sys, struct state *st,
		   const struct nbr_list *nl, double dtf, double dtv)
{
#pragma omp parallel
	{
		/* the atoms whose forces this thread folded (nbr_atom_range) */
		size_t a0, a1;
		nbr_atom_range(nl, omp_util_thread_id(), omp_util_team_size(),
			       &a0, &a1);
		/* restrict copies, so that the loop (and its division)
		 * is vectorised: per atom the same arithmetic */
		double *restrict x = st->x, *restrict y = st->y,
			       *restrict z = st->z, *restrict vx = st->vx,
			       *restrict vy = st->vy, *restrict vz = st->vz;
		const double *restrict fx = st->fx, *restrict fy = st->fy,
				       *restrict fz = st->fz,
				       *restrict mass = sys->mass;
#pragma omp simd
		for (size_t i = a0; i < a1; i++) {
			double dtfm = dtf / mass[i];
			vx[i] += dtfm * fx[i];
			vy[i] += dtfm * fy[i];
			vz[i] += dtfm * fz[i];
			x[i] += dtv * vx[i];
			y[i] += dtv * vy[i];
			z[i] += dtv * vz[i];
		}
	}
}

/* Forces at the new positions; energies and virial only when the caller
 * reads them (m->forces_only clear) or the barostat needs the virial. */
static int step_forces(const struct integrator *it, struct md *m,
		       struct err *e)
{
	return md_forces_eflag(m, !m->forces_only || it->o.ens == ENS_NPT, e);
}

/* ---- Nose-Hoover chain on the particles (nhc_temp_integrate) ---------- */

static double chain_next(const struct nh_chain *c, int ich)
{
	/* LAMMPS keeps a dummy eta_dot[mtchain] = 0 past the end. */
	return ich + 1 < c->n ? c->eta_dot[ich + 1] : 0.0;
}

/* Half step (dt/2) of the particle thermostat chain, Trotter-split as in
 * MTTK eq. (29)-(32); returns the velocities' factor exp(-eta_dot[0]
 * dt/2), which the caller applies before anything else reads the
 * velocities (the chain's sweep back up uses the temperature scaled by its
 * square, not a new sum). tloop 1, drag 0 (LAMMPS defaults). */
static double nhc_temp_integrate(struct integrator *it, struct md *m,
				 struct nh_work *w)
{
	struct nh_chain *c = &it->tchain;
	const struct system *sys = m->sys;
	double dt = it->o.dt, dthalf = 0.5 * dt, dt4 = 0.25 * dt,
	       dt8 = 0.125 * dt;
	double kb = sys->units.boltz, tdof = sys->dof;
	double t_freq = 1.0 / it->o.tdamp;
	double ke_target = tdof * kb * it->t_target;
	double kecurrent = tdof * kb * w->t_current;
	double expfac;
	int n = c->n;

	/* Masses follow the (possibly ramped) target: Q_1 = N_f kT/w^2,
	 * Q_k = kT/w^2 (eta_mass_flag). */
	c->eta_mass[0] = tdof * kb * it->t_target / (t_freq * t_freq);
	for (int ich = 1; ich < n; ich++)
		c->eta_mass[ich] = kb * it->t_target / (t_freq * t_freq);

	c->eta_dotdot[0] = c->eta_mass[0] > 0.0
			   ? (kecurrent - ke_target) / c->eta_mass[0] : 0.0;

	/* Sweep down the chain: eta_dot[k] += G_k dt/4, damped by the next
	 * member of the chain on either side. */
	for (int ich = n - 1; ich > 0; ich--) {
		expfac = exp(-dt8 * chain_next(c, ich));
		c->eta_dot[ich] *= expfac;
		c->eta_dot[ich] += c->eta_dotdot[ich] * dt4;
		c->eta_dot[ich] *= expfac;
	}
	expfac = exp(-dt8 * chain_next(c, 0));
	c->eta_dot[0] *= expfac;
	c->eta_dot[0] += c->eta_dotdot[0] * dt4;
	c->eta_dot[0] *= expfac;

	/* Scale the velocities; the temperature follows without a new sum. */
	double factor_eta = exp(-dthalf * c->eta_dot[0]);
	w->t_current *= factor_eta * factor_eta;
	kecurrent = tdof * kb * w->t_current;
	c->eta_dotdot[0] = c->eta_mass[0] > 0.0
			   ? (kecurrent - ke_target) / c->eta_mass[0] : 0.0;

	for (int ich = 0; ich < n; ich++)
		c->eta[ich] += dthalf * c->eta_dot[ich];

	/* Sweep back up the chain. */
	c->eta_dot[0] *= expfac;
	c->eta_dot[0] += c->eta_dotdot[0] * dt4;
	c->eta_dot[0] *= expfac;
	for (int ich = 1; ich < n; ich++) {
		expfac = exp(-dt8 * chain_next(c, ich));
		c->eta_dot[ich] *= expfac;
		c->eta_dotdot[ich] = (c->eta_mass[ich - 1] * c->eta_dot[ich - 1] *
				      c->eta_dot[ich - 1] - kb * it->t_target) /
				     c->eta_mass[ich];
		c->eta_dot[ich] += c->eta_dotdot[ich] * dt4;
		c->eta_dot[ich] *= expfac;
	}
	return factor_eta;
}

/* ---- barostat (nhc_press_integrate, nh_omega_dot, nh_v_press, remap) -- */

/* Target kinetic energy of the barostat degrees of freedom for their
 * thermostat chain: LAMMPS (fix_nh.cpp nhc_press_integrate) takes kT for
 * iso coupling, although it sums the kinetic energy of all three coupled
 * omega_dot, and pdof kT otherwise. Its compute_scalar weights etap[0] by
 * pdof kT in both cases, which is not the conserved quantity of these
 * equations for iso; integrator_conserved uses this function instead. */
static double barostat_lkt(const struct integrator *it, double kt, int pdof)
{
	return it->o.pcouple == PCOUPLE_ISO ? kt : pdof * kt;
}

/* Half step of the chain thermostatting the barostat velocities (MTTK
 * eq. (34)); the masses stay those of integrator_init (etap_mass_flag 0). */
static void nhc_press_integrate(struct integrator *it, const struct md *m,
				const struct nh_work *w)
{
	struct nh_chain *c = &it->pchain;
	double dt = it->o.dt, dthalf = 0.5 * dt, dt4 = 0.25 * dt,
	       dt8 = 0.125 * dt;
	double kt = m->sys->units.boltz * it->t_target;
	double kecurrent = 0.0, expfac;
	int n = c->n, pdof = 0;

	for (int i = 0; i < 3; i++)
		if (w->pflag[i]) {
			kecurrent += it->omega_mass[i] * it->omega_dot[i] *
				     it->omega_dot[i];
			pdof++;
		}
	double lkt_press = barostat_lkt(it, kt, pdof);
	c->eta_dotdot[0] = (kecurrent - lkt_press) / c->eta_mass[0];

	for (int ich = n - 1; ich > 0; ich--) {
		expfac = exp(-dt8 * chain_next(c, ich));
		c->eta_dot[ich] *= expfac;
		c->eta_dot[ich] += c->eta_dotdot[ich] * dt4;
		c->eta_dot[ich] *= expfac;
	}
	expfac = exp(-dt8 * chain_next(c, 0));
	c->eta_dot[0] *= expfac;
	c->eta_dot[0] += c->eta_dotdot[0] * dt4;
	c->eta_dot[0] *= expfac;

	for (int ich = 0; ich < n; ich++)
		c->eta[ich] += dthalf * c->eta_dot[ich];

	double factor_etap = exp(-dthalf * c->eta_dot[0]);
	for (int i = 0; i < 3; i++)
		if (w->pflag[i])
			it->omega_dot[i] *= factor_etap;

	kecurrent = 0.0;
	for (int i = 0; i < 3; i++)
		if (w->pflag[i])
			kecurrent += it->omega_mass[i] * it->omega_dot[i] *
				     it->omega_dot[i];
	c->eta_dotdot[0] = (kecurrent - lkt_press) / c->eta_mass[0];

	c->eta_dot[0] *= expfac;
	c->eta_dot[0] += c->eta_dotdot[0] * dt4;
	c->eta_dot[0] *= expfac;
	for (int ich = 1; ich < n; ich++) {
		expfac = exp(-dt8 * chain_next(c, ich));
		c->eta_dot[ich] *= expfac;
		c->eta_dotdot[ich] = (c->eta_mass[ich - 1] * c->eta_dot[ich - 1] *
				      c->eta_dot[ich - 1] - kt) /
				     c->eta_mass[ich];
		c->eta_dot[ich] += c->eta_dotdot[ich] * dt4;
		c->eta_dot[ich] *= expfac;
	}
}

/* The pressure the barostat sees (LAMMPS couple()): the scalar for iso,
 * the diagonal of the tensor for z-only (couple none). Both include the
 * kinetic part of the current velocities. */
static void current_pressure(const struct integrator *it, const struct md *m,
			     struct nh_work *w)
{
	if (it->o.pcouple == PCOUPLE_ISO) {
		double p = md_pressure(m, 0.5 * w->mv2 * m->sys->units.mvv2e);
		w->p_current[0] = w->p_current[1] = w->p_current[2] = p;
	} else {
		md_pressure_tensor_from(m, w->kdiag, 3, w->p_current);
	}
}

/* Target pressure and, for z-only coupling, the reference stress
 * sigma = V0 h0^-1 (P_target - P_hydro) h0^-T (LAMMPS compute_sigma; for an
 * orthorhombic box only the diagonal survives). The uncoupled x and y keep
 * P_target = 0 as in LAMMPS, so sigma_xx = sigma_yy = -V0 P/L0^2: this
 * only adds a constant to the conserved quantity. */
static void compute_press_target(const struct integrator *it,
				 struct nh_work *w)
{
	w->p_hydro = 0.0;
	for (int i = 0; i < 3; i++) {
		w->p_target[i] = w->pflag[i] ? it->o.press : 0.0;
		if (w->pflag[i])
			w->p_hydro += w->p_target[i];
	}
	w->p_hydro /= w->pdim;
	if (w->deviatoric) {
		double vol0 = it->len0[0] * it->len0[1] * it->len0[2];
		for (int i = 0; i < 3; i++) {
			double h0_inv = 1.0 / it->len0[i];
			w->sigma[i] = vol0 * (h0_inv * ((w->p_target[i] -
							  w->p_hydro) * h0_inv));
		}
	}
}

/* Half step of the barostat velocity (MTTK eq. (2), LAMMPS nh_omega_dot):
 *   W d(omega_dot)/dt = (P - P0) V / nktv2p + mtk_term1 - f_dev,
 * mtk_term1 = (1/N_cell) 2 KE / pdim (the 1/N_f coupling term of MTK). */
static void nh_omega_dot(struct integrator *it, const struct md *m,
			 struct nh_work *w)
{
	const struct system *sys = m->sys;
	const struct state *st = m->st;
	double nktv2p = sys->units.nktv2p;
	double volume = md_volume(st);
	double natoms = (double)sys->natoms;
	double dthalf = 0.5 * it->o.dt;

	w->mtk_term1 = 0.0;
	if (it->o.pcouple == PCOUPLE_ISO) {
		w->mtk_term1 = sys->dof * sys->units.boltz * w->t_current;
		w->mtk_term1 /= w->pdim * natoms;
	} else {
		for (int i = 0; i < 3; i++)
			if (w->pflag[i])
				w->mtk_term1 += w->kdiag[i] * sys->units.mvv2e;
		w->mtk_term1 /= w->pdim * natoms;
	}

	for (int i = 0; i < 3; i++) {
		if (!w->pflag[i])
			continue;
		double f_omega = (w->p_current[i] - w->p_hydro) * volume /
				 (it->omega_mass[i] * nktv2p) +
				 w->mtk_term1 / it->omega_mass[i];
		if (w->deviatoric) {
			/* f_dev = h sigma h^T (compute_deviatoric) */
			double fdev = st->len[i] * (w->sigma[i] * st->len[i]);
			f_omega -= fdev / (it->omega_mass[i] * nktv2p);
		}
		it->omega_dot[i] += f_omega * dthalf;
	}

	w->mtk_term2 = 0.0;
	for (int i = 0; i < 3; i++)
		if (w->pflag[i])
			w->mtk_term2 += it->omega_dot[i];
	w->mtk_term2 /= w->pdim * natoms;
}

/* nh_v_press's factors: v *= exp(-(omega_dot + mtk_term2) dt/4) twice per
 * component (two quarter steps, as LAMMPS; the tilt terms between them
 * vanish for our boxes), applied by nh_atoms. */
static void press_factors(const struct integrator *it,
			  const struct nh_work *w, double f[3])
{
	double dt4 = 0.25 * it->o.dt;
	for (int a = 0; a < 3; a++)
		f[a] = exp(-dt4 * (it->omega_dot[a] + w->mtk_term2));
}

/* One half-step remap of an axis (LAMMPS remap, dilate all): lamda = (x -
 * oldlo) h_inv in the old box, x = len lamda + lo in the new one. */
struct remap_axis {
	int on;
	double oldlo, h_inv, len, lo;
};

/* Half-step box change h <- exp(omega_dot dt/2) h about the box centre:
 * the new box into st, and in r the map that carries every atom affinely
 * with it (nh_atoms applies it). Image flags stay valid because the map
 * is affine. */
static void remap_box(struct integrator *it, struct state *st,
		      const struct nh_work *w, struct remap_axis r[3])
{
	double dto = 0.5 * it->o.dt;
	for (int i = 0; i < 3; i++)
		it->omega[i] += dto * it->omega_dot[i];  /* bookkeeping only */
	for (int a = 0; a < 3; a++) {
		r[a].on = w->pflag[a];
		if (!r[a].on)
			continue;
		double oldlo = st->lo[a], oldhi = st->lo[a] + st->len[a];
		double fixedpoint = 0.5 * (oldlo + oldhi);
		double h_inv = 1.0 / st->len[a];
		double expfac = exp(dto * it->omega_dot[a]);
		double lo = (oldlo - fixedpoint) * expfac + fixedpoint;
		double hi = (oldhi - fixedpoint) * expfac + fixedpoint;
		r[a] = (struct remap_axis){1, oldlo, h_inv, hi - lo, lo};
		st->lo[a] = lo;
		st->len[a] = hi - lo;
	}
}

/* ---- the per-atom work of a Nose-Hoover step (nh_atoms) --------------- */

/* What nh_atoms does to the atoms, in this order: each piece a loop of
 * its own over a thread's atoms, the arithmetic of the separate
 * whole-system loops it replaces (thermostat scaling, nh_v_press, md_kick,
 * remap, nve_x), so per atom the same bits. */
struct nh_ops {
	int scale;       /* v *= vscale (the thermostat's half-step factor) */
	double vscale;
	int press;       /* v *= pf twice per component (nh_v_press) */
	double pf[3];
	int kick;        /* v += dtf / m f */
	double dtf;
	int press_after; /* nh_v_press after the kick */
	int drift;       /* x += dtv v, between the remaps */
	double dtv;
	int remap;       /* r[0] before the drift, r[1] after */
	struct remap_axis r[2][3];
	int sums;        /* 1: m v^2 into w->mv2; 2: also the kinetic
			    tensor's diagonal into w->kdiag */
};

static void v_press_range(double *restrict vx, double *restrict vy,
			  double *restrict vz, size_t a0, size_t a1,
			  const double f[3])
{
	const double f0 = f[0], f1 = f[1], f2 = f[2];
#pragma omp simd
	for (size_t i = a0; i < a1; i++) {
		vx[i] *= f0;
		vy[i] *= f1;
		vz[i] *= f2;
		vx[i] *= f0;
		vy[i] *= f1;
		vz[i] *= f2;
	}
}

static void remap_range(struct state *st, const struct remap_axis r[3],
			size_t a0, size_t a1)
{
	for (int a = 0; a < 3; a++) {
		if (!r[a].on)
			continue;
		double *restrict x = a == 0 ? st->x : a == 1 ? st->y : st->z;
		const double oldlo = r[a].oldlo, h_inv = r[a].h_inv,
			     len = r[a].len, lo = r[a].lo;
#pragma omp simd
		for (size_t i = a0; i < a1; i++) {
			double lamda = h_inv * (x[i] - oldlo);
			x[i] = len * lamda + lo;
		}
	}
}

/* ops on every atom, each thread on its work items (md_work_items), in
 * one parallel region; the sums per item in atom order (md_ke_items' and
 * md_ktensor_items' expressions), added in item order. */
static void nh_atoms(const struct md *m, const struct nh_ops *op,
		     struct nh_work *w)
{
	struct state *st = m->st;
	const double *restrict mass = m->sys->mass;
	const int items = md_work_items(m);
	double part[MD_MAX_ITEMS][4]; /* m v^2, then the tensor's diagonal */
#pragma omp parallel num_threads(items) if (items > 1)
	{
		const int t = omp_util_thread_id(), nt = omp_util_team_size();
		for (int k = t; k < items; k += nt) {
			size_t a0, a1;
			md_item_atoms(m, k, items, &a0, &a1);
			double *restrict x = st->x, *restrict y = st->y,
				       *restrict z = st->z, *restrict vx = st->vx,
				       *restrict vy = st->vy, *restrict vz = st->vz;
			if (op->scale)
				md_scale_range(st, a0, a1, op->vscale);
			if (op->press)
				v_press_range(vx, vy, vz, a0, a1, op->pf);
			if (op->kick)
				md_kick_range(st, mass, a0, a1, op->dtf);
			if (op->press_after)
				v_press_range(vx, vy, vz, a0, a1, op->pf);
			if (op->remap)
				remap_range(st, op->r[0], a0, a1);
			if (op->drift) {
				const double dtv = op->dtv;
#pragma omp simd
				for (size_t i = a0; i < a1; i++) {
					x[i] += dtv * vx[i];
					y[i] += dtv * vy[i];
					z[i] += dtv * vz[i];
				}
			}
			if (op->remap)
				remap_range(st, op->r[1], a0, a1);
			/* md_ke_items' and md_ktensor_items' sums */
			if (op->sums)
				part[k][0] = state_mv2_range(st, mass, a0, a1);
			if (op->sums == 2)
				state_ktensor_range(st, mass, a0, a1, 3, part[k] + 1);
		}
	}
	if (!op->sums)
		return;
	w->mv2 = 0.0;
	for (int k = 0; k < items; k++)
		w->mv2 += part[k][0];
	for (int a = 0; a < 3; a++) {
		w->kdiag[a] = 0.0;
		for (int k = 0; k < items && op->sums == 2; k++)
			w->kdiag[a] += part[k][1 + a];
	}
}

/* ---- the steps -------------------------------------------------------- */

/* md_temp's temperature from a kinetic energy (its expression: the same
 * bits). */
static double temp_of(const struct system *sys, double ke)
{
	if (sys->dof <= 0.0)
		return 0.0;
	return 2.0 * ke / (sys->dof * sys->units.boltz);
}

/* NVT of LJ pairs alone: nh_step's arithmetic in three parallel regions
 * (the kinetic energy; the first scaling, kick, drift, rebuild check,
 * forces, final kick and the kinetic energy after it, md_step_nh; the
 * second scaling) where the separate loops took seven and two serial
 * sums, each over atoms another thread had just written (the paper's LJ
 * system, 2 threads: 139-141 -> 132-136 us a step; 1 thread unchanged,
 * 231-235). One thread: bitwise
 * nh_step's trajectory; more: the kinetic energy summed by work item
 * (md_ke_items), so the thermostat's factors differ at round-off. */
static int nvt_step_pairs(struct integrator *it, struct md *m,
			  struct err *e)
{
	const struct system *sys = m->sys;
	struct state *st = m->st;
	const double dtf = 0.5 * it->o.dt * sys->units.ftm2v;
	struct nh_work w;
	memset(&w, 0, sizeof w);
	nh_flags(it, &w);

	st->step++;
	st->time += it->o.dt;
	/* md_temp's value, from md_ke_items */
	w.t_current = temp_of(sys, md_ke_items(m));
	it->t_target = ramp_temp(it, st->step);
	const double f1 = nhc_temp_integrate(it, m, &w);
	double ke;
	if (md_step_nh(m, !m->forces_only, f1, dtf, it->o.dt, &ke, e) != 0)
		return -1;
	w.t_current = temp_of(sys, ke);
	md_scale_v(m, nhc_temp_integrate(it, m, &w));
	return 0;
}

static int nh_step(struct integrator *it, struct md *m, struct err *e)
{
	const struct system *sys = m->sys;
	struct state *st = m->st;
	double dtf = 0.5 * it->o.dt * sys->units.ftm2v;
	int npt = it->o.ens == ENS_NPT;
	if (!npt && !m->cons && !m->sc && !m->ff && !m->separate_loops &&
	    nbr_items(m->nl) >= 1 &&
	    nbr_items(m->nl) <= MD_MAX_ITEMS)
		return nvt_step_pairs(it, m, e);
	struct nh_work w;
	memset(&w, 0, sizeof w);
	nh_flags(it, &w);

	st->step++;                     /* LAMMPS: ++ntimestep, then integrate */
	st->time += it->o.dt;

	/* initial_integrate, in two passes over the atoms (nh_atoms): with
	 * the barostat, the thermostat's scaling and the sums the pressure
	 * needs, then nh_v_press, the kick, remap, drift, remap; without,
	 * the scaling, kick and drift */
	w.t_current = temp_of(sys, md_ke_items(m));
	if (npt)
		nhc_press_integrate(it, m, &w);
	it->t_target = ramp_temp(it, st->step);
	const double fe = nhc_temp_integrate(it, m, &w);
	const int iso = it->o.pcouple == PCOUPLE_ISO;
	struct nh_ops op = {.scale = 1, .vscale = fe, .kick = 1, .dtf = dtf,
			    .drift = 1, .dtv = it->o.dt};
	if (npt) {
		const struct nh_ops first = {.scale = 1, .vscale = fe,
					     .sums = iso ? 1 : 2};
		nh_atoms(m, &first, &w);
		current_pressure(it, m, &w);
		compute_press_target(it, &w);
		nh_omega_dot(it, m, &w);
		op.scale = 0;
		op.press = 1;
		press_factors(it, &w, op.pf);
		op.remap = 1;
		remap_box(it, st, &w, op.r[0]);
		remap_box(it, st, &w, op.r[1]);
	}
	nh_atoms(m, &op, &w);

	/* forces at the new positions (the box change forces a rebuild);
	 * then the constraints' post_force (RATTLE velocities or SHAKE) */
	if (step_forces(it, m, e) != 0)
		return -1;
	if (m->cons && constrain_post_force(m->cons, m, e) != 0)
		return -1;

	/* final_integrate: the kick (and nh_v_press) with the sums, then
	 * the thermostat's scaling */
	struct nh_ops fin = {.kick = 1, .dtf = dtf, .press_after = npt,
			     .sums = npt && !iso ? 2 : 1};
	if (npt)
		press_factors(it, &w, fin.pf);
	nh_atoms(m, &fin, &w);
	w.t_current = temp_of(sys, 0.5 * w.mv2 * sys->units.mvv2e);
	if (npt) {
		current_pressure(it, m, &w);
		nh_omega_dot(it, m, &w);
	}
	md_scale_v(m, nhc_temp_integrate(it, m, &w));
	if (npt)
		nhc_press_integrate(it, m, &w);
	/* fix rattle's final_integrate comes after fix nvt/npt's */
	if (m->cons && constrain_final(m->cons, m, e) != 0)
		return -1;
	return 0;
}

/* LAMMPS fix langevin post_force (no tally, zero no, gjf no):
 *   F += -m/damp v / ftm2v + sqrt(24 kB T m / (damp dt mvv2e)) / ftm2v (u - 1/2)
 * with u uniform on [0,1): the uniform deviate has variance 1/12, so the
 * random force has the fluctuation-dissipation variance 2 m kB T/(damp dt). */
static void langevin_force(struct integrator *it, struct md *m, double t)
{
	const struct system *sys = m->sys;
	const struct units *u = &sys->units;
	struct state *st = m->st;
	double damp = it->o.langevin_damp;
	double tsqrt = sqrt(t);
	double c2 = sqrt(24.0 * u->boltz / damp / it->o.dt / u->mvv2e);
	for (size_t i = 0; i < st->n; i++) {
		double mass = sys->mass[i];
		double gamma1 = -mass / damp / u->ftm2v;
		double gamma2 = sqrt(mass) * c2 / u->ftm2v * tsqrt;
		double fr0 = gamma2 * (rng_uniform(&it->rng) - 0.5);
		double fr1 = gamma2 * (rng_uniform(&it->rng) - 0.5);
		double fr2 = gamma2 * (rng_uniform(&it->rng) - 0.5);
		st->fx[i] += gamma1 * st->vx[i] + fr0;
		st->fy[i] += gamma1 * st->vy[i] + fr1;
		st->fz[i] += gamma1 * st->vz[i] + fr2;
	}
}

/* fix nve (+ fix langevin post_force after the force evaluation). */
static int verlet_step(struct integrator *it, struct md *m, struct err *e)
{
	const struct system *sys = m->sys;
	struct state *st = m->st;
	double dtf = 0.5 * it->o.dt * sys->units.ftm2v;
	int langevin = it->o.ens == ENS_LANGEVIN;

	/* The first step of a run uses the friction and noise LAMMPS adds in
	 * setup (post_force at the starting velocities). */
	if (langevin && st->step == it->step0) {
		it->t_target = ramp_temp(it, st->step);
		langevin_force(it, m, it->t_target);
	}

	st->step++;
	st->time += it->o.dt;
	/* Plain NVE of LJ pairs: the drift, rebuild check, forces and final
	 * kick in one pass (md_step_nve); with other terms, the final kick
	 * in the force pass (md_forces_kick). Both bitwise the same as the
	 * separate loops. */
	if (!langevin && !m->cons && !m->sc && !m->ff)
		return md_step_nve(m, !m->forces_only, dtf, it->o.dt, e);
	nve_vx(sys, st, m->nl, dtf, it->o.dt);
	if (!langevin && !m->cons)
		return md_forces_kick(m, !m->forces_only, dtf, e);
	if (step_forces(it, m, e) != 0)
		return -1;
	if (langevin) {
		it->t_target = ramp_temp(it, st->step);
		langevin_force(it, m, it->t_target);
	}
	if (m->cons && constrain_post_force(m->cons, m, e) != 0)
		return -1;
	md_kick_items(m, dtf); /* v += dt/2 F/m */
	if (m->cons && constrain_final(m->cons, m, e) != 0)
		return -1;
	return 0;
}

int integrator_step(struct integrator *it, struct md *m, struct err *e)
{
	switch (it->o.ens) {
	case ENS_NVE:
	case ENS_LANGEVIN:
		return verlet_step(it, m, e);
	case ENS_NVT:
	case ENS_NPT:
		return nh_step(it, m, e);
	case ENS_MIN:
	default:
		return err_set(e, "integrator: ensemble %d is not a time "
				  "integrator (use minimize_run)", (int)it->o.ens);
	}
}

int integrator_setup(struct integrator *it, struct md *m, struct err *e)
{
	(void)it;
	if (m->cons)
		return constrain_setup(m->cons, m, e);
	return 0;
}

/* ---- set-up ----------------------------------------------------------- */

static int positive(double x)
{
	return isfinite(x) && x > 0.0;
}

static int check_opts(const struct integrator_opts *o, struct err *e)
{
	if (!positive(o->dt))
		return err_set(e, "integrator: time step must be positive, "
				  "got %g", o->dt);
	if (o->nsteps_total < 0)
		return err_set(e, "integrator: negative run length %ld",
			       o->nsteps_total);
	switch (o->ens) {
	case ENS_NVE:
		return 0;
	case ENS_LANGEVIN:
		if (!positive(o->temp) || !(o->temp_stop >= 0.0) ||
		    !isfinite(o->temp_stop))
			return err_set(e, "integrator: Langevin needs a "
					  "positive temperature, got %g",
				       o->temp);
		if (!positive(o->langevin_damp))
			return err_set(e, "integrator: Langevin damping time "
					  "must be positive, got %g",
				       o->langevin_damp);
		return 0;
	case ENS_NVT:
	case ENS_NPT:
		if (!positive(o->temp) || !(o->temp_stop >= 0.0) ||
		    !isfinite(o->temp_stop))
			return err_set(e, "integrator: target temperature must "
					  "be positive, got %g", o->temp);
		if (!positive(o->tdamp))
			return err_set(e, "integrator: Tdamp must be positive, "
					  "got %g", o->tdamp);
		if (o->tchain < 0 || o->tchain > NH_MAXCHAIN)
			return err_set(e, "integrator: tchain must be 1..%d, "
					  "got %d", NH_MAXCHAIN, o->tchain);
		if (o->ens == ENS_NVT)
			return 0;
		if (!isfinite(o->press))
			return err_set(e, "integrator: target pressure must be "
					  "finite");
		if (!positive(o->pdamp))
			return err_set(e, "integrator: Pdamp must be positive, "
					  "got %g", o->pdamp);
		if (o->pchain < 0 || o->pchain > NH_MAXCHAIN)
			return err_set(e, "integrator: pchain must be 1..%d, "
					  "got %d", NH_MAXCHAIN, o->pchain);
		if (o->pcouple != PCOUPLE_ISO && o->pcouple != PCOUPLE_Z)
			return err_set(e, "integrator: unknown pressure "
					  "coupling %d", (int)o->pcouple);
		return 0;
	case ENS_MIN:
		return err_set(e, "integrator: minimisation is not a time "
				  "integrator (use minimize_run)");
	default:
		return err_set(e, "integrator: unknown ensemble %d",
			       (int)o->ens);
	}
}

int integrator_init(struct integrator *it, const struct integrator_opts *o,
		    struct md *m, struct err *e)
{
	const struct system *sys = m->sys;
	const struct state *st = m->st;
	if (check_opts(o, e) != 0)
		return -1;
	if ((o->ens == ENS_NVT || o->ens == ENS_NPT) && !(sys->dof > 0.0))
		return err_set(e, "integrator: no degrees of freedom to "
				  "thermostat");

	memset(it, 0, sizeof *it);
	it->o = *o;
	/* Unset values mean the LAMMPS defaults / no ramp. */
	if (it->o.tchain == 0)
		it->o.tchain = 3;
	if (it->o.pchain == 0)
		it->o.pchain = 3;
	if (it->o.temp_stop == 0.0)
		it->o.temp_stop = it->o.temp;
	m->dt = o->dt;

	it->step0 = st->step;
	it->t_target = it->o.temp;
	for (int a = 0; a < 3; a++)
		it->len0[a] = st->len[a];
	rng_seed(&it->rng, (uint64_t)o->seed);

	double kt = sys->units.boltz * it->t_target;
	if (is_nh(it)) {
		/* FixNH::setup: Q_1 = N_f kT/w_T^2, Q_k = kT/w_T^2, and the
		 * initial chain forces for the zero chain velocities. */
		double t_freq = 1.0 / it->o.tdamp;
		struct nh_chain *c = &it->tchain;
		c->n = it->o.tchain;
		c->eta_mass[0] = sys->dof * kt / (t_freq * t_freq);
		for (int k = 1; k < c->n; k++)
			c->eta_mass[k] = kt / (t_freq * t_freq);
		for (int k = 1; k < c->n; k++)
			c->eta_dotdot[k] = (c->eta_mass[k - 1] * c->eta_dot[k - 1] *
					    c->eta_dot[k - 1] - kt) / c->eta_mass[k];
	}
	if (it->o.ens == ENS_NPT) {
		/* Barostat mass W = (N+1) kT / w_P^2 per coupled dimension
		 * (LAMMPS since PR #942); its chain Q = kT / w_P,max^2. */
		struct nh_work w;
		nh_flags(it, &w);
		double p_freq = 1.0 / it->o.pdamp;
		double nkt = ((double)sys->natoms + 1.0) * kt;
		for (int i = 0; i < 3; i++)
			if (w.pflag[i])
				it->omega_mass[i] = nkt / (p_freq * p_freq);
		struct nh_chain *c = &it->pchain;
		c->n = it->o.pchain;
		for (int k = 0; k < c->n; k++)
			c->eta_mass[k] = kt / (p_freq * p_freq);
		for (int k = 1; k < c->n; k++)
			c->eta_dotdot[k] = (c->eta_mass[k - 1] * c->eta_dot[k - 1] *
					    c->eta_dot[k - 1] - kt) / c->eta_mass[k];
	}
	return 0;
}

/* ---- conserved quantity (LAMMPS FixNH::compute_scalar + pe + ke) ------- */

double integrator_conserved(const struct integrator *it, const struct md *m)
{
	const struct system *sys = m->sys;
	const struct state *st = m->st;
	double e = energy_pe(&m->en) + md_ke(sys, st);
	if (it->o.ens == ENS_LANGEVIN)
		return NAN;
	if (!is_nh(it))
		return e;

	double kt = sys->units.boltz * it->t_target;
	double energy = 0.0;
	const struct nh_chain *c = &it->tchain;
	/* Chain energy, MTTK eq. (2): sum p_eta^2/2Q + N_f kT eta_1
	 * + kT sum_{k>1} eta_k. */
	energy += sys->dof * kt * c->eta[0] +
		  0.5 * c->eta_mass[0] * c->eta_dot[0] * c->eta_dot[0];
	for (int k = 1; k < c->n; k++)
		energy += kt * c->eta[k] +
			  0.5 * c->eta_mass[k] * c->eta_dot[k] * c->eta_dot[k];

	if (it->o.ens == ENS_NPT) {
		struct nh_work w;
		nh_flags(it, &w);
		compute_press_target(it, &w);
		double volume = md_volume(st);
		double vol0 = it->len0[0] * it->len0[1] * it->len0[2];
		double nktv2p = sys->units.nktv2p;
		/* Barostat kinetic energy + P0 (V - V0), MTTK eq. (8). */
		for (int i = 0; i < 3; i++)
			if (w.pflag[i])
				energy += 0.5 * it->omega_dot[i] * it->omega_dot[i] *
					  it->omega_mass[i] +
					  w.p_hydro * (volume - vol0) /
					  (w.pdim * nktv2p);
		/* Barostat chain: the coefficient of etap[0] must be the kT
		 * its equation of motion drives towards (see barostat_lkt);
		 * LAMMPS 29Sep2021 reports this plus (pdim - 1) kT etap[0]
		 * for iso, a quantity that drifts as etap[0] does. */
		double lkt_press = barostat_lkt(it, kt, w.pdim);
		const struct nh_chain *p = &it->pchain;
		if (p->n > 0) {
			energy += lkt_press * p->eta[0] +
				  0.5 * p->eta_mass[0] * p->eta_dot[0] * p->eta_dot[0];
			for (int k = 1; k < p->n; k++)
				energy += kt * p->eta[k] + 0.5 * p->eta_mass[k] *
					  p->eta_dot[k] * p->eta_dot[k];
		}
		/* Strain energy 1/2 Tr(sigma h h^T) of z-only coupling. */
		if (w.deviatoric) {
			double d = 0.0;
			for (int i = 0; i < 3; i++)
				d += w.sigma[i] * (st->len[i] * st->len[i]);
			energy += 0.5 * d / nktv2p;
		}
	}
	return e + energy;
}

/* ---- pack / unpack ---------------------------------------------------- */

static size_t pack_chain(const struct nh_chain *c, double *buf)
{
	size_t k = 0;
	buf[k++] = c->n;
	for (int i = 0; i < c->n; i++)
		buf[k++] = c->eta[i];
	for (int i = 0; i < c->n; i++)
		buf[k++] = c->eta_dot[i];
	for (int i = 0; i < c->n; i++)
		buf[k++] = c->eta_dotdot[i];
	for (int i = 0; i < c->n; i++)
		buf[k++] = c->eta_mass[i];
	return k;
}

/* Layout (version INTEGRATOR_LAYOUT): version, ensemble, step0, t_target,
 * particle chain (n, eta[n], eta_dot[n], eta_dotdot[n], eta_mass[n]),
 * barostat chain (same), omega[3], omega_dot[3], omega_mass[3], len0[3],
 * rng (RNG_PACK_N). eta_dotdot is state: the chain's first sweep uses the
 * forces left by the previous half step. */
#define PACK_LEN(nt, np) (4 + (1 + 4 * (size_t)(nt)) + (1 + 4 * (size_t)(np)) \
			  + 12 + RNG_PACK_N)
_Static_assert(PACK_LEN(NH_MAXCHAIN, NH_MAXCHAIN) <= INTEGRATOR_PACK_MAX,
	       "integrator state must fit INTEGRATOR_PACK_MAX");

size_t integrator_pack(const struct integrator *it, double *buf)
{
	size_t k = 0;
	buf[k++] = INTEGRATOR_LAYOUT;
	buf[k++] = (double)it->o.ens;
	buf[k++] = (double)it->step0;
	buf[k++] = it->t_target;
	k += pack_chain(&it->tchain, buf + k);
	k += pack_chain(&it->pchain, buf + k);
	for (int i = 0; i < 3; i++)
		buf[k++] = it->omega[i];
	for (int i = 0; i < 3; i++)
		buf[k++] = it->omega_dot[i];
	for (int i = 0; i < 3; i++)
		buf[k++] = it->omega_mass[i];
	for (int i = 0; i < 3; i++)
		buf[k++] = it->len0[i];
	rng_pack(&it->rng, buf + k);
	k += RNG_PACK_N;
	return k;
}

static int unpack_chain(struct nh_chain *c, const double *buf, size_t n,
			size_t *k, const char *what, struct err *e)
{
	if (*k >= n)
		return err_set(e, "integrator state: truncated (%s chain)", what);
	double len = buf[(*k)++];
	if (len != (double)c->n)
		return err_set(e, "integrator state: %s chain has %g members, "
				  "this run has %d", what, len, c->n);
	if (*k + 4 * (size_t)c->n > n)
		return err_set(e, "integrator state: truncated (%s chain)", what);
	for (int i = 0; i < c->n; i++)
		c->eta[i] = buf[(*k)++];
	for (int i = 0; i < c->n; i++)
		c->eta_dot[i] = buf[(*k)++];
	for (int i = 0; i < c->n; i++)
		c->eta_dotdot[i] = buf[(*k)++];
	for (int i = 0; i < c->n; i++)
		c->eta_mass[i] = buf[(*k)++];
	return 0;
}

int integrator_unpack(struct integrator *it, const double *buf, size_t n,
		      struct err *e)
{
	/* Unpack into a copy so that a bad buffer leaves it untouched. */
	struct integrator t = *it;
	size_t k = 0;
	if (n < 4)
		return err_set(e, "integrator state: %zu numbers, too short", n);
	if (buf[0] != INTEGRATOR_LAYOUT)
		return err_set(e, "integrator state: layout %g, expected %g",
			       buf[0], INTEGRATOR_LAYOUT);
	if (buf[1] != (double)t.o.ens)
		return err_set(e, "integrator state: written for ensemble %g, "
				  "this run is %d", buf[1], (int)t.o.ens);
	/* 2^53: every step count up to here is exact in a double */
	if (!(fabs(buf[2]) < 9007199254740992.0) || buf[2] != floor(buf[2]))
		return err_set(e, "integrator state: bad start step %g", buf[2]);
	t.step0 = (long)buf[2];
	t.t_target = buf[3];
	k = 4;
	if (unpack_chain(&t.tchain, buf, n, &k, "thermostat", e) != 0 ||
	    unpack_chain(&t.pchain, buf, n, &k, "barostat", e) != 0)
		return -1;
	if (n != PACK_LEN(t.tchain.n, t.pchain.n))
		return err_set(e, "integrator state: %zu numbers, expected %zu",
			       n, PACK_LEN(t.tchain.n, t.pchain.n));
	for (size_t j = 3; j < n - RNG_PACK_N; j++)
		if (!isfinite(buf[j]))
			return err_set(e, "integrator state: number %zu is not "
					  "finite", j);
	for (int i = 0; i < 3; i++)
		t.omega[i] = buf[k++];
	for (int i = 0; i < 3; i++)
		t.omega_dot[i] = buf[k++];
	for (int i = 0; i < 3; i++)
		t.omega_mass[i] = buf[k++];
	for (int i = 0; i < 3; i++)
		t.len0[i] = buf[k++];
	rng_unpack(&t.rng, buf + k);
	*it = t;
	return 0;
}
