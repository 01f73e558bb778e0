/* loader.h: the demo's ELF relocatable module loader. */
#ifndef DEMO_LOADER_H
#define DEMO_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "module.h"

struct pcpu_runtime;

struct loaded_module {
	char name[48];
	uint32_t image;          /* physical address of the module's pages */
	uintptr_t image_va;      /* where they are reached and run (i386: = image) */
	size_t image_pages;
	uintptr_t percpu_addr;   /* CPU 0's copy of the module's per-CPU area (0: none) */
	size_t percpu_init;      /* bytes copied from the template (.data.percpu) */
	size_t percpu_zero;      /* zero bytes after it (.bss.percpu and padding) */
	size_t percpu_align;
	const void *percpu_template;
	const struct demo_module *desc;
	unsigned relocs;         /* relocations applied */
	unsigned percpu_relocs;  /* of which against per-CPU symbols */
	unsigned kernel_syms;    /* undefined symbols resolved against the kernel */
	int stride_shift;        /* from .note.percpu; -1 when the module has none */
};

/* module_load flags. */
/* Accept a module without module.lds's .percpu.module record (nothing then
 * tells which stride it was linked for, or whether its per-CPU sections
 * were renamed): for a kernel that loads objects of its own making, and
 * the tests.  The demo sets it only where a module's command line says
 * allow=unstamped. */
#define MODULE_LOAD_UNSTAMPED 1u

/* Load the ELF relocatable `file` (size bytes, 4-byte aligned).  0 on
 * success; otherwise a runtime error code (PCPU_ERR_*) or -1 for a
 * malformed or unsupported object, with the reason in err (nothing is left
 * allocated or mapped). */
int module_load(struct pcpu_runtime *rt, const void *file, size_t size, const char *name,
		unsigned flags, struct loaded_module *m, char *err, size_t errlen);
/* Call the module's exit hook, free its per-CPU area and its pages. */
int module_unload(struct pcpu_runtime *rt, struct loaded_module *m);
/* Supplied by the loader's user: run a loaded module's exit hook (the
 * kernel calls desc->exit; the hosted tests, which cannot run i386 code,
 * do not). */
void loader_module_exit(const struct loaded_module *m);

#endif
