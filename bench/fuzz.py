"""The full fuzzing campaign: for every page, 300 random widget settings and 100 hostile query strings.

    python bench/fuzz.py                     # every page (takes a while: thousands of reruns)
    python bench/fuzz.py --pages vanishing --settings 50 --queries 20

Prints, per page, how many runs were made and every exception or non-finite chart value found.
tests/test_fuzz.py runs a seeded sample of the same campaign in the test suite.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest outside a server warns on every run
os.environ["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] = "full"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # a script run from anywhere

from tests.test_fuzz import fuzz_queries, fuzz_settings  # noqa: E402
from ui import nav  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="")
    parser.add_argument("--settings", type=int, default=300)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    slugs = [s for s in args.pages.split(",") if s] or [p.slug for p in nav.PAGES]
    total = 0
    for slug in slugs:
        started = time.perf_counter()
        problems = fuzz_settings(slug, args.settings, args.seed) + fuzz_queries(slug, args.queries, args.seed)
        total += len(problems)
        print(f"{slug}: {args.settings} settings + {args.queries} queries, {len(problems)} problems, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        for p in problems[:5]:
            print(f"    {p[:400]}")
    print(f"\n{len(slugs)} pages, {total} problems")


if __name__ == "__main__":
    main()
