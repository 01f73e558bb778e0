/* test_faults.c: fault injection into the runtime's page population.
 *
 * For each scenario (static area, module area, dynamic area, CPU online)
 * and for every N the scenario reaches, the Nth data-page allocation fails;
 * then, separately, the Nth map_page (which stands for the arch failing to
 * get a page-table page).  After each failed call the whole state (runtime
 * struct, bookkeeping, mapped set, window bytes, page count) must equal the
 * snapshot taken before it, no page may be leaked, and finally the call,
 * made without a fault, must succeed and leave the right bytes. */
#include "../cunit-run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

#define SHIFT 16
#define NCPU 4
#define STRIDE ((size_t)1 << SHIFT)

static struct rt_fixture X;
static unsigned char tmpl[16384];
static uintptr_t result_addr;

static void setup_empty(void)
{
	fixture_init(&X, SHIFT, NCPU, 32, true);
	for (unsigned cpu = 1; cpu < NCPU; cpu++)
		CU_ASSERT_EQUAL_FATAL(pcpu_cpu_online(X.rt, cpu), PCPU_OK);
}

/* A static area ending inside page 1, two small dynamic areas after it and
 * a module: the next areas land partly on mapped pages. */
static void setup_busy(void)
{
	uintptr_t a;

	setup_empty();
	CU_ASSERT_EQUAL_FATAL(pcpu_static_init(X.rt, tmpl, 5000, 100), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_dyn_alloc(X.rt, 40, 8, &a), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_module_alloc(X.rt, tmpl + 7, 300, 50, 16, &a), PCPU_OK);
	/* Something the test wrote that must survive a failed call. */
	for (unsigned cpu = 0; cpu < NCPU; cpu++)
		memset(X.f.window + ((size_t)cpu << SHIFT) + (a - X.f.base), 0x30 + cpu, 300);
}

/* Half the CPUs online when the busy state is built; CPU 2 comes later. */
static void setup_busy_partial(void)
{
	uintptr_t a;

	fixture_init(&X, SHIFT, NCPU, 32, true);
	CU_ASSERT_EQUAL_FATAL(pcpu_cpu_online(X.rt, 1), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_static_init(X.rt, tmpl, 5000, 100), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_module_alloc(X.rt, tmpl + 1, 9000, 3000, 64, &a), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_dyn_alloc(X.rt, 20000, 4096, &a), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_dyn_alloc(X.rt, 8, 8, &a), PCPU_OK);
}

/* CPU 1 online and an area of more than PCPU_UNMAP_BATCH pages (in a
 * stride 4 times the others' to hold them): onlining another CPU that fails
 * late rolls back more than one batch. */
#define BIG_SHIFT (SHIFT + 2)
static void setup_big_partial(void)
{
	uintptr_t a;

	fixture_init(&X, BIG_SHIFT, NCPU, 32, true);
	CU_ASSERT_EQUAL_FATAL(pcpu_cpu_online(X.rt, 1), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_static_init(X.rt, tmpl, 5000, 100), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_dyn_alloc(X.rt, (PCPU_UNMAP_BATCH + 4) * 4096, 4096, &a),
			      PCPU_OK);
}

static int do_static(void)
{
	return pcpu_static_init(X.rt, tmpl, 9000, 3000); /* 3 pages x 4 CPUs */
}

static int do_module(void)
{
	/* Starts on mapped page 1, spans pages 1-4. */
	return pcpu_module_alloc(X.rt, tmpl + 3, 8000, 6000, 32, &result_addr);
}

static int do_dyn(void)
{
	return pcpu_dyn_alloc(X.rt, 3 * 4096 + 100, 8, &result_addr);
}

/* 10 pages on 4 CPUs: a late failure undoes more than a batch. */
static int do_big_dyn(void)
{
	return pcpu_dyn_alloc(X.rt, 10 * 4096, 4096, &result_addr);
}

static int do_online(void)
{
	return pcpu_cpu_online(X.rt, 2);
}

static bool bytes_are(size_t off, const unsigned char *want, size_t len)
{
	for (unsigned cpu = 0; cpu < NCPU; cpu++) {
		const unsigned char *got = X.f.window + ((size_t)cpu << SHIFT) + off;

		if (!pcpu_cpu_is_online(X.rt, cpu))
			continue;
		if (want ? memcmp(got, want, len) != 0 : false)
			return false;
		if (!want)
			for (size_t i = 0; i < len; i++)
				if (got[i])
					return false;
	}
	return true;
}

/* Run `call` with the Nth page allocation (or map) failing, for N = 1, 2,
 * ... until the call succeeds; returns how many N failed. */
