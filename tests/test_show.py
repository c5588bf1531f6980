"""The HTML page of a derivative: self-contained, deterministic, each generated
line tied to an existing source line, the IR and graph tabs, clear errors, and
the page as a headless Chromium draws it (lit-up lines, tabs)."""

import re
import shutil
import subprocess

import pytest
from autodiff_intro import L
from helper_functions import uses_helpers
from loops import relax
from regenerate import GENERATED
from test_cli import EXAMPLE, s2sad as run_cli

import s2sad
from s2sad.api import derive
from s2sad.errors import S2SADError
from s2sad.show import STYLE

GENERATED_LINE = re.compile(
    r'<span class="line" id="g(\d+)" data-n="\d+"(?: data-src="([^"]+)")?>([^<]*)</span>'
)
SOURCE_LINE = re.compile(
    r'<span class="line" id="(s\d+-\d+)" data-n="(\d+)">([^<]*)</span>'
)


def unescaped(text):
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
    )


def generated_lines(page):
    """(line number, source anchor or None, text) of each generated line."""
    return [
        (int(n), anchor or None, unescaped(text))
        for n, anchor, text in GENERATED_LINE.findall(page)
    ]


def source_lines(page):
    """{anchor: (line number, text)} of the source lines shown."""
    return {a: (int(n), unescaped(t)) for a, n, t in SOURCE_LINE.findall(page)}


def test_the_page_is_self_contained_and_deterministic():
    page = s2sad.show(L, "grad", wrt=(0, 1))
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<link" not in page and "<script src" not in page
    assert "@import" not in page and "url(" not in page
    assert page == s2sad.show(L, "grad", wrt=(0, 1))


def test_the_generated_code_is_the_derivative_file(tmp_path):
    page = s2sad.show(L, "grad", wrt=(0, 1))
    lines = generated_lines(page)
    assert [n for n, _, _ in lines] == list(range(1, len(lines) + 1))
    written = derive(L, "grad", (0, 1), tmp_path).source
    assert "\n".join(text for _, _, text in lines) + "\n" == written


def test_every_generated_line_links_to_a_shown_source_line():
    for f, kind in [(L, "grad"), (L, "jvp"), (L, "hvp"), (relax, "vjp")]:
        page = s2sad.show(f, kind)
        shown = source_lines(page)
        links = [anchor for _, anchor, _ in generated_lines(page) if anchor]
        assert links and set(links) <= set(shown), (f.__name__, kind)


@pytest.mark.parametrize(
    "f, kind, wrt", GENERATED, ids=[f"{f.__name__}-{k}" for f, k, _ in GENERATED]
)
def test_each_committed_example_page_shows_its_file(f, kind, wrt, tmp_path):
    page = s2sad.show(f, kind, wrt=wrt)
    lines = generated_lines(page)
    written = derive(f, kind, wrt, tmp_path).source
    assert "\n".join(text for _, _, text in lines) + "\n" == written
    links = {anchor for _, anchor, _ in lines if anchor}
    assert links and links <= set(source_lines(page))
    split = [k for k, _, text in lines if text.rstrip().endswith(("(", "[", ","))]
    for k in split:
        assert lines[k - 1][1] == lines[k][1], f"line {k} and the next differ"


def test_lines_link_to_the_source_they_come_from():
    page = s2sad.show(L, "grad", wrt=(0, 1))
    shown = source_lines(page)
    linked = {
        text.strip(): shown[a][1].strip() for _, a, text in generated_lines(page) if a
    }
    assert linked["v2 = w2 * v1"] == "v2 = w2 * v1"
    assert linked["w1_bar = v1_bar / w1"] == "v1 = math.log(w1)"
    assert linked["w2_bar = v2_bar * v1"] == "v2 = w2 * v1"
    loop = s2sad.show(relax, "grad")
    shown = source_lines(loop)
    targets = {shown[a][1].strip() for _, a, _ in generated_lines(loop) if a}
    assert targets == {"for _ in range(1000):", "x = a * math.sin(x) + (1.0 - a) * x"}


def test_helpers_are_shown_with_their_caller():
    page = s2sad.show(uses_helpers, "grad")
    texts = [text for _, text in source_lines(page).values()]
    for header in ("def uses_helpers(x, y):", "def square_plus(x, c=1.0):"):
        assert header in texts
    assert '<span class="gap">' in page


