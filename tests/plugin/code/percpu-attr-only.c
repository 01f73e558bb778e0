/* tests/plugin/code/percpu-attr-only.c: a variable marked with the
 * plugin's `percpu` attribute and no section (mode=lower gives it
 * .data.percpu; mode=check must leave it where GCC puts it). */
#if defined(__has_attribute)
# if __has_attribute(percpu)
#  define MARK_PERCPU __attribute__((percpu))
# endif
#endif
#ifndef MARK_PERCPU
# define MARK_PERCPU
#endif

MARK_PERCPU int marked_zero;
MARK_PERCPU int marked_set = 3;

int read_marked(void) { return marked_set; }
