/* runtime/arch/x86_64/pgtable.c: map, unmap and translate 4 KiB pages in
 * x86-64 4-level and 5-level page tables.
 *
 * All table memory is reached through mmu->phys_to_virt, so this runs on the
 * real MMU's tables in a kernel and on a simulated physical memory in tests.
 * Entries are accessed as volatile 64-bit words: an aligned 64-bit store is
 * atomic on x86-64, so another CPU walking the tables sees an entry either
 * old or new, and the compiler can neither merge, reorder nor drop the
 * stores, nor turn the zeroing of a table into a memset call.
 *
 * Levels are numbered as in the manuals' walk: 1 is the page table (PT),
 * 2 the page directory (PD), 3 the PDPT, 4 the PML4, 5 the PML5.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/x86_64_pgtable.h>

#define PT_PAGE_SIZE 4096u
#define PT_PAGE_MASK 0xfffull
#define MAX_LEVELS 5u

/* Directory entries pointing at a lower table: present and writable; U/S
 * and NX are left to the leaf (effective U/S is the AND of all levels, NX
 * the OR, so the leaf alone decides for per-CPU pages). */
#define DIR_FLAGS (PCPU_X86_64_PTE_P | PCPU_X86_64_PTE_RW)

#define LEAF_FLAGS_ALLOWED (PCPU_X86_64_PTE_P | PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_US | \
			    PCPU_X86_64_PTE_PWT | PCPU_X86_64_PTE_PCD | PCPU_X86_64_PTE_G | \
			    PCPU_X86_64_PTE_NX)

/* The first bit of `va` that level `level` translates. */
static unsigned level_shift(unsigned level)
{
	return 12u + PCPU_X86_64_LEVEL_BITS * (level - 1u);
}

static unsigned level_index(uint64_t va, unsigned level)
{
	return (unsigned)(va >> level_shift(level)) & (PCPU_X86_64_ENTRIES - 1u);
}

/* Levels where the architecture allows PS: 1 GiB (PDPT) and 2 MiB (PD). */
static bool level_has_large_pages(unsigned level)
{
	return level == 2 || level == 3;
}

static volatile uint64_t *table_entries(const struct pcpu_x86_64_mmu *mmu, uint64_t table_phys)
{
	return (volatile uint64_t *)mmu->phys_to_virt(mmu->conv_ctx, table_phys);
}

static uint64_t entry_read(const struct pcpu_x86_64_mmu *mmu, uint64_t table, unsigned idx)
{
	return table_entries(mmu, table)[idx];
}

static void entry_write(const struct pcpu_x86_64_mmu *mmu, uint64_t table, unsigned idx,
			uint64_t val)
{
	table_entries(mmu, table)[idx] = val;
}

static void page_zero(const struct pcpu_x86_64_mmu *mmu, uint64_t phys)
{
	volatile uint64_t *e = table_entries(mmu, phys);

	for (unsigned i = 0; i < PCPU_X86_64_ENTRIES; i++)
		e[i] = 0;
}

int pcpu_x86_64_mmu_init(struct pcpu_x86_64_mmu *mmu, unsigned levels, uint64_t root,
			 void *(*phys_to_virt)(void *ctx, uint64_t phys), void *conv_ctx,
			 const struct pcpu_pt_alloc *boot)
{
	if (!mmu || !phys_to_virt || !boot || !boot->alloc)
		return PCPU_ERR_INVAL;
	if (levels != 4 && levels != 5)
		return PCPU_ERR_INVAL;
	if (root & ~PCPU_X86_64_ADDR_MASK)
		return PCPU_ERR_INVAL; /* CR3 holds a page-aligned frame below 1 << 52 */

	mmu->levels = levels;
	mmu->root = root;
	mmu->global = false;
	mmu->phys_to_virt = phys_to_virt;
	mmu->conv_ctx = conv_ctx;
	mmu->boot = *boot;
	mmu->normal.ctx = NULL;
	mmu->normal.alloc = NULL;
	mmu->normal.free = NULL;
	mmu->use_normal = false;
	mmu->pt_pages_boot = 0;
	mmu->pt_pages_normal = 0;
	mmu->mapped_pages = 0;
	return PCPU_OK;
}

int pcpu_x86_64_mmu_use_normal_alloc(struct pcpu_x86_64_mmu *mmu,
				     const struct pcpu_pt_alloc *normal)
{
	if (!mmu || !normal || !normal->alloc)
		return PCPU_ERR_INVAL;
	mmu->normal = *normal;
	mmu->use_normal = true;
	return PCPU_OK;
}

