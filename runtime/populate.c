/* populate.c: which pages of the window are backed, and by what.
 *
 * A page offset p (a page index inside the stride) is backed on every online
 * CPU while at least one live area touches it, and on none otherwise; a
 * reference count per page offset says how many areas touch it (S1-S3 in
 * runtime_state.h).
 *
 * Growing is two-phase so a failure leaves nothing behind: first every
 * missing page is allocated and mapped (pcpu_populate_range), undoing the
 * lot if any data page or page-table page cannot be had; only when all are
 * in place are the pages written and the counts raised (pcpu_commit_range),
 * which cannot fail.  All writes go through the window itself
 * (base + (cpu << shift) + offset), the addresses per-CPU code will use.
 *
 * Shrinking unmaps first, flushes the TLB, and only then gives the data pages
 * back, so no CPU can still reach a page that someone else reuses.
 */
#include "mem.h"
#include "runtime_state.h"

static int map_one(struct pcpu_runtime *rt, unsigned cpu, size_t page)
{
	const struct pcpu_arch_ops *ops = rt->ops;
	struct pcpu_page *slot = pcpu_page_slot(rt, cpu, page);
	void *virt = NULL;
	uint64_t phys = 0;
	int err;

	err = ops->alloc_data_page(ops->ctx, cpu, &virt, &phys);
	if (err)
		return err;
	if (phys % PCPU_PAGE_SIZE || (phys >> PCPU_PAGE_SHIFT) > UINT32_MAX) {
		/* Not a page frame we can record: the arch broke its contract. */
		ops->free_data_page(ops->ctx, cpu, virt, phys);
		return PCPU_ERR_INVAL;
	}
	err = ops->map_page(ops->ctx, pcpu_page_va(rt, cpu, page), phys);
	if (err) {
		ops->free_data_page(ops->ctx, cpu, virt, phys);
		return err;
	}
	slot->virt = virt;
	slot->pfn = (uint32_t)(phys >> PCPU_PAGE_SHIFT);
	return PCPU_OK;
}

static void unmap_one(struct pcpu_runtime *rt, unsigned cpu, size_t page)
{
	rt->ops->unmap_page(rt->ops->ctx, pcpu_page_va(rt, cpu, page));
}

static void free_one(struct pcpu_runtime *rt, unsigned cpu, size_t page)
{
	struct pcpu_page *slot = pcpu_page_slot(rt, cpu, page);

	rt->ops->free_data_page(rt->ops->ctx, cpu, slot->virt,
				(uint64_t)slot->pfn << PCPU_PAGE_SHIFT);
	slot->virt = NULL;
	slot->pfn = 0;
}

static void flush(struct pcpu_runtime *rt, unsigned cpu, size_t first, size_t last)
{
	if (rt->ops->flush_tlb)
		rt->ops->flush_tlb(rt->ops->ctx, pcpu_page_va(rt, cpu, first),
				   (last - first + 1) << PCPU_PAGE_SHIFT);
}

/* The (page, cpu) pairs pcpu_populate_range maps, in the order it maps
 * them: pages of [first, last] with no references, online CPUs ascending.
 * Undo the ones before (stop_page, stop_cpu). */
static void undo_range(struct pcpu_runtime *rt, size_t first, size_t stop_page,
		       unsigned stop_cpu)
{
	for (size_t p = first; p <= stop_page; p++) {
		if (rt->refcount[p])
			continue;
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++) {
			if (p == stop_page && cpu >= stop_cpu)
				break;
			if (pcpu_online(rt, cpu))
				unmap_one(rt, cpu, p);
		}
	}
	for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
		if (pcpu_online(rt, cpu))
			flush(rt, cpu, first, stop_page);
	for (size_t p = first; p <= stop_page; p++) {
		if (rt->refcount[p])
			continue;
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++) {
			if (p == stop_page && cpu >= stop_cpu)
				break;
			if (pcpu_online(rt, cpu))
				free_one(rt, cpu, p);
		}
	}
}

int pcpu_populate_range(struct pcpu_runtime *rt, size_t first, size_t last)
{
	for (size_t p = first; p <= last; p++) {
		if (rt->refcount[p])
			continue;
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++) {
			int err;

			if (!pcpu_online(rt, cpu))
				continue;
			err = map_one(rt, cpu, p);
			if (err) {
				undo_range(rt, first, p, cpu);
				return err;
			}
		}
	}
	return PCPU_OK;
}

void pcpu_commit_range(struct pcpu_runtime *rt, size_t first, size_t last)
{
	for (size_t p = first; p <= last; p++) {
		if (rt->refcount[p] == 0) {
			for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
				if (pcpu_online(rt, cpu))
					pcpu_memset((void *)pcpu_page_va(rt, cpu, p), 0,
						    PCPU_PAGE_SIZE);
			rt->mapped_offsets++;
			rt->mapped_pages += rt->online_count;
		}
		rt->refcount[p]++;
	}
}

void pcpu_release_range(struct pcpu_runtime *rt, size_t first, size_t last)
{
	bool any = false;

	for (size_t p = first; p <= last; p++) {
		if (--rt->refcount[p])
			continue;
		any = true;
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
			if (pcpu_online(rt, cpu))
				unmap_one(rt, cpu, p);
		rt->mapped_offsets--;
		rt->mapped_pages -= rt->online_count;
	}
	if (!any)
		return;
	for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
		if (pcpu_online(rt, cpu))
			flush(rt, cpu, first, last);
	for (size_t p = first; p <= last; p++) {
		if (rt->refcount[p])
			continue;
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
			if (pcpu_online(rt, cpu))
				free_one(rt, cpu, p);
	}
}

int pcpu_populate_cpu(struct pcpu_runtime *rt, unsigned cpu)
{
	size_t p;
	int err = PCPU_OK;

	for (p = 0; p < rt->nr_pages; p++) {
		if (!rt->refcount[p])
			continue;
		err = map_one(rt, cpu, p);
		if (err)
			break;
	}
	if (err) {
		/* Undo the pages mapped before page p. */
		for (size_t q = 0; q < p; q++)
			if (rt->refcount[q])
				unmap_one(rt, cpu, q);
		if (p > 0)
			flush(rt, cpu, 0, p - 1);
		for (size_t q = 0; q < p; q++)
			if (rt->refcount[q])
				free_one(rt, cpu, q);
		return err;
	}
	for (p = 0; p < rt->nr_pages; p++)
		if (rt->refcount[p])
			pcpu_memset((void *)pcpu_page_va(rt, cpu, p), 0, PCPU_PAGE_SIZE);
	return PCPU_OK;
}

void pcpu_depopulate_cpu(struct pcpu_runtime *rt, unsigned cpu)
{
	size_t first = rt->nr_pages, last = 0;

	for (size_t p = 0; p < rt->nr_pages; p++) {
		if (!rt->refcount[p])
			continue;
		unmap_one(rt, cpu, p);
		if (first == rt->nr_pages)
			first = p;
		last = p;
	}
	if (first == rt->nr_pages)
		return;
	flush(rt, cpu, first, last);
	for (size_t p = first; p <= last; p++)
		if (rt->refcount[p])
			free_one(rt, cpu, p);
}

void pcpu_init_area_copy(const struct pcpu_runtime *rt, const struct pcpu_area *a,
			 unsigned cpu)
{
	unsigned char *dst = (unsigned char *)(rt->base + ((uintptr_t)cpu << rt->shift) + a->offset);

	if (a->init_size)
		pcpu_memcpy(dst, a->tmpl, a->init_size);
	pcpu_memset(dst + a->init_size, 0, a->size - a->init_size);
}
