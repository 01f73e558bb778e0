/* loader.c: load an ELF relocatable module (what `ld -r` produces).
 *
 * The module's ordinary sections (text, data, bss) go into pages of its
 * own.  Its per-CPU sections (.data.percpu, then .bss.percpu) are laid out
 * as one area, which the runtime reserves in the per-CPU window and
 * populates on every online CPU (pcpu_module_alloc): symbols in those
 * sections are relocated to CPU 0's copy of the area, so the module's code
 * reaches CPU n's copy with per_cpu()/this_cpu_*() exactly as the kernel
 * does.  The template the runtime copies from is kept in the module's pages
 * (relocated) until the module is unloaded.
 *
 * A module built for another per-CPU stride (its .note.percpu shift) is
 * refused before anything is allocated, and so is one that module.lds did
 * not link (no .percpu.module record) or whose sections no longer match
 * the sizes the record gives (a renamed .bss.percpu, a deleted note),
 * unless the caller accepts unstamped modules.  Any later failure undoes
 * all it did, so a refused module leaks neither pages nor window space.
 *
 * The headers, notes, symbols and relocations are read in place through
 * typed pointers, so the loader refuses a file or a section holding them
 * that is not aligned for them (4 bytes for ELF32, 8 for ELF64) rather
 * than read them misaligned.
 *
 * One source for both classes (elf_class.h): ELF32 i386 modules with REL
 * relocations, ELF64 x86-64 modules with RELA ones; what each
 * architecture's relocation types do is loader_reloc_<arch>.c.  On x86-64
 * the module's pages are reached at KERNEL_VIRT_BASE + their physical
 * address (module_va()), in the top 2 GiB with the kernel and the window,
 * where the code model's 32-bit displacements reach both.
 *
 * The same source runs hosted (tests/loader), where module pages are
 * mapped below 4 GiB: the kernel-specific parts are pmem.h, ksyms.h,
 * ksnprintf and loader_module_exit (loader.h). */
#include <percpu-vm/config.h>
#include <percpu-vm/contract.h>
#include <percpu-vm/runtime.h>

#include "elf_class.h"
#include "kernel.h"
#include "ksyms.h"
#include "loader.h"
#include "loader_reloc.h"
#include "pmem.h"

/* The stride note and module.lds's record (their layouts, the shift range
 * and the guard page) are percpu-vm/contract.h's. */
#define MAX_SECTIONS 128
#if defined(__i386__) || defined(DEMO_ELF64)
_Static_assert(sizeof(struct demo_module) == DEMO_MODULE_SIZE, "module.h: DEMO_MODULE_SIZE");
#endif

/* Where the kernel reaches (and the module runs from) its pages at
 * physical address `phys`: the identity map on i386 (and hosted), the
 * image's higher-half map of the first GiB on x86-64 (x86_64/boot.S). */
static uintptr_t module_va(uint32_t phys)
{
#ifdef DEMO_ELF64
	return (uintptr_t)phys + 0xffffffff80000000ul;
#else
	return (uintptr_t)phys;
#endif
}
/* Bounds every section, so no sum of at most MAX_SECTIONS of them (with
 * their page-bounded alignment padding) can overflow 32 bits. */
#define MODULE_MAX_BYTES (16u << 20)
/* The zero-initialised per-CPU part takes no room in the file or the image,
 * so it is bounded only by the runtime, which refuses what does not fit in
 * the stride less its guard page with its own message.  This bound (no
 * less than any stride: PERCPU_SHIFT_MAX is 31) keeps the loader's 32-bit
 * sums from overflowing on the way. */
#define PERCPU_AREA_MAX (1u << 31)
_Static_assert(PERCPU_SHIFT_MAX <= 31, "PERCPU_AREA_MAX is below the largest stride");

enum sec_kind { SEC_SKIP, SEC_IMAGE, SEC_PERCPU_INIT, SEC_PERCPU_ZERO };

