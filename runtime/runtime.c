/* runtime.c: the per-CPU window runtime's entry points (runtime.h).
 *
 * Each entry point takes the lock hook, checks everything that can fail
 * without side effects (arguments, state, room in the stride), then
 * populates pages (which undoes itself on failure), and only then commits:
 * allocator record, area slot, reference counts, initial bytes.  So a call
 * that returns an error has changed nothing.
 */
#include "mem.h"
#include "runtime_state.h"

_Static_assert(sizeof(struct pcpu_runtime) <= PCPU_RUNTIME_SIZE,
	       "PCPU_RUNTIME_SIZE in runtime.h is too small");
_Static_assert(_Alignof(struct pcpu_runtime) <= 16, "pcpu_runtime_storage under-aligned");
/* The guard is whole pages: the runtime never maps any of it. */
_Static_assert(PCPU_GUARD_SIZE > 0 && PCPU_GUARD_SIZE % PCPU_PAGE_SIZE == 0,
	       "contract.h: PERCPU_GUARD_SIZE is not whole pages");

#define META_ALIGN 16u

static size_t round_meta(size_t n)
{
	return (n + META_ALIGN - 1) & ~(size_t)(META_ALIGN - 1);
}

/* a * b fits in a size_t, with room left for rounding. */
static bool mul_fits(size_t a, size_t b)
{
	return b == 0 || a <= (SIZE_MAX / 2) / b;
}

/* The bookkeeping layout, in order; returns the total or 0 on overflow.
 * Nothing in it is per (CPU, page): that would grow with the window. */
struct meta_layout {
	size_t alloc, refcount, online, areas, total;
};

static bool layout_meta(unsigned shift, unsigned nr_cpus, unsigned max_areas,
			struct meta_layout *m)
{
	size_t nr_pages, n;

	if (shift < PCPU_MIN_SHIFT || shift > PCPU_MAX_SHIFT || nr_cpus == 0 ||
	    nr_cpus > PCPU_MAX_CPUS || max_areas == 0)
		return false;
	/* A reference count for each usable page offset, none for the guard. */
	nr_pages = ((size_t)1 << (shift - PCPU_PAGE_SHIFT)) - PCPU_GUARD_SIZE / PCPU_PAGE_SIZE;
	m->alloc = round_meta(pcpu_alloc_meta_size(max_areas));
	if (m->alloc == 0)
		return false;
	if (!mul_fits(nr_pages, sizeof(uint32_t)))
		return false;
	m->refcount = round_meta(nr_pages * sizeof(uint32_t));
	m->online = round_meta((nr_cpus + 31) / 32 * sizeof(uint32_t));
	if (!mul_fits(max_areas, sizeof(struct pcpu_area)))
		return false;
	m->areas = round_meta((size_t)max_areas * sizeof(struct pcpu_area));
	/* Slack to align the caller's memory ourselves. */
	n = META_ALIGN;
	if (m->alloc > SIZE_MAX - n)
		return false;
	n += m->alloc;
	if (m->refcount > SIZE_MAX - n)
		return false;
	n += m->refcount;
	if (m->online > SIZE_MAX - n)
		return false;
	n += m->online;
	if (m->areas > SIZE_MAX - n)
		return false;
	n += m->areas;
	m->total = n;
	return true;
}

size_t pcpu_runtime_meta_size(unsigned shift, unsigned nr_cpus, unsigned max_areas)
{
	struct meta_layout m;

	return layout_meta(shift, nr_cpus, max_areas, &m) ? m.total : 0;
}

static void lock(const struct pcpu_runtime *rt)
{
	if (rt->ops->lock)
		rt->ops->lock(rt->ops->ctx);
}

static void unlock(const struct pcpu_runtime *rt)
{
	if (rt->ops->unlock)
		rt->ops->unlock(rt->ops->ctx);
}

int pcpu_runtime_init(struct pcpu_runtime_storage *storage, const struct pcpu_params *p,
		      struct pcpu_runtime **rt_out)
{
	struct pcpu_runtime *rt;
	struct meta_layout m;
	const struct pcpu_arch_ops *ops;
	unsigned char *mem;
	size_t window;

