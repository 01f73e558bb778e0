/* runtime/arch/i386/pgtable.c: map, unmap and translate 4 KiB pages in i386
 * 2-level and PAE page tables.
 *
 * All table memory is reached through mmu->phys_to_virt, so this runs on the
 * real MMU's tables in a kernel and on a simulated physical memory in tests.
 * Entries are always accessed as volatile 32-bit words: a PAE entry is two
 * of them, and an i386 CPU cannot store 64 bits at once, so the halves are
 * written in the order that never exposes a present entry with a stale
 * half (set: high then low, the low word holding P; clear: low then high).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/i386_pgtable.h>

#define PT_PAGE_SIZE 4096u
#define PT_PAGE_MASK 0xfffull

/* Directory entries pointing at a lower table: present and writable; U/S
 * and NX are left to the leaf (effective U/S is the AND of all levels, NX
 * the OR, so the leaf alone decides for per-CPU pages). */
#define DIR_FLAGS (PCPU_I386_PTE_P | PCPU_I386_PTE_RW)
/* PAE PDPT entries: only P (bits 1, 2 and 5..8 are reserved there). */
#define PDPTE_FLAGS PCPU_I386_PTE_P

#define LEAF_FLAGS_ALLOWED (PCPU_I386_PTE_P | PCPU_I386_PTE_RW | PCPU_I386_PTE_US | \
			    PCPU_I386_PTE_PWT | PCPU_I386_PTE_PCD | PCPU_I386_PTE_G | \
			    PCPU_I386_PTE_NX)

static bool is_pae(const struct pcpu_i386_mmu *mmu)
{
	return mmu->mode == PCPU_I386_PAGING_PAE;
}

static uint64_t addr_mask(const struct pcpu_i386_mmu *mmu)
{
	return is_pae(mmu) ? PCPU_I386_ADDR_MASK_PAE : PCPU_I386_ADDR_MASK_32;
}

static volatile uint32_t *table_words(const struct pcpu_i386_mmu *mmu, uint64_t table_phys)
{
	return (volatile uint32_t *)mmu->phys_to_virt(mmu->conv_ctx, table_phys);
}

static uint64_t entry_read(const struct pcpu_i386_mmu *mmu, uint64_t table, unsigned idx)
{
	volatile uint32_t *w = table_words(mmu, table);

	if (!is_pae(mmu))
		return w[idx];
	return (uint64_t)w[2 * idx] | ((uint64_t)w[2 * idx + 1] << 32);
}

static void entry_write(const struct pcpu_i386_mmu *mmu, uint64_t table, unsigned idx,
			uint64_t val)
{
	volatile uint32_t *w = table_words(mmu, table);

	if (!is_pae(mmu)) {
		w[idx] = (uint32_t)val;
		return;
	}
	if (val & PCPU_I386_PTE_P) {
		w[2 * idx + 1] = (uint32_t)(val >> 32);
		w[2 * idx] = (uint32_t)val;
	} else {
		w[2 * idx] = (uint32_t)val;
		w[2 * idx + 1] = (uint32_t)(val >> 32);
	}
}

static void page_zero(const struct pcpu_i386_mmu *mmu, uint64_t phys)
{
	/* volatile: no memset call may be synthesised in freestanding code. */
	volatile uint32_t *w = table_words(mmu, phys);

	for (unsigned i = 0; i < PT_PAGE_SIZE / 4; i++)
		w[i] = 0;
}

