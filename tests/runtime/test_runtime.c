/* test_runtime.c: the runtime's entry points one by one, over the fake arch:
 * parameter checks, call order, area kinds, fresh pages, guards, hotplug,
 * the lock hook, stats, pcpu_fill_offsets and the pcpu_api_* helpers. */
#include "../cunit-run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

#define SHIFT 16
#define NCPU 4
#define STRIDE ((size_t)1 << SHIFT)
#define USABLE (STRIDE - PCPU_GUARD_SIZE) /* where areas may lie */
#define GUARD_PAGE (USABLE / PCPU_PAGE_SIZE) /* the stride's last page */

static struct rt_fixture X;
static unsigned char tmpl[8192];

static unsigned char *copy_of(unsigned cpu, uintptr_t addr)
{
	return X.f.window + ((size_t)cpu << SHIFT) + (addr - X.f.base);
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

#define NO_CHANGE(call, expect)                                         \
	do {                                                            \
		struct rt_snapshot s_;                                  \
		const char *d_;                                         \
		snapshot_take(&s_, &X);                                 \
		CU_ASSERT_EQUAL((call), (expect));                      \
		d_ = snapshot_diff(&s_, &X);                            \
		CU_ASSERT_PTR_NULL(d_);                                 \
		snapshot_free(&s_);                                     \
		CU_ASSERT_PTR_NULL(check_invariants(&X));               \
	} while (0)

static void test_init_params(void)
{
	struct fake_arch f;
	struct pcpu_runtime_storage st;
	struct pcpu_runtime *rt = NULL;
	struct pcpu_params p, q;
	struct pcpu_arch_ops ops;
	size_t need = pcpu_runtime_meta_size(SHIFT, NCPU, 8);
	unsigned char *meta = malloc(need + 1);

	CU_ASSERT(need > 0);
	CU_ASSERT_EQUAL(pcpu_runtime_meta_size(11, NCPU, 8), 0);
	CU_ASSERT_EQUAL(pcpu_runtime_meta_size(12, NCPU, 8), 0); /* all guard */
	CU_ASSERT(pcpu_runtime_meta_size(PCPU_MIN_SHIFT, NCPU, 8) > 0);
	CU_ASSERT_EQUAL(pcpu_runtime_meta_size(SHIFT, 0, 8), 0);
	CU_ASSERT_EQUAL(pcpu_runtime_meta_size(SHIFT, PCPU_MAX_CPUS + 1, 8), 0);
	CU_ASSERT_EQUAL(pcpu_runtime_meta_size(SHIFT, NCPU, 0), 0);
	/* 4 or 8 CPUs: the same bitmap word, so the same size (test_meta_bound). */
	CU_ASSERT_EQUAL(pcpu_runtime_meta_size(SHIFT, 2 * NCPU, 8), need);

	fake_arch_init(&f, SHIFT, NCPU, true);
	memset(&p, 0, sizeof(p));
	p.base = f.base;
	p.shift = SHIFT;
	p.nr_cpus = NCPU;
	p.max_areas = 8;
	p.meta = meta + 1; /* deliberately misaligned: the runtime aligns it */
	p.meta_size = need;
	p.ops = &f.ops;

	CU_ASSERT_EQUAL(pcpu_runtime_init(NULL, &p, &rt), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_runtime_init(&st, NULL, &rt), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_runtime_init(&st, &p, NULL), PCPU_ERR_INVAL);
#define BAD(field, value)                                                       \
	do {                                                                    \
		q = p;                                                          \
		q.field = value;                                                \
		CU_ASSERT_EQUAL(pcpu_runtime_init(&st, &q, &rt), PCPU_ERR_INVAL); \
	} while (0)
	BAD(base, f.base + 1);
	BAD(base, 0); /* an area at offset 0 would have the address NULL */
	BAD(base, UINTPTR_MAX - 4095); /* window would wrap */
	BAD(shift, 11);
	BAD(shift, 12); /* one page: nothing usable besides the guard */
	BAD(shift, 63);
	BAD(nr_cpus, 0);
	BAD(nr_cpus, PCPU_MAX_CPUS + 1);
	BAD(max_areas, 0);
	BAD(max_areas, 9); /* meta too small for it */
	BAD(meta, NULL);
	BAD(meta_size, need - 1);
	BAD(ops, NULL);
	ops = f.ops;
	ops.map_page = NULL;
	BAD(ops, &ops);
	ops = f.ops;
	ops.unlock = NULL; /* a lock without an unlock */
	BAD(ops, &ops);
	CU_ASSERT_PTR_NULL(rt);
#undef BAD

	CU_ASSERT_EQUAL(pcpu_runtime_init(&st, &p, &rt), PCPU_OK);
	CU_ASSERT_PTR_NOT_NULL(rt);
	CU_ASSERT(pcpu_cpu_is_online(rt, 0));
	CU_ASSERT(!pcpu_cpu_is_online(rt, 1));
	CU_ASSERT(!pcpu_cpu_is_online(rt, NCPU)); /* out of range: not online */
	CU_ASSERT_EQUAL(pcpu_base(rt), f.base);
	CU_ASSERT_EQUAL(pcpu_shift(rt), SHIFT);
	CU_ASSERT_EQUAL(f.mapped, 0);
	CU_ASSERT_EQUAL(f.page_allocs, 0);
	fake_arch_destroy(&f);
	free(meta);
}

static void test_static_rules(void)
{
	uintptr_t a;

	fixture_init(&X, SHIFT, NCPU, 8, true);
	NO_CHANGE(pcpu_static_init(X.rt, NULL, 10, 0), PCPU_ERR_INVAL);
	NO_CHANGE(pcpu_static_init(X.rt, tmpl, STRIDE, 1), PCPU_ERR_NOSPACE);
	NO_CHANGE(pcpu_static_init(X.rt, tmpl, SIZE_MAX, 2), PCPU_ERR_NOSPACE);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 5000, 1000), PCPU_OK);
	NO_CHANGE(pcpu_static_init(X.rt, tmpl, 10, 0), PCPU_ERR_STATE);
	/* Pages 0-1 mapped on CPU 0, nothing past them: the guard. */
	CU_ASSERT(fake_arch_is_mapped(&X.f, 0, 0) && fake_arch_is_mapped(&X.f, 0, 1));
	CU_ASSERT(!fake_arch_is_mapped(&X.f, 0, 2));
	CU_ASSERT(!fake_arch_is_mapped(&X.f, 1, 0));
	CU_ASSERT_EQUAL(memcmp(X.f.window, tmpl, 5000), 0);
	CU_ASSERT(all_zero(X.f.window + 5000, 1000));
	/* The static area is not anyone's to free. */
	NO_CHANGE(pcpu_dyn_free(X.rt, X.f.base), PCPU_ERR_KIND);
	NO_CHANGE(pcpu_module_free(X.rt, X.f.base), PCPU_ERR_KIND);
	fixture_destroy(&X);

	/* Static after another area: out of order. */
	fixture_init(&X, SHIFT, NCPU, 8, true);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 8, 8, &a), PCPU_OK);
	NO_CHANGE(pcpu_static_init(X.rt, tmpl, 10, 0), PCPU_ERR_STATE);
	fixture_destroy(&X);

	/* A kernel without per-CPU data: fine, once. */
	fixture_init(&X, SHIFT, NCPU, 8, true);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, NULL, 0, 0), PCPU_OK);
	NO_CHANGE(pcpu_static_init(X.rt, tmpl, 10, 0), PCPU_ERR_STATE);
	CU_ASSERT_EQUAL(X.f.mapped, 0);
	fixture_destroy(&X);
}

