"""Every HTML page the app serves loads its scripts, styles, images and fonts from this server only.

The pages are found from the OpenAPI schema (every GET that answers text/html), so a new page is checked
without being listed here. Links a reader may follow to other sites (<a href>) are allowed; anything the
browser would fetch by itself is not. tests/browser/test_offline.py checks the same in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import FIXTURE_CONTENT, make_settings

ADMIN = {"Authorization": "Bearer a-long-admin-token-for-tests"}
# Attributes whose URL the browser fetches on its own, by tag.
FETCHED = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "form": ("action",),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


class Fetched(HTMLParser):
    """The URLs a page makes the browser fetch: fetched attributes, and url() in style blocks and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in FETCHED.get(tag, ()):
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
            if name == "style":
                self.urls += css_urls(value)

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += css_urls(data)


def css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]


def is_own(url: str) -> bool:
    """Same origin: a path on this server (not '//host/...'), or inline data."""
    return (url.startswith("/") and not url.startswith("//")) or url.startswith(("data:", "#")) or "://" not in url


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, FIXTURE_CONTENT, admin_token=ADMIN["Authorization"].split()[1])
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def html_pages(client: TestClient) -> list[str]:
    """Every GET path that answers HTML, with its parameters filled in with real ids."""
    assessment = client.post("/api/v1/assessments").json()["id"]
    values = {"code": "ABC234", "assessment_id": assessment}
    pages = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        get = operations.get("get")
        if get is None or "text/html" not in get["responses"].get("200", {}).get("content", {}):
            continue
        filled = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
        pages.append(filled + ("?format=html" if filled.endswith("/summary") else ""))
    return pages


def test_every_page_is_found(client: TestClient) -> None:
    pages = html_pages(client)
    for expected in ("/", "/embed", "/docs", "/trainer", "/join", "/join/ABC234"):
        assert expected in pages


def test_no_page_loads_anything_from_another_host(client: TestClient) -> None:
    checked_assets: set[str] = set()
    for page in html_pages(client):
        response = client.get(page, headers={**ADMIN, "Accept": "text/html"})
        assert response.status_code == 200, page
        assert response.headers["content-type"].startswith("text/html"), page
        csp = response.headers["Content-Security-Policy"]
        assert "http" not in csp, f"{page}: its CSP allows another host: {csp}"
        parser = Fetched()
        parser.feed(response.text)
        for url in parser.urls:
            assert is_own(url), f"{page} loads {url} from another host"
            url = urljoin(page, url)
            if url.startswith(("data:", "#")) or url in checked_assets or url.startswith("/join"):
                continue  # /join: the code box's form action, a page checked on its own
            checked_assets.add(url)
            asset = client.get(url, headers=ADMIN)
            assert asset.status_code == 200, f"{page} loads {url}, which is missing"
            if asset.headers["content-type"].startswith("text/css"):
                for inner in css_urls(asset.text):
                    assert is_own(inner), f"{url} (on {page}) loads {inner} from another host"
    assert "/docs/assets/swagger-ui-bundle.js" in checked_assets


def test_a_missing_docs_file_is_a_clear_404(client: TestClient) -> None:
    response = client.get("/docs/assets/secrets.txt")
    assert response.status_code == 404
    assert "secrets.txt" in response.json()["message"]
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
