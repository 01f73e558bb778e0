/* paging.h: the demo kernel's page tables.  Built with DEMO_PAE for the
 * PAE (3-level, 64-bit entries, NX) kernel, else 2-level 32-bit entries.
 * Low RAM and the local/IO APIC are identity mapped with large pages; the
 * per-CPU window is mapped 4 KiB page by page as the runtime asks. */
#ifndef DEMO_PAGING_H
#define DEMO_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_US  0x004ull
#define PTE_PWT 0x008ull
#define PTE_PCD 0x010ull
#define PTE_PS  0x080ull
#define PTE_NX  (1ull << 63)

#if defined(__x86_64__)
#define PAGING_MODE_NAME "4-level"
#elif defined(DEMO_PAE)
#define PAGING_MODE_NAME "PAE"
#else
#define PAGING_MODE_NAME "2-level"
#endif

/* Build the identity map and turn paging on (boot CPU).  On x86-64 paging
 * is on from boot.S; this marks the APIC pages uncached. */
void paging_init(uint32_t ram_top);
/* What an AP loads before it sets CR0.PG (the trampoline does that). */
uint32_t paging_cr3(void);
uint32_t paging_cr4(void);
bool paging_nx_enabled(void);

/* Map one user-accessible 4 KiB page (U/S set at every level) outside the
 * identity map, for the ring-3 probe.  0, or -1 when out of memory or `va`
 * is in a large page. */
int paging_map_user(uintptr_t va, uint32_t phys);

/* The leaf entry mapping `va` (a 4 KiB PTE, or a large-page PDE), or 0. */
uint64_t paging_lookup(uintptr_t va);
/* Present 4 KiB pages in [va, va + len), counted by walking the tables. */
unsigned paging_count_mapped(uintptr_t va, uint32_t len);

#endif
