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
 * back, so no CPU can still reach a page that someone else reuses.  The
 * runtime keeps no record of which data page backs which address (S2):
 * unmap_page says which it was, and the page waits in a struct reclaim on
 * the stack until the flush.  That holds PCPU_UNMAP_BATCH pages; a bigger
 * release is unmap, flush, free, once per batch.
 */
#include "mem.h"
#include "runtime_state.h"

_Static_assert(PCPU_MAX_CPUS - 1 <= UINT16_MAX, "struct reclaim keeps CPU numbers in 16 bits");

static int map_one(struct pcpu_runtime *rt, unsigned cpu, size_t page)
{
	const struct pcpu_arch_ops *ops = rt->ops;
	uint64_t phys = 0;
	int err;

	err = ops->alloc_data_page(ops->ctx, cpu, &phys);
	if (err)
		return err;
	if (phys % PCPU_PAGE_SIZE) {
		/* Not a page frame: the arch broke its contract. */
		ops->free_data_page(ops->ctx, cpu, phys);
		return PCPU_ERR_INVAL;
	}
	err = ops->map_page(ops->ctx, pcpu_page_va(rt, cpu, page), phys);
	if (err) {
		ops->free_data_page(ops->ctx, cpu, phys); /* never mapped: no flush */
		return err;
	}
	return PCPU_OK;
}

static void flush(struct pcpu_runtime *rt, unsigned cpu, size_t first, size_t last)
{
	if (rt->ops->flush_tlb)
		rt->ops->flush_tlb(rt->ops->ctx, pcpu_page_va(rt, cpu, first),
				   (last - first + 1) << PCPU_PAGE_SHIFT);
}

#define RECLAIM_ONLINE ((unsigned)-1)

/* Data pages unmapped and not yet flushed from the TLBs, so not yet given
 * back: the only place the runtime holds on to a data page's address. */
struct reclaim {
	struct pcpu_runtime *rt;
	/* Whose copies the pages are in: one CPU (which need not be marked
	 * online: a CPU coming up), or RECLAIM_ONLINE: any online CPU. */
	unsigned cpus;
	size_t first, last;  /* page offsets the held pages span */
	unsigned n;
	uint64_t phys[PCPU_UNMAP_BATCH];
	uint16_t cpu[PCPU_UNMAP_BATCH];
};

static void reclaim_init(struct reclaim *r, struct pcpu_runtime *rt, unsigned cpus)
{
	r->rt = rt;
	r->cpus = cpus;
	r->n = 0;
}

/* Flush the span of the held pages on each CPU concerned, then give them
 * back.  The span may include pages still mapped (a neighbour's): flushing
 * a live translation only costs a refill. */
static void reclaim_drain(struct reclaim *r)
{
	struct pcpu_runtime *rt = r->rt;

	if (r->n == 0)
		return;
	if (r->cpus != RECLAIM_ONLINE)
		flush(rt, r->cpus, r->first, r->last);
	else
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
			if (pcpu_online(rt, cpu))
				flush(rt, cpu, r->first, r->last);
	for (unsigned i = 0; i < r->n; i++)
		rt->ops->free_data_page(rt->ops->ctx, r->cpu[i], r->phys[i]);
	r->n = 0;
}

/* Unmap `cpu`'s copy of page offset `page`; its data page is given back by
 * the next reclaim_drain (called here when the batch is full). */
static void reclaim_page(struct reclaim *r, unsigned cpu, size_t page)
{
	struct pcpu_runtime *rt = r->rt;
	uint64_t phys;

	if (rt->ops->unmap_page(rt->ops->ctx, pcpu_page_va(rt, cpu, page), &phys) != PCPU_OK)
		return; /* nothing was mapped there after all: nothing to give back */
	if (r->n == 0 || page < r->first)
		r->first = page;
	if (r->n == 0 || page > r->last)
		r->last = page;
	r->phys[r->n] = phys;
	r->cpu[r->n] = (uint16_t)cpu;
	if (++r->n == PCPU_UNMAP_BATCH)
		reclaim_drain(r);
}

/* The (page, cpu) pairs pcpu_populate_range maps, in the order it maps
 * them: pages of [first, last] with no references, online CPUs ascending.
 * Undo the ones before (stop_page, stop_cpu). */
static void undo_range(struct pcpu_runtime *rt, size_t first, size_t stop_page,
		       unsigned stop_cpu)
{
	struct reclaim r;

	reclaim_init(&r, rt, RECLAIM_ONLINE);
	for (size_t p = first; p <= stop_page; p++) {
		if (rt->refcount[p])
			continue;
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++) {
			if (p == stop_page && cpu >= stop_cpu)
				break;
			if (pcpu_online(rt, cpu))
				reclaim_page(&r, cpu, p);
		}
	}
	reclaim_drain(&r);
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
	struct reclaim r;

	reclaim_init(&r, rt, RECLAIM_ONLINE);
	for (size_t p = first; p <= last; p++) {
		if (--rt->refcount[p])
			continue;
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
			if (pcpu_online(rt, cpu))
				reclaim_page(&r, cpu, p);
		rt->mapped_offsets--;
		rt->mapped_pages -= rt->online_count;
	}
	reclaim_drain(&r);
}

int pcpu_populate_cpu(struct pcpu_runtime *rt, unsigned cpu)
{
	struct reclaim r;
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
		reclaim_init(&r, rt, cpu);
		for (size_t q = 0; q < p; q++)
			if (rt->refcount[q])
				reclaim_page(&r, cpu, q);
		reclaim_drain(&r);
		return err;
	}
	for (p = 0; p < rt->nr_pages; p++)
		if (rt->refcount[p])
			pcpu_memset((void *)pcpu_page_va(rt, cpu, p), 0, PCPU_PAGE_SIZE);
	return PCPU_OK;
}

void pcpu_depopulate_cpu(struct pcpu_runtime *rt, unsigned cpu)
{
	struct reclaim r;

	reclaim_init(&r, rt, cpu);
	for (size_t p = 0; p < rt->nr_pages; p++)
		if (rt->refcount[p])
			reclaim_page(&r, cpu, p);
	reclaim_drain(&r);
}

void pcpu_init_area_copy(const struct pcpu_runtime *rt, const struct pcpu_area *a,
			 unsigned cpu)
{
	unsigned char *dst = (unsigned char *)(rt->base + ((uintptr_t)cpu << rt->shift) + a->offset);

	if (a->init_size)
		pcpu_memcpy(dst, a->tmpl, a->init_size);
	pcpu_memset(dst + a->init_size, 0, a->size - a->init_size);
}
