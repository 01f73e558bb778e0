/* percpu-layout-read.c: read one input through libbfd.
 *
 * Everything a file says about itself is checked against the file before
 * the tool relies on it: section contents must lie inside the file, the
 * symbol table must fit in it, a note must fit in its section, and symbol
 * values are compared with their section's size (a symbol that does not fit
 * is kept and reported by --check, never used to index anything).  A file
 * the tool cannot read gives one line naming the problem; the caller adds
 * the file name.
 */
#include "config.h" /* PACKAGE and PACKAGE_VERSION, which bfd.h insists on */

#include <bfd.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <percpu-vm/contract.h>

#include "percpu-layout-bfd.h"
#include "percpu-layout.h"

/* libbfd keeps an ELF symbol's st_size only in its private elf_symbol_type,
 * declared in elf-bfd.h, which binutils-dev does not install.  That struct
 * begins with the asymbol and then the internal ELF symbol, whose first two
 * fields are st_value and st_size; binutils' own nm reads the size the same
 * way.  Because the layout is private, read_symbols() checks st_value
 * against what libbfd tells through the public API for every symbol it
 * uses, and falls back to sizes inferred from the next symbol if the check
 * ever fails. */
struct elf_symbol_mirror {
	asymbol symbol;
	struct {
		bfd_vma st_value;
		bfd_vma st_size;
	} internal;
};

void layout_read_init(void)
{
	if (bfd_init() != BFD_INIT_MAGIC) {
		fputs("percpu-layout: libbfd was built for another version than bfd.h\n", stderr);
		exit(2);
	}
	layout_bfd_messages_init();
}

/* The names the linker scripts take as per-CPU input: the one rule in
 * percpu-vm/contract.h. */
bool layout_is_percpu_section(const char *name)
{
	return percpu_section_p(name);
}

/* libbfd keeps an ELF section's type only in its private
 * bfd_elf_section_data (elf-bfd.h, not installed), whose first member is
 * the internal section header; binutils' own readelf-like tools read
 * sh_type from there.  This mirrors that header's first fields.  A section
 * whose mirror does not point back at the section (a libbfd with another
 * layout) is judged by name instead, see is_note_section(). */
struct elf_shdr_mirror {
	unsigned int sh_name;
	unsigned int sh_type;
	bfd_vma sh_flags;
	bfd_vma sh_addr;
	file_ptr sh_offset;
	bfd_size_type sh_size;
	unsigned int sh_link;
	unsigned int sh_info;
	bfd_vma sh_addralign;
	bfd_size_type sh_entsize;
	asection *bfd_section;
};

#define ELF_SHT_NOTE 7u

/* Is this an ELF note section (SHT_NOTE)?  Notes are found by their type,
 * not by the section's name: a Linux-style link merges every .note.* into
 * one ".notes" section, where the stride note must still be found. */
static bool is_note_section(asection *sec)
{
	const struct elf_shdr_mirror *h = sec->used_by_bfd;
	const char *name = bfd_section_name(sec);

	if (h && h->bfd_section == sec && h->sh_offset == sec->filepos)
		return h->sh_type == ELF_SHT_NOTE;
	/* Fallback for an unknown libbfd layout: the names linkers give notes. */
	return name && strncmp(name, ".note", 5) == 0;
}

/* Linker-script markers and configuration symbols: not variables. */
static bool is_marker_symbol(const char *name)
{
	return strncmp(name, "__per_cpu_", 10) == 0 || strncmp(name, ".L", 2) == 0 ||
	       name[0] == '\0' || name[0] == '$';
}

struct reader {
	bfd *abfd;
	const char *path;
	struct layout_file *f;
	uint64_t file_size;
	uint64_t addr_max;        /* largest address of the target + 1 (0: 2^64) */
	char *err;
	size_t errlen;
	int *secmap;              /* bfd section index -> index in f->sections, or -1 */
	size_t secmap_len;
	size_t cap_vars, cap_notes, cap_alloc, cap_overhangs, cap_sections, cap_units;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	n = strlen(r->err);
	if (layout_bfd_complaint()[0] && n + 20 < r->errlen)
		snprintf(r->err + n, r->errlen - n, " (libbfd: %s)", layout_bfd_complaint());
	layout_sanitize_line(r->err); /* a section name may hold a newline */
	return -1;
}