static void test_module_and_dyn(void)
{
	uintptr_t m = 0, d = 0, d2 = 0;
	struct pcpu_stats st;

	fixture_init(&X, SHIFT, NCPU, 8, true);
	CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, 2), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 100, 0), PCPU_OK);
	NO_CHANGE(pcpu_module_alloc(X.rt, tmpl, 0, 0, 8, &m), PCPU_ERR_INVAL);
	NO_CHANGE(pcpu_module_alloc(X.rt, NULL, 10, 0, 8, &m), PCPU_ERR_INVAL);
	NO_CHANGE(pcpu_module_alloc(X.rt, tmpl, 10, 0, 8192, &m), PCPU_ERR_ALIGN);
	NO_CHANGE(pcpu_module_alloc(X.rt, tmpl, 10, 0, 12, &m), PCPU_ERR_ALIGN);
	NO_CHANGE(pcpu_module_alloc(X.rt, tmpl, SIZE_MAX, 2, 8, &m), PCPU_ERR_NOSPACE);
	NO_CHANGE(pcpu_dyn_alloc(X.rt, 0, 8, &d), PCPU_ERR_INVAL);
	NO_CHANGE(pcpu_dyn_alloc(X.rt, STRIDE, 8, &d), PCPU_ERR_NOSPACE);
	CU_ASSERT_EQUAL(m, 0);
	CU_ASSERT_EQUAL(d, 0);

	/* Module: template then zeros on each online CPU, at an aligned offset. */
	CU_ASSERT_EQUAL(pcpu_module_alloc(X.rt, tmpl + 1, 300, 200, 256, &m), PCPU_OK);
	CU_ASSERT_EQUAL(m, X.f.base + 256);
	for (unsigned cpu = 0; cpu < NCPU; cpu += 2) {
		CU_ASSERT_EQUAL(memcmp(copy_of(cpu, m), tmpl + 1, 300), 0);
		CU_ASSERT(all_zero(copy_of(cpu, m) + 300, 200));
	}
	/* Dynamic area on a fresh page: the whole page is zero (no garbage
	 * from the recycled physical page), not just the area. */
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 1, 4096, &d), PCPU_OK);
	CU_ASSERT_EQUAL(d, X.f.base + 4096);
	CU_ASSERT(all_zero(copy_of(0, d), 4096) && all_zero(copy_of(2, d), 4096));
	/* Dirty it, free it, allocate again on the still-mapped page 0: the
	 * new area comes back zeroed although the page was not fresh. */
	memset(copy_of(0, m) + 300, 0x77, 200);
	memset(copy_of(2, m) + 300, 0x77, 200);
	CU_ASSERT_EQUAL(pcpu_module_free(X.rt, m), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 500, 256, &d2), PCPU_OK);
	CU_ASSERT_EQUAL(d2, m);
	CU_ASSERT(all_zero(copy_of(0, d2), 500) && all_zero(copy_of(2, d2), 500));
	/* Kinds are checked, and so are double frees. */
	NO_CHANGE(pcpu_module_free(X.rt, d2), PCPU_ERR_KIND);
	NO_CHANGE(pcpu_module_free(X.rt, m + 4), PCPU_ERR_NOTALLOC);
	CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, d), PCPU_OK);
	NO_CHANGE(pcpu_dyn_free(X.rt, d), PCPU_ERR_DOUBLEFREE);
	CU_ASSERT(!fake_arch_is_mapped(&X.f, 0, 1)); /* page 1 given back */
	pcpu_get_stats(X.rt, &st);
	CU_ASSERT_EQUAL(st.used_bytes, 100 + 500);
	CU_ASSERT_EQUAL(st.live_areas, 2);
	CU_ASSERT_EQUAL(st.mapped_offsets, 1);
	CU_ASSERT_EQUAL(st.mapped_pages, 2);
	CU_ASSERT_EQUAL(st.online_cpus, 2);
	CU_ASSERT_EQUAL(st.largest_free, USABLE - 756);
	CU_ASSERT_EQUAL(pcpu_page_refcount(X.rt, 0), 2);
	CU_ASSERT_EQUAL(pcpu_page_refcount(X.rt, 1), 0);
	CU_ASSERT_EQUAL(pcpu_page_refcount(X.rt, STRIDE), 0); /* out of range */
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	fixture_destroy(&X);
}

