/* Unit tests for common/correlate.c.
 * Sources of the expected values:
 *  - Anscombe (1973), "Graphs in statistical analysis", Am. Stat. 27, 17:
 *    data set I has r = 0.816 and the line y = 3.00 + 0.500 x; the digits
 *    below (r = 0.81642051634484, p = 0.002169628873078783, slope
 *    0.5000909090909091 +- 0.11790550059563408, intercept 3.0000909090909103
 *    +- 1.1247467908086437) were computed independently with
 *    /usr/bin/python3 scipy 1.10.1 (stats.pearsonr, stats.linregress).
 *  - A set with ties, by scipy 1.10.1: x = 1 2 2 3 4 4 4 5, y = 3 1 4 1 5 9
 *    2 6: pearsonr 0.5030376637372143 (p 0.2038404487391593), spearmanr
 *    0.5495502618648208 (p 0.1582561276787799), rankdata(x) = 1 2.5 2.5 4
 *    6 6 6 8.
 *  - Spearman without ties, by hand: rho = 1 - 6 sum d^2/(n(n^2-1)). */
#include "check.h"
#include "correlate.h"

#include <string.h>

#include <gsl/gsl_errno.h>

static struct table *mk(const char *text, struct table *t)
{
	struct err e;
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	if (!fp || table_read_stream(t, fp, "mem", &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		exit(1);
	}
	fclose(fp);
	return t;
}

int main(void)
{
	gsl_set_error_handler_off();
	struct err e;
	double ax[11] = {10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5};
	double ay[11] = {8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84,
			 4.82, 5.68};
	struct corr_result c;
	CHECK(correlate(ax, ay, NULL, 11, &c, &e) == 0, "Anscombe I");
	CHECK_CLOSE(c.r, 0.81642051634484, 1e-12, 0, "Anscombe I: Pearson r");
	CHECK_CLOSE(c.r_p, 0.002169628873078783, 1e-9, 0, "Anscombe I: p-value");
	CHECK_CLOSE(c.line.c1, 0.5000909090909091, 1e-12, 0, "Anscombe I: slope");
	CHECK_CLOSE(sqrt(c.line.cov11), 0.11790550059563408, 1e-10, 0,
		    "Anscombe I: slope standard error");
	CHECK_CLOSE(c.line.c0, 3.0000909090909103, 1e-12, 0,
		    "Anscombe I: intercept");
	CHECK_CLOSE(sqrt(c.line.cov00), 1.1247467908086437, 1e-10, 0,
		    "Anscombe I: intercept standard error");
	CHECK_CLOSE(c.x0, -3.0000909090909103 / 0.5000909090909091, 1e-12, 0,
		    "Anscombe I: y = 0 at -intercept/slope");

	double tx[8] = {1, 2, 2, 3, 4, 4, 4, 5}, ty[8] = {3, 1, 4, 1, 5, 9, 2, 6};
	double rk[8], want[8] = {1, 2.5, 2.5, 4, 6, 6, 6, 8};
	corr_ranks(tx, 8, rk);
	int same = 1;
	for (int i = 0; i < 8; i++)
		same &= rk[i] == want[i];
	CHECK(same, "ranks with ties averaged (scipy rankdata)");
	CHECK(correlate(tx, ty, NULL, 8, &c, &e) == 0, "data with ties");
	CHECK_CLOSE(c.r, 0.5030376637372143, 1e-12, 0, "ties: Pearson r");
	CHECK_CLOSE(c.r_p, 0.2038404487391593, 1e-9, 0, "ties: Pearson p");
	CHECK_CLOSE(c.rho, 0.5495502618648208, 1e-12, 0, "ties: Spearman rho");
	CHECK_CLOSE(c.rho_p, 0.1582561276787799, 1e-9, 0, "ties: Spearman p");

	/* no ties: x = 1..5, y ranks 2 1 4 3 5: sum d^2 = 4,
	 * rho = 1 - 24/120 = 0.8 */
	double nx[5] = {1, 2, 3, 4, 5}, ny[5] = {20, 10, 40, 30, 50};
	CHECK_CLOSE(corr_spearman(nx, ny, 5), 0.8, 1e-14, 0,
		    "Spearman by hand (1 - 6 sum d^2/(n(n^2-1)))");
	double my[5] = {50, 40, 30, 20, 10};
	CHECK(correlate(nx, my, NULL, 5, &c, &e) == 0 && c.r == -1.0 &&
	      c.rho == -1.0 && c.r_p == 0.0, "perfect anticorrelation: r = rho = "
	      "-1, p = 0");
	CHECK(correlate(nx, ny, NULL, 2, &c, &e) != 0, "2 points are refused: %s",
	      e.msg);
	double cy[5] = {1, 1, 1, 1, 1};
	CHECK(correlate(nx, cy, NULL, 5, &c, &e) != 0, "a constant is refused: %s",
	      e.msg);

	/* join: numeric keys match across spellings, rows without a partner
	 * are dropped, the column comes from the first table having it */
	struct table t1, t2;
	struct table *tp[2] = {
		mk("# eps mass x[tau]\n0.5 1 1.0\n1.0 1 2.0\n1.5 2 3.0\n1.5 4 9\n",
		   &t1),
		mk("# eps mass y[1/T*] x\n0.5 1.00 -1 7\n1 1 0.5 7\n1.5 2 2 7\n", &t2)};
	const char *keys[2] = {"eps", "mass"}, *cols[2] = {"x", "y"};
	struct corr_join j;
	CHECK(corr_join(tp, 2, keys, 2, cols, 2, &j, &e) == 0, "join on eps,mass");
	CHECK(j.n == 3 && j.ndrop == 1, "3 rows joined, 1 dropped (%zu, %zu)",
	      j.n, j.ndrop);
	CHECK(j.n == 3 && j.val[2] == 2.0 && j.val[3] == 0.5 &&
	      !strcmp(j.key[1], "1.0,1"), "values and keys of the joined rows");
	CHECK(!strcmp(j.unit[0], "tau") && !strcmp(j.unit[1], "1/T*"),
	      "units of the wanted columns");
	corr_join_free(&j);
	const char *bad[1] = {"nope"};
	CHECK(corr_join(tp, 2, keys, 2, bad, 1, &j, &e) != 0, "a missing column "
	      "is refused: %s", e.msg);
	struct table t3;
	struct table *tq[2] = {tp[0], mk("# eps mass y\n0.5 1 1\n0.5 1 2\n", &t3)};
	CHECK(corr_join(tq, 2, keys, 2, cols, 2, &j, &e) != 0, "a repeated key "
	      "is refused: %s", e.msg);
	table_free(&t1);
	table_free(&t2);
	table_free(&t3);
	return check_done();
}
