/* loader_reloc.h: what the module loader (loader.c) asks of one
 * architecture's relocation code, loader_reloc_<arch>.c: the relocation
 * types its modules use (the rest of the loader is the same for both). */
#ifndef DEMO_LOADER_RELOC_H
#define DEMO_LOADER_RELOC_H

#include <stdbool.h>
#include <stdint.h>

/* The bytes relocation `type` patches: 0 for the no-op type, -1 for a
 * type the loader does not support. */
int loader_reloc_size(uint32_t type);
/* Patch `where` (loader_reloc_size(type) bytes) for symbol value S, the
 * explicit addend A (RELA; REL types take theirs from `where`) and place
 * P; `in_image` is false for per-CPU data, where no place is meaningful.
 * NULL, or why it cannot be done (nothing written then). */
const char *loader_reloc_apply(uint32_t type, uint8_t *where, uint64_t S, int64_t A, uint64_t P,
			       bool in_image);
/* The supported types, for the refusal message. */
extern const char loader_reloc_supported[];

#endif
