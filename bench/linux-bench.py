#!/usr/bin/env python3
"""linux-bench.py: stock Linux 6.1 against percpu-vm, one table per arch (make bench-linux).

    linux-bench.py SRCDIR LINUXBUILDDIR CONFIGDIR PLUGIN

LINUXBUILDDIR is <builddir>/linux, with both kernels of each arch built
(stock/ and vm/ for i386, stock-x86_64/ and vm-x86_64/ for x86-64) and
each arch's test initramfs (initramfs/, initramfs-x86_64/) holding the test
modules: what `make check-linux` and `make check-linux-x86_64` build.
$BENCH_LINUX_ARCHES (default "i386 x86_64") says which arches.  SRCDIR is percpu-vm's source tree (the
scripts and PERCPU_VM=), CONFIGDIR linux/config, PLUGIN the GCC plugin.

What it measures, each kernel in turn, from the same patched tree:

  - boots: $BENCH_LINUX_BOOTS (default 5) boots with -smp $BENCH_LINUX_CPUS
    (default 4) of the test initramfs, whose /init loads the module mix and
    prints `percpu-test: fact KEY VALUE` lines: modules loaded, `Percpu:`
    of /proc/meminfo after boot, with every module loaded and after
    unloading them all, the runtime's own figures (/proc/percpu_vm) on the
    vm kernel, the virtual address space per-CPU chunks take in the
    vmalloc area (/proc/vmallocinfo) on the stock one, and the guest's
    uptime when /init starts (the boot time, under TCG: noisy, so the
    median of the boots, and only the ratio is worth reading);
  - the images: `__per_cpu_offset` references in vmlinux's code and the
    plugin's lowered sites (linux/scripts/plugin-figures.py), .text size;
  - build time with the plugin: unless BENCH_LINUX_BUILD=no, the vm kernel
    built twice from nothing in scratch O= folders, without ccache, with
    and without the plugin, one after the other (user + system CPU time
    of the build, and wall time; the ratio is what counts).

The table goes to standard output and to LINUXBUILDDIR/bench/table.md, the
boot logs to LINUXBUILDDIR/bench/.
"""
import importlib.util
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

PAGE = 4096
# Per arch: the flavours (stock first), the initramfs folder, the title.
ARCHES = {
    "i386": (("stock", "vm"), "initramfs", "i386"),
    "x86_64": (("stock-x86_64", "vm-x86_64"), "initramfs-x86_64", "x86-64"),
}


