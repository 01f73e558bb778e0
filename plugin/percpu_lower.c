/* plugin/percpu_lower.c: the GIMPLE pass that makes per_cpu() cheap and
 * finds the per-CPU access sites.
 *
 * The headers expand per_cpu(var, cpu) to integer arithmetic,
 *     *(T *)((unsigned long)&var + __per_cpu_offset[cpu])
 * and in VM mode declare __per_cpu_offset with
 * __attribute__((percpu_offset_table(SHIFT))): the runtime keeps entry n
 * equal to n << SHIFT.  Right after the "ssa" pass we replace each load
 *     _2 = __per_cpu_offset[cpu_1];
 * by
 *     _5 = (unsigned long) cpu_1;  _2 = _5 << SHIFT;
 * and nothing else.  A zero-based layout (Linux x86-64's: per-CPU symbols
 * are offsets from 0, the window at W) declares the table with
 * percpu_offset_table(SHIFT, W) and keeps entry n equal to W + (n << SHIFT);
 * then the load becomes
 *     _5 = (unsigned long) cpu_1;  _6 = _5 << SHIFT;  _2 = _6 + W;
 * computed in the entries' unsigned type, so that W + &var wraps to the
 * kernel address exactly as the table's entry would have.  The address stays integer arithmetic on &var, so no
 * later pass assumes the result points into `var` (a POINTER_PLUS_EXPR on
 * &var would: false -Warray-bounds, __builtin_object_size 0, equality
 * folding).  A constant CPU folds here already, so `per_cpu(x, 3)` ends as
 * one absolute operand `x+0x300000`.  Lowering this early also means -flto
 * streams the rewritten code: lto1 runs without the plugin.
 *
 * The same walk finds what the report lists and what the diagnostics
 * check: which variable each access is for, constant CPUs out of range,
 * per_cpu() of something that is not per-CPU, and per-CPU variables
 * used directly. */
#include "percpu_plugin.h"

