/* percpu-layout-check.c: the problems --check exits non-zero for.
 *
 * Each is something that corrupts per-CPU data at run time rather than
 * failing to build: data larger than the stride (CPU n's copy runs into
 * CPU n+1's), objects built for different strides (each computes another
 * CPU's copy at another place), a per-CPU symbol outside its section (it
 * is relocated into somebody else's data), and a non-per-CPU section in
 * the window (CPU n's copy overwrites it, or the runtime maps over it).
 */
#include "config.h"

#include <percpu-vm/allocator.h>
#include <string.h>

#include "percpu-layout.h"

/* Every file's objects must have been built for the window's stride:
 * each file is compared with the window (whose shift came from the
 * kernel's note, its PERCPU_SHIFT, the first module's note, --shift or
 * configure, in that order), and a file whose notes disagree among
 * themselves mixes strides inside. */
static void check_notes(struct layout *l)
{
	size_t i, j;

	for (i = 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];

		for (j = 0; j < f->nr_notes; j++) {
			const struct layout_note *n = &f->notes[j];

			if (n->version != PERCPU_NOTE_VERSION)
				layout_add_problem(l, LAYOUT_PB_NOTE, f->path,
						   "stride note version %u, this tool reads version %u",
						   n->version, PERCPU_NOTE_VERSION);
			if (!percpu_shift_valid(n->shift))
				layout_add_problem(l, LAYOUT_PB_NOTE, f->path,
						   "stride note says shift %u, outside %d..%d", n->shift,
						   PERCPU_SHIFT_MIN, PERCPU_SHIFT_MAX);
			if (j > 0 && n->shift != f->notes[0].shift)
				layout_add_problem(l, LAYOUT_PB_MIXED_STRIDES, f->path,
						   "objects built for different strides linked together: "
						   "stride notes say shift %u and shift %u",
						   f->notes[0].shift, n->shift);
		}
		if (f->nr_notes == 0)
			continue;
		if (f->has_image_shift && f->image_shift != f->notes[0].shift)
			layout_add_problem(l, LAYOUT_PB_MIXED_STRIDES, f->path,
					   "linked with PERCPU_SHIFT = %llu, but its objects were "
					   "built for shift %u",
					   (unsigned long long)f->image_shift, f->notes[0].shift);
		else if (f->notes[0].shift != l->shift && l->shift_file)
			layout_add_problem(l, LAYOUT_PB_MIXED_STRIDES, f->path,
					   "built for shift %u, but %s for shift %u",
					   f->notes[0].shift, l->shift_file, l->shift);
		else if (f->notes[0].shift != l->shift)
			layout_add_problem(l, LAYOUT_PB_MIXED_STRIDES, f->path,
					   "built for shift %u, but the window uses shift %u "
					   "(from %s)", f->notes[0].shift, l->shift,
					   layout_source_name(l->shift_source));
	}
}

static void check_sizes(struct layout *l)
{
	size_t i;

	for (i = 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];

		if (f->area_size > l->usable) {
			layout_add_problem(l, LAYOUT_PB_OVER_STRIDE, f->path,
					   "per-CPU area of %llu bytes is larger than the stride "
					   "(%llu bytes, shift %u) less its %u-byte guard page",
					   (unsigned long long)f->area_size,
					   (unsigned long long)l->stride, l->shift,
					   PERCPU_GUARD_SIZE);
		} else if (f->place_error == PCPU_ERR_NOSPACE) {
			layout_add_problem(l, LAYOUT_PB_OVER_STRIDE, f->path,
					   "per-CPU area of %llu bytes does not fit in what the "
					   "stride (%llu bytes, less its %u-byte guard page) has "
					   "left after the areas before it",
					   (unsigned long long)f->area_size,
					   (unsigned long long)l->stride, PERCPU_GUARD_SIZE);
		} else if (f->place_error && f->place_error != PCPU_ERR_STRIDE) {
			/* (PCPU_ERR_STRIDE: reported as mixed-strides) */
			layout_add_problem(l, LAYOUT_PB_PLACEMENT, f->path,
					   "the runtime would refuse its per-CPU area (%llu bytes, "
					   "aligned to %llu): %s",
					   (unsigned long long)f->area_size,
					   (unsigned long long)f->area_align,
					   pcpu_strerror(f->place_error));
		}
	}
}