/* Contents of `sec` may be read only if they lie inside the file. */
static int check_contents_in_file(struct reader *r, asection *sec)
{
	uint64_t size = bfd_section_size(sec);

	if (!(bfd_section_flags(sec) & SEC_HAS_CONTENTS))
		return 0;
	if (sec->filepos < 0 || (uint64_t)sec->filepos > r->file_size ||
	    size > r->file_size - (uint64_t)sec->filepos)
		return fail(r, "section %s: %llu bytes at file offset %lld run past the end of "
			    "the file (%llu bytes): truncated or corrupt",
			    bfd_section_name(sec), (unsigned long long)size, (long long)sec->filepos,
			    (unsigned long long)r->file_size);
	return 0;
}

/* Parse every note of one note section, keeping the stride notes (owner
 * percpu-vm) and stepping over the others.  Name and descriptor are each
 * padded to the section's alignment: 4 bytes, or 8 in an 8-aligned
 * section (64-bit GNU property notes), as readelf and libbfd walk them. */
static int read_notes(struct reader *r, asection *sec)
{
	uint64_t size = bfd_section_size(sec);
	unsigned power = bfd_section_alignment(sec);
	uint64_t pad = power == 3 ? 7 : 3;
	bfd_byte *data;
	uint64_t pos = 0;

	if (check_contents_in_file(r, sec) < 0)
		return -1;
	if (!(bfd_section_flags(sec) & SEC_HAS_CONTENTS) || size == 0)
		return 0;
	if (power > 3)
		return fail(r, "section %s: a note section aligned to 2**%u (notes are aligned "
			    "to 4 or 8 bytes)", bfd_section_name(sec), power);
	if (!bfd_malloc_and_get_section(r->abfd, sec, &data))
		return fail(r, "section %s: cannot read its contents: %s", bfd_section_name(sec),
			    bfd_errmsg(bfd_get_error()));
	while (pos < size) {
		uint64_t namesz, descsz, type, desc_off, next;
		const char *name;
		const bfd_byte *desc;

		if (size - pos < 12) {
			free(data);
			return fail(r, "section %s: note header at byte %llu runs past the section "
				    "end (%llu bytes)", bfd_section_name(sec),
				    (unsigned long long)pos, (unsigned long long)size);
		}
		namesz = bfd_get_32(r->abfd, data + pos);
		descsz = bfd_get_32(r->abfd, data + pos + 4);
		type = bfd_get_32(r->abfd, data + pos + 8);
		/* From the note's start: the descriptor at the first aligned
		 * byte after the name, the next note after the descriptor. */
		desc_off = (12 + namesz + pad) & ~pad;
		next = (desc_off + descsz + pad) & ~pad;
		if (desc_off > size - pos || descsz > size - pos - desc_off) {
			free(data);
			return fail(r, "section %s: note at byte %llu (name %llu bytes, descriptor "
				    "%llu bytes) runs past the section end (%llu bytes)",
				    bfd_section_name(sec), (unsigned long long)pos,
				    (unsigned long long)namesz, (unsigned long long)descsz,
				    (unsigned long long)size);
		}
		name = (const char *)data + pos + 12;
		desc = data + pos + desc_off;
		if (namesz == sizeof(PERCPU_NOTE_OWNER) &&
		    memcmp(name, PERCPU_NOTE_OWNER, sizeof(PERCPU_NOTE_OWNER)) == 0) {
			struct layout_note *n;

			if (type != PERCPU_NOTE_TYPE || descsz < PERCPU_NOTE_DESC_SIZE) {
				free(data);
				return fail(r, "section %s: note at byte %llu: owner %s but type %#llx "
					    "and %llu descriptor bytes (want type %#x, at least %u bytes)",
					    bfd_section_name(sec), (unsigned long long)pos,
					    PERCPU_NOTE_OWNER, (unsigned long long)type,
					    (unsigned long long)descsz, PERCPU_NOTE_TYPE,
					    PERCPU_NOTE_DESC_SIZE);
			}
			layout_grow(&r->f->notes, &r->cap_notes, r->f->nr_notes, sizeof(*n));
			n = &r->f->notes[r->f->nr_notes++];
			n->section = layout_xstrdup(bfd_section_name(sec));
			layout_sanitize_line(n->section);
			n->version = (unsigned)bfd_get_32(r->abfd, desc);
			n->shift = (unsigned)bfd_get_32(r->abfd, desc + 4);
		}
		if (next >= size - pos)
			break; /* the last note (its final padding may be left out) */
		pos += next;
	}
	free(data);
	return 0;
}