int pcpu_i386_mmu_init(struct pcpu_i386_mmu *mmu, enum pcpu_i386_paging mode, uint64_t root,
		       bool nx, void *(*phys_to_virt)(void *ctx, uint64_t phys), void *conv_ctx,
		       const struct pcpu_i386_pt_alloc *boot)
{
	if (!mmu || !phys_to_virt || !boot || !boot->alloc)
		return PCPU_ERR_INVAL;
	if (mode != PCPU_I386_PAGING_2LEVEL && mode != PCPU_I386_PAGING_PAE)
		return PCPU_ERR_INVAL;
	if (mode == PCPU_I386_PAGING_2LEVEL && (nx || (root & PT_PAGE_MASK)))
		return PCPU_ERR_INVAL; /* no NX bit without PAE; PD page aligned */
	/* CR3 holds a 32-bit address; under PAE it points at a 32-byte PDPT. */
	if (root > 0xffffffffull || (mode == PCPU_I386_PAGING_PAE && (root & 31)))
		return PCPU_ERR_INVAL;

	mmu->mode = mode;
	mmu->root = root;
	mmu->nx = nx;
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

int pcpu_i386_mmu_use_normal_alloc(struct pcpu_i386_mmu *mmu, const struct pcpu_i386_pt_alloc *normal)
{
	if (!mmu || !normal || !normal->alloc)
		return PCPU_ERR_INVAL;
	mmu->normal = *normal;
	mmu->use_normal = true;
	return PCPU_OK;
}

uint64_t pcpu_i386_percpu_flags(const struct pcpu_i386_mmu *mmu)
{
	uint64_t f = PCPU_I386_PTE_P | PCPU_I386_PTE_RW;

	if (is_pae(mmu) && mmu->nx)
		f |= PCPU_I386_PTE_NX;
	if (mmu->global)
		f |= PCPU_I386_PTE_G;
	return f;
}

static const struct pcpu_i386_pt_alloc *current_alloc(const struct pcpu_i386_mmu *mmu)
{
	return mmu->use_normal ? &mmu->normal : &mmu->boot;
}

/* A fresh, zeroed table page from the current allocator. */
static int table_alloc(struct pcpu_i386_mmu *mmu, uint64_t *phys)
{
	int err = pcpu_pt_alloc_table(current_alloc(mmu), addr_mask(mmu), phys);

	if (err == PCPU_OK)
		page_zero(mmu, *phys);
	return err;
}

static void table_free(struct pcpu_i386_mmu *mmu, uint64_t phys)
{
	const struct pcpu_i386_pt_alloc *a = current_alloc(mmu);

	if (a->free)
		a->free(a->ctx, phys);
}

static void count_table(struct pcpu_i386_mmu *mmu)
{
	if (mmu->use_normal)
		mmu->pt_pages_normal++;
	else
		mmu->pt_pages_boot++;
}

static int check_map_args(const struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t phys,
			  uint64_t flags)
{
	if (va & PT_PAGE_MASK)
		return PCPU_ERR_INVAL;
	if ((phys & PT_PAGE_MASK) || (phys & ~addr_mask(mmu)))
		return PCPU_ERR_INVAL;
	if (flags & ~LEAF_FLAGS_ALLOWED)
		return PCPU_ERR_INVAL;
	if ((flags & PCPU_I386_PTE_NX) && !(is_pae(mmu) && mmu->nx))
		return PCPU_ERR_INVAL;
	return PCPU_OK;
}

static int map_2level(struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t leaf)
{
	unsigned pdi = va >> 22, pti = (va >> 12) & 0x3ff;
	uint64_t pde = entry_read(mmu, mmu->root, pdi), pt;
	bool new_pt = false;
	int err;

	if (pde & PCPU_I386_PTE_P) {
		if (pde & PCPU_I386_PTE_PS)
			return PCPU_ERR_MAPPED; /* inside a 4 MiB page */
		pt = pde & PCPU_I386_ADDR_MASK_32;
		if (entry_read(mmu, pt, pti) & PCPU_I386_PTE_P)
			return PCPU_ERR_MAPPED;
	} else {
		err = table_alloc(mmu, &pt);
		if (err)
			return err;
		new_pt = true;
	}
	/* Fill the table before linking it, so a walker never sees a linked
	 * table without the entry. */
	entry_write(mmu, pt, pti, leaf);
	if (new_pt) {
		entry_write(mmu, mmu->root, pdi, pt | DIR_FLAGS);
		count_table(mmu);
	}
	return PCPU_OK;
}

static int map_pae(struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t leaf)
{
	unsigned pdpti = va >> 30, pdi = (va >> 21) & 0x1ff, pti = (va >> 12) & 0x1ff;
	uint64_t pdpte = entry_read(mmu, mmu->root, pdpti), pd, pt, pde = 0;
	bool new_pd = false, new_pt = false;
	int err;

	if (pdpte & PCPU_I386_PTE_P) {
		pd = pdpte & PCPU_I386_ADDR_MASK_PAE;
		pde = entry_read(mmu, pd, pdi);
	} else {
		err = table_alloc(mmu, &pd);
		if (err)
			return err;
		new_pd = true;
	}
	if (pde & PCPU_I386_PTE_P) {
		if (pde & PCPU_I386_PTE_PS)
			return PCPU_ERR_MAPPED; /* inside a 2 MiB page */
		pt = pde & PCPU_I386_ADDR_MASK_PAE;
		if (entry_read(mmu, pt, pti) & PCPU_I386_PTE_P)
			return PCPU_ERR_MAPPED;
	} else {
		err = table_alloc(mmu, &pt);
		if (err) {
			if (new_pd)
				table_free(mmu, pd); /* latest first: bump allocators can undo it */
			return err;
		}
		new_pt = true;
	}
	entry_write(mmu, pt, pti, leaf);
	if (new_pt) {
		entry_write(mmu, pd, pdi, pt | DIR_FLAGS);
		count_table(mmu);
	}
	if (new_pd) {
		/* A real CPU caches PDPTEs at CR3 load: a kernel that lets this
		 * happen after paging is on must reload CR3 (better: fill all
		 * four PDPT slots at boot, as the demo kernel does). */
		entry_write(mmu, mmu->root, pdpti, pd | PDPTE_FLAGS);
		count_table(mmu);
	}
	return PCPU_OK;
}

int pcpu_i386_map(struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t phys, uint64_t flags)
{
	int err;

	if (!mmu)
		return PCPU_ERR_INVAL;
	err = check_map_args(mmu, va, phys, flags);
	if (err)
		return err;
	flags |= PCPU_I386_PTE_P;
	err = is_pae(mmu) ? map_pae(mmu, va, phys | flags) : map_2level(mmu, va, phys | flags);
	if (err == PCPU_OK)
		mmu->mapped_pages++;
	return err;
}

/* Where the leaf entry for `va` lives: its table and index.  Returns
 * PCPU_ERR_NOTMAPPED when a level is missing; *large set (and the table
 * being the directory) when a PS directory entry maps `va`.  *dir_flags
 * gathers the directory levels' permission bits: RW and US as ANDed, NX as
 * ORed by the MMU. */
static int walk(const struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t *table, unsigned *idx,
		bool *large, uint64_t *dir_flags)
{
	uint64_t dir = mmu->root, e;
	uint64_t perm = PCPU_I386_PTE_RW | PCPU_I386_PTE_US;
	unsigned pdi;

	*large = false;
	if (is_pae(mmu)) {
		e = entry_read(mmu, mmu->root, va >> 30);
		if (!(e & PCPU_I386_PTE_P))
			return PCPU_ERR_NOTMAPPED;
		dir = e & PCPU_I386_ADDR_MASK_PAE; /* PDPTEs carry no RW/US/NX */
		pdi = (va >> 21) & 0x1ff;
	} else {
		pdi = va >> 22;
	}
	e = entry_read(mmu, dir, pdi);
	if (!(e & PCPU_I386_PTE_P))
		return PCPU_ERR_NOTMAPPED;
	if (e & PCPU_I386_PTE_PS) {
		*large = true;
		*table = dir;
		*idx = pdi;
		*dir_flags = perm;
		return PCPU_OK;
	}
	perm &= e | PCPU_I386_PTE_NX;
	perm |= e & PCPU_I386_PTE_NX;
	*dir_flags = perm;
	*table = e & addr_mask(mmu);
	*idx = is_pae(mmu) ? (va >> 12) & 0x1ff : (va >> 12) & 0x3ff;
	return PCPU_OK;
}

int pcpu_i386_translate(const struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t *phys_out,
			uint64_t *flags_out)
{
	uint64_t table, dir_flags, e, phys, flags, frame_mask, offset_mask;
	unsigned idx;
	bool large;
	int err;

	if (!mmu)
		return PCPU_ERR_INVAL;
	err = walk(mmu, va, &table, &idx, &large, &dir_flags);
	if (err)
		return err;
	e = entry_read(mmu, table, idx);
	if (!(e & PCPU_I386_PTE_P))
		return PCPU_ERR_NOTMAPPED;
	if (large) { /* 4 MiB (2-level, PSE-36 bits ignored) or 2 MiB (PAE) */
		offset_mask = is_pae(mmu) ? 0x1fffffull : 0x3fffffull;
		frame_mask = addr_mask(mmu) & ~offset_mask;
	} else {
		offset_mask = PT_PAGE_MASK;
		frame_mask = addr_mask(mmu);
	}
	phys = (e & frame_mask) | (va & offset_mask);
	flags = e & ~addr_mask(mmu);
	if (!is_pae(mmu))
		flags &= 0xfffu;
	/* Effective permissions: a directory without RW or US takes them away,
	 * a directory with NX adds it. */
	flags &= ~(PCPU_I386_PTE_RW | PCPU_I386_PTE_US) | dir_flags;
	flags |= dir_flags & PCPU_I386_PTE_NX;
	if (phys_out)
		*phys_out = phys;
	if (flags_out)
		*flags_out = flags;
	return PCPU_OK;
}

int pcpu_i386_unmap(struct pcpu_i386_mmu *mmu, uint32_t va, uint64_t *phys_out)
{
	uint64_t table, dir_flags, e;
	unsigned idx;
	bool large;
	int err;

	if (!mmu || (va & PT_PAGE_MASK))
		return PCPU_ERR_INVAL;
	err = walk(mmu, va, &table, &idx, &large, &dir_flags);
	if (err)
		return err;
	if (large)
		return PCPU_ERR_INVAL; /* not ours: the window is mapped in 4 KiB pages */
	e = entry_read(mmu, table, idx);
	if (!(e & PCPU_I386_PTE_P))
		return PCPU_ERR_NOTMAPPED;
	/* The table stays, even if now empty: see docs/arch-i386.md. */
	entry_write(mmu, table, idx, 0);
	if (mmu->mapped_pages)
		mmu->mapped_pages--;
	if (phys_out)
		*phys_out = e & addr_mask(mmu);
	return PCPU_OK;
}
