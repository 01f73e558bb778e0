/* x86_64/percpu_setup.c: how the x86-64 demo kernel adopts percpu-vm, in
 * the order of ../percpu_setup.c (the i386 kernel's; docs/porting.md):
 *
 *  1. paging is on (boot.S); the per-CPU window (PERCPU_X86_64_BASE,
 *     NR_CPUS << SHIFT bytes, the top GiB) is unmapped;
 *  2. an x86-64 mmu over the kernel's PML4 (4 levels), with the shared
 *     boot-time page-table allocator over a few pages set aside now;
 *  3. the runtime, with the hooks of runtime/arch/x86_64 (pages from the
 *     kernel's page allocator, TLB flush = local invlpg + shootdown IPI);
 *  4. the static area: the image's .data.percpu template copied and
 *     .bss.percpu zeroed, on CPU 0; __per_cpu_offset filled;
 *  5. page tables from now on from the normal page allocator;
 *  6. each AP: pcpu_cpu_online() maps its copy, pcpu_x86_64_init_cpu()
 *     sets its identity variables; the AP itself then sets its GS base
 *     (gdt_load() in x86_64/gdt.c). */
#include <percpu-vm/percpu.h>
#include <percpu-vm/pt_alloc.h>
#include <percpu-vm/runtime.h>
#include <percpu-vm/x86_64_pgtable.h>

#include "gdt.h"
#include "io.h"
#include "kernel.h"
#include "paging.h"
#include "percpu_hooks.h"
#include "percpu_setup.h"
#include "pmem.h"

#define BOOTMEM_PAGES 8
#define MAX_AREAS 256

struct pcpu_runtime *demo_rt;
static struct pcpu_runtime_storage rt_storage;
static struct pcpu_x86_64_mmu mmu;
static struct pcpu_bootmem bootmem;
static struct pcpu_x86_64_backend backend;
static struct pcpu_arch_ops ops;

static void *identity(void *ctx, uint64_t phys)
{
	(void)ctx;
	return phys_to_ptr((uintptr_t)phys);
}

static void local_invlpg(void *ctx, uint64_t va)
{
	(void)ctx;
	invlpg((uintptr_t)va);
}

void percpu_boot(void)
{
	int rc;
	struct pcpu_pt_alloc boot_alloc,
		normal_alloc = { NULL, percpu_hook_pt_alloc, percpu_hook_pt_free };

	uint32_t bm = pmem_alloc_pages(BOOTMEM_PAGES);
	if (!bm || pcpu_bootmem_init(&bootmem, bm, bm + BOOTMEM_PAGES * PAGE_SIZE))
		panic("percpu: no memory for the boot-time page-table allocator");
	pcpu_bootmem_alloc_ops(&bootmem, &boot_alloc);
	if (!paging_nx_enabled())
		panic("percpu: EFER.NXE is off (a CPU without NX): the runtime maps per-CPU "
		      "pages NX, which needs it (docs/arch-x86_64.md)");
	rc = pcpu_x86_64_mmu_init(&mmu, 4, paging_cr3(), identity, NULL, &boot_alloc);
	if (rc)
		panic("percpu: pcpu_x86_64_mmu_init: %s", pcpu_strerror(rc));

	backend.mmu = &mmu;
	backend.ctx = NULL;
	backend.page_alloc = percpu_hook_data_alloc;
	backend.page_free = percpu_hook_data_free;
	backend.invlpg = local_invlpg;
	backend.flush_all = percpu_hook_flush_all;
	backend.lock = percpu_hook_lock;
	backend.unlock = percpu_hook_unlock;
	rc = pcpu_x86_64_backend_ops(&backend, &ops);
	if (rc)
		panic("percpu: pcpu_x86_64_backend_ops: %s", pcpu_strerror(rc));
	percpu_hooks_add_shootdown(&ops);

	size_t meta_size = pcpu_runtime_meta_size(PERCPU_SHIFT, PERCPU_NR_CPUS, MAX_AREAS);
	uint32_t meta = pmem_alloc_pages(ALIGN_UP(meta_size, PAGE_SIZE) / PAGE_SIZE);
	if (!meta)
		panic("percpu: no memory for the runtime's %zu bytes of bookkeeping", meta_size);
	struct pcpu_params p = {
		.base = DEMO_PERCPU_BASE,
		.shift = PERCPU_SHIFT,
		.nr_cpus = PERCPU_NR_CPUS,
		.max_areas = MAX_AREAS,
		.meta = phys_to_ptr(meta),
		.meta_size = meta_size,
		.ops = &ops,
	};
	rc = pcpu_runtime_init(&rt_storage, &p, &demo_rt);
	if (rc)
		panic("percpu: pcpu_runtime_init: %s", pcpu_strerror(rc));
	kprintf("percpu: runtime bookkeeping %zu bytes (%u possible CPUs, shift %u, %u areas)\n",
		meta_size, (unsigned)PERCPU_NR_CPUS, (unsigned)PERCPU_SHIFT, (unsigned)MAX_AREAS);

	size_t init_size = percpu_static_init_size();
	size_t zero_size = percpu_static_zero_size();
	if ((uintptr_t)__per_cpu_start != DEMO_PERCPU_BASE)
		panic("percpu: the image's per-CPU section is linked at %p, not PERCPU_X86_64_BASE "
		      "0x%lx", (void *)__per_cpu_start, DEMO_PERCPU_BASE);
	rc = pcpu_static_init(demo_rt, __per_cpu_load, init_size, zero_size);
	if (rc)
		panic("percpu: pcpu_static_init(%zu + %zu bytes): %s", init_size, zero_size,
		      pcpu_strerror(rc));
	pcpu_fill_offsets(demo_rt, __per_cpu_offset, NR_CPUS);
	pcpu_api_set_runtime(demo_rt);

	rc = pcpu_x86_64_mmu_use_normal_alloc(&mmu, &normal_alloc);
	if (rc)
		panic("percpu: pcpu_x86_64_mmu_use_normal_alloc: %s", pcpu_strerror(rc));

	pcpu_x86_64_init_cpu(0);
	set_cpu_possible(0, true);
	gdt_load(0); /* GS base = __per_cpu_offset[0] */
}

int percpu_prepare_cpu(unsigned cpu)
{
	int rc = pcpu_cpu_online(demo_rt, cpu);
	if (rc) {
		kprintf("percpu: pcpu_cpu_online(%u): %s\n", cpu, pcpu_strerror(rc));
		return rc;
	}
	pcpu_x86_64_init_cpu(cpu);
	set_cpu_possible(cpu, true); /* it has a copy now: for_each_possible_cpu() */
	return 0;
}

void percpu_pt_pages(size_t *boot, size_t *normal)
{
	*boot = mmu.pt_pages_boot;
	*normal = mmu.pt_pages_normal;
}

const struct pcpu_x86_64_mmu *percpu_mmu(void) { return &mmu; }

bool percpu_page_flags(uintptr_t va, struct demo_page_flags *f)
{
	uint64_t flags;
	if (pcpu_x86_64_translate(&mmu, va, NULL, &flags))
		return false;
	f->writable = flags & PCPU_X86_64_PTE_RW;
	f->user = flags & PCPU_X86_64_PTE_US;
	f->nx = flags & PCPU_X86_64_PTE_NX;
	return true;
}
