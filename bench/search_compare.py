"""Search quality side by side: kbsite vs stock mkdocs-material + jieba, on the same notes.

    /work/venv/bin/python bench/search_compare.py [--project DIR --queries TSV] [--misses]

By default two corpora: the repo's notes (tests/search/queries.tsv) and a plain folder of notes
without front matter (tests/search/plain_vault, plain_queries.tsv); then the repo's notes again
with held-out paraphrases (holdout_queries.tsv), written blind and never tuned against. For each, builds the kbsite
site and, from the same notes, a stock Material site (wikilinks as plain text, one-page nav,
``- search`` with jieba); serves each on 127.0.0.1, types every query into the header search box
of headless Chromium, and prints recall@5 and MRR per kind for both, the index sizes and, for
kbsite, the time per query in its worker (median and p95).
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


def compare(project: Path, queries_file: Path, only: str | None, misses: bool, label: str) -> None:
    queries = harness.load_queries(queries_file)
    notes = project / "notes"
    urls = harness.note_urls(notes)
    reports = []
    with tempfile.TemporaryDirectory(prefix="kb-search-") as tmp:
        tmp_path = Path(tmp)
        if only != "stock":
            site = harness.build_kbsite(project, tmp_path / "kbsite-site")
            reports.append(harness.evaluate("kbsite", site, queries, urls, timing=True))
            reports[-1].gz = sum(len(gzip.compress(b)) for b in harness.index_files(site))
        if only != "kbsite":
            site = harness.build_stock(notes, tmp_path / "stock", tmp_path / "stock-site")
            reports.append(harness.evaluate("stock", site, queries, urls))
            reports[-1].gz = sum(len(gzip.compress(b)) for b in harness.index_files(site))
    print(f"== {label}: {len(queries)} queries over {len(urls)} notes, top {harness.K}, headless Chromium\n")
    print(harness.table(reports))
    for r in reports:
        print(f"{r.name}: index gzip {r.gz:,} bytes (all its files, each compressed)")
    if misses:
        for r in reports:
            print(f"\n{r.name}: queries not ranked first")
            print(harness.misses_text(r, urls))
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--project", type=Path, help="one kbsite project (mkdocs.yml, notes/) instead of both corpora")
    ap.add_argument("--queries", type=Path, default=harness.QUERIES, help="its queries (with --project)")
    ap.add_argument("--misses", action="store_true", help="list queries not ranked first")
    ap.add_argument("--only", choices=("kbsite", "stock"), help="run one side only")
    args = ap.parse_args(argv)
    if args.project:
        compare(args.project, args.queries, args.only, args.misses, str(args.project))
        return 0
    compare(REPO, harness.QUERIES, args.only, args.misses, "repo notes")
    compare(harness.PLAIN_VAULT, harness.PLAIN_QUERIES, args.only, args.misses, "plain vault (no front matter)")
    compare(REPO, harness.HOLDOUT_QUERIES, args.only, args.misses, "repo notes, held-out paraphrases (not tuned)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
