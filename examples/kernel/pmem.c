/* pmem.c: a bitmap page allocator over the RAM Multiboot reports above
 * 1 MiB.  Below 1 MiB is left alone (BIOS data, ACPI tables, the AP
 * trampoline).  A count of free pages lets the demo prove that everything
 * a module or an allocation took was given back. */
#include "kernel.h"
#include "multiboot.h"
#include "pmem.h"
#include "spinlock.h"

#define PMEM_MAX (512u << 20) /* the demo identity-maps at most this much */
_Static_assert(DEMO_WINDOW_MISSES(0, PMEM_MAX),
	       "the per-CPU window overlaps the identity map of the first 512 MiB (see configure.ac)");
#define NFRAMES (PMEM_MAX / PAGE_SIZE)

static uint32_t used_map[NFRAMES / 32]; /* 1 = not available */
static size_t nfree;
static uint32_t ram_top;
static size_t fail_after = (size_t)-1;
static struct spinlock pmem_lock = SPINLOCK_INIT;

/* Linker symbols: the image's first byte and the end of everything loaded. */
extern char __kernel_phys_start[], __kernel_phys_end[];

static bool frame_used(uint32_t f) { return used_map[f / 32] & (1u << (f % 32)); }
static void frame_set(uint32_t f) { used_map[f / 32] |= 1u << (f % 32); }
static void frame_clear(uint32_t f) { used_map[f / 32] &= ~(1u << (f % 32)); }

static void reserve(uint32_t start, uint32_t end)
{
	for (uint32_t f = start / PAGE_SIZE; f < ALIGN_UP(end, PAGE_SIZE) / PAGE_SIZE && f < NFRAMES; f++) {
		if (!frame_used(f)) {
			frame_set(f);
			nfree--;
		}
	}
}

struct mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

static void add_free(uint64_t start, uint64_t end)
{
	if (start < 0x100000u)
		start = 0x100000u;
	if (end > PMEM_MAX)
		end = PMEM_MAX;
	start = ALIGN_UP(start, PAGE_SIZE);
	end &= ~(uint64_t)(PAGE_SIZE - 1);
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		uint32_t f = (uint32_t)(a / PAGE_SIZE);
		if (frame_used(f)) {
			frame_clear(f);
			nfree++;
		}
	}
	if (end > ram_top)
		ram_top = (uint32_t)end;
}

void pmem_init(const struct multiboot_info *mbi)
{
	for (uint32_t f = 0; f < NFRAMES; f++)
		frame_set(f);
	nfree = 0;
	ram_top = 0;
	/* The BIOS memory map (E820) keeps the ACPI tables at the top of RAM
	 * out; mem_upper does not, so it is only the fallback. */
	if (mbi->flags & MBI_MMAP) {
		uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
		while (p < end) {
			const struct mmap_entry *e = (const void *)(uintptr_t)p;
			if (e->type == 1)
				add_free(e->addr, e->addr + e->len);
			p += e->size + 4;
		}
	} else if (mbi->flags & MBI_MEM) {
		add_free(0x100000u, 0x100000u + (uint64_t)mbi->mem_upper * 1024u);
	}
	reserve((uint32_t)(uintptr_t)__kernel_phys_start, (uint32_t)(uintptr_t)__kernel_phys_end);
	reserve((uint32_t)(uintptr_t)mbi, (uint32_t)(uintptr_t)mbi + sizeof(*mbi));
	if (mbi->flags & MBI_CMDLINE)
		reserve(mbi->cmdline, mbi->cmdline + (uint32_t)strlen((const char *)(uintptr_t)mbi->cmdline) + 1);
	if (mbi->flags & MBI_MODS) {
		const struct multiboot_module *m = (const void *)(uintptr_t)mbi->mods_addr;
		reserve(mbi->mods_addr, mbi->mods_addr + mbi->mods_count * (uint32_t)sizeof(*m));
		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			reserve(m[i].mod_start, m[i].mod_end);
			if (m[i].string)
				reserve(m[i].string, m[i].string + (uint32_t)strlen((const char *)(uintptr_t)m[i].string) + 1);
		}
	}
}

uint32_t pmem_alloc_pages(size_t n)
{
	uint32_t found = 0;
	spin_lock(&pmem_lock);
	if (fail_after != (size_t)-1) {
		if (fail_after == 0) {
			spin_unlock(&pmem_lock);
			return 0;
		}
		fail_after--;
	}
	size_t run = 0;
	for (uint32_t f = 0x100000u / PAGE_SIZE; f < ram_top / PAGE_SIZE; f++) {
		run = frame_used(f) ? 0 : run + 1;
		if (run == n) {
			uint32_t first = f + 1 - (uint32_t)n;
			for (uint32_t g = first; g <= f; g++)
				frame_set(g);
			nfree -= n;
			found = first * PAGE_SIZE;
			break;
		}
	}
	spin_unlock(&pmem_lock);
	if (found)
		memset((void *)(uintptr_t)found, 0, n * PAGE_SIZE);
	return found;
}

uint32_t pmem_alloc_page(void)
{
	return pmem_alloc_pages(1);
}

void pmem_free_pages(uint32_t phys, size_t n)
{
	spin_lock(&pmem_lock);
	for (uint32_t f = phys / PAGE_SIZE; f < phys / PAGE_SIZE + n; f++) {
		if (!frame_used(f) || f < 0x100000u / PAGE_SIZE || f >= ram_top / PAGE_SIZE)
			panic("pmem: freeing page 0x%08x that is not allocated", f * PAGE_SIZE);
		frame_clear(f);
		nfree++;
	}
	spin_unlock(&pmem_lock);
}

size_t pmem_free_count(void) { return nfree; }
uint32_t pmem_ram_top(void) { return ram_top; }
uint32_t pmem_map_top(void) { return PMEM_MAX; }
void pmem_fail_after(size_t n) { fail_after = n; }