struct load_state {
	const uint8_t *file;
	size_t size;
	const char *name;
	const Elf_Ehdr *eh;
	const Elf_Shdr *sh;
	const char *shstr;
	uint32_t shstr_size;
	enum sec_kind kind[MAX_SECTIONS];
	uint32_t off[MAX_SECTIONS];   /* in the image or in the per-CPU area */
	uintptr_t addr[MAX_SECTIONS]; /* final address (CPU 0's copy for per-CPU) */
	char *err;
	size_t errlen;
};

static int fail(struct load_state *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct load_state *s, int code, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksnprintf(s->err, s->errlen, "module %s: %s", s->name, msg);
	return code;
}

static const char *sec_name(const struct load_state *s, unsigned i)
{
	uint32_t n = s->sh[i].sh_name;
	if (n >= s->shstr_size)
		return "(bad name)";
	return s->shstr + n;
}

/* The linker scripts' rule (percpu-vm/contract.h); module.lds merges every
 * such input, but a module linked otherwise may still have several. */
static bool is_percpu_name(const char *n)
{
	return percpu_section_p(n);
}

static int check_headers(struct load_state *s)
{
	const Elf_Ehdr *eh = s->eh;
	if ((uintptr_t)s->file % ELF_STRUCT_ALIGN)
		return fail(s, -1, "the file is not %u-byte aligned in memory", ELF_STRUCT_ALIGN);
	if (s->size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4))
		return fail(s, -1, "not an ELF file");
	if (eh->e_ident[4] != ELF_CLASS_BYTE || eh->e_ident[5] != 1)
		return fail(s, -1, "not a " ELF_CLASS_NAME " little-endian ELF object");
	if (eh->e_type != ET_REL)
		return fail(s, -1, "ELF type %u is not a relocatable object (ET_REL): link modules with `ld -r`",
			    eh->e_type);
	if (eh->e_machine != ELF_MACHINE)
		return fail(s, -1, "ELF machine %u is not " ELF_MACHINE_NAME, eh->e_machine);
	if (eh->e_shentsize != sizeof(Elf_Shdr) || eh->e_shnum == 0 || eh->e_shnum > MAX_SECTIONS)
		return fail(s, -1, "section header table: %u entries of %u bytes (at most %u of %zu)",
			    eh->e_shnum, eh->e_shentsize, MAX_SECTIONS, sizeof(Elf_Shdr));
	if (eh->e_shoff > s->size || (size_t)eh->e_shnum * sizeof(Elf_Shdr) > s->size - eh->e_shoff)
		return fail(s, -1, "section header table extends past the end of the file");
	if (eh->e_shoff % ELF_STRUCT_ALIGN)
		return fail(s, -1, "section header table misaligned");
	s->sh = (const Elf_Shdr *)(s->file + eh->e_shoff);
	for (unsigned i = 1; i < eh->e_shnum; i++) {
		const Elf_Shdr *h = &s->sh[i];
		if (h->sh_type != SHT_NOBITS &&
		    (h->sh_offset > s->size || h->sh_size > s->size - h->sh_offset))
			return fail(s, -1, "section %u extends past the end of the file", i);
		if ((h->sh_flags & SHF_ALLOC) &&
		    (h->sh_addralign > PAGE_SIZE || (h->sh_addralign & (h->sh_addralign - 1))))
			return fail(s, -1, "section %u is aligned to %lu bytes (not a power of two up to a page)",
				    i, (unsigned long)h->sh_addralign);
	}
	if (eh->e_shstrndx == 0 || eh->e_shstrndx >= eh->e_shnum ||
	    s->sh[eh->e_shstrndx].sh_type != SHT_STRTAB)
		return fail(s, -1, "no section name table");
	s->shstr = (const char *)s->file + s->sh[eh->e_shstrndx].sh_offset;
	s->shstr_size = (uint32_t)s->sh[eh->e_shstrndx].sh_size; /* < the file's size */
	if (!s->shstr_size || s->shstr[s->shstr_size - 1])
		return fail(s, -1, "section name table is not NUL-terminated");
	/* What is read through Elf_* pointers must be aligned for them (the
	 * file itself was checked above); notes are 4-byte words in both
	 * classes. */
	for (unsigned i = 1; i < eh->e_shnum; i++) {
		const Elf_Shdr *h = &s->sh[i];
		unsigned need = h->sh_type == SHT_NOTE ? 4u : ELF_STRUCT_ALIGN;
		if ((h->sh_type == SHT_SYMTAB || h->sh_type == ELF_REL_TYPE || h->sh_type == SHT_NOTE) &&
		    h->sh_offset % need)
			return fail(s, -1, "section %s: file offset 0x%lx is not %u-byte aligned",
				    sec_name(s, i), (unsigned long)h->sh_offset, need);
	}
	/* Sizes, now that sections have names: the zero-initialised per-CPU
	 * part is the runtime's to judge (see PERCPU_AREA_MAX). */
	for (unsigned i = 1; i < eh->e_shnum; i++) {
		const Elf_Shdr *h = &s->sh[i];
		if ((h->sh_flags & SHF_ALLOC) && h->sh_size > MODULE_MAX_BYTES &&
		    !(h->sh_type == SHT_NOBITS && is_percpu_name(sec_name(s, i))))
			return fail(s, -1, "section %u is %lu bytes (a module may have at most %u)", i,
				    (unsigned long)h->sh_size, MODULE_MAX_BYTES);
	}
	return 0;
}