static int add_percpu_section(struct reader *r, asection *sec)
{
	struct layout_file *f = r->f;
	struct layout_section *s;
	uint64_t size = bfd_section_size(sec);
	uint64_t vma = bfd_section_vma(sec);
	unsigned power = bfd_section_alignment(sec);

	if (check_contents_in_file(r, sec) < 0)
		return -1;
	if (power > 31)
		return fail(r, "section %s: alignment 2**%u is not believable", bfd_section_name(sec),
			    power);
	if (size > UINT64_MAX - vma)
		return fail(r, "section %s: %#llx bytes at %#llx wrap around the address space",
			    bfd_section_name(sec), (unsigned long long)size,
			    (unsigned long long)vma);
	if (f->kind == LAYOUT_IMAGE && r->addr_max &&
	    (vma >= r->addr_max || size > r->addr_max - vma))
		return fail(r, "section %s: %#llx bytes at %#llx run past the end of the address "
			    "space", bfd_section_name(sec), (unsigned long long)size,
			    (unsigned long long)vma);
	if (f->kind == LAYOUT_RELOCATABLE && size > ((uint64_t)1 << 40))
		return fail(r, "section %s: size %#llx is not believable", bfd_section_name(sec),
			    (unsigned long long)size);
	layout_grow(&f->sections, &r->cap_sections, f->nr_sections, sizeof(*s));
	s = &f->sections[f->nr_sections];
	memset(s, 0, sizeof(*s));
	s->name = layout_xstrdup(bfd_section_name(sec));
	layout_sanitize_line(s->name); /* shown in tables and one-line messages */
	s->vma = f->kind == LAYOUT_IMAGE ? vma : 0;
	s->size = size;
	s->align = (uint64_t)1 << power;
	s->zero_fill = !(bfd_section_flags(sec) & SEC_HAS_CONTENTS);
	s->init_size = s->zero_fill ? 0 : size;
	if (percpu_section_linux_naming_p(s->name))
		f->linux_naming = true;
	if ((size_t)sec->index < r->secmap_len)
		r->secmap[sec->index] = (int)f->nr_sections;
	f->nr_sections++;
	return 0;
}

/* The plugin's records (.percpu.report): kept as bytes, framed and parsed
 * only when the reports are merged. */
#define REPORT_SECTION_MAX_BYTES (256u << 20)

static int read_report_section(struct reader *r, asection *sec)
{
	struct layout_file *f = r->f;
	uint64_t size = bfd_section_size(sec);
	bfd_byte *data = NULL;

	if (check_contents_in_file(r, sec) < 0)
		return -1;
	f->has_report_section = true;
	if (!(bfd_section_flags(sec) & SEC_HAS_CONTENTS) || size == 0)
		return 0;
	if (size > REPORT_SECTION_MAX_BYTES || size > REPORT_SECTION_MAX_BYTES - f->report_section_size)
		return fail(r, "section %s: %llu bytes: too big for the plugin's records",
			    bfd_section_name(sec), (unsigned long long)size);
	if (!bfd_get_full_section_contents(r->abfd, sec, &data) || !data) {
		free(data);
		return fail(r, "section %s: cannot read: %s", bfd_section_name(sec),
			    bfd_errmsg(bfd_get_error()));
	}
	f->report_section = layout_xrealloc(f->report_section, f->report_section_size + size);
	memcpy(f->report_section + f->report_section_size, data, size);
	f->report_section_size += size;
	free(data);
	return 0;
}

static int read_sections(struct reader *r)
{
	struct layout_file *f = r->f;
	asection *sec;

	for (sec = r->abfd->sections; sec; sec = sec->next) {
		const char *name = bfd_section_name(sec);
		flagword flags = bfd_section_flags(sec);

		if (!name)
			continue;
		if (layout_is_percpu_section(name)) {
			if (add_percpu_section(r, sec) < 0)
				return -1;
			continue;
		}
		if (strcmp(name, PERCPU_REPORT_SECTION_NAME) == 0) {
			if (read_report_section(r, sec) < 0)
				return -1;
			continue;
		}
		if (is_note_section(sec) && read_notes(r, sec) < 0)
			return -1;
		if (f->kind == LAYOUT_IMAGE && (flags & SEC_ALLOC) && bfd_section_size(sec)) {
			struct layout_stray *a;

			if (check_contents_in_file(r, sec) < 0)
				return -1;
			layout_grow(&f->alloc_sections, &r->cap_alloc, f->nr_alloc_sections,
				    sizeof(*a));
			a = &f->alloc_sections[f->nr_alloc_sections++];
			a->name = layout_xstrdup(name);
			layout_sanitize_line(a->name);
			a->vma = bfd_section_vma(sec);
			a->size = bfd_section_size(sec);
		} else if (check_contents_in_file(r, sec) < 0) {
			/* Not a section the tool reads, but a file that ends
			 * before its sections do is truncated or corrupt. */
			return -1;
		}
	}
	if (f->nr_sections == 0)
		return fail(r, "no per-CPU section (.data.percpu, .bss.percpu or .data..percpu)");
	return 0;
}

