"""Open a window report's HTML page in headless Chromium and say what the browser saw.

``inspect_report_page(path)`` loads the file in Debian's Chromium (/usr/bin/chromium, driven by
Playwright, whose own browser download is never used) and returns every request the page made,
the chart's bars, deadline marks and bands as rendered, the page's console errors, and a PNG
screenshot. Call it on the HTML of a real run as well as on the unit fixtures' pages.

``check_report_page(path)`` asserts what every report page must show in a browser (for a test
of a real integration run's report.html). ``chromium_problem()`` returns None when the browser can be driven here, else the reason (for a skip).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get('QUIESCE_CHROMIUM', '/usr/bin/chromium')
# Chromium as root needs --no-sandbox; the rest keep it from calling home on a closed network.
CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
                 '--metrics-recording-only', '--no-default-browser-check']

# What the page shows once rendered, counted by the attributes the report gives its chart.
_PAGE_FACTS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; };
  const bars = [...document.querySelectorAll('svg [data-bar]')];
  return {
    title: document.title,
    result: (document.querySelector('[data-result]') || {}).textContent || null,
    charts: document.querySelectorAll('svg[data-chart="timeline"]').length,
    bars: bars.map((g) => ({kind: g.getAttribute('data-bar'), key: g.getAttribute('data-key'),
                            stage: g.getAttribute('data-stage'), count: Number(g.getAttribute('data-count') || 1),
                            outcome: g.getAttribute('data-outcome'),
                            segments: [...g.querySelectorAll('[data-segment]')].map((s) => s.getAttribute('data-segment')),
                            box: box(g)})),
    deadlines: [...document.querySelectorAll('svg [data-deadline]')].map((g) => ({
      at: g.getAttribute('data-deadline'), beyond: g.getAttribute('data-deadline-beyond') === 'true',
      line: box(g.querySelector('line'))})),
    bands: [...document.querySelectorAll('svg [data-band]')].map((r) => ({name: r.getAttribute('data-band'), box: box(r)})),
    details: [...document.querySelectorAll('details[data-details]')].map((d) => ({
      stage: d.getAttribute('data-details'), rows: d.querySelectorAll('tr').length - 1})),
    plan: document.querySelectorAll('[data-plan]').length,
    chart_box: document.querySelector('svg[data-chart="timeline"]') ? box(document.querySelector('svg[data-chart="timeline"]')) : null,
    page_height: document.documentElement.scrollHeight,
  };
}"""


def chromium_problem():
    """None if Chromium and Playwright are usable here, else why not (after trying tools/ensure-chromium)."""
    try:
        import playwright.sync_api  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
    except ImportError:
        return 'the playwright package is not installed (requirements/dev.txt pins it)'
    if not os.access(CHROMIUM, os.X_OK):
        ensure = subprocess.run([str(REPO / 'tools' / 'ensure-chromium')], capture_output=True, text=True, check=False)
        if ensure.returncode != 0 or not os.access(CHROMIUM, os.X_OK):
            return 'Chromium cannot be installed here: {0}'.format((ensure.stderr or ensure.stdout).strip())
    return None


def inspect_report_page(path, screenshot=None, width=1200, full_page=True, clip_to=None, scale=1):
    """Load the report at ``path``; returns the facts dict plus ``requests``, ``console_errors``, ``screenshot``.

    ``screenshot`` is where the PNG goes (default: beside the page). ``clip_to``: a CSS selector whose
    union with everything above it is kept (e.g. the chart, for a README picture).
    """
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel

    page_path = Path(path).resolve()
    screenshot = Path(screenshot) if screenshot else page_path.with_suffix('.png')
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix='quiesce-chromium-')
    requests, console_errors = [], []
    try:
        with sync_playwright() as driver:
            context = driver.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport={'width': width, 'height': 900}, device_scale_factor=scale, offline=True)
            try:
                context.on('request', lambda request: requests.append(request.url))
                page = context.pages[0] if context.pages else context.new_page()
                page.on('console', lambda message: console_errors.append(message.text) if message.type == 'error' else None)
                page.on('pageerror', lambda error: console_errors.append(str(error)))
                page.goto(page_path.as_uri(), wait_until='load')
                facts = page.evaluate(_PAGE_FACTS)
                options = {'path': str(screenshot), 'full_page': full_page}
                if clip_to:
                    target = page.query_selector(clip_to)
                    bottom = target.bounding_box() if target else None
                    if bottom:
                        options = {'path': str(screenshot), 'full_page': True,
                                   'clip': {'x': 0, 'y': 0, 'width': width, 'height': bottom['y'] + bottom['height'] + 12}}
                page.screenshot(**options)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    facts.update(requests=requests, console_errors=console_errors, screenshot=str(screenshot),
                 screenshot_bytes=screenshot.stat().st_size)
    return facts


def external_requests(facts, page_path):
    """Every request other than the page file itself."""
    own = Path(page_path).resolve().as_uri()
    return [url for url in facts['requests'] if url != own]


def check_report_page(path, screenshot=None):
    """Assert what every report page must show in a browser; returns the browser's facts for more checks."""
    facts = inspect_report_page(path, screenshot=screenshot)
    assert external_requests(facts, path) == [], 'the page asked for more than itself'
    assert facts['console_errors'] == []
    assert facts['result'] and facts['title']
    assert facts['screenshot_bytes'] > 2000   # a blank page's PNG is a few hundred bytes
    if facts['plan']:
        assert facts['charts'] == 0 and facts['bars'] == []
        return facts
    page = Path(path).read_text(encoding='utf-8')
    if facts['charts']:
        declared_bars = len(re.findall(r'<g data-bar="(?:target|aggregate)"', page))
        assert len(facts['bars']) == declared_bars > 0
        for bar in facts['bars']:
            assert bar['box']['width'] > 0 and bar['box']['height'] > 0, bar
            assert bar['segments'], bar
        chart = facts['chart_box']
        assert chart['width'] > 600 and chart['height'] > 60
        if re.search(r'data-deadline="', page):
            assert len(facts['deadlines']) == 1
            line = facts['deadlines'][0]['line']
            assert line['height'] > 20 and chart['x'] <= line['x'] <= chart['x'] + chart['width']
    return facts
