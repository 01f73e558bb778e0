/* percpu-layout-model.c: from what the files say to one CPU's stride.
 *
 * Each file's per-CPU sections become one area, laid out the way the part
 * that consumes the file lays it out:
 *  - a linked image: the sections sit at their link addresses; the area
 *    starts at the lowest of them (CPU 0's copy, __per_cpu_start);
 *  - a relocatable (module or plain object): the module loader hands the
 *    runtime one area of init_size + zero_size bytes (pcpu_module_alloc), so
 *    the sections with contents come first, in file order, each at its own
 *    alignment, then the zero-filled ones (.bss.percpu).
 * Then the window is decided (shift, NR_CPUS, base: the command line wins,
 * then the stride note, then the image's own symbols, then configure; a
 * zero-based image's sections are at 0, so its base is its PERCPU_BASE
 * symbol, not the sections' address), the
 * areas are placed by the runtime's allocator (percpu-layout-place.c) and
 * the pages one CPU needs are counted.
 */
#include "config.h"

#include <percpu-vm/config.h>
#include <stdlib.h>
#include <string.h>

#include "percpu-layout.h"

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Sorting moves small keys, not the variables themselves (a variable is
 * about a hundred bytes and there may be tens of thousands). */
struct var_key {
	uint64_t offset;
	const char *name;
	size_t index;
};

