"""Search quality in headless Chromium on the repo's own notes: recall@5 and MRR floors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import search_harness as harness

# Targets of issues 3 and 14; measured values are in docs/search.md.
RECALL_FLOOR = 0.99
MRR_FLOOR = 0.97
KIND_FLOOR = 0.90  # the kinds of issue 3 (phrase: paraphrased questions, MRR 0.906)
NEW_KINDS = ("phrase_words", "cross", "trad", "pinyin_full", "pinyin_init", "version", "hyphen")
NEW_KIND_FLOOR = 0.95


def _check(report: harness.Report, urls: dict[str, str], kinds: tuple[str, ...]) -> None:
    _, recall, mrr = report.metrics()
    assert recall >= RECALL_FLOOR and mrr >= MRR_FLOOR, harness.misses_text(report, urls)
    for kind in kinds:
        n, k_recall, k_mrr = report.metrics(kind)
        floor = NEW_KIND_FLOOR if kind in NEW_KINDS else KIND_FLOOR
        assert n >= 20 or kind not in NEW_KINDS, (kind, n)
        assert k_recall >= floor and k_mrr >= floor, (kind, harness.misses_text(report, urls))


@pytest.mark.browser
@pytest.mark.parametrize("shards", [None, True], ids=["auto", "sharded"])
def test_search_quality_in_the_browser(tmp_path: Path, browser: object, shards: bool | None) -> None:
    queries = harness.load_queries()
    assert len(queries) >= 100 and {q.kind for q in queries} == set(harness.KINDS)
    urls = harness.note_urls(harness.REPO / "notes")
    site = harness.build_kbsite(harness.REPO, tmp_path / "site", shards=shards)
    report = harness.evaluate("kbsite", site, queries, urls, browser=browser)
    print("\n" + harness.table([report]) + "\n" + harness.misses_text(report, urls))
    _check(report, urls, harness.KINDS)
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    # auto: one file, the index is under 2 MB
    assert index["docs"]["kbsite"] == 2 and ("shards" if shards else "pages") in index["docs"]


@pytest.mark.browser
def test_search_quality_on_a_plain_folder_without_front_matter(tmp_path: Path, browser: object) -> None:
    queries = harness.load_queries(harness.PLAIN_QUERIES)
    assert {q.kind for q in queries} == set(NEW_KINDS)
    urls = harness.note_urls(harness.PLAIN_VAULT / "notes")
    site = harness.build_kbsite(harness.PLAIN_VAULT, tmp_path / "site")
    report = harness.evaluate("kbsite", site, queries, urls, browser=browser)
    print("\n" + harness.table([report]) + "\n" + harness.misses_text(report, urls))
    _check(report, urls, NEW_KINDS)


@pytest.mark.browser
def test_a_traditional_or_pinyin_query_is_highlighted_in_the_result_list(tmp_path: Path, browser: object) -> None:
    """In Material's own result list: a 繁體 query marks the 简体 words, pinyin the title."""
    site = harness.build_kbsite(harness.PLAIN_VAULT, tmp_path / "site")
    with harness.serve(site) as base:
        context = browser.new_context()  # type: ignore[attr-defined]
        try:
            page = context.new_page()
            page.goto(base)
            page.keyboard.press("/")
            box = page.locator("input[data-md-component=search-query]")
            box.wait_for(state="visible")
            for query, title, marked in (("負載均衡損失", "混合专家模型", "负载</mark><mark>均衡</mark><mark>损失"),
                                         ("zszl", "知识蒸馏", "知识蒸馏"),
                                         ("随机失活", "3.dropout", "dropout")):
                box.fill(query)
                box.press("End")
                first = page.locator(".md-search-result__item").first
                first.wait_for(state="visible")
                page.wait_for_function(
                    "t => document.querySelector('.md-search-result__item h1')?.textContent.includes(t)", arg=title)
                html = first.inner_html()
                assert f"<mark>{marked}</mark>" in html, (query, html)
        finally:
            context.close()


