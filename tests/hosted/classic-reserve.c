/* CUnit tests of the classic scheme (kernel-glue/percpu_classic.c): set-up
 * copies the template into every CPU's area and fills __per_cpu_offset;
 * __alloc_percpu serves the fixed reserve, zeroed on every CPU, aligned on
 * every CPU, and fails cleanly when it is full; bad and double frees are
 * refused with their codes and change nothing.  Classic mode, linked with
 * percpu-hosted-classic.lds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cunit-run.h"

#include <percpu-vm/percpu.h>
#include <percpu-vm/classic.h>
#include <percpu-vm/runtime.h>

#if NR_CPUS >= 3
# define CPUS 3
#else
# define CPUS NR_CPUS
#endif
#define LAST (CPUS - 1) /* another CPU than 0 when there is one */

DEFINE_PER_CPU(int, cr_value) = 42;
DEFINE_PER_CPU(char[100], cr_text) = "template";
DEFINE_PER_CPU(long, cr_zero);

static void *areas[CPUS];

static size_t area_len(void)
{
	return (pcpu_classic_area_size() + PERCPU_CLASSIC_AREA_ALIGN - 1) &
	       ~(size_t)(PERCPU_CLASSIC_AREA_ALIGN - 1);
}

static void test_setup_refuses_bad_areas(void)
{
	void *bad[CPUS], *null_one[CPUS];
	unsigned cpu;

	for (cpu = 0; cpu < CPUS; cpu++)
		bad[cpu] = null_one[cpu] = areas[cpu];
	bad[LAST] = (char *)areas[LAST] + 8;
	null_one[LAST] = NULL;

	CU_ASSERT_EQUAL(pcpu_classic_setup(bad, CPUS), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_classic_setup(null_one, CPUS), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_classic_setup(areas, 0), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_classic_setup(areas, NR_CPUS + 1), PCPU_ERR_INVAL);
	/* nothing allocated before a successful set-up */
	CU_ASSERT_PTR_NULL(__alloc_percpu(8, 8));
	CU_ASSERT_EQUAL(pcpu_classic_last_error(), PCPU_ERR_STATE);
}

static void test_setup_copies_template(void)
{
	unsigned cpu;

	CU_ASSERT_EQUAL_FATAL(pcpu_classic_setup(areas, CPUS), 0);
	CU_ASSERT_EQUAL(pcpu_classic_setup(areas, CPUS), PCPU_ERR_STATE);
	for (cpu = 0; cpu < CPUS; cpu++) {
		CU_ASSERT_EQUAL(__per_cpu_offset[cpu],
				(unsigned long)((uintptr_t)areas[cpu] - (uintptr_t)__per_cpu_start));
		CU_ASSERT_EQUAL(per_cpu(cr_value, cpu), 42);
		CU_ASSERT_STRING_EQUAL(per_cpu(cr_text, cpu), "template");
		CU_ASSERT_EQUAL(per_cpu(cr_zero, cpu), 0);
		CU_ASSERT_PTR_EQUAL(per_cpu_ptr(&cr_value, cpu),
				    (int *)((char *)areas[cpu] + ((char *)&cr_value - __per_cpu_start)));
	}
	per_cpu(cr_value, LAST) = 7;
	if (LAST != 0)
		CU_ASSERT_EQUAL(per_cpu(cr_value, 0), 42);
	CU_ASSERT_EQUAL(cr_value, 42); /* the template itself is untouched */
}

static void test_alloc_zeroed_and_aligned(void)
{
	unsigned cpu, align;

	for (align = 1; align <= 4096; align <<= 1) {
		char *p = __alloc_percpu(24, align);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		for (cpu = 0; cpu < CPUS; cpu++) {
			char *c = per_cpu_ptr(p, cpu);
			size_t i;
			CU_ASSERT_EQUAL((uintptr_t)c % align, 0);
			CU_ASSERT(c >= (char *)areas[cpu] && c + 24 <= (char *)areas[cpu] + area_len());
			for (i = 0; i < 24; i++)
				CU_ASSERT_EQUAL(c[i], 0);
			memset(c, 0x5a, 24);
		}
		free_percpu(p);
		/* the same room again comes back zeroed */
		p = __alloc_percpu(24, align);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		for (cpu = 0; cpu < CPUS; cpu++)
			CU_ASSERT_EQUAL(per_cpu_ptr(p, cpu)[23], 0);
		free_percpu(p);
	}
	CU_ASSERT_PTR_NULL(__alloc_percpu(8, 3));
	CU_ASSERT_EQUAL(pcpu_classic_last_error(), PCPU_ERR_ALIGN);
}