/* The per-CPU stride the module was built for, from its .note.percpu
 * sections: one note per stride used (COMDAT group per shift), so two
 * different shifts, or one that is not ours, refuse the module. */
static int check_stride(struct load_state *s, int *shift_out)
{
	int shift = -1, other = -1;
	const char *where = "";
	for (unsigned i = 1; i < s->eh->e_shnum; i++) {
		const Elf_Shdr *h = &s->sh[i];
		if (h->sh_type != SHT_NOTE)
			continue;
		const uint8_t *p = s->file + h->sh_offset, *end = p + h->sh_size;
		while (p + sizeof(Elf32_Nhdr) <= end) {
			const Elf32_Nhdr *n = (const void *)p;
			uint32_t nsz = ALIGN_UP(n->n_namesz, 4u), dsz = ALIGN_UP(n->n_descsz, 4u);
			const uint8_t *name = p + sizeof(*n), *desc = name + nsz;
			if (nsz < n->n_namesz || dsz < n->n_descsz || nsz > (uint32_t)(end - name) ||
			    dsz > (uint32_t)(end - desc))
				return fail(s, -1, "malformed note in section %s", sec_name(s, i));
			if (n->n_namesz == sizeof(PERCPU_NOTE_OWNER) &&
			    !memcmp(name, PERCPU_NOTE_OWNER, sizeof(PERCPU_NOTE_OWNER)) &&
			    n->n_type == PERCPU_NOTE_TYPE) {
				if (n->n_descsz < PERCPU_NOTE_DESC_SIZE)
					return fail(s, -1, "%s: percpu-vm note too short (%u bytes)",
						    sec_name(s, i), n->n_descsz);
				uint32_t version, sh;
				memcpy(&version, desc, 4);
				memcpy(&sh, desc + 4, 4);
				if (version != PERCPU_NOTE_VERSION)
					return fail(s, PCPU_ERR_STRIDE,
						    "%s: note format version %u, this kernel reads version %u",
						    sec_name(s, i), version, PERCPU_NOTE_VERSION);
				if (!percpu_shift_valid(sh))
					return fail(s, PCPU_ERR_STRIDE,
						    "%s: shift %u is not a stride (outside %d..%d)",
						    sec_name(s, i), sh, PERCPU_SHIFT_MIN, PERCPU_SHIFT_MAX);
				if (shift < 0) {
					shift = (int)sh;
					where = sec_name(s, i);
				} else if ((uint32_t)shift != sh) {
					other = (int)sh;
				}
			}
			p = desc + dsz;
		}
	}
	if (other >= 0)
		return fail(s, PCPU_ERR_STRIDE,
			    "objects built for two per-CPU strides (2^%d and 2^%d) were linked together "
			    "(two .note.percpu notes)",
			    shift < other ? shift : other, shift < other ? other : shift);
	if (shift >= 0 && shift != PERCPU_SHIFT)
		return fail(s, PCPU_ERR_STRIDE,
			    "built for per-CPU stride 2^%d (%u KiB), this kernel uses 2^%u (%lu KiB) (%s)",
			    shift, (1u << shift) / 1024, PERCPU_SHIFT, PERCPU_STRIDE / 1024, where);
	*shift_out = shift;
	return 0;
}

