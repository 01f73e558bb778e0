/* multiboot.h: the parts of the Multiboot 1 specification the demo kernel
 * uses (boot information, memory size, modules).  qemu's -kernel loader
 * implements Multiboot 1 for ELF kernels. */
#ifndef DEMO_MULTIBOOT_H
#define DEMO_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* Header flags: page-align modules, give memory information. */
#define MULTIBOOT_PAGE_ALIGN (1u << 0)
#define MULTIBOOT_MEMORY_INFO (1u << 1)

/* multiboot_info.flags bits */
#define MBI_MEM     (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS    (1u << 3)
#define MBI_MMAP    (1u << 6)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB, KiB above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	/* further fields unused */
};

struct multiboot_module {
	uint32_t mod_start, mod_end; /* physical [start, end) */
	uint32_t string;             /* the module's command line */
	uint32_t reserved;
};

#endif
