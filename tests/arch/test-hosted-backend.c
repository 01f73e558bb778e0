/* tests/arch/test-hosted-backend.c: the hosted arch backend on its own:
 * a real PROT_NONE window, memfd pages mapped into it, faults where nothing
 * is mapped, page accounting, fault injection, error reports. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../cunit-run.h"

#include <percpu-vm/config.h>
#include <percpu-vm/hosted.h>

#include "hosted-fault.h"

#define NCPUS 4u
#define SHIFT 20u
#define STRIDE (1ul << SHIFT)

static struct pcpu_hosted *h;
static const struct pcpu_arch_ops *ops;
static char err[256];

static void create_default(size_t max_pages)
{
	struct pcpu_hosted_params p = { .shift = SHIFT, .nr_cpus = NCPUS, .max_pages = max_pages };

	h = NULL;
	CU_ASSERT_EQUAL_FATAL(pcpu_hosted_create(&p, &h, err, sizeof(err)), PCPU_OK);
	ops = pcpu_hosted_ops(h);
	CU_ASSERT_PTR_EQUAL(ops->ctx, h);
}

static void test_window_reserved(void)
{
	create_default(0);
	CU_ASSERT_EQUAL(pcpu_hosted_base(h), (uintptr_t)PERCPU_HOSTED_BASE);
	CU_ASSERT_EQUAL(pcpu_hosted_window_size(h), NCPUS * STRIDE);
	CU_ASSERT_EQUAL(pcpu_hosted_shift(h), SHIFT);
	CU_ASSERT_EQUAL(pcpu_hosted_nr_cpus(h), NCPUS);
	/* Nothing mapped: every CPU's first and last byte faults. */
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		uintptr_t a = pcpu_hosted_base(h) + cpu * STRIDE;
		CU_ASSERT_FALSE(pcpu_hosted_is_mapped(h, a));
		CU_ASSERT(touch_faults(a, TOUCH_READ));
		CU_ASSERT(touch_faults(a + STRIDE - 1, TOUCH_WRITE));
	}
	pcpu_hosted_destroy(h);
}

