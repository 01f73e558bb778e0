/* plugin/percpu_plugin.h: what the parts of the percpu plugin share.
 *
 * The plugin is split one idea per file:
 *   percpu_plugin.c  plugin_init: version check, registration of everything
 *   percpu_args.c    -fplugin-arg-percpu_plugin-* parsing
 *   percpu_attrs.c   the percpu / percpu_offset_table attributes, which
 *                    variables are per-CPU, checks on their declarations,
 *                    .bss.percpu placement
 *   percpu_lower.c   the GIMPLE pass: rewrites offset-table loads to
 *                    base + (cpu << shift) and finds the access sites
 *   percpu_diag.c    the diagnostics, worded and classed in one place
 *   percpu_note.c    the .note.percpu emitter
 *   percpu_report.c  the JSON report: side file and .percpu.report record
 */
#ifndef PERCPU_PLUGIN_H
#define PERCPU_PLUGIN_H

#include "gcc-common.h"
/* The facts shared with the other parts: section names, the shift range,
 * the guard page, the stride note. */
#include <percpu-vm/contract.h>

/* Name GCC knows the plugin by (from -fplugin=.../percpu_plugin.so). */
#define PERCPU_PLUGIN_NAME "percpu_plugin"

/* A number as a string literal (PERCPU_STR (PERCPU_SHIFT_MIN) is "13"). */
#define PERCPU_STR_(x) #x
#define PERCPU_STR(x) PERCPU_STR_(x)

/* The version of the GCC the plugin was built for ("12.2.0"), from
 * plugin-version.h.  (Not GCC's own version_string: a plugin must not
 * reference symbols that another GCC's cc1 may lack, or dlopen fails
 * before the plugin can explain the mismatch.) */
extern const char *percpu_gcc_version;

/* ---- arguments (percpu_args.c) ---- */
enum percpu_mode { PERCPU_MODE_LOWER, PERCPU_MODE_CHECK };
/* What to say about problems found through an offset table that has no
 * percpu_offset_table attribute (recognised by its name only). */
enum percpu_unmarked { PERCPU_UNMARKED_WARN, PERCPU_UNMARKED_SILENT };

struct percpu_options
{
  bool disabled;            /* disable: attributes only, nothing else */
  enum percpu_mode mode;    /* lower (default) or check */
  int shift;                /* shift=N, or -1 when not given */
  const char *report_file;  /* report=FILE, or NULL */
  bool help;                /* help was asked for */
  enum percpu_unmarked unmarked_table;  /* unmarked-table=warn|silent */
  int embed_report;         /* embed-report=yes (1), no (0), not given (-1) */
};

extern struct percpu_options percpu_opts;

/* Parse the plugin's arguments into percpu_opts.  Reports every bad,
 * unknown or repeated argument and returns false if there was one. */
bool percpu_parse_args (int argc, const struct plugin_argument *argv);
void percpu_print_help (FILE *out);
/* Whether the report goes into the object (.percpu.report): mode=lower
 * unless embed-report=no. */
bool percpu_embed_report_p (void);

/* ---- attributes and per-CPU variables (percpu_attrs.c) ---- */
void percpu_register_attributes (void *event_data, void *user_data);
void percpu_finish_decl (void *event_data, void *user_data);
void percpu_place_zero_vars (void);

/* A variable that lives in the per-CPU area: has the percpu attribute or
 * sits in one of the per-CPU input sections. */
bool percpu_var_p (const_tree decl);
/* The offset table: the variable declared with percpu_offset_table, or
 * (for the report and warnings only) any global named __per_cpu_offset. */
bool percpu_offset_table_p (const_tree decl);
/* True when DECL carries percpu_offset_table, i.e. the header told us
 * the table's contents (VM mode). */
bool percpu_offset_table_attr_p (const_tree decl);
/* A function declared __attribute__((percpu_this_cpu)): returns the
 * CPU its caller runs on. */
bool percpu_this_cpu_fn_p (const_tree fndecl);
/* A per-CPU variable declared __attribute__((percpu_this_cpu)): holds the
 * current CPU's offset (i386's pcpu_this_cpu_off). */