	if (!storage || !p || !rt_out || !p->meta)
		return PCPU_ERR_INVAL;
	ops = p->ops;
	if (!ops || !ops->alloc_data_page || !ops->free_data_page || !ops->map_page ||
	    !ops->unmap_page || !ops->lock != !ops->unlock)
		return PCPU_ERR_INVAL;
	if (!layout_meta(p->shift, p->nr_cpus, p->max_areas, &m) || p->meta_size < m.total)
		return PCPU_ERR_INVAL;
	/* Base 0 would make CPU 0's address of an area at offset 0 NULL, which
	 * is pcpu_api_alloc's error and pcpu_base's "no runtime". */
	if (p->base == 0 || p->base % PCPU_PAGE_SIZE)
		return PCPU_ERR_INVAL;
	/* The window [base, base + nr_cpus << shift) must fit the address space. */
	if (p->nr_cpus > (SIZE_MAX >> p->shift))
		return PCPU_ERR_INVAL;
	window = (size_t)p->nr_cpus << p->shift;
	if (window - 1 > UINTPTR_MAX - p->base)
		return PCPU_ERR_INVAL;

	rt = (struct pcpu_runtime *)(void *)storage->bytes;
	pcpu_memset(rt, 0, sizeof(*rt));
	mem = (unsigned char *)(((uintptr_t)p->meta + META_ALIGN - 1) & ~(uintptr_t)(META_ALIGN - 1));
	pcpu_memset(mem, 0, m.total - META_ALIGN);
	rt->base = p->base;
	rt->shift = p->shift;
	rt->stride = (size_t)1 << p->shift;
	rt->usable = rt->stride - PCPU_GUARD_SIZE;
	rt->nr_pages = rt->usable >> PCPU_PAGE_SHIFT;
	rt->nr_cpus = p->nr_cpus;
	rt->ops = ops;
	/* The allocator never sees the guard page, so no area can reach it. */
	if (pcpu_alloc_init(&rt->alloc, rt->usable, p->max_areas, mem, m.alloc) != PCPU_OK)
		return PCPU_ERR_INVAL;
	mem += m.alloc;
	rt->refcount = (uint32_t *)(void *)mem;
	mem += m.refcount;
	rt->online = (uint32_t *)(void *)mem;
	mem += m.online;
	rt->areas = (struct pcpu_area *)(void *)mem;
	rt->max_areas = p->max_areas;
	for (unsigned i = 0; i < p->max_areas; i++)
		rt->areas[i].next_free = i + 1 < p->max_areas ? i + 1 : PCPU_NO_AREA;
	rt->free_area = 0;
	rt->online[0] = 1; /* CPU 0: the boot CPU */
	rt->online_count = 1;
	*rt_out = rt;
	return PCPU_OK;
}

/* Create an area: at offset 0 (the static area) or first fit.  The order is
 * what makes a failure change nothing: check, populate, then commit. */
static int area_create(struct pcpu_runtime *rt, unsigned char kind, const void *tmpl,
		       size_t init_size, size_t zero_size, size_t align, bool at_zero,
		       size_t *offset_out)
{
	struct pcpu_area *a;
	size_t size, off, first, last;
	unsigned idx;
	int err;

	if (init_size && !tmpl)
		return PCPU_ERR_INVAL;
	if (zero_size > SIZE_MAX - init_size)
		return PCPU_ERR_NOSPACE;
	size = init_size + zero_size;
	if (at_zero) {
		if (size > rt->usable)
			return PCPU_ERR_NOSPACE;
		off = 0; /* the allocator is empty: checked by the caller */
		if (rt->free_area == PCPU_NO_AREA)
			return PCPU_ERR_NOMETA;
	} else {
		err = pcpu_alloc_fit(&rt->alloc, size, align, &off);
		if (err)
			return err;
	}
	first = off >> PCPU_PAGE_SHIFT;
	last = (off + size - 1) >> PCPU_PAGE_SHIFT;
	err = pcpu_populate_range(rt, first, last);
	if (err)
		return err;

	/* Commit: nothing below can fail. */
	idx = rt->free_area;
	a = &rt->areas[idx];
	rt->free_area = a->next_free;
	a->tmpl = tmpl;
	a->init_size = init_size;
	a->size = size;
	a->offset = off;
	a->align = align;
	a->kind = kind;
	a->used = true;
	a->next_free = PCPU_NO_AREA;
	err = pcpu_alloc_reserve(&rt->alloc, off, size, a);
	(void)err; /* cannot fail: fit (or the empty allocator) vouched for it */
	pcpu_commit_range(rt, first, last);
	for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
		if (pcpu_online(rt, cpu))
			pcpu_init_area_copy(rt, a, cpu);
	*offset_out = off;
	return PCPU_OK;
}

