/* percpu-vm/i386_pgtable.h: i386 page-table helpers for the per-CPU window.
 *
 * Freestanding C.  The same code drives the real MMU in the demo kernel and a
 * simulated physical memory in the unit tests: everything it touches is
 * reached through the mmu's phys_to_virt callback, so the tables are real
 * i386 page-table entries either way.
 *
 * Two paging modes, both with 4 KiB pages:
 *   2-level:  CR3 -> page directory (1024 x 32-bit) -> page table (1024 x 32-bit)
 *   PAE:      CR3 -> PDPT (4 x 64-bit, 32-byte aligned) -> page directory
 *             (512 x 64-bit) -> page table (512 x 64-bit); bit 63 is NX.
 *
 * Page-table pages (and, under PAE, page directories for an empty PDPT slot)
 * are allocated through a struct pcpu_i386_pt_alloc: the boot-time allocator
 * (pcpu_i386_bootmem, a bump allocator over a region the kernel sets aside)
 * until pcpu_i386_mmu_use_normal_alloc() switches to the kernel's page
 * allocator.  These are the 2006 proposal's "three functions to allow for
 * allocating page tables at bootup": boot allocation, normal allocation, the
 * switch.
 *
 * Policy: page-table pages emptied by an unmap are KEPT (see
 * docs/arch-i386.md for why).  A map that fails gives back every page-table
 * page it allocated and changes no entry.
 *
 * Error codes are those of percpu-vm/runtime.h.
 */
#ifndef PERCPU_VM_I386_PGTABLE_H
#define PERCPU_VM_I386_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/pt_alloc.h>
#include <percpu-vm/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Entry bits (the same low bits in 32-bit and 64-bit entries). */
#define PCPU_I386_PTE_P    0x001ull  /* present */
#define PCPU_I386_PTE_RW   0x002ull  /* writable */
#define PCPU_I386_PTE_US   0x004ull  /* user accessible (clear: supervisor only) */
#define PCPU_I386_PTE_PWT  0x008ull
#define PCPU_I386_PTE_PCD  0x010ull
#define PCPU_I386_PTE_A    0x020ull  /* accessed */
#define PCPU_I386_PTE_D    0x040ull  /* dirty */
#define PCPU_I386_PTE_PS   0x080ull  /* in a directory entry: large page */
#define PCPU_I386_PTE_G    0x100ull  /* global */
#define PCPU_I386_PTE_NX   (1ull << 63) /* PAE only, with EFER.NXE */

/* Physical address bits of an entry. */
#define PCPU_I386_ADDR_MASK_32   0xfffff000ull
#define PCPU_I386_ADDR_MASK_PAE  0x000ffffffffff000ull /* MAXPHYADDR 52 */

enum pcpu_i386_paging {
	PCPU_I386_PAGING_2LEVEL = 0,
	PCPU_I386_PAGING_PAE = 1,
};

/* The page-table page allocators are shared with x86-64
 * (percpu-vm/pt_alloc.h, runtime/arch/common/); these are their i386 names,
 * which the demo kernel and the i386 tests use. */
#define pcpu_i386_pt_alloc pcpu_pt_alloc
#define pcpu_i386_bootmem pcpu_bootmem
#define pcpu_i386_bootmem_init pcpu_bootmem_init
#define pcpu_i386_bootmem_alloc_ops pcpu_bootmem_alloc_ops

/* One address space's paging structures. */
struct pcpu_i386_mmu {
	enum pcpu_i386_paging mode;
	uint64_t root;   /* CR3: page directory (2-level) or PDPT (PAE) physical address */
	bool nx;         /* PAE with EFER.NXE: per-CPU pages get NX */
	/* CR4.PGE on: per-CPU pages get G.  They are kernel mappings, the same
	 * in every address space, so a context switch need not flush them
	 * (invlpg still does).  False after init; set it directly. */
	bool global;
	/* Where the kernel (or the simulator) can read and write `phys`. */
	void *(*phys_to_virt)(void *ctx, uint64_t phys);
	void *conv_ctx;
	struct pcpu_i386_pt_alloc boot;   /* page tables before the page allocator runs */
	struct pcpu_i386_pt_alloc normal; /* afterwards */
	bool use_normal;
	/* Bookkeeping: page-table pages this mmu allocated (kept forever). */
	size_t pt_pages_boot, pt_pages_normal;
	size_t mapped_pages; /* leaf entries this mmu set and has not cleared */
};

