"""Scalar benchmark: the lecture function ``L`` and its derivatives.

Times, per call, ``L(w1, w2) = w2·log(w1) + sqrt(w2·log(w1))`` from
``examples/autodiff_intro.py``, the gradient s2sad generates for it, a
hand-written gradient, the generated jvp and ``value_and_grad`` (and the
gradients of autograd, JAX and PyTorch when they happen to be installed).
The headline numbers are ratios to ``L`` itself.

The loop benchmark times ``f(x)``, 1000 steps of ``x = sin(x)·0.9 + 0.1·x``,
its generated reverse gradient (which stores per-step values on a tape), its
generated jvp, and a hand-written forward-mode derivative, as ratios to ``f``.

The early-exit benchmark times ``early_break(x)``, a loop of a million steps
that its data leaves after 16, against its generated gradient, jvp and
``value_and_grad``: generated code leaves the loop when the source does, so
the derivatives cost a small multiple of the function, not of a million steps.

It also times the transformation: the first ``s2sad.grad(L)`` in a fresh
process, with an empty output directory (lowering, passes, formatting, writing,
importing), and a call whose generated file already exists; and the first
``grad`` of ``bouncing_ball`` (``examples/loops.py``), a 50-line simulation
with nested loops, branches, a ``break`` and a ``while``.  ``L`` is timed
in two spellings: as its computational graph (``v1 … v3``, the seed) and as
one formula that evaluates ``w2·log(w1)`` twice.

Run from the repository root: ``.venv/bin/python benchmarks/scalar.py``.
"""

import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

import numpy

import s2sad
import s2sad.api

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))
from autodiff_intro import L, L_formula  # noqa: E402
from loops import bouncing_ball  # noqa: E402

W1, W2 = 2.0, 3.0
"""The point every gradient is evaluated at."""

X = 0.5
"""The point the loop ``f`` and its derivatives are evaluated at."""

X_EARLY = 1.7
"""The point ``early_break`` is evaluated at (16 steps run)."""

REPEATS = 7
"""Timing repeats per function (the best one counts)."""

FRESH_RUNS = 5
"""Fresh processes per transformation-time measurement (the median counts)."""

GRAD_TARGET = 1.3
"""Issue target: generated gradient at most this many times slower than ``L``."""

TRANSFORM_TARGET_MS = 50.0
"""Issue target: first ``grad(L)`` in a fresh process, in milliseconds."""

LOOP_GRAD_TARGET = 3.0
"""Issue target: generated gradient of the loop ``f`` at most this many times ``f``."""

LOOP_JVP_TARGET = 2.5
"""Issue target: generated jvp of the loop ``f`` at most this many times ``f``."""

EARLY_EXIT_TARGET = 10.0
"""Target: derivatives of ``early_break`` at most this many times the function."""

LOOP_TRANSFORM_TARGET_MS = 100.0
"""Issue target: first ``grad`` of a ~50-line function with loops, fresh process, in ms."""

FRESH_PROCESS = """
import importlib, json, sys, time

examples, output, module, name = sys.argv[1:]
sys.path.insert(0, examples)
times = {}
start = time.perf_counter()
import s2sad
times["import s2sad"] = time.perf_counter() - start
function = getattr(importlib.import_module(module), name)
wrt = tuple(range(function.__code__.co_argcount))
start = time.perf_counter()
s2sad.grad(function, wrt=wrt, output_dir=output)
times["grad"] = time.perf_counter() - start
times["black loaded"] = "black" in sys.modules
print(json.dumps(times))
"""
"""Run by each fresh process: times ``import s2sad``, then the first ``grad``
of ``module.name`` with respect to all its parameters."""


def f(x):
    """The issue's loop benchmark: 1000 steps of a contraction towards 0."""
    for _ in range(1000):
        x = math.sin(x) * 0.9 + 0.1 * x
    return x


def early_break(x):
    """The issue's early-exit cliff: a million-step loop left after 16 steps."""
    s = 0.0
    for _ in range(10**6):
        s = s + math.sin(x) * 0.1
        if s > 1.5:
            break
    return s


