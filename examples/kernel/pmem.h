/* pmem.h: the physical page allocator (a bitmap over RAM, identity mapped,
 * so a page's physical address is also where the kernel writes it). */
#ifndef DEMO_PMEM_H
#define DEMO_PMEM_H

#include <stddef.h>
#include <stdint.h>

struct multiboot_info;

/* Take RAM from the boot information; keep the kernel image, the boot
 * information and the modules out of it. */
void pmem_init(const struct multiboot_info *mbi);
/* One zeroed page, or 0 when RAM is exhausted. */
uint32_t pmem_alloc_page(void);
/* n physically contiguous zeroed pages, or 0. */
uint32_t pmem_alloc_pages(size_t n);
void pmem_free_pages(uint32_t phys, size_t n);
static inline void pmem_free_page(uint32_t phys) { pmem_free_pages(phys, 1); }
size_t pmem_free_count(void);
/* The first address above RAM (what the identity map must cover). */
/* The end of usable RAM, and of what the identity map covers (RAM, the
 * ACPI tables above it and nonexistent memory alike). */
uint32_t pmem_ram_top(void);
uint32_t pmem_map_top(void);
/* Make the allocator fail after `n` more allocations (for the tests of
 * the runtime's roll-back); (size_t)-1 turns it off. */
void pmem_fail_after(size_t n);

#endif