static int cmp_var_key(const void *a, const void *b)
{
	const struct var_key *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void sort_vars(struct layout_file *f)
{
	struct var_key *k;
	struct layout_var *sorted;
	size_t i;

	for (i = 1; i < f->nr_vars; i++)
		if (f->vars[i - 1].offset > f->vars[i].offset ||
		    (f->vars[i - 1].offset == f->vars[i].offset &&
		     strcmp(f->vars[i - 1].name, f->vars[i].name) > 0))
			break;
	if (i >= f->nr_vars)
		return; /* already in order (qsort(NULL, 0, ...) is undefined, too) */
	k = layout_xmalloc(f->nr_vars * sizeof(*k));
	for (i = 0; i < f->nr_vars; i++)
		k[i] = (struct var_key){ f->vars[i].offset, f->vars[i].name, i };
	qsort(k, f->nr_vars, sizeof(*k), cmp_var_key);
	sorted = layout_xmalloc(f->nr_vars * sizeof(*sorted));
	for (i = 0; i < f->nr_vars; i++)
		sorted[i] = f->vars[k[i].index];
	free(f->vars);
	f->vars = sorted;
	free(k);
}

/* Put the sections in offset order (the order they sit in the area), and
 * remap the variables' section indices accordingly. */
static void sort_sections(struct layout_file *f)
{
	size_t n = f->nr_sections, i;
	size_t *order = layout_xmalloc(n * sizeof(*order));
	unsigned *newidx = layout_xmalloc(n * sizeof(*newidx));
	struct layout_section *sorted = layout_xmalloc(n * sizeof(*sorted));

	for (i = 0; i < n; i++)
		order[i] = i;
	/* insertion sort, stable: a handful of sections */
	for (i = 1; i < n; i++) {
		size_t j = i, o = order[i];

		while (j > 0 && f->sections[order[j - 1]].offset > f->sections[o].offset) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = o;
	}
	for (i = 0; i < n; i++) {
		sorted[i] = f->sections[order[i]];
		newidx[order[i]] = (unsigned)i;
	}
	memcpy(f->sections, sorted, n * sizeof(*sorted));
	for (i = 0; i < f->nr_vars; i++)
		f->vars[i].section = newidx[f->vars[i].section];
	free(order);
	free(newidx);
	free(sorted);
}

/* Lay the sections out in the file's area and size it. */
static void layout_sections(struct layout_file *f)
{
	uint64_t end = 0, init_end = 0, align = 1;
	size_t i;

	if (f->kind == LAYOUT_IMAGE) {
		/* At their link addresses, from the lowest. */
		f->base = f->sections[0].vma;
		for (i = 1; i < f->nr_sections; i++)
			if (f->sections[i].vma < f->base)
				f->base = f->sections[i].vma;
		for (i = 0; i < f->nr_sections; i++)
			f->sections[i].offset = f->sections[i].vma - f->base;
		/* Sections at 0 are offsets, not CPU 0's copy: zero-based (a
		 * VM-mode window at 0 would be a null pointer's page). */
		f->zero_based = !f->classic && (f->zero_based_symbol || f->base == 0);
	} else {
		/* Contents first, then zero fill: init_size + zero_size. */
		for (int pass = 0; pass < 2; pass++) {
			for (i = 0; i < f->nr_sections; i++) {
				struct layout_section *s = &f->sections[i];

				if (s->zero_fill != (pass == 1))
					continue;
				s->offset = align_up(end, s->align);
				end = s->offset + s->size;
			}
		}
	}
	sort_sections(f);
	end = 0;
	for (i = 0; i < f->nr_sections; i++) {
		const struct layout_section *s = &f->sections[i];

		if (s->offset + s->size > end)
			end = s->offset + s->size;
		if (!s->zero_fill && s->offset + s->size > init_end)
			init_end = s->offset + s->size;
		if (s->align > align)
			align = s->align;
	}
	/* percpu.lds keeps .bss.percpu in the same output section as
	 * .data.percpu (zeros in the file) and marks where the template ends. */
	if (f->kind == LAYOUT_IMAGE && f->has_data_end && f->data_end_sym >= f->base &&
	    f->data_end_sym - f->base <= end)
		init_end = f->data_end_sym - f->base;
	f->init_size = init_end;
	f->area_size = end;
	f->zero_size = end - init_end;
	f->area_align = align;
}

/* The alignment an offset is known to have: the largest power of two that
 * divides it, no more than its section guarantees. */
static uint64_t implied_align(uint64_t offset_in_section, uint64_t section_align)
{
	uint64_t a = offset_in_section ? offset_in_section & -offset_in_section : section_align;

	return a < section_align ? a : section_align;
}

static void layout_vars(struct layout_file *f)
{
	uint64_t prev_end = 0;
	size_t i;

	for (i = 0; i < f->nr_vars; i++) {
		struct layout_var *v = &f->vars[i];
		const struct layout_section *s = &f->sections[v->section];

		if (!v->align_from_report)
			v->align = implied_align(v->offset, s->align);
		v->offset += s->offset;
		v->zero_fill = s->zero_fill || v->offset >= f->init_size;
	}
	sort_vars(f);
	if (!f->sizes_from_symtab) {
		/* No st_size: a variable runs to the next one or its section's end. */
		for (i = 0; i < f->nr_vars; i++) {
			struct layout_var *v = &f->vars[i];
			const struct layout_section *s = &f->sections[v->section];
			uint64_t end = s->offset + s->size;

			if (i + 1 < f->nr_vars && f->vars[i + 1].section == v->section)
				end = f->vars[i + 1].offset;
			v->size = end > v->offset ? end - v->offset : 0;
		}
	}
	for (i = 0; i < f->nr_vars; i++) {
		struct layout_var *v = &f->vars[i];
		uint64_t end;

		v->hole_before = v->offset > prev_end ? v->offset - prev_end : 0;
		end = v->offset + v->size;
		if (end < v->offset) /* a corrupt size; --check reports the symbol */
			end = UINT64_MAX;
		if (end > prev_end)
			prev_end = end;
	}
}

static void decide_window(struct layout *l, const struct layout_options *opt)
{
	const struct layout_file *k = l->nr_files && l->files[0].kind == LAYOUT_IMAGE
					      ? &l->files[0] : NULL;
	size_t i;

	l->shift = PERCPU_SHIFT;
	l->shift_source = LAYOUT_SRC_CONFIGURE;
	l->nr_cpus = PERCPU_NR_CPUS;
	l->nr_cpus_source = LAYOUT_SRC_CONFIGURE;
	l->base = PERCPU_BASE;
	l->base_source = LAYOUT_SRC_CONFIGURE;

	/* The kernel decides: its stride note, else its PERCPU_SHIFT symbol.
	 * Only without either does a module's note stand in.  --check reports
	 * every file that disagrees. */
	for (i = k ? 1 : 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];

		if (f->nr_notes && percpu_shift_valid(f->notes[0].shift)) {
			l->shift = f->notes[0].shift;
			l->shift_source = LAYOUT_SRC_NOTE;
			l->shift_file = f->path;
			break;
		}
	}
	if (k && k->has_image_shift && k->image_shift <= PERCPU_SHIFT_MAX &&
	    percpu_shift_valid((unsigned long)k->image_shift)) {
		l->shift = (unsigned)k->image_shift;
		l->shift_source = LAYOUT_SRC_IMAGE;
		l->shift_file = k->path;
	}
	if (k && k->nr_notes && percpu_shift_valid(k->notes[0].shift)) {
		l->shift = k->notes[0].shift;
		l->shift_source = LAYOUT_SRC_NOTE;
		l->shift_file = k->path;
	}
	if (opt->shift_set) {
		l->shift = opt->shift;
		l->shift_source = LAYOUT_SRC_OPTION;
		l->shift_file = NULL;
	}
	l->stride = (uint64_t)1 << l->shift;
	l->usable = l->stride - PERCPU_GUARD_SIZE;

	if (k && k->has_image_nr_cpus && k->image_nr_cpus >= 1 && k->image_nr_cpus <= 65536) {
		l->nr_cpus = (unsigned)k->image_nr_cpus;
		l->nr_cpus_source = LAYOUT_SRC_IMAGE;
	}
	if (opt->nr_cpus_set) {
		l->nr_cpus = opt->nr_cpus;
		l->nr_cpus_source = LAYOUT_SRC_OPTION;
	}

	if (k && k->zero_based) {
		/* Its symbols are offsets; the window is the image's
		 * PERCPU_BASE, else the configured one of its arch. */
		if (k->has_image_base) {
			l->base = k->image_base;
			l->base_source = LAYOUT_SRC_IMAGE;
		} else if (k->addr_bits == 64) {
			l->base = PERCPU_X86_64_BASE;
		}
	} else if (k) {
		l->base = k->base;
		l->base_source = LAYOUT_SRC_IMAGE;
	} else if (l->nr_files && l->files[0].addr_bits == 64) {
		/* x86-64 objects: the hosted runtime's window (tests, benchmarks) */
		l->base = PERCPU_HOSTED_BASE;
	}
	if (opt->base_set) {
		l->base = opt->base;
		l->base_source = LAYOUT_SRC_OPTION;
	}
}