/* The area whose CPU 0 address is `addr`, if it is of `kind`. */
static int area_find(struct pcpu_runtime *rt, uintptr_t addr, unsigned char kind,
		     struct pcpu_area **out)
{
	void *user;
	int err;

	if (addr < rt->base || addr - rt->base >= rt->usable)
		return PCPU_ERR_NOTALLOC;
	err = pcpu_alloc_lookup(&rt->alloc, addr - rt->base, NULL, &user);
	if (err)
		return err;
	*out = user;
	if ((*out)->kind != kind)
		return PCPU_ERR_KIND;
	return PCPU_OK;
}

static int area_destroy(struct pcpu_runtime *rt, uintptr_t addr, unsigned char kind)
{
	struct pcpu_area *a;
	size_t first, last;
	int err = area_find(rt, addr, kind, &a);

	if (err)
		return err;
	first = a->offset >> PCPU_PAGE_SHIFT;
	last = (a->offset + a->size - 1) >> PCPU_PAGE_SHIFT;
	err = pcpu_alloc_free(&rt->alloc, a->offset, NULL, NULL);
	(void)err; /* found above */
	pcpu_release_range(rt, first, last);
	a->used = false;
	a->tmpl = NULL;
	a->next_free = rt->free_area;
	rt->free_area = (unsigned)(a - rt->areas);
	return PCPU_OK;
}

int pcpu_static_init(struct pcpu_runtime *rt, const void *tmpl, size_t init_size,
		     size_t zero_size)
{
	size_t off;
	int err = PCPU_OK;

	if (!rt)
		return PCPU_ERR_INVAL;
	lock(rt);
	if (rt->static_done || pcpu_alloc_live(&rt->alloc) != 0)
		err = PCPU_ERR_STATE;
	else if (init_size == 0 && zero_size == 0)
		rt->static_done = true; /* a kernel without per-CPU data */
	else
		err = area_create(rt, PCPU_AREA_STATIC, tmpl, init_size, zero_size,
				  PCPU_PAGE_SIZE, true, &off);
	if (!err)
		rt->static_done = true;
	unlock(rt);
	return err;
}

int pcpu_module_alloc(struct pcpu_runtime *rt, const void *tmpl, size_t init_size,
		      size_t zero_size, size_t align, uintptr_t *addr_out)
{
	size_t off;
	int err;

	if (!rt || !addr_out)
		return PCPU_ERR_INVAL;
	if (init_size == 0 && zero_size == 0)
		return PCPU_ERR_INVAL;
	lock(rt);
	err = area_create(rt, PCPU_AREA_MODULE, tmpl, init_size, zero_size, align, false, &off);
	if (!err)
		*addr_out = rt->base + off;
	unlock(rt);
	return err;
}

int pcpu_module_free(struct pcpu_runtime *rt, uintptr_t addr)
{
	int err;

	if (!rt)
		return PCPU_ERR_INVAL;
	lock(rt);
	err = area_destroy(rt, addr, PCPU_AREA_MODULE);
	unlock(rt);
	return err;
}

int pcpu_dyn_alloc(struct pcpu_runtime *rt, size_t size, size_t align, uintptr_t *addr_out)
{
	size_t off;
	int err;

	if (!rt || !addr_out || size == 0)
		return PCPU_ERR_INVAL;
	lock(rt);
	err = area_create(rt, PCPU_AREA_DYNAMIC, NULL, 0, size, align, false, &off);
	if (!err)
		*addr_out = rt->base + off;
	unlock(rt);
	return err;
}

int pcpu_dyn_free(struct pcpu_runtime *rt, uintptr_t addr)
{
	int err;

	if (!rt)
		return PCPU_ERR_INVAL;
	lock(rt);
	err = area_destroy(rt, addr, PCPU_AREA_DYNAMIC);
	unlock(rt);
	return err;
}

struct online_walk {
	const struct pcpu_runtime *rt;
	unsigned cpu;
};

static bool init_one(size_t offset, size_t size, void *user, void *arg)
{
	const struct online_walk *w = arg;

	(void)offset;
	(void)size;
	pcpu_init_area_copy(w->rt, user, w->cpu);
	return true;
}