bool pcpu_x86_64_canonical(const struct pcpu_x86_64_mmu *mmu, uint64_t va)
{
	/* Bits above the highest translated one must copy it: shift it to bit
	 * 63 and back arithmetically, and nothing may change. */
	unsigned unused = 64u - level_shift(mmu->levels) - PCPU_X86_64_LEVEL_BITS;
	uint64_t top = va >> (63u - unused);

	return top == 0 || top == (UINT64_MAX >> (63u - unused));
}

uint64_t pcpu_x86_64_percpu_flags(const struct pcpu_x86_64_mmu *mmu)
{
	uint64_t f = PCPU_X86_64_PTE_P | PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_NX;

	if (mmu->global)
		f |= PCPU_X86_64_PTE_G;
	return f;
}

static const struct pcpu_pt_alloc *current_alloc(const struct pcpu_x86_64_mmu *mmu)
{
	return mmu->use_normal ? &mmu->normal : &mmu->boot;
}

/* A fresh, zeroed table page from the current allocator. */
static int table_alloc(struct pcpu_x86_64_mmu *mmu, uint64_t *phys)
{
	int err = pcpu_pt_alloc_table(current_alloc(mmu), PCPU_X86_64_ADDR_MASK, phys);

	if (err == PCPU_OK)
		page_zero(mmu, *phys);
	return err;
}

static void table_free(struct pcpu_x86_64_mmu *mmu, uint64_t phys)
{
	const struct pcpu_pt_alloc *a = current_alloc(mmu);

	if (a->free)
		a->free(a->ctx, phys);
}

static void count_table(struct pcpu_x86_64_mmu *mmu)
{
	if (mmu->use_normal)
		mmu->pt_pages_normal++;
	else
		mmu->pt_pages_boot++;
}

static int check_va(const struct pcpu_x86_64_mmu *mmu, uint64_t va)
{
	if (mmu->levels != 4 && mmu->levels != 5)
		return PCPU_ERR_INVAL; /* an mmu that never went through init */
	return pcpu_x86_64_canonical(mmu, va) ? PCPU_OK : PCPU_ERR_INVAL;
}

static int check_map_args(const struct pcpu_x86_64_mmu *mmu, uint64_t va, uint64_t phys,
			  uint64_t flags)
{
	if (check_va(mmu, va) || (va & PT_PAGE_MASK))
		return PCPU_ERR_INVAL;
	if (phys & ~PCPU_X86_64_ADDR_MASK)
		return PCPU_ERR_INVAL; /* unaligned, or beyond MAXPHYADDR */
	if (flags & ~LEAF_FLAGS_ALLOWED)
		return PCPU_ERR_INVAL;
	return PCPU_OK;
}

/* A table the map allocated and has not linked yet: it goes into `parent`
 * at `idx` once everything below it is filled. */
struct new_table {
	uint64_t parent, phys;
	unsigned idx;
};

int pcpu_x86_64_map(struct pcpu_x86_64_mmu *mmu, uint64_t va, uint64_t phys, uint64_t flags)
{
	struct new_table fresh[MAX_LEVELS];
	unsigned nfresh = 0, level, idx;
	uint64_t table, e;
	int err;

	if (!mmu)
		return PCPU_ERR_INVAL;
	err = check_map_args(mmu, va, phys, flags);
	if (err)
		return err;

	table = mmu->root;
	for (level = mmu->levels; level > 1; level--) {
		idx = level_index(va, level);
		/* Below a fresh table every entry is zero: nothing to read. */
		e = nfresh ? 0 : entry_read(mmu, table, idx);
		if (e & PCPU_X86_64_PTE_P) {
			if (e & PCPU_X86_64_PTE_PS) /* nothing allocated yet: no rollback */
				return level_has_large_pages(level) ? PCPU_ERR_MAPPED : PCPU_ERR_INVAL;
			table = e & PCPU_X86_64_ADDR_MASK;
			continue;
		}
		err = table_alloc(mmu, &fresh[nfresh].phys);
		if (err)
			goto rollback;
		fresh[nfresh].parent = table;
		fresh[nfresh].idx = idx;
		table = fresh[nfresh++].phys;
	}
	idx = level_index(va, 1);
	if (!nfresh && (entry_read(mmu, table, idx) & PCPU_X86_64_PTE_P))
		return PCPU_ERR_MAPPED;

	/* Fill the leaf, then link the fresh tables bottom up, so a walker
	 * (another CPU's MMU) never sees a linked table that lacks the entry. */
	entry_write(mmu, table, idx, phys | flags | PCPU_X86_64_PTE_P);
	while (nfresh--) {
		entry_write(mmu, fresh[nfresh].parent, fresh[nfresh].idx, fresh[nfresh].phys | DIR_FLAGS);
		count_table(mmu);
	}
	mmu->mapped_pages++;
	return PCPU_OK;

rollback:
	/* Latest first: a bump allocator can take back only its latest page. */
	while (nfresh--)
		table_free(mmu, fresh[nfresh].phys);
	return err;
}

