/* mem.h: the runtime's own byte copy and fill.
 *
 * The runtime is freestanding: a kernel that links it need not provide
 * memcpy/memset, and the hosted build uses the same code so both are tested
 * alike.  mem.c keeps GCC from turning these loops back into libc calls. */
#ifndef PERCPU_VM_RUNTIME_MEM_H
#define PERCPU_VM_RUNTIME_MEM_H

#include <stddef.h>

void pcpu_memcpy(void *dst, const void *src, size_t n);
/* Overlapping ranges allowed. */
void pcpu_memmove(void *dst, const void *src, size_t n);
void pcpu_memset(void *dst, int byte, size_t n);

#endif /* PERCPU_VM_RUNTIME_MEM_H */