static void note_config_symbol(struct layout_file *f, const char *name, uint64_t value)
{
	if (strcmp(name, "PERCPU_SHIFT") == 0) {
		f->has_image_shift = true;
		f->image_shift = value;
	} else if (strcmp(name, "PERCPU_NR_CPUS") == 0) {
		f->has_image_nr_cpus = true;
		f->image_nr_cpus = value;
	} else if (strcmp(name, "PERCPU_LAYOUT_CLASSIC") == 0) {
		f->classic = value != 0;
	} else if (strcmp(name, "PERCPU_LAYOUT_ZERO_BASED") == 0) {
		f->zero_based_symbol = value != 0;
	} else if (strcmp(name, "PERCPU_BASE") == 0) {
		f->has_image_base = true;
		f->image_base = value;
	}
}

static int read_symbols(struct reader *r)
{
	struct layout_file *f = r->f;
	bool image = f->kind == LAYOUT_IMAGE;
	long storage, count, i;
	asymbol **syms;

	if (!(bfd_get_file_flags(r->abfd) & HAS_SYMS))
		return 0;
	storage = bfd_get_symtab_upper_bound(r->abfd);
	if (storage < 0)
		return fail(r, "cannot read the symbol table: %s", bfd_errmsg(bfd_get_error()));
	/* An ELF symbol takes at least 16 bytes in the file. */
	if ((uint64_t)storage / sizeof(asymbol *) > r->file_size / 16 + 1)
		return fail(r, "the symbol table claims %llu symbols, more than the file can hold",
			    (unsigned long long)(storage / sizeof(asymbol *) - 1));
	syms = layout_xmalloc(storage ? (size_t)storage : sizeof(asymbol *));
	count = bfd_canonicalize_symtab(r->abfd, syms);
	if (count < 0) {
		free(syms);
		return fail(r, "cannot read the symbol table: %s", bfd_errmsg(bfd_get_error()));
	}
	f->sizes_from_symtab = bfd_get_flavour(r->abfd) == bfd_target_elf_flavour;
	for (i = 0; i < count; i++) {
		asymbol *sym = syms[i];
		asection *sec;
		const char *name;
		flagword flags;
		struct layout_section *ls;
		struct layout_var *v;
		uint64_t value, size = 0;
		int idx;

		if (!sym)
			continue;
		flags = sym->flags;
		name = bfd_asymbol_name(sym);
		sec = bfd_asymbol_section(sym);
		if (name && (flags & BSF_FILE)) {
			/* ELF lists a unit's local symbols after its STT_FILE:
			 * remember it, to tell same-named statics apart. */
			layout_grow(&f->units, &r->cap_units, f->nr_units, sizeof(char *));
			f->units[f->nr_units++] = layout_xstrdup(name);
			continue;
		}
		if (!name || !sec || (flags & (BSF_SECTION_SYM | BSF_DEBUGGING |
					       BSF_WARNING | BSF_INDIRECT)))
			continue;
		if (strcmp(name, "__per_cpu_start") == 0) {
			f->has_start = true;
			f->start_sym = bfd_asymbol_value(sym);
			continue;
		}
		if (strcmp(name, "__per_cpu_data_end") == 0) {
			f->has_data_end = true;
			f->data_end_sym = bfd_asymbol_value(sym);
			continue;
		}
		if (strcmp(name, "__per_cpu_end") == 0) {
			f->has_end = true;
			f->end_sym = bfd_asymbol_value(sym);
			continue;
		}
		if (bfd_is_abs_section(sec)) {
			if (image)
				note_config_symbol(f, name, bfd_asymbol_value(sym));
			continue;
		}
		if ((size_t)sec->index >= r->secmap_len || r->secmap[sec->index] < 0 ||
		    is_marker_symbol(name))
			continue;
		idx = r->secmap[sec->index];
		ls = &f->sections[idx];
		value = sym->value;
		if (f->sizes_from_symtab) {
			const struct elf_symbol_mirror *m = (const struct elf_symbol_mirror *)sym;
			uint64_t expect = value + (image ? bfd_section_vma(sec) : 0);

			if (bfd_asymbol_flavour(sym) != bfd_target_elf_flavour ||
			    m->internal.st_value != expect)
				f->sizes_from_symtab = false;
			else
				size = m->internal.st_size;
		}
		if (size == 0 && !(flags & BSF_OBJECT))
			continue; /* a label, not a variable */
		if (value > ls->size || size > ls->size - value) {
			struct layout_overhang *o;

			layout_grow(&f->overhangs, &r->cap_overhangs, f->nr_overhangs, sizeof(*o));
			o = &f->overhangs[f->nr_overhangs++];
			o->name = layout_xstrdup(name);
			o->section = layout_xstrdup(ls->name);
			o->value = value;
			o->size = size;
			o->section_size = ls->size;
		}
		layout_grow(&f->vars, &r->cap_vars, f->nr_vars, sizeof(*v));
		v = &f->vars[f->nr_vars++];
		memset(v, 0, sizeof(*v));
		v->name = layout_xstrdup(name);
		v->offset = value; /* section-relative until the model adds the section's offset */
		v->size = size;
		v->section = (unsigned)idx;
		v->global = (flags & (BSF_GLOBAL | BSF_WEAK)) != 0;
		v->unit = !v->global && f->nr_units ? f->units[f->nr_units - 1] : NULL;
	}
	free(syms);
	if (!f->sizes_from_symtab)
		for (size_t k = 0; k < f->nr_vars; k++)
			f->vars[k].size = 0; /* the model infers them from the next symbol */
	return 0;
}