static void test_reserve_is_fixed(void)
{
	char *half1 = __alloc_percpu(PERCPU_CLASSIC_RESERVE / 2, 64);
	char *half2 = __alloc_percpu(PERCPU_CLASSIC_RESERVE / 2, 64);
	char *again;

	CU_ASSERT_PTR_NOT_NULL_FATAL(half1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(half2);
	CU_ASSERT_PTR_NULL(__alloc_percpu(1, 1));
	CU_ASSERT_EQUAL(pcpu_classic_last_error(), PCPU_ERR_NOSPACE);
	free_percpu(half1);
	again = __alloc_percpu(PERCPU_CLASSIC_RESERVE / 2, 64);
	CU_ASSERT_PTR_EQUAL(again, half1);
	free_percpu(again);
	free_percpu(half2);
	/* all of it again, in one piece, once both halves coalesced */
	again = __alloc_percpu(PERCPU_CLASSIC_RESERVE, 64);
	CU_ASSERT_PTR_NOT_NULL(again);
	free_percpu(again);
}

static void test_bad_frees_change_nothing(void)
{
	int *p = alloc_percpu(int), *q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(pcpu_classic_free(&cr_value), PCPU_ERR_NOTALLOC); /* static area */
	CU_ASSERT_EQUAL(pcpu_classic_free((char *)p + 1), PCPU_ERR_NOTALLOC);
	CU_ASSERT_EQUAL(pcpu_classic_free(NULL), 0);
	*per_cpu_ptr(p, LAST) = 99;
	CU_ASSERT_EQUAL(pcpu_classic_free(p), 0);
	CU_ASSERT_EQUAL(pcpu_classic_free(p), PCPU_ERR_DOUBLEFREE);
	free_percpu(p); /* free_percpu swallows the error, records it */
	CU_ASSERT_EQUAL(pcpu_classic_last_error(), PCPU_ERR_DOUBLEFREE);
	q = alloc_percpu(int);
	CU_ASSERT_PTR_EQUAL(q, p);
	CU_ASSERT_EQUAL(*per_cpu_ptr(q, LAST), 0);
	free_percpu(q);
	/* the static data survived all of it */
	CU_ASSERT_EQUAL(per_cpu(cr_value, LAST), 7);
	CU_ASSERT_STRING_EQUAL(per_cpu(cr_text, LAST), "template");
}

static void test_too_many_live_allocations(void)
{
	void *p[PERCPU_CLASSIC_MAX_ALLOCS + 1];
	unsigned i, n = 0;

	for (i = 0; i < PERCPU_CLASSIC_MAX_ALLOCS + 1; i++)
		if ((p[i] = __alloc_percpu(8, 8)) != NULL)
			n++;
	CU_ASSERT_EQUAL(n, PERCPU_CLASSIC_MAX_ALLOCS);
	CU_ASSERT_PTR_NULL(p[PERCPU_CLASSIC_MAX_ALLOCS]);
	CU_ASSERT_EQUAL(pcpu_classic_last_error(), PCPU_ERR_NOMETA);
	for (i = 0; i < PERCPU_CLASSIC_MAX_ALLOCS; i++)
		free_percpu(p[i]);
	p[0] = __alloc_percpu(PERCPU_CLASSIC_RESERVE, 8);
	CU_ASSERT_PTR_NOT_NULL(p[0]);
	free_percpu(p[0]);
}

static const struct cunit_test tests[] = {
	{ "set-up refuses bad areas", test_setup_refuses_bad_areas },
	{ "set-up copies the template", test_setup_copies_template },
	{ "allocations zeroed and aligned on every CPU", test_alloc_zeroed_and_aligned },
	{ "the reserve is fixed", test_reserve_is_fixed },
	{ "bad frees change nothing", test_bad_frees_change_nothing },
	{ "too many live allocations", test_too_many_live_allocations },
};

int main(void)
{
	unsigned cpu;
	int status;

	for (cpu = 0; cpu < CPUS; cpu++)
		if (!(areas[cpu] = aligned_alloc(PERCPU_CLASSIC_AREA_ALIGN, area_len())))
			return 1;
	/* in this order: the set-up happens once */
	status = CUNIT_RUN("classic per-CPU scheme", tests);
	for (cpu = 0; cpu < CPUS; cpu++)
		free(areas[cpu]);
	return status;
}
