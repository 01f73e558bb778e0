/* demo_dynamic.c: alloc_percpu()/free_percpu() in the window.  Each
 * allocation must come back zeroed on every CPU, be reachable through
 * this_cpu_ptr() on each CPU and per_cpu_ptr() from any, map pages only
 * where it lives, and give every page back when freed, even when the page
 * allocator runs dry half way through. */
#include <percpu-vm/percpu.h>
#include <percpu-vm/runtime.h>

#include "demo.h"
#include "kernel.h"
#include "percpu_setup.h"
#include "pmem.h"
#include "smp.h"

struct dyn_stat {
	unsigned long hits;
	unsigned long cpu_seen;
	unsigned long pad[6];
};

static struct dyn_stat *shared_stat;

static void touch_on_this_cpu(void *arg)
{
	(void)arg;
	struct dyn_stat *s = this_cpu_ptr(shared_stat);
	s->hits += 1000 + this_cpu_read(pcpu_cpu_number);
	s->cpu_seen = this_cpu_read(pcpu_cpu_number);
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

void demo_dynamic(void)
{
	struct pcpu_stats before, st;
	size_t free_before = pmem_free_count();
	pcpu_get_stats(demo_rt, &before);

	shared_stat = alloc_percpu(struct dyn_stat);
	check(shared_stat != NULL, "alloc_percpu(struct dyn_stat) = %p", (void *)shared_stat);
	if (!shared_stat)
		return;
	bool zero = true;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (smp_cpu_online(cpu) && !all_zero(per_cpu_ptr(shared_stat, cpu), sizeof(struct dyn_stat)))
			zero = false;
	check(zero, "the new per-CPU area is zero on every online CPU");
	smp_call_all(touch_on_this_cpu, NULL);
	bool seen = true;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (smp_cpu_online(cpu) && (per_cpu_ptr(shared_stat, cpu)->cpu_seen != cpu ||
					    per_cpu_ptr(shared_stat, cpu)->hits != 1000 + cpu))
			seen = false;
	check(seen, "each CPU wrote its own copy through this_cpu_ptr(); per_cpu_ptr() reads them back");

	/* Several pages, 64-byte aligned: pages appear on every CPU. */
	size_t big_size = 3 * PAGE_SIZE + 100;
	unsigned char *big = __alloc_percpu(big_size, 64);
	pcpu_get_stats(demo_rt, &st);
	check(big && ((uintptr_t)big & 63) == 0, "__alloc_percpu(%zu, 64) = %p, aligned", big_size,
	      (void *)big);
	if (big) {
		bool ok = true;
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			if (!smp_cpu_online(cpu))
				continue;
			unsigned char *c = per_cpu_ptr(big, cpu);
			if (!all_zero(c, big_size))
				ok = false;
			c[0] = (unsigned char)cpu;
			c[big_size - 1] = (unsigned char)(cpu + 1);
		}
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
			if (smp_cpu_online(cpu) && (per_cpu_ptr(big, cpu)[0] != (unsigned char)cpu ||
						    per_cpu_ptr(big, cpu)[big_size - 1] != (unsigned char)(cpu + 1)))
				ok = false;
		check(ok, "every CPU's copy of the %zu-byte area is zeroed, writable end to end and its own",
		      big_size);
		report_window("dynamic areas live");
	}

	/* Many small ones: all distinct, all freed. */
	void *small[100];
	bool distinct = true, got_all = true;
	for (unsigned i = 0; i < ARRAY_SIZE(small); i++) {
		small[i] = __alloc_percpu(24, 8);
		if (!small[i])
			got_all = false;
		for (unsigned j = 0; j < i && small[i]; j++)
			if (small[j] == small[i])
				distinct = false;
	}
	check(got_all && distinct, "100 small __alloc_percpu(24, 8) areas, all distinct");
	for (unsigned i = 0; i < ARRAY_SIZE(small); i++)
		free_percpu(small[i]);

	/* What must fail, and change nothing. */
	pcpu_get_stats(demo_rt, &st);
	size_t free_mid = pmem_free_count();
	void *huge = __alloc_percpu(PERCPU_STRIDE, 8);
	check(huge == NULL && pcpu_api_last_error() == PCPU_ERR_NOSPACE,
	      "__alloc_percpu(stride) is refused: %s", pcpu_strerror(pcpu_api_last_error()));
	unsigned long bad_before = pcpu_api_bad_frees();
	free_percpu((void *)(DEMO_PERCPU_BASE + 0x12345));
	check(pcpu_api_bad_frees() == bad_before + 1,
	      "free_percpu() of an address never allocated is refused (%s)",
	      pcpu_strerror(pcpu_api_last_error()));
	/* The page allocator fails after 1 more page: the runtime must roll
	 * back the pages it had mapped for the first CPUs. */
	pmem_fail_after(1);
	void *partial = __alloc_percpu(2 * PAGE_SIZE, PAGE_SIZE);
	pmem_fail_after((size_t)-1);
	struct pcpu_stats after_fail;
	pcpu_get_stats(demo_rt, &after_fail);
	bool rolled_back = after_fail.mapped_pages == st.mapped_pages &&
			   after_fail.live_areas == st.live_areas && pmem_free_count() == free_mid;
	check(partial == NULL && pcpu_api_last_error() == PCPU_ERR_NOMEM && rolled_back,
	      "an allocation that runs out of pages half way fails (%s) and rolls back: "
	      "%zu pages mapped, %zu free pages, as before",
	      pcpu_strerror(pcpu_api_last_error()), after_fail.mapped_pages, pmem_free_count());
	if (partial)
		free_percpu(partial);

	free_percpu(big);
	free_percpu(shared_stat);
	shared_stat = NULL;
	pcpu_get_stats(demo_rt, &st);
	check(st.mapped_pages == before.mapped_pages && st.live_areas == before.live_areas &&
		      pmem_free_count() == free_before,
	      "after free_percpu(): %zu pages mapped, %zu areas, %zu free pages: as before (%zu, %zu, %zu)",
	      st.mapped_pages, st.live_areas, pmem_free_count(), before.mapped_pages,
	      before.live_areas, free_before);
}