static void test_every_cpu_copy(void)
{
	enum { PAGES = 3 };
	void *virt[NCPUS][PAGES];
	uint64_t phys[NCPUS][PAGES], unmapped;
	uintptr_t base;
	struct pcpu_hosted_stats st;

	create_default(0);
	base = pcpu_hosted_base(h);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)
		for (unsigned k = 0; k < PAGES; k++) {
			CU_ASSERT_EQUAL_FATAL(ops->alloc_data_page(ops->ctx, cpu, &phys[cpu][k]),
					      PCPU_OK);
			CU_ASSERT_EQUAL(phys[cpu][k] % 4096, 0);
			virt[cpu][k] = pcpu_hosted_phys_to_virt(h, phys[cpu][k]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(virt[cpu][k]);
			/* Pages 0 and 2 of each CPU: page 1 stays a hole. */
			if (k != 1)
				CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + cpu * STRIDE + k * 4096,
							      phys[cpu][k]), PCPU_OK);
		}
	/* Write every CPU's copy through base + cpu * stride, read it back
	 * there and through the direct map. */
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		volatile uint32_t *w = (volatile uint32_t *)(base + cpu * STRIDE);
		for (unsigned i = 0; i < 1024; i++)
			w[i] = cpu * 0x10000u + i;
		((volatile uint32_t *)(base + cpu * STRIDE + 2 * 4096))[1023] = 0xc0de0000u + cpu;
	}
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		const uint32_t *d = virt[cpu][0];
		const volatile uint32_t *w = (const volatile uint32_t *)(base + cpu * STRIDE);
		for (unsigned i = 0; i < 1024; i++) {
			if (w[i] != cpu * 0x10000u + i || d[i] != cpu * 0x10000u + i) {
				CU_FAIL("a CPU's copy does not read back");
				break;
			}
		}
		CU_ASSERT_EQUAL(((const uint32_t *)virt[cpu][2])[1023], 0xc0de0000u + cpu);
		/* And the other way round: the direct map writes, the window sees. */
		((uint32_t *)virt[cpu][2])[0] = 0xfeed0000u + cpu;
		CU_ASSERT_EQUAL(((const volatile uint32_t *)(base + cpu * STRIDE + 2 * 4096))[0],
				0xfeed0000u + cpu);
		CU_ASSERT(pcpu_hosted_is_mapped(h, base + cpu * STRIDE + 5));
		CU_ASSERT_FALSE(pcpu_hosted_is_mapped(h, base + cpu * STRIDE + 4096));
		CU_ASSERT_EQUAL(pcpu_hosted_cpu_mapped_pages(h, cpu), 2);
		/* The hole and the page after the last one fault. */
		CU_ASSERT(touch_faults(base + cpu * STRIDE + 4096, TOUCH_READ));
		CU_ASSERT(touch_faults(base + cpu * STRIDE + 3 * 4096, TOUCH_WRITE));
		CU_ASSERT(touch_works(base + cpu * STRIDE + 2 * 4096 + 17));
	}
	pcpu_hosted_get_stats(h, &st);
	CU_ASSERT_EQUAL(st.data_pages, NCPUS * PAGES);
	CU_ASSERT_EQUAL(st.mapped_pages, NCPUS * 2);
	CU_ASSERT_EQUAL(st.misuse, 0);

	/* Unmap (which says what was mapped) and free: the addresses fault
	 * again, the counts drop to 0. */
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)
		for (unsigned k = 0; k < PAGES; k++) {
			if (k != 1) {
				unmapped = 1;
				CU_ASSERT_EQUAL(ops->unmap_page(ops->ctx, base + cpu * STRIDE + k * 4096,
								&unmapped), PCPU_OK);
				CU_ASSERT_EQUAL(unmapped, phys[cpu][k]);
			}
			ops->free_data_page(ops->ctx, cpu, phys[cpu][k]);
		}
	ops->flush_tlb(ops->ctx, base, NCPUS * STRIDE);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		CU_ASSERT(touch_faults(base + cpu * STRIDE, TOUCH_READ));
		CU_ASSERT(touch_faults(base + cpu * STRIDE + 2 * 4096, TOUCH_WRITE));
		CU_ASSERT_EQUAL(pcpu_hosted_cpu_mapped_pages(h, cpu), 0);
	}
	pcpu_hosted_get_stats(h, &st);
	CU_ASSERT_EQUAL(st.data_pages, 0);
	CU_ASSERT_EQUAL(st.data_pages_peak, NCPUS * PAGES);
	CU_ASSERT_EQUAL(st.mapped_pages, 0);
	CU_ASSERT_EQUAL(st.mapped_pages_peak, NCPUS * 2);
	CU_ASSERT_EQUAL(st.flushes, 1);
	CU_ASSERT_EQUAL(st.misuse, 0);
	pcpu_hosted_destroy(h);
}

