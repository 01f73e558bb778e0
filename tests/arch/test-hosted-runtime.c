/* tests/arch/test-hosted-runtime.c: the real runtime on the hosted backend.
 * Every CPU's copy is written through base + cpu * stride and read back,
 * pages past what is allocated fault, freed areas' pages are unmapped, and
 * the backend's page counts agree with the runtime's bookkeeping, also
 * when page allocations or maps fail half way. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cunit-run.h"

#include <percpu-vm/hosted.h>
#include <percpu-vm/runtime.h>

#include "hosted-fault.h"

#define NCPUS 4u
#define SHIFT 20u
#define STRIDE (1ul << SHIFT)
#define MAX_AREAS 64u

#define STATIC_INIT 10000u
#define STATIC_ZERO 3000u

static struct pcpu_hosted *h;
static struct pcpu_runtime_storage storage;
static struct pcpu_runtime *rt;
static void *meta;
static uintptr_t base;
static unsigned char static_tmpl[STATIC_INIT];

static void start(void)
{
	struct pcpu_hosted_params hp = { .shift = SHIFT, .nr_cpus = NCPUS };
	char err[256];
	size_t msize = pcpu_runtime_meta_size(SHIFT, NCPUS, MAX_AREAS);

	CU_ASSERT_EQUAL_FATAL(pcpu_hosted_create(&hp, &h, err, sizeof(err)), PCPU_OK);
	base = pcpu_hosted_base(h);
	CU_ASSERT_FATAL(msize > 0);
	meta = malloc(msize);
	CU_ASSERT_PTR_NOT_NULL_FATAL(meta);
	struct pcpu_params p = { base, SHIFT, NCPUS, MAX_AREAS, meta, msize, pcpu_hosted_ops(h) };
	CU_ASSERT_EQUAL_FATAL(pcpu_runtime_init(&storage, &p, &rt), PCPU_OK);
	for (unsigned cpu = 1; cpu < NCPUS; cpu++)
		CU_ASSERT_EQUAL_FATAL(pcpu_cpu_online(rt, cpu), PCPU_OK);
	for (unsigned i = 0; i < STATIC_INIT; i++)
		static_tmpl[i] = (unsigned char)(i * 7 + 3);
	CU_ASSERT_EQUAL_FATAL(pcpu_static_init(rt, static_tmpl, STATIC_INIT, STATIC_ZERO), PCPU_OK);
}

static void stop(void)
{
	pcpu_hosted_destroy(h);
	free(meta);
	h = NULL;
	rt = NULL;
}

/* The backend's view and the runtime's bookkeeping agree. */
static void check_counts(void)
{
	struct pcpu_stats rs;
	struct pcpu_hosted_stats hs;
	size_t per_cpu = 0;

	pcpu_get_stats(rt, &rs);
	pcpu_hosted_get_stats(h, &hs);
	CU_ASSERT_EQUAL(hs.mapped_pages, rs.mapped_pages);
	CU_ASSERT_EQUAL(hs.data_pages, rs.mapped_pages); /* no page allocated but unmapped */
	CU_ASSERT_EQUAL(hs.misuse, 0);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)
		if (pcpu_cpu_is_online(rt, cpu))
			per_cpu += pcpu_hosted_cpu_mapped_pages(h, cpu);
	CU_ASSERT_EQUAL(per_cpu, rs.mapped_pages);
	CU_ASSERT_EQUAL(rs.mapped_pages, rs.mapped_offsets * rs.online_cpus);
}