static bool cpu_pages_mapped(unsigned cpu, size_t from, size_t to)
{
	for (size_t p = from; p < to; p++)
		if (!fake_arch_is_mapped(&X.f, cpu, p))
			return false;
	return true;
}

/* The stride's last page is a guard: no area of any kind reaches into it,
 * to the byte, whatever its alignment, and it is mapped on no CPU even when
 * the usable part is full and every CPU is online (check_invariants checks
 * that too, after every call here and in test_churn). */
static void test_guard_page(void)
{
	struct pcpu_stats st;
	uintptr_t a = 0;

	/* The static area: the whole usable part, and not one byte more. */
	fixture_init(&X, SHIFT, NCPU, 8, true);
	NO_CHANGE(pcpu_static_init(X.rt, NULL, 0, USABLE + 1), PCPU_ERR_NOSPACE);
	NO_CHANGE(pcpu_static_init(X.rt, tmpl, 1, USABLE), PCPU_ERR_NOSPACE);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 100, USABLE - 100), PCPU_OK);
	for (unsigned cpu = 1; cpu < NCPU; cpu++)
		CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, cpu), PCPU_OK);
	for (unsigned cpu = 0; cpu < NCPU; cpu++) {
		CU_ASSERT(cpu_pages_mapped(cpu, 0, GUARD_PAGE));
		CU_ASSERT(!fake_arch_is_mapped(&X.f, cpu, GUARD_PAGE));
	}
	CU_ASSERT_EQUAL(pcpu_page_refcount(X.rt, GUARD_PAGE - 1), 1);
	CU_ASSERT_EQUAL(pcpu_page_refcount(X.rt, GUARD_PAGE), 0);
	pcpu_get_stats(X.rt, &st);
	CU_ASSERT_EQUAL(st.largest_free, 0);
	CU_ASSERT_EQUAL(st.mapped_pages, NCPU * GUARD_PAGE);
	NO_CHANGE(pcpu_dyn_alloc(X.rt, 1, 1, &a), PCPU_ERR_NOSPACE);
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	fixture_destroy(&X);

	fixture_init(&X, SHIFT, NCPU, 8, true);
	CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, 1), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 100, 0), PCPU_OK);
	/* A dynamic area from the static area's end to the guard, exactly. */
	NO_CHANGE(pcpu_dyn_alloc(X.rt, USABLE - 100 + 1, 4, &a), PCPU_ERR_NOSPACE);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, USABLE - 100, 4, &a), PCPU_OK);
	CU_ASSERT_EQUAL(a + (USABLE - 100), X.f.base + USABLE);
	CU_ASSERT(cpu_pages_mapped(0, 0, GUARD_PAGE) && cpu_pages_mapped(1, 0, GUARD_PAGE));
	CU_ASSERT(!fake_arch_is_mapped(&X.f, 0, GUARD_PAGE));
	CU_ASSERT(!fake_arch_is_mapped(&X.f, 1, GUARD_PAGE));
	CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, a), PCPU_OK);
	/* Page aligned: the last usable page is as high as an area goes. */
	NO_CHANGE(pcpu_dyn_alloc(X.rt, USABLE - 4096 + 1, 4096, &a), PCPU_ERR_NOSPACE);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, USABLE - 4096, 4096, &a), PCPU_OK);
	CU_ASSERT_EQUAL(a, X.f.base + 4096);
	CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, a), PCPU_OK);
	/* A module area: template and zeros up to the guard, not past it. */
	NO_CHANGE(pcpu_module_alloc(X.rt, tmpl, 8, USABLE - 108 + 1, 4, &a), PCPU_ERR_NOSPACE);
	CU_ASSERT_EQUAL(pcpu_module_alloc(X.rt, tmpl, 8, USABLE - 108, 4, &a), PCPU_OK);
	CU_ASSERT_EQUAL(a, X.f.base + 100);
	CU_ASSERT(!fake_arch_is_mapped(&X.f, 1, GUARD_PAGE));
	/* No address in the guard page is an area's. */
	NO_CHANGE(pcpu_module_free(X.rt, X.f.base + USABLE), PCPU_ERR_NOTALLOC);
	NO_CHANGE(pcpu_dyn_free(X.rt, X.f.base + STRIDE - 1), PCPU_ERR_NOTALLOC);
	CU_ASSERT_EQUAL(pcpu_module_free(X.rt, a), PCPU_OK);
	pcpu_get_stats(X.rt, &st);
	CU_ASSERT_EQUAL(st.largest_free, USABLE - 100);
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	fixture_destroy(&X);
}

