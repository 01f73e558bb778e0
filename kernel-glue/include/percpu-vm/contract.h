/* percpu-vm/contract.h: the facts the parts of percpu-vm share.
 *
 * The GCC plugin (C++), percpu-layout (hosted C), the demo kernel's module
 * loader (freestanding C) and the linker scripts each act on the same
 * facts; when each spells a fact its own way, they drift apart and a
 * variable one part takes for per-CPU data another puts somewhere else.
 * This header holds those facts once, for every C and C++ part to include;
 * configure reads its shift range from here (AC_COMPUTE_INT), and the
 * linker scripts, which cannot include it, are tested against it
 * (tests/linker/section-names.sh for the section rule, link-errors.sh
 * for the guard page, module-layout.sh for the module record).
 * tests/contract/contract.sh feeds every part the boundary shifts.
 *
 * Freestanding and self-contained: no other header, no libc call (its own
 * byte compare), only static inline functions, enums and macros.  Valid
 * C99, C11, gnu89 and C++, warning-free with -Wall -Wextra -Wpedantic.
 * Names start with PERCPU_ or percpu_.
 */
#ifndef PERCPU_VM_CONTRACT_H
#define PERCPU_VM_CONTRACT_H

/* `inline` is C99 and C++; C89 compilers (gnu89 under -Wpedantic) take
 * only the reserved spelling. */
#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define PERCPU_INLINE inline
#else
#define PERCPU_INLINE __inline__
#endif

/* ---- Per-CPU section names (docs/linking.md, "Section names") ----
 *
 * A section is per-CPU when its name is one of four stems, alone or
 * followed by a dot and anything (nothing included):
 *
 *   .data.percpu    .data..percpu (Linux's)    initialised: copied per CPU
 *   .bss.percpu     .bss..percpu  (Linux's)    zero-initialised: zeroed
 *
 * which is what the linker scripts' input patterns match (`.data.percpu
 * .data.percpu.*` and so on; a glob's `*` matches the empty string, so
 * `.data.percpu.` is per-CPU too).  The dot after the stem is what keeps
 * `.data.percpu_x`, where -fdata-sections puts a variable named percpu_x,
 * ordinary data; the same holds for `.data..percpu_x`.  Of the initialised
 * ones, .data.percpu.page_aligned and .data..percpu..page_aligned are
 * placed first, so their page alignment leaves no hole between other
 * variables.  The plugin gives a per-CPU variable without a section
 * .data.percpu, or .bss.percpu when it is zero-initialised. */
#define PERCPU_SECTION_DATA_NAME ".data.percpu"
#define PERCPU_SECTION_ZERO_NAME ".bss.percpu"

enum percpu_section_kind {
	PERCPU_SECTION_NONE = 0,          /* not per-CPU */
	PERCPU_SECTION_DATA,              /* per-CPU, initialised */
	PERCPU_SECTION_DATA_PAGE_ALIGNED, /* per-CPU, initialised, placed first */
	PERCPU_SECTION_ZERO               /* per-CPU, zero-initialised */
};

/* The rest of NAME after PREFIX, or a null pointer when NAME does not
 * start with PREFIX.  (Stops at NAME's end: a shorter NAME mismatches at
 * its terminating zero.) */
static PERCPU_INLINE const char *percpu_name_after(const char *name, const char *prefix)
{
	while (*prefix)
		if (*name++ != *prefix++)
			return (const char *)0;
	return name;
}

/* Whether NAME is exactly WANT. */
static PERCPU_INLINE int percpu_name_is(const char *name, const char *want)
{
	const char *rest = percpu_name_after(name, want);

	return rest && *rest == '\0';
}

/* Whether NAME is STEM or STEM, a dot and anything: the scripts'
 * `STEM STEM.*`. */
static PERCPU_INLINE int percpu_name_in_stem(const char *name, const char *stem)
{
	const char *rest = percpu_name_after(name, stem);

	return rest && (*rest == '\0' || *rest == '.');
}

/* What the linker scripts do with an input section named NAME (a null
 * NAME is no section, so not per-CPU). */
static PERCPU_INLINE enum percpu_section_kind percpu_section_classify(const char *name)
{
	if (!name)
		return PERCPU_SECTION_NONE;
	if (percpu_name_is(name, ".data.percpu.page_aligned") ||
	    percpu_name_is(name, ".data..percpu..page_aligned"))
		return PERCPU_SECTION_DATA_PAGE_ALIGNED;
	if (percpu_name_in_stem(name, PERCPU_SECTION_DATA_NAME) ||
	    percpu_name_in_stem(name, ".data..percpu"))
		return PERCPU_SECTION_DATA;
	if (percpu_name_in_stem(name, PERCPU_SECTION_ZERO_NAME) ||
	    percpu_name_in_stem(name, ".bss..percpu"))
		return PERCPU_SECTION_ZERO;
	return PERCPU_SECTION_NONE;
}