static void test_static_area_every_cpu(void)
{
	start();
	/* Static area: 13000 bytes = pages 0..3 on each CPU. */
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		const unsigned char *c = (const unsigned char *)(base + cpu * STRIDE);
		CU_ASSERT(memcmp(c, static_tmpl, STATIC_INIT) == 0);
		for (unsigned i = 0; i < STATIC_ZERO; i++)
			if (c[STATIC_INIT + i] != 0) {
				CU_FAIL("zero part not zero");
				break;
			}
		CU_ASSERT_EQUAL(pcpu_hosted_cpu_mapped_pages(h, cpu), 4);
		CU_ASSERT(touch_faults(base + cpu * STRIDE + 4 * 4096, TOUCH_READ));
		CU_ASSERT(touch_faults(base + cpu * STRIDE + STRIDE - 1, TOUCH_WRITE));
	}
	/* Write every CPU's copy, then read them all back: no copy aliases
	 * another. */
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		uint32_t *w = (uint32_t *)(base + cpu * STRIDE);
		for (unsigned i = 0; i < (STATIC_INIT + STATIC_ZERO) / 4; i++)
			w[i] = cpu << 24 | i;
	}
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		const uint32_t *w = (const uint32_t *)(base + cpu * STRIDE);
		unsigned bad = 0;
		for (unsigned i = 0; i < (STATIC_INIT + STATIC_ZERO) / 4; i++)
			bad += w[i] != (cpu << 24 | i);
		CU_ASSERT_EQUAL(bad, 0);
	}
	check_counts();
	stop();
}

static void test_modules_and_dynamic(void)
{
	static unsigned char mod_a[5000], mod_b[300];
	uintptr_t a, b, d;
	struct pcpu_stats rs;

	start();
	memset(mod_a, 0xa1, sizeof(mod_a));
	memset(mod_b, 0xb2, sizeof(mod_b));
	/* Page-aligned areas so that freeing them unmaps pages of their own. */
	CU_ASSERT_EQUAL_FATAL(pcpu_module_alloc(rt, mod_a, sizeof(mod_a), 1000, 4096, &a), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_module_alloc(rt, mod_b, sizeof(mod_b), 100, 64, &b), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_dyn_alloc(rt, 200, 4096, &d), PCPU_OK);
	CU_ASSERT(a >= base + STATIC_INIT + STATIC_ZERO && a < base + STRIDE);
	CU_ASSERT_EQUAL(a % 4096, 0);
	check_counts();

	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		unsigned char *ca = (unsigned char *)(a + cpu * STRIDE);
		unsigned char *cb = (unsigned char *)(b + cpu * STRIDE);
		uint64_t *cd = (uint64_t *)(d + cpu * STRIDE);
		CU_ASSERT(memcmp(ca, mod_a, sizeof(mod_a)) == 0);
		CU_ASSERT_EQUAL(ca[sizeof(mod_a) + 999], 0);
		CU_ASSERT(memcmp(cb, mod_b, sizeof(mod_b)) == 0);
		CU_ASSERT_EQUAL(cb[sizeof(mod_b) + 99], 0);
		for (unsigned i = 0; i < 25; i++)
			CU_ASSERT_EQUAL(cd[i], 0);
		/* Write each CPU's copy of the dynamic area with its number. */
		for (unsigned i = 0; i < 25; i++)
			cd[i] = (uint64_t)cpu << 32 | i;
	}
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		const uint64_t *cd = (const uint64_t *)(d + cpu * STRIDE);
		for (unsigned i = 0; i < 25; i++)
			CU_ASSERT_EQUAL(cd[i], (uint64_t)cpu << 32 | i);
	}

	/* Free the dynamic area: its page (its own, 4096-aligned, unshared
	 * unless module b landed there) goes when nothing else covers it. */
	size_t dpage = (d - base) / 4096;
	unsigned before = pcpu_page_refcount(rt, dpage);
	CU_ASSERT_EQUAL(pcpu_dyn_free(rt, d), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_page_refcount(rt, dpage), before - 1);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		if (before == 1) {
			CU_ASSERT(touch_faults(d + cpu * STRIDE, TOUCH_READ));
		} else {
			CU_ASSERT(touch_works(d + cpu * STRIDE));
		}
	}
	check_counts();

	/* Free module a: its two pages go on every CPU. */
	CU_ASSERT_EQUAL(pcpu_module_free(rt, a), PCPU_OK);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		CU_ASSERT(touch_faults(a + cpu * STRIDE, TOUCH_WRITE));
		CU_ASSERT_FALSE(pcpu_hosted_is_mapped(h, a + cpu * STRIDE + 4096));
	}
	check_counts();
	/* Module b still reads its template. */
	CU_ASSERT_EQUAL(*(unsigned char *)(b + 3 * STRIDE), 0xb2);
	CU_ASSERT_EQUAL(pcpu_module_free(rt, b), PCPU_OK);
	pcpu_get_stats(rt, &rs);
	CU_ASSERT_EQUAL(rs.mapped_offsets, 4); /* only the static area is left */
	check_counts();
	stop();
}