static void test_bookkeeping_full(void)
{
	uintptr_t a[4];

	fixture_init(&X, SHIFT, NCPU, 4, true);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 64, 0), PCPU_OK);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 8, 8, &a[i]), PCPU_OK);
	NO_CHANGE(pcpu_dyn_alloc(X.rt, 8, 8, &a[3]), PCPU_ERR_NOMETA);
	NO_CHANGE(pcpu_module_alloc(X.rt, tmpl, 8, 0, 8, &a[3]), PCPU_ERR_NOMETA);
	CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, a[1]), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_module_alloc(X.rt, tmpl, 8, 0, 8, &a[3]), PCPU_OK);
	CU_ASSERT_EQUAL(a[3], a[1]);
	fixture_destroy(&X);
}

static void test_hotplug(void)
{
	uintptr_t m, d;

	fixture_init(&X, SHIFT, NCPU, 8, false); /* and without a flush hook */
	CU_ASSERT_PTR_NULL(X.f.ops.flush_tlb);
	NO_CHANGE(pcpu_cpu_online(X.rt, NCPU), PCPU_ERR_CPU);
	NO_CHANGE(pcpu_cpu_online(X.rt, 0), PCPU_ERR_CPU);     /* already online */
	NO_CHANGE(pcpu_cpu_offline(X.rt, 1), PCPU_ERR_CPU);    /* not online */
	NO_CHANGE(pcpu_cpu_offline(X.rt, NCPU), PCPU_ERR_CPU);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 6000, 100), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_module_alloc(X.rt, tmpl + 5, 2000, 2000, 64, &m), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 40, 8, &d), PCPU_OK);
	memset(copy_of(0, d), 0x11, 40);
	memset(copy_of(0, m), 0x22, 16);
	/* A late CPU gets the templates and zeros, not CPU 0's writes. */
	CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, 3), PCPU_OK);
	CU_ASSERT_EQUAL(memcmp(copy_of(3, X.f.base), tmpl, 6000), 0);
	CU_ASSERT_EQUAL(memcmp(copy_of(3, m), tmpl + 5, 2000), 0);
	CU_ASSERT(all_zero(copy_of(3, m) + 2000, 2000));
	CU_ASSERT(all_zero(copy_of(3, d), 40));
	CU_ASSERT_EQUAL(copy_of(0, d)[39], 0x11);
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	/* Everything offline: nothing mapped, areas still bookkept. */
	CU_ASSERT_EQUAL(pcpu_cpu_offline(X.rt, 0), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_cpu_offline(X.rt, 3), PCPU_OK);
	CU_ASSERT_EQUAL(X.f.mapped, 0);
	CU_ASSERT_EQUAL(X.f.live_pages, 0);
	CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, d), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 9000, 8, &d), PCPU_OK);
	CU_ASSERT_EQUAL(X.f.mapped, 0);
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, 1), PCPU_OK);
	CU_ASSERT(all_zero(copy_of(1, d), 9000));
	CU_ASSERT_EQUAL(memcmp(copy_of(1, m), tmpl + 5, 2000), 0);
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	fixture_destroy(&X);
}

/* An arch that hands out a physical address that is not a page frame
 * broke its contract: refused with PCPU_ERR_INVAL, the page given back. */