/* Whether the linker scripts place a section named NAME in the per-CPU
 * window (or, in a module, in its per-CPU area). */
static PERCPU_INLINE int percpu_section_p(const char *name)
{
	return percpu_section_classify(name) != PERCPU_SECTION_NONE;
}

/* Whether NAME is a per-CPU section in Linux's naming (.data..percpu,
 * .bss..percpu and their dotted suffixes). */
static PERCPU_INLINE int percpu_section_linux_naming_p(const char *name)
{
	return name && (percpu_name_in_stem(name, ".data..percpu") ||
			percpu_name_in_stem(name, ".bss..percpu"));
}

/* A short word for each kind, for tools and tests that print verdicts. */
static PERCPU_INLINE const char *percpu_section_kind_name(enum percpu_section_kind kind)
{
	switch (kind) {
	case PERCPU_SECTION_DATA:
		return "data";
	case PERCPU_SECTION_DATA_PAGE_ALIGNED:
		return "data-page-aligned";
	case PERCPU_SECTION_ZERO:
		return "zero";
	case PERCPU_SECTION_NONE:
		break;
	}
	return "none";
}

/* ---- The stride: its range of shifts and its guard page ----
 * (docs/design.md, "The guard page, and so the smallest stride")
 *
 * CPU n's copy of the per-CPU data lies n strides above CPU 0's, a stride
 * being 1 << shift bytes.  The last page of every stride is the guard:
 * never handed out, never mapped, so that an overflow off the end of CPU
 * n's part faults instead of changing CPU n+1's.  Per-CPU data therefore
 * has stride - PERCPU_GUARD_SIZE bytes: the kernel's static area
 * (percpu.lds asserts it), a module's (module.lds asserts it, the runtime
 * refuses more) and a single variable (the plugin refuses more).
 *
 * The shifts every part accepts (the plugin's shift= and table attribute,
 * percpu-layout's --shift and notes, configure, the runtime, the loader):
 *   smallest 13: a 4 KiB stride (12) would be all guard;
 *   largest 31: the window [base, base + NR_CPUS << shift) must fit in 32
 *   bits, with a base that is neither 0 (the runtime refuses it) nor
 *   unaligned, so at least one page above 0: one CPU's 2 GiB stride is the
 *   most that fits.  One range for every arch, so a note or a record means
 *   the same to every part.
 * Plain decimal numbers, so that they can be turned into strings. */
#define PERCPU_GUARD_SIZE 4096u
#define PERCPU_SHIFT_MIN 13
#define PERCPU_SHIFT_MAX 31

/* Whether SHIFT is one every part accepts. */
static PERCPU_INLINE int percpu_shift_valid(unsigned long shift)
{
	return shift >= PERCPU_SHIFT_MIN && shift <= PERCPU_SHIFT_MAX;
}

/* ---- The stride note (docs/design.md, "The stride note") ----
 *
 * The plugin puts one ELF note into every object it compiles in lower
 * mode, in section PERCPU_NOTE_SECTION, in a COMDAT group named
 * PERCPU_NOTE_GROUP_PREFIX and the shift in decimal:
 *   namesz sizeof PERCPU_NOTE_OWNER (with its NUL), descsz
 *   PERCPU_NOTE_DESC_SIZE, type PERCPU_NOTE_TYPE, the owner padded to 4,
 *   then two 32-bit words in the object's byte order:
 *   PERCPU_NOTE_VERSION and the shift.
 * Readers find it by owner and type in any note section. */
#define PERCPU_NOTE_SECTION ".note.percpu"
#define PERCPU_NOTE_GROUP_PREFIX "percpu_stride_"
#define PERCPU_NOTE_OWNER "percpu-vm"
#define PERCPU_NOTE_TYPE 0x50435055u /* "PCPU"; not 1, GNU's ABI tag */
#define PERCPU_NOTE_VERSION 1u
#define PERCPU_NOTE_DESC_SIZE 8u

/* ---- The module stride record (docs/linking.md, "Modules") ----
 *
 * module.lds writes it into every module it links (a non-allocated
 * PROGBITS section, 4-byte aligned): PERCPU_RECORD_WORDS 32-bit words in
 * the module's byte order, indexed by enum percpu_record_word.  The
 * loader refuses a module without one, of another magic, version or
 * shift, or whose sections no longer have the sizes it gives. */
#define PERCPU_RECORD_SECTION ".percpu.module"
#define PERCPU_RECORD_MAGIC 0x55504350u /* "PCPU" in little-endian bytes */
#define PERCPU_RECORD_VERSION 1u

