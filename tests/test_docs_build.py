"""The docs build: pdoc renders the API reference without warnings, and every relative link in the
README and docs/*.md points at a file (and heading) of this repository.

`make docs` runs pdoc on the same modules (`api_modules()`), into docs/api/.
"""

import pkgutil
import posixpath
import re
import pathlib
import warnings
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# [text](target) and ![alt](target), outside code; the target stops at whitespace or ")"
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", flags=re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def _moved(info) -> bool:
    """An old module name kept for old imports (it warns on import and documents nothing)."""
    if info.ispkg:
        return False
    path = pathlib.Path(info.module_finder.path) / (info.name.rpartition(".")[2] + ".py")
    return path.exists() and path.read_text().startswith('"""Moved to ')


def api_modules() -> list[str]:
    """The module specs that make pdoc render every public module of tradeoff exactly once.

    pdoc walks a package's submodules, but only those its ``__all__`` lists when it has one;
    ``tradeoff.__all__`` (and ``tradeoff.experiments.__all__``) list names, not modules, so the
    modules they leave out are named one by one (naming a module pdoc walks anyway would warn)."""
    import importlib

    specs = ["tradeoff"]

    def visit(name):
        package = importlib.import_module(name)
        listed = getattr(package, "__all__", None)
        for info in pkgutil.iter_modules(package.__path__, name + "."):
            short = info.name.rpartition(".")[2]
            if short.startswith("_") or _moved(info):
                continue
            if listed is not None and short not in listed:
                specs.append(info.name)
            if info.ispkg:
                visit(info.name)

    visit("tradeoff")
    return specs


def _harmless(message: str) -> bool:
    """pdoc cannot resolve the annotations of the ``__init__`` that typing.NamedTuple generates
    (it has no module globals): the fields themselves resolve, so that one is not a broken
    reference."""
    hit = re.match(r"Error parsing type annotation .* for ([\w.]+)\.__init__\.", message, flags=re.S)
    if not hit:
        return False
    import importlib

    module, _, cls = hit.group(1).rpartition(".")
    try:
        obj = getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError):
        return False
    return isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields")


def build_api(out: Path) -> list[str]:
    """Render the API reference into ``out`` with pdoc; return its warnings (all but the harmless
    ones), each one a broken reference, a module that does not import or a bad annotation."""
    import pdoc
    import pdoc.render

    pdoc.render.configure(docformat="restructuredtext")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*api_modules(), output_directory=Path(out))
    return [str(w.message) for w in caught if not _harmless(str(w.message))]


def broken_links(out: Path) -> list[str]:
    """Links between the rendered pages that miss a page or an anchor."""
    out = Path(out)
    pages = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    ids = {name: set(re.findall(r'\bid="([^"]+)"', text)) for name, text in pages.items()}
    broken = []
    for name, text in pages.items():
        for href, anchor in re.findall(r'\bhref="([^"#:]*\.html)(?:#([^"]*))?"', text):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), href))
            if target not in pages or (anchor and anchor not in ids[target]):
                broken.append(f"{name}: {href}#{anchor}")
    return sorted(set(broken))


def test_api_reference_builds_without_warnings(tmp_path):
    pytest.importorskip("pdoc")
    problems = build_api(tmp_path)
    assert not problems, "pdoc warned:\n\n" + "\n\n".join(problems)
    pages = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")}
    # every public module has a page, the ones tradeoff.__all__ hides included
    expected = {"tradeoff.html", "tradeoff/front.html", "tradeoff/solvers/gradient.html",
                "tradeoff/experiments/config.html", "tradeoff/studies/seed_blog.html"}
    assert expected <= pages, sorted(expected - pages)
    assert not any("/_" in p for p in pages)
    broken = broken_links(tmp_path)
    assert not broken, "broken links in the API reference:\n" + "\n".join(broken)


def _links(text: str) -> list[str]:
    text = FENCE.sub("", text)
    text = INLINE_CODE.sub("", text)
    return LINK.findall(text)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    heading = re.sub(r"`|\*\*|__", "", heading.strip()).lower()
    heading = re.sub(r"[^\w\- ]", "", heading)
    return heading.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(r"^#{1,6}\s+(.*?)\s*#*\s*$", text, flags=re.M):
        slug = _slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_into_the_repository(page):
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text, f"{page.name} mentions ../shared, which is not in the repository"
    bad = []
    for target in _links(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, flags=re.I):  # https:, mailto:, ...
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / unquote(path)).resolve() if path else page
        try:
            dest.relative_to(ROOT)
        except ValueError:
            bad.append(f"{target}: outside the repository")
            continue
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            bad.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    assert not bad, f"{page.relative_to(ROOT)}:\n" + "\n".join(bad)


def test_docs_index_lists_every_page():
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    listed = {Path(t.partition("#")[0]).name for t in _links(index)}
    pages = {p.name for p in (ROOT / "docs").glob("*.md")} - {"index.md"}
    assert pages <= listed, f"docs/index.md does not link {sorted(pages - listed)}"


def test_readme_links_the_docs_index():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/index.md" in _links(readme)


def main(argv: list[str]) -> int:
    """``python -m tests.test_docs_build [OUT]`` (what `make docs` runs): build into OUT
    (default docs/api/, emptied first); exit 1 on a pdoc warning or a broken link."""
    import shutil
    import sys

    out = Path(argv[0]) if argv else ROOT / "docs" / "api"
    shutil.rmtree(out, ignore_errors=True)
    problems = build_api(out) + broken_links(out)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{'FAILED: ' if problems else ''}API reference in {out}/index.html"
          + (f" ({len(problems)} problems above)" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