def hand_early_break_derivative(x):
    """``early_break`` and its derivative: the steps that ran times ``0.1·cos x``."""
    s, steps = 0.0, 0
    while steps < 10**6:
        s, steps = s + math.sin(x) * 0.1, steps + 1
        if s > 1.5:
            break
    return s, steps * 0.1 * math.cos(x)


def hand_grad(w1, w2):
    """The gradient of ``L`` as a person writes it, reusing ``log(w1)`` and the square root."""
    log_w1 = math.log(w1)
    outer = 1.0 + 0.5 / math.sqrt(w2 * log_w1)
    return outer * w2 / w1, outer * log_w1


def hand_loop_derivative(x):
    """``f`` and its derivative as a person writes forward mode: one loop carrying ``x`` and ``dx``."""
    dx = 1.0
    for _ in range(1000):
        dx = (0.9 * math.cos(x) + 0.1) * dx
        x = math.sin(x) * 0.9 + 0.1 * x
    return x, dx


def lecture_graph(np_like):
    """``L`` written with the ``log`` and ``sqrt`` of ``np_like``, for libraries that trace their own."""

    def traced_L(w1, w2):
        v1 = np_like.log(w1)
        v2 = w2 * v1
        v3 = np_like.sqrt(v2)
        return v2 + v3

    return traced_L


def loop_graph(np_like):
    """The loop ``f`` written with the ``sin`` of ``np_like``."""

    def traced_f(x):
        for _ in range(1000):
            x = np_like.sin(x) * 0.9 + 0.1 * x
        return x

    return traced_f


def autograd_grad(graph, argnums):
    """autograd's gradient of ``graph(autograd.numpy)``."""
    import autograd
    import autograd.numpy as anp

    return autograd.grad(graph(anp), argnum=argnums)


def jax_grad(graph, argnums):
    """JAX's jit-compiled gradient of ``graph(jax.numpy)`` in float64, waiting for the result."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    compiled = jax.jit(jax.grad(graph(jnp), argnums=argnums))
    return lambda *args: jax.block_until_ready(compiled(*args))


def torch_grad(graph, argnums):
    """PyTorch's gradient of ``graph(torch)``: float64 scalar tensors, one graph per call."""
    import torch

    traced = graph(torch)
    single = isinstance(argnums, int)

    def gradient(*args):
        inputs = tuple(
            torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args
        )
        grads = torch.autograd.grad(traced(*inputs), inputs)
        return grads[0] if single else grads

    return gradient


FRAMEWORKS = {
    "autograd.grad": autograd_grad,
    "jax.jit(jax.grad)": jax_grad,
    "torch.autograd.grad": torch_grad,
}
"""Other AD libraries, timed when importable."""


def ns_per_call(function, args):
    """Best time of one ``function(*args)`` in nanoseconds (timeit, autorange, best of ``REPEATS``)."""
    names = [f"a{i}" for i in range(len(args))]
    timer = timeit.Timer(
        f"f({', '.join(names)})", globals={"f": function, **dict(zip(names, args))}
    )
    number, _ = timer.autorange()
    return min(timer.repeat(REPEATS, number)) / number * 1e9


def check(what, gradient, expected):
    """Refuse to time a gradient that disagrees with the hand-written one."""
    if not all(
        math.isclose(float(g), e, rel_tol=1e-12) for g, e in zip(gradient, expected)
    ):
        raise SystemExit(f"{what} gives {gradient}, expected {expected}")


def framework_cases(graph, argnums, args, expected):
    """``(what, gradient, args)`` for each installed AD library, checked against ``expected``."""
    cases = []
    for what, make in FRAMEWORKS.items():
        try:
            gradient = make(graph, argnums)
        except ImportError:
            print(f"{what}: not installed, skipped")
            continue
        result = gradient(*args)
        check(what, result if isinstance(argnums, tuple) else (result,), expected)
        cases.append((what, gradient, args))
    return cases