static long inject(void (*setup)(void), int (*call)(void), bool fail_map, const char *name)
{
	struct rt_snapshot s;
	long n, calls_before;
	int err;

	setup();
	for (n = 1;; n++) {
		const char *d;

		snapshot_take(&s, &X);
		calls_before = fail_map ? X.f.map_calls : X.f.page_allocs;
		if (fail_map)
			X.f.fail_map_at = n;
		else
			X.f.fail_page_at = n;
		err = call();
		if (err == PCPU_OK) {
			/* Only success once the call needs fewer than n. */
			long used = (fail_map ? X.f.map_calls : X.f.page_allocs) - calls_before;

			CU_ASSERT(used < n);
			X.f.fail_map_at = X.f.fail_page_at = 0;
			snapshot_free(&s);
			break;
		}
		CU_ASSERT_EQUAL(err, PCPU_ERR_NOMEM);
		CU_ASSERT_EQUAL(fail_map ? X.f.fail_map_at : X.f.fail_page_at, 0); /* it fired */
		d = snapshot_diff(&s, &X);
		if (d)
			fprintf(stderr, "%s, %s %ld failing: %s\n", name, fail_map ? "map" : "page", n, d);
		CU_ASSERT_PTR_NULL(d);
		d = check_invariants(&X);
		if (d)
			fprintf(stderr, "%s, %s %ld failing: %s\n", name, fail_map ? "map" : "page", n, d);
		CU_ASSERT_PTR_NULL(d);
		snapshot_free(&s);
		if (n > 1000) {
			CU_FAIL("scenario never succeeds");
			break;
		}
	}
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	return n - 1;
}

static void finish(void)
{
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	fixture_destroy(&X);
}

static void test_static(void)
{
	for (int m = 0; m < 2; m++) {
		long n = inject(setup_empty, do_static, m, "static");

		CU_ASSERT_EQUAL(n, 12); /* 3 pages on 4 CPUs */
		CU_ASSERT(bytes_are(0, tmpl, 9000));
		CU_ASSERT(bytes_are(9000, NULL, 3000));
		finish();
	}
}

static void test_module(void)
{
	for (int m = 0; m < 2; m++) {
		long n = inject(setup_busy, do_module, m, "module");
		size_t off = result_addr - X.f.base;

		CU_ASSERT_EQUAL(off % 32, 0);
		CU_ASSERT_EQUAL(off >> 12, 1);                 /* began on a mapped page */
		CU_ASSERT_EQUAL(n, 4 * (size_t)(((off + 14000 - 1) >> 12) - 1)); /* new pages x CPUs */
		CU_ASSERT(bytes_are(off, tmpl + 3, 8000));
		CU_ASSERT(bytes_are(off + 8000, NULL, 6000));
		CU_ASSERT(n >= 12);
		finish();
	}
}

static void test_dyn(void)
{
	for (int m = 0; m < 2; m++) {
		long n = inject(setup_busy, do_dyn, m, "dynamic");
		size_t off = result_addr - X.f.base;

		CU_ASSERT_EQUAL(off >> 12, 1);
		CU_ASSERT_EQUAL(n, 4 * 3);
		CU_ASSERT(bytes_are(off, NULL, 3 * 4096 + 100));
		finish();
	}
}

static void test_online(void)
{
	for (int m = 0; m < 2; m++) {
		long n = inject(setup_busy_partial, do_online, m, "cpu online");
		struct pcpu_stats st;

		pcpu_get_stats(X.rt, &st);
		CU_ASSERT_EQUAL(n, (long)st.mapped_offsets); /* every covered page, one CPU */
		CU_ASSERT(n >= 8);
		CU_ASSERT(pcpu_cpu_is_online(X.rt, 2));
		CU_ASSERT(bytes_are(0, tmpl, 5000));
		finish();
	}
}

static void test_big(void)
{
	for (int m = 0; m < 2; m++) {
		long n = inject(setup_empty, do_big_dyn, m, "big dynamic");

		CU_ASSERT_EQUAL(n, 10 * NCPU);
		CU_ASSERT(n > (long)PCPU_UNMAP_BATCH);
		CU_ASSERT(bytes_are(result_addr - X.f.base, NULL, 10 * 4096));
		finish();
	}
	for (int m = 0; m < 2; m++) {
		long n = inject(setup_big_partial, do_online, m, "big cpu online");
		struct pcpu_stats st;

		pcpu_get_stats(X.rt, &st);
		CU_ASSERT_EQUAL(n, (long)st.mapped_offsets);
		CU_ASSERT(n > (long)PCPU_UNMAP_BATCH);
		CU_ASSERT(memcmp(X.f.window + ((size_t)2 << BIG_SHIFT), tmpl, 5000) == 0);
		finish();
	}
}

static const struct cunit_test tests[] = {
	{ "static area: every page and map failure rolls back", test_static },
	{ "module area: every page and map failure rolls back", test_module },
	{ "dynamic area: every page and map failure rolls back", test_dyn },
	{ "CPU online: every page and map failure rolls back", test_online },
	{ "more than a batch of pages to undo: rolls back", test_big },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(tmpl); i++)
		tmpl[i] = (unsigned char)(i * 13 + 1);
	return CUNIT_RUN("fault injection", tests);
}