bool percpu_this_cpu_offset_p (const_tree decl);

/* The shift in force for this unit: the table attribute's, else the
 * shift= argument's, else -1 (classic mode, nothing to rewrite). */
int percpu_unit_shift (void);
/* Shift seen on the table attribute, -1 if none yet. */
extern int percpu_table_shift;
/* Base seen on the table attribute (0 when it gave none): entry n of the
 * table is base + (n << shift). */
extern unsigned HOST_WIDE_INT percpu_table_base;
/* Every CPU's copy starts on a page, so a table base is a multiple of one. */
#define PERCPU_PAGE_SIZE 4096u

/* ---- the lowering pass (percpu_lower.c) ---- */
opt_pass *percpu_make_lower_pass (gcc::context *ctx);

/* ---- diagnostics (percpu_diag.c) ---- */
void percpu_diag_direct_access (location_t loc, tree var, bool store);
/* TABLE is the offset table the access goes through: errors if it has
 * the percpu_offset_table attribute, else warnings (unmarked-table=). */
void percpu_diag_not_percpu (location_t loc, tree decl, tree table);
void percpu_diag_cpu_out_of_range (location_t loc, tree cpu, tree table,
				   unsigned HOST_WIDE_INT nr_cpus);
void percpu_diag_too_big (tree decl, int shift);
void percpu_diag_overaligned (tree decl);
void percpu_diag_bad_section (tree decl, const char *section);
void percpu_diag_stray_section (tree decl, const char *section);
void percpu_diag_shift_mismatch (location_t loc, int attr_shift, int other,
				 bool other_from_arg);
void percpu_diag_bad_table_attr (location_t loc, tree decl, const char *why);
/* The table attribute's base (an INTEGER_CST) is out of the entries'
 * range, or not on a page. */
void percpu_diag_table_base_too_big (location_t loc, tree decl, tree base,
				     unsigned int bits);
void percpu_diag_table_base_unaligned (location_t loc, tree decl, tree base);
/* Two table declarations of the unit give different bases. */
void percpu_diag_base_mismatch (location_t loc, unsigned HOST_WIDE_INT attr_base,
				unsigned HOST_WIDE_INT other);
void percpu_diag_attr_not_static (tree decl, tree name);
void percpu_diag_attr_not_cpu_function (tree decl, tree name);
/* Before anything else: the plugin was built for another GCC. */
void percpu_diag_gcc_version (const char *built_for, const char *built_date,
			      const char *loaded_by, const char *loaded_date);
/* The report file cannot be opened or written (errno says why). */
void percpu_diag_report_unwritable (const char *file);
void percpu_diag_arg_unknown (const char *key, const char *value,
			      const char *known);
void percpu_diag_arg_repeated (const char *key, const char *first,
			       const char *again);
void percpu_diag_arg_needs_value (const char *key);
void percpu_diag_arg_takes_no_value (const char *key, const char *value);
void percpu_diag_arg_bad_value (const char *key, const char *value,
				const char *why);
void percpu_diag_arg_bad_choice (const char *key, const char *value,
				 const char *what, const char *choice1,
				 const char *choice2);

/* ---- the note (percpu_note.c; its layout is contract.h's) ---- */
void percpu_emit_note (int shift);

/* ---- the report (percpu_report.c; the kinds are contract.h's) ---- */
/* Whether anything wants the report (a side file or the record). */
bool percpu_report_wanted (void);
void percpu_report_access (tree fndecl, location_t loc,
			   enum percpu_access_kind kind, tree var,
			   tree cpu, bool rewritten);
/* Remember a per-CPU variable's declaration for the report, and copy
 * what the report needs out of the remembered ones. */
void percpu_report_note_var (tree decl);
void percpu_report_copy_vars (void);
void percpu_report_write (const char *file);
/* Put the report into the object as a .percpu.report record: once every
 * function has been through the lowering pass. */
void percpu_report_embed (void);
opt_pass *percpu_make_report_embed_pass (gcc::context *ctx);

#endif /* PERCPU_PLUGIN_H */