static void test_misuse(void)
{
	uint64_t p, p2, unmapped = 1;
	uintptr_t base;
	struct pcpu_hosted_stats st;

	create_default(0);
	base = pcpu_hosted_base(h);
	CU_ASSERT_EQUAL_FATAL(ops->alloc_data_page(ops->ctx, 0, &p), PCPU_OK);
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base, p), PCPU_OK);
	/* Remap: refused, the old page stays. */
	*(volatile char *)base = 'x';
	CU_ASSERT_EQUAL_FATAL(ops->alloc_data_page(ops->ctx, 0, &p2), PCPU_OK);
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base, p2), PCPU_ERR_MAPPED);
	CU_ASSERT_EQUAL(*(volatile char *)base, 'x');
	/* Outside the window, unaligned, a page nobody allocated. */
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base - 4096, p2), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + NCPUS * STRIDE, p2), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + 4096 + 8, p2), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + 4096, p2 + 4096 * 50), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + 4096, p2 + 1), PCPU_ERR_INVAL);
	/* Unmap of a hole (nothing reported), a free, a double free, free of
	 * a page not handed out. */
	CU_ASSERT_EQUAL(ops->unmap_page(ops->ctx, base + 4096, &unmapped), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(unmapped, 1);
	ops->free_data_page(ops->ctx, 0, p2);
	ops->free_data_page(ops->ctx, 0, p2);
	ops->free_data_page(ops->ctx, 0, p2 + 4096 * 7);
	/* A page mapped twice, a mapped page freed (use after free). */
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + 4096, p), PCPU_ERR_INVAL);
	ops->free_data_page(ops->ctx, 0, p);
	pcpu_hosted_get_stats(h, &st);
	CU_ASSERT_EQUAL(st.misuse, 10);
	CU_ASSERT_EQUAL(st.data_pages, 1);
	CU_ASSERT_EQUAL(st.mapped_pages, 1);
	CU_ASSERT(pcpu_hosted_is_mapped(h, base));
	CU_ASSERT_EQUAL(*(volatile char *)base, 'x');
	CU_ASSERT_EQUAL(ops->unmap_page(ops->ctx, base, &unmapped), PCPU_OK);
	CU_ASSERT_EQUAL(unmapped, p);
	ops->free_data_page(ops->ctx, 0, p);
	pcpu_hosted_destroy(h);
}

static void test_fault_injection_and_pool(void)
{
	uint64_t p[4];
	struct pcpu_hosted_stats st;
	uintptr_t base;

	create_default(3);
	base = pcpu_hosted_base(h);
	pcpu_hosted_fail_nth_page(h, 2);
	CU_ASSERT_EQUAL(ops->alloc_data_page(ops->ctx, 0, &p[0]), PCPU_OK);
	CU_ASSERT_EQUAL(ops->alloc_data_page(ops->ctx, 0, &p[1]), PCPU_ERR_NOMEM);
	CU_ASSERT_EQUAL(ops->alloc_data_page(ops->ctx, 0, &p[1]), PCPU_OK);
	CU_ASSERT_EQUAL(ops->alloc_data_page(ops->ctx, 0, &p[2]), PCPU_OK);
	/* The pool has 3 pages: nothing past them in the direct map either. */
	CU_ASSERT_EQUAL(ops->alloc_data_page(ops->ctx, 0, &p[3]), PCPU_ERR_NOMEM);
	CU_ASSERT_PTR_NULL(pcpu_hosted_phys_to_virt(h, 3 * 4096));
	/* A freed page is reused, and reads as zero (its memory was given back). */
	memset(pcpu_hosted_phys_to_virt(h, p[1]), 0x77, 4096);
	ops->free_data_page(ops->ctx, 0, p[1]);
	CU_ASSERT_EQUAL(ops->alloc_data_page(ops->ctx, 0, &p[3]), PCPU_OK);
	CU_ASSERT_EQUAL(p[3], p[1]);
	CU_ASSERT_EQUAL(((unsigned char *)pcpu_hosted_phys_to_virt(h, p[3]))[100], 0);

	pcpu_hosted_fail_nth_map(h, 2);
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base, p[0]), PCPU_OK);
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + 4096, p[2]), PCPU_ERR_NOMEM);
	CU_ASSERT_FALSE(pcpu_hosted_is_mapped(h, base + 4096));
	CU_ASSERT(touch_faults(base + 4096, TOUCH_READ));
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + 4096, p[2]), PCPU_OK);
	pcpu_hosted_get_stats(h, &st);
	CU_ASSERT_EQUAL(st.failed_allocs, 2);
	CU_ASSERT_EQUAL(st.failed_maps, 1);
	CU_ASSERT_EQUAL(st.mapped_pages, 2);
	CU_ASSERT_EQUAL(st.data_pages, 3);
	pcpu_hosted_destroy(h);
}