int pcpu_cpu_online(struct pcpu_runtime *rt, unsigned cpu)
{
	struct online_walk w;
	int err;

	if (!rt)
		return PCPU_ERR_INVAL;
	if (cpu >= rt->nr_cpus)
		return PCPU_ERR_CPU;
	lock(rt);
	if (pcpu_online(rt, cpu)) {
		unlock(rt);
		return PCPU_ERR_CPU;
	}
	err = pcpu_populate_cpu(rt, cpu);
	if (!err) {
		rt->online[cpu / 32] |= 1u << (cpu % 32);
		rt->online_count++;
		rt->mapped_pages += rt->mapped_offsets;
		w.rt = rt;
		w.cpu = cpu;
		pcpu_alloc_walk(&rt->alloc, init_one, &w);
	}
	unlock(rt);
	return err;
}

int pcpu_cpu_offline(struct pcpu_runtime *rt, unsigned cpu)
{
	if (!rt)
		return PCPU_ERR_INVAL;
	if (cpu >= rt->nr_cpus)
		return PCPU_ERR_CPU;
	lock(rt);
	if (!pcpu_online(rt, cpu)) {
		unlock(rt);
		return PCPU_ERR_CPU;
	}
	pcpu_depopulate_cpu(rt, cpu);
	rt->online[cpu / 32] &= ~(1u << (cpu % 32));
	rt->online_count--;
	rt->mapped_pages -= rt->mapped_offsets;
	unlock(rt);
	return PCPU_OK;
}

int pcpu_fill_offsets(const struct pcpu_runtime *rt, unsigned long *offsets, unsigned nr)
{
	if (!rt || (!offsets && nr))
		return PCPU_ERR_INVAL;
	for (unsigned n = 0; n < nr; n++)
		offsets[n] = (unsigned long)n << rt->shift;
	return PCPU_OK;
}

int pcpu_get_stats(const struct pcpu_runtime *rt, struct pcpu_stats *st)
{
	if (!rt || !st)
		return PCPU_ERR_INVAL;
	lock(rt);
	st->used_bytes = pcpu_alloc_used(&rt->alloc);
	st->mapped_offsets = rt->mapped_offsets;
	st->mapped_pages = rt->mapped_pages;
	st->live_areas = pcpu_alloc_live(&rt->alloc);
	st->online_cpus = rt->online_count;
	st->largest_free = pcpu_alloc_largest_free(&rt->alloc);
	unlock(rt);
	return PCPU_OK;
}

unsigned pcpu_page_refcount(const struct pcpu_runtime *rt, size_t page_index)
{
	unsigned n = 0;

	if (!rt)
		return 0;
	lock(rt);
	if (page_index < rt->nr_pages)
		n = rt->refcount[page_index];
	unlock(rt);
	return n;
}

bool pcpu_cpu_is_online(const struct pcpu_runtime *rt, unsigned cpu)
{
	bool on = false;

	if (!rt)
		return false;
	lock(rt);
	if (cpu < rt->nr_cpus)
		on = pcpu_online(rt, cpu);
	unlock(rt);
	return on;
}

uintptr_t pcpu_base(const struct pcpu_runtime *rt)
{
	return rt ? rt->base : 0;
}

unsigned pcpu_shift(const struct pcpu_runtime *rt)
{
	return rt ? rt->shift : 0;
}

struct area_walk {
	bool (*fn)(const struct pcpu_area_info *a, void *arg);
	void *arg;
};

static bool walk_one(size_t offset, size_t size, void *user, void *arg)
{
	const struct area_walk *w = arg;
	const struct pcpu_area *a = user;
	struct pcpu_area_info info;

	info.offset = offset;
	info.size = size;
	info.align = a->align;
	info.kind = (enum pcpu_area_kind)a->kind;
	return w->fn(&info, w->arg);
}

int pcpu_for_each_area(const struct pcpu_runtime *rt,
		       bool (*fn)(const struct pcpu_area_info *a, void *arg), void *arg)
{
	struct area_walk w = { fn, arg };

	if (!rt || !fn)
		return PCPU_ERR_INVAL;
	lock(rt);
	pcpu_alloc_walk(&rt->alloc, walk_one, &w);
	unlock(rt);
	return PCPU_OK;
}
