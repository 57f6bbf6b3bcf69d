/* lammps_ref: the LAMMPS `run 0` references of the molecular fixtures
 * (tests/fixtures/{molecular,tip4p,decouple}/ref.in): NAME.log holds one
 * thermo line "step pe evdwl ecoul elong ebond eangle edihed eimp press
 * pxx pyy pzz pxy pxz pyz vol" (%20.15g, totals), NAME.dump the forces
 * "id fx fy fz" sorted by id. One reader for every test that compares
 * with them. */
#ifndef SK_TESTS_LAMMPS_REF_H
#define SK_TESTS_LAMMPS_REF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lammps_ref {
	double t[8];      /* pe evdwl ecoul elong ebond eangle edihed eimp */
	double press, p[6];
	size_t n;
	long *id;         /* [n] */
	double *f;        /* [3 n] fx fy fz per atom */
};

static inline void lammps_ref_free(struct lammps_ref *r)
{
	free(r->f);
	free(r->id);
	r->f = NULL;
	r->id = NULL;
}

/* Read DIR NAME.log and DIR NAME.dump; 0 on success, -1 otherwise (r then
 * holds nothing to free). */
static inline int lammps_ref_read(const char *dir, const char *name,
				  struct lammps_ref *r)
{
	char path[512], line[4096];
	memset(r, 0, sizeof *r);
	snprintf(path, sizeof path, "%s%s.log", dir, name);
	FILE *fp = fopen(path, "r");
	int ok = 0;
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp))
		if (strncmp(line, "Step PotEng E_vdwl", 18) == 0) {
			long step;
			double vol;
			ok = fgets(line, sizeof line, fp) &&
			     sscanf(line, "%ld %lf %lf %lf %lf %lf %lf %lf %lf "
					  "%lf %lf %lf %lf %lf %lf %lf %lf",
				    &step, &r->t[0], &r->t[1], &r->t[2], &r->t[3],
				    &r->t[4], &r->t[5], &r->t[6], &r->t[7],
				    &r->press, &r->p[0], &r->p[1], &r->p[2],
				    &r->p[3], &r->p[4], &r->p[5], &vol) == 17;
			break;
		}
	fclose(fp);
	snprintf(path, sizeof path, "%s%s.dump", dir, name);
	fp = ok ? fopen(path, "r") : NULL;
	if (!fp)
		return -1;
	int bad = 0;
	while (!bad && fgets(line, sizeof line, fp)) {
		if (!strncmp(line, "ITEM: NUMBER OF ATOMS", 21)) {
			lammps_ref_free(r);
			bad = !fgets(line, sizeof line, fp) ||
			      sscanf(line, "%zu", &r->n) != 1;
			if (!bad) {
				r->f = calloc(3 * r->n + 1, sizeof *r->f);
				r->id = calloc(r->n + 1, sizeof *r->id);
				bad = !r->f || !r->id;
			}
		} else if (!strncmp(line, "ITEM: ATOMS id fx fy fz", 23) &&
			   r->f) {
			for (size_t i = 0; !bad && i < r->n; i++)
				bad = !fgets(line, sizeof line, fp) ||
				      sscanf(line, "%ld %lf %lf %lf", &r->id[i],
					     &r->f[3 * i], &r->f[3 * i + 1],
					     &r->f[3 * i + 2]) != 4;
		}
	}
	fclose(fp);
	if (bad || !r->f) {
		lammps_ref_free(r);
		return -1;
	}
	return 0;
}

#endif
