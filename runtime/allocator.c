/* allocator.c: first-fit offset allocator over [0, space).
 *
 * The space is described by an array of extents, each either a live area or
 * a free gap.  Invariants, checked by pcpu_alloc_verify() after every
 * operation in the tests:
 *
 *  I1  The extents tile the space: ext[0].offset == 0, each extent has a
 *      nonzero size, ext[i].offset + ext[i].size == ext[i+1].offset, and the
 *      last one ends at `space`.  So live areas never overlap.
 *  I2  No two gaps are adjacent: a free coalesces with both neighbours at
 *      once, so the gaps are the maximal free runs.  With I1 this bounds the
 *      extent count by 2 * nr_live + 1 = max_ext, which is why reserving
 *      never runs out of extents before it runs out of live slots.
 *  I3  nr_live counts the live extents and is at most max_live; `used` is
 *      the sum of their sizes.  A gap's user value is NULL.
 *  I4  Tombstones (the remembered frees, oldest first, at most max_tomb)
 *      have distinct offsets inside the space, and no live area covers any
 *      tombstone's offset: reserving a range drops the tombstones whose
 *      offset it covers, because that offset now belongs to someone else.
 *
 * Operations are linear in the number of extents (array insert/remove) and
 * logarithmic to find an offset: per-CPU areas number in the hundreds or
 * thousands, and a kernel allocates them rarely.
 *
 * Every operation first checks everything that could make it fail, then
 * changes state, so a failing call changes nothing.
 */
#include <percpu-vm/allocator.h>

#include "mem.h"

static bool is_pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

size_t pcpu_alloc_meta_size(unsigned max_live)
{
	size_t n = max_live;
	size_t per = 2 * sizeof(struct pcpu_alloc_extent) + sizeof(struct pcpu_alloc_tomb);

	if (max_live == 0 || n > (SIZE_MAX - sizeof(struct pcpu_alloc_extent)) / per)
		return 0;
	return sizeof(struct pcpu_alloc_extent) * (2 * n + 1) + sizeof(struct pcpu_alloc_tomb) * n;
}

int pcpu_alloc_init(struct pcpu_allocator *a, size_t space, unsigned max_live,
		    void *meta, size_t meta_size)
{
	size_t need = pcpu_alloc_meta_size(max_live);

	if (!a || !meta || space == 0 || need == 0 || meta_size < need)
		return PCPU_ERR_INVAL;
	if ((uintptr_t)meta % _Alignof(struct pcpu_alloc_extent) != 0)
		return PCPU_ERR_INVAL;
	a->space = space;
	a->used = 0;
	a->ext = meta;
	a->max_live = max_live;
	a->max_ext = 2 * max_live + 1;
	a->tomb = (struct pcpu_alloc_tomb *)(a->ext + a->max_ext);
	a->max_tomb = max_live;
	a->nr_tomb = 0;
	a->nr_live = 0;
	a->nr_ext = 1;
	a->ext[0].offset = 0;
	a->ext[0].size = space;
	a->ext[0].user = NULL;
	a->ext[0].live = false;
	return PCPU_OK;
}