namespace {

const pass_data percpu_lower_pass_data = {
  GIMPLE_PASS,			/* type */
  "percpu_lower",		/* name (-fdump-tree-percpu_lower) */
  OPTGROUP_NONE,		/* optinfo_flags */
  TV_NONE,			/* tv_id */
  PROP_ssa | PROP_cfg,		/* properties_required */
  0,				/* properties_provided */
  0,				/* properties_destroyed */
  0,				/* todo_flags_start */
  TODO_update_ssa | TODO_rebuild_cgraph_edges	/* todo_flags_finish */
};

/* One load of an offset-table entry. */
struct table_entry
{
  tree table;
  tree index;		/* the entry: an SSA name or an INTEGER_CST ... */
  HOST_WIDE_INT add;	/* ... plus this, for a name (`&table[1] + c`) */
  tree pointer;		/* the address loaded through (pointer form), or
			   NULL_TREE for table[i] */
};

/* A name's value divided by SIZE, when the name is `x * SIZE`: x. */
tree
scaled_index (tree bytes, unsigned HOST_WIDE_INT size)
{
  gimple *def;

  if (TREE_CODE (bytes) != SSA_NAME)
    return NULL_TREE;
  def = SSA_NAME_DEF_STMT (bytes);
  if (!is_gimple_assign (def) || gimple_assign_rhs_code (def) != MULT_EXPR)
    return NULL_TREE;
  tree a = gimple_assign_rhs1 (def), b = gimple_assign_rhs2 (def);
  if (TREE_CODE (a) == INTEGER_CST)
    std::swap (a, b);
  if (TREE_CODE (b) != INTEGER_CST || compare_tree_int (b, size) != 0)
    return NULL_TREE;
  return a;
}

/* Pointer arithmetic on the table, `*(__per_cpu_offset + cpu)`, reaches the
 * pass as
 *     _1 = cpu_2 * 4;  _3 = &__per_cpu_offset + _1;  _4 = *_3;
 * (constant CPUs are folded to table[3] before).  Follow the address back
 * to the table: at most one scaled index and any constant byte offset
 * that is a whole number of entries.  True when RHS is such a load. */
bool
pointer_entry (tree rhs, struct table_entry *entry)
{
  tree ptr = TREE_OPERAND (rhs, 0);
  tree var = NULL_TREE;
  tree first = TREE_OPERAND (rhs, 1);	/* the MEM_REF's own offset */
  offset_int bytes = wi::sext (wi::to_offset (first),
			       TYPE_PRECISION (TREE_TYPE (first)));

  for (int depth = 0; depth < 8; depth++)
    {
      if (TREE_CODE (ptr) == ADDR_EXPR)
	{
	  poly_int64 off;
	  HOST_WIDE_INT cst;
	  tree table = get_addr_base_and_unit_offset (TREE_OPERAND (ptr, 0),
						      &off);
	  if (!table || !percpu_offset_table_p (table)
	      || TREE_CODE (TREE_TYPE (table)) != ARRAY_TYPE
	      || !off.is_constant (&cst))
	    return false;
	  tree elt = TREE_TYPE (TREE_TYPE (table));
	  if (!INTEGRAL_TYPE_P (TREE_TYPE (rhs))
	      || !tree_fits_uhwi_p (TYPE_SIZE_UNIT (elt))
	      || !tree_int_cst_equal (TYPE_SIZE_UNIT (TREE_TYPE (rhs)),
				      TYPE_SIZE_UNIT (elt)))
	    return false;
	  unsigned HOST_WIDE_INT size = tree_to_uhwi (TYPE_SIZE_UNIT (elt));
	  bytes += cst;
	  if (size == 0 || wi::smod_trunc (bytes, size) != 0
	      || !wi::fits_shwi_p (bytes))
	    return false;
	  HOST_WIDE_INT entries = bytes.to_shwi () / (HOST_WIDE_INT) size;
	  entry->table = table;
	  entry->pointer = TREE_OPERAND (rhs, 0);
	  if (!var)
	    {
	      entry->index = build_int_cst (ssizetype, entries);
	      entry->add = 0;
	      return true;
	    }
	  entry->index = scaled_index (var, size);
	  entry->add = entries;
	  return entry->index != NULL_TREE;
	}
      if (TREE_CODE (ptr) != SSA_NAME)
	return false;
      gimple *def = SSA_NAME_DEF_STMT (ptr);
      if (!is_gimple_assign (def))
	return false;
      enum tree_code code = gimple_assign_rhs_code (def);
      if (code == POINTER_PLUS_EXPR)
	{
	  tree off = gimple_assign_rhs2 (def);
	  if (TREE_CODE (off) == INTEGER_CST)
	    bytes += wi::sext (wi::to_offset (off), TYPE_PRECISION (sizetype));
	  else if (var)
	    return false;
	  else
	    var = off;
	}
      else if (!CONVERT_EXPR_CODE_P (code)
	       && !(gimple_assign_single_p (def)
		    && (TREE_CODE (gimple_assign_rhs1 (def)) == SSA_NAME
			|| TREE_CODE (gimple_assign_rhs1 (def)) == ADDR_EXPR)))
	return false;
      ptr = gimple_assign_rhs1 (def);
    }
  return false;
}

/* Does the statement load one entry of the offset table, as table[i] or
 * through pointer arithmetic on it?  Both are lowered, checked and
 * reported alike. */
bool
offset_table_load (gimple *stmt, struct table_entry *entry)
{
  tree rhs;

  if (!is_gimple_assign (stmt) || !gimple_assign_single_p (stmt))
    return false;
  rhs = gimple_assign_rhs1 (stmt);
  if (TREE_CODE (rhs) == MEM_REF)
    return pointer_entry (rhs, entry);
  if (TREE_CODE (rhs) != ARRAY_REF
      || !percpu_offset_table_p (TREE_OPERAND (rhs, 0)))
    return false;
  entry->table = TREE_OPERAND (rhs, 0);
  entry->index = TREE_OPERAND (rhs, 1);
  entry->add = 0;
  entry->pointer = NULL_TREE;
  return true;
}

/* An asm with an empty template does nothing: Linux's RELOC_HIDE (and
 * OPTIMIZER_HIDE_VAR) pass an address through one,
 *     __asm__ ("" : "=r" (__p) : "0" (&var));
 * only to hide from GCC where the result points.  It is neither an access
 * nor the end of the address's trail. */
bool
empty_asm_p (const gasm *stmt)
{
  for (const char *c = gimple_asm_string (stmt); *c; c++)
    if (!ISSPACE (*c))
      return false;
  return true;
}

/* OP is an output of an empty asm: the input tied to it ("0"), whose
 * value it is; else NULL_TREE. */
tree
hidden_value (const gasm *stmt, tree op)
{
  if (!empty_asm_p (stmt))
    return NULL_TREE;
  for (unsigned out = 0; out < gimple_asm_noutputs (stmt); out++)
    {
      if (TREE_VALUE (gimple_asm_output_op (stmt, out)) != op)
	continue;
      for (unsigned in = 0; in < gimple_asm_ninputs (stmt); in++)
	{
	  tree input = gimple_asm_input_op (stmt, in);
	  const char *constraint
	    = TREE_STRING_POINTER (TREE_VALUE (TREE_PURPOSE (input)));
	  char *end;
	  if (ISDIGIT (*constraint)
	      && strtoul (constraint, &end, 10) == out && !*end)
	    return TREE_VALUE (input);
	}
    }
  return NULL_TREE;
}

/* The declaration whose address OP is (through integer conversions and
 * empty asms), or NULL_TREE when OP is not a known object's address (a
 * dynamic per-CPU pointer, say). */
tree
address_base_decl (tree op)
{
  for (int depth = 0; depth < 8; depth++)
    {
      if (TREE_CODE (op) == ADDR_EXPR)
	{
	  tree base = get_base_address (TREE_OPERAND (op, 0));
	  if (base && TREE_CODE (base) == MEM_REF
	      && TREE_CODE (TREE_OPERAND (base, 0)) == ADDR_EXPR)
	    base = get_base_address (TREE_OPERAND (TREE_OPERAND (base, 0), 0));
	  return base && DECL_P (base) ? base : NULL_TREE;
	}
      if (TREE_CODE (op) != SSA_NAME)
	return NULL_TREE;
      gimple *def = SSA_NAME_DEF_STMT (op);
      if (gasm *asm_stmt = dyn_cast<gasm *> (def))
	{
	  op = hidden_value (asm_stmt, op);
	  if (!op)
	    return NULL_TREE;
	  continue;
	}
      if (!is_gimple_assign (def))
	return NULL_TREE;
      enum tree_code code = gimple_assign_rhs_code (def);
      if (!CONVERT_EXPR_CODE_P (code) && code != ADDR_EXPR
	  && !(gimple_assign_single_p (def)
	       && TREE_CODE (gimple_assign_rhs1 (def)) == SSA_NAME))
	return NULL_TREE;
      op = gimple_assign_rhs1 (def);
    }
  return NULL_TREE;
}

/* The offset loaded into OFFSET is added, as an integer, to an address:
 * whose? */
tree
accessed_decl (tree offset)
{
  imm_use_iterator it;
  use_operand_p use;

  if (!offset || TREE_CODE (offset) != SSA_NAME)
    return NULL_TREE;
  FOR_EACH_IMM_USE_FAST (use, it, offset)
    {
      gimple *user = USE_STMT (use);
      if (!is_gimple_assign (user))
	continue;
      /* The headers' integer form only: pointer arithmetic on the table
       * (a runtime copying the template, `__per_cpu_start + off`) is
       * not an accessor and is none of our business. */
      if (gimple_assign_rhs_code (user) != PLUS_EXPR)
	continue;
      tree other = gimple_assign_rhs1 (user) == offset
		   ? gimple_assign_rhs2 (user) : gimple_assign_rhs1 (user);
      tree decl = address_base_decl (other);
      if (decl)
	return decl;
    }
  return NULL_TREE;
}

/* NR_CPUS as the table's type says it, or 0 if the bound is unknown. */
unsigned HOST_WIDE_INT
table_entries (tree table)
{
  tree domain = TYPE_DOMAIN (TREE_TYPE (table));

  if (!domain || !TYPE_MAX_VALUE (domain)
      || !tree_fits_uhwi_p (TYPE_MAX_VALUE (domain)))
    return 0;
  return tree_to_uhwi (TYPE_MAX_VALUE (domain)) + 1;
}

int
table_attr_shift (tree table)
{
  tree attr = lookup_attribute ("percpu_offset_table", DECL_ATTRIBUTES (table));

  if (!attr || !TREE_VALUE (attr))
    return -1;
  return (int) tree_to_shwi (TREE_VALUE (TREE_VALUE (attr)));
}

/* The attribute's base, an INTEGER_CST of the entries' type (its handler
 * checked and converted it), or NULL_TREE for none (entries n << shift). */
tree
table_attr_base (tree table)
{
  tree attr = lookup_attribute ("percpu_offset_table", DECL_ATTRIBUTES (table));

  if (!attr || !TREE_VALUE (attr) || !TREE_CHAIN (TREE_VALUE (attr)))
    return NULL_TREE;
  return TREE_VALUE (TREE_CHAIN (TREE_VALUE (attr)));
}

/* Is the CPU index the result of a percpu_this_cpu function (through
 * conversions)?  Then the access is to this CPU's copy, written in C. */
static bool
this_cpu_index_p (tree index)
{
  for (int depth = 0; depth < 8 && TREE_CODE (index) == SSA_NAME; depth++)
    {
      gimple *def = SSA_NAME_DEF_STMT (index);

      if (gcall *call = dyn_cast<gcall *> (def))
	return percpu_this_cpu_fn_p (gimple_call_fndecl (call));
      if (!is_gimple_assign (def)
	  || !CONVERT_EXPR_CODE_P (gimple_assign_rhs_code (def)))
	return false;
      index = gimple_assign_rhs1 (def);
    }
  return false;
}

/* Check and record one offset-table load, and rewrite it to the entry's
 * value, base + (cpu << shift), when the table's contents are known.
 * Returns true if it rewrote. */
bool
lower_table_load (gimple_stmt_iterator *gsi, const struct table_entry *entry)
{
  tree table = entry->table, index = entry->index;
  gimple *stmt = gsi_stmt (*gsi);
  location_t loc = gimple_location (stmt);
  tree lhs = gimple_assign_lhs (stmt);
  tree rhs = gimple_assign_rhs1 (stmt);
  tree decl = accessed_decl (lhs);
  int shift = table_attr_shift (table);
  bool constant = TREE_CODE (index) == INTEGER_CST;
  bool rewrite = percpu_opts.mode == PERCPU_MODE_LOWER && shift >= 0
		 && !TREE_THIS_VOLATILE (rhs);
  bool bad = false;

  if (constant)
    {
      unsigned HOST_WIDE_INT entries = table_entries (table);
      if (tree_int_cst_sgn (index) < 0
	  || (entries && compare_tree_int (index, entries) >= 0))
	{
	  percpu_diag_cpu_out_of_range (loc, index, table, entries);
	  bad = true;
	}
    }
  /* Objects of unknown size are linker-script symbols (__per_cpu_start
   * and friends), which do bound the per-CPU area. */
  if (decl && !percpu_var_p (decl) && COMPLETE_TYPE_P (TREE_TYPE (decl)))
    {
      percpu_diag_not_percpu (loc, decl, table);
      bad = true;
    }
  if (bad)
    rewrite = false;
  percpu_report_access (current_function_decl, loc,
			constant ? PERCPU_ACCESS_CONSTANT_CPU
			: this_cpu_index_p (index) ? PERCPU_ACCESS_THIS_CPU
			: PERCPU_ACCESS_VARIABLE_CPU,
			decl, index, rewrite);
  if (!rewrite)
    return false;

  /* In the entries' type (unsigned, as wide as a pointer: the attribute's
   * handler checked it), whatever integer type the load had: the shift
   * and the base's addition then wrap as the runtime's did when it filled
   * the table.  A constant CPU folds to one constant here. */
  tree type = TYPE_MAIN_VARIANT (TREE_TYPE (TREE_TYPE (table)));
  tree base = table_attr_base (table);
  gimple_seq seq = NULL;
  tree cpu = gimple_convert (&seq, loc, type, index);
  if (entry->add)
    cpu = gimple_build (&seq, loc, PLUS_EXPR, type, cpu,
			build_int_cst (type, entry->add));
  tree offset = gimple_build (&seq, loc, LSHIFT_EXPR, type, cpu,
			      build_int_cst (integer_type_node, shift));
  if (base && !integer_zerop (base))
    offset = gimple_build (&seq, loc, PLUS_EXPR, type, offset, base);
  offset = gimple_convert (&seq, loc, TREE_TYPE (lhs), offset);
  if (seq)
    gsi_insert_seq_before (gsi, seq, GSI_SAME_STMT);
  gimple_assign_set_rhs_from_tree (gsi, offset);
  update_stmt (gsi_stmt (*gsi));
  return true;
}

/* The per-CPU variable an asm operand names: the operand itself (`"m"(var)`)
 * or its address. */
tree
asm_operand_var (tree op)
{
  tree val = TREE_VALUE (op);
  tree base = TREE_CODE (val) == ADDR_EXPR
	      ? get_base_address (TREE_OPERAND (val, 0))
	      : get_base_address (val);

  return base && percpu_var_p (base) ? base : NULL_TREE;
}

/* An inline asm that names a per-CPU variable as an operand is a this-CPU
 * accessor (the i386 headers' single %fs-prefixed instructions); an empty
 * one only hides an address and is not.  One that reads the variable
 * holding this CPU's offset (percpu_this_cpu) and also takes a pointer is
 * this_cpu_ptr(): the access is to the object the pointer addresses (whose
 * address the header passes in an operand the template does not use),
 * `null` for a dynamic per-CPU pointer; the offset is only the means.
 * Without a pointer operand it is a plain read of the offset variable. */
void
record_asm_accesses (gasm *stmt)
{
  if (empty_asm_p (stmt))
    return;
  unsigned n_in = gimple_asm_ninputs (stmt), n_out = gimple_asm_noutputs (stmt);
  location_t loc = gimple_location (stmt);
  tree offset_var = NULL_TREE;

  for (unsigned i = 0; i < n_in + n_out; i++)
    {
      tree op = i < n_in ? gimple_asm_input_op (stmt, i)
			 : gimple_asm_output_op (stmt, i - n_in);
      tree var = asm_operand_var (op);
      if (var && percpu_this_cpu_offset_p (var))
	offset_var = var;
    }
  if (offset_var)
    for (unsigned i = 0; i < n_in; i++)
      {
	tree val = TREE_VALUE (gimple_asm_input_op (stmt, i));
	if (!POINTER_TYPE_P (TREE_TYPE (val)))
	  continue;
	tree target = address_base_decl (val);
	percpu_report_access (current_function_decl, loc,
			      PERCPU_ACCESS_THIS_CPU,
			      target && percpu_var_p (target) ? target
			      : NULL_TREE, NULL_TREE, false);
	return;
      }
  for (unsigned i = 0; i < n_in + n_out; i++)
    {
      tree op = i < n_in ? gimple_asm_input_op (stmt, i)
			 : gimple_asm_output_op (stmt, i - n_in);
      if (tree var = asm_operand_var (op))
	percpu_report_access (current_function_decl, loc,
			      PERCPU_ACCESS_THIS_CPU, var, NULL_TREE, false);
    }
}

/* walk_stmt_load_store_ops callbacks: a per-CPU variable itself loaded or
 * stored, not through an accessor. */
bool
direct_use (gimple *stmt, tree base, bool store)
{
  if (base && percpu_var_p (base))
    percpu_diag_direct_access (gimple_location (stmt), base, store);
  return false;
}

bool
direct_load (gimple *stmt, tree base, tree, void *)
{
  return direct_use (stmt, base, false);
}

bool
direct_store (gimple *stmt, tree base, tree, void *)
{
  return direct_use (stmt, base, true);
}

class percpu_lower_pass : public gimple_opt_pass
{
public:
  percpu_lower_pass (gcc::context *ctx)
    : gimple_opt_pass (percpu_lower_pass_data, ctx)
  {}