def test_the_ir_and_graph_tabs():
    page = s2sad.show(relax, "vjp")
    assert "func relax_vjp_fwd(x0, a):" in page and "func relax_vjp_bwd(" in page
    assert page.count('<section id="') == 3


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_the_graph_is_inline_svg_where_graphviz_is_installed():
    page = s2sad.show(L, "grad", wrt=(0, 1))
    assert '<div class="picture"><svg' in page
    assert "<!DOCTYPE svg" not in page and "<?xml" not in page


def test_the_graph_is_dot_text_without_graphviz(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    page = s2sad.show(L, "grad", wrt=(0, 1))
    assert "Graphviz is not installed" in page
    assert '<pre class="dot">digraph {' in page and "<svg" not in page


def test_clear_errors(tmp_path):
    with pytest.raises(S2SADError, match="unknown derivative") as caught:
        s2sad.show(L, "gradient")
    assert "grad" in caught.value.hint
    with pytest.raises(S2SADError, match="as .png") as caught:
        s2sad.show(L, output=tmp_path / "L.png")
    assert ".html" in caught.value.hint and caught.value.file.endswith("L.png")
    with pytest.raises(S2SADError, match="cannot write the page") as caught:
        s2sad.show(L, output=tmp_path / "missing" / "L.html")
    assert "existing folder" in caught.value.hint
    with pytest.raises(S2SADError, match="cannot write the graph"):
        s2sad.graph(L, output=tmp_path / "missing" / "L.dot")
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(x):\n    try:\n        return x\n    finally:\n        pass\n"
    )
    result = run_cli("show", f"{bad}:f")
    assert result.returncode == 1
    assert f"{bad}:2:5: unsupported construct" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr


def test_the_command_writes_the_same_page_each_time(tmp_path):
    pages = []
    for name in ("a.html", "b.html"):
        path = tmp_path / name
        result = run_cli("show", f"{EXAMPLE}:L", "--derivative", "vjp", "-o", path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(path)
        pages.append(path.read_bytes())
    assert pages[0] == pages[1]
    assert pages[0].decode() == s2sad.show(L, "vjp")


CHROMIUM = next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
    None,
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (make system-deps installs it with apt-get)",
)
HIGHLIGHT = tuple(
    bytes.fromhex(re.search(r"\.line\.hl \{ background: #(\w{6}); \}", STYLE)[1])
)
"""The colour of a lit-up line (``.line.hl`` in the page's style)."""


def chromium(tmp_path, page, fragment, *options):
    """Run headless Chromium on ``page`` (a path) at ``#fragment``."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,900",
        *options,
        f"{page.as_uri()}#{fragment}",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@needs_chromium
def test_a_browser_draws_the_page_with_the_linked_lines_lit(tmp_path):
    image = pytest.importorskip("PIL.Image")
    page = tmp_path / "L_grad.html"
    s2sad.show(L, "grad", wrt=(0, 1), output=page)
    shot = tmp_path / "L_grad.png"
    chromium(tmp_path, page, "s0-12", f"--screenshot={shot}")
    with image.open(shot) as picture:
        assert picture.format == "PNG" and picture.size == (1200, 900)
        pixels = picture.convert("RGB")
        colours = pixels.getcolors(maxcolors=1200 * 900)
    assert len(colours) > 20, "the screenshot is blank"
    lit = sum(count for count, colour in colours if colour == HIGHLIGHT)
    assert lit > 1000, "no line is lit up"


@needs_chromium
def test_the_script_lights_lines_and_switches_tabs(tmp_path):
    page = tmp_path / "L_grad.html"
    s2sad.show(L, "grad", wrt=(0, 1), output=page)
    dom = chromium(tmp_path, page, "s0-12", "--dump-dom").stdout
    lit = re.findall(r'<span class="line hl" id="([^"]+)"', dom)
    assert "s0-12" in lit and len(lit) >= 3
    assert '<section id="code" class="tab shown">' in dom
    dom = chromium(tmp_path, page, "ir", "--dump-dom").stdout
    assert '<section id="ir" class="tab shown">' in dom
    assert '<section id="code" class="tab">' in dom
    assert '<button data-tab="ir" class="chosen">' in dom
