/* report.c: the serial report of the per-CPU window.  The page counts come
 * from walking the real page tables, so they check the runtime's
 * bookkeeping (pcpu_get_stats) rather than repeat it. */
#include <percpu-vm/config.h>
#include <percpu-vm/runtime.h>

#include "demo.h"
#include "kernel.h"
#include "paging.h"
#include "percpu_setup.h"
#include "smp.h"

void window_census(struct window_census *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		unsigned n = paging_count_mapped(DEMO_PERCPU_BASE + ((uintptr_t)cpu << PERCPU_SHIFT),
						 (uint32_t)PERCPU_STRIDE);
		if (cpu < ARRAY_SIZE(c->per_cpu))
			c->per_cpu[cpu] = n;
		c->total += n;
	}
	c->online_cpus = smp_online_count();
}

static bool max_end(const struct pcpu_area_info *a, void *arg)
{
	size_t *end = arg;
	if (a->offset + a->size > *end)
		*end = a->offset + a->size;
	return true;
}

size_t window_used_end(void)
{
	size_t end = 0;
	pcpu_for_each_area(demo_rt, max_end, &end);
	return ALIGN_UP(end, (size_t)PAGE_SIZE);
}

void report_window(const char *when)
{
	struct window_census c;
	struct pcpu_stats st;
	size_t pt_boot, pt_normal;

	window_census(&c);
	pcpu_get_stats(demo_rt, &st);
	percpu_pt_pages(&pt_boot, &pt_normal);
	kprintf("window (%s): %zu live areas, %zu bytes used, %zu page offsets in use, "
		"largest free extent %zu bytes\n",
		when, st.live_areas, st.used_bytes, st.mapped_offsets, st.largest_free);
	kprintf("  pages mapped per CPU:");
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS && cpu < ARRAY_SIZE(c.per_cpu); cpu++)
		if (smp_cpu_online(cpu))
			kprintf(" cpu%u=%u", cpu, c.per_cpu[cpu]);
	kprintf("\n  pages mapped in total: %u (page tables), %zu (runtime), %zu data pages held; "
		"page-table pages: %zu boot-time, %zu normal\n",
		c.total, st.mapped_pages, percpu_data_pages(), pt_boot, pt_normal);
	bool per_cpu_ok = true;
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS && cpu < ARRAY_SIZE(c.per_cpu); cpu++) {
		unsigned want = smp_cpu_online(cpu) ? (unsigned)st.mapped_offsets : 0;
		if (c.per_cpu[cpu] != want)
			per_cpu_ok = false;
	}
	check(c.total == st.mapped_pages && st.mapped_pages == percpu_data_pages() &&
		      st.mapped_pages == st.mapped_offsets * st.online_cpus,
	      "%s: %u pages mapped in the window = runtime's %zu = %zu offsets x %u CPUs",
	      when, c.total, st.mapped_pages, st.mapped_offsets, st.online_cpus);
	check(per_cpu_ok, "%s: every online CPU has exactly %zu pages mapped, offline CPUs none",
	      when, st.mapped_offsets);
}