  virtual unsigned int execute (function *fun);
};

unsigned int
percpu_lower_pass::execute (function *fun)
{
  basic_block bb;
  bool changed = false;
  /* Addresses of rewritten pointer-form loads, whose computation
   * (`&__per_cpu_offset + _1`) is dead now: removed below, so that no
   * reference to the table is left even at -O0. */
  auto_bitmap dead_addresses;

  FOR_EACH_BB_FN (bb, fun)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);
	 gsi_next (&gsi))
      {
	gimple *stmt = gsi_stmt (gsi);
	struct table_entry entry;

	if (is_gimple_debug (stmt))
	  continue;
	if (gasm *asm_stmt = dyn_cast<gasm *> (stmt))
	  {
	    record_asm_accesses (asm_stmt);
	    continue;
	  }
	if (offset_table_load (stmt, &entry))
	  {
	    if (lower_table_load (&gsi, &entry))
	      {
		changed = true;
		if (entry.pointer && TREE_CODE (entry.pointer) == SSA_NAME)
		  bitmap_set_bit (dead_addresses,
				  SSA_NAME_VERSION (entry.pointer));
	      }
	    continue;
	  }
	walk_stmt_load_store_ops (stmt, NULL, direct_load, direct_store);
      }
  if (!bitmap_empty_p (dead_addresses))
    simple_dce_from_worklist (dead_addresses);
  return changed ? TODO_update_ssa : 0;
}

} /* namespace */

opt_pass *
percpu_make_lower_pass (gcc::context *ctx)
{
  return new percpu_lower_pass (ctx);
}