static void test_bad_phys(void)
{
	uintptr_t a = 0;

	fixture_init(&X, SHIFT, NCPU, 8, true);
	X.f.bad_phys = true;
	NO_CHANGE(pcpu_dyn_alloc(X.rt, 8, 8, &a), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(X.f.live_pages, 0);
	CU_ASSERT_EQUAL(X.f.page_allocs, 1);
	X.f.bad_phys = false;
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 8, 8, &a), PCPU_OK);
	CU_ASSERT_EQUAL(a, X.f.base);
	fixture_destroy(&X);
}

/* The bookkeeping: the allocator's records and the area slots (max_areas
 * of each), a reference count per usable page offset (none for the guard
 * page), a bit per CPU, each part
 * rounded to 16 bytes, plus 16 to align the caller's memory.  Nothing per
 * (CPU, page offset): 4096 CPUs cost the 64-CPU figure plus a bigger
 * bitmap, and the runtime runs in exactly that many bytes. */
static size_t meta_parts(unsigned shift, unsigned cpus, unsigned areas)
{
	return pcpu_alloc_meta_size(areas) + areas * sizeof(struct pcpu_area) +
	       (((size_t)1 << (shift - 12)) - 1) * sizeof(uint32_t) + (cpus + 31) / 32 * 4;
}

static void test_meta_bound(void)
{
	static const struct { unsigned shift, cpus, areas; } cfg[] = {
		{ 20, 64, 256 }, { 20, 4096, 256 }, { 28, 64, 256 }, { 13, 1, 1 }, { 16, 4096, 8 },
	};
	struct pcpu_runtime_storage st;
	struct pcpu_runtime *rt = NULL;
	struct pcpu_params p;
	struct fake_arch f;
	uintptr_t a[3];
	size_t need;
	unsigned char *meta;

	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		size_t m = pcpu_runtime_meta_size(cfg[i].shift, cfg[i].cpus, cfg[i].areas);
		size_t parts = meta_parts(cfg[i].shift, cfg[i].cpus, cfg[i].areas);

		if (m < parts || m > parts + 5 * 16)
			fprintf(stderr, "shift %u, %u CPUs, %u areas: %zu bytes, parts %zu\n",
				cfg[i].shift, cfg[i].cpus, cfg[i].areas, m, parts);
		CU_ASSERT(m >= parts && m <= parts + 5 * 16);
	}
	/* 64 against 4096 CPUs: no more apart than the bitmap (512 bytes). */
	CU_ASSERT(pcpu_runtime_meta_size(20, 4096, 256) - pcpu_runtime_meta_size(20, 64, 256) <=
		  4096 / 8);
	/* A stride 256 times bigger: 4 bytes more per page offset, whatever
	 * the CPU count. */
	CU_ASSERT_EQUAL(pcpu_runtime_meta_size(28, 64, 256) - pcpu_runtime_meta_size(20, 64, 256),
			((1u << 16) - (1u << 8)) * 4);
	CU_ASSERT_EQUAL(pcpu_runtime_meta_size(28, 4096, 256) - pcpu_runtime_meta_size(20, 4096, 256),
			((1u << 16) - (1u << 8)) * 4);

	/* 64 CPUs over the fake arch, all online, with exactly `need` bytes
	 * (rt_fixture checks nothing past them is written); one byte fewer is
	 * refused before anything is touched. */
	need = pcpu_runtime_meta_size(SHIFT, 64, 8);
	meta = malloc(need);
	CU_ASSERT_FATAL(meta != NULL);
	memset(meta, 0xee, need);
	fake_arch_init(&f, SHIFT, 64, true);
	memset(&p, 0, sizeof(p));
	p.base = f.base;
	p.shift = SHIFT;
	p.nr_cpus = 64;
	p.max_areas = 8;
	p.meta = meta;
	p.meta_size = need - 1;
	p.ops = &f.ops;
	CU_ASSERT_EQUAL(pcpu_runtime_init(&st, &p, &rt), PCPU_ERR_INVAL);
	CU_ASSERT_PTR_NULL(rt);
	for (size_t i = 0; i < need; i++)
		if (meta[i] != 0xee) {
			CU_FAIL("a refused init wrote into the bookkeeping");
			break;
		}
	fake_arch_destroy(&f);
	free(meta);

	fixture_init(&X, SHIFT, 64, 8, true);
	CU_ASSERT_EQUAL(X.meta_size, need);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 5000, 100), PCPU_OK);
	for (unsigned cpu = 1; cpu < 64; cpu++)
		CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, cpu), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_module_alloc(X.rt, tmpl + 1, 3000, 5000, 64, &a[0]), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 3 * 4096, 8, &a[1]), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 8, 8, &a[2]), PCPU_OK);
	CU_ASSERT_EQUAL(memcmp(copy_of(63, a[0]), tmpl + 1, 3000), 0);
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	CU_ASSERT_EQUAL(pcpu_module_free(X.rt, a[0]), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_cpu_offline(X.rt, 40), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, a[1]), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, 40), PCPU_OK);
	CU_ASSERT(all_zero(copy_of(40, a[2]), 8));
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	fixture_destroy(&X);
}

