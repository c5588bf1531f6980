"""Checks of composed derivatives for tests/test_composition_attack2.py.

Each ``check_<composition>(f, point, out_dir)`` builds one composed derivative
of ``f`` through the public API, calls it on copies of ``point`` and compares
it with five-point central differences of the generated derivative it was
composed on.  It returns "correct", "refused" (an ``S2SADError`` other than
``InternalError``, with a hint) or "n/a", and raises :class:`Wrong` for a wrong
number, a wrong shape or a modified argument; any other exception propagates
(a crash).
"""

from __future__ import annotations

import copy

import numpy as np

import s2sad

RTOL = 1e-5
ATOL = 1e-6


class Wrong(AssertionError):
    """A composed derivative gave a wrong value or shape, or changed an argument."""


def is_float(value) -> bool:
    return isinstance(value, float) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "f"
    )


def like(value, rng):
    """A random direction shaped like ``value``; ``None`` for ints."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return rng.uniform(-1.0, 1.0, value.shape)
    if isinstance(value, float):
        return float(rng.uniform(-1.0, 1.0))
    return None


def like_output(value, rng):
    """A random cotangent shaped like an output (tuples kept)."""
    if isinstance(value, tuple):
        return tuple(like_output(v, rng) for v in value)
    if isinstance(value, np.ndarray):
        return rng.uniform(-1.0, 1.0, value.shape)
    return float(rng.uniform(-1.0, 1.0))


def flat(value) -> np.ndarray:
    if isinstance(value, (tuple, list)):
        parts = [flat(v) for v in value]
        return np.concatenate(parts) if parts else np.zeros(0)
    if value is None:
        return np.zeros(0)
    return np.ravel(np.asarray(value, dtype=float))


def structure(value):
    """Tuple nesting and leaf shapes of ``value``."""
    if isinstance(value, (tuple, list)):
        return tuple(structure(v) for v in value)
    return np.shape(value)


def moved(point, direction, h):
    out = []
    for p, d in zip(point, direction):
        if d is None:
            out.append(copy.deepcopy(p))
        elif isinstance(p, float):
            out.append(float(p + h * d))
        else:
            out.append(p + h * d)
    return out


def differences(g, point, direction, h=1e-3):
    """Five-point central differences of ``g`` along ``direction``."""

    def at(k):
        return flat(g(*moved(point, direction, k * h)))

    return (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * h)


def reliable_differences(g, point, direction):
    """Differences at two steps; ``None`` when they disagree (a kink, a branch)."""
    fine = differences(g, point, direction, 5e-4)
    coarse = differences(g, point, direction, 1e-3)
    if not np.allclose(fine, coarse, rtol=1e-7, atol=1e-8):
        return None
    return fine


def close(got, expected, what):
    got, expected = flat(got), flat(expected)
    if got.shape != expected.shape:
        raise Wrong(f"{what}: shape {got.shape}, expected {expected.shape}")
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    if not np.allclose(got, expected, rtol=RTOL, atol=ATOL * scale):
        raise Wrong(f"{what}: got {got!r}, expected {expected!r}")


def same_structure(got, expected, what):
    if structure(got) != structure(expected):
        raise Wrong(
            f"{what}: structure {structure(got)}, expected {structure(expected)}"
        )


def dot(a, b) -> float:
    return float(np.dot(flat(a), flat(b)))


def called(fn, args):
    """``fn(*copies)``, raising :class:`Wrong` if it changed a copy."""
    given = copy.deepcopy(list(args))
    result = fn(*given)
    for k, (a, b) in enumerate(zip(given, args)):
        if structure(a) != structure(b) or not np.array_equal(flat(a), flat(b)):
            raise Wrong(f"argument {k} modified: {b!r} became {a!r}")
    return result


class Refused(Exception):
    """A clear refusal: an ``S2SADError`` with a hint, not an ``InternalError``."""


def refusal(error):
    """Raise :class:`Refused` for a clear refusal, :class:`Wrong` for one without a hint."""
    if isinstance(error, s2sad.InternalError):
        raise error
    if not error.hint:
        raise Wrong(f"a refusal without a hint: {type(error).__name__}: {error}")
    raise Refused(f"{type(error).__name__}: {error}")


def adjoints_shaped(bars, args, what):
    """Raise :class:`Wrong` unless there is one adjoint per argument, shaped like it."""
    if len(bars) != len(args):
        raise Wrong(f"{what} gave {len(bars)} adjoints for {len(args)} primals")
    for k in floats_of(args):
        if np.shape(bars[k]) != np.shape(args[k]):
            raise Wrong(
                f"{what}: adjoint {k} has shape {np.shape(bars[k])}, "
                f"its primal {np.shape(args[k])}"
            )


def floats_of(point):
    return tuple(k for k, p in enumerate(point) if is_float(p))


def scalars_of(point):
    return tuple(k for k, p in enumerate(point) if isinstance(p, float))


def _over_all(point, seed):
    rng = np.random.default_rng(seed)
    return tuple(like(p, rng) for p in point)


def _only(direction, indices):
    return tuple(d if k in indices else None for k, d in enumerate(direction))


# ------------------------------------------------------------ the compositions


def check_jvp_grad(f, point, out_dir):
    """jvp(grad(f, wrt=all floats)) along every float argument."""
    wrt = floats_of(point)
    g = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    u = _over_all(point, 1)
    try:
        value, tangent = called(
            lambda *p: s2sad.jvp(g, tuple(p), u, output_dir=out_dir), point
        )
    except s2sad.S2SADError as error:
        refusal(error)
    reference = g(*copy.deepcopy(point))
    same_structure(value, reference, "jvp(grad) value")
    same_structure(tangent, reference, "jvp(grad) tangent")
    close(value, reference, "jvp(grad) value")
    expected = reliable_differences(g, point, u)
    if expected is None:
        return "n/a"
    close(tangent, expected, "jvp(grad) tangent")
    return "correct"


def check_vjp_grad(f, point, out_dir):
    """vjp(grad(f)): the adjoint of every argument by the dot-product test."""
    wrt = floats_of(point)
    g = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    try:
        out, vjp_fn = called(lambda *p: s2sad.vjp(g, *p, output_dir=out_dir), point)
    except s2sad.S2SADError as error:
        refusal(error)
    reference = g(*copy.deepcopy(point))
    close(out, reference, "vjp(grad) value")
    w = like_output(reference, np.random.default_rng(3))
    try:
        bars = vjp_fn(copy.deepcopy(w))
    except s2sad.S2SADError as error:
        refusal(error)
    adjoints_shaped(bars, point, "vjp(grad)")
    for seed in (4, 5):
        t = _over_all(point, seed)
        expected = reliable_differences(g, point, t)
        if expected is None:
            return "n/a"
        lhs = dot(w, expected)
        rhs = sum(dot(bars[k], t[k]) for k in floats_of(point))
        if not np.isclose(lhs, rhs, rtol=RTOL, atol=ATOL * max(1.0, abs(lhs))):
            raise Wrong(f"vjp(grad): <w, H t> = {lhs!r} but <H^T w, t> = {rhs!r}")
    return "correct"


def check_hvp(f, point, out_dir):
    """s2sad.hvp(f, wrt=all floats): against differences of grad, and symmetric."""
    wrt = floats_of(point)
    single = len(wrt) == 1
    g = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    h = s2sad.hvp(f, wrt=wrt[0] if single else wrt, output_dir=out_dir)
    results = []
    for seed in (6, 7):
        v = _only(_over_all(point, seed), wrt)
        given = v[wrt[0]] if single else tuple(v[k] for k in wrt)
        try:
            hv = called(lambda *p: h(*p, copy.deepcopy(given)), point)
        except s2sad.S2SADError as error:
            refusal(error)
        expected = reliable_differences(g, point, v)
        if expected is None:
            return "n/a"
        same_structure((hv,) if single else hv, g(*copy.deepcopy(point)), "hvp")
        close(hv, expected, "hvp")
        results.append((hv, given))
    (hu, u), (hv, v) = results
    if not np.isclose(dot(hu, v), dot(hv, u), rtol=1e-9, atol=1e-10):
        raise Wrong(f"hvp not symmetric: v.Hu = {dot(hu, v)!r}, u.Hv = {dot(hv, u)!r}")
    return "correct"


def check_grad_grad(f, point, out_dir):
    """grad(grad(f, wrt=k), wrt=j) for scalar k and every float j."""
    ks = scalars_of(point)
    if not ks:
        return "n/a"
    for k in ks[:2]:
        gk = s2sad.grad(f, wrt=k, output_dir=out_dir)
        for j in floats_of(point)[:2]:
            try:
                second = s2sad.grad(gk, wrt=j, output_dir=out_dir)
                got = called(second, point)
            except s2sad.S2SADError as error:
                refusal(error)
            step = [None] * len(point)
            rng = np.random.default_rng(8)
            if isinstance(point[j], float):
                step[j] = 1.0
                expected = reliable_differences(gk, point, step)
            else:
                step[j] = like(point[j], rng)
                along = reliable_differences(gk, point, step)
                expected = None if along is None else along
                if along is not None:
                    lhs, rhs = dot(got, step[j]), float(along[0])
                    if not np.isclose(lhs, rhs, rtol=RTOL, atol=ATOL):
                        raise Wrong(f"grad(grad, wrt={k}, {j}): {lhs!r} vs {rhs!r}")
                    continue
            if expected is None:
                return "n/a"
            close(got, expected, f"grad(grad(f, wrt={k}), wrt={j})")
    return "correct"


def check_vjp_value_and_grad(f, point, out_dir):
    """vjp(value_and_grad(f)) by the dot-product test; its value too."""
    wrt = floats_of(point)
    vg = s2sad.value_and_grad(f, wrt=wrt, output_dir=out_dir)
    try:
        out, vjp_fn = called(lambda *p: s2sad.vjp(vg, *p, output_dir=out_dir), point)
    except s2sad.S2SADError as error:
        refusal(error)
    reference = vg(*copy.deepcopy(point))
    same_structure(out, reference, "vjp(value_and_grad) value")
    close(out, reference, "vjp(value_and_grad) value")
    close(out[0], f(*copy.deepcopy(point)), "vjp(value_and_grad) primal")
    w = like_output(reference, np.random.default_rng(9))
    try:
        bars = vjp_fn(copy.deepcopy(w))
    except s2sad.S2SADError as error:
        refusal(error)
    adjoints_shaped(bars, point, "vjp(value_and_grad)")
    t = _over_all(point, 10)
    expected = reliable_differences(vg, point, t)
    if expected is None:
        return "n/a"
    lhs = dot(w, expected)
    rhs = sum(dot(bars[k], t[k]) for k in floats_of(point))
    if not np.isclose(lhs, rhs, rtol=RTOL, atol=ATOL * max(1.0, abs(lhs))):
        raise Wrong(f"vjp(value_and_grad): {lhs!r} vs {rhs!r}")
    return "correct"


def check_jvp_value_and_grad(f, point, out_dir):
    """jvp(value_and_grad(f)): value, gradient and their tangents."""
    wrt = floats_of(point)
    vg = s2sad.value_and_grad(f, wrt=wrt, output_dir=out_dir)
    u = _over_all(point, 11)
    try:
        value, tangent = called(
            lambda *p: s2sad.jvp(vg, tuple(p), u, output_dir=out_dir), point
        )
    except s2sad.S2SADError as error:
        refusal(error)
    reference = vg(*copy.deepcopy(point))
    same_structure(value, reference, "jvp(value_and_grad) value")
    same_structure(tangent, reference, "jvp(value_and_grad) tangent")
    close(value, reference, "jvp(value_and_grad) value")
    expected = reliable_differences(vg, point, u)
    if expected is None:
        return "n/a"
    close(tangent, expected, "jvp(value_and_grad) tangent")
    return "correct"


def _jvp_arguments(f, point, out_dir, seed):
    first = s2sad.api.jvp_function(f, output_dir=out_dir)
    rng = np.random.default_rng(seed)
    tangents = [like(p, rng) if is_float(p) else 0 for p in point]
    return first, list(copy.deepcopy(point)) + tangents


def check_jvp_jvp(f, point, out_dir):
    """jvp(jvp_function(f)) against differences of the jvp function."""
    first, args = _jvp_arguments(f, point, out_dir, 12)
    d = _over_all(args, 13)
    try:
        value, tangent = called(
            lambda *a: s2sad.jvp(first, tuple(a), d, output_dir=out_dir), args
        )
    except s2sad.S2SADError as error:
        refusal(error)
    reference = first(*copy.deepcopy(args))
    close(value, reference, "jvp(jvp) value")
    expected = reliable_differences(first, args, d)
    if expected is None:
        return "n/a"
    close(tangent, expected, "jvp(jvp) tangent")
    return "correct"


def check_vjp_jvp(f, point, out_dir):
    """vjp(jvp_function(f)) by the dot-product test."""
    first, args = _jvp_arguments(f, point, out_dir, 14)
    try:
        out, vjp_fn = called(lambda *a: s2sad.vjp(first, *a, output_dir=out_dir), args)
    except s2sad.S2SADError as error:
        refusal(error)
    reference = first(*copy.deepcopy(args))
    close(out, reference, "vjp(jvp) value")
    w = like_output(tuple(reference), np.random.default_rng(15))
    try:
        bars = vjp_fn(copy.deepcopy(w))
    except s2sad.S2SADError as error:
        refusal(error)
    adjoints_shaped(bars, args, "vjp(jvp)")
    t = _over_all(args, 16)
    expected = reliable_differences(first, args, t)
    if expected is None:
        return "n/a"
    lhs = dot(w, expected)
    rhs = sum(dot(bars[k], t[k]) for k in floats_of(args))
    if not np.isclose(lhs, rhs, rtol=RTOL, atol=ATOL * max(1.0, abs(lhs))):
        raise Wrong(f"vjp(jvp): {lhs!r} vs {rhs!r}")
    return "correct"


def _hvp_generated(f, point, out_dir, seed):
    wrt = floats_of(point)
    single = len(wrt) == 1
    h = s2sad.hvp(f, wrt=wrt[0] if single else wrt, output_dir=out_dir)
    v = _only(_over_all(point, seed), wrt)
    return h.generated, list(copy.deepcopy(point)) + [v[k] for k in wrt]


def check_jvp_hvp(f, point, out_dir):
    """Third order: jvp of the generated hvp against its differences."""
    gen, args = _hvp_generated(f, point, out_dir, 17)
    d = _over_all(args, 18)
    try:
        value, tangent = called(
            lambda *a: s2sad.jvp(gen, tuple(a), d, output_dir=out_dir), args
        )
    except s2sad.S2SADError as error:
        refusal(error)
    reference = gen(*copy.deepcopy(args))
    close(value, reference, "jvp(hvp) value")
    expected = reliable_differences(gen, args, d)
    if expected is None:
        return "n/a"
    close(tangent, expected, "jvp(hvp) tangent")
    return "correct"


def check_vjp_hvp(f, point, out_dir):
    """Third order: vjp of the generated hvp by the dot-product test."""
    gen, args = _hvp_generated(f, point, out_dir, 19)
    try:
        out, vjp_fn = called(lambda *a: s2sad.vjp(gen, *a, output_dir=out_dir), args)
    except s2sad.S2SADError as error:
        refusal(error)
    reference = gen(*copy.deepcopy(args))
    close(out, reference, "vjp(hvp) value")
    w = like_output(reference, np.random.default_rng(20))
    try:
        bars = vjp_fn(copy.deepcopy(w))
    except s2sad.S2SADError as error:
        refusal(error)
    adjoints_shaped(bars, args, "vjp(hvp)")
    t = _over_all(args, 21)
    expected = reliable_differences(gen, args, t)
    if expected is None:
        return "n/a"
    lhs = dot(w, expected)
    rhs = sum(dot(bars[k], t[k]) for k in floats_of(args))
    if not np.isclose(lhs, rhs, rtol=RTOL, atol=ATOL * max(1.0, abs(lhs))):
        raise Wrong(f"vjp(hvp): {lhs!r} vs {rhs!r}")
    return "correct"


def check_grad3(f, point, out_dir):
    """Third order: grad(grad(grad(f, wrt=k), wrt=k), wrt=k) for the first scalar k."""
    ks = scalars_of(point)
    if not ks:
        return "n/a"
    k = ks[0]
    try:
        second = s2sad.grad(
            s2sad.grad(f, wrt=k, output_dir=out_dir), wrt=k, output_dir=out_dir
        )
        third = s2sad.grad(second, wrt=k, output_dir=out_dir)
        got = called(third, point)
    except s2sad.S2SADError as error:
        refusal(error)
    step = [None] * len(point)
    step[k] = 1.0
    expected = reliable_differences(second, point, step)
    if expected is None:
        return "n/a"
    close(got, expected, "grad^3")
    return "correct"


def check_jvp_jvp_grad(f, point, out_dir):
    """Third order: jvp of jvp(grad(f)) as a generated jvp function."""
    wrt = floats_of(point)
    g = s2sad.grad(f, wrt=wrt, output_dir=out_dir)
    first = s2sad.api.jvp_function(g.generated, output_dir=out_dir)
    rng = np.random.default_rng(22)
    args = list(copy.deepcopy(point)) + [
        like(p, rng) if is_float(p) else 0 for p in point
    ]
    d = _over_all(args, 23)
    try:
        value, tangent = called(
            lambda *a: s2sad.jvp(first, tuple(a), d, output_dir=out_dir), args
        )
    except s2sad.S2SADError as error:
        refusal(error)
    reference = first(*copy.deepcopy(args))
    close(value, reference, "jvp(jvp(grad)) value")
    expected = reliable_differences(first, args, d)
    if expected is None:
        return "n/a"
    close(tangent, expected, "jvp(jvp(grad)) tangent")
    return "correct"


def check_hvp_of_grad(f, point, out_dir):
    """Third order: s2sad.hvp(grad(f, wrt=k)) for the first scalar k, against
    differences of grad(grad(f, wrt=k)) (itself checked by check_grad_grad)."""
    ks = scalars_of(point)
    if not ks:
        return "n/a"
    wrt = floats_of(point)
    single = len(wrt) == 1
    gk = s2sad.grad(f, wrt=ks[0], output_dir=out_dir)
    second = s2sad.grad(gk, wrt=wrt, output_dir=out_dir)
    h = s2sad.hvp(gk, wrt=wrt[0] if single else wrt, output_dir=out_dir)
    v = _only(_over_all(point, 24), wrt)
    given = v[wrt[0]] if single else tuple(v[k] for k in wrt)
    try:
        hv = called(lambda *p: h(*p, copy.deepcopy(given)), point)
    except s2sad.S2SADError as error:
        refusal(error)
    expected = reliable_differences(second, point, v)
    if expected is None:
        return "n/a"
    close(hv, expected, "hvp(grad)")
    return "correct"


def check_jvp_grad_first(f, point, out_dir):
    """jvp(grad(f, wrt=first float)) along every float argument (the gradient
    depends on the arguments it is not taken with respect to)."""
    g = s2sad.grad(f, wrt=floats_of(point)[0], output_dir=out_dir)
    u = _over_all(point, 25)
    try:
        value, tangent = called(
            lambda *p: s2sad.jvp(g, tuple(p), u, output_dir=out_dir), point
        )
    except s2sad.S2SADError as error:
        refusal(error)
    reference = g(*copy.deepcopy(point))
    same_structure(tangent, reference, "jvp(grad wrt first) tangent")
    close(value, reference, "jvp(grad wrt first) value")
    expected = reliable_differences(g, point, u)
    if expected is None:
        return "n/a"
    close(tangent, expected, "jvp(grad wrt first) tangent")
    return "correct"


def check_vjp_grad_first(f, point, out_dir):
    """vjp(grad(f, wrt=first float)): every argument's adjoint, dot-product test."""
    g = s2sad.grad(f, wrt=floats_of(point)[0], output_dir=out_dir)
    try:
        out, vjp_fn = called(lambda *p: s2sad.vjp(g, *p, output_dir=out_dir), point)
    except s2sad.S2SADError as error:
        refusal(error)
    reference = g(*copy.deepcopy(point))
    close(out, reference, "vjp(grad wrt first) value")
    w = like_output(reference, np.random.default_rng(26))
    try:
        bars = vjp_fn(copy.deepcopy(w))
    except s2sad.S2SADError as error:
        refusal(error)
    adjoints_shaped(bars, point, "vjp(grad wrt first)")
    t = _over_all(point, 27)
    expected = reliable_differences(g, point, t)
    if expected is None:
        return "n/a"
    lhs = dot(w, expected)
    rhs = sum(dot(bars[k], t[k]) for k in floats_of(point))
    if not np.isclose(lhs, rhs, rtol=RTOL, atol=ATOL * max(1.0, abs(lhs))):
        raise Wrong(f"vjp(grad wrt first): {lhs!r} vs {rhs!r}")
    return "correct"