/* Index of the extent holding byte `x` (x < space). */
static unsigned find_extent(const struct pcpu_allocator *a, size_t x)
{
	unsigned lo = 0, hi = a->nr_ext; /* answer in [lo, hi) */

	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;

		if (a->ext[mid].offset <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int pcpu_alloc_fit(const struct pcpu_allocator *a, size_t size, size_t align,
		   size_t *offset_out)
{
	if (!a || !offset_out || size == 0)
		return PCPU_ERR_INVAL;
	if (!is_pow2(align) || align > PCPU_ALLOC_MAX_ALIGN)
		return PCPU_ERR_ALIGN;
	/* More than the room left is NOSPACE even when the bookkeeping is
	 * full too: freeing areas would not be enough to make it fit. */
	if (size > a->space - a->used)
		return PCPU_ERR_NOSPACE;
	if (a->nr_live >= a->max_live)
		return PCPU_ERR_NOMETA;
	for (unsigned i = 0; i < a->nr_ext; i++) {
		const struct pcpu_alloc_extent *e = &a->ext[i];
		size_t end = e->offset + e->size, start;

		if (e->live || e->size < size)
			continue;
		/* Round up without overflow: end <= space, align <= a page. */
		start = (e->offset + (align - 1)) & ~(align - 1);
		if (start < e->offset || start >= end)
			continue;
		if (end - start >= size) {
			*offset_out = start;
			return PCPU_OK;
		}
	}
	return PCPU_ERR_NOSPACE;
}

/* Drop the tombstones whose offset lies in [off, off + size). */
static void forget_tombs(struct pcpu_allocator *a, size_t off, size_t size)
{
	unsigned w = 0;

	for (unsigned r = 0; r < a->nr_tomb; r++) {
		if (a->tomb[r].offset - off < size)
			continue;
		a->tomb[w++] = a->tomb[r];
	}
	a->nr_tomb = w;
}

static void insert_extents(struct pcpu_allocator *a, unsigned at, unsigned count)
{
	pcpu_memmove(&a->ext[at + count], &a->ext[at],
		     (a->nr_ext - at) * sizeof(a->ext[0]));
	a->nr_ext += count;
}

static void remove_extents(struct pcpu_allocator *a, unsigned at, unsigned count)
{
	pcpu_memmove(&a->ext[at], &a->ext[at + count],
		     (a->nr_ext - at - count) * sizeof(a->ext[0]));
	a->nr_ext -= count;
}

int pcpu_alloc_reserve(struct pcpu_allocator *a, size_t offset, size_t size, void *user)
{
	unsigned i;
	size_t gap_end, before, after;

	if (!a || size == 0 || offset >= a->space || size > a->space - offset)
		return PCPU_ERR_INVAL;
	if (a->nr_live >= a->max_live)
		return PCPU_ERR_NOMETA;
	i = find_extent(a, offset);
	gap_end = a->ext[i].offset + a->ext[i].size;
	if (a->ext[i].live || size > gap_end - offset)
		return PCPU_ERR_NOSPACE;

	/* Split the gap into [before][area][after]; I2 guarantees the room. */
	before = offset - a->ext[i].offset;
	after = gap_end - offset - size;
	if (before) {
		insert_extents(a, i + 1, 1);
		a->ext[i].size = before;
		i++;
	}
	if (after) {
		insert_extents(a, i + 1, 1);
		a->ext[i + 1].offset = offset + size;
		a->ext[i + 1].size = after;
		a->ext[i + 1].user = NULL;
		a->ext[i + 1].live = false;
	}
	a->ext[i].offset = offset;
	a->ext[i].size = size;
	a->ext[i].user = user;
	a->ext[i].live = true;
	a->nr_live++;
	a->used += size;
	forget_tombs(a, offset, size);
	return PCPU_OK;
}

int pcpu_alloc_alloc(struct pcpu_allocator *a, size_t size, size_t align, void *user,
		     size_t *offset_out)
{
	size_t off;
	int err = pcpu_alloc_fit(a, size, align, &off);

	if (err)
		return err;
	err = pcpu_alloc_reserve(a, off, size, user);
	if (err)
		return err;
	*offset_out = off;
	return PCPU_OK;
}

/* Index of the live extent starting at `offset`, or an error saying why
 * there is none. */
static int find_live(const struct pcpu_allocator *a, size_t offset, unsigned *idx)
{
	if (offset < a->space) {
		unsigned i = find_extent(a, offset);

		if (a->ext[i].live && a->ext[i].offset == offset) {
			*idx = i;
			return PCPU_OK;
		}
	}
	for (unsigned t = 0; t < a->nr_tomb; t++)
		if (a->tomb[t].offset == offset)
			return PCPU_ERR_DOUBLEFREE;
	return PCPU_ERR_NOTALLOC;
}

int pcpu_alloc_lookup(const struct pcpu_allocator *a, size_t offset, size_t *size_out,
		      void **user_out)
{
	unsigned i;
	int err;

	if (!a)
		return PCPU_ERR_INVAL;
	err = find_live(a, offset, &i);
	if (err)
		return err;
	if (size_out)
		*size_out = a->ext[i].size;
	if (user_out)
		*user_out = a->ext[i].user;
	return PCPU_OK;
}

int pcpu_alloc_free(struct pcpu_allocator *a, size_t offset, size_t *size_out,
		    void **user_out)
{
	unsigned i;
	size_t size;
	int err;

	if (!a)
		return PCPU_ERR_INVAL;
	err = find_live(a, offset, &i);
	if (err)
		return err;
	size = a->ext[i].size;
	if (size_out)
		*size_out = size;
	if (user_out)
		*user_out = a->ext[i].user;

	a->ext[i].live = false;
	a->ext[i].user = NULL;
	a->nr_live--;
	a->used -= size;
	/* Coalesce with the gap after, then with the gap before (I2). */
	if (i + 1 < a->nr_ext && !a->ext[i + 1].live) {
		a->ext[i].size += a->ext[i + 1].size;
		remove_extents(a, i + 1, 1);
	}
	if (i > 0 && !a->ext[i - 1].live) {
		a->ext[i - 1].size += a->ext[i].size;
		remove_extents(a, i, 1);
	}

	/* Remember the free; when full, forget the oldest one. */
	if (a->nr_tomb == a->max_tomb) {
		pcpu_memmove(&a->tomb[0], &a->tomb[1], (a->nr_tomb - 1) * sizeof(a->tomb[0]));
		a->nr_tomb--;
	}
	a->tomb[a->nr_tomb].offset = offset;
	a->tomb[a->nr_tomb].size = size;
	a->nr_tomb++;
	return PCPU_OK;
}

void pcpu_alloc_walk(const struct pcpu_allocator *a,
		     bool (*fn)(size_t offset, size_t size, void *user, void *arg), void *arg)
{
	for (unsigned i = 0; i < a->nr_ext; i++)
		if (a->ext[i].live && !fn(a->ext[i].offset, a->ext[i].size, a->ext[i].user, arg))
			return;
}

size_t pcpu_alloc_used(const struct pcpu_allocator *a)
{
	return a->used;
}

unsigned pcpu_alloc_live(const struct pcpu_allocator *a)
{
	return a->nr_live;
}

size_t pcpu_alloc_largest_free(const struct pcpu_allocator *a)
{
	size_t best = 0;

	for (unsigned i = 0; i < a->nr_ext; i++)
		if (!a->ext[i].live && a->ext[i].size > best)
			best = a->ext[i].size;
	return best;
}

const char *pcpu_alloc_verify(const struct pcpu_allocator *a)
{
	size_t at = 0, used = 0;
	unsigned live = 0;

	if (a->nr_ext == 0 || a->nr_ext > a->max_ext)
		return "extent count out of range";
	for (unsigned i = 0; i < a->nr_ext; i++) {
		const struct pcpu_alloc_extent *e = &a->ext[i];

		if (e->offset != at)
			return "I1: extents do not tile the space (hole or overlap)";
		if (e->size == 0 || e->size > a->space - at)
			return "I1: extent empty or past the end of the space";
		if (!e->live && i > 0 && !a->ext[i - 1].live)
			return "I2: two adjacent gaps were not coalesced";
		if (!e->live && e->user)
			return "I3: a gap carries a user value";
		if (e->live) {
			live++;
			used += e->size;
		}
		at += e->size;
	}
	if (at != a->space)
		return "I1: extents do not end at the end of the space";
	if (live != a->nr_live || live > a->max_live)
		return "I3: live count wrong";
	if (used != a->used)
		return "I3: used bytes wrong";
	if (a->nr_tomb > a->max_tomb)
		return "I4: too many tombstones";
	for (unsigned t = 0; t < a->nr_tomb; t++) {
		size_t off = a->tomb[t].offset;
		unsigned i;

		if (off >= a->space)
			return "I4: tombstone outside the space";
		i = find_extent(a, off);
		if (a->ext[i].live)
			return "I4: a live area covers a tombstone";
		for (unsigned u = t + 1; u < a->nr_tomb; u++)
			if (a->tomb[u].offset == off)
				return "I4: two tombstones share an offset";
	}
	return NULL;
}