/* More pages than one batch (PCPU_UNMAP_BATCH) go back at once: each batch
 * is unmapped, flushed on every CPU copy concerned, and only then freed
 * (the fake reports a page freed before its flush), and every page comes
 * back exactly once, with no table of pages in the runtime. */
static void test_big_release(void)
{
	const unsigned shift = SHIFT + 2; /* 64 pages a CPU */
	const size_t pages = 20; /* x NCPU online = 80 pages: 3 batches */
	const long batches = (long)((pages * NCPU + PCPU_UNMAP_BATCH - 1) / PCPU_UNMAP_BATCH);
	uintptr_t d;
	long flushes, frees;

	fixture_init(&X, shift, NCPU, 8, true);
	for (unsigned cpu = 1; cpu < NCPU; cpu++)
		CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, cpu), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, pages * 4096, 4096, &d), PCPU_OK);
	CU_ASSERT_EQUAL(X.f.live_pages, (long)(pages * NCPU));
	flushes = X.f.flushes;
	frees = X.f.frees;
	CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, d), PCPU_OK);
	CU_ASSERT_EQUAL(X.f.frees - frees, (long)(pages * NCPU));
	CU_ASSERT_EQUAL(X.f.live_pages, 0);
	CU_ASSERT_EQUAL(X.f.flushes - flushes, batches * NCPU);
	CU_ASSERT_PTR_NULL(check_invariants(&X));

	/* One CPU going offline with more than a batch of pages. */
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, (PCPU_UNMAP_BATCH + 8) * 4096, 4096, &d), PCPU_OK);
	flushes = X.f.flushes;
	frees = X.f.frees;
	CU_ASSERT_EQUAL(pcpu_cpu_offline(X.rt, 2), PCPU_OK);
	CU_ASSERT_EQUAL(X.f.frees - frees, PCPU_UNMAP_BATCH + 8);
	CU_ASSERT_EQUAL(X.f.flushes - flushes, 2);
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	fixture_destroy(&X);
}

/* The page tables lost a mapping behind the runtime's back: unmap_page
 * says nothing was there, and the runtime, having no other record of the
 * page, gives nothing back for that address instead of a made-up one. */
static void test_unmap_finds_nothing(void)
{
	size_t wp = ((size_t)1 << SHIFT) / PCPU_PAGE_SIZE; /* CPU 1, page 0 */
	uintptr_t d;
	long frees;
	int32_t lost;

	fixture_init(&X, SHIFT, NCPU, 8, true);
	CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, 1), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 8, 8, &d), PCPU_OK);
	lost = X.f.map[wp];
	CU_ASSERT_FATAL(lost >= 0);
	X.f.map[wp] = -1;
	X.f.pg[lost].mapped_at = -1;
	X.f.mapped--;
	frees = X.f.frees;
	CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, d), PCPU_OK);
	CU_ASSERT_EQUAL(X.f.violations, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(X.f.last_violation, "unmap of an unmapped address"));
	CU_ASSERT_EQUAL(X.f.frees - frees, 1);       /* CPU 0's page only */
	CU_ASSERT_EQUAL(X.f.live_pages, 1);          /* the lost one stays the arch's */
	CU_ASSERT(X.f.pg[lost].in_use);
	CU_ASSERT_EQUAL(X.f.mapped, 0);
	fixture_destroy(&X);
}

struct lock_case {
	const char *name;
	int (*fn)(void);
};
static uintptr_t lk_addr;
static int lk_dyn(void) { return pcpu_dyn_alloc(X.rt, 8, 8, &lk_addr); }
static int lk_dyn_free(void) { return pcpu_dyn_free(X.rt, lk_addr); }
static int lk_mod(void) { return pcpu_module_alloc(X.rt, tmpl, 8, 8, 8, &lk_addr); }
static int lk_mod_free(void) { return pcpu_module_free(X.rt, lk_addr); }
static int lk_on(void) { return pcpu_cpu_online(X.rt, 1); }
static int lk_off(void) { return pcpu_cpu_offline(X.rt, 1); }
static int lk_static(void) { return pcpu_static_init(X.rt, tmpl, 8, 0); }
static int lk_stats(void) { struct pcpu_stats s; return pcpu_get_stats(X.rt, &s); }
static int lk_ref(void) { return (int)pcpu_page_refcount(X.rt, 0) - 1; }
static int lk_isonline(void) { return !pcpu_cpu_is_online(X.rt, 0); }
static bool lk_walk_fn(const struct pcpu_area_info *a, void *arg) { (void)a; ++*(int *)arg; return false; }
static int lk_walk(void) { int n = 0; return pcpu_for_each_area(X.rt, lk_walk_fn, &n) + n - 1; }