def per_call_rows(output_dir):
    """``(what, ns/call)`` for ``L``, its derivatives and any installed AD library."""
    expected = hand_grad(W1, W2)
    grad = s2sad.grad(L, wrt=(0, 1), output_dir=output_dir)
    value_and_grad = s2sad.value_and_grad(L, wrt=(0, 1), output_dir=output_dir)
    jvp = s2sad.api.jvp_function(L, output_dir=output_dir)
    check("s2sad.grad", grad(W1, W2), expected)
    check("s2sad.value_and_grad", value_and_grad(W1, W2)[1], expected)
    check("s2sad jvp", jvp(W1, W2, 1.0, 0.0)[1:], expected[:1])
    formula_grad = s2sad.grad(L_formula, wrt=(0, 1), output_dir=output_dir)
    check("s2sad.grad of L_formula", formula_grad(W1, W2), expected)
    cases = [
        ("L", L, (W1, W2)),
        ("s2sad.grad (generated)", grad, (W1, W2)),
        ("hand-written gradient", hand_grad, (W1, W2)),
        ("s2sad.value_and_grad (generated)", value_and_grad, (W1, W2)),
        ("s2sad jvp, tangents (1, 0) (generated)", jvp, (W1, W2, 1.0, 0.0)),
        ("L_formula (L as one formula)", L_formula, (W1, W2)),
        ("s2sad.grad of L_formula (generated)", formula_grad, (W1, W2)),
    ]
    cases += framework_cases(lecture_graph, (0, 1), (W1, W2), expected)
    return [(what, ns_per_call(function, args)) for what, function, args in cases]


def loop_rows(output_dir):
    """``(what, ns/call)`` for the loop ``f``, its generated derivatives and the hand-written one."""
    value, expected = hand_loop_derivative(X)
    grad = s2sad.grad(f, output_dir=output_dir)
    jvp = s2sad.api.jvp_function(f, output_dir=output_dir)
    check("s2sad.grad of f", (grad(X),), (expected,))
    check("s2sad jvp of f", jvp(X, 1.0), (value, expected))
    cases = [
        ("f (1000 steps)", f, (X,)),
        ("s2sad.grad of f (generated, reverse)", grad, (X,)),
        ("s2sad jvp of f, tangent 1 (generated)", jvp, (X, 1.0)),
        ("hand-written forward derivative", hand_loop_derivative, (X,)),
    ]
    cases += framework_cases(loop_graph, 0, (X,), (expected,))
    return [(what, ns_per_call(function, args)) for what, function, args in cases]


def early_exit_rows(output_dir):
    """``(what, ns/call)`` for ``early_break`` and its generated derivatives, each
    checked against the hand-written derivative first."""
    value, expected = hand_early_break_derivative(X_EARLY)
    grad = s2sad.grad(early_break, output_dir=output_dir)
    value_and_grad = s2sad.value_and_grad(early_break, output_dir=output_dir)
    jvp = s2sad.api.jvp_function(early_break, output_dir=output_dir)
    check("s2sad.grad of early_break", (grad(X_EARLY),), (expected,))
    check(
        "s2sad.value_and_grad of early_break",
        value_and_grad(X_EARLY),
        (value, expected),
    )
    check("s2sad jvp of early_break", jvp(X_EARLY, 1.0), (value, expected))
    cases = [
        ("early_break (a million steps, left after 16)", early_break, (X_EARLY,)),
        ("s2sad.grad of early_break (generated)", grad, (X_EARLY,)),
        ("s2sad.value_and_grad of early_break (generated)", value_and_grad, (X_EARLY,)),
        ("s2sad jvp of early_break, tangent 1 (generated)", jvp, (X_EARLY, 1.0)),
    ]
    return interleaved_ns_per_call(cases)


