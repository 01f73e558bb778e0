#!/usr/bin/env python3
"""tests/layout/check-svg.py SVG JSON: percpu-layout's picture (--svg) of a
run against the same run's --json: the SVG parses, and names every input's
area and every variable (a label at its offset and a tooltip), one box per
CPU and the used pages' boundaries.  Used by svg.sh and x86_64.sh."""
import json, sys
import xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
layout = json.load(open(sys.argv[2]))
assert root.tag == ns + "svg", root.tag
texts = [("".join(t.itertext())) for t in root.iter(ns + "text")]
titles = [t.text or "" for t in root.iter(ns + "title")]
for f in layout["files"]:
    assert any(f["path"] in t for t in texts), "area of %s not labelled" % f["path"]
    for v in f["variables"]:
        label = [t for t in texts if t.split()[-1:] == [v["name"]]]
        assert label, "variable %s not named" % v["name"]
        assert any(t.startswith(v["name"] + ":") for t in titles), "no tooltip for " + v["name"]
        assert any(l.split()[0] == "0x%06x" % v["offset"] for l in label), (v, label)
cpus = [t for t in titles if t.startswith("CPU ")]
assert len(cpus) == layout["window"]["nr_cpus"], (len(cpus), layout["window"]["nr_cpus"])
pages = [t for t in texts if t.startswith("page ")]
assert len(pages) == layout["window"]["pages_per_cpu"] + 1, (pages, layout["window"])
float(root.get("height")); float(root.get("width"))
