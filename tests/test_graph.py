"""Computational-graph pictures: DOT text of the seed function's primal, jvp
and grad graphs and of gradients through a loop and a branch against golden
files (the lecture figures' nodes and edges),
the sweeps' colours, clusters for loops and branches, tape and checkpoint
marks, and the clear errors of writing pictures."""

import os
import re
import shutil
from pathlib import Path

import pytest
from autodiff_intro import L
from branches import huber
from loops import relax
from test_cli import EXAMPLE, s2sad as run_cli

import s2sad
from s2sad.errors import S2SADError
from s2sad.graph import ADJOINT, TANGENT

GOLDEN = Path(__file__).parent / "golden"


def edges(text):
    """The edges as (source label, target label) pairs."""
    labels = dict(re.findall(r'(n\d+) \[label="([^"\\]*)', text))
    return {
        (labels[a].split(" =")[0], labels[b].split(" =")[0])
        for a, b in re.findall(r"(n\d+) -> (n\d+);", text)
    }


@pytest.mark.parametrize(
    "f, name, derivative, wrt",
    [
        (L, "L.dot", None, 0),
        (L, "L_jvp.dot", "jvp", 0),
        (L, "L_grad.dot", "grad", (0, 1)),
        (relax, "relax_grad.dot", "grad", (0, 1)),
        (huber, "huber_grad.dot", "grad", (0, 1)),
    ],
    ids=["L", "L-jvp", "L-grad", "for-loop", "if"],
)
def test_graphs_match_their_golden_files(f, name, derivative, wrt):
    text = s2sad.graph(f, derivative, wrt=wrt)
    path = GOLDEN / name
    if os.environ.get("S2SAD_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()
    assert text == s2sad.graph(f, derivative, wrt=wrt)


def test_the_golden_loop_and_branch_graphs_have_their_clusters():
    loop = (GOLDEN / "relax_grad.dot").read_text()
    assert loop.count('label="for body";') == 2
    branch = (GOLDEN / "huber_grad.dot").read_text()
    assert 'label="if then";' in branch and 'label="if else";' in branch


def test_the_primal_graph_is_the_lecture_figure():
    found = edges(s2sad.graph(L))
    assert found == {
        ("w1", "v1"),
        ("w2", "v2"),
        ("v1", "v2"),
        ("v2", "v3"),
        ("v2", "L"),
        ("v3", "L"),
    }


def test_sweeps_are_coloured_and_outputs_marked():
    grad = s2sad.graph(L, "grad", wrt=(0, 1))
    assert re.search(
        rf'"w1_bar = div\(v1_bar, w1\)\\nline \d+", color="{ADJOINT}"', grad
    )
    assert re.search(r'"v1 = log\(w1\)\\nline \d+", color="black"', grad)
    assert grad.count("[peripheries=2]") == 2
    jvp = s2sad.graph(L, "jvp")
    assert f'label="w1_dot", shape=ellipse, color="{TANGENT}"' in jvp


def test_loops_are_clusters_and_taped_values_dashed():
    text = s2sad.graph(relax, "vjp", wrt=(0, 1))
    assert 'label="for body"' in text
    assert "style=dashed" in text
    assert 'label="relax_vjp_fwd"' in text and 'label="relax_vjp_bwd"' in text


def test_writing_a_picture(tmp_path, monkeypatch):
    path = tmp_path / "L.dot"
    text = s2sad.graph(L, output=path)
    assert path.read_text() == text
    with pytest.raises(S2SADError, match="as .pdf") as caught:
        s2sad.graph(L, output=tmp_path / "L.pdf")
    assert ".svg" in caught.value.hint
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(S2SADError, match="needs Graphviz's dot program") as caught:
        s2sad.graph(L, output=tmp_path / "L.svg")
    assert "apt-get install graphviz" in caught.value.hint
    with pytest.raises(S2SADError, match="unknown derivative"):
        s2sad.graph(L, "gradient")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_an_svg_is_rendered_where_graphviz_is_installed(tmp_path):
    path = tmp_path / "L_grad.svg"
    s2sad.graph(L, "grad", wrt=(0, 1), output=path)
    assert path.read_text().lstrip().startswith("<?xml")


def test_the_command_prints_or_writes_the_graph(tmp_path):
    result = run_cli("graph", f"{EXAMPLE}:L", "--derivative", "grad", "--wrt", "w1,w2")
    assert result.returncode == 0, result.stderr
    assert result.stdout == s2sad.graph(L, "grad", wrt=("w1", "w2"))
    path = tmp_path / "L.dot"
    result = run_cli("graph", f"{EXAMPLE}:L", "-o", path)
    assert result.returncode == 0 and result.stdout.strip() == str(path)
    assert path.read_text() == s2sad.graph(L)


def test_derived_functions_show_their_source_in_a_notebook(tmp_path):
    gradient = s2sad.grad(L, wrt=(0, 1), output_dir=tmp_path)
    shown = gradient._repr_html_()
    assert shown.startswith("<div><p><code>") and str(gradient.path) in shown
    assert "def L_grad(w1, w2):" in shown and "&lt;" not in gradient.source
    _, vjp_fn = s2sad.vjp(L, 2.0, 3.0, output_dir=tmp_path)
    assert "L_vjp_bwd" in vjp_fn._repr_html_()
    jacobian = s2sad.jacobian(L, wrt=(0, 1), output_dir=tmp_path)
    jacobian(2.0, 3.0)
    assert "def L_jac" in jacobian._repr_html_()
