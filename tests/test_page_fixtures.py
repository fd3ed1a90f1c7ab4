"""Whole pages as fixture folders, in the way web-poet tests page objects: one folder per case under
tests/fixtures/pages/ holding the page as served (page.html, its bytes: GBK pages stay GBK), meta.json (the URL, the
frozen monitoring point, the Content-Type, the registry's selectors if any, and a note saying what the case shows)
and output.json (what the website spider extracts from it). Every folder is one test, compared field by field.

After a reviewed change of extraction, rewrite the expectations with `.venv/bin/python tests/fixtures/regenerate.py
[CASE…]` and review the diff of output.json like code.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import Request, Response

from monitor.extract.model import PageFacts
from monitor.spiders.website import WebsiteSpider

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
META_KEYS = {"url", "as_of", "content_type", "note"}
# known_bug: what extraction gets wrong on this page; output.json then holds the right output, written by hand, and
# the case is a strict xfail: it fails once the bug is fixed, to have the mark removed.
OPTIONAL_META_KEYS = {"status", "item_selector", "date_selector", "links", "source", "known_bug"}


def case_dirs() -> list[Path]:
    return sorted(p for p in PAGES.iterdir() if p.is_dir()) if PAGES.is_dir() else []


def case_params() -> list[Any]:
    params = []
    for case in case_dirs():
        bug = read_meta(case).get("known_bug")
        marks = [pytest.mark.xfail(strict=True, reason=f"known bug: {bug}")] if bug else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def read_meta(case: Path) -> dict[str, Any]:
    return json.loads((case / "meta.json").read_text(encoding="utf-8"))


def extract(case: Path) -> dict[str, Any]:
    """The page read as the website spider reads a fetched page: its own read() (outcome, decode, extract_page with
    the monitoring point and the column's selectors), then the facts serialised for output.json."""
    meta = read_meta(case)
    column = {k: meta[k] for k in ("item_selector", "date_selector") if meta.get(k)}
    request = Request(meta["url"], meta={"column": column})
    response = Response(meta["url"], status=meta.get("status", 200), body=(case / "page.html").read_bytes(),
                        headers={"Content-Type": meta["content_type"]}, request=request)
    outcome, facts, encoding = WebsiteSpider(as_of=meta["as_of"]).read(response)
    # The facts carry the page's URL and the encoding it was decoded with, as the spider stores them.
    assert facts is None or (facts.url, facts.encoding) == (meta["url"], encoding), case.name
    return serialise(outcome, facts, encoding, all_links=meta.get("links") == "all")


def serialise(outcome: str | None, facts: PageFacts | None, encoding: str | None, *,
              all_links: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"outcome": outcome or "ok", "encoding": encoding}
    if facts is None:  # nothing was extracted: the outcome is the whole record
        return out
    d = facts.to_dict()  # through to_dict, as the inspector and the JSON output use it
    published = d["published"]
    links = [{"tag": link.tag, "url": link.url, "anchor": link.anchor,
              "flags": [f for f in ("attachment", "external", "hidden") if getattr(link, f)]} for link in facts.links]
    return out | {
        "title": d["title"],
        "published": {**published, "value": published["value"].isoformat()} if published else None,
        "entries": [{"title": e["title"], "url": e["url"],
                     "date": e["date"]["value"].isoformat() if e["date"] else None,
                     "date_text": e["date"]["text"] if e["date"] else None} for e in d["entries"]],
        "next_pages": d["next_pages"],
        "xhr_lists": d["xhr_lists"],
        "columns": d["columns"],
        "footer": d["footer"] | {"empty": facts.footer.empty},
        "list_source": d["list_source"],
        "interstitial": d["interstitial"],
        "interstitial_reason": d["interstitial_reason"],
        "redirect_to": d["redirect_to"],
        "script_signs": d["script_signs"],
        "links_count": len(links),
        # Every link when the case is about links, else those the checks look at twice: not plain <a> to a page
        # of the same site (attachments, external, hidden links and embedded resources).
        "links": links if all_links else [link for link in links if link["flags"] or link["tag"] != "a"],
        "text": d["text"],
    }


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def differences(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """One readable entry per field that differs: missing, unexpected, or a unified diff of the two values."""
    problems = []
    for key in dict.fromkeys([*expected, *got]):
        if key not in got:
            problems.append(f"@ {key}: in output.json but not extracted")
        elif key not in expected:
            problems.append(f"@ {key}: extracted but not in output.json: {dump(got[key])}")
        elif got[key] != expected[key]:
            diff = difflib.unified_diff(dump(expected[key]).splitlines(), dump(got[key]).splitlines(),
                                        "output.json", "extracted", lineterm="", n=2)
            problems.append(f"@ {key}:\n" + "\n".join(list(diff)[2:]))
    return problems


def write_output(case: Path) -> bool:
    """Rewrite a case's output.json from the current extraction; True when it changed."""
    path = case / "output.json"
    text = dump(extract(case)) + "\n"
    old = path.read_text(encoding="utf-8") if path.exists() else None
    path.write_text(text, encoding="utf-8")
    return old != text


@pytest.mark.parametrize("case", case_params())
def test_page_fixture(case: Path) -> None:
    expected = json.loads((case / "output.json").read_text(encoding="utf-8"))
    problems = differences(extract(case), expected)
    if problems:
        meta = read_meta(case)
        hint = ("output.json is the right output: fix the bug, then drop known_bug from meta.json" if "known_bug" in meta
                else f"if the change is reviewed and right: .venv/bin/python tests/fixtures/regenerate.py {case.name}")
        pytest.fail(f"{case.name} ({meta['note']}) differs from its output.json:\n" + "\n".join(problems)
                    + f"\n({hint})", pytrace=False)


def test_fixture_folders_are_complete() -> None:
    cases = case_dirs()
    assert len(cases) >= 30, "the fixture folders are missing"
    for case in cases:
        assert {p.name for p in case.iterdir()} == {"page.html", "meta.json", "output.json"}, case.name
        meta = read_meta(case)
        assert META_KEYS <= set(meta) <= META_KEYS | OPTIONAL_META_KEYS, case.name
        assert meta["as_of"] == "2021-03-03" and meta["note"].strip(), case.name


def test_a_changed_expectation_is_reported() -> None:
    """The comparison is no rubber stamp: a changed, missing or extra field of output.json is named."""
    case = PAGES / "list_page_every_field"
    got = extract(case)
    assert differences(got, json.loads((case / "output.json").read_text(encoding="utf-8"))) == []
    for key in got:
        changed = got | {key: "changed"}
        assert [p.split(":")[0] for p in differences(got, changed)] == [f"@ {key}"]
        assert differences(got, {k: v for k, v in got.items() if k != key}) != []
    entries = [dict(e) for e in got["entries"]]
    entries[1]["date"] = "2021-02-26"  # one day off, deep inside a list
    report = differences(got, got | {"entries": entries})
    assert len(report) == 1 and '-    "date": "2021-02-26"' in report[0] and '+    "date": "2021-02-25"' in report[0]
    assert differences(got, got | {"extra": 1}) == ["@ extra: in output.json but not extracted"]