def interleaved_ns_per_call(cases):
    """``(what, ns/call)`` for ``(what, function, args)`` cases timed in turn, one
    repeat of each before the next repeat of any (best of ``REPEATS``), so that a
    slow spell of the machine weighs on every case alike."""
    timers = []
    for what, function, args in cases:
        names = [f"a{i}" for i in range(len(args))]
        call = f"f({', '.join(names)})"
        timer = timeit.Timer(call, globals={"f": function, **dict(zip(names, args))})
        timers.append((what, timer, timer.autorange()[0]))
    best = {what: math.inf for what, _, _ in timers}
    for _ in range(REPEATS):
        for what, timer, number in timers:
            best[what] = min(best[what], timer.timeit(number) / number * 1e9)
    return list(best.items())


def fresh_process(output_dir, function=L):
    """Times (seconds) measured by one new interpreter running ``FRESH_PROCESS``."""
    command = [sys.executable, "-c", FRESH_PROCESS, str(EXAMPLES), str(output_dir)]
    command += [function.__module__, function.__name__]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def transformation_runs():
    """``FRESH_RUNS`` fresh processes for each scenario: ``{scenario: [times, ...]}``.

    ``cold``: empty output directory; ``cached``: the generated file exists
    with a matching hash; ``loop cold``: ``bouncing_ball``, empty output
    directory.
    """
    runs = {"cold": [], "cached": [], "loop cold": []}
    for _ in range(FRESH_RUNS):
        with tempfile.TemporaryDirectory() as empty:
            runs["cold"].append(fresh_process(empty))
        with tempfile.TemporaryDirectory() as empty:
            runs["loop cold"].append(fresh_process(empty, bouncing_ball))
    with tempfile.TemporaryDirectory() as cache:
        fresh_process(cache)
        (generated,) = Path(cache).rglob("*.py")
        written = generated.stat().st_mtime_ns
        for _ in range(FRESH_RUNS):
            runs["cached"].append(fresh_process(cache))
        if generated.stat().st_mtime_ns != written:
            raise SystemExit("a cached call regenerated its file")
    return runs


def milliseconds(runs, key):
    """Median and minimum of ``key`` over ``runs``, in milliseconds."""
    values = [run[key] * 1e3 for run in runs]
    return statistics.median(values), min(values)


