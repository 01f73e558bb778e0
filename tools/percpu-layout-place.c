/* percpu-layout-place.c: where the areas land, decided by the runtime itself.
 *
 * The prediction must match what a kernel does, so the tool runs the
 * runtime's own allocator (runtime/allocator.c, linked into the tool) the
 * way runtime.c drives it: the kernel's static area reserved at offset 0
 * first (pcpu_static_init), then one first-fit allocation per module, in
 * the order given, of init_size + zero_size bytes at the module's largest
 * per-CPU section alignment (pcpu_module_alloc).  There is no second
 * allocator here to drift out of step.  A module built for another stride
 * is not placed: the loader refuses it (PCPU_ERR_STRIDE) without asking the
 * runtime for room.  Dynamic areas (--dynamic) come last, as a kernel that
 * has loaded its modules and then calls alloc_percpu() would place them.
 * Like the runtime's, this allocator manages the stride less its guard
 * page (l->usable), so nothing is predicted to land where the runtime
 * refuses it.
 */
#include "config.h"

#include <percpu-vm/allocator.h>
#include <stdlib.h>

#include "percpu-layout.h"

/* A module whose stride notes name another shift than the window's (or
 * two shifts) is refused by the loader, so it takes no room. */
static bool built_for_another_stride(const struct layout_file *f, unsigned shift)
{
	for (size_t i = 0; i < f->nr_notes; i++)
		if (f->notes[i].shift != shift)
			return true;
	return false;
}

void layout_place_areas(struct layout *l)
{
	struct pcpu_allocator a;
	unsigned max_live = (unsigned)(l->nr_files + l->nr_dynamic) + 1;
	size_t meta_size = pcpu_alloc_meta_size(max_live);
	void *meta = layout_xcalloc(1, meta_size);
	int err;
	size_t i;

	err = pcpu_alloc_init(&a, (size_t)l->usable, max_live, meta, meta_size);
	for (i = 0; i < l->nr_files; i++) {
		struct layout_file *f = &l->files[i];
		size_t off = 0;

		f->placed = false;
		f->area_offset = 0;
		f->place_error = err;
		if (err)
			continue;
		if (f->area_size == 0) {
			/* Nothing to reserve: the runtime is not called at all. */
			f->place_error = 0;
			continue;
		}
		if (f->area_size > l->usable) {
			f->place_error = PCPU_ERR_NOSPACE;
			continue;
		}
		if (f->role == LAYOUT_ROLE_MODULE && built_for_another_stride(f, l->shift)) {
			/* The module loader refuses it before asking the runtime. */
			f->place_error = PCPU_ERR_STRIDE;
			continue;
		}
		if (f->role == LAYOUT_ROLE_KERNEL) {
			f->place_error = pcpu_alloc_reserve(&a, 0, (size_t)f->area_size, f);
		} else {
			size_t align = f->area_align ? (size_t)f->area_align : 1;

			f->place_error = pcpu_alloc_alloc(&a, (size_t)f->area_size, align, f, &off);
		}
		if (f->place_error == 0) {
			f->placed = true;
			f->area_offset = off;
		}
	}
	/* Then the dynamic areas (pcpu_dyn_alloc), first fit like modules. */
	for (i = 0; i < l->nr_dynamic; i++) {
		struct layout_dynamic *d = &l->dynamic[i];
		size_t off = 0;

		d->placed = false;
		d->place_error = err;
		if (err)
			continue;
		if (d->size > l->usable) {
			d->place_error = PCPU_ERR_NOSPACE;
			continue;
		}
		d->place_error = pcpu_alloc_alloc(&a, (size_t)d->size, (size_t)d->align, d, &off);
		if (d->place_error == 0) {
			d->placed = true;
			d->offset = off;
		}
	}
	free(meta);
}