static void check_dynamic(struct layout *l)
{
	for (size_t i = 0; i < l->nr_dynamic; i++) {
		const struct layout_dynamic *d = &l->dynamic[i];

		if (d->place_error == PCPU_ERR_NOSPACE)
			layout_add_problem(l, LAYOUT_PB_OVER_STRIDE, NULL,
					   "dynamic area %zu (%llu bytes) does not fit in what the "
					   "stride (%llu bytes, less its %u-byte guard page) has left",
					   i + 1, (unsigned long long)d->size,
					   (unsigned long long)l->stride, PERCPU_GUARD_SIZE);
		else if (d->place_error)
			layout_add_problem(l, LAYOUT_PB_PLACEMENT, NULL,
					   "dynamic area %zu (%llu bytes, aligned to %llu): %s", i + 1,
					   (unsigned long long)d->size, (unsigned long long)d->align,
					   pcpu_strerror(d->place_error));
	}
}

static void check_symbols(struct layout *l)
{
	size_t i, j;

	for (i = 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];

		for (j = 0; j < f->nr_overhangs; j++) {
			const struct layout_overhang *o = &f->overhangs[j];

			layout_add_problem(l, LAYOUT_PB_OUTSIDE, f->path,
					   "per-CPU symbol %s (%llu bytes at +%#llx) lies outside "
					   "section %s (%llu bytes)",
					   o->name, (unsigned long long)o->size,
					   (unsigned long long)o->value, o->section,
					   (unsigned long long)o->section_size);
		}
		for (j = 0; j < f->nr_vars; j++)
			if (strcmp(f->vars[j].name, "percpu") == 0)
				layout_add_problem(l, LAYOUT_PB_STRAY, f->path,
						   "a symbol named 'percpu' is in section %s: a "
						   "variable of that name compiled with "
						   "-fdata-sections lands there by name alone",
						   f->sections[f->vars[j].section].name);
		/* Only a file the reports cover (they declare at least one of its
		 * variables) can be judged: a module built without the plugin has
		 * no report at all, and its per-CPU variables are not strays. */
		if (l->nr_reports == 0 || !layout_file_in_reports(f))
			continue;
		for (j = 0; j < f->nr_vars; j++)
			if (!f->vars[j].in_report)
				layout_add_problem(l, LAYOUT_PB_NOT_PERCPU, f->path,
						   "%s is in section %s but no plugin report declares "
						   "it per-CPU (a -fdata-sections stray?)",
						   f->vars[j].name,
						   f->sections[f->vars[j].section].name);
	}
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* Does the kernel image have a window to keep free?  Not in the classic
 * layout, which copies per-CPU data into ordinary memory, nor in a stock
 * Linux image (.data..percpu); a Linux image linked zero-based with
 * percpu.lds names its window in PERCPU_BASE and has one. */
static bool image_has_window(const struct layout_file *k)
{
	if (k->classic)
		return false;
	if (k->linux_naming)
		return k->zero_based && k->has_image_base;
	return true;
}

/* The largest alignment of k's per-CPU sections, and which one. */
static const struct layout_section *most_aligned_section(const struct layout_file *k)
{
	const struct layout_section *m = &k->sections[0];

	for (size_t i = 1; i < k->nr_sections; i++)
		if (k->sections[i].align > m->align)
			m = &k->sections[i];
	return m;
}