/* Where the entry that maps `va` lives: its table, index and level (1 for a
 * 4 KiB page, 2 or 3 for a large page).  *dir_flags gathers the directory
 * levels' permissions above it: RW and US as ANDed, NX as ORed by the MMU.
 * PCPU_ERR_NOTMAPPED when a level is missing, PCPU_ERR_INVAL for a PS bit
 * where the architecture reserves it. */
static int walk(const struct pcpu_x86_64_mmu *mmu, uint64_t va, uint64_t *table, unsigned *idx,
		unsigned *level_out, uint64_t *dir_flags)
{
	uint64_t t = mmu->root, e;
	uint64_t perm = PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_US;
	unsigned level;

	for (level = mmu->levels; level > 1; level--) {
		e = entry_read(mmu, t, level_index(va, level));
		if (!(e & PCPU_X86_64_PTE_P))
			return PCPU_ERR_NOTMAPPED;
		if (e & PCPU_X86_64_PTE_PS) {
			if (!level_has_large_pages(level))
				return PCPU_ERR_INVAL;
			break;
		}
		perm &= e | PCPU_X86_64_PTE_NX;
		perm |= e & PCPU_X86_64_PTE_NX;
		t = e & PCPU_X86_64_ADDR_MASK;
	}
	*table = t;
	*idx = level_index(va, level);
	*level_out = level;
	*dir_flags = perm;
	return PCPU_OK;
}

int pcpu_x86_64_translate(const struct pcpu_x86_64_mmu *mmu, uint64_t va, uint64_t *phys_out,
			  uint64_t *flags_out)
{
	uint64_t table, dir_flags, e, offset_mask, flags;
	unsigned idx, level;
	int err;

	if (!mmu || check_va(mmu, va))
		return PCPU_ERR_INVAL;
	err = walk(mmu, va, &table, &idx, &level, &dir_flags);
	if (err)
		return err;
	e = entry_read(mmu, table, idx);
	if (!(e & PCPU_X86_64_PTE_P))
		return PCPU_ERR_NOTMAPPED;
	/* 4 KiB, 2 MiB or 1 GiB: the offset is every bit below the level's
	 * index (in a large page that includes bit 12, PAT, not an address). */
	offset_mask = (1ull << level_shift(level)) - 1u;
	flags = e & ~PCPU_X86_64_ADDR_MASK;
	flags &= ~(PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_US) | dir_flags;
	flags |= dir_flags & PCPU_X86_64_PTE_NX;
	if (phys_out)
		*phys_out = (e & PCPU_X86_64_ADDR_MASK & ~offset_mask) | (va & offset_mask);
	if (flags_out)
		*flags_out = flags;
	return PCPU_OK;
}

int pcpu_x86_64_unmap(struct pcpu_x86_64_mmu *mmu, uint64_t va, uint64_t *phys_out)
{
	uint64_t table, dir_flags, e;
	unsigned idx, level;
	int err;

	if (!mmu || check_va(mmu, va) || (va & PT_PAGE_MASK))
		return PCPU_ERR_INVAL;
	err = walk(mmu, va, &table, &idx, &level, &dir_flags);
	if (err)
		return err;
	if (level != 1)
		return PCPU_ERR_INVAL; /* not ours: the window is mapped in 4 KiB pages */
	e = entry_read(mmu, table, idx);
	if (!(e & PCPU_X86_64_PTE_P))
		return PCPU_ERR_NOTMAPPED;
	/* The table stays, even if now empty: see docs/arch-x86_64.md. */
	entry_write(mmu, table, idx, 0);
	if (mmu->mapped_pages)
		mmu->mapped_pages--;
	if (phys_out)
		*phys_out = e & PCPU_X86_64_ADDR_MASK;
	return PCPU_OK;
}
