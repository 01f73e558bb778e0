/* elf_class.h: the ELF class the module loader (loader.c) reads, by the
 * kernel it is built into: ELF64 x86-64 objects with RELA relocations for
 * the x86-64 demo (DEMO_ELF64, set by its build), ELF32 i386 objects with
 * REL relocations otherwise (the i386 kernel, and the hosted loader tests,
 * which load the i386 sample modules).  Not __x86_64__: the hosted tests
 * are x86-64 programs reading i386 modules. */
#ifndef DEMO_ELF_CLASS_H
#define DEMO_ELF_CLASS_H

#ifdef DEMO_ELF64
#include "elf64.h"
typedef Elf64_Ehdr Elf_Ehdr;
typedef Elf64_Shdr Elf_Shdr;
typedef Elf64_Sym Elf_Sym;
typedef Elf64_Rela Elf_Rel;
#define ELF_CLASS_BYTE 2
#define ELF_CLASS_NAME "64-bit"
#define ELF_MACHINE EM_X86_64
#define ELF_MACHINE_NAME "x86-64"
#define ELF_REL_TYPE SHT_RELA        /* the relocation sections this class uses */
#define ELF_OTHER_REL_TYPE SHT_REL   /* and the kind it refuses */
#define ELF_OTHER_REL_NAME "REL"
#define ELF_R_SYM ELF64_R_SYM
#define ELF_R_TYPE ELF64_R_TYPE
#define ELF_R_ADDEND(r) ((r)->r_addend)
#else
#include "elf32.h"
typedef Elf32_Ehdr Elf_Ehdr;
typedef Elf32_Shdr Elf_Shdr;
typedef Elf32_Sym Elf_Sym;
typedef Elf32_Rel Elf_Rel;
#define ELF_CLASS_BYTE 1
#define ELF_CLASS_NAME "32-bit"
#define ELF_MACHINE EM_386
#define ELF_MACHINE_NAME "i386"
#define ELF_REL_TYPE SHT_REL
#define ELF_OTHER_REL_TYPE SHT_RELA
#define ELF_OTHER_REL_NAME "RELA"
#define ELF_R_SYM ELF32_R_SYM
#define ELF_R_TYPE ELF32_R_TYPE
#define ELF_R_ADDEND(r) ((void)(r), (int64_t)0) /* REL: the addend is in place */
#endif

/* What the loader reads in place through typed pointers must be aligned
 * for them: 4 bytes for ELF32, 8 for ELF64. */
#ifdef DEMO_ELF64
#define ELF_STRUCT_ALIGN 8u
#else
#define ELF_STRUCT_ALIGN 4u
#endif

#endif
