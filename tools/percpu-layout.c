/* percpu-layout: where per-CPU data lives in a kernel image and its modules.
 *
 *   percpu-layout [OPTIONS] KERNEL [MODULE...]
 *
 * Reads the inputs (percpu-layout-read.c), merges plugin reports
 * (percpu-layout-reports.c), lays everything out in one CPU's stride with
 * the runtime's allocator (percpu-layout-model.c, -place.c), finds the
 * problems (percpu-layout-check.c) and prints the result as text, JSON or
 * SVG.  Exit status: 0 fine, 1 --check found problems, 2 bad input or
 * usage.  See percpu-layout(1) and docs/layout.md.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "percpu-layout.h"

#define EXIT_PROBLEMS 1
#define EXIT_BAD 2

static void usage(FILE *out)
{
	fputs("Usage: percpu-layout [OPTION]... KERNEL [MODULE]...\n"
	      "       percpu-layout [OPTION]... OBJECT...\n"
	      "Show where the per-CPU variables of a kernel image, its modules or plain\n"
	      "objects live in the per-CPU window, and where modules would land.\n"
	      "\n"
	      "  --json            print the layout as JSON (schema percpu-layout/2)\n"
	      "  --text            print the table even with --check\n"
	      "  --svg FILE        also draw the window as SVG into FILE ('-': stdout)\n"
	      "  --check           report each problem on stderr, exit 1 if any\n"
	      "  --reports PATH    merge the plugin's JSON reports (a file, or a directory\n"
	      "                    searched for *.json) instead of the records the inputs\n"
	      "                    carry in .percpu.report; may be repeated\n"
	      "  --shift N         stride = 1 << N (default: the stride note, the image,\n"
	      "                    then the configured value)\n"
	      "  --nr-cpus N       possible CPUs (default: the image, then configured)\n"
	      "  --base ADDR       CPU 0's address (default: the image's per-CPU section)\n"
	      "  --dynamic SIZE[:ALIGN]  place an alloc_percpu() area of SIZE bytes after\n"
	      "                    the modules (alignment 8 unless given); may be repeated\n"
	      "  --help, --version\n"
	      "\n"
	      "Exit status: 0 fine, 1 --check found problems, 2 unreadable input or usage.\n",
	      out);
}

static int parse_number(const char *opt, const char *arg, uint64_t min, uint64_t max,
			uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (!*arg || *end || errno || arg[0] == '-' || v < min || v > max) {
		fprintf(stderr, "percpu-layout: %s %s: want a number from %" PRIu64 " to %" PRIu64
			"\n", opt, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

enum { OPT_JSON = 256, OPT_TEXT, OPT_SVG, OPT_CHECK, OPT_REPORTS, OPT_SHIFT, OPT_NR_CPUS,
       OPT_BASE, OPT_DYNAMIC, OPT_HELP, OPT_VERSION };

/* --dynamic SIZE[:ALIGN]: one alloc_percpu() area, aligned to 8 unless told. */
static int parse_dynamic(const char *arg, struct layout_options *opt)
{
	char size_part[64];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	uint64_t size, align = 8;

	if (n >= sizeof(size_part)) {
		fprintf(stderr, "percpu-layout: --dynamic %s: want SIZE[:ALIGN]\n", arg);
		return -1;
	}
	memcpy(size_part, arg, n);
	size_part[n] = '\0';
	if (parse_number("--dynamic", size_part, 1, (uint64_t)1 << 40, &size) < 0 ||
	    (colon && parse_number("--dynamic alignment", colon + 1, 1, LAYOUT_PAGE_SIZE,
				   &align) < 0))
		return -1;
	if (align & (align - 1)) {
		fprintf(stderr, "percpu-layout: --dynamic %s: the alignment is not a power of "
			"two\n", arg);
		return -1;
	}
	opt->dynamic = layout_xrealloc(opt->dynamic, (opt->nr_dynamic + 1) * sizeof(*opt->dynamic));
	opt->dynamic[opt->nr_dynamic++] = (struct layout_dynamic){ .size = size, .align = align };
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "text", no_argument, NULL, OPT_TEXT },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "reports", required_argument, NULL, OPT_REPORTS },
		{ "shift", required_argument, NULL, OPT_SHIFT },
		{ "nr-cpus", required_argument, NULL, OPT_NR_CPUS },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "dynamic", required_argument, NULL, OPT_DYNAMIC },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct layout_options opt = { 0 };
	struct layout l = { 0 };
	bool json = false, text = false, check = false;
	const char *svg = NULL;
	char **reports = NULL;
	size_t nr_reports = 0;
	char err[512];
	uint64_t v;
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_TEXT: text = true; break;
		case OPT_SVG: svg = optarg; break;
		case OPT_CHECK: check = true; break;
		case OPT_REPORTS:
			reports = layout_xrealloc(reports, (nr_reports + 1) * sizeof(*reports));
			reports[nr_reports++] = optarg;
			break;
		case OPT_SHIFT:
			if (parse_number("--shift", optarg, PERCPU_SHIFT_MIN, PERCPU_SHIFT_MAX, &v) < 0)
				goto bad_usage;
			opt.shift = (unsigned)v;
			opt.shift_set = true;
			break;
		case OPT_NR_CPUS:
			if (parse_number("--nr-cpus", optarg, 1, 65536, &v) < 0)
				goto bad_usage;
			opt.nr_cpus = (unsigned)v;
			opt.nr_cpus_set = true;
			break;
		case OPT_BASE:
			if (parse_number("--base", optarg, 0, UINT64_MAX, &v) < 0)
				goto bad_usage;
			if (v % LAYOUT_PAGE_SIZE) {
				fprintf(stderr, "percpu-layout: --base %s: not page aligned\n", optarg);
				goto bad_usage;
			}
			opt.base = v;
			opt.base_set = true;
			break;
		case OPT_DYNAMIC:
			if (parse_dynamic(optarg, &opt) < 0)
				goto bad_usage;
			break;
		case OPT_HELP:
			usage(stdout);
			free(reports);
			free(opt.dynamic);
			return 0;
		case OPT_VERSION:
			printf("percpu-layout (%s) %s\n", PACKAGE, PACKAGE_VERSION);
			free(reports);
			free(opt.dynamic);
			return 0;
		default:
			usage(stderr);
			goto bad_usage;
		}
	}
	if (optind >= argc) {
		fputs("percpu-layout: no input: give a kernel image, modules or objects\n", stderr);
		usage(stderr);
		goto bad_usage;
	}
	if (json && text) {
		fputs("percpu-layout: --json and --text: choose one\n", stderr);
		goto bad_usage;
	}

	layout_read_init();
	l.files = layout_xcalloc((size_t)(argc - optind), sizeof(*l.files));
	for (int i = optind; i < argc; i++) {
		if (layout_read_file(argv[i], &l.files[l.nr_files], err, sizeof(err)) < 0) {
			fprintf(stderr, "percpu-layout: %s: %s\n", argv[i], err);
			layout_file_free(&l.files[l.nr_files]);
			status = EXIT_BAD;
			goto out;
		}
		l.nr_files++;
	}
	/* --reports replaces the records the inputs carry: a build that wrote
	 * side files has the same documents in its objects, and merging both
	 * would count every access twice. */
	l.reports_embedded = nr_reports == 0;
	if ((nr_reports ? layout_merge_reports(&l, reports, nr_reports, err, sizeof(err))
			: layout_merge_embedded_reports(&l, err, sizeof(err))) < 0) {
		fprintf(stderr, "percpu-layout: %s\n", err);
		status = EXIT_BAD;
		goto out;
	}
	if (layout_model(&l, &opt, err, sizeof(err)) < 0) {
		fprintf(stderr, "percpu-layout: %s\n", err);
		status = EXIT_BAD;
		goto out;
	}
	layout_check(&l);

	if (json)
		layout_print_json(&l, stdout);
	else if (text || !check)
		layout_print_text(&l, stdout);
	if (svg) {
		FILE *out = strcmp(svg, "-") == 0 ? stdout : fopen(svg, "w");

		if (!out || layout_write_svg(&l, out) < 0 || (out != stdout && fclose(out) != 0)) {
			fprintf(stderr, "percpu-layout: %s: cannot write the SVG: %s\n", svg,
				strerror(errno));
			status = EXIT_BAD;
			goto out;
		}
	}
	if (check) {
		for (size_t i = 0; i < l.nr_problems; i++)
			fprintf(stderr, "percpu-layout: %s: %s [%s]\n",
				l.problems[i].file ? l.problems[i].file : "layout",
				l.problems[i].message, layout_problem_kind_name(l.problems[i].kind));
		if (l.nr_problems)
			status = EXIT_PROBLEMS;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "percpu-layout: cannot write the output: %s\n", strerror(errno));
		status = EXIT_BAD;
	}
out:
	layout_free(&l);
	free(reports);
	free(opt.dynamic);
	return status;
bad_usage:
	free(reports);
	free(opt.dynamic);
	return EXIT_BAD;
}
