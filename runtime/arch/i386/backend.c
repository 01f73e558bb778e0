/* runtime/arch/i386/backend.c: the runtime's arch hooks (struct
 * pcpu_arch_ops) on top of the i386 page-table helpers, for a kernel that
 * supplies a page allocator (by physical address), a phys->virt conversion
 * for page tables (in the mmu) and invlpg.  unmap_page reads the physical
 * address out of the entry it clears, so nothing here remembers data pages.
 */
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/i386_pgtable.h>

static int be_alloc_data_page(void *ctx, unsigned cpu, uint64_t *phys)
{
	struct pcpu_i386_backend *be = ctx;

	if (be->page_alloc(be->ctx, cpu, phys) != PCPU_OK)
		return PCPU_ERR_NOMEM;
	return PCPU_OK;
}

static void be_free_data_page(void *ctx, unsigned cpu, uint64_t phys)
{
	struct pcpu_i386_backend *be = ctx;

	be->page_free(be->ctx, cpu, phys);
}

static int be_map_page(void *ctx, uintptr_t va, uint64_t phys)
{
	struct pcpu_i386_backend *be = ctx;

	if (va != (uintptr_t)(uint32_t)va) /* only possible in a hosted build */
		return PCPU_ERR_INVAL;
	return pcpu_i386_map(be->mmu, (uint32_t)va, phys, pcpu_i386_percpu_flags(be->mmu));
}

static int be_unmap_page(void *ctx, uintptr_t va, uint64_t *phys)
{
	struct pcpu_i386_backend *be = ctx;

	if (va != (uintptr_t)(uint32_t)va) /* only possible in a hosted build */
		return PCPU_ERR_NOTMAPPED;
	/* INVAL (unaligned, or inside a large page) means the runtime's page
	 * is not mapped there either. */
	return pcpu_i386_unmap(be->mmu, (uint32_t)va, phys) == PCPU_OK ? PCPU_OK
									: PCPU_ERR_NOTMAPPED;
}

static void be_flush_tlb(void *ctx, uintptr_t va, size_t len)
{
	struct pcpu_i386_backend *be = ctx;
	uintptr_t start = va & ~(uintptr_t)0xfff;
	uintptr_t end = va + len;
	size_t pages;

	if (len == 0)
		return;
	pages = (size_t)((end - start + 0xfff) >> 12);
	if (be->flush_all && pages > PCPU_I386_FLUSH_ALL_PAGES) {
		be->flush_all(be->ctx);
		return;
	}
	for (size_t i = 0; i < pages; i++)
		be->invlpg(be->ctx, (uint32_t)(start + (i << 12)));
}

static void be_lock(void *ctx)
{
	struct pcpu_i386_backend *be = ctx;

	be->lock(be->ctx);
}

static void be_unlock(void *ctx)
{
	struct pcpu_i386_backend *be = ctx;

	be->unlock(be->ctx);
}

int pcpu_i386_backend_ops(struct pcpu_i386_backend *be, struct pcpu_arch_ops *ops)
{
	if (!be || !ops || !be->mmu || !be->page_alloc || !be->page_free || !be->invlpg)
		return PCPU_ERR_INVAL;
	if (!be->lock != !be->unlock)
		return PCPU_ERR_INVAL;
	ops->ctx = be;
	ops->alloc_data_page = be_alloc_data_page;
	ops->free_data_page = be_free_data_page;
	ops->map_page = be_map_page;
	ops->unmap_page = be_unmap_page;
	ops->flush_tlb = be_flush_tlb;
	ops->lock = be->lock ? be_lock : NULL;
	ops->unlock = be->unlock ? be_unlock : NULL;
	return PCPU_OK;
}
