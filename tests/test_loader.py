"""The loader: atomic writes, in-process and cross-process reuse by content hash."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from autodiff_intro import L, sigmoid

import s2sad
from s2sad.cache import loader
from s2sad.api import derive

ROOT = Path(__file__).resolve().parent.parent


def test_derived_function_exposes_source_and_path(tmp_path):
    g = s2sad.grad(L, wrt=(0, 1), output_dir=tmp_path)
    assert g.path == (tmp_path / "autodiff_intro" / "L_grad_w1_w2.py").resolve()
    assert g.path.read_text() == g.source
    assert "def L_grad(w1, w2):" in g.source


def test_same_function_is_memoised_in_process(tmp_path):
    assert s2sad.grad(L, output_dir=tmp_path) is s2sad.grad(L, output_dir=tmp_path)


def test_environment_variable_sets_default_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("S2SAD_OUTPUT_DIR", str(tmp_path / "env"))
    assert derive(sigmoid, "grad", 0).path.parent.parent == (tmp_path / "env").resolve()


def test_default_directory_is_generated_under_cwd(tmp_path, monkeypatch):
    monkeypatch.delenv("S2SAD_OUTPUT_DIR")
    monkeypatch.chdir(tmp_path)
    assert loader.resolve_output_dir() == tmp_path / "generated"


def run_grad_in_new_process(directory):
    script = (
        "import sys; sys.path.insert(0, 'examples'); import s2sad; from autodiff_intro import L;"
        "g = s2sad.api.derive(L, 'grad', (0, 1), sys.argv[1]);"
        "print(g.loaded.cached, g.entry()(2.0, 3.0))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    cached, gradient = result.stdout.split(" ", 1)
    return cached == "True", eval(gradient)


def test_second_process_reuses_the_file(tmp_path):
    first_cached, first = run_grad_in_new_process(tmp_path)
    path = tmp_path / "autodiff_intro" / "L_grad_w1_w2.py"
    stamp = path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10**9, stamp - 10**9))
    second_cached, second = run_grad_in_new_process(tmp_path)
    assert (first_cached, second_cached) == (False, True)
    assert path.stat().st_mtime_ns == stamp - 10**9, "the file was rewritten"
    assert first == second


def test_stale_file_is_regenerated(tmp_path):
    path = derive(L, "grad", (0, 1), tmp_path).path
    path.write_text(
        path.read_text().replace("# content hash: sha256:", "# content hash: stale")
    )
    loader._IMPORTED.clear()
    again = derive(L, "grad", (0, 1), tmp_path)
    assert not again.loaded.cached
    assert "stale" not in path.read_text()


def test_write_is_atomic_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "out.py"
    loader.write_atomic(path, "x = 1\n")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(loader.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        loader.write_atomic(path, "x = 2\n")
    assert path.read_text() == "x = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == [
        "out.py"
    ], "temporary file left behind"


def test_written_files_get_ordinary_permissions(tmp_path):
    path = tmp_path / "out.py"
    loader.write_atomic(path, "x = 1\n")
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_concurrent_writers_leave_a_complete_file(tmp_path):
    script = (
        "import sys; from pathlib import Path; from s2sad.cache.loader import write_atomic;"
        "[write_atomic(Path(sys.argv[1]), sys.argv[2] * 20000) for _ in range(30)]"
    )
    target = tmp_path / "shared.py"
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(target), ch]) for ch in "ab"
    ]
    for proc in procs:
        assert proc.wait() == 0
    text = target.read_text()
    assert text in ("a" * 20000, "b" * 20000)
    assert list(tmp_path.iterdir()) == [target]
