/* percpu-vm/x86_64_pgtable.h: x86-64 page-table helpers for the per-CPU
 * window.
 *
 * Freestanding C, the twin of percpu-vm/i386_pgtable.h.  The same code
 * drives the real MMU in a kernel and a simulated physical memory in the unit
 * tests: every table it touches is reached through the mmu's phys_to_virt
 * callback, so the tables are real x86-64 entries either way.
 *
 * Long-mode paging with 4 KiB leaves, 512 64-bit entries per table:
 *   4-level:  CR3 -> PML4 -> PDPT -> PD -> PT           (48-bit addresses)
 *   5-level:  CR3 -> PML5 -> PML4 -> PDPT -> PD -> PT   (CR4.LA57, 57-bit)
 * The level count is a run-time field of the mmu (4 or 5), as it is a boot
 * time choice of the kernel.  A virtual address must be canonical for that
 * count (bits 63..47, or 63..56, all equal): anything else is
 * PCPU_ERR_INVAL, never a mapping at the address the index bits alone
 * would select.
 *
 * NX: per-CPU pages always get NX (bit 63).  The kernel must have set
 * EFER.NXE before it uses them: with NXE clear bit 63 is reserved and the
 * first access faults.  Every x86-64 CPU a current kernel supports has NX.
 *
 * Physical addresses: up to the architecture's MAXPHYADDR, 52 bits; a frame
 * at or above 1 << 52 is PCPU_ERR_INVAL.  (A CPU with fewer physical address
 * bits reserves the rest; its kernel's page allocator never hands them out.)
 *
 * Page-table pages come from the shared allocators of percpu-vm/pt_alloc.h:
 * the boot-time allocator until pcpu_x86_64_mmu_use_normal_alloc(), then the
 * kernel's.  Policy, as on i386: tables emptied by an unmap are KEPT (see
 * docs/arch-i386.md and docs/arch-x86_64.md); a map that fails gives back
 * every table it allocated and changes no entry.
 *
 * Error codes are those of percpu-vm/runtime.h.
 */
#ifndef PERCPU_VM_X86_64_PGTABLE_H
#define PERCPU_VM_X86_64_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/pt_alloc.h>
#include <percpu-vm/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Entry bits (the same at every level; PS only in PDPT and PD entries). */
#define PCPU_X86_64_PTE_P    0x001ull  /* present */
#define PCPU_X86_64_PTE_RW   0x002ull  /* writable */
#define PCPU_X86_64_PTE_US   0x004ull  /* user accessible (clear: supervisor only) */
#define PCPU_X86_64_PTE_PWT  0x008ull
#define PCPU_X86_64_PTE_PCD  0x010ull
#define PCPU_X86_64_PTE_A    0x020ull  /* accessed */
#define PCPU_X86_64_PTE_D    0x040ull  /* dirty */
#define PCPU_X86_64_PTE_PS   0x080ull  /* PDPT entry: 1 GiB page; PD entry: 2 MiB page */
#define PCPU_X86_64_PTE_G    0x100ull  /* global */
#define PCPU_X86_64_PTE_NX   (1ull << 63) /* with EFER.NXE */

/* Physical address bits of an entry: MAXPHYADDR 52. */
#define PCPU_X86_64_MAXPHYADDR 52u
#define PCPU_X86_64_ADDR_MASK  0x000ffffffffff000ull

/* Entries per table and address bits translated per level. */
#define PCPU_X86_64_ENTRIES 512u
#define PCPU_X86_64_LEVEL_BITS 9u

/* One address space's paging structures. */
struct pcpu_x86_64_mmu {
	unsigned levels; /* 4, or 5 under CR4.LA57 */
	uint64_t root;   /* CR3's address bits: the PML4 (or PML5) physical address */
	/* CR4.PGE on: per-CPU pages get G (kernel mappings, the same in every
	 * address space).  False after init; set it directly. */
	bool global;
	/* Where the kernel (or the simulator) can read and write `phys`. */
	void *(*phys_to_virt)(void *ctx, uint64_t phys);
	void *conv_ctx;
	struct pcpu_pt_alloc boot;   /* page tables before the page allocator runs */
	struct pcpu_pt_alloc normal; /* afterwards */
	bool use_normal;
	/* Bookkeeping: page-table pages this mmu allocated (kept forever). */
	size_t pt_pages_boot, pt_pages_normal;
	size_t mapped_pages; /* leaf entries this mmu set and has not cleared */
};

