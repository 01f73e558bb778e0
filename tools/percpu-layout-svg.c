/* percpu-layout-svg.c: --svg FILE, a picture of the window.
 *
 * Three parts, top to bottom:
 *  1. one CPU's stride to scale: the kernel's static area, each module's
 *     area, the dynamic (alloc_percpu) areas asked for with --dynamic, and
 *     the free rest, where further dynamic areas go;
 *  2. the window of all CPUs at a glance: one box per CPU, the mapped
 *     pages filled;
 *  3. the used pages magnified, with page boundaries, every variable as a
 *     box and its name, offset and size in a list beside it (every
 *     variable is named in the picture and in its tooltip).
 * Plain SVG 1.1, no scripts or styles from outside.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>

#include "percpu-layout.h"

#define SVG_WIDTH 900.0
#define BAR_X 40.0
#define BAR_W 820.0
#define ROW_H 14.0
#define DYNAMIC_COLOR "#9c755f"

static const char *const area_colors[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
};

/* Text as XML character data: escape markup, drop what XML 1.0 forbids. */
static void xml_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			if (c < 0x20 || c >= 0x80) /* keep the file plain ASCII */
				fputc('?', out);
			else
				fputc(c, out);
		}
	}
}

static const char *area_color(const struct layout_file *f, size_t index)
{
	if (f->role == LAYOUT_ROLE_KERNEL)
		return area_colors[0];
	return area_colors[1 + index % (sizeof(area_colors) / sizeof(area_colors[0]) - 1)];
}

static double scale_x(uint64_t off, uint64_t span)
{
	return BAR_X + BAR_W * ((double)off / (double)span);
}

/* Part 1: the stride to scale. */
static double draw_stride(const struct layout *l, FILE *out, double y)
{
	uint64_t pages = l->stride / LAYOUT_PAGE_SIZE, step;
	char h[32];
	size_t i;

	layout_human_size(l->stride, h, sizeof(h));
	fprintf(out, "<text x=\"%g\" y=\"%g\" font-weight=\"bold\">One CPU's stride: %s "
		"(shift %u)</text>\n", BAR_X, y, h, l->shift);
	y += 8;
	fprintf(out, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"30\" fill=\"#eeeeee\" "
		"stroke=\"#333\"><title>free: dynamic alloc_percpu areas, unmapped until "
		"used</title></rect>\n", BAR_X, y, BAR_W);
	for (i = 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];
		double x0, w;

		if (!f->placed)
			continue;
		x0 = scale_x(f->area_offset, l->stride);
		w = scale_x(f->area_offset + f->area_size, l->stride) - x0;
		fprintf(out, "<rect x=\"%.2f\" y=\"%g\" width=\"%.2f\" height=\"30\" fill=\"%s\">"
			"<title>", x0, y, w < 1.5 ? 1.5 : w, area_color(f, i));
		xml_text(out, f->path);
		fprintf(out, ": %" PRIu64 " bytes at 0x%" PRIx64 "</title></rect>\n", f->area_size,
			f->area_offset);
	}
	for (i = 0; i < l->nr_dynamic; i++) {
		const struct layout_dynamic *d = &l->dynamic[i];
		double x0, w;

		if (!d->placed)
			continue;
		x0 = scale_x(d->offset, l->stride);
		w = scale_x(d->offset + d->size, l->stride) - x0;
		fprintf(out, "<rect x=\"%.2f\" y=\"%g\" width=\"%.2f\" height=\"30\" fill=\"%s\">"
			"<title>dynamic area %zu: %" PRIu64 " bytes at 0x%" PRIx64 "</title></rect>\n",
			x0, y, w < 1.5 ? 1.5 : w, DYNAMIC_COLOR, i + 1, d->size, d->offset);
	}
	/* Page boundaries: every page while they stay 4 px apart, else every
	 * 2nd, 4th ... page (said below the bar). */
	for (step = 1; pages / step > 205; step *= 2)
		;
	for (uint64_t p = step; p < pages; p += step)
		fprintf(out, "<line x1=\"%.2f\" y1=\"%g\" x2=\"%.2f\" y2=\"%g\" "
			"stroke=\"#999\" stroke-width=\"0.5\"/>\n",
			scale_x(p * LAYOUT_PAGE_SIZE, l->stride), y,
			scale_x(p * LAYOUT_PAGE_SIZE, l->stride), y + 30);
	fprintf(out, "<text x=\"%g\" y=\"%g\" font-size=\"9\" fill=\"#666\">%" PRIu64
		" pages of 4 KiB; grey lines every %" PRIu64 " page%s</text>\n", BAR_X, y + 40,
		pages, step, step == 1 ? "" : "s");
	y += 58;
	/* Legend. */
	for (i = 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];

		fprintf(out, "<rect x=\"%g\" y=\"%g\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%g\" y=\"%g\">", BAR_X, y - 9, area_color(f, i), BAR_X + 14, y);
		fputs(f->role == LAYOUT_ROLE_KERNEL ? "static area (kernel) " : "module ", out);
		xml_text(out, f->path);
		if (f->placed)
			fprintf(out, ": 0x%" PRIx64 "..0x%" PRIx64 "</text>\n", f->area_offset,
				f->area_offset + f->area_size);
		else
			fputs(": not placed</text>\n", out);
		y += ROW_H;
	}
	if (l->nr_dynamic) {
		fprintf(out, "<rect x=\"%g\" y=\"%g\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%g\" y=\"%g\">dynamic areas (alloc_percpu): %zu</text>\n",
			BAR_X, y - 9, DYNAMIC_COLOR, BAR_X + 14, y, l->nr_dynamic);
		y += ROW_H;
	}
	fprintf(out, "<rect x=\"%g\" y=\"%g\" width=\"10\" height=\"10\" fill=\"#eeeeee\" "
		"stroke=\"#333\"/><text x=\"%g\" y=\"%g\">free (room for dynamic areas, "
		"unmapped until used): 0x%" PRIx64 "..0x%" PRIx64 "</text>\n", BAR_X, y - 9,
		BAR_X + 14, y, l->used_end, l->stride);
	return y + 2 * ROW_H;
}

