"""Search quality side by side: kbsite vs stock mkdocs-material + jieba, on the same notes.

    /work/venv/bin/python bench/search_compare.py [--project DIR] [--misses]

Builds the kbsite project (its mkdocs.yml) and, from the same notes, a stock Material site
(wikilinks as plain text, one-page nav, ``- search`` with jieba); serves each on 127.0.0.1,
types every query of tests/search/queries.tsv into the header search box of headless
Chromium, and prints recall@5 and MRR per kind for both, plus index sizes.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "search"))

import search_harness as harness  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--project", type=Path, default=REPO, help="kbsite project (mkdocs.yml, notes/)")
    ap.add_argument("--queries", type=Path, default=harness.QUERIES)
    ap.add_argument("--misses", action="store_true", help="list queries not ranked first")
    ap.add_argument("--only", choices=("kbsite", "stock"), help="run one side only")
    args = ap.parse_args(argv)

    queries = harness.load_queries(args.queries)
    notes = args.project / "notes"
    urls = harness.note_urls(notes)
    reports = []
    with tempfile.TemporaryDirectory(prefix="kb-search-") as tmp:
        tmp_path = Path(tmp)
        if args.only != "stock":
            site = harness.build_kbsite(args.project, tmp_path / "kbsite-site")
            reports.append(harness.evaluate("kbsite", site, queries, urls))
            reports[-1].gz = len(gzip.compress((site / "search/search_index.json").read_bytes()))
        if args.only != "kbsite":
            site = harness.build_stock(notes, tmp_path / "stock", tmp_path / "stock-site")
            reports.append(harness.evaluate("stock", site, queries, urls))
            reports[-1].gz = len(gzip.compress((site / "search/search_index.json").read_bytes()))
    print(f"{len(queries)} queries over {len(urls)} notes, top {harness.K}, headless Chromium\n")
    print(harness.table(reports))
    for r in reports:
        print(f"{r.name}: index gzip {r.gz:,} bytes")
    if args.misses:
        for r in reports:
            print(f"\n{r.name}: queries not ranked first")
            print(harness.misses_text(r, urls))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
