/* rng: a small seeded generator whose whole state fits in a checkpoint.
 * xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64, with
 * Gaussian deviates by the polar Box-Muller method (the spare deviate is part
 * of the state, so a resumed run draws the same numbers). */
#ifndef SK_RNG_H
#define SK_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
	double spare;
	int has_spare;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
double rng_uniform(struct rng *r);   /* [0, 1) with 53 random bits */
double rng_gauss(struct rng *r);     /* standard normal */

/* Pack into / unpack from RNG_PACK_N doubles, exactly (32-bit halves). */
#define RNG_PACK_N 10
void rng_pack(const struct rng *r, double *out);
void rng_unpack(struct rng *r, const double *in);

#endif