def load_plugin_figures(srcdir):
    """linux/scripts/plugin-figures.py as a module (its name has a dash)."""
    path = os.path.join(srcdir, "linux", "scripts", "plugin-figures.py")
    spec = importlib.util.spec_from_file_location("plugin_figures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def facts(log):
    """The `percpu-test: fact KEY VALUE` lines of a serial log, as a dict."""
    found = {}
    with open(log, errors="replace") as f:
        for line in f:
            m = re.match(r"percpu-test: fact (\S+) (.*?)\r?$", line)
            if m:
                found[m.group(1)] = m.group(2)
    return found


def percpu_vmalloc_bytes(log, system_map):
    """Bytes of the vmalloc areas pcpu_get_vm_areas() made (stock's per-CPU
    chunks after the first), from /init's `percpu-test: vmalloc SIZE CALLER`
    lines; the caller is an address (no kallsyms), looked up in System.map."""
    with open(system_map) as f:
        addr = next((int(line.split()[0], 16) for line in f
                     if line.split()[2:3] == ["pcpu_get_vm_areas"]), None)
    if addr is None:
        sys.exit(f"linux-bench: {system_map}: no pcpu_get_vm_areas")
    total = 0
    with open(log, errors="replace") as f:
        for line in f:
            m = re.match(r"percpu-test: vmalloc (\d+) (?:0x)?([0-9a-f]+)\s*$", line)
            if m and int(m.group(2), 16) == addr:
                total += int(m.group(1))
    return total


def boot(srcdir, lb, arch, flavour, cpus, log):
    """One boot of FLAVOUR; its facts.  Stops the bench on a failed boot."""
    kernel = os.path.join(lb, flavour, "arch/x86/boot/bzImage")
    initrd = os.path.join(lb, ARCHES[arch][1], "initramfs.cpio.gz")
    rc = subprocess.run(["bash", os.path.join(srcdir, "linux/scripts/boot.sh"), "--arch", arch,
                         kernel, initrd, str(cpus), log,
                         f"percpu_test.flavour={flavour}"]).returncode
    got = facts(log)
    with open(log, errors="replace") as f:
        text = f.read()
    if rc != 0 or not re.search(r"percpu-test: end \d+ checks, 0 failed", text):
        sys.exit(f"linux-bench: {flavour} -smp {cpus}: the boot failed (qemu status {rc}, "
                 f"or a check failed); see {log}")
    return got


def timed_build(srcdir, lb, confdir, flavour, plugin, out):
    """Build the vm FLAVOUR from nothing in OUT without ccache: (cpu s, wall s)."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, CCACHE_DISABLE="1")
    env.pop("PERCPU_PLUGIN", None)
    if plugin:
        env["PERCPU_PLUGIN"] = plugin
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(["bash", os.path.join(srcdir, "linux/scripts/build-kernel.sh"), flavour,
                    os.path.join(lb, "src"), out, confdir, f"PERCPU_VM={srcdir}"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    shutil.rmtree(out, ignore_errors=True)
    return cpu, wall


def text_size(vmlinux):
    """Bytes of vmlinux's .text section."""
    out = subprocess.run([os.environ.get("SIZE", "size"), "-A", vmlinux], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if fields[:1] == [".text"]:
            return int(fields[1])
    sys.exit(f"linux-bench: {vmlinux}: no .text section")


def function_bytes(vmlinux):
    """Bytes of code in functions: the sizes `nm -S` gives text symbols.
    The .text section's size hides small changes: its end is aligned, and
    both kernels' come out the same."""
    out = subprocess.run([os.environ.get("NM", "nm"), "-S", vmlinux], check=True,
                         capture_output=True, text=True).stdout
    return sum(int(f[1], 16) for f in (line.split() for line in out.splitlines())
               if len(f) == 4 and f[2] in ("t", "T"))


def num(d, key):
    """An integer fact, or None when the kernel did not print it."""
    value = d.get(key)
    return int(value) if value is not None and re.fullmatch(r"-?\d+", value) else None


def config_value(path, key):
    """An integer option of a kernel .config."""
    with open(path) as f:
        for line in f:
            if line.startswith(key + "="):
                return int(line.split("=", 1)[1], 0)
    sys.exit(f"linux-bench: {path}: no {key}")


def cell(value, unit=""):
    return "n/a" if value is None else f"{value:,}{unit}"


def bench_arch(srcdir, lb, confdir, plugin, arch, cpus, boots, figures, outdir):
    """Boot, measure and build one arch's two kernels; its table (markdown)."""
    (stock, vm), _, title = ARCHES[arch]
    flavours = (stock, vm)
    got, uptimes, images = {}, {f: [] for f in flavours}, {}
    # The boots alternate between the kernels, so a load that comes and
    # goes on the machine weighs on both alike.
    for i in range(boots):
        for flavour in flavours:
            log = os.path.join(outdir, f"{flavour}-smp{cpus}-{i + 1}.log")
            run = boot(srcdir, lb, arch, flavour, cpus, log)
            print(f"linux-bench: {flavour} boot {i + 1}/{boots}: /init at "
                  f"{run.get('uptime-init', '?')} s", flush=True)
            if "uptime-init" in run:
                uptimes[flavour].append(float(run["uptime-init"]))
            if i == 0:
                got[flavour] = run
                got[flavour]["vmalloc-percpu-bytes-with-mix"] = str(percpu_vmalloc_bytes(
                    log, os.path.join(lb, flavour, "System.map")))
    for flavour in flavours:
        vmlinux = os.path.join(lb, flavour, "vmlinux")
        docs = figures.records(vmlinux)
        lowered = sum(1 for d in docs for a in d["accesses"] if a["rewritten"])
        images[flavour] = {"table": figures.table_references(vmlinux),
                           "lowered": lowered, "text": text_size(vmlinux),
                           "code": function_bytes(vmlinux)}

    build = None
    if os.environ.get("BENCH_LINUX_BUILD", "yes") != "no":
        print(f"linux-bench: timing two {vm} builds without ccache (several minutes each)", flush=True)
        plain = timed_build(srcdir, lb, confdir, vm, None, os.path.join(outdir, f"build-{vm}-noplugin"))
        with_plugin = timed_build(srcdir, lb, confdir, vm, plugin,
                                  os.path.join(outdir, f"build-{vm}-plugin"))
        build = (plain, with_plugin)

    rows = []

    def row(what, s_cell, v_cell, note=""):
        rows.append(f"| {what} | {s_cell} | {v_cell} | {note} |")

    s, v = got[stock], got[vm]
    row("modules of the 40-mix (200..6,000 B) loaded", f"{s.get('mix40-loaded', 'n/a')} of 40",
        f"{v.get('mix40-loaded', 'n/a')} of 40")
    row("modules of the 5 x 6,000 B set loaded (after the 40)", f"{s.get('big-loaded', 'n/a')} of 5",
        f"{v.get('big-loaded', 'n/a')} of 5")
    row("of the 45, refused by the per-CPU allocator", cell(num(s, "mix-modules-refused") or 0),
        cell(num(v, "mix-modules-refused") or 0),
        "stock: `Could not allocate N bytes percpu data`")
    # Resident bytes per CPU: meminfo's Percpu: counts every CPU's pages.
    # The tight bound is the vm runtime's live bytes per CPU rounded up to
    # pages; the stock kernel holds the same per-CPU objects (its static
    # section is a few bytes smaller), so the bound is the same for both.
    for stage, what in (("before-mix", "after boot"), ("with-mix", "all modules loaded"),
                        ("after-mix", "after unloading them")):
        sk, vk = num(s, f"meminfo-percpu-kb-{stage}"), num(v, f"meminfo-percpu-kb-{stage}")
        runtime, used = num(v, f"vm-mapped-pages-{stage}"), num(v, f"vm-used-bytes-{stage}")
        bound = None if used is None else math.ceil(used / PAGE) * PAGE
        row(f"resident per-CPU bytes per CPU, {what} (`Percpu:` / CPUs)",
            cell(None if sk is None else sk * 1024 // cpus),
            cell(None if vk is None else vk * 1024 // cpus),
            f"vm runtime's count {cell(None if runtime is None else runtime * PAGE // cpus)}; "
            f"tight bound ceil(used/4 KiB) {cell(bound)} (used {cell(used)})")
    vm_config = os.path.join(lb, vm, ".config")
    window = config_value(vm_config, "CONFIG_NR_CPUS") << config_value(vm_config, "CONFIG_VM_PERCPU_SHIFT")
    row("kernel VA taken by per-CPU data beyond the first chunk, modules loaded",
        f"{cell(num(s, 'vmalloc-percpu-bytes-with-mix'))} B of vmalloc chunks",
        f"{cell(window)} B window, fixed (vmalloc chunks: {cell(num(v, 'vmalloc-percpu-bytes-with-mix'))} B)",
        "stock's first chunk is in the direct map; vm's window holds the static data too")
    row("`__per_cpu_offset` references in vmlinux code", cell(images[stock]["table"]),
        cell(images[vm]["table"]))
    row("plugin-lowered access sites", cell(images[stock]["lowered"]), cell(images[vm]["lowered"]))
    row("vmlinux .text section bytes", cell(images[stock]["text"]), cell(images[vm]["text"]))
    row("vmlinux bytes of code in functions (`nm -S`)", cell(images[stock]["code"]),
        cell(images[vm]["code"]), f"vm - stock: {images[vm]['code'] - images[stock]['code']:+,}")
    if build:
        (pc, pw), (wc, ww) = build
        row("vm kernel build, no ccache: CPU s (wall s)", f"{pc:.0f} ({pw:.0f}) without the plugin",
            f"{wc:.0f} ({ww:.0f}) with it", f"ratio {wc / pc:.2f} CPU, {ww / pw:.2f} wall")
    if uptimes[stock] and uptimes[vm]:
        ms, mv = statistics.median(uptimes[stock]), statistics.median(uptimes[vm])
        row(f"uptime at /init, -smp {cpus}, median of {boots} alternating boots (TCG)",
            f"{ms:.2f} s", f"{mv:.2f} s",
            f"ratio vm/stock {mv / ms:.2f}")

    return "\n".join([f"Linux 6.1 {title}, -smp {cpus}: stock vs percpu-vm (make bench-linux)", "",
                      "| | stock | percpu-vm | |", "|---|---|---|---|"] + rows) + "\n"


def main(argv):
    if len(argv) != 4:
        sys.exit("usage: linux-bench.py SRCDIR LINUXBUILDDIR CONFIGDIR PLUGIN")
    srcdir, lb, confdir, plugin = argv
    cpus = int(os.environ.get("BENCH_LINUX_CPUS", "4"))
    boots = int(os.environ.get("BENCH_LINUX_BOOTS", "5"))
    arches = os.environ.get("BENCH_LINUX_ARCHES", "i386 x86_64").split()
    for arch in arches:
        if arch not in ARCHES:
            sys.exit(f"linux-bench: unknown arch '{arch}' in BENCH_LINUX_ARCHES (i386, x86_64)")
    figures = load_plugin_figures(srcdir)
    outdir = os.path.join(lb, "bench")
    os.makedirs(outdir, exist_ok=True)

    tables = [bench_arch(srcdir, lb, confdir, plugin, arch, cpus, boots, figures, outdir)
              for arch in arches]
    table = "\n".join(tables)
    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main(sys.argv[1:])