static void test_lock_hook(void)
{
	static const struct lock_case cases[] = {
		{ "static", lk_static }, { "dyn alloc", lk_dyn }, { "dyn free", lk_dyn_free },
		{ "module alloc", lk_mod }, { "module free", lk_mod_free }, { "online", lk_on },
		{ "offline", lk_off }, { "stats", lk_stats }, { "refcount", lk_ref },
		{ "is online", lk_isonline }, { "walk (stops early)", lk_walk },
	};

	fixture_init(&X, SHIFT, NCPU, 8, true);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long before = X.f.locks;

		CU_ASSERT_EQUAL(cases[i].fn(), 0);
		if (X.f.locks != before + 1)
			fprintf(stderr, "%s took the lock %ld times\n", cases[i].name, X.f.locks - before);
		CU_ASSERT_EQUAL(X.f.locks, before + 1);
		CU_ASSERT_EQUAL(X.f.lock_depth, 0);
	}
	CU_ASSERT_EQUAL(X.f.violations, 0);
	fixture_destroy(&X);
}

static void test_fill_offsets(void)
{
	unsigned long off[NCPU + 2];

	fixture_init(&X, SHIFT, NCPU, 8, true);
	memset(off, 0xff, sizeof(off));
	pcpu_fill_offsets(X.rt, off, NCPU);
	for (unsigned n = 0; n < NCPU; n++)
		CU_ASSERT_EQUAL(off[n], (unsigned long)n << SHIFT);
	CU_ASSERT_EQUAL(off[NCPU], ~0ul); /* only nr entries written */
	fixture_destroy(&X);
}

static bool count_area(const struct pcpu_area_info *a, void *arg)
{
	(void)a;
	++*(int *)arg;
	return true;
}

/* Every public entry point given a NULL runtime, and the other pointers
 * NULL with a good one: the int-returning ones say PCPU_ERR_INVAL and write
 * nothing, the value-returning ones give their documented "none" value
 * (runtime.h), and nothing crashes or changes. */