/* Total size of the sections of one kind (as in the file, without padding). */
static uint32_t kind_bytes(const struct load_state *s, enum sec_kind kind)
{
	uint32_t n = 0;
	for (unsigned i = 1; i < s->eh->e_shnum; i++)
		if (s->kind[i] == kind)
			n += (uint32_t)s->sh[i].sh_size; /* the layout bounded the sum (< 2^31) */
	return n;
}

/* module.lds's record against what the module now has.  The record is
 * written by the linker script, so it is there whether or not the plugin
 * compiled the objects; the sections it sizes are the ones a rename or a
 * strip would change.  Called once the sections are classified. */
static int check_record(struct load_state *s, unsigned flags)
{
	unsigned rec = 0;
	uint32_t note_bytes = 0;
	for (unsigned i = 1; i < s->eh->e_shnum; i++) {
		const char *n = sec_name(s, i);
		if (!strcmp(n, PERCPU_RECORD_SECTION)) {
			if (rec)
				return fail(s, -1, "two %s records (linked with module.lds twice?)",
					    PERCPU_RECORD_SECTION);
			rec = i;
		} else if (!strcmp(n, PERCPU_NOTE_SECTION) && s->sh[i].sh_type == SHT_NOTE) {
			note_bytes += (uint32_t)s->sh[i].sh_size; /* file bytes: <= 16 MiB in all */
		}
	}
	if (!rec) {
		if (flags & MODULE_LOAD_UNSTAMPED)
			return 0;
		return fail(s, -1, "no %s record: not linked with ldscripts/module.lds, so the stride "
			    "it was built for and its per-CPU sections cannot be checked", PERCPU_RECORD_SECTION);
	}
	const Elf_Shdr *h = &s->sh[rec];
	uint32_t w[PERCPU_RECORD_WORDS];
	if (h->sh_type != SHT_PROGBITS || h->sh_size != sizeof(w))
		return fail(s, -1, "%s: a record of %lu bytes (type %u), version %u has %zu", PERCPU_RECORD_SECTION,
			    (unsigned long)h->sh_size, h->sh_type, PERCPU_RECORD_VERSION, sizeof(w));
	memcpy(w, s->file + h->sh_offset, sizeof(w));
	if (w[PERCPU_RECORD_MAGIC_WORD] != PERCPU_RECORD_MAGIC ||
	    w[PERCPU_RECORD_VERSION_WORD] != PERCPU_RECORD_VERSION)
		return fail(s, -1, "%s: not a version %u record (magic 0x%08x, version %u)", PERCPU_RECORD_SECTION,
			    PERCPU_RECORD_VERSION, w[PERCPU_RECORD_MAGIC_WORD], w[PERCPU_RECORD_VERSION_WORD]);
	uint32_t shift = w[PERCPU_RECORD_SHIFT_WORD];
	if (!percpu_shift_valid(shift))
		return fail(s, PCPU_ERR_STRIDE, "%s: shift %u is not a stride (outside %d..%d)",
			    PERCPU_RECORD_SECTION, shift, PERCPU_SHIFT_MIN, PERCPU_SHIFT_MAX);
	if (shift != PERCPU_SHIFT)
		return fail(s, PCPU_ERR_STRIDE,
			    "linked for per-CPU stride 2^%u, this kernel uses 2^%u (%lu KiB) (%s)", shift,
			    PERCPU_SHIFT, PERCPU_STRIDE / 1024, PERCPU_RECORD_SECTION);
	static const char *const what[3] = { PERCPU_SECTION_DATA_NAME, PERCPU_SECTION_ZERO_NAME,
					     PERCPU_NOTE_SECTION };
	uint32_t now[3] = { kind_bytes(s, SEC_PERCPU_INIT), kind_bytes(s, SEC_PERCPU_ZERO), note_bytes };
	for (unsigned k = 0; k < 3; k++)
		if (w[PERCPU_RECORD_DATA_SIZE_WORD + k] != now[k])
			return fail(s, -1, "%s had %u bytes when linked (%s), the module has %u: a section "
				    "was renamed, removed or changed after the link", what[k],
				    w[PERCPU_RECORD_DATA_SIZE_WORD + k], PERCPU_RECORD_SECTION, now[k]);
	return 0;
}