static void check_image(struct layout *l)
{
	const struct layout_file *k;
	uint64_t win_size, win_end;
	size_t i;

	if (l->nr_files == 0 || l->files[0].kind != LAYOUT_IMAGE)
		return;
	k = &l->files[0];
	if (k->has_start && k->start_sym != k->base)
		layout_add_problem(l, LAYOUT_PB_MARKERS, k->path,
				   "__per_cpu_start is %#llx but the per-CPU sections start at %#llx",
				   (unsigned long long)k->start_sym, (unsigned long long)k->base);
	if (k->has_end && k->end_sym != k->base + k->area_size)
		layout_add_problem(l, LAYOUT_PB_MARKERS, k->path,
				   "__per_cpu_end is %#llx but the per-CPU sections end at %#llx",
				   (unsigned long long)k->end_sym,
				   (unsigned long long)(k->base + k->area_size));
	if (k->has_data_end && (k->data_end_sym < k->base ||
				k->data_end_sym > k->base + k->area_size))
		layout_add_problem(l, LAYOUT_PB_MARKERS, k->path,
				   "__per_cpu_data_end is %#llx, outside the per-CPU sections "
				   "(%#llx..%#llx)", (unsigned long long)k->data_end_sym,
				   (unsigned long long)k->base,
				   (unsigned long long)(k->base + k->area_size));
	if (!image_has_window(k))
		return;
	if (k->zero_based && k->base != 0)
		layout_add_problem(l, LAYOUT_PB_MARKERS, k->path,
				   "linked zero-based (PERCPU_LAYOUT_ZERO_BASED = 1) but the "
				   "per-CPU sections start at %#llx, not 0",
				   (unsigned long long)k->base);
	else if (!k->zero_based && k->has_image_base && k->image_base != k->base)
		layout_add_problem(l, LAYOUT_PB_MARKERS, k->path,
				   "linked with PERCPU_BASE = %#llx but the per-CPU sections "
				   "start at %#llx", (unsigned long long)k->image_base,
				   (unsigned long long)k->base);
	/* The kernel's area is reserved at offset 0 without an alignment,
	 * so the allocator never sees it; percpu.lds refuses it at link
	 * time, a script without that check does not. */
	if (k->area_align > LAYOUT_PAGE_SIZE)
		layout_add_problem(l, LAYOUT_PB_PLACEMENT, k->path,
				   "section %s is aligned to %llu bytes, beyond a page: each "
				   "CPU's copy is only page aligned (base + n * stride), so that "
				   "alignment cannot hold on every CPU",
				   most_aligned_section(k)->name,
				   (unsigned long long)most_aligned_section(k)->align);
	win_size = (uint64_t)l->nr_cpus << l->shift;
	win_end = l->base + win_size;
	if (win_end < l->base)
		win_size = UINT64_MAX - l->base;
	for (i = 0; i < k->nr_alloc_sections; i++) {
		const struct layout_stray *s = &k->alloc_sections[i];

		if (overlaps(s->vma, s->size, l->base, win_size)) {
			uint64_t off = s->vma > l->base ? s->vma - l->base : 0;

			layout_add_problem(l, LAYOUT_PB_STRAY, k->path,
					   "section %s (%#llx..%#llx) lies in the per-CPU window "
					   "(%#llx..%#llx): CPU %llu's copy would overlap it",
					   s->name, (unsigned long long)s->vma,
					   (unsigned long long)(s->vma + s->size),
					   (unsigned long long)l->base,
					   (unsigned long long)(l->base + win_size),
					   (unsigned long long)(off >> l->shift));
		}
	}
}

/* [base, base + NR_CPUS * stride) must lie inside the address space of
 * the files it is for (2^32 for an elf32 kernel): the copies of the CPUs
 * past its end cannot be addressed, and per_cpu() arithmetic for them
 * wraps around to low memory.  Stock Linux and the classic layout have
 * no window (image_has_window()).  The space is the first input's (the kernel's). */
static void check_window(struct layout *l)
{
	const struct layout_file *k;
	uint64_t size, room;
	unsigned bits;

	if (l->nr_files == 0)
		return;
	k = &l->files[0];
	if (k->kind == LAYOUT_IMAGE && !image_has_window(k))
		return;
	bits = k->addr_bits && k->addr_bits < 64 ? k->addr_bits : 64;
	size = (uint64_t)l->nr_cpus << l->shift; /* at most 2^16 << 40 */
	if (bits < 64)
		room = l->base < ((uint64_t)1 << bits) ? ((uint64_t)1 << bits) - l->base : 0;
	else
		room = l->base ? UINT64_MAX - l->base + 1 : UINT64_MAX; /* 2^64 - base */
	if (size <= room)
		return;
	layout_add_problem(l, LAYOUT_PB_WINDOW_OVERFLOW, k->path,
			   "the per-CPU window at %#llx (%u CPUs x stride %#llx, base from %s) "
			   "runs past the end of the %u-bit address space: from CPU %llu on, the "
			   "CPUs' copies do not fit in it", (unsigned long long)l->base,
			   l->nr_cpus, (unsigned long long)l->stride,
			   layout_source_name(l->base_source), bits,
			   (unsigned long long)(room >> l->shift));
}

void layout_check(struct layout *l)
{
	check_window(l);
	check_notes(l);
	check_sizes(l);
	check_dynamic(l);
	check_symbols(l);
	check_image(l);
}
