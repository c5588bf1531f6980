"""The loader imports what it checked or wrote, finds current files by source
key, and refuses stale sources, over-long names and unusable directories."""

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import s2sad
from s2sad import api
from s2sad.cache import loader
from s2sad.api import derive

ROOT = Path(__file__).resolve().parent.parent


def write_module(folder, name, text):
    path = Path(folder) / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def fresh_import(name):
    sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.import_module(name)


def test_source_edited_after_import_is_refused(module_dir, tmp_path):
    path = write_module(module_dir, "edited_mod", "def f(x):\n    return x * x\n")
    module = fresh_import("edited_mod")
    path.write_text("def f(x):\n    return x * x * x\n")
    with pytest.raises(
        s2sad.UnsupportedSyntaxError, match="changed after it was imported"
    ):
        s2sad.grad(module.f, output_dir=tmp_path / "out")


def test_lines_inserted_above_after_import_are_refused(module_dir, tmp_path):
    path = write_module(module_dir, "shifted_mod", "def f(x):\n    return x * x\n")
    module = fresh_import("shifted_mod")
    path.write_text("def g(x):\n    return 3.0 * x\n\n\ndef f(x):\n    return x * x\n")
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="changed after"):
        s2sad.grad(module.f, output_dir=tmp_path / "out")


CONSTANT_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import os
import s2sad
from consts import f
print(s2sad.grad(f, output_dir=sys.argv[2])(1.0))
"""


def test_processes_with_different_constants_get_their_own_derivative(tmp_path):
    source = (
        "import os\nK = float(os.environ['K'])\n\ndef f(x):\n    return K * x * x\n"
    )
    write_module(tmp_path, "consts", source)
    out = tmp_path / "out"
    procs = []
    for k in range(12):
        env = {"K": str(k % 4 + 1), "PYTHONPATH": str(ROOT), "PATH": ""}
        command = [sys.executable, "-c", CONSTANT_SCRIPT, str(tmp_path), str(out)]
        procs.append(
            (
                k % 4 + 1,
                subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True),
            )
        )
    for constant, proc in procs:
        text, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        assert float(text) == 2.0 * constant


def derive_fresh(fn, kind="grad", wrt=0, out=None):
    loader._IMPORTED.clear()
    api._MEMO.clear()
    return derive(fn, kind, wrt, out)


def test_source_key_finds_the_file_and_follows_every_change(module_dir, tmp_path):
    text = """
        import math
        import helper_mod
        K = 2.0
        def h(x):
            return math.sin(x)
        def f(x):
            return K * h(x) + helper_mod.SCALE * x
    """
    write_module(module_dir, "helper_mod", "SCALE = 3.0\n")
    write_module(module_dir, "keyed_mod", text)
    module = fresh_import("keyed_mod")
    out = tmp_path / "out"
    first = derive_fresh(module.f, out=out)
    assert not first.loaded.cached
    again = derive_fresh(module.f, out=out)
    assert again.loaded.cached and again.source == first.source
    assert again.entry()(0.5) == first.entry()(0.5)
    changes = [
        lambda: setattr(module, "K", 5.0),
        lambda: setattr(sys.modules["helper_mod"], "SCALE", 7.0),
        lambda: setattr(module, "h", _cosine),
    ]
    for change in changes:
        change()
        derived = derive_fresh(module.f, out=out)
        expected = (module.f(0.5 + 1e-6) - module.f(0.5 - 1e-6)) / 2e-6
        assert abs(derived.entry()(0.5) - expected) < 1e-6
        assert not derived.loaded.cached


def _cosine(x):
    return np.cos(x)


def test_registered_rule_changes_the_source_key(module_dir, tmp_path):
    text = """
        import math
        def soft(x):
            return math.log1p(math.exp(x))
        def f(x):
            return soft(x) * 2.0
    """
    write_module(module_dir, "ruled_mod", text)
    module = fresh_import("ruled_mod")
    out = tmp_path / "out"
    before = derive_fresh(module.f, out=out)

    @s2sad.derivative_rule(module.soft)
    class SoftRule:
        def tangent(x, x_dot):
            return x_dot / (1.0 + math.exp(-x))

        def adjoint(x, out_bar):
            return out_bar / (1.0 + math.exp(-x))

    import math

    after = derive_fresh(module.f, out=out)
    assert not after.loaded.cached and after.source != before.source
    assert abs(after.entry()(0.3) - 2.0 / (1.0 + math.exp(-0.3))) < 1e-12


def test_very_long_function_names_get_short_files(module_dir, tmp_path):
    name = "f" * 240
    write_module(module_dir, "long_mod", f"def {name}(x):\n    return x * x\n")
    module = fresh_import("long_mod")
    g = s2sad.grad(getattr(module, name), output_dir=tmp_path / "out")
    assert g(3.0) == 6.0
    assert len(g.path.name) <= 130 and g.path.exists()
    assert derive_fresh(getattr(module, name), out=tmp_path / "out").path == g.path


def test_output_dir_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(s2sad.DifferentiationError, match="is a file"):
        derive_fresh(_cosine, out=blocker / "sub")


def test_loader_executes_the_text_it_wrote(tmp_path, monkeypatch):
    path = tmp_path / "m.py"
    original = loader.write_atomic

    def racing_write(target, text):
        original(target, text)
        target.write_text("# content hash: other\nVALUE = 'theirs'\n")

    monkeypatch.setattr(loader, "write_atomic", racing_write)
    loaded = loader.load(
        path, "sha256:mine", lambda: "# content hash: sha256:mine\nVALUE = 'mine'\n"
    )
    assert loaded.module.VALUE == "mine"


def test_source_key_covers_options_and_compiler(monkeypatch):
    from s2sad.cache import fingerprint

    key = fingerprint.source_key(_cosine, "kind=grad")
    assert key == fingerprint.source_key(_cosine, "kind=grad")
    assert key != fingerprint.source_key(_cosine, "kind=jvp")
    monkeypatch.setattr(fingerprint, "compiler_stamp", lambda: "another compiler")
    assert key != fingerprint.source_key(_cosine, "kind=grad")


def test_values_the_key_cannot_describe_take_the_slow_path(module_dir):
    text = """
        SETTINGS = {"scale": 2.0}
        def f(x):
            return SETTINGS["scale"] * x
    """
    write_module(module_dir, "dict_mod", text)
    from s2sad.cache import fingerprint

    assert fingerprint.source_key(fresh_import("dict_mod").f, "kind=grad") is None


def test_the_compiler_hash_covers_every_module_of_every_subpackage():
    """A change to any rule, pass or backend module changes content hashes and
    source keys (regression: once only the cache subpackage was hashed)."""
    import os
    from pathlib import Path

    from s2sad.cache import provenance

    package = Path(provenance.PACKAGE)
    every = {str(p.relative_to(package)) for p in package.rglob("*.py")}
    every = {p for p in every if "__pycache__" not in p}
    assert set(provenance.compiler_files()) == every - set(provenance.NOT_COMPILER)
    for name in ("rules/scalar.py", "passes/reverse.py", "backend/emitter.py"):
        assert os.path.join(*name.split("/")) in provenance.compiler_files()
