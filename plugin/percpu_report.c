/* plugin/percpu_report.c: the JSON report (-fplugin-arg-percpu_plugin-
 * report=FILE): the unit's per-CPU variables and every access site the
 * lowering pass saw.  The schema is in docs/plugin.md and
 * tests/plugin/report-schema.json.
 *
 * Everything is copied out of GCC's trees when it is recorded, so the
 * writer at the end of the unit touches no tree the garbage collector may
 * have freed. */
#include "percpu_plugin.h"
#include <string>
#include <vector>
#include <utility>

namespace {

struct site
{
  std::string function;
  std::string file;
  int line, column;
  enum percpu_access_kind kind;
  std::string variable;		/* empty: not a named object */
  bool cpu_known;
  HOST_WIDE_INT cpu;
  bool rewritten;

  /* One site is one place in the source: i386's this_cpu_*() switch on
   * the size (a second, dead asm naming the variable) and `per_cpu(x, c)
   * += v` (a table load for the read and one for the write) reach the
   * pass twice from the same place, and are reported once. */
  bool operator== (const site &o) const
  {
    return function == o.function && file == o.file && line == o.line
	   && column == o.column && kind == o.kind && variable == o.variable
	   && cpu_known == o.cpu_known && cpu == o.cpu
	   && rewritten == o.rewritten;
  }
};

struct variable
{
  std::string name;
  std::string file;
  int line, column;
  bool size_known;
  unsigned HOST_WIDE_INT size;
  unsigned align;
  std::string section;
  bool defined;
  bool global;
};

std::vector<site> sites;
std::vector<variable> variables;
/* Seen by FINISH_DECL, copied later; with the section they had then: the
 * section of an extern that the unit never uses goes with its symbol
 * table entry. */
std::vector<std::pair<tree, std::string> > pending_vars;

/* Where the user wrote it: the outermost macro expansion point (the
 * per_cpu() call, not the header line inside the macro). */
expanded_location
user_location (location_t loc)
{
  loc = linemap_resolve_location (line_table, loc,
				  LRK_MACRO_EXPANSION_POINT, NULL);
  return expand_location (loc);
}

const char *
kind_name (enum percpu_access_kind kind)
{
  switch (kind)
    {
    case PERCPU_ACCESS_CONSTANT_CPU: return "constant-cpu";
    case PERCPU_ACCESS_VARIABLE_CPU: return "variable-cpu";
    case PERCPU_ACCESS_THIS_CPU: return "this-cpu";
    }
  gcc_unreachable ();
}

void
json_string (FILE *out, const std::string &s)
{
  fputc ('"', out);
  for (unsigned char c : s)
    {
      if (c == '"' || c == '\\')
	fprintf (out, "\\%c", c);
      else if (c < 0x20)
	fprintf (out, "\\u%04x", c);
      else
	fputc (c, out);
    }
  fputc ('"', out);
}

std::string
decl_name (tree decl)
{
  if (!decl || !DECL_NAME (decl))
    return "";
  return IDENTIFIER_POINTER (DECL_NAME (decl));
}

void
copy_variable (tree decl, const std::string &first_section)
{
  variable v;
  /* The name as written: DEFINE_PER_CPU's argument is spelled in the
   * user's file. */
  expanded_location xloc
    = expand_location (linemap_resolve_location (line_table,
						 DECL_SOURCE_LOCATION (decl),
						 LRK_SPELLING_LOCATION, NULL));
  const char *section = percpu_decl_section (decl);

  /* Externs from headers the unit never uses are not the unit's. */
  if (DECL_EXTERNAL (decl) && !symtab_node::get (decl))
    return;

  for (const variable &seen : variables)
    if (seen.name == decl_name (decl) && seen.defined == !DECL_EXTERNAL (decl))
      return;
  v.name = decl_name (decl);
  v.file = xloc.file ? xloc.file : "";
  v.line = xloc.line;
  v.column = xloc.column;
  v.size_known = DECL_SIZE_UNIT (decl)
		 && tree_fits_uhwi_p (DECL_SIZE_UNIT (decl));
  v.size = v.size_known ? tree_to_uhwi (DECL_SIZE_UNIT (decl)) : 0;
  v.align = DECL_ALIGN_UNIT (decl);
  v.section = section ? section : first_section;
  v.defined = !DECL_EXTERNAL (decl);
  v.global = TREE_PUBLIC (decl);
  variables.push_back (v);
}

} /* namespace */