COMPOSITIONS = {
    "jvp_grad": check_jvp_grad,
    "vjp_grad": check_vjp_grad,
    "hvp": check_hvp,
    "grad_grad": check_grad_grad,
    "vjp_value_and_grad": check_vjp_value_and_grad,
    "jvp_value_and_grad": check_jvp_value_and_grad,
    "jvp_jvp": check_jvp_jvp,
    "vjp_jvp": check_vjp_jvp,
    "jvp_hvp": check_jvp_hvp,
    "vjp_hvp": check_vjp_hvp,
    "grad3": check_grad3,
    "jvp_jvp_grad": check_jvp_jvp_grad,
    "hvp_of_grad": check_hvp_of_grad,
    "jvp_grad_first": check_jvp_grad_first,
    "vjp_grad_first": check_vjp_grad_first,
}


def classify(name, f, point, out_dir):
    """``(outcome, detail)``: correct, refused, n/a, wrong or crashed."""
    try:
        return COMPOSITIONS[name](f, point, out_dir), ""
    except s2sad.InternalError as error:
        return "crashed", f"InternalError: {error}"
    except s2sad.S2SADError as error:
        try:
            refusal(error)
        except Refused as refused:
            return "refused", str(refused)
        except Wrong as wrong:
            return "wrong", str(wrong)
    except Refused as error:
        return "refused", str(error)
    except Wrong as error:
        return "wrong", str(error)
    except Exception as error:  # noqa: BLE001 - a crash is what we look for
        import traceback

        frames = traceback.extract_tb(error.__traceback__)
        where = f"{frames[-1].filename.split('/')[-1]}:{frames[-1].lineno}"
        return "crashed", f"{type(error).__name__}: {error} (at {where})"
