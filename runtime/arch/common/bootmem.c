/* runtime/arch/common/bootmem.c: the boot-time page-table allocator, for
 * every page-table backend (percpu-vm/pt_alloc.h).
 *
 * Per-CPU data is used before the kernel's page allocator exists (the
 * static area is mapped while booting), so the first page tables of the
 * window come from a region the kernel sets aside, handed out in order like
 * bootmem.  Nothing is ever returned to it except the latest page, which is
 * all a failed map needs to roll back.
 */
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/pt_alloc.h>
#include <percpu-vm/runtime.h>

#define BM_PAGE 4096ull

int pcpu_bootmem_init(struct pcpu_bootmem *bm, uint64_t start, uint64_t end)
{
	if (!bm || (start & (BM_PAGE - 1)) || (end & (BM_PAGE - 1)) || start >= end)
		return PCPU_ERR_INVAL;
	bm->start = start;
	bm->next = start;
	bm->end = end;
	bm->allocated = 0;
	return PCPU_OK;
}

static int bootmem_alloc(void *ctx, uint64_t *phys)
{
	struct pcpu_bootmem *bm = ctx;

	if (bm->end - bm->next < BM_PAGE)
		return PCPU_ERR_NOMEM;
	*phys = bm->next;
	bm->next += BM_PAGE;
	bm->allocated++;
	return PCPU_OK;
}

static void bootmem_free(void *ctx, uint64_t phys)
{
	struct pcpu_bootmem *bm = ctx;

	/* Only the latest page can go back; anything else stays allocated, as
	 * bootmem memory does once the kernel runs. */
	if (phys >= bm->start && phys + BM_PAGE == bm->next) {
		bm->next = phys;
		bm->allocated--;
	}
}

void pcpu_bootmem_alloc_ops(struct pcpu_bootmem *bm, struct pcpu_pt_alloc *out)
{
	out->ctx = bm;
	out->alloc = bootmem_alloc;
	out->free = bootmem_free;
}
