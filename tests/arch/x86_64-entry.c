/* tests/arch/x86_64-entry.c: calls to the x86-64 page tables and backend,
 * linked beside tests/runtime/freestanding-entry.c into a -nostdlib image in
 * the top 2 GiB by tests/arch/x86_64-archive.sh, so the archive members they
 * need are pulled in and their -mcmodel=kernel relocations resolved.
 * Linked, never run. */
#include <percpu-vm/x86_64_pgtable.h>

static struct pcpu_bootmem bm;
static struct pcpu_x86_64_mmu mmu;
static struct pcpu_x86_64_backend be;
static struct pcpu_arch_ops ops;
static unsigned char tables[1 << 16];

static void *phys_to_virt(void *ctx, uint64_t phys)
{
	return (unsigned char *)ctx + phys;
}

void x86_64_entry(void);
void x86_64_entry(void)
{
	struct pcpu_pt_alloc boot;
	uint64_t phys;

	pcpu_bootmem_init(&bm, 0x2000, 0x10000);
	pcpu_bootmem_alloc_ops(&bm, &boot);
	pcpu_x86_64_mmu_init(&mmu, 4, 0x1000, phys_to_virt, tables, &boot);
	pcpu_x86_64_mmu_use_normal_alloc(&mmu, &boot);
	pcpu_x86_64_map(&mmu, 0xffffffffc0000000ull, 0x3000, pcpu_x86_64_percpu_flags(&mmu));
	pcpu_x86_64_translate(&mmu, 0xffffffffc0000000ull, &phys, 0);
	pcpu_x86_64_unmap(&mmu, 0xffffffffc0000000ull, &phys);
	pcpu_x86_64_backend_ops(&be, &ops);
}