static void test_bad_params_and_taken_range(void)
{
	struct pcpu_hosted_params p = { .shift = SHIFT, .nr_cpus = NCPUS };
	struct pcpu_hosted *h2 = NULL;
	char want[64];

	p.shift = 12; /* one page: all guard */
	CU_ASSERT_EQUAL(pcpu_hosted_create(&p, &h2, err, sizeof(err)), PCPU_ERR_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "shift 12 out of range 13..31"));
	p.shift = SHIFT;
	p.nr_cpus = 0;
	CU_ASSERT_EQUAL(pcpu_hosted_create(&p, &h2, err, sizeof(err)), PCPU_ERR_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "0 CPUs"));
	p.nr_cpus = NCPUS;
	p.base = (uintptr_t)PERCPU_HOSTED_BASE + 100;
	CU_ASSERT_EQUAL(pcpu_hosted_create(&p, &h2, err, sizeof(err)), PCPU_ERR_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not page aligned"));
	CU_ASSERT_PTR_NULL(h2);

	/* A window over one that exists, even overlapping by one stride. */
	create_default(0);
	p.base = pcpu_hosted_base(h) + (NCPUS - 1) * STRIDE;
	CU_ASSERT_EQUAL(pcpu_hosted_create(&p, &h2, err, sizeof(err)), PCPU_ERR_MAPPED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already in use"));
	snprintf(want, sizeof(want), "%#lx", (unsigned long)p.base);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NULL(h2);
	/* The failed attempt did not disturb the existing window. */
	CU_ASSERT(touch_faults(pcpu_hosted_base(h) + (NCPUS - 1) * STRIDE, TOUCH_READ));

	/* Something else's mapping. */
	void *other = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(other != MAP_FAILED);
	p.base = (uintptr_t)other - STRIDE;
	CU_ASSERT_EQUAL(pcpu_hosted_create(&p, &h2, err, sizeof(err)), PCPU_ERR_MAPPED);
	munmap(other, 4096);

	/* A chosen base elsewhere works, and destroy frees the range. */
	p.base = pcpu_hosted_base(h) + NCPUS * STRIDE;
	CU_ASSERT_EQUAL_FATAL(pcpu_hosted_create(&p, &h2, err, sizeof(err)), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_hosted_base(h2), p.base);
	pcpu_hosted_destroy(h2);
	pcpu_hosted_destroy(h);
	create_default(0);
	pcpu_hosted_destroy(h);
}

/* Is anything mapped at addr?  msync fails with ENOMEM on a hole. */
static bool anything_mapped(uintptr_t addr)
{
	return msync((void *)addr, 4096, MS_ASYNC) == 0;
}

/* A program whose own .data.percpu sits at the window base (CPU 0's static
 * copy, mapped by the loader): adopt_existing keeps it and reserves the
 * rest; the runtime's map_page may then replace it. */
static void test_adopt_existing(void)
{
	const uintptr_t base = (uintptr_t)PERCPU_HOSTED_BASE;
	struct pcpu_hosted_params p = { .shift = SHIFT, .nr_cpus = NCPUS, .adopt_existing = true };
	uint32_t *own = mmap((void *)(base + 4096), 2 * 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	void *v;
	uint64_t ph, unmapped = 0;

	CU_ASSERT_FATAL(own == (uint32_t *)(base + 4096));
	own[0] = 0x5eed;
	CU_ASSERT_EQUAL_FATAL(pcpu_hosted_create(&p, &h, err, sizeof(err)), PCPU_OK);
	ops = pcpu_hosted_ops(h);
	/* The adopted pages still hold their data; the rest is reserved. */
	CU_ASSERT_EQUAL(own[0], 0x5eed);
	CU_ASSERT(touch_works(base + 4096 + 4096 + 8));
	CU_ASSERT(touch_faults(base, TOUCH_READ));
	CU_ASSERT(touch_faults(base + 3 * 4096, TOUCH_READ));
	CU_ASSERT(touch_faults(base + STRIDE, TOUCH_WRITE));
	CU_ASSERT_FALSE(pcpu_hosted_is_mapped(h, base + 4096));
	/* map_page over an adopted page replaces it. */
	CU_ASSERT_EQUAL_FATAL(ops->alloc_data_page(ops->ctx, 0, &ph), PCPU_OK);
	v = pcpu_hosted_phys_to_virt(h, ph);
	((uint32_t *)v)[0] = 0xabcd;
	CU_ASSERT_EQUAL(ops->map_page(ops->ctx, base + 4096, ph), PCPU_OK);
	CU_ASSERT_EQUAL(own[0], 0xabcd);
	CU_ASSERT_EQUAL(ops->unmap_page(ops->ctx, base + 4096, &unmapped), PCPU_OK);
	CU_ASSERT_EQUAL(unmapped, ph);
	CU_ASSERT(touch_faults(base + 4096, TOUCH_READ));
	ops->free_data_page(ops->ctx, 0, ph);
	/* Destroy leaves the adopted range mapped and frees the rest. */
	pcpu_hosted_destroy(h);
	CU_ASSERT(anything_mapped(base + 4096));
	CU_ASSERT(anything_mapped(base + 2 * 4096));
	CU_ASSERT_FALSE(anything_mapped(base));
	CU_ASSERT_FALSE(anything_mapped(base + 3 * 4096));
	CU_ASSERT_FALSE(anything_mapped(base + (NCPUS - 1) * STRIDE));
	/* Without the flag the same situation is refused. */
	p.adopt_existing = false;
	CU_ASSERT_EQUAL(pcpu_hosted_create(&p, &h, err, sizeof(err)), PCPU_ERR_MAPPED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already in use"));
	munmap(own, 2 * 4096);
	/* Too many foreign ranges inside: refused, nothing reserved. */
	for (unsigned i = 0; i <= PCPU_HOSTED_MAX_ADOPTED; i++)
		CU_ASSERT_FATAL(mmap((void *)(base + (2 * i + 1) * 4096), 4096, PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != MAP_FAILED);
	p.adopt_existing = true;
	CU_ASSERT_EQUAL(pcpu_hosted_create(&p, &h, err, sizeof(err)), PCPU_ERR_MAPPED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "existing mappings inside"));
	CU_ASSERT_FALSE(anything_mapped(base));
	munmap((void *)base, (2 * PCPU_HOSTED_MAX_ADOPTED + 2) * 4096);
	create_default(0);
	pcpu_hosted_destroy(h);
}

static void *thread_cpu(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;

	if (pcpu_hosted_this_cpu() != 0)
		return (void *)1;
	pcpu_hosted_set_cpu(cpu);
	for (int i = 0; i < 1000; i++)
		if (pcpu_hosted_this_cpu() != cpu || pcpu_hosted_cpu != cpu)
			return (void *)1;
	return NULL;
}

static void test_current_cpu_is_per_thread(void)
{
	pthread_t t[3];
	void *res;

	pcpu_hosted_set_cpu(7);
	for (unsigned i = 0; i < 3; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, thread_cpu, (void *)(uintptr_t)(i + 1)), 0);
	for (unsigned i = 0; i < 3; i++) {
		pthread_join(t[i], &res);
		CU_ASSERT_PTR_NULL(res);
	}
	CU_ASSERT_EQUAL(pcpu_hosted_this_cpu(), 7);
	pcpu_hosted_set_cpu(0);
}

static const struct cunit_test tests[] = {
	{ "window reserved, everything faults", test_window_reserved },
	{ "every CPU's copy through base + cpu*stride", test_every_cpu_copy },
	{ "misuse is refused and counted", test_misuse },
	{ "fault injection and page pool", test_fault_injection_and_pool },
	{ "bad parameters, address range taken", test_bad_params_and_taken_range },
	{ "adopting mappings inside the window", test_adopt_existing },
	{ "current CPU is per thread", test_current_cpu_is_per_thread },
};

int main(void)
{
	return CUNIT_RUN("hosted backend", tests);
}
