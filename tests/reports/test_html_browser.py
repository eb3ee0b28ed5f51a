"""report.html in a real headless Chromium: it renders, reads right, runs nothing hostile, fetches nothing.

One browser session serves the module; ``make test`` installs Debian's
chromium and chromium-driver, and without them these tests fail rather than
skip so that a missing browser is never mistaken for a tested page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from harness.reports import write_reports
from tests.reports.sample import HOSTILE, HOSTILE_URL, run_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = "run `make test` (it installs Debian's chromium and chromium-driver)"

FAIL_RED = "rgba(207, 34, 46, 1)"


def require(*paths: Path) -> None:
    """Fail (never skip) when the browser or its driver is not installed."""
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: {INSTALL_HINT}")


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    require(CHROMIUM, CHROMEDRIVER)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1400",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_reports(run_report(), tmp_path_factory.mktemp("reports"))


@pytest.fixture
def page(browser: WebDriver, run_dir: Path) -> WebDriver:
    """The report freshly loaded, so no test sees another's clicks."""
    browser.get((run_dir / "report.html").as_uri())
    return browser


def hostile_failure(page: WebDriver) -> WebElement:
    return page.find_element(By.CSS_SELECTOR, 'details.failure[data-check-id="ERR-CATALOG-004"]')


def test_the_page_renders_with_its_title(page: WebDriver) -> None:
    assert "CRR conformance report" in page.title
    assert page.find_element(By.TAG_NAME, "h1").is_displayed()


def test_counts_and_verdict_equal_report_json(page: WebDriver, run_dir: Path) -> None:
    summary = json.loads((run_dir / "report.json").read_text())["summary"]
    for name in ("passed", "failed", "skipped", "errors", "total"):
        assert page.find_element(By.ID, f"count-{name}").text == str(summary[name]), name
    verdict = page.find_element(By.ID, "verdict")
    assert verdict.text == summary["verdict"] == "FAIL"


def test_the_inline_style_applies(page: WebDriver) -> None:
    # The CSP allows the style by hash: a wrong hash would leave the page unstyled.
    box = page.find_element(By.CSS_SELECTOR, ".verdict-box")
    assert box.value_of_css_property("background-color") == FAIL_RED
    assert page.find_element(By.ID, "verdict").value_of_css_property("font-size") == "56px"


def test_a_failure_opens_on_click_and_shows_its_evidence(page: WebDriver) -> None:
    failure = hostile_failure(page)
    assert failure.get_attribute("open") is None
    url = failure.find_element(By.CSS_SELECTOR, "pre.request .request-url")
    assert not url.is_displayed()
    failure.find_element(By.TAG_NAME, "summary").click()
    assert failure.get_attribute("open") is not None
    assert url.is_displayed()
    assert url.text == HOSTILE_URL
    rerun = failure.find_element(By.CSS_SELECTOR, ".rerun code")
    assert rerun.text.startswith("crr-harness certify --only ")


def test_expand_all_opens_every_failure(page: WebDriver) -> None:
    failures = page.find_elements(By.CSS_SELECTOR, "details.failure")
    assert len(failures) == 3
    assert all(f.get_attribute("open") is None for f in failures)
    button = page.find_element(By.ID, "expand-failures")
    button.click()
    assert all(f.get_attribute("open") is not None for f in failures)
    assert button.text == "Collapse all failures"


def test_the_hostile_body_is_text_and_did_not_run(page: WebDriver) -> None:
    hostile_failure(page).find_element(By.TAG_NAME, "summary").click()
    assert page.execute_script("return typeof window.__pwned") == "undefined"
    response = hostile_failure(page).find_element(By.CSS_SELECTOR, "pre.response")
    assert HOSTILE in response.text
    assert page.find_elements(By.TAG_NAME, "img") == []
    assert len(page.find_elements(By.TAG_NAME, "script")) == 1


def test_the_page_made_no_network_request(page: WebDriver) -> None:
    hostile_failure(page).find_element(By.TAG_NAME, "summary").click()
    entries = page.execute_script("return performance.getEntriesByType('resource').length")
    assert entries == 0


def test_a_missing_browser_fails_with_the_install_hint(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="run `make test`") as caught:
        require(CHROMIUM, tmp_path / "chromedriver")
    assert str(tmp_path / "chromedriver") in str(caught.value)
