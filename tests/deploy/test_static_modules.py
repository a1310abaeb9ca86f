"""The reader page's ES modules after collectstatic as the image build runs it: they import
each other by hashed name, so a page never mixes the modules of two deploys."""

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy

IMPORT = re.compile(r'^import .* from "(?P<url>[^"]+)";$', re.MULTILINE)


def imports(path: Path) -> list[str]:
    return [match["url"] for match in IMPORT.finditer(path.read_text())]


def test_the_live_modules_import_each_other_by_hashed_name(prod_static):
    manifest = json.loads((prod_static / "staticfiles.json").read_text())["paths"]
    live = prod_static / manifest["liveblog/js/live.js"]

    urls = imports(live)

    assert urls  # live.js is the entry module: it imports the others
    hashed = {Path(manifest[name]).name for name in manifest if name.startswith("liveblog/js/")}
    assert all(url.startswith("./") and url[2:] in hashed for url in urls), urls
