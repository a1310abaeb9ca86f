"""Issue 10: the built wheel is complete (templates and static files), its metadata carries
the SPDX licence, and the constraints file pins every dependency the project declares."""

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "liveblog", "results", "templates")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """A wheel built from a copy of the source (the build leaves nothing in the work tree)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in PACKAGES:
        shutil.copytree(
            REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("dist")
    build = (
        "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    name = result.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(out / name) as built:
        yield built


def source_files(folder: str) -> set[str]:
    return {
        path.relative_to(REPO).as_posix()
        for path in (REPO).glob(f"*/{folder}/**/*")
        if path.is_file()
        and path.parts[len(REPO.parts)] in PACKAGES
        and "__pycache__" not in path.parts
    }


def test_the_wheel_carries_every_template(wheel):
    templates = source_files("templates") | {
        path.relative_to(REPO).as_posix() for path in (REPO / "templates").rglob("*.html")
    }

    assert "templates/base.html" in templates
    assert "liveblog/templates/liveblog/live_page.html" in templates
    assert templates <= set(wheel.namelist())


def test_the_wheel_carries_every_static_file(wheel):
    static = source_files("static")

    assert "liveblog/static/liveblog/js/live.js" in static
    assert static <= set(wheel.namelist())


def test_the_wheel_metadata_names_the_licence_as_an_spdx_expression(wheel):
    [metadata] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]

    assert "License-Expression: AGPL-3.0-or-later" in wheel.read(metadata).decode()


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_constraints_file_pins_every_declared_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {
        _name(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    } - {"setuptools"}
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version

    assert declared - pins.keys() == set(), "pyproject.toml changed: run `make lock`"
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+-]*", v) for v in pins.values())
