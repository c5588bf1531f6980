"""Derivative rules of NumPy's products and linear algebra: ``@``, ``dot``, ``einsum``, ``inv``, ``solve``, ``det``."""

from __future__ import annotations

import numpy as np

from .. import runtime
from .helpers import runtime_helper
from ..primitives import ARRAY_RESULT, SEQ_RESULT, Syntax, primitive


def product(name: str, args: str, fn, **options):
    """Declare the product ``np.<name>``: zero when either factor is zero."""
    options.setdefault("result_type", ARRAY_RESULT)
    spelled = options.pop("syntax", Syntax("call", f"np.{name}"))
    return primitive(f"np.{name}", args, fn, spelled, linear=True, **options)


for _name, _args in (
    ("matmul_adjoint_x", "g x y"),
    ("matmul_adjoint_y", "g x y"),
    ("dot_adjoint_x", "g x y"),
    ("dot_adjoint_y", "g x y"),
    ("inner_adjoint_x", "g x y"),
    ("inner_adjoint_y", "g x y"),
    ("tensordot_adjoint_x", "g x y axes"),
    ("tensordot_adjoint_y", "g x y axes"),
    ("solve_adjoint_a", "b_bar out a b"),
    ("solve_adjoint_b", "g a b"),
):
    runtime_helper(_name, _args, nondiff=_args.replace("g ", "").replace("b_bar ", ""))(
        None
    )

runtime_helper("cofactor", "x", nondiff="x")(None)
runtime_helper("inverse_transposed", "x", nondiff="x")(None)
runtime_helper("solve_tangent", "a b out a_dot b_dot", nondiff="a b out")(None)
runtime_helper(
    "einsum_adjoint",
    "subscripts, g, k, x, y=None, z=None",
    nondiff="subscripts k x y z",
)(None)


@product("matmul", "x y", np.matmul, syntax=Syntax("binop", "@"), also=(np.matmul,))
class matmul:
    def tangent(x, y, x_dot, y_dot):
        return x_dot @ y + x @ y_dot

    def adjoint(x, y, out_bar):
        return runtime.matmul_adjoint_x(out_bar, x, y), runtime.matmul_adjoint_y(
            out_bar, x, y
        )


@product("dot", "x y", np.dot)
class dot:
    def tangent(x, y, x_dot, y_dot):
        return np.dot(x_dot, y) + np.dot(x, y_dot)

    def adjoint(x, y, out_bar):
        return runtime.dot_adjoint_x(out_bar, x, y), runtime.dot_adjoint_y(
            out_bar, x, y
        )


@product("vdot", "x y", np.vdot)
class vdot:
    def tangent(x, y, x_dot, y_dot):
        return np.vdot(x_dot, y) + np.vdot(x, y_dot)

    def adjoint(x, y, out_bar):
        return np.reshape(out_bar * y, np.shape(x)), np.reshape(
            out_bar * x, np.shape(y)
        )


@product("inner", "x y", np.inner)
class inner:
    def tangent(x, y, x_dot, y_dot):
        return np.inner(x_dot, y) + np.inner(x, y_dot)

    def adjoint(x, y, out_bar):
        return runtime.inner_adjoint_x(out_bar, x, y), runtime.inner_adjoint_y(
            out_bar, x, y
        )


@product("outer", "x y", np.outer)
class outer:
    def tangent(x, y, x_dot, y_dot):
        return np.outer(x_dot, y) + np.outer(x, y_dot)

    def adjoint(x, y, out_bar):
        return (
            np.reshape(out_bar @ np.ravel(y), np.shape(x)),
            np.reshape(np.ravel(x) @ out_bar, np.shape(y)),
        )


@product("tensordot", "x, y, axes=2", np.tensordot, nondiff="axes")
class tensordot:
    def tangent(x, y, axes, x_dot, y_dot):
        return np.tensordot(x_dot, y, axes) + np.tensordot(x, y_dot, axes)

    def adjoint(x, y, axes, out_bar):
        return runtime.tensordot_adjoint_x(
            out_bar, x, y, axes
        ), runtime.tensordot_adjoint_y(out_bar, x, y, axes)


@product("einsum", "subscripts, x", np.einsum, nondiff="subscripts", view=True)
class einsum:
    def tangent(subscripts, x_dot):
        return np.einsum(subscripts, x_dot)

    def adjoint(subscripts, x, out_bar):
        return runtime.einsum_adjoint(subscripts, out_bar, 0, x)


@product(
    "einsum_2",
    "subscripts, x, y",
    np.einsum,
    nondiff="subscripts",
    syntax=Syntax("call", "np.einsum"),
)
class einsum_2:
    def tangent(subscripts, x, y, x_dot, y_dot):
        return np.einsum(subscripts, x_dot, y) + np.einsum(subscripts, x, y_dot)

    def adjoint(subscripts, x, y, out_bar):
        return runtime.einsum_adjoint(
            subscripts, out_bar, 0, x, y
        ), runtime.einsum_adjoint(subscripts, out_bar, 1, x, y)


@product(
    "einsum_3",
    "subscripts, x, y, z",
    np.einsum,
    nondiff="subscripts",
    syntax=Syntax("call", "np.einsum"),
)
class einsum_3:
    def tangent(subscripts, x, y, z, x_dot, y_dot, z_dot):
        return (
            np.einsum(subscripts, x_dot, y, z)
            + np.einsum(subscripts, x, y_dot, z)
            + np.einsum(subscripts, x, y, z_dot)
        )

    def adjoint(subscripts, x, y, z, out_bar):
        return (
            runtime.einsum_adjoint(subscripts, out_bar, 0, x, y, z),
            runtime.einsum_adjoint(subscripts, out_bar, 1, x, y, z),
            runtime.einsum_adjoint(subscripts, out_bar, 2, x, y, z),
        )


# ---------------------------------------------------------------- linalg


def linalg(name: str, args: str, **options):
    """Declare ``np.linalg.<name>``."""
    options.setdefault("result_type", ARRAY_RESULT)
    fn = getattr(np.linalg, name)
    return primitive(
        f"np.linalg.{name}", args, fn, Syntax("call", f"np.linalg.{name}"), **options
    )


@linalg("inv", "x")
class inv:
    def tangent(out, x_dot):
        return -(out @ x_dot @ out)

    def adjoint(out, out_bar):
        transposed = np.swapaxes(out, -1, -2)
        return -(transposed @ out_bar @ transposed)


@linalg("solve", "a b")
class solve:
    def tangent(a, b, out, a_dot, b_dot):
        return runtime.solve_tangent(a, b, out, a_dot, b_dot)

    def adjoint(a, b, out, out_bar):
        b_bar = runtime.solve_adjoint_b(out_bar, a, b)
        return runtime.solve_adjoint_a(b_bar, out, a, b), runtime.unbroadcast(b_bar, b)


@linalg("det", "x")
class det:
    def tangent(x, x_dot):
        return np.sum(runtime.cofactor(x) * x_dot, axis=(-2, -1))

    def adjoint(x, out_bar):
        return np.expand_dims(out_bar, (-2, -1)) * runtime.cofactor(x)


@linalg("slogdet", "x", result_type=SEQ_RESULT)
class slogdet:
    def tangent(x, x_dot):
        logdet_dot = np.sum(runtime.inverse_transposed(x) * x_dot, axis=(-2, -1))
        return [0.0 * logdet_dot, logdet_dot]

    def adjoint(x, out_bar):
        return np.expand_dims(out_bar[1], (-2, -1)) * runtime.inverse_transposed(x)