static void test_null_and_bad_args(void)
{
	struct pcpu_stats st, st_fill;
	unsigned long off[NCPU];
	uintptr_t addr = 1;
	unsigned long bad_frees;
	int walked = 0;

	memset(&st_fill, 0x5a, sizeof(st_fill));
	st = st_fill;
	memset(off, 0xff, sizeof(off));
	CU_ASSERT_EQUAL(pcpu_static_init(NULL, tmpl, 8, 0), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_module_alloc(NULL, tmpl, 8, 0, 8, &addr), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_module_free(NULL, 4096), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_dyn_alloc(NULL, 8, 8, &addr), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_dyn_free(NULL, 4096), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_cpu_online(NULL, 1), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_cpu_offline(NULL, 0), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(addr, 1);
	CU_ASSERT_EQUAL(pcpu_get_stats(NULL, &st), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(memcmp(&st, &st_fill, sizeof(st)), 0);
	CU_ASSERT_EQUAL(pcpu_page_refcount(NULL, 0), 0);
	CU_ASSERT(!pcpu_cpu_is_online(NULL, 0));
	CU_ASSERT_EQUAL(pcpu_base(NULL), 0);
	CU_ASSERT_EQUAL(pcpu_shift(NULL), 0);
	CU_ASSERT_EQUAL(pcpu_for_each_area(NULL, count_area, &walked), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(walked, 0);
	CU_ASSERT_EQUAL(pcpu_fill_offsets(NULL, off, NCPU), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(off[0], ~0ul);
	CU_ASSERT_STRING_EQUAL(pcpu_strerror(-1), "unknown error");
	CU_ASSERT_STRING_EQUAL(pcpu_strerror(PCPU_ERR_MAX + 1), "unknown error");

	/* A good runtime, the other pointers bad. */
	fixture_init(&X, SHIFT, NCPU, 8, true);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 100, 0), PCPU_OK);
	NO_CHANGE(pcpu_module_alloc(X.rt, tmpl, 8, 0, 8, NULL), PCPU_ERR_INVAL);
	NO_CHANGE(pcpu_dyn_alloc(X.rt, 8, 8, NULL), PCPU_ERR_INVAL);
	NO_CHANGE(pcpu_get_stats(X.rt, NULL), PCPU_ERR_INVAL);
	NO_CHANGE(pcpu_for_each_area(X.rt, NULL, &walked), PCPU_ERR_INVAL);
	NO_CHANGE(pcpu_fill_offsets(X.rt, NULL, NCPU), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_fill_offsets(X.rt, NULL, 0), PCPU_OK); /* nothing to write */
	NO_CHANGE(pcpu_dyn_free(X.rt, 0), PCPU_ERR_NOTALLOC);
	CU_ASSERT_EQUAL(pcpu_page_refcount(X.rt, (size_t)-1), 0);
	CU_ASSERT(!pcpu_cpu_is_online(X.rt, (unsigned)-1));
	/* And the good calls still answer, with the values the NULL ones
	 * cannot be confused with. */
	CU_ASSERT_EQUAL(pcpu_get_stats(X.rt, &st), PCPU_OK);
	CU_ASSERT_EQUAL(st.live_areas, 1);
	CU_ASSERT_EQUAL(pcpu_for_each_area(X.rt, count_area, &walked), PCPU_OK);
	CU_ASSERT_EQUAL(walked, 1);
	CU_ASSERT_EQUAL(pcpu_fill_offsets(X.rt, off, NCPU), PCPU_OK);
	CU_ASSERT_EQUAL(off[NCPU - 1], (unsigned long)(NCPU - 1) << SHIFT);
	CU_ASSERT(pcpu_base(X.rt) != 0);
	CU_ASSERT(pcpu_shift(X.rt) >= PCPU_MIN_SHIFT);
	CU_ASSERT_EQUAL(X.f.violations, 0);
	fixture_destroy(&X);

	/* pcpu_api_* without a runtime: refused, nothing dereferenced. */
	pcpu_api_set_runtime(NULL);
	CU_ASSERT_PTR_NULL(pcpu_api_runtime());
	CU_ASSERT_PTR_NULL(pcpu_api_alloc(8, 8));
	CU_ASSERT_EQUAL(pcpu_api_last_error(), PCPU_ERR_STATE);
	bad_frees = pcpu_api_bad_frees();
	pcpu_api_free((void *)4096);
	CU_ASSERT_EQUAL(pcpu_api_last_error(), PCPU_ERR_STATE);
	CU_ASSERT_EQUAL(pcpu_api_bad_frees(), bad_frees + 1);
}

static void test_api(void)
{
	unsigned char *p, *q;

	pcpu_api_set_runtime(NULL);
	CU_ASSERT_PTR_NULL(pcpu_api_alloc(8, 8));
	CU_ASSERT_EQUAL(pcpu_api_last_error(), PCPU_ERR_STATE);

	fixture_init(&X, SHIFT, NCPU, 8, true);
	CU_ASSERT_EQUAL(pcpu_static_init(X.rt, tmpl, 100, 0), PCPU_OK);
	pcpu_api_set_runtime(X.rt);
	CU_ASSERT_PTR_EQUAL(pcpu_api_runtime(), X.rt);
	p = pcpu_api_alloc(64, 64);
	CU_ASSERT_PTR_EQUAL(p, (void *)(X.f.base + 128));
	CU_ASSERT(all_zero(p, 64));
	p[0] = 1; /* CPU 0's copy is written through the returned pointer */
	CU_ASSERT_EQUAL(*copy_of(0, (uintptr_t)p), 1);
	CU_ASSERT_PTR_NULL(pcpu_api_alloc(8, 3));
	CU_ASSERT_EQUAL(pcpu_api_last_error(), PCPU_ERR_ALIGN);
	CU_ASSERT_PTR_NULL(pcpu_api_alloc(STRIDE, 8));
	CU_ASSERT_EQUAL(pcpu_api_last_error(), PCPU_ERR_NOSPACE);
	q = pcpu_api_alloc(8, 8);
	CU_ASSERT_PTR_NOT_NULL(q);
	pcpu_api_free(NULL);
	CU_ASSERT_EQUAL(pcpu_api_bad_frees(), 0);
	pcpu_api_free(p);
	pcpu_api_free(p); /* refused, counted */
	CU_ASSERT_EQUAL(pcpu_api_bad_frees(), 1);
	CU_ASSERT_EQUAL(pcpu_api_last_error(), PCPU_ERR_DOUBLEFREE);
	pcpu_api_free((void *)X.f.base); /* the static area: refused */
	CU_ASSERT_EQUAL(pcpu_api_bad_frees(), 2);
	CU_ASSERT_EQUAL(pcpu_api_last_error(), PCPU_ERR_KIND);
	pcpu_api_free(q);
	CU_ASSERT_EQUAL(pcpu_api_bad_frees(), 2);
	CU_ASSERT_PTR_NULL(check_invariants(&X));
	pcpu_api_set_runtime(NULL);
	fixture_destroy(&X);
}

static const struct cunit_test tests[] = {
	{ "init checks its parameters", test_init_params },
	{ "static area rules", test_static_rules },
	{ "module and dynamic areas", test_module_and_dyn },
	{ "the stride's last page is a guard, never handed out nor mapped", test_guard_page },
	{ "bookkeeping full", test_bookkeeping_full },
	{ "CPU hotplug", test_hotplug },
	{ "a page that is not a page frame is refused", test_bad_phys },
	{ "bookkeeping does not grow with CPUs x stride", test_meta_bound },
	{ "more than a batch of pages given back", test_big_release },
	{ "an unmap that finds nothing gives nothing back", test_unmap_finds_nothing },
	{ "every entry point takes the lock once", test_lock_hook },
	{ "pcpu_fill_offsets", test_fill_offsets },
	{ "pcpu_api_alloc/free", test_api },
	{ "NULL and bad arguments to every entry point", test_null_and_bad_args },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(tmpl); i++)
		tmpl[i] = (unsigned char)(i * 31 + 7);
	return CUNIT_RUN("runtime", tests);
}