def cpu_name():
    """The CPU model from /proc/cpuinfo, else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine():
    """One line naming the machine, Python, numpy, black and the date."""
    uname = platform.uname()
    return (
        f"{cpu_name()} ({os.cpu_count()} cores), {uname.system} {uname.release} {uname.machine}; "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, s2sad {s2sad.__version__}; "
        f"{datetime.date.today().isoformat()}"
    )


def verdict(met, target):
    """``met``, or ``MISSED`` and the ``target`` text."""
    return "met" if met else f"MISSED (target {target})"


def print_rows(rows, baseline, name):
    """A plain-text table of ``rows``, with ratios to the row named ``baseline``."""
    reference = dict(rows)[baseline]
    width = max(len(what) for what, _ in rows)
    ratio = f"ratio to {name}"
    print(f"{'what':<{width}}  {'ns/call':>9}  {ratio:>10}")
    for what, time in rows:
        print(f"{what:<{width}}  {time:>9.1f}  {time / reference:>10.2f}")


def print_markdown_rows(rows, baseline, name):
    """``rows`` as a Markdown table, with a ``× name`` column of ratios to ``baseline``."""
    reference = dict(rows)[baseline]
    print(f"| what | ns/call | × `{name}` |")
    print("|---|---:|---:|")
    for what, time in rows:
        print(f"| {what} | {time:.0f} | {time / reference:.2f} |")


def main():
    """Run the benchmarks, print their tables and a Markdown summary for the README."""
    print(machine())
    print()
    with tempfile.TemporaryDirectory() as output_dir:
        rows = per_call_rows(output_dir)
        loop = loop_rows(output_dir)
        early = early_exit_rows(output_dir)
    ns = dict(rows)
    baseline = ns["L"]
    print_rows(rows, "L", "L")
    grad_ratio = ns["s2sad.grad (generated)"] / baseline
    formula_ratio = (
        ns["s2sad.grad of L_formula (generated)"] / ns["L_formula (L as one formula)"]
    )
    print(
        f"generated gradient / L = {grad_ratio:.2f}: "
        f"{verdict(grad_ratio <= GRAD_TARGET, f'<= {GRAD_TARGET}')}; "
        f"hand-written / L = {ns['hand-written gradient'] / baseline:.2f}; "
        f"generated / hand-written = {ns['s2sad.grad (generated)'] / ns['hand-written gradient']:.2f}; "
        f"generated / L_formula = {formula_ratio:.2f}: "
        f"{verdict(formula_ratio <= GRAD_TARGET, f'<= {GRAD_TARGET}')}"
    )
    print()

    loop_base = dict(loop)["f (1000 steps)"]
    loop_grad, loop_jvp, loop_hand = (
        dict(loop)[what] / loop_base
        for what in (
            "s2sad.grad of f (generated, reverse)",
            "s2sad jvp of f, tangent 1 (generated)",
            "hand-written forward derivative",
        )
    )
    print_rows(loop, "f (1000 steps)", "f")
    print(
        f"generated gradient / f = {loop_grad:.2f}: "
        f"{verdict(loop_grad <= LOOP_GRAD_TARGET, f'<= {LOOP_GRAD_TARGET}')}; "
        f"generated jvp / f = {loop_jvp:.2f}: "
        f"{verdict(loop_jvp <= LOOP_JVP_TARGET, f'<= {LOOP_JVP_TARGET}')}; "
        f"hand-written forward / f = {loop_hand:.2f}"
    )
    print()

    early_base = dict(early)["early_break (a million steps, left after 16)"]
    early_worst = max(time for _, time in early) / early_base
    print_rows(early, "early_break (a million steps, left after 16)", "early_break")
    print(
        f"slowest derivative / early_break = {early_worst:.2f}: "
        f"{verdict(early_worst <= EARLY_EXIT_TARGET, f'<= {EARLY_EXIT_TARGET}')}"
    )
    print()

    runs = transformation_runs()
    import_s2sad = milliseconds([r for rs in runs.values() for r in rs], "import s2sad")
    scenarios = [
        ("first grad(L), empty output dir", "cold"),
        ("first grad(L), generated file already there", "cached"),
        ("first grad(bouncing_ball), empty output dir", "loop cold"),
    ]
    print(f"Fresh processes, {FRESH_RUNS} each: median (min) in ms")
    print(f"  import s2sad: {import_s2sad[0]:.1f} ({import_s2sad[1]:.1f})")
    for label, scenario in scenarios:
        median, least = milliseconds(runs[scenario], "grad")
        black_loaded = all(run["black loaded"] for run in runs[scenario])
        print(
            f"  {label}: {median:.1f} ({least:.1f}); black loaded afterwards: {black_loaded}"
        )
    for what, scenario, target_ms in [
        ("grad(L)", "cold", TRANSFORM_TARGET_MS),
        ("grad(bouncing_ball)", "loop cold", LOOP_TRANSFORM_TARGET_MS),
    ]:
        transform = milliseconds(runs[scenario], "grad")[0]
        print(
            f"transformation time of {what} {transform:.1f} ms: "
            f"{verdict(transform < target_ms, f'< {target_ms:.0f} ms')}"
        )
    print()

    print(f"Measured on {machine()}.")
    print()
    print_markdown_rows(rows, "L", "L")
    print()
    print_markdown_rows(loop, "f (1000 steps)", "f")
    print()
    print_markdown_rows(
        early, "early_break (a million steps, left after 16)", "early_break"
    )
    print()
    print(f"| fresh process | ms (median of {FRESH_RUNS}) |")
    print("|---|---:|")
    print(f"| `import s2sad` | {import_s2sad[0]:.0f} |")
    for label, scenario in scenarios:
        print(f"| {label} | {milliseconds(runs[scenario], 'grad')[0]:.1f} |")


if __name__ == "__main__":
    main()
