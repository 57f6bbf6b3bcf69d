/* check.h: the unit-test harness. Each check prints one TAP-style line,
 * "ok - what" or "not ok - what (details)", which tests/run counts.
 * Tolerances are explicit at every call: a test states the number it expects
 * and how close is close enough, and why, in a comment. */
#ifndef SK_CHECK_H
#define SK_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failures;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (cond) {                                               \
			printf("ok - ");                                  \
		} else {                                                  \
			printf("not ok - %s:%d: ", __FILE__, __LINE__);   \
			check_failures++;                                 \
		}                                                         \
		printf(__VA_ARGS__);                                      \
		printf("\n");                                             \
		fflush(stdout);                                           \
	} while (0)

/* |got - want| <= atol + rtol*|want| */
#define CHECK_CLOSE(got, want, rtol, atol, what)                              \
	do {                                                                  \
		double g_ = (got), w_ = (want);                               \
		int ok_ = isfinite(g_) &&                                     \
			  fabs(g_ - w_) <= (atol) + (rtol) * fabs(w_);        \
		CHECK(ok_, "%s: got %.17g want %.17g (rtol %g atol %g)",      \
		      what, g_, w_, (double)(rtol), (double)(atol));          \
	} while (0)

static inline int check_done(void)
{
	return check_failures ? 1 : 0;
}

#endif
