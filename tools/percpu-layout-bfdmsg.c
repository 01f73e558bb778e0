/* percpu-layout-bfdmsg.c: what libbfd says about a file, kept for the
 * tool's one-line error instead of printed.
 *
 * libbfd reports trouble two ways: through its error handler (by default
 * printed on stderr, with its own %pA/%pB conversions), and, while it
 * recognises a file's format, straight on stderr.  Both end up here as
 * "the complaint": the first message about the current file, which the
 * reader appends to its error ("(libbfd: ...)") or treats as damage. */
#include "config.h" /* PACKAGE and PACKAGE_VERSION, which bfd.h insists on */

#include <bfd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "percpu-layout-bfd.h"

/* libbfd reports some trouble (a corrupt reloc, a bad string index) through
 * its error handler rather than a return value, by default on stderr.  The
 * tool keeps the first such message of the current file to add to its own
 * one-line error, and otherwise stays quiet. */
static char bfd_complaint[256];

const char *layout_bfd_complaint(void)
{
	return bfd_complaint;
}

void layout_bfd_complaint_reset(void)
{
	bfd_complaint[0] = '\0';
}

/* libbfd names the file; the caller's message does that already. */
void layout_bfd_complaint_drop_path(const char *path)
{
	size_t plen = strlen(path);

	if (strncmp(bfd_complaint, path, plen) == 0 && bfd_complaint[plen] == ' ')
		memmove(bfd_complaint, bfd_complaint + plen + 1,
			strlen(bfd_complaint + plen + 1) + 1);
}

/* Format one libbfd message: printf plus %pA (a section) and %pB (a bfd). */
static void format_bfd_message(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t n = 0;

	while (*fmt && n + 1 < len) {
		char spec[32];
		size_t s = 0;
		char conv;
		int lng = 0;
		int w;

		if (*fmt != '%') {
			buf[n++] = *fmt++;
			continue;
		}
		spec[s++] = *fmt++;
		while (*fmt && strchr("-+ #0123456789.", *fmt) && s < sizeof(spec) - 4)
			spec[s++] = *fmt++;
		while (*fmt && strchr("hlzjtLq", *fmt) && s < sizeof(spec) - 3) {
			if (*fmt == 'l' || *fmt == 'z' || *fmt == 'j' || *fmt == 't' || *fmt == 'q')
				lng++;
			spec[s++] = *fmt++;
		}
		conv = *fmt ? *fmt++ : '\0';
		spec[s++] = conv;
		spec[s] = '\0';
		switch (conv) {
		case 'p':
			if (*fmt == 'A' || *fmt == 'B') {
				const char *name;

				if (*fmt == 'A') {
					asection *sec = va_arg(ap, asection *);
					name = sec && sec->name ? sec->name : "(section)";
				} else {
					bfd *b = va_arg(ap, bfd *);
					name = b && bfd_get_filename(b) ? bfd_get_filename(b) : "(file)";
				}
				fmt++;
				w = snprintf(buf + n, len - n, "%s", name);
			} else {
				w = snprintf(buf + n, len - n, "%p", va_arg(ap, void *));
			}
			break;
		case 'd': case 'i':
			w = lng >= 2 ? snprintf(buf + n, len - n, spec, va_arg(ap, long long))
			  : lng ? snprintf(buf + n, len - n, spec, va_arg(ap, long))
				: snprintf(buf + n, len - n, spec, va_arg(ap, int));
			break;
		case 'u': case 'x': case 'X': case 'o':
			w = lng >= 2 ? snprintf(buf + n, len - n, spec, va_arg(ap, unsigned long long))
			  : lng ? snprintf(buf + n, len - n, spec, va_arg(ap, unsigned long))
				: snprintf(buf + n, len - n, spec, va_arg(ap, unsigned));
			break;
		case 'c':
			w = snprintf(buf + n, len - n, "%c", va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			w = snprintf(buf + n, len - n, "%s", str ? str : "(null)");
			break;
		}
		case '%':
			w = snprintf(buf + n, len - n, "%%");
			break;
		default: /* something this formatter does not know: stop here */
			buf[n] = '\0';
			return;
		}
		if (w < 0)
			break;
		n += (size_t)w < len - n ? (size_t)w : len - n - 1;
	}
	buf[n < len ? n : len - 1] = '\0';
	/* One line: libbfd's messages sometimes end with a newline. */
	buf[strcspn(buf, "\n")] = '\0';
}

static void capture_bfd_error(const char *fmt, va_list ap)
{
	if (bfd_complaint[0] == '\0')
		format_bfd_message(bfd_complaint, sizeof(bfd_complaint), fmt, ap);
}

/* libbfd 2.40 prints the warnings of format recognition ("section
 * extending past end of file") straight to stderr, not through the error
 * handler.  Divert stderr meanwhile and keep the first line as the
 * complaint: the tool's own checks turn the problem into its one-line
 * error. */
bool layout_bfd_check_format_quietly(bfd *abfd)
{
	FILE *tmp = tmpfile();
	int saved = -1;
	bool ok;

	fflush(stderr);
	if (tmp)
		saved = dup(2);
	if (saved >= 0)
		dup2(fileno(tmp), 2);
	ok = bfd_check_format(abfd, bfd_object);
	if (saved >= 0) {
		char line[sizeof(bfd_complaint)];

		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		rewind(tmp);
		if (bfd_complaint[0] == '\0' && fgets(line, sizeof(line), tmp)) {
			const char *msg = strstr(line, "warning: ");

			line[strcspn(line, "\n")] = '\0';
			snprintf(bfd_complaint, sizeof(bfd_complaint), "%s",
				 msg ? msg + 9 : line);
		}
	}
	if (tmp)
		fclose(tmp);
	return ok;
}

void layout_bfd_messages_init(void)
{
	bfd_set_error_handler(capture_bfd_error);
}
