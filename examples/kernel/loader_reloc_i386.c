/* loader_reloc_i386.c: the relocations of i386 modules (REL: the addend
 * is the 32-bit word in place): R_386_32 (S + A) and R_386_PC32
 * (S + A - P, in the image only).  What a -fno-pic i386 object needs. */
#include "elf32.h"
#include "kernel.h"
#include "loader_reloc.h"

const char loader_reloc_supported[] = "only R_386_32 and R_386_PC32; build with -fno-pic";

int loader_reloc_size(uint32_t type)
{
	switch (type) {
	case R_386_NONE:
		return 0;
	case R_386_32:
	case R_386_PC32:
		return 4;
	default:
		return -1;
	}
}

const char *loader_reloc_apply(uint32_t type, uint8_t *where, uint64_t S, int64_t A_rela,
			       uint64_t P, bool in_image)
{
	uint32_t A;
	(void)A_rela;
	memcpy(&A, where, 4);
	if (type == R_386_32) {
		A += (uint32_t)S;
	} else {
		if (!in_image)
			return "PC-relative relocation in per-CPU data";
		A += (uint32_t)S - (uint32_t)P;
	}
	memcpy(where, &A, 4);
	return NULL;
}
