/* fake_arch.c: see fake_arch.h. */
#include "fake_arch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void violation(struct fake_arch *f, const char *what, uintptr_t va)
{
	f->violations++;
	snprintf(f->last_violation, sizeof(f->last_violation), "%s at %#lx", what,
		 (unsigned long)va);
}

static int fake_alloc_data_page(void *ctx, unsigned cpu, uint64_t *phys)
{
	struct fake_arch *f = ctx;
	size_t i;

	f->page_allocs++;
	if (f->fail_page_at && --f->fail_page_at == 0)
		return PCPU_ERR_NOMEM;
	if (cpu >= f->nr_cpus)
		violation(f, "data page for a CPU out of range", cpu);
	/* Reuse a free slot if any, else grow. */
	for (i = 0; i < f->nr_pg; i++)
		if (!f->pg[i].in_use)
			break;
	if (i == f->nr_pg) {
		if (f->nr_pg == f->cap_pg) {
			f->cap_pg = f->cap_pg ? 2 * f->cap_pg : 64;
			f->pg = realloc(f->pg, f->cap_pg * sizeof(*f->pg));
			if (!f->pg)
				abort();
		}
		f->pg[f->nr_pg].mem = malloc(PCPU_PAGE_SIZE);
		if (!f->pg[f->nr_pg].mem)
			abort();
		f->nr_pg++;
	}
	memset(f->pg[i].mem, PCPU_FAKE_GARBAGE, PCPU_PAGE_SIZE); /* a dirty recycled page */
	f->pg[i].cpu = cpu;
	f->pg[i].mapped_at = -1;
	f->pg[i].in_use = true;
	f->pg[i].stale_tlb = false;
	f->live_pages++;
	*phys = ((uint64_t)(i + 1) << 12) | (f->bad_phys ? 0x10 : 0);
	return PCPU_OK;
}

static struct fake_page *page_of(struct fake_arch *f, uint64_t phys)
{
	uint64_t i = (phys >> 12);

	if (f->bad_phys)
		phys &= ~(uint64_t)0xfff;
	if ((phys & 0xfff) || i == 0 || i > f->nr_pg || !f->pg[i - 1].in_use)
		return NULL;
	return &f->pg[i - 1];
}

static void fake_free_data_page(void *ctx, unsigned cpu, uint64_t phys)
{
	struct fake_arch *f = ctx;
	struct fake_page *p = page_of(f, phys);

	f->frees++;
	if (!p) {
		violation(f, "free of an unknown data page", (uintptr_t)phys);
		return;
	}
	if (p->cpu != cpu)
		violation(f, "data page freed for another CPU", (uintptr_t)phys);
	if (p->mapped_at >= 0)
		violation(f, "data page freed while still mapped", (uintptr_t)phys);
	if (p->stale_tlb)
		violation(f, "data page freed before the TLB flush", (uintptr_t)phys);
	p->in_use = false;
	f->live_pages--;
}

static int fake_map_page(void *ctx, uintptr_t va, uint64_t phys)
{
	struct fake_arch *f = ctx;
	struct fake_page *p;
	size_t wp;

	f->map_calls++;
	if (f->fail_map_at && --f->fail_map_at == 0)
		return PCPU_ERR_NOMEM; /* no page-table page */
	if (va < f->base || (va - f->base) / PCPU_PAGE_SIZE >= f->window_pages || va % PCPU_PAGE_SIZE) {
		violation(f, "map outside the window", va);
		return PCPU_ERR_INVAL;
	}
	wp = (va - f->base) / PCPU_PAGE_SIZE;
	if (f->map[wp] >= 0) {
		violation(f, "map of a mapped address", va);
		return PCPU_ERR_MAPPED;
	}
	p = page_of(f, phys);
	if (!p || p->mapped_at >= 0) {
		violation(f, "map of an unknown or already mapped page", va);
		return PCPU_ERR_INVAL;
	}
	if (((va - f->base) >> f->shift) != p->cpu)
		violation(f, "a CPU's page mapped into another CPU's copy", va);
	f->map[wp] = (int32_t)(p - f->pg);
	p->mapped_at = (int32_t)wp;
	p->stale_tlb = false;
	memcpy(f->window + wp * PCPU_PAGE_SIZE, p->mem, PCPU_PAGE_SIZE);
	f->mapped++;
	return PCPU_OK;
}

