/* console.c: output on the first serial port (COM1, 0x3F8), which qemu
 * connects to -serial stdio.  One lock keeps lines from different CPUs
 * whole. */
#include "io.h"
#include "kernel.h"
#include "spinlock.h"

#define COM1 0x3F8

static struct spinlock console_lock = SPINLOCK_INIT;

void console_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* divisor latch */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xC7); /* FIFO on */
	outb(COM1 + 4, 0x03);
}

static void serial_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	for (unsigned spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
		;
	outb(COM1, (uint8_t)c);
}

/* The formatter: %d %i %u %x %X %p %s %c %%, with the l, ll and z length
 * modifiers, a field width and the 0 and - flags. */
struct out {
	char *buf;
	size_t size, len;
};

static void out_c(struct out *o, char c)
{
	if (o->buf) {
		if (o->len + 1 < o->size)
			o->buf[o->len] = c;
	} else {
		serial_putc(c);
	}
	o->len++;
}

static void out_num(struct out *o, unsigned long long v, unsigned base, bool neg, int width,
		    bool zero, bool left, bool upper)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (!left && !zero)
		for (int i = n; i < width; i++)
			out_c(o, ' ');
	if (neg)
		out_c(o, '-');
	if (!left && zero)
		for (int i = n; i < width; i++)
			out_c(o, '0');
	while (n)
		out_c(o, tmp[--n]);
	if (left)
		for (int i = (int)(neg ? 1 : 0) + n; i < width; i++)
			out_c(o, ' ');
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_c(o, *fmt);
			continue;
		}
		fmt++;
		bool zero = false, left = false;
		int width = 0, lng = 0;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng += (*fmt == 'l') ? 1 : 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			/* Each by its promoted type: on x86-64 an int is not
			 * a long (its register's upper half is not part of it). */
			long long v = lng >= 2 ? va_arg(ap, long long)
				    : lng ? (long long)va_arg(ap, long) : (long long)va_arg(ap, int);
			out_num(o, v < 0 ? (unsigned long long)-v : (unsigned long long)v, 10, v < 0,
				width, zero, left, false);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = lng >= 2 ? va_arg(ap, unsigned long long)
					     : lng ? (unsigned long long)va_arg(ap, unsigned long)
						   : (unsigned long long)va_arg(ap, unsigned);
			out_num(o, v, *fmt == 'u' ? 10 : 16, false, width, zero, left, *fmt == 'X');
			break;
		}
		case 'p':
			out_c(o, '0');
			out_c(o, 'x');
			out_num(o, (uintptr_t)va_arg(ap, void *), 16, false, 8, true, false, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n = 0;
			if (!s)
				s = "(null)";
			for (; s[n]; n++)
				out_c(o, s[n]);
			for (; n < width; n++)
				out_c(o, ' ');
			break;
		}
		case 'c':
			out_c(o, (char)va_arg(ap, int));
			break;
		case '%':
			out_c(o, '%');
			break;
		case '\0':
			return;
		default:
			out_c(o, '%');
			out_c(o, *fmt);
		}
	}
}

void kvprintf(const char *fmt, va_list ap)
{
	struct out o = { NULL, 0, 0 };
	spin_lock(&console_lock);
	format(&o, fmt, ap);
	spin_unlock(&console_lock);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	kprintf("PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\nRESULT: FAIL (panic)\n");
	demo_exit(DEMO_EXIT_FAIL);
}
