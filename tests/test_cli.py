"""The s2sad command, run as a subprocess."""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "autodiff_intro.py"


def s2sad(*args, cwd=ROOT, env=None):
    return subprocess.run(
        [sys.executable, "-m", "s2sad.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


def test_grad_writes_file_and_prints_its_path(tmp_path):
    result = s2sad("grad", f"{EXAMPLE}:L", "--wrt", "w1,w2", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == (tmp_path / "autodiff_intro" / "L_grad_w1_w2.py").resolve()
    namespace = {}
    exec(path.read_text(), namespace)
    assert namespace["L_grad"](2.0, 3.0) == pytest.approx(
        (2.0201012595319114, 0.9334849949934259)
    )


def test_grad_defaults_to_the_first_parameter_and_generated_dir(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "S2SAD_OUTPUT_DIR"}
    result = s2sad("grad", f"{EXAMPLE}:rosenbrock", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert (
        Path(result.stdout.strip())
        == tmp_path / "generated" / "autodiff_intro" / "rosenbrock_grad_x.py"
    )


def test_wrt_takes_indices_as_the_api_does(tmp_path):
    result = s2sad("grad", f"{EXAMPLE}:rosenbrock", "--wrt", "0,1", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).name == "rosenbrock_grad_x_y.py"
    result = s2sad("grad", f"{EXAMPLE}:rosenbrock", "--wrt", "1", "-o", tmp_path)
    assert Path(result.stdout.strip()).name == "rosenbrock_grad_y.py"


def test_version_and_a_negative_point():
    result = s2sad("--version")
    assert result.returncode == 0 and result.stdout.startswith("s2sad ")
    result = s2sad("compare", f"{EXAMPLE}:rosenbrock", "--at", "-1.5,3.0")
    assert result.returncode == 0, result.stderr
    assert "-1.5" in result.stdout


def test_every_subcommand_help_shows_an_example():
    for command in ("grad", "hvp", "jvp", "jacobian", "ir", "compare"):
        result = s2sad(command, "--help")
        assert result.returncode == 0
        assert f"example:\n  s2sad {command} " in result.stdout


def test_output_piped_into_a_reader_that_stops_ends_quietly():
    reader = [sys.executable, "-c", "import sys; sys.stdin.readline()"]
    command = [sys.executable, "-m", "s2sad.cli", "ir", f"{EXAMPLE}:L"]
    command += ["--derivative", "hessian", "--wrt", "w1,w2"]
    writer = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    subprocess.run(reader, stdin=writer.stdout, check=True)
    writer.stdout.close()
    assert writer.wait() == 0
    assert b"Traceback" not in writer.stderr.read()


def test_output_directory_from_environment(tmp_path):
    env = dict(os.environ, S2SAD_OUTPUT_DIR=str(tmp_path / "from_env"))
    result = s2sad("jvp", f"{EXAMPLE}:L", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        Path(result.stdout.strip()).parent.parent == (tmp_path / "from_env").resolve()
    )


def test_int_parameters_are_left_out_by_default(tmp_path):
    result = s2sad(
        "grad", f"{ROOT / 'tests' / 'edge_functions.py'}:int_exponent", "-o", tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).name == "int_exponent_grad_x.py"


def test_jvp_writes_file(tmp_path):
    result = s2sad("jvp", f"{EXAMPLE}:L", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "def L_jvp(w1, w2, w1_dot, w2_dot):" in Path(result.stdout.strip()).read_text()
    )


def test_hvp_writes_file(tmp_path):
    result = s2sad("hvp", f"{EXAMPLE}:L", "--wrt", "w1,w2", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.name == "L_hvp_w1_w2.py"
    namespace = {}
    exec(path.read_text(), namespace)
    hv = namespace["L_hvp"](2.0, 3.0, 1.0, 0.0)
    w1, w2 = 2.0, 3.0
    v2 = w2 * math.log(w1)
    d2_w1 = -(w2 / w1**2) * (1 + 0.5 / math.sqrt(v2)) - (w2 / w1) ** 2 / (4 * v2**1.5)
    assert hv[0] == pytest.approx(d2_w1, rel=1e-12)


def test_hessian_writes_the_batched_file(tmp_path):
    """``s2sad hessian`` writes the batched Hessian-vector product, whose one call
    with the identity gives the Hessian."""
    result = s2sad("hessian", f"{EXAMPLE}:L", "--wrt", "w1,w2", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.name == "L_hessian_w1_w2.py"
    namespace = {}
    exec(path.read_text(), namespace)
    identity = np.eye(2)
    columns = namespace["L_hessian"](2.0, 3.0, identity[:, 0], identity[:, 1])
    w1, w2 = 2.0, 3.0
    v2 = w2 * math.log(w1)
    d2_w1 = -(w2 / w1**2) * (1 + 0.5 / math.sqrt(v2)) - (w2 / w1) ** 2 / (4 * v2**1.5)
    assert np.shape(columns) == (2, 2)
    assert columns[0][0] == pytest.approx(d2_w1, rel=1e-12)
    assert columns[0][1] == pytest.approx(columns[1][0], rel=1e-12)


def test_ir_prints_the_function():
    result = s2sad("ir", f"{EXAMPLE}:L")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "func L(w1, w2):\n  v1 = log(w1)\n  v2 = mul(w2, v1)\n  v3 = sqrt(v2)\n  L = add(v2, v3)\n  return L\n"
    )


def test_ir_of_a_derivative():
    result = s2sad("ir", f"{EXAMPLE}:L", "--derivative", "grad", "--wrt", "w1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("func L_grad(w1, w2):\n")
    assert "w1_bar = div(v1_bar, w1)" in result.stdout
    assert "w2_bar" not in result.stdout


def test_ir_of_vjp_shows_both_sweeps():
    result = s2sad("ir", f"{EXAMPLE}:L", "--derivative", "vjp")
    assert "func L_vjp_fwd(w1, w2):" in result.stdout
    assert "func L_vjp_bwd(" in result.stdout


def test_compare_prints_report():
    result = s2sad("compare", f"{EXAMPLE}:L", "--at", "2.0,3.0")
    assert result.returncode == 0, result.stderr
    assert "2.0201012595319114" in result.stdout
    assert "Finite differences" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("grad", "nowhere.py:f"), "no such file: nowhere.py"),
        (("grad", f"{EXAMPLE}"), "expected FILE.py:FUNC"),
        (("grad", f"{EXAMPLE}:missing"), "defines no function 'missing'"),
        (("grad", f"{EXAMPLE}:L", "--wrt", "w9"), "L has no parameter 'w9'"),
        (
            ("compare", f"{EXAMPLE}:L", "--at", "two,3"),
            "--at expects comma-separated numbers",
        ),
    ],
)
def test_errors_exit_1_with_one_line_message(args, message):
    result = s2sad(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_file_is_reported_with_its_line(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("def f(x):\n    return x +\n")
    result = s2sad("grad", f"{broken}:f")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{broken}:2:")
    assert "cannot import" in result.stderr and "Traceback" not in result.stderr


def test_wrt_error_names_the_file_and_line():
    result = s2sad("grad", f"{EXAMPLE}:L", "--wrt", "w9")
    assert result.stderr.startswith(f"{EXAMPLE}:10: L has no parameter 'w9'")


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "s2sad"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "grad" in result.stdout and "compare" in result.stdout


@pytest.mark.parametrize(
    "mode, names",
    [
        ("fwd", ["L_jacfwd_w1_w2.py"]),
        ("rev", ["L_jacrev_w1_w2.py"]),
        ("auto", ["L_jacfwd_w1_w2.py", "L_jacrev_w1_w2.py"]),
    ],
)
def test_jacobian_writes_the_files_of_its_mode(tmp_path, mode, names):
    result = s2sad(
        "jacobian", f"{EXAMPLE}:L", "--mode", mode, "--wrt", "w1,w2", "-o", tmp_path
    )
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.split()]
    assert [p.name for p in paths] == names
    for path in paths:
        namespace = {}
        exec(path.read_text(), namespace)
        if path.name.startswith("L_jacfwd"):
            value, column = namespace["L_jacfwd"](
                2.0, 3.0, np.eye(2)[:, 0], np.eye(2)[:, 1]
            )
            rows = column
        else:
            value, residuals = namespace["L_jacrev_fwd"](2.0, 3.0)
            rows = namespace["L_jacrev_bwd"](residuals, np.ones(1))
        np.testing.assert_allclose(
            np.ravel(rows), (2.0201012595319114, 0.9334849949934259), rtol=1e-12
        )


def test_jacobian_with_wrt_and_a_bad_mode(tmp_path):
    result = s2sad(
        "jacobian", f"{EXAMPLE}:L", "--wrt", "w2", "--mode", "rev", "-o", tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).name == "L_jacrev_w2.py"
    result = s2sad("jacobian", f"{EXAMPLE}:L", "--mode", "sideways", "-o", tmp_path)
    assert result.returncode == 2 and "invalid choice" in result.stderr
