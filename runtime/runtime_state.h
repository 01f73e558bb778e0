/* runtime_state.h: the inside of struct pcpu_runtime, shared by the
 * runtime's own files (runtime.c, populate.c, percpu_api.c) and nobody else.
 *
 * State invariants (the tests check them after every operation):
 *  S1  refcount[p] is the number of live areas that touch page offset p.
 *  S2  (cpu, p) is mapped exactly when refcount[p] > 0 and cpu is online.
 *      Which data page is mapped there only the arch's page tables record:
 *      the runtime learns it from unmap_page when it takes the page down,
 *      so no part of the state grows with nr_cpus x pages.
 *  S3  mapped_offsets = #{p : refcount[p] > 0},
 *      mapped_pages = mapped_offsets * online_count.
 *  S4  every live allocator extent carries a pointer to an in-use area slot
 *      whose offset and size match it; unused slots are on the free list.
 *  S5  the guard page (the stride's last) is never mapped on any CPU: the
 *      allocator manages only [0, usable), and refcount[] has no entry for
 *      the guard, so nothing can cover it. */
#ifndef PERCPU_VM_RUNTIME_STATE_H
#define PERCPU_VM_RUNTIME_STATE_H

#include <percpu-vm/allocator.h>
#include <percpu-vm/runtime.h>

/* What the runtime remembers about one live area. */
struct pcpu_area {
	const void *tmpl;        /* template (static, module); NULL: all zero */
	size_t init_size;        /* bytes copied from tmpl */
	size_t size;             /* init_size + zero bytes */
	size_t offset;
	size_t align;
	unsigned next_free;      /* free-list link while unused */
	unsigned char kind;      /* enum pcpu_area_kind */
	bool used;
};

struct pcpu_runtime {
	uintptr_t base;
	size_t stride;
	size_t usable;                    /* stride - PCPU_GUARD_SIZE: where areas lie */
	size_t nr_pages;                  /* page offsets in the usable part */
	unsigned shift;
	unsigned nr_cpus;
	const struct pcpu_arch_ops *ops;
	struct pcpu_allocator alloc;
	uint32_t *refcount;               /* [nr_pages]: none for the guard */
	uint32_t *online;                 /* bitmap of nr_cpus bits */
	struct pcpu_area *areas;          /* [max_areas] */
	unsigned max_areas;
	unsigned free_area;               /* free-list head; max_areas = none */
	unsigned online_count;
	size_t mapped_offsets;
	size_t mapped_pages;
	bool static_done;
};

#define PCPU_NO_AREA ((unsigned)-1)

static inline uintptr_t pcpu_page_va(const struct pcpu_runtime *rt, unsigned cpu, size_t page)
{
	return rt->base + ((uintptr_t)cpu << rt->shift) + ((uintptr_t)page << PCPU_PAGE_SHIFT);
}

static inline bool pcpu_online(const struct pcpu_runtime *rt, unsigned cpu)
{
	return (rt->online[cpu / 32] >> (cpu % 32)) & 1u;
}

/* populate.c */
/* Map a fresh data page on every online CPU at each page offset in
 * [first, last] that nothing covers yet.  On failure unmaps and gives back
 * every page this call took, and returns the error: nothing changed. */
int pcpu_populate_range(struct pcpu_runtime *rt, size_t first, size_t last);
/* After a successful pcpu_populate_range() of the same range: zero the
 * fresh pages on every online CPU and count one more area on each page. */
void pcpu_commit_range(struct pcpu_runtime *rt, size_t first, size_t last);
/* One area fewer on each page of [first, last]; pages nothing covers any
 * more are unmapped on every online CPU, flushed and given back. */
void pcpu_release_range(struct pcpu_runtime *rt, size_t first, size_t last);
/* Map and zero `cpu`'s copy of every covered page offset (cpu not yet
 * marked online); undoes everything on failure. */
int pcpu_populate_cpu(struct pcpu_runtime *rt, unsigned cpu);
/* Unmap and give back every page of `cpu` (still marked online). */
void pcpu_depopulate_cpu(struct pcpu_runtime *rt, unsigned cpu);
/* Write an area's initial bytes (template, then zeros) into cpu's copy. */
void pcpu_init_area_copy(const struct pcpu_runtime *rt, const struct pcpu_area *a,
			 unsigned cpu);

#endif /* PERCPU_VM_RUNTIME_STATE_H */
