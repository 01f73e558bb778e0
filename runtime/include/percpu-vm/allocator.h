/* percpu-vm/allocator.h: the per-CPU offset allocator, usable on its own.
 *
 * Hands out byte ranges ("areas") inside a space [0, space), in practice
 * the per-CPU stride.  It knows nothing about pages or mappings, so the
 * layout tool can run it to predict where modules would land, and the
 * runtime (runtime.h) runs it to decide which page offsets to populate.
 *
 * Freestanding C, no heap: the caller gives pcpu_alloc_meta_size(max_live)
 * bytes of bookkeeping memory to pcpu_alloc_init().  Every function returns
 * 0 or a positive enum pcpu_error code (runtime.h); a failing call changes
 * nothing.  Not thread-safe: the runtime serialises it with its lock hook.
 *
 * Free-error detection (see allocator.c for the invariants):
 *   PCPU_ERR_DOUBLEFREE  the offset was the start of an area that was freed,
 *                        and no live area covers that offset since; the last
 *                        max_live frees are remembered ("tombstones"), older
 *                        ones are forgotten first.
 *   PCPU_ERR_NOTALLOC    any other offset that is not the start of a live
 *                        area (never allocated, inside an area, forgotten
 *                        tombstone, out of range).
 * A stale offset whose range has been handed out again, starting at the very
 * same offset, cannot be told from the new owner's: no allocator can.
 */
#ifndef PERCPU_VM_ALLOCATOR_H
#define PERCPU_VM_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/runtime.h> /* enum pcpu_error, PCPU_PAGE_SIZE */

#ifdef __cplusplus
extern "C" {
#endif

/* Largest alignment an area may ask for: one page.  A per-CPU area needs no
 * more, since every CPU's copy starts at a page-aligned base. */
#define PCPU_ALLOC_MAX_ALIGN PCPU_PAGE_SIZE

/* One extent of the space: a live area or a free gap.  Kept sorted. */
struct pcpu_alloc_extent {
	size_t offset;
	size_t size;
	void *user;  /* caller's value for a live area; NULL for a gap */
	bool live;
};

/* A remembered free: the start and size of an area that was freed. */
struct pcpu_alloc_tomb {
	size_t offset;
	size_t size;
};

/* The allocator.  All fields are private to allocator.c; read them through
 * the functions below. */
struct pcpu_allocator {
	size_t space;                   /* bytes managed: [0, space) */
	size_t used;                    /* bytes in live areas */
	struct pcpu_alloc_extent *ext;  /* extents, sorted, covering [0, space) */
	unsigned nr_ext, max_ext;       /* max_ext = 2 * max_live + 1 */
	unsigned nr_live, max_live;
	struct pcpu_alloc_tomb *tomb;   /* oldest first */
	unsigned nr_tomb, max_tomb;
};

/* Bytes of bookkeeping for at most `max_live` live areas (0 if too many). */
size_t pcpu_alloc_meta_size(unsigned max_live);

/* An empty allocator over [0, space).  PCPU_ERR_INVAL: a NULL pointer,
 * space or max_live zero, or meta_size below pcpu_alloc_meta_size(). */
int pcpu_alloc_init(struct pcpu_allocator *a, size_t space, unsigned max_live,
		    void *meta, size_t meta_size);

/* Where a first-fit allocation of `size` bytes aligned to `align` would
 * land, changing nothing.  Errors, checked in this order: PCPU_ERR_INVAL
 * (size 0), PCPU_ERR_ALIGN (align not a power of two or above
 * PCPU_ALLOC_MAX_ALIGN), PCPU_ERR_NOSPACE (size above the free bytes left),
 * PCPU_ERR_NOMETA (max_live areas already live), PCPU_ERR_NOSPACE (no free
 * extent fits, the free bytes being fragmented). */
int pcpu_alloc_fit(const struct pcpu_allocator *a, size_t size, size_t align,
		   size_t *offset_out);

/* Make [offset, offset+size) a live area carrying `user`.  The range must
 * be wholly free.  PCPU_ERR_INVAL (size 0, range past the end),
 * PCPU_ERR_NOSPACE (part of the range is live), PCPU_ERR_NOMETA. */
int pcpu_alloc_reserve(struct pcpu_allocator *a, size_t offset, size_t size, void *user);

/* pcpu_alloc_fit() then pcpu_alloc_reserve(). */
int pcpu_alloc_alloc(struct pcpu_allocator *a, size_t size, size_t align, void *user,
		     size_t *offset_out);

/* The live area starting at `offset`, changing nothing: its size and user
 * value.  PCPU_ERR_NOTALLOC or PCPU_ERR_DOUBLEFREE as for a free. */
int pcpu_alloc_lookup(const struct pcpu_allocator *a, size_t offset, size_t *size_out,
		      void **user_out);

/* Free the live area starting at `offset` (its neighbouring gaps coalesce)
 * and remember the free as a tombstone.  size_out/user_out may be NULL. */
int pcpu_alloc_free(struct pcpu_allocator *a, size_t offset, size_t *size_out,
		    void **user_out);

/* Walk the live areas in offset order; fn returns false to stop. */
void pcpu_alloc_walk(const struct pcpu_allocator *a,
		     bool (*fn)(size_t offset, size_t size, void *user, void *arg), void *arg);

size_t pcpu_alloc_used(const struct pcpu_allocator *a);
unsigned pcpu_alloc_live(const struct pcpu_allocator *a);
size_t pcpu_alloc_largest_free(const struct pcpu_allocator *a);

/* Check every invariant of allocator.c.  Returns NULL when all hold, or a
 * sentence naming the first broken one (for tests and debug builds). */
const char *pcpu_alloc_verify(const struct pcpu_allocator *a);

#ifdef __cplusplus
}
#endif

#endif /* PERCPU_VM_ALLOCATOR_H */
