/* omp_util: OpenMP thread queries that also compile without OpenMP. */
#ifndef SK_OMP_UTIL_H
#define SK_OMP_UTIL_H

#ifdef _OPENMP
#include <omp.h>
#endif

static inline int omp_util_max_threads(void)
{
#ifdef _OPENMP
	return omp_get_max_threads();
#else
	return 1;
#endif
}

static inline int omp_util_thread_id(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

static inline int omp_util_team_size(void)
{
#ifdef _OPENMP
	return omp_get_num_threads();
#else
	return 1;
#endif
}

#endif
