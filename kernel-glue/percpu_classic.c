/* The classic per-CPU scheme: ordinary per-CPU areas, a template copy each,
 * and a fixed reserve at the end of every area for dynamic allocations.
 * See percpu-vm/classic.h.  Freestanding; the reserve's bookkeeping is the
 * runtime's offset allocator (runtime/allocator.c), in static memory.
 *
 * Not thread-safe: setup runs once at boot, and a kernel serialises
 * alloc/free with a lock of its own around __alloc_percpu/free_percpu. */
#include <stdint.h>

#include <percpu-vm/percpu.h>
#include <percpu-vm/classic.h>
#include <percpu-vm/allocator.h>

#define CLASSIC_STATIC_ROUND 64u

static struct {
	int ready;
	unsigned nr_cpus;
	size_t static_size;     /* per-CPU section, rounded: where the reserve starts */
	struct pcpu_allocator reserve;
	int last_error;
	/* Bookkeeping for the allocator; sized generously (checked at setup). */
	_Alignas(16) unsigned char meta[(PERCPU_CLASSIC_MAX_ALLOCS + 1) * 128u + 256u];
} classic;

static void byte_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
	while (n--)
		*dst++ = *src++;
}

static void byte_zero(unsigned char *dst, size_t n)
{
	while (n--)
		*dst++ = 0;
}

static size_t section_size(void)
{
	return percpu_static_init_size() + percpu_static_zero_size();
}

size_t pcpu_classic_area_size(void)
{
	size_t s = (section_size() + CLASSIC_STATIC_ROUND - 1) & ~(size_t)(CLASSIC_STATIC_ROUND - 1);
	return s + PERCPU_CLASSIC_RESERVE;
}

int pcpu_classic_setup(void *const areas[], unsigned nr_cpus)
{
	size_t init_size = percpu_static_init_size();
	size_t area_size = pcpu_classic_area_size();
	size_t meta_need = pcpu_alloc_meta_size(PERCPU_CLASSIC_MAX_ALLOCS + 1);
	unsigned cpu;
	int err;

	if (classic.ready)
		return PCPU_ERR_STATE;
	if (areas == NULL || nr_cpus == 0 || nr_cpus > NR_CPUS)
		return PCPU_ERR_INVAL;
	if (meta_need == 0 || meta_need > sizeof(classic.meta))
		return PCPU_ERR_NOMETA;
	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (areas[cpu] == NULL ||
		    ((uintptr_t)areas[cpu] & (PERCPU_CLASSIC_AREA_ALIGN - 1)) != 0)
			return PCPU_ERR_INVAL;

	/* The allocator spans the whole area, the static part reserved first,
	 * so its offsets are area offsets. */
	err = pcpu_alloc_init(&classic.reserve, area_size,
			      PERCPU_CLASSIC_MAX_ALLOCS + 1, classic.meta, sizeof(classic.meta));
	if (!err && area_size > PERCPU_CLASSIC_RESERVE)
		err = pcpu_alloc_reserve(&classic.reserve, 0, area_size - PERCPU_CLASSIC_RESERVE, NULL);
	if (err)
		return err;

	/* The template is the section as linked: in classic mode it sits in the
	 * image at __per_cpu_start (= __per_cpu_load).  The zero part
	 * (.bss.percpu) and the reserve start zeroed in every copy. */
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		unsigned char *area = areas[cpu];
		byte_copy(area, (const unsigned char *)__per_cpu_load, init_size);
		byte_zero(area + init_size, area_size - init_size);
		__per_cpu_offset[cpu] = (unsigned long)((uintptr_t)area - (uintptr_t)__per_cpu_start);
	}
	classic.nr_cpus = nr_cpus;
	classic.static_size = area_size - PERCPU_CLASSIC_RESERVE;
	classic.ready = 1;
	return 0;
}

void *pcpu_classic_alloc(size_t size, size_t align)
{
	size_t off;
	unsigned cpu;
	int err;

	if (!classic.ready) {
		classic.last_error = PCPU_ERR_STATE;
		return NULL;
	}
	/* Offsets are area offsets and every area is page aligned, so the
	 * allocator's alignment is the address's alignment on every CPU. */
	err = pcpu_alloc_alloc(&classic.reserve, size, align, NULL, &off);
	if (err) {
		classic.last_error = err;
		return NULL;
	}
	for (cpu = 0; cpu < classic.nr_cpus; cpu++)
		byte_zero((unsigned char *)((uintptr_t)__per_cpu_start + off + __per_cpu_offset[cpu]), size);
	return (void *)((uintptr_t)__per_cpu_start + off);
}

int pcpu_classic_free(void *ptr)
{
	uintptr_t p = (uintptr_t)ptr, lo, hi;
	int err;

	if (ptr == NULL)
		return 0;
	lo = (uintptr_t)__per_cpu_start + classic.static_size;
	hi = (uintptr_t)__per_cpu_start + classic.static_size + PERCPU_CLASSIC_RESERVE;
	if (!classic.ready || p < lo || p >= hi) {
		/* Never in the reserve: the static area is not freeable. */
		classic.last_error = PCPU_ERR_NOTALLOC;
		return PCPU_ERR_NOTALLOC;
	}
	err = pcpu_alloc_free(&classic.reserve, (size_t)(p - (uintptr_t)__per_cpu_start), NULL, NULL);
	if (err)
		classic.last_error = err;
	return err;
}

int pcpu_classic_last_error(void)
{
	return classic.last_error;
}
