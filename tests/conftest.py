"""Shared fixtures: the spaCy pipeline is built once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"
SHARED = REPO.parent / "shared"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current pipeline output")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def nlp():
    from pipeline.nlp import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def sample_outcomes(nlp):
    """The pipeline's Outcome for every sample page in raw/, by file name (extracted once)."""
    from pipeline.load import expand_inputs
    from pipeline.run import extract

    return {Path(o.path).name: o for o in extract(expand_inputs([str(RAW)]), nlp)}


@pytest.fixture(scope="session")
def sample_texts() -> list[str]:
    """The text of every page the project has: raw/, the held-out tests/corpus and the shared corpora."""
    from pipeline.load import load_document

    folders = [RAW, REPO / "tests" / "corpus" / "raw", SHARED / "corpus" / "dev" / "raw",
               SHARED / "corpus" / "dev2" / "raw"]
    paths = sorted(p for f in folders if f.is_dir() for p in f.iterdir()
                   if p.suffix.lower() in (".txt", ".html", ".htm"))
    return [load_document(str(p), p.stem).text for p in paths]


@pytest.fixture(scope="session")
def extract_text(nlp):
    """Run the whole pipeline on a text; returns the record's fields as a dict."""
    from pipeline.build import build_record
    from pipeline.load import Document
    from pipeline.rules import rules_hash

    def run(text: str, doc_id: str = "test"):
        doc = nlp(text)
        document = Document(path=f"{doc_id}.txt", doc_id=doc_id, text=text, sha256="0" * 64,
                            encoding="utf-8", raw_bytes=len(text.encode()))
        return build_record(doc, document, rules_hash()).model_dump(mode="json")

    return run


CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage", "--window-size=1400,900"]


def browser_missing() -> str:
    """Why the browser tests cannot run here ("" when they can)."""
    import shutil

    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")) or not shutil.which("chromedriver"):
        return ("Debian's chromium and chromium-driver are not installed "
                "(run .ci/setup-chromium.sh as root: apt-get install chromium chromium-driver)")
    return ""


@pytest.fixture
def browser(tmp_path, monkeypatch):
    """Headless Chromium through Debian's chromedriver; skipped saying why when missing, failed under CI."""
    import os
    import shutil

    reason = browser_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser test cannot run under CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # selenium never fetches drivers or browsers
    monkeypatch.setenv("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