static int fake_unmap_page(void *ctx, uintptr_t va, uint64_t *phys)
{
	struct fake_arch *f = ctx;
	struct fake_page *p;
	size_t wp;

	f->unmap_calls++;
	if (va < f->base || (va - f->base) / PCPU_PAGE_SIZE >= f->window_pages || va % PCPU_PAGE_SIZE) {
		violation(f, "unmap outside the window", va);
		return PCPU_ERR_NOTMAPPED;
	}
	wp = (va - f->base) / PCPU_PAGE_SIZE;
	if (f->map[wp] < 0) {
		violation(f, "unmap of an unmapped address", va);
		return PCPU_ERR_NOTMAPPED;
	}
	p = &f->pg[f->map[wp]];
	*phys = (uint64_t)(f->map[wp] + 1) << 12;
	memcpy(p->mem, f->window + wp * PCPU_PAGE_SIZE, PCPU_PAGE_SIZE);
	memset(f->window + wp * PCPU_PAGE_SIZE, PCPU_FAKE_POISON, PCPU_PAGE_SIZE);
	p->mapped_at = -1;
	p->stale_tlb = f->with_flush;
	p->last_va_page = (int32_t)wp;
	f->map[wp] = -1;
	f->mapped--;
	return PCPU_OK;
}

static void fake_flush_tlb(void *ctx, uintptr_t va, size_t len)
{
	struct fake_arch *f = ctx;
	size_t first, last;

	f->flushes++;
	if (va < f->base || len == 0) {
		violation(f, "flush outside the window", va);
		return;
	}
	first = (va - f->base) / PCPU_PAGE_SIZE;
	last = (va - f->base + len - 1) / PCPU_PAGE_SIZE;
	for (size_t i = 0; i < f->nr_pg; i++)
		if (f->pg[i].in_use && f->pg[i].stale_tlb && (size_t)f->pg[i].last_va_page >= first &&
		    (size_t)f->pg[i].last_va_page <= last)
			f->pg[i].stale_tlb = false;
}

static void fake_lock(void *ctx)
{
	struct fake_arch *f = ctx;

	if (f->lock_depth++)
		violation(f, "lock taken twice", 0);
	f->locks++;
}

static void fake_unlock(void *ctx)
{
	struct fake_arch *f = ctx;

	if (--f->lock_depth)
		violation(f, "unlock without lock", 0);
}

void fake_arch_init(struct fake_arch *f, unsigned shift, unsigned nr_cpus, bool with_flush)
{
	size_t len = (size_t)nr_cpus << shift;
	void *w;

	memset(f, 0, sizeof(*f));
	w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w == MAP_FAILED)
		abort();
	f->window = w;
	f->base = (uintptr_t)w;
	f->shift = shift;
	f->nr_cpus = nr_cpus;
	f->window_pages = len / PCPU_PAGE_SIZE;
	memset(f->window, PCPU_FAKE_POISON, len);
	f->map = malloc(f->window_pages * sizeof(*f->map));
	if (!f->map)
		abort();
	for (size_t i = 0; i < f->window_pages; i++)
		f->map[i] = -1;
	f->with_flush = with_flush;
	f->ops.ctx = f;
	f->ops.alloc_data_page = fake_alloc_data_page;
	f->ops.free_data_page = fake_free_data_page;
	f->ops.map_page = fake_map_page;
	f->ops.unmap_page = fake_unmap_page;
	f->ops.flush_tlb = with_flush ? fake_flush_tlb : NULL;
	f->ops.lock = fake_lock;
	f->ops.unlock = fake_unlock;
}

void fake_arch_destroy(struct fake_arch *f)
{
	munmap(f->window, f->window_pages * PCPU_PAGE_SIZE);
	for (size_t i = 0; i < f->nr_pg; i++)
		free(f->pg[i].mem);
	free(f->pg);
	free(f->map);
	memset(f, 0, sizeof(*f));
}

bool fake_arch_is_mapped(const struct fake_arch *f, unsigned cpu, size_t page)
{
	size_t wp = (((size_t)cpu << f->shift) / PCPU_PAGE_SIZE) + page;

	return f->map[wp] >= 0;
}
