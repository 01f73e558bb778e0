/* tests/loader/loader-host.h: the demo kernel's module loader
 * (examples/kernel/loader.c) run in a hosted x86-64 process.  The loader
 * relocates i386 modules with 32-bit relocations, so everything it places
 * is below 4 GiB: module pages are mmap'ed low (MAP_32BIT), each with a
 * PROT_NONE guard page after it, and the per-CPU window of the real
 * runtime (hosted backend) is reserved below 2 GiB, which is also where
 * AddressSanitizer leaves a program's low memory.  The loader's kernel
 * services (pmem.h, ksyms.h, ksnprintf, loader_module_exit) are supplied
 * here; module code is never run (it is i386 code). */
#ifndef PERCPU_VM_TESTS_LOADER_HOST_H
#define PERCPU_VM_TESTS_LOADER_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/runtime.h>

/* CPUs of the hosted window: two are enough to see CPU 1's copy, and keep
 * the window (2 << 28 bytes at most) below 2 GiB. */
#define LOADER_HOST_CPUS 2u
/* The kernel-like static area at offset 0 (the per-CPU exports live in it). */
#define LOADER_HOST_STATIC_INIT 32u
#define LOADER_HOST_STATIC_ZERO 8u

/* Set up the window, the runtime (both CPUs online, the static area
 * allocated) and the export table; 0, or -1 with a message on stderr. */
int loader_host_init(void);
void loader_host_fini(void);
struct pcpu_runtime *loader_host_rt(void);
uintptr_t loader_host_window_base(void);

/* What must be back at its start value after every load that failed and
 * every unload. */
struct loader_host_usage {
	size_t image_pages;      /* module pages mapped by pmem_alloc_pages */
	size_t used_bytes;       /* runtime: bytes in live areas */
	size_t live_areas;
	size_t mapped_pages;     /* runtime: pages mapped in the window */
	size_t data_pages;       /* hosted backend: "physical" pages handed out */
};
void loader_host_usage(struct loader_host_usage *u);
bool loader_host_same_usage(const struct loader_host_usage *a, const struct loader_host_usage *b);

/* The address the export table gives `name` (0 if it has none). */
uint32_t loader_host_ksym(const char *name);

#endif