/* Set up `mmu` over an existing root (the kernel's PML4, or PML5 when
 * levels is 5).  Checks levels, the root (page aligned, below 1 << 52) and
 * the callbacks.  The boot allocator is in use until
 * pcpu_x86_64_mmu_use_normal_alloc().  0 or PCPU_ERR_INVAL. */
int pcpu_x86_64_mmu_init(struct pcpu_x86_64_mmu *mmu, unsigned levels, uint64_t root,
			 void *(*phys_to_virt)(void *ctx, uint64_t phys), void *conv_ctx,
			 const struct pcpu_pt_alloc *boot);

/* From now on page tables come from `normal` (the kernel's page allocator).
 * 0 or PCPU_ERR_INVAL (no alloc callback). */
int pcpu_x86_64_mmu_use_normal_alloc(struct pcpu_x86_64_mmu *mmu,
				     const struct pcpu_pt_alloc *normal);

/* Whether `va` is canonical for the mmu's level count. */
bool pcpu_x86_64_canonical(const struct pcpu_x86_64_mmu *mmu, uint64_t va);

/* Flags a per-CPU page gets: P | RW | NX, U/S clear, G when mmu->global. */
uint64_t pcpu_x86_64_percpu_flags(const struct pcpu_x86_64_mmu *mmu);

/* Map the 4 KiB page `phys` at `va` with `flags` (P is implied; the other
 * bits must be in PCPU_X86_64_PTE_RW|US|PWT|PCD|G|NX).  Missing tables at
 * every level below the root are allocated and zeroed.
 * 0; PCPU_ERR_INVAL (va not canonical or unaligned, phys unaligned or at or
 * above 1 << 52, bad flags, a PS bit in a PML4/PML5 entry where the
 * architecture reserves it); PCPU_ERR_MAPPED (va already mapped, or inside a
 * 1 GiB or 2 MiB page: nothing changed); PCPU_ERR_NOMEM (a page-table page
 * could not be had: nothing allocated or changed is left behind). */
int pcpu_x86_64_map(struct pcpu_x86_64_mmu *mmu, uint64_t va, uint64_t phys, uint64_t flags);

/* Clear the mapping at `va`; its physical address in *phys_out (may be
 * NULL).  Page tables are kept.  The caller flushes the TLB.
 * 0, PCPU_ERR_INVAL (not canonical, unaligned, inside a large page, a
 * reserved PS bit on the way), PCPU_ERR_NOTMAPPED. */
int pcpu_x86_64_unmap(struct pcpu_x86_64_mmu *mmu, uint64_t va, uint64_t *phys_out);

/* Walk the tables for `va` (any byte address): the physical address of that
 * byte in *phys_out and the leaf entry's flag bits with the effective
 * permissions (RW and U/S ANDed, NX ORed over all levels, as the MMU
 * computes them) in *flags_out; both may be NULL.  1 GiB and 2 MiB pages are
 * translated too.  0, PCPU_ERR_NOTMAPPED, or PCPU_ERR_INVAL (va not
 * canonical, a reserved PS bit on the way: the MMU would fault). */
int pcpu_x86_64_translate(const struct pcpu_x86_64_mmu *mmu, uint64_t va, uint64_t *phys_out,
			  uint64_t *flags_out);

/* The adapter: a struct pcpu_arch_ops over an mmu, for the runtime, like
 * struct pcpu_i386_backend.  Data pages come from page_alloc (phys) and are
 * mapped with pcpu_x86_64_percpu_flags(); unmap_page takes their physical
 * address out of the entry it clears and page_free gets it back.  TLB
 * flushes go page by page through invlpg (an SMP kernel's must reach every
 * CPU), or through flush_all for big ranges when it is given. */
struct pcpu_x86_64_backend {
	struct pcpu_x86_64_mmu *mmu;
	void *ctx; /* passed to every hook below */
	int (*page_alloc)(void *ctx, unsigned cpu, uint64_t *phys);
	void (*page_free)(void *ctx, unsigned cpu, uint64_t phys);
	void (*invlpg)(void *ctx, uint64_t va);
	void (*flush_all)(void *ctx);        /* may be NULL */
	void (*lock)(void *ctx);             /* may be NULL */
	void (*unlock)(void *ctx);           /* may be NULL */
};
/* Ranges above this many pages use flush_all when there is one. */
#define PCPU_X86_64_FLUSH_ALL_PAGES 32u

/* Fill `ops` (ops->ctx = be).  0 or PCPU_ERR_INVAL (a required hook missing). */
int pcpu_x86_64_backend_ops(struct pcpu_x86_64_backend *be, struct pcpu_arch_ops *ops);

#ifdef __cplusplus
}
#endif

#endif /* PERCPU_VM_X86_64_PGTABLE_H */
