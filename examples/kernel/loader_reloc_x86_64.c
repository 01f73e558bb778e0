/* loader_reloc_x86_64.c: the relocations of x86-64 modules built
 * -mcmodel=kernel -fno-pic (RELA: explicit addends): R_X86_64_64 (S + A,
 * 8 bytes: pointers in data), R_X86_64_PC32 and R_X86_64_PLT32 (S + A - P,
 * 4 bytes, calls and RIP-relative operands; with no PLT, a PLT32 is a
 * PC32) and R_X86_64_32S (S + A as a sign-extended 32-bit operand, the
 * kernel code model's absolute addresses).  The 32-bit ones must fit, or
 * the module is refused: that is why the module's pages are reached in the
 * top 2 GiB with the kernel and the window (x86_64/boot.S). */
#include "elf64.h"
#include "kernel.h"
#include "loader_reloc.h"

const char loader_reloc_supported[] =
	"only R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32 and R_X86_64_32S; "
	"build with -mcmodel=kernel -fno-pic";

int loader_reloc_size(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32S:
		return 4;
	default:
		return -1;
	}
}

static bool fits_s32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

const char *loader_reloc_apply(uint32_t type, uint8_t *where, uint64_t S, int64_t A, uint64_t P,
			       bool in_image)
{
	if (type == R_X86_64_64) {
		uint64_t v = S + (uint64_t)A;
		memcpy(where, &v, 8);
		return NULL;
	}
	int64_t v;
	if (type == R_X86_64_32S) {
		v = (int64_t)(S + (uint64_t)A);
		if (!fits_s32(v))
			return "R_X86_64_32S value does not fit a sign-extended 32 bits "
			       "(the symbol is outside the top 2 GiB)";
	} else {
		if (!in_image)
			return "PC-relative relocation in per-CPU data";
		v = (int64_t)(S + (uint64_t)A - P);
		if (!fits_s32(v))
			return "PC-relative displacement does not fit 32 bits";
	}
	int32_t w = (int32_t)v;
	memcpy(where, &w, 4);
	return NULL;
}