/* Part 2: every CPU's stride, mapped pages filled. */
static double draw_window(const struct layout *l, FILE *out, double y)
{
	const unsigned per_row = 64;
	const double box = BAR_W / per_row;
	double fill = l->stride ? (double)layout_mapped_per_cpu(l) / (double)l->stride : 0;
	char h[32];

	layout_human_size((uint64_t)l->nr_cpus << l->shift, h, sizeof(h));
	fprintf(out, "<text x=\"%g\" y=\"%g\" font-weight=\"bold\">The window: %u CPUs, %s at "
		"0x%" PRIx64 " (mapped pages filled)</text>\n", BAR_X, y, l->nr_cpus, h, l->base);
	y += 8;
	for (unsigned cpu = 0; cpu < l->nr_cpus; cpu++) {
		double x = BAR_X + box * (cpu % per_row), yy = y + 16.0 * (cpu / per_row);
		double w = (box - 2) * fill;

		fprintf(out, "<g><title>CPU %u: 0x%" PRIx64 "</title><rect x=\"%.2f\" y=\"%g\" "
			"width=\"%.2f\" height=\"12\" fill=\"#fafafa\" stroke=\"#666\" "
			"stroke-width=\"0.5\"/>", cpu, l->base + ((uint64_t)cpu << l->shift), x, yy,
			box - 2);
		if (l->pages_per_cpu)
			fprintf(out, "<rect x=\"%.2f\" y=\"%g\" width=\"%.2f\" height=\"12\" "
				"fill=\"%s\"/>", x, yy, w < 2 ? 2 : w, area_colors[0]);
		fputs("</g>\n", out);
	}
	return y + 16.0 * ((l->nr_cpus + per_row - 1) / per_row) + 2 * ROW_H;
}