struct page_range {
	uint64_t first, last; /* page indices, inclusive */
};

static int cmp_range(const void *a, const void *b)
{
	const struct page_range *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Page offsets covered by some placed area: what the runtime maps per CPU. */
static void count_pages(struct layout *l)
{
	struct page_range *r = layout_xmalloc((l->nr_files + l->nr_dynamic + 1) * sizeof(*r));
	size_t n = 0, i;
	uint64_t pages = 0, cur_last = 0;
	bool have = false;

	l->used_end = 0;
	l->used_bytes = 0;
	for (i = 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];

		if (!f->placed || f->area_size == 0)
			continue;
		r[n].first = f->area_offset / LAYOUT_PAGE_SIZE;
		r[n].last = (f->area_offset + f->area_size - 1) / LAYOUT_PAGE_SIZE;
		n++;
		l->used_bytes += f->area_size;
		if (f->area_offset + f->area_size > l->used_end)
			l->used_end = f->area_offset + f->area_size;
	}
	for (i = 0; i < l->nr_dynamic; i++) {
		const struct layout_dynamic *d = &l->dynamic[i];

		if (!d->placed)
			continue;
		r[n].first = d->offset / LAYOUT_PAGE_SIZE;
		r[n].last = (d->offset + d->size - 1) / LAYOUT_PAGE_SIZE;
		n++;
		l->used_bytes += d->size;
		if (d->offset + d->size > l->used_end)
			l->used_end = d->offset + d->size;
	}
	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 0; i < n; i++) {
		if (have && r[i].first <= cur_last) {
			if (r[i].last > cur_last) {
				pages += r[i].last - cur_last;
				cur_last = r[i].last;
			}
			continue;
		}
		pages += r[i].last - r[i].first + 1;
		cur_last = r[i].last;
		have = true;
	}
	l->pages_per_cpu = pages;
	free(r);
}

uint64_t layout_mapped_per_cpu(const struct layout *l)
{
	return l->pages_per_cpu * LAYOUT_PAGE_SIZE;
}

int layout_model(struct layout *l, const struct layout_options *opt, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < l->nr_files; i++) {
		struct layout_file *f = &l->files[i];

		if (f->kind == LAYOUT_IMAGE && i > 0) {
			snprintf(err, errlen, "%s: a linked image can only be the first input (the "
				 "kernel); modules are relocatable objects", f->path);
			return -1;
		}
		f->role = f->kind == LAYOUT_IMAGE ? LAYOUT_ROLE_KERNEL : LAYOUT_ROLE_MODULE;
		layout_sections(f);
		layout_vars(f);
	}
	decide_window(l, opt);
	if (opt->nr_dynamic) {
		l->dynamic = layout_xcalloc(opt->nr_dynamic, sizeof(*l->dynamic));
		memcpy(l->dynamic, opt->dynamic, opt->nr_dynamic * sizeof(*l->dynamic));
		l->nr_dynamic = opt->nr_dynamic;
	}
	layout_place_areas(l);
	count_pages(l);
	return 0;
}