int layout_read_file(const char *path, struct layout_file *out, char *err, size_t errlen)
{
	struct reader r;
	struct stat st;
	flagword fflags;
	int ret = -1;
	int bits;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.f = out;
	r.err = err;
	r.errlen = errlen;
	layout_bfd_complaint_reset();
	out->path = layout_xstrdup(path);

	if (stat(path, &st) < 0)
		return fail(&r, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(&r, "is a directory");
	if (!S_ISREG(st.st_mode))
		return fail(&r, "not a regular file (%s)", layout_file_type_name(st.st_mode));
	r.file_size = (uint64_t)st.st_size;
	r.abfd = bfd_openr(path, NULL);
	if (!r.abfd)
		return fail(&r, "cannot open: %s", bfd_errmsg(bfd_get_error()));
	if (!layout_bfd_check_format_quietly(r.abfd)) {
		bfd_error_type e = bfd_get_error();

		if (r.file_size == 0)
			fail(&r, "empty file, not an ELF object");
		else if (bfd_check_format(r.abfd, bfd_archive))
			fail(&r, "an archive: give the objects inside it instead");
		else if (e == bfd_error_file_ambiguously_recognized)
			fail(&r, "ambiguous object format");
		else if (e == bfd_error_file_not_recognized || e == bfd_error_wrong_format)
			fail(&r, "not an ELF object (file format not recognized)");
		else
			fail(&r, "not a readable ELF object: %s", bfd_errmsg(e));
		goto out;
	}
	if (layout_bfd_complaint()[0]) {
		layout_bfd_complaint_drop_path(path);
		/* libbfd recognised the format but found the file damaged. */
		fail(&r, "truncated or corrupt ELF");
		goto out;
	}
	if (bfd_get_flavour(r.abfd) != bfd_target_elf_flavour) {
		fail(&r, "not an ELF object (libbfd reads it as %s)", bfd_get_target(r.abfd));
		goto out;
	}
	out->format = layout_xstrdup(bfd_get_target(r.abfd));
	fflags = bfd_get_file_flags(r.abfd);
	out->kind = (fflags & (EXEC_P | DYNAMIC)) ? LAYOUT_IMAGE : LAYOUT_RELOCATABLE;
	bits = bfd_arch_bits_per_address(r.abfd);
	if (bits <= 0)
		bits = bfd_get_arch_size(r.abfd);
	r.addr_max = bits > 0 && bits < 64 ? (uint64_t)1 << bits : 0;
	out->addr_bits = bits > 0 ? (unsigned)bits : 0;
	r.secmap_len = bfd_count_sections(r.abfd) + 1;
	r.secmap = layout_xmalloc(r.secmap_len * sizeof(int));
	for (size_t i = 0; i < r.secmap_len; i++)
		r.secmap[i] = -1;
	if (read_sections(&r) < 0 || read_symbols(&r) < 0)
		goto out;
	ret = 0;
out:
	free(r.secmap);
	if (!bfd_close(r.abfd) && ret == 0)
		ret = fail(&r, "cannot close: %s", bfd_errmsg(bfd_get_error()));
	return ret;
}
