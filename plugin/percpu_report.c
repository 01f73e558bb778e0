/* plugin/percpu_report.c: the JSON report: the unit's per-CPU variables
 * and every access site the lowering pass saw.  It goes to a side file
 * (-fplugin-arg-percpu_plugin-report=FILE) and, in mode=lower, into the
 * object itself as a record of the non-allocated section .percpu.report
 * (embed-report=no turns that off), so that it travels with the object
 * through ccache, distcc and every link.  The schema is in docs/plugin.md
 * and tests/plugin/report-schema.json; the keys, the record's framing and
 * the access kinds are percpu-vm/contract.h's.
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

void
append (std::string &out, const char *fmt, ...) ATTRIBUTE_PRINTF_2;

void
append (std::string &out, const char *fmt, ...)
{
  char buf[256];
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  gcc_assert (n >= 0 && (size_t) n < sizeof buf);
  out.append (buf, n);
}

void
json_string (std::string &out, const std::string &s)
{
  out += '"';
  for (unsigned char c : s)
    {
      if (c == '"' || c == '\\')
	{
	  out += '\\';
	  out += c;
	}
      else if (c < 0x20)
	append (out, "\\u%04x", c);
      else
	out += c;
    }
  out += '"';
}

/* `, "KEY": ` (without the comma for the first member). */
void
json_key (std::string &out, const char *key, bool first = false)
{
  if (!first)
    out += ", ";
  out += '"';
  out += key;
  out += "\": ";
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

bool
percpu_report_wanted (void)
{
  return percpu_opts.report_file || percpu_embed_report_p ();
}

void
percpu_report_note_var (tree decl)
{
  const char *section = percpu_decl_section (decl);

  if (percpu_report_wanted ())
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

  if (!percpu_report_wanted ())
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

namespace {

/* The unit's report, the JSON document both the side file and the
 * embedded record hold. */
std::string
report_text (void)
{
  int shift = percpu_unit_shift ();
  std::string out;
  bool first;

  percpu_report_copy_vars ();
  out += "{\n  ";
  json_key (out, PERCPU_REPORT_KEY_FORMAT, true);
  json_string (out, PERCPU_REPORT_FORMAT);
  out += ",\n  ";
  json_key (out, PERCPU_REPORT_KEY_VERSION, true);
  append (out, "%d", PERCPU_REPORT_VERSION);
  out += ",\n  ";
  json_key (out, PERCPU_REPORT_KEY_UNIT, true);
  json_string (out, main_input_filename ? main_input_filename : "");
  out += ",\n  ";
  json_key (out, PERCPU_REPORT_KEY_COMPILER, true);
  json_string (out, std::string ("GCC ") + percpu_gcc_version);
  out += ",\n  ";
  json_key (out, PERCPU_REPORT_KEY_MODE, true);
  json_string (out, percpu_opts.mode == PERCPU_MODE_CHECK
		    ? PERCPU_REPORT_MODE_CHECK : PERCPU_REPORT_MODE_LOWER);
  out += ",\n  ";
  json_key (out, PERCPU_REPORT_KEY_SHIFT, true);
  if (shift >= 0)
    append (out, "%d", shift);
  else
    out += "null";
  out += ",\n  ";
  json_key (out, PERCPU_REPORT_KEY_VARIABLES, true);
  out += "[";
  first = true;
  for (const variable &v : variables)
    {
      out += first ? "\n    {" : ",\n    {";
      json_key (out, PERCPU_REPORT_VAR_NAME, true);
      json_string (out, v.name);
      json_key (out, PERCPU_REPORT_VAR_SIZE);
      if (v.size_known)
	append (out, HOST_WIDE_INT_PRINT_UNSIGNED, v.size);
      else
	out += "null";
      json_key (out, PERCPU_REPORT_VAR_ALIGN);
      append (out, "%u", v.align);
      json_key (out, PERCPU_REPORT_VAR_SECTION);
      json_string (out, v.section);
      json_key (out, PERCPU_REPORT_VAR_DEFINED);
      out += v.defined ? "true" : "false";
      json_key (out, PERCPU_REPORT_VAR_GLOBAL);
      out += v.global ? "true" : "false";
      json_key (out, PERCPU_REPORT_VAR_FILE);
      json_string (out, v.file);
      json_key (out, PERCPU_REPORT_VAR_LINE);
      append (out, "%d", v.line);
      json_key (out, PERCPU_REPORT_VAR_COLUMN);
      append (out, "%d}", v.column);
      first = false;
    }
  out += first ? "],\n  " : "\n  ],\n  ";
  json_key (out, PERCPU_REPORT_KEY_ACCESSES, true);
  out += "[";
  first = true;
  for (const site &s : sites)
    {
      out += first ? "\n    {" : ",\n    {";
      json_key (out, PERCPU_REPORT_ACCESS_FUNCTION, true);
      json_string (out, s.function);
      json_key (out, PERCPU_REPORT_ACCESS_FILE);
      json_string (out, s.file);
      json_key (out, PERCPU_REPORT_ACCESS_LINE);
      append (out, "%d", s.line);
      json_key (out, PERCPU_REPORT_ACCESS_COLUMN);
      append (out, "%d", s.column);
      json_key (out, PERCPU_REPORT_ACCESS_KIND);
      json_string (out, percpu_access_kind_name (s.kind));
      json_key (out, PERCPU_REPORT_ACCESS_VARIABLE);
      if (s.variable.empty ())
	out += "null";
      else
	json_string (out, s.variable);
      json_key (out, PERCPU_REPORT_ACCESS_CPU);
      if (s.cpu_known)
	append (out, HOST_WIDE_INT_PRINT_DEC, s.cpu);
      else
	out += "null";
      json_key (out, PERCPU_REPORT_ACCESS_REWRITTEN);
      out += s.rewritten ? "true}" : "false}";
      first = false;
    }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

/* BYTES as the operand of .ascii, escaped for the assembler: quotes,
 * backslashes and bytes that are not printable as octal escapes. */
void
asm_ascii (std::string &out, const std::string &bytes)
{
  size_t col = 0;

  for (unsigned char c : bytes)
    {
      if (col == 0)
	out += "\t.ascii \"";
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f)
	append (out, "\\%03o", c);
      else
	out += c;
      if (++col == 64)
	{
	  out += "\"\n";
	  col = 0;
	}
    }
  if (col)
    out += "\"\n";
}

/* The record header's fields, little-endian whatever the target. */
void
asm_le (std::string &out, unsigned long value, int bytes)
{
  out += "\t.byte ";
  for (int i = 0; i < bytes; i++)
    append (out, "%s0x%02lx", i ? ", " : "", (value >> (8 * i)) & 0xff);
  out += '\n';
}

} /* namespace */

void
percpu_report_write (const char *file)
{
  FILE *out = fopen (file, "w");
  std::string text;

  if (!out)
    {
      percpu_diag_report_unwritable (file);
      return;
    }
  text = report_text ();
  /* fclose even when fwrite fell short: no leaked stream */
  bool written = fwrite (text.data (), 1, text.size (), out) == text.size ();
  if (fclose (out) != 0 || !written)
    percpu_diag_report_unwritable (file);
}

/* The record is a top-level asm statement, like the note: it reaches the
 * object with and without -flto (where it is streamed and lto1, which
 * runs without the plugin, writes it out).  Several units' statements in
 * one LTO partition append one record each to the section. */
void
percpu_report_embed (void)
{
  std::string text = report_text (), a;

  gcc_assert (text.size () < 0xffffffffu);
  a += "\t.pushsection " PERCPU_REPORT_SECTION_NAME ",\"\",@progbits\n";
  asm_ascii (a, PERCPU_REPORT_RECORD_MAGIC);
  asm_le (a, PERCPU_REPORT_RECORD_VERSION, 2);
  asm_le (a, PERCPU_REPORT_RECORD_ENCODING_JSON, 2);
  asm_le (a, text.size (), 4);
  asm_ascii (a, text);
  a += "\t.popsection\n";
  symtab->finalize_toplevel_asm (build_string (a.size (), a.c_str ()));
}

namespace {

const pass_data percpu_report_embed_pass_data = {
  SIMPLE_IPA_PASS,		/* type */
  "percpu_report_embed",	/* name */
  OPTGROUP_NONE,		/* optinfo_flags */
  TV_NONE,			/* tv_id */
  0,				/* properties_required */
  0,				/* properties_provided */
  0,				/* properties_destroyed */
  0,				/* todo_flags_start */
  0				/* todo_flags_finish */
};

/* Runs once, after the pass list the lowering pass is part of: every
 * function the unit compiles has been lowered and its sites recorded, and
 * nothing has been streamed for -flto or written out yet. */
class percpu_report_embed_pass : public simple_ipa_opt_pass
{
public:
  percpu_report_embed_pass (gcc::context *ctx)
    : simple_ipa_opt_pass (percpu_report_embed_pass_data, ctx)
  {}

  virtual bool gate (function *) { return !seen_error (); }
  virtual unsigned int execute (function *)
  {
    percpu_report_embed ();
    return 0;
  }
};

} /* namespace */

opt_pass *
percpu_make_report_embed_pass (gcc::context *ctx)
{
  return new percpu_report_embed_pass (ctx);
}
