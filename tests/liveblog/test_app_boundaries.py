"""The architecture's rules, checked on the source: results is built on liveblog, never the
other way round, and only the live package talks to the channel layer."""

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIVEBLOG = REPO / "liveblog"


def imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports, at the top or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def python_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def test_the_walk_sees_every_kind_of_import(tmp_path):
    # The rule below is only as good as this: a top import, a from-import and one hidden
    # inside a function all count.
    source = tmp_path / "sample.py"
    source.write_text(
        "import results\nfrom results.models import X\n"
        "def f():\n    from results import selectors\n    import results.admin as a\n"
    )
    assert imported_modules(source) == {"results", "results.models", "results.admin"}


@pytest.mark.parametrize("path", python_files(LIVEBLOG), ids=lambda p: str(p.relative_to(REPO)))
def test_liveblog_never_imports_results(path):
    offending = {m for m in imported_modules(path) if m == "results" or m.startswith("results.")}
    assert not offending, f"{path.relative_to(REPO)} imports {sorted(offending)}"


def test_liveblog_names_no_results_module_or_template_in_strings():
    # import_string("results...") or {% include "results/..." %} would be the same lean.
    pattern = re.compile(r"""["'{]\s*results[./]""")
    leaning = [
        str(path.relative_to(REPO))
        for path in [*LIVEBLOG.rglob("*.py"), *LIVEBLOG.rglob("*.html")]
        if pattern.search(path.read_text())
    ]
    assert leaning == []


def test_only_the_live_package_and_the_asgi_entry_point_import_channels():
    allowed = {LIVEBLOG / "live", REPO / "config" / "asgi.py"}
    offending = [
        str(path.relative_to(REPO))
        for root in (LIVEBLOG, REPO / "results", REPO / "config")
        for path in python_files(root)
        if not any(path == a or a in path.parents for a in allowed)
        and any(m == "channels" or m.startswith("channels.") for m in imported_modules(path))
    ]
    assert offending == []


def test_results_registers_its_cards_with_posts():
    from liveblog.extensions import post_extensions

    (cards,) = [e for e in post_extensions if e.name == "result_cards"]
    assert cards.template == "results/_post_cards.html"
    assert cards.admin_inline == "results.admin.ResultCardInline"