/* Part 3: the used pages magnified, every variable named. */
static double draw_variables(const struct layout *l, FILE *out, double y)
{
	uint64_t span = layout_mapped_per_cpu(l);
	size_t total = 0, row = 0, i, j;
	double bar_h, top;

	if (span == 0)
		span = LAYOUT_PAGE_SIZE;
	for (i = 0; i < l->nr_files; i++)
		total += l->files[i].nr_vars;
	bar_h = total * ROW_H > 200 ? total * ROW_H : 200;
	fprintf(out, "<text x=\"%g\" y=\"%g\" font-weight=\"bold\">The used pages of one CPU "
		"(%" PRIu64 " x 4 KiB), every variable</text>\n", BAR_X, y, l->pages_per_cpu);
	top = y + 10;
	fprintf(out, "<rect x=\"%g\" y=\"%g\" width=\"120\" height=\"%g\" fill=\"#eeeeee\" "
		"stroke=\"#333\"/>\n", BAR_X, top, bar_h);
	for (i = 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];
		double y0, h;

		if (!f->placed)
			continue;
		y0 = top + bar_h * ((double)f->area_offset / (double)span);
		h = bar_h * ((double)f->area_size / (double)span);
		fprintf(out, "<rect x=\"%g\" y=\"%.2f\" width=\"120\" height=\"%.2f\" fill=\"%s\" "
			"fill-opacity=\"0.35\"/>\n", BAR_X, y0, h < 1 ? 1 : h, area_color(f, i));
	}
	for (i = 0; i < l->nr_dynamic; i++) {
		const struct layout_dynamic *d = &l->dynamic[i];
		double y0, h;

		if (!d->placed)
			continue;
		y0 = top + bar_h * ((double)d->offset / (double)span);
		h = bar_h * ((double)d->size / (double)span);
		fprintf(out, "<rect x=\"%g\" y=\"%.2f\" width=\"120\" height=\"%.2f\" fill=\"%s\" "
			"fill-opacity=\"0.5\"><title>dynamic area %zu</title></rect>\n", BAR_X, y0,
			h < 1 ? 1 : h, DYNAMIC_COLOR, i + 1);
	}
	for (uint64_t p = 0; p <= span / LAYOUT_PAGE_SIZE && span / LAYOUT_PAGE_SIZE <= 4096; p++) {
		double yy = top + bar_h * ((double)(p * LAYOUT_PAGE_SIZE) / (double)span);

		fprintf(out, "<line x1=\"%g\" y1=\"%.2f\" x2=\"%g\" y2=\"%.2f\" stroke=\"#c00\" "
			"stroke-dasharray=\"4 2\"/><text x=\"%g\" y=\"%.2f\" font-size=\"9\" "
			"fill=\"#c00\">page %" PRIu64 "</text>\n", BAR_X - 10, yy, BAR_X + 130, yy,
			BAR_X + 134, yy + 3, p);
	}
	for (i = 0; i < l->nr_files; i++) {
		const struct layout_file *f = &l->files[i];

		for (j = 0; j < f->nr_vars; j++, row++) {
			const struct layout_var *v = &f->vars[j];
			uint64_t off = f->area_offset + v->offset;
			double vy = top + bar_h * ((double)off / (double)span);
			double vh = bar_h * ((double)v->size / (double)span);
			double ry = top + ROW_H * (double)row + ROW_H - 3;

			if (!f->placed)
				continue;
			fprintf(out, "<g><title>");
			xml_text(out, v->name);
			fprintf(out, ": %" PRIu64 " bytes at 0x%" PRIx64 "</title><rect x=\"%g\" "
				"y=\"%.2f\" width=\"120\" height=\"%.2f\" fill=\"%s\" stroke=\"#fff\" "
				"stroke-width=\"0.3\"/><line x1=\"%g\" y1=\"%.2f\" x2=\"%g\" y2=\"%.2f\" "
				"stroke=\"#888\" stroke-width=\"0.5\"/><text x=\"%g\" y=\"%.2f\" "
				"font-size=\"11\">0x%06" PRIx64 " %6" PRIu64 "  ",
				v->size, off, BAR_X, vy, vh < 0.8 ? 0.8 : vh, area_color(f, i),
				BAR_X + 120, vy + (vh < 0.8 ? 0.4 : vh / 2), BAR_X + 290, ry - 4,
				BAR_X + 300, ry, off, v->size);
			xml_text(out, v->name);
			fputs("</text></g>\n", out);
		}
	}
	return top + bar_h + 2 * ROW_H;
}

int layout_write_svg(const struct layout *l, FILE *out)
{
	char *body = NULL;
	size_t body_len = 0;
	FILE *mem = open_memstream(&body, &body_len);
	double y = 30;

	/* The height is known only once everything is drawn. */
	if (!mem)
		return -1;
	y = draw_stride(l, mem, y);
	y = draw_window(l, mem, y);
	y = draw_variables(l, mem, y);
	if (fclose(mem) != 0) {
		free(body);
		return -1;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%g\" "
		"height=\"%.0f\" font-family=\"monospace\" font-size=\"12\">\n", SVG_WIDTH, y + 10);
	fputs("<title>percpu-layout: the per-CPU window</title>\n", out);
	fputs("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", out);
	fwrite(body, 1, body_len, out);
	fputs("</svg>\n", out);
	free(body);
	return ferror(out) ? -1 : 0;
}