enum percpu_record_word {
	PERCPU_RECORD_MAGIC_WORD = 0, /* PERCPU_RECORD_MAGIC */
	PERCPU_RECORD_VERSION_WORD,   /* PERCPU_RECORD_VERSION */
	PERCPU_RECORD_SHIFT_WORD,     /* the shift module.lds was configured for */
	PERCPU_RECORD_DATA_SIZE_WORD, /* SIZEOF(.data.percpu) as linked */
	PERCPU_RECORD_ZERO_SIZE_WORD, /* SIZEOF(.bss.percpu) as linked */
	PERCPU_RECORD_NOTE_SIZE_WORD, /* SIZEOF(.note.percpu) as linked */
	PERCPU_RECORD_WORDS           /* the number of words */
};


/* ---- The access-site report (docs/plugin.md, "The report") ----
 *
 * The plugin writes one JSON document per unit: a side file (report=FILE)
 * and, in mode=lower, a record in the object's non-allocated section
 * .percpu.report, so the report travels with the object through ccache,
 * distcc, `ld -r` and the final link.  percpu-layout reads both, with
 * these names.
 *
 * A record: a 16-byte header, then the document.  Header fields are
 * little-endian whatever the target, so a reader needs no ELF header:
 *   0  8 bytes  magic "PCPUREPT"
 *   8  u16      record version (1)
 *  10  u16      encoding: 0 = the JSON text as is (no other is defined)
 *  12  u32      length of the document in bytes
 * A linked image's section holds its units' records one after another;
 * zero bytes between records (a linker's padding) are skipped. */
#define PERCPU_REPORT_SECTION_NAME ".percpu.report"
#define PERCPU_REPORT_RECORD_MAGIC "PCPUREPT"
#define PERCPU_REPORT_RECORD_MAGIC_SIZE 8
#define PERCPU_REPORT_RECORD_VERSION 1
#define PERCPU_REPORT_RECORD_ENCODING_JSON 0
#define PERCPU_REPORT_RECORD_HEADER_SIZE 16

/* The document: "format" and "version" say what it is. */
#define PERCPU_REPORT_FORMAT "percpu-vm-report"
#define PERCPU_REPORT_VERSION 1

/* Its keys: the document's, a variable's, an access's. */
#define PERCPU_REPORT_KEY_FORMAT "format"
#define PERCPU_REPORT_KEY_VERSION "version"
#define PERCPU_REPORT_KEY_UNIT "unit"
#define PERCPU_REPORT_KEY_COMPILER "compiler"
#define PERCPU_REPORT_KEY_MODE "mode"
#define PERCPU_REPORT_KEY_SHIFT "shift"
#define PERCPU_REPORT_KEY_VARIABLES "variables"
#define PERCPU_REPORT_KEY_ACCESSES "accesses"

#define PERCPU_REPORT_VAR_NAME "name"
#define PERCPU_REPORT_VAR_SIZE "size"
#define PERCPU_REPORT_VAR_ALIGN "align"
#define PERCPU_REPORT_VAR_SECTION "section"
#define PERCPU_REPORT_VAR_DEFINED "defined"
#define PERCPU_REPORT_VAR_GLOBAL "global"
#define PERCPU_REPORT_VAR_FILE "file"
#define PERCPU_REPORT_VAR_LINE "line"
#define PERCPU_REPORT_VAR_COLUMN "column"

#define PERCPU_REPORT_ACCESS_FUNCTION "function"
#define PERCPU_REPORT_ACCESS_FILE "file"
#define PERCPU_REPORT_ACCESS_LINE "line"
#define PERCPU_REPORT_ACCESS_COLUMN "column"
#define PERCPU_REPORT_ACCESS_KIND "kind"
#define PERCPU_REPORT_ACCESS_VARIABLE "variable"
#define PERCPU_REPORT_ACCESS_CPU "cpu"
#define PERCPU_REPORT_ACCESS_REWRITTEN "rewritten"

/* The "mode" values. */
#define PERCPU_REPORT_MODE_LOWER "lower"
#define PERCPU_REPORT_MODE_CHECK "check"

/* The "kind" of an access site. */
enum percpu_access_kind {
	PERCPU_ACCESS_CONSTANT_CPU, /* per_cpu(x, 3): the CPU is a constant */
	PERCPU_ACCESS_VARIABLE_CPU, /* per_cpu(x, cpu) */
	PERCPU_ACCESS_THIS_CPU      /* this_cpu_*(x): the running CPU's copy */
};

static PERCPU_INLINE const char *percpu_access_kind_name(enum percpu_access_kind kind)
{
	switch (kind) {
	case PERCPU_ACCESS_CONSTANT_CPU:
		return "constant-cpu";
	case PERCPU_ACCESS_VARIABLE_CPU:
		return "variable-cpu";
	case PERCPU_ACCESS_THIS_CPU:
		break;
	}
	return "this-cpu";
}

#endif /* PERCPU_VM_CONTRACT_H */