int module_load(struct pcpu_runtime *rt, const void *file, size_t size, const char *name,
		unsigned flags, struct loaded_module *m, char *err, size_t errlen)
{
	static struct load_state st; /* big; loads are serialised by the caller */
	struct load_state *s = &st;
	int rc;

	memset(s, 0, sizeof(*s));
	memset(m, 0, sizeof(*m));
	s->file = file;
	s->size = size;
	s->name = name;
	s->eh = file;
	s->err = err;
	s->errlen = errlen;
	ksnprintf(m->name, sizeof(m->name), "%s", name);
	if (err && errlen)
		err[0] = '\0';

	if ((rc = check_headers(s)))
		return rc;
	if ((rc = check_stride(s, &m->stride_shift)))
		return rc;

	/* Lay the sections out: the image, then the per-CPU area (initialised
	 * part first, as the runtime wants template-then-zeros). */
	unsigned nsec = s->eh->e_shnum, symtab = 0;
	uint32_t image_size = 0, pc_size = 0, pc_align = 1;
	for (unsigned i = 1; i < nsec; i++) {
		const Elf_Shdr *h = &s->sh[i];
		uint32_t al = h->sh_addralign ? (uint32_t)h->sh_addralign : 1; /* <= a page */
		if (h->sh_type == SHT_SYMTAB) {
			if (symtab)
				return fail(s, -1, "more than one symbol table");
			symtab = i;
		}
		if (!(h->sh_flags & SHF_ALLOC) || h->sh_type == SHT_GROUP)
			continue;
		if (h->sh_type == ELF_OTHER_REL_TYPE)
			return fail(s, -1, "%s: " ELF_OTHER_REL_NAME " relocations are not used on "
				    ELF_MACHINE_NAME, sec_name(s, i));
		if (is_percpu_name(sec_name(s, i))) {
			if (h->sh_type != SHT_PROGBITS)
				continue; /* zero part: second pass */
			s->kind[i] = SEC_PERCPU_INIT;
			pc_size = ALIGN_UP(pc_size, al);
			s->off[i] = pc_size;
			pc_size += (uint32_t)h->sh_size; /* each <= MODULE_MAX_BYTES */
			if (al > pc_align)
				pc_align = al;
		} else if (h->sh_type != SHT_NOTE) {
			s->kind[i] = SEC_IMAGE;
			image_size = ALIGN_UP(image_size, al);
			s->off[i] = image_size;
			image_size += (uint32_t)h->sh_size;
		}
	}
	if (image_size > MODULE_MAX_BYTES || pc_size > MODULE_MAX_BYTES)
		return fail(s, -1, "%u bytes of sections (a module may have at most %u)",
			    image_size > pc_size ? image_size : pc_size, MODULE_MAX_BYTES);
	uint32_t pc_init = pc_size;
	for (unsigned i = 1; i < nsec; i++) {
		const Elf_Shdr *h = &s->sh[i];
		uint32_t al = h->sh_addralign ? (uint32_t)h->sh_addralign : 1;
		if ((h->sh_flags & SHF_ALLOC) && h->sh_type != SHT_PROGBITS && h->sh_type != SHT_GROUP &&
		    is_percpu_name(sec_name(s, i))) {
			s->kind[i] = SEC_PERCPU_ZERO;
			pc_size = ALIGN_UP(pc_size, al); /* pc_size <= 2^31, al <= a page */
			if (h->sh_size > PERCPU_AREA_MAX - pc_size)
				return fail(s, -1, "per-CPU sections of more than %u bytes (%s)",
					    PERCPU_AREA_MAX, sec_name(s, i));
			s->off[i] = pc_size;
			pc_size += (uint32_t)h->sh_size; /* checked just above */
			if (al > pc_align)
				pc_align = al;
		}
	}
	if ((rc = check_record(s, flags)))
		return rc;
	if (!symtab)
		return fail(s, -1, "no symbol table (.symtab)");
	const Elf_Shdr *symh = &s->sh[symtab];
	if (symh->sh_entsize != sizeof(Elf_Sym) || symh->sh_link >= nsec ||
	    s->sh[symh->sh_link].sh_type != SHT_STRTAB)
		return fail(s, -1, "malformed symbol table");
	const Elf_Sym *syms = (const Elf_Sym *)(s->file + symh->sh_offset);
	uint32_t nsyms = (uint32_t)(symh->sh_size / sizeof(Elf_Sym));
	const char *strtab = (const char *)s->file + s->sh[symh->sh_link].sh_offset;
	uint32_t strtab_size = (uint32_t)s->sh[symh->sh_link].sh_size; /* < the file's size */
	if (!strtab_size || strtab[strtab_size - 1])
		return fail(s, -1, "symbol string table is not NUL-terminated");

	/* The template lives after the image, in the same pages. */
	uint32_t tmpl_off = ALIGN_UP(image_size, 16u);
	uint32_t total = tmpl_off + pc_init;
	size_t pages = total ? ALIGN_UP(total, PAGE_SIZE) / PAGE_SIZE : 1;
	uint32_t image = pmem_alloc_pages(pages);
	if (!image)
		return fail(s, PCPU_ERR_NOMEM, "no memory for the module's %zu pages", pages);
	uintptr_t image_va = module_va(image);
	uint8_t *img = (uint8_t *)image_va;
	uint8_t *tmpl = img + tmpl_off;
	for (unsigned i = 1; i < nsec; i++) {
		const Elf_Shdr *h = &s->sh[i];
		if (s->kind[i] == SEC_IMAGE) {
			s->addr[i] = image_va + s->off[i];
			if (h->sh_type != SHT_NOBITS)
				memcpy(img + s->off[i], s->file + h->sh_offset, h->sh_size);
		} else if (s->kind[i] == SEC_PERCPU_INIT) {
			memcpy(tmpl + s->off[i], s->file + h->sh_offset, h->sh_size);
		}
	}

	/* The per-CPU area: reserved and populated on every online CPU. */
	uintptr_t pc_addr = 0;
	if (pc_size) {
		rc = pcpu_module_alloc(rt, tmpl, pc_init, pc_size - pc_init, pc_align, &pc_addr);
		if (rc) {
			struct pcpu_stats stats;
			pcpu_get_stats(rt, &stats);
			pmem_free_pages(image, pages);
			if (rc == PCPU_ERR_NOSPACE)
				return fail(s, rc, "per-CPU data of %u bytes (.data.percpu %u + .bss.percpu %u) "
					    "does not fit: the largest free extent of the %lu-byte stride is %zu bytes (%s)",
					    pc_size, pc_init, pc_size - pc_init, PERCPU_STRIDE,
					    stats.largest_free, pcpu_strerror(rc));
			return fail(s, rc, "the runtime refused %u bytes of per-CPU data: %s", pc_size,
				    pcpu_strerror(rc));
		}
		for (unsigned i = 1; i < nsec; i++)
			if (s->kind[i] == SEC_PERCPU_INIT || s->kind[i] == SEC_PERCPU_ZERO)
				s->addr[i] = pc_addr + s->off[i];
	}

	/* Resolve the symbols, then apply every relocation. */
	rc = 0;
	for (unsigned i = 1; i < nsec && !rc; i++) {
		const Elf_Shdr *h = &s->sh[i];
		if (h->sh_type != ELF_REL_TYPE)
			continue;
		if (h->sh_info >= nsec || h->sh_link != symtab)
			rc = fail(s, -1, "%s: bad target or symbol table", sec_name(s, i));
		else if (h->sh_entsize != sizeof(Elf_Rel))
			rc = fail(s, -1, "%s: entries of %lu bytes", sec_name(s, i),
				  (unsigned long)h->sh_entsize);
		if (rc)
			break;
		unsigned t = h->sh_info;
		if (s->kind[t] == SEC_SKIP)
			continue; /* relocations of debug info and the like */
		if (s->kind[t] == SEC_PERCPU_ZERO || s->sh[t].sh_type == SHT_NOBITS) {
			rc = fail(s, -1, "%s: relocations in a zero-filled section", sec_name(s, i));
			break;
		}
		const Elf_Rel *rel = (const Elf_Rel *)(s->file + h->sh_offset);
		for (uint32_t r = 0; r < h->sh_size / sizeof(Elf_Rel) && !rc; r++) {
			uint32_t type = ELF_R_TYPE(rel[r].r_info), si = ELF_R_SYM(rel[r].r_info);
			int width = loader_reloc_size(type);
			if (width == 0)
				continue;
			if (width > 0 && (rel[r].r_offset > s->sh[t].sh_size ||
					  s->sh[t].sh_size - rel[r].r_offset < (unsigned)width)) {
				rc = fail(s, -1, "%s: relocation %u at 0x%lx is outside %s", sec_name(s, i), r,
					  (unsigned long)rel[r].r_offset, sec_name(s, t));
				break;
			}
			if (si >= nsyms) {
				rc = fail(s, -1, "%s: relocation %u names symbol %u of %u", sec_name(s, i), r,
					  si, nsyms);
				break;
			}
			const Elf_Sym *sym = &syms[si];
			const char *sname = sym->st_name < strtab_size ? strtab + sym->st_name : "?";
			if (ELF32_ST_TYPE(sym->st_info) == STT_SECTION && sym->st_shndx < nsec)
				sname = sec_name(s, sym->st_shndx); /* (which has no name of its own) */
			uintptr_t S;
			bool percpu_sym = false;
			if (sym->st_shndx == SHN_UNDEF) {
				if (!ksym_lookup(sname, &S, &percpu_sym)) {
					if (ELF32_ST_BIND(sym->st_info) == STB_WEAK) {
						S = 0;
					} else {
						rc = fail(s, -1, "undefined symbol '%s' (not exported by the kernel)",
							  sname);
						break;
					}
				}
				m->kernel_syms++;
			} else if (sym->st_shndx == SHN_ABS) {
				S = (uintptr_t)sym->st_value;
			} else if (sym->st_shndx == SHN_COMMON) {
				rc = fail(s, -1, "common symbol '%s': build modules with -fno-common", sname);
				break;
			} else if (sym->st_shndx >= nsec || s->kind[sym->st_shndx] == SEC_SKIP) {
				rc = fail(s, -1, "symbol '%s' is in section %u, which is not loaded", sname,
					  sym->st_shndx);
				break;
			} else {
				/* Inside its section, the end included (end markers):
				 * past it, a per-CPU symbol would be relocated into
				 * another area or another CPU's copy, any other
				 * outside the module. */
				unsigned in = sym->st_shndx;
				if (sym->st_value > s->sh[in].sh_size ||
				    sym->st_value > UINTPTR_MAX - s->addr[in]) {
					rc = fail(s, -1, "symbol '%s' at 0x%lx lies outside its section %s "
						  "(%lu bytes)", sname, (unsigned long)sym->st_value,
						  sec_name(s, in), (unsigned long)s->sh[in].sh_size);
					break;
				}
				S = s->addr[in] + sym->st_value;
				percpu_sym = s->kind[in] != SEC_IMAGE;
			}
			uint8_t *where = s->kind[t] == SEC_IMAGE ? img + s->off[t] + rel[r].r_offset
								 : tmpl + s->off[t] + rel[r].r_offset;
			uintptr_t P = s->kind[t] == SEC_IMAGE ? image_va + s->off[t] + rel[r].r_offset : 0;
			if (width < 0) {
				rc = fail(s, -1, "%s: relocation type %u against '%s' is not supported (%s)",
					  sec_name(s, i), type, sname, loader_reloc_supported);
				break;
			}
			const char *why = loader_reloc_apply(type, where, S, ELF_R_ADDEND(&rel[r]), P,
							     s->kind[t] == SEC_IMAGE);
			if (why) {
				rc = fail(s, -1, "%s: relocation %u against '%s': %s", sec_name(s, i), r,
					  sname, why);
				break;
			}
			m->relocs++;
			if (percpu_sym)
				m->percpu_relocs++;
		}
	}

	const struct demo_module *desc = NULL;
	for (uint32_t i = 1; i < nsyms && !rc; i++) {
		const Elf_Sym *sym = &syms[i];
		if (sym->st_name < strtab_size && !strcmp(strtab + sym->st_name, "demo_module") &&
		    ELF32_ST_BIND(sym->st_info) == STB_GLOBAL && sym->st_shndx != SHN_UNDEF &&
		    sym->st_shndx < nsec && s->kind[sym->st_shndx] == SEC_IMAGE &&
		    sym->st_value <= s->sh[sym->st_shndx].sh_size &&
		    s->sh[sym->st_shndx].sh_size - sym->st_value >= DEMO_MODULE_SIZE)
			desc = (const void *)(uintptr_t)(s->addr[sym->st_shndx] + sym->st_value);
	}
	if (!rc && !desc)
		rc = fail(s, -1, "no global 'struct demo_module demo_module' in its text or data");
	if (rc) {
		if (pc_addr)
			pcpu_module_free(rt, pc_addr);
		pmem_free_pages(image, pages);
		return rc;
	}

	/* The runtime copied the template before it was relocated: refresh
	 * every online CPU's copy (CPUs that come online later get the
	 * relocated template from the runtime). */
	if (pc_init) {
		for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++)
			if (pcpu_cpu_is_online(rt, cpu))
				memcpy((void *)(pc_addr + ((uintptr_t)cpu << PERCPU_SHIFT)), tmpl, pc_init);
	}
	m->image = image;
	m->image_va = image_va;
	m->image_pages = pages;
	m->percpu_addr = pc_addr;
	m->percpu_init = pc_init;
	m->percpu_zero = pc_size - pc_init;
	m->percpu_align = pc_align;
	m->percpu_template = tmpl;
	m->desc = desc;
	return 0;
}

int module_unload(struct pcpu_runtime *rt, struct loaded_module *m)
{
	int rc = 0;
	if (m->desc)
		loader_module_exit(m);
	if (m->percpu_addr)
		rc = pcpu_module_free(rt, m->percpu_addr);
	if (m->image)
		pmem_free_pages(m->image, m->image_pages);
	memset(m, 0, sizeof(*m));
	return rc;
}