@pytest.mark.browser
def test_the_page_a_result_opens_marks_what_the_query_found(tmp_path: Path, browser: object) -> None:
    """Material's ``?h=`` highlighting on the opened page marks the words as the page writes them:
    the 简体 text of a 繁體 query, the title a pinyin query spelled, the name another glossary name
    stands for. Only with ``search.highlight`` on, as Material does it."""
    project = tmp_path / "kb"
    shutil.copytree(harness.PLAIN_VAULT, project)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  font: false\n", "  font: false\n  features: [search.highlight]\n"), encoding="utf-8")
    site = harness.build_kbsite(project, tmp_path / "site")
    with harness.serve(site) as base:
        context = browser.new_context()  # type: ignore[attr-defined]
        try:
            page = context.new_page()
            for query, title, marked in (("負載均衡損失", "混合专家模型", "负载均衡损失"),
                                         ("zszl", "知识蒸馏", "知识蒸馏"),
                                         ("随机失活", "3.dropout", "dropout")):
                page.goto(base)
                page.keyboard.press("/")
                box = page.locator("input[data-md-component=search-query]")
                box.wait_for(state="visible")
                box.fill(query)
                box.press("End")
                page.wait_for_function(
                    "t => document.querySelector('.md-search-result__item h1')?.textContent.includes(t)", arg=title)
                page.locator(".md-search-result__item a").first.click()
                page.wait_for_url("**?h=*")
                page.wait_for_selector("article mark[data-md-highlight]")
                text = " ".join(page.locator("article mark[data-md-highlight]").all_inner_texts())
                assert marked.lower() in text.replace(" ", "").lower(), (query, page.url, text)
        finally:
            context.close()


@pytest.mark.browser
def test_compare_script_runs_on_a_tiny_kb(tmp_path: Path) -> None:
    """bench/search_compare.py builds kbsite and stock Material side by side and prints both."""
    import subprocess
    import sys

    project = tmp_path / "kb"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# 首页\n", encoding="utf-8")
    (project / "notes").mkdir()
    (project / "notes" / "kd.md").write_text(
        "---\nid: kd\ntitle: 知识蒸馏\naliases: [Knowledge Distillation]\n---\n学生模仿教师的软标签。\n",
        encoding="utf-8")
    (project / "notes" / "kv.md").write_text(
        "---\nid: kv\ntitle: KV Cache\naliases: [键值缓存]\n---\n缓存历史 token 的 K 和 V，见 [[kd]]。\n",
        encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\n  language: zh\n  font: false\nplugins:\n  - search\n  - kbsite\n",
        encoding="utf-8")
    queries = tmp_path / "q.tsv"
    queries.write_text("知识蒸馏\ttitle\t知识蒸馏\nKV缓存\tmixed\tKV Cache\n蒸馏\tsubword\t知识蒸馏\n",
                       encoding="utf-8")
    script = harness.REPO / "bench" / "search_compare.py"
    out = subprocess.run([sys.executable, str(script), "--project", str(project), "--queries", str(queries)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "kbsite R@5" in out.stdout and "stock R@5" in out.stdout and "overall" in out.stdout


@pytest.mark.browser
def test_sharded_search_under_a_sub_path_without_directory_urls(tmp_path: Path, browser: object) -> None:
    """``search_shards: true`` in Material's UI: the worker finds its files two folders above
    itself, so a site under /kb/ with ``use_directory_urls: false`` searches, fetches only
    index files under /kb/search/, and its results link to the pages as built."""
    import shutil

    project = tmp_path / "vault"
    shutil.copytree(harness.PLAIN_VAULT, project)
    yml = (project / "mkdocs.yml").read_text(encoding="utf-8")
    yml = yml.replace("  - kbsite:\n", "  - kbsite:\n      search_shards: true\n")
    yml += "\nuse_directory_urls: false\nsite_url: http://127.0.0.1/kb/\n"
    (project / "mkdocs.yml").write_text(yml, encoding="utf-8")
    root = tmp_path / "www"
    site = harness.build_kbsite(project, root / "kb")
    assert (site / "search" / "d").is_dir() and (site / "search" / "k").is_dir()
    with harness.serve(root) as base:
        context = browser.new_context()  # type: ignore[attr-defined]
        fetched: list[str] = []
        context.on("response", lambda r: fetched.append(r.url) if r.ok else None)
        failed: list[str] = []
        context.on("requestfailed", lambda r: failed.append(r.url))
        try:
            page = context.new_page()
            page.goto(base + "kb/index.html")
            page.keyboard.press("/")
            box = page.locator("input[data-md-component=search-query]")
            box.wait_for(state="visible")
            for query, title in (("知识蒸馏", "知识蒸馏"), ("zszl", "知识蒸馏"), ("随机失活", "3.dropout")):
                box.fill(query)
                box.press("End")
                page.wait_for_function(
                    "t => document.querySelector('.md-search-result__item h1')?.textContent.includes(t)", arg=title)
                href = page.locator(".md-search-result__link").first.get_attribute("href") or ""
                assert href.split("#")[0].split("?")[0].endswith(".html"), href
            shards = [u for u in fetched if "/search/d/" in u or "/search/k/" in u]
            assert shards and all(u.startswith(base + "kb/search/") for u in shards), fetched
            assert any("/search/d/" in u for u in shards) and any("/search/p/" in u for u in fetched), fetched
            assert not failed, failed
        finally:
            context.close()
