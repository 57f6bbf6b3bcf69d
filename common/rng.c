#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->spare = 0.0;
	r->has_spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double rng_gauss(struct rng *r)
{
	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	double u, v, s;
	do {
		u = 2.0 * rng_uniform(r) - 1.0;
		v = 2.0 * rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	double m = sqrt(-2.0 * log(s) / s);
	r->spare = v * m;
	r->has_spare = 1;
	return u * m;
}

void rng_pack(const struct rng *r, double *out)
{
	for (int i = 0; i < 4; i++) {
		out[2 * i] = (double)(uint32_t)(r->s[i] >> 32);
		out[2 * i + 1] = (double)(uint32_t)(r->s[i] & 0xffffffffu);
	}
	out[8] = r->spare;
	out[9] = r->has_spare;
}

void rng_unpack(struct rng *r, const double *in)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = ((uint64_t)(uint32_t)in[2 * i] << 32) |
			  (uint64_t)(uint32_t)in[2 * i + 1];
	r->spare = in[8];
	r->has_spare = in[9] != 0.0;
}