static void test_cpu_hotplug(void)
{
	uintptr_t d;

	start();
	CU_ASSERT_EQUAL_FATAL(pcpu_dyn_alloc(rt, 64, 8, &d), PCPU_OK);
	*(uint32_t *)(d + 2 * STRIDE) = 99;
	CU_ASSERT_EQUAL(pcpu_cpu_offline(rt, 2), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_hosted_cpu_mapped_pages(h, 2), 0);
	CU_ASSERT(touch_faults(base + 2 * STRIDE, TOUCH_READ));
	check_counts();
	CU_ASSERT_EQUAL(pcpu_cpu_online(rt, 2), PCPU_OK);
	/* Fresh copy: the template again, the dynamic area zero. */
	CU_ASSERT(memcmp((void *)(base + 2 * STRIDE), static_tmpl, STATIC_INIT) == 0);
	CU_ASSERT_EQUAL(*(uint32_t *)(d + 2 * STRIDE), 0);
	check_counts();
	stop();
}

/* Every page allocation and every map the call makes fails in turn: the
 * call reports NOMEM and leaves the backend exactly as before. */
static void test_failures_leave_nothing(void)
{
	static unsigned char tmpl[9000];
	struct pcpu_hosted_stats before, after;
	struct pcpu_stats rs_before, rs_after;
	uintptr_t a;
	int kinds;

	start();
	memset(tmpl, 0x3c, sizeof(tmpl));
	for (kinds = 0; kinds < 2; kinds++) {
		size_t n;
		for (n = 1;; n++) {
			pcpu_hosted_get_stats(h, &before);
			pcpu_get_stats(rt, &rs_before);
			if (kinds == 0)
				pcpu_hosted_fail_nth_page(h, n);
			else
				pcpu_hosted_fail_nth_map(h, n);
			int rc = pcpu_module_alloc(rt, tmpl, sizeof(tmpl), 500, 16, &a);
			pcpu_hosted_fail_nth_page(h, 0);
			pcpu_hosted_fail_nth_map(h, 0);
			if (rc == PCPU_OK)
				break;
			CU_ASSERT_EQUAL(rc, PCPU_ERR_NOMEM);
			pcpu_hosted_get_stats(h, &after);
			pcpu_get_stats(rt, &rs_after);
			CU_ASSERT_EQUAL(after.data_pages, before.data_pages);
			CU_ASSERT_EQUAL(after.mapped_pages, before.mapped_pages);
			CU_ASSERT_EQUAL(rs_after.mapped_pages, rs_before.mapped_pages);
			CU_ASSERT_EQUAL(rs_after.live_areas, rs_before.live_areas);
			CU_ASSERT_EQUAL(after.misuse, 0);
			check_counts();
		}
		/* 9500 bytes after a 13000-byte static area: pages 3..5, of which
		 * 4 and 5 are new on 4 CPUs, so 8 pages and 8 maps are needed. */
		CU_ASSERT_EQUAL(n, 9);
		for (unsigned cpu = 0; cpu < NCPUS; cpu++)
			CU_ASSERT_EQUAL(*(unsigned char *)(a + cpu * STRIDE + 8999), 0x3c);
		CU_ASSERT_EQUAL(pcpu_module_free(rt, a), PCPU_OK);
		check_counts();
	}
	stop();
}

static const struct cunit_test tests[] = {
	{ "static area on every CPU", test_static_area_every_cpu },
	{ "modules and dynamic areas, unmapped after free", test_modules_and_dynamic },
	{ "CPU offline and online", test_cpu_hotplug },
	{ "failed page or map leaves nothing", test_failures_leave_nothing },
};

int main(void)
{
	return CUNIT_RUN("runtime on the hosted backend", tests);
}