void
percpu_report_note_var (tree decl)
{
  const char *section = percpu_decl_section (decl);

  if (percpu_opts.report_file)
    pending_vars.push_back (std::make_pair (decl,
					    std::string (section ? section
							 : "")));
}

/* After .bss.percpu placement, before anything can free the decls. */
void
percpu_report_copy_vars (void)
{
  for (const auto &pending : pending_vars)
    copy_variable (pending.first, pending.second);
  pending_vars.clear ();
}

void
percpu_report_access (tree fndecl, location_t loc,
		      enum percpu_access_kind kind, tree var, tree cpu,
		      bool rewritten)
{
  site s;
  expanded_location xloc = user_location (loc);

  if (!percpu_opts.report_file)
    return;
  s.function = fndecl ? lang_hooks.decl_printable_name (fndecl, 0) : "";
  s.file = xloc.file ? xloc.file : "";
  s.line = xloc.line;
  s.column = xloc.column;
  s.kind = kind;
  s.variable = decl_name (var);
  s.cpu_known = cpu && TREE_CODE (cpu) == INTEGER_CST && tree_fits_shwi_p (cpu);
  s.cpu = s.cpu_known ? tree_to_shwi (cpu) : 0;
  s.rewritten = rewritten;
  /* The pass walks one function at a time, so its sites are together. */
  for (auto it = sites.rbegin (); it != sites.rend () && it->function == s.function;
       ++it)
    if (*it == s)
      return;
  sites.push_back (s);
}

void
percpu_report_write (const char *file)
{
  FILE *out = fopen (file, "w");
  int shift = percpu_unit_shift ();
  bool first;

  if (!out)
    {
      percpu_diag_report_unwritable (file);
      return;
    }
  percpu_report_copy_vars ();
  fprintf (out, "{\n  \"format\": \"percpu-vm-report\",\n  \"version\": 1,\n");
  fprintf (out, "  \"unit\": ");
  json_string (out, main_input_filename ? main_input_filename : "");
  fprintf (out, ",\n  \"compiler\": ");
  json_string (out, std::string ("GCC ") + percpu_gcc_version);
  fprintf (out, ",\n  \"mode\": \"%s\",\n",
	   percpu_opts.mode == PERCPU_MODE_CHECK ? "check" : "lower");
  if (shift >= 0)
    fprintf (out, "  \"shift\": %d,\n", shift);
  else
    fprintf (out, "  \"shift\": null,\n");
  fprintf (out, "  \"variables\": [");
  first = true;
  for (const variable &v : variables)
    {
      fprintf (out, "%s\n    {\"name\": ", first ? "" : ",");
      json_string (out, v.name);
      if (v.size_known)
	fprintf (out, ", \"size\": " HOST_WIDE_INT_PRINT_UNSIGNED, v.size);
      else
	fprintf (out, ", \"size\": null");
      fprintf (out, ", \"align\": %u, \"section\": ", v.align);
      json_string (out, v.section);
      fprintf (out, ", \"defined\": %s, \"global\": %s, \"file\": ",
	       v.defined ? "true" : "false", v.global ? "true" : "false");
      json_string (out, v.file);
      fprintf (out, ", \"line\": %d, \"column\": %d}", v.line, v.column);
      first = false;
    }
  fprintf (out, "%s],\n  \"accesses\": [", first ? "" : "\n  ");
  first = true;
  for (const site &s : sites)
    {
      fprintf (out, "%s\n    {\"function\": ", first ? "" : ",");
      json_string (out, s.function);
      fprintf (out, ", \"file\": ");
      json_string (out, s.file);
      fprintf (out, ", \"line\": %d, \"column\": %d, \"kind\": \"%s\", "
	       "\"variable\": ", s.line, s.column, kind_name (s.kind));
      if (s.variable.empty ())
	fprintf (out, "null");
      else
	json_string (out, s.variable);
      if (s.cpu_known)
	fprintf (out, ", \"cpu\": " HOST_WIDE_INT_PRINT_DEC, s.cpu);
      else
	fprintf (out, ", \"cpu\": null");
      fprintf (out, ", \"rewritten\": %s}", s.rewritten ? "true" : "false");
      first = false;
    }
  fprintf (out, "%s]\n}\n", first ? "" : "\n  ");
  if (fclose (out) != 0)
    percpu_diag_report_unwritable (file);
}
