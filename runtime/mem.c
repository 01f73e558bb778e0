/* mem.c: byte copy and fill without libc (see mem.h).
 *
 * GCC recognises copy and fill loops and may replace them with calls to
 * memcpy/memset, which a freestanding kernel may not have (and which would
 * recurse if a kernel defined memcpy with these).  The optimize attribute
 * turns that transformation off for this file whatever flags it is built
 * with.  Word-sized steps keep a 4 KiB page fill cheap. */
#include <stdint.h>

#include "mem.h"

#if defined(__GNUC__) && !defined(__clang__)
#define PCPU_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define PCPU_NO_LIBCALLS
#endif

/* may_alias: the words written here are read back as any type. */
#if defined(__GNUC__)
typedef unsigned long __attribute__((may_alias)) pcpu_word_t;
#else
typedef unsigned long pcpu_word_t;
#endif
#define WORD sizeof(pcpu_word_t)

static int words_aligned(const void *a, const void *b)
{
	return (((uintptr_t)a | (uintptr_t)b) & (WORD - 1)) == 0;
}

PCPU_NO_LIBCALLS void pcpu_memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (words_aligned(d, s)) {
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(pcpu_word_t *)(void *)d = *(const pcpu_word_t *)(const void *)s;
	}
	while (n--)
		*d++ = *s++;
}

PCPU_NO_LIBCALLS void pcpu_memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return;
	if ((uintptr_t)d < (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n) {
		pcpu_memcpy(d, s, n);
		return;
	}
	/* Destination overlaps the source's tail: copy backwards. */
	while (n--)
		d[n] = s[n];
}

PCPU_NO_LIBCALLS void pcpu_memset(void *dst, int byte, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)byte;

	if (words_aligned(d, d)) {
		pcpu_word_t w = b;

		w |= w << 8;
		w |= w << 16;
		if (WORD > 4)
			w |= (w << 16) << 16;
		for (; n >= WORD; n -= WORD, d += WORD)
			*(pcpu_word_t *)(void *)d = w;
	}
	while (n--)
		*d++ = b;
}
