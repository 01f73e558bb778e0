/* plugin/percpu_plugin.c: the GCC plugin's entry point.
 *
 * In VM mode the headers declare the per-CPU offset table with
 * __attribute__((percpu_offset_table(PERCPU_SHIFT))): the runtime keeps
 * __per_cpu_offset[n] == n << shift, so the plugin may replace every load
 * of it by the shift itself.  Code built without the plugin still reads the
 * (correct) table, which is why the rewrite is safe to apply to any subset
 * of a kernel's objects.  See docs/plugin.md. */
#include "percpu_plugin.h"
#include "plugin-version.h"

/* GCC refuses to load a plugin without this symbol. */
int plugin_is_GPL_compatible;

const char *percpu_gcc_version = gcc_version.basever;

static struct plugin_info percpu_plugin_info = {
  "0.1.0",
  "per-CPU data in a fixed VM window: per_cpu() as base + (cpu << shift); "
  "use -fplugin-arg-" PERCPU_PLUGIN_NAME "-help for the arguments"
};

/* Before the IPA passes (where -flto streams the unit): the last point at
 * which every variable is known and none has been written out.  mode=check
 * changes nothing in the object: no section moves, and no note either (an
 * object built without the plugin has none, and the note is a promise
 * about code the plugin made). */
static void
percpu_all_ipa_passes_start (void *, void *)
{
  int shift = percpu_unit_shift ();
  bool lower = percpu_opts.mode == PERCPU_MODE_LOWER;

  if (lower && !seen_error ())
    percpu_place_zero_vars ();
  percpu_report_copy_vars ();
  if (seen_error ())
    return;
  if (lower && shift >= 0)
    percpu_emit_note (shift);
}

static bool percpu_unit_started;

static void
percpu_start_unit (void *, void *)
{
  percpu_unit_started = true;
}

/* PLUGIN_FINISH rather than PLUGIN_FINISH_UNIT: GCC skips the latter after
 * an error, and a check run on foreign code wants its report regardless. */
static void
percpu_finish (void *, void *)
{
  if (percpu_opts.report_file && percpu_unit_started)
    percpu_report_write (percpu_opts.report_file);
}

/* Say exactly which GCC the plugin was built for and which one loads it:
 * GCC's own message only says that the versions differ. */
static bool
percpu_version_ok (struct plugin_gcc_version *version)
{
  if (plugin_default_version_check (version, &gcc_version))
    return true;
  percpu_diag_gcc_version (gcc_version.basever, gcc_version.datestamp,
			   version->basever, version->datestamp);
  return false;
}

/* Insert PASS after the first instance of the pass named REFERENCE. */
static void
register_pass_after (const char *name, opt_pass *pass, const char *reference)
{
  struct register_pass_info info;

  info.pass = pass;
  info.reference_pass_name = reference;
  info.ref_pass_instance_number = 1;
  info.pos_op = PASS_POS_INSERT_AFTER;
  register_callback (name, PLUGIN_PASS_MANAGER_SETUP, NULL, &info);
}

int
plugin_init (struct plugin_name_args *info, struct plugin_gcc_version *version)
{
  const char *name = info->base_name;

  if (!percpu_version_ok (version))
    return 1;
  if (!percpu_parse_args (info->argc, info->argv))
    return 1;
  if (percpu_opts.help)
    percpu_print_help (stderr);

  register_callback (name, PLUGIN_INFO, NULL, &percpu_plugin_info);
  /* The attributes stay registered even with `disable`: annotated headers
   * test __has_attribute and must keep compiling. */
  register_callback (name, PLUGIN_ATTRIBUTES, percpu_register_attributes, NULL);
  if (percpu_opts.disabled)
    return 0;

  register_callback (name, PLUGIN_FINISH_DECL, percpu_finish_decl, NULL);
  register_callback (name, PLUGIN_ALL_IPA_PASSES_START,
		     percpu_all_ipa_passes_start, NULL);
  register_callback (name, PLUGIN_START_UNIT, percpu_start_unit, NULL);
  register_callback (name, PLUGIN_FINISH, percpu_finish, NULL);

  /* Right after "ssa": early enough that every later pass (loop
   * optimisations, IPA, LTO streaming) sees the plain integer shift, late
   * enough that the statements are in SSA form. */
  register_pass_after (name, percpu_make_lower_pass (g), "ssa");

  /* The .percpu.report record: after the pass list that holds "ssa" and
   * the lowering pass, before the IPA passes that stream -flto. */
  if (percpu_embed_report_p ())
    register_pass_after (name, percpu_make_report_embed_pass (g),
			 "build_ssa_passes");
  return 0;
}