/* Set up `mmu` over an existing root (the kernel's page directory / PDPT).
 * Checks the root's alignment (4 KiB; PAE PDPT: 32 bytes and below 4 GiB),
 * that nx is only asked for under PAE, and that the callbacks are there.
 * The boot allocator is in use until pcpu_i386_mmu_use_normal_alloc().
 * 0 or PCPU_ERR_INVAL. */
int pcpu_i386_mmu_init(struct pcpu_i386_mmu *mmu, enum pcpu_i386_paging mode, uint64_t root,
		       bool nx, void *(*phys_to_virt)(void *ctx, uint64_t phys), void *conv_ctx,
		       const struct pcpu_i386_pt_alloc *boot);

/* From now on page tables come from `normal` (the kernel's page allocator).
 * 0 or PCPU_ERR_INVAL (no alloc callback). */
int pcpu_i386_mmu_use_normal_alloc(struct pcpu_i386_mmu *mmu, const struct pcpu_i386_pt_alloc *normal);

/* Flags a per-CPU page gets: P | RW, U/S clear, NX when mmu->nx, G when
 * mmu->global. */
uint64_t pcpu_i386_percpu_flags(const struct pcpu_i386_mmu *mmu);

/* Map the 4 KiB page `phys` at `va` with `flags` (P is implied; the other
 * bits must be in PCPU_I386_PTE_RW|US|PWT|PCD|G|NX, NX only when mmu->nx).
 * Missing page tables (and PAE page directories) are allocated and zeroed.
 * 0; PCPU_ERR_INVAL (unaligned va/phys, phys beyond what the mode can
 * address, bad flags); PCPU_ERR_MAPPED (va already mapped, or covered by a
 * large page); PCPU_ERR_NOMEM (a page-table page could not be had: nothing
 * allocated or changed is left behind). */
int pcpu_i386_map(struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t phys, uint64_t flags);

/* Clear the mapping at `va`; its physical address in *phys_out (may be
 * NULL).  Page tables are kept.  The caller flushes the TLB.
 * 0, PCPU_ERR_INVAL (unaligned), PCPU_ERR_NOTMAPPED. */
int pcpu_i386_unmap(struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t *phys_out);

/* Walk the tables for `va` (any byte address): the physical address of that
 * byte in *phys_out and the leaf entry's flag bits (entry & ~address) in
 * *flags_out; both may be NULL.  Large pages (PS) are translated too.
 * 0 or PCPU_ERR_NOTMAPPED. */
int pcpu_i386_translate(const struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t *phys_out,
			uint64_t *flags_out);

/* The adapter: a struct pcpu_arch_ops over an mmu, for the runtime.
 * Data pages come from page_alloc (phys) and are mapped with
 * pcpu_i386_percpu_flags(); unmap_page takes their physical address out of
 * the entry it clears (pcpu_i386_unmap) and page_free gets it back, so
 * neither side keeps a table of data pages.  TLB flushes go page by page
 * through invlpg (which in an SMP kernel must reach every CPU: a
 * shootdown), or through flush_all for big ranges when it is given. */
struct pcpu_i386_backend {
	struct pcpu_i386_mmu *mmu;
	void *ctx; /* passed to every hook below */
	int (*page_alloc)(void *ctx, unsigned cpu, uint64_t *phys);
	void (*page_free)(void *ctx, unsigned cpu, uint64_t phys);
	void (*invlpg)(void *ctx, uint32_t va);
	void (*flush_all)(void *ctx);        /* may be NULL */
	void (*lock)(void *ctx);             /* may be NULL */
	void (*unlock)(void *ctx);           /* may be NULL */
};
/* Ranges above this many pages use flush_all when there is one. */
#define PCPU_I386_FLUSH_ALL_PAGES 32u

/* Fill `ops` (ops->ctx = be).  0 or PCPU_ERR_INVAL (a required hook missing). */
int pcpu_i386_backend_ops(struct pcpu_i386_backend *be, struct pcpu_arch_ops *ops);

#ifdef __cplusplus
}
#endif

#endif /* PERCPU_VM_I386_PGTABLE_H */
