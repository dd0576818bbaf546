"""Dump what every page shows (figure JSON and text) for a fixed set of settings, to compare two versions.

    python bench/dump_pages.py OUT_DIR                 # every page
    python bench/dump_pages.py OUT_DIR --pages dropout
    python bench/dump_pages.py --compare BEFORE AFTER  # differences, numbers compared to 1e-9 relative

A refactor that must not change behaviour (moving files, renaming modules) dumps before and after and compares.
Settings per page: English at the defaults, Korean in presenter mode, and three seeded random settings; after each,
the Step buttons are pressed twice (Train's chunks depend on the clock, Step's do not) and the page dumped again.
"""
from __future__ import annotations

import argparse
import base64
import json
import math
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from tests.apptest_util import chart_specs, open_page, page_widgets, random_value  # noqa: E402
from ui import nav  # noqa: E402

TEXT = ("title", "header", "subheader", "markdown", "caption", "latex", "text", "metric", "error", "warning",
        "info", "success")


def snapshot(at) -> dict:
    text = []
    for kind in TEXT:
        for el in getattr(at, kind):
            label, value = str(getattr(el, "label", "") or ""), str(getattr(el, "value", "") or "")
            if kind == "metric" and ("ms" in value or "×" in value):  # wall-clock timings differ run to run
                value = "<timing>"
            text.append([kind, label, value])
    widgets = sorted([type(w).__name__, w.key, repr(w.value)] for w in page_widgets(at))
    return {"charts": [json.loads(s) for s in chart_specs(at)], "text": text, "widgets": widgets,
            "exceptions": [e.message for e in at.exception]}


def press_steps(at, times: int = 2) -> None:
    for _ in range(times):
        for button in [b for b in at.button if b.key and b.key.endswith("-step")]:
            if not button.disabled:
                button.click()
                at.run()


def dump_page(slug: str) -> dict:
    runs = {}
    cases = [("en-default", "en", {}, None), ("ko-present", "ko", {"present": "1"}, None)]
    cases += [(f"en-random{k}", "en", {}, k) for k in range(3)]
    for name, lang, params, seed in cases:
        at = open_page(slug, lang, params)
        if seed is not None:
            rng = random.Random(1000 * seed + sum(map(ord, slug)))
            for widget in sorted(page_widgets(at), key=lambda w: w.key):
                value = random_value(widget, rng)
                if value is not None:
                    widget.set_value(value)
            at.run()
        runs[name] = snapshot(at)
        try:
            press_steps(at)
        except ValueError as exc:  # AppTest loses a selectbox whose labels are formatted (an AppTest quirk)
            runs[name + "-stepped"] = {"apptest_error": str(exc)}
            continue
        runs[name + "-stepped"] = snapshot(at)
    return runs


def _decode(node):
    """Typed arrays (base64) to lists, so two dumps compare as numbers."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            return {"array": values.tolist(), "shape": node.get("shape")}
        return {k: _decode(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decode(v) for v in node]
    return node


def differences(a, b, path="", out=None, rel=1e-9):
    out = [] if out is None else out
    if len(out) > 20:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'after' if k not in a else 'before'}")
            else:
                differences(a[k], b[k], f"{path}/{k}", out, rel)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            differences(x, y, f"{path}[{i}]", out, rel)
    elif isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            out.append(f"{path}: {a!r} vs {b!r}")
        elif not (math.isclose(a, b, rel_tol=rel, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))):
            out.append(f"{path}: {a!r} vs {b!r}")
    elif a != b:
        out.append(f"{path}: {str(a)[:120]!r} vs {str(b)[:120]!r}")
    return out


def compare(before: Path, after: Path) -> int:
    total_charts, bad = 0, 0
    for file in sorted(before.glob("*.json")):
        other = after / file.name
        if not other.exists():
            print(f"{file.stem}: missing after")
            bad += 1
            continue
        a, b = json.loads(file.read_text()), json.loads(other.read_text())
        for case in a:
            total_charts += len(a[case].get("charts", []))
            diff = differences(_decode(a[case]), _decode(b.get(case, {})))
            if diff:
                bad += 1
                print(f"{file.stem} {case}: {len(diff)} difference(s)")
                for d in diff[:8]:
                    print(f"    {d}")
    print(f"{total_charts} charts compared; {bad} page setting(s) differ")
    return bad


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?")
    parser.add_argument("--pages", default="")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        sys.exit(1 if compare(Path(args.compare[0]), Path(args.compare[1])) else 0)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for slug in [s for s in args.pages.split(",") if s] or [p.slug for p in nav.PAGES]:
        runs = dump_page(slug)
        (out / f"{slug}.json").write_text(json.dumps(runs, ensure_ascii=False, sort_keys=True))
        print(slug, sum(len(r.get("charts", [])) for r in runs.values()), "charts", flush=True)


if __name__ == "__main__":
    main()
