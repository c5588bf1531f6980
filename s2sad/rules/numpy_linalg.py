"""Derivative rules of NumPy's products and linear algebra: ``@``, ``dot``, ``einsum``, ``inv``, ``solve``, ``det``."""

from __future__ import annotations

import numpy as np

from .. import runtime
from .batch_rules import DOT, LOOP, NATURAL, PRODUCT, HelperOrLoop
from .helpers import runtime_helper
from .registry import ARRAY_RESULT, SEQ_RESULT, Syntax, primitive


def product(name: str, args: str, fn, **options):
    """Declare the product ``np.<name>``: zero when either factor is zero."""
    options.setdefault("result_type", ARRAY_RESULT)
    spelled = options.pop("syntax", Syntax("call", f"np.{name}"))
    return primitive(f"np.{name}", args, fn, spelled, linear=True, **options)


# ---------------------------------------------------------------- adjoint helpers
#
# ``runtime.<f>_adjoint_x(g, x, y)`` is the partial derivative in ``x`` of the
# trilinear form ``<g, f(x, y)>`` (``x`` read only for its shape), so it is
# bilinear in ``g`` and ``y``; its adjoint in ``g`` is ``f`` itself and its
# adjoint in ``y`` is the other partial derivative, ``<f>_adjoint_y``.


@runtime_helper(
    "matmul_adjoint_x",
    "g x y",
    nondiff="x",
    shape_only="x",
    linear=True,
    batch=HelperOrLoop("matmul_adjoint_x_batched", "g"),
)
class matmul_adjoint_x:
    def tangent(g, x, y, g_dot, y_dot):
        return runtime.matmul_adjoint_x(g_dot, x, y) + runtime.matmul_adjoint_x(
            g, x, y_dot
        )

    def adjoint(g, y, out_bar):
        return runtime.unbroadcast(out_bar @ y, g), runtime.matmul_adjoint_y(
            g, out_bar, y
        )


@runtime_helper(
    "matmul_adjoint_y",
    "g x y",
    nondiff="y",
    shape_only="y",
    linear=True,
    batch=HelperOrLoop("matmul_adjoint_y_batched", "g"),
)
class matmul_adjoint_y:
    def tangent(g, x, y, g_dot, x_dot):
        return runtime.matmul_adjoint_y(g_dot, x, y) + runtime.matmul_adjoint_y(
            g, x_dot, y
        )

    def adjoint(g, x, out_bar):
        return runtime.unbroadcast(x @ out_bar, g), runtime.matmul_adjoint_x(
            g, x, out_bar
        )


@runtime_helper(
    "dot_adjoint_x",
    "g x y",
    nondiff="x",
    shape_only="x",
    linear=True,
    batch=HelperOrLoop("dot_adjoint_x_batched", "g"),
)
class dot_adjoint_x:
    def tangent(g, x, y, g_dot, y_dot):
        return runtime.dot_adjoint_x(g_dot, x, y) + runtime.dot_adjoint_x(g, x, y_dot)

    def adjoint(g, y, out_bar):
        return runtime.unbroadcast(np.dot(out_bar, y), g), runtime.dot_adjoint_y(
            g, out_bar, y
        )


@runtime_helper(
    "dot_adjoint_y",
    "g x y",
    nondiff="y",
    shape_only="y",
    linear=True,
    batch=HelperOrLoop("dot_adjoint_y_batched", "g"),
)
class dot_adjoint_y:
    def tangent(g, x, y, g_dot, x_dot):
        return runtime.dot_adjoint_y(g_dot, x, y) + runtime.dot_adjoint_y(g, x_dot, y)

    def adjoint(g, x, out_bar):
        return runtime.unbroadcast(np.dot(x, out_bar), g), runtime.dot_adjoint_x(
            g, x, out_bar
        )


@runtime_helper(
    "inner_adjoint_x", "g x y", nondiff="x", shape_only="x", linear=True, batch=LOOP
)
class inner_adjoint_x:
    def tangent(g, x, y, g_dot, y_dot):
        return runtime.inner_adjoint_x(g_dot, x, y) + runtime.inner_adjoint_x(
            g, x, y_dot
        )

    def adjoint(g, y, out_bar):
        return runtime.unbroadcast(np.inner(out_bar, y), g), runtime.inner_adjoint_y(
            g, out_bar, y
        )


@runtime_helper(
    "inner_adjoint_y", "g x y", nondiff="y", shape_only="y", linear=True, batch=LOOP
)
class inner_adjoint_y:
    def tangent(g, x, y, g_dot, x_dot):
        return runtime.inner_adjoint_y(g_dot, x, y) + runtime.inner_adjoint_y(
            g, x_dot, y
        )

    def adjoint(g, x, out_bar):
        return runtime.unbroadcast(np.inner(x, out_bar), g), runtime.inner_adjoint_x(
            g, x, out_bar
        )


@runtime_helper(
    "tensordot_adjoint_x",
    "g x y axes",
    nondiff="x axes",
    shape_only="x",
    linear=True,
    batch=LOOP,
)
class tensordot_adjoint_x:
    def tangent(g, x, y, axes, g_dot, y_dot):
        return runtime.tensordot_adjoint_x(
            g_dot, x, y, axes
        ) + runtime.tensordot_adjoint_x(g, x, y_dot, axes)

    def adjoint(g, y, axes, out_bar):
        return runtime.unbroadcast(
            np.tensordot(out_bar, y, axes), g
        ), runtime.tensordot_adjoint_y(g, out_bar, y, axes)


@runtime_helper(
    "tensordot_adjoint_y",
    "g x y axes",
    nondiff="y axes",
    shape_only="y",
    linear=True,
    batch=LOOP,
)
class tensordot_adjoint_y:
    def tangent(g, x, y, axes, g_dot, x_dot):
        return runtime.tensordot_adjoint_y(
            g_dot, x, y, axes
        ) + runtime.tensordot_adjoint_y(g, x_dot, y, axes)

    def adjoint(g, x, axes, out_bar):
        return runtime.unbroadcast(
            np.tensordot(x, out_bar, axes), g
        ), runtime.tensordot_adjoint_x(g, x, out_bar, axes)


# ``b`` is read only for ``np.ndim(b) == 1`` (a vector right-hand side) below.


@runtime_helper(
    "solve_product", "m v b", nondiff="b", shape_only="b", linear=True, batch=LOOP
)
class solve_product:
    def tangent(m, v, b, m_dot, v_dot):
        return runtime.solve_product(m_dot, v, b) + runtime.solve_product(m, v_dot, b)

    def adjoint(m, v, b, out_bar):
        return runtime.solve_adjoint_a(-out_bar, v, m, b), runtime.unbroadcast(
            runtime.solve_product(np.swapaxes(m, -1, -2), out_bar, b), v
        )


@runtime_helper(
    "solve_adjoint_a",
    "g x a b",
    nondiff="a b",
    shape_only="a b",
    linear=True,
    batch=LOOP,
)
class solve_adjoint_a:
    def tangent(g, x, a, b, g_dot, x_dot):
        return runtime.solve_adjoint_a(g_dot, x, a, b) + runtime.solve_adjoint_a(
            g, x_dot, a, b
        )

    def adjoint(g, x, b, out_bar):
        return runtime.unbroadcast(
            -runtime.solve_product(out_bar, x, b), g
        ), runtime.unbroadcast(
            -runtime.solve_product(np.swapaxes(out_bar, -1, -2), g, b), x
        )


@runtime_helper("solve_adjoint_b", "g a b", nondiff="b", shape_only="b", batch=LOOP)
class solve_adjoint_b:
    def tangent(a, b, out, g_dot, a_dot):
        return runtime.solve_tangent(
            np.swapaxes(a, -1, -2), b, out, np.swapaxes(a_dot, -1, -2), g_dot
        )

    def adjoint(g, a, b, out, out_bar):
        u = runtime.solve_adjoint_b(out_bar, np.swapaxes(a, -1, -2), b)
        return runtime.unbroadcast(u, g), runtime.solve_adjoint_a(out, u, a, b)


@runtime_helper("solve_tangent", "a b x p q", nondiff="b", shape_only="b", batch=LOOP)
class solve_tangent:
    def tangent(a, b, x, p, out, a_dot, x_dot, p_dot, q_dot):
        return (
            runtime.solve_tangent(a, b, x, p_dot, q_dot)
            + runtime.solve_tangent(a, b, x_dot, p, 0.0)
            + runtime.solve_tangent(a, b, out, a_dot, 0.0)
        )

    def adjoint(a, b, x, p, q, out, out_bar):
        u = runtime.solve_adjoint_b(out_bar, a, b)
        return (
            runtime.solve_adjoint_a(u, out, a, b),
            runtime.unbroadcast(
                -runtime.solve_product(np.swapaxes(p, -1, -2), u, b), x
            ),
            runtime.solve_adjoint_a(u, x, p, b),
            runtime.unbroadcast(u, q),
        )


@runtime_helper("inverse_transposed", "x", batch=NATURAL)
class inverse_transposed:
    def tangent(out, x_dot):
        return -(out @ np.swapaxes(x_dot, -1, -2) @ out)

    def adjoint(out, out_bar):
        return -(out @ np.swapaxes(out_bar, -1, -2) @ out)


@runtime_helper("cofactor", "x", batch=NATURAL)
class cofactor:
    def tangent(x, out, x_dot):
        inverse = runtime.inverse_transposed(x)
        scale = np.expand_dims(np.sum(inverse * x_dot, axis=(-2, -1)), (-2, -1))
        return out * scale - out @ np.swapaxes(x_dot, -1, -2) @ inverse

    def adjoint(x, out, out_bar):
        inverse = runtime.inverse_transposed(x)
        scale = np.expand_dims(np.sum(out * out_bar, axis=(-2, -1)), (-2, -1))
        return inverse * scale - inverse @ np.swapaxes(out_bar, -1, -2) @ out


# ``runtime.einsum_adjoint(subscripts, g, k, *operands)`` is the partial derivative
# in operand ``k`` of ``<g, np.einsum(subscripts, *operands)>`` (operand ``k`` read
# only for its shape): multilinear in ``g`` and the other operands.  Its adjoint
# puts ``out_bar`` in operand ``k``'s place: ``np.einsum`` itself for ``g``, and
# ``einsum_adjoint`` of each other operand.  ``k`` is a constant in derivative
# code, so the choices on it below fold away.  One entry per operand count.
# Linear: a zero ``g`` or zero operand other than ``k`` gives zero (operand ``k``,
# the value differentiated, is never a constant).


def einsum_adjoint(count: int):
    """Declare ``runtime.einsum_adjoint`` with ``count`` operands."""
    operands = " x y z"[: 2 * count]
    name = "einsum_adjoint" + ("" if count == 1 else f"_{count}")
    return primitive(
        name,
        f"subscripts g k{operands}",
        runtime.einsum_adjoint,
        Syntax("call", "runtime.einsum_adjoint"),
        result_type=ARRAY_RESULT,
        nondiff="subscripts k" + ("" if count > 1 else " x"),
        shape_only="" if count > 1 else "x",
        linear=True,
        batch=LOOP,
    )


@einsum_adjoint(1)
class einsum_adjoint_1:
    def tangent(subscripts, k, x, g_dot):
        return runtime.einsum_adjoint(subscripts, g_dot, k, x)

    def adjoint(subscripts, g, out_bar):
        return runtime.unbroadcast(np.einsum(subscripts, out_bar), g)


@einsum_adjoint(2)
class einsum_adjoint_2:
    def tangent(subscripts, g, k, x, y, g_dot, x_dot, y_dot):
        other = (
            runtime.einsum_adjoint(subscripts, g, k, x, y_dot)
            if k == 0
            else runtime.einsum_adjoint(subscripts, g, k, x_dot, y)
        )
        return runtime.einsum_adjoint(subscripts, g_dot, k, x, y) + other

    def adjoint(subscripts, g, k, x, y, out_bar):
        xk = out_bar if k == 0 else x
        yk = out_bar if k == 1 else y
        return (
            runtime.unbroadcast(np.einsum(subscripts, xk, yk), g),
            (
                runtime.zeros_like(x)
                if k == 0
                else runtime.einsum_adjoint(subscripts, g, 0, xk, yk)
            ),
            (
                runtime.zeros_like(y)
                if k == 1
                else runtime.einsum_adjoint(subscripts, g, 1, xk, yk)
            ),
        )


@einsum_adjoint(3)
class einsum_adjoint_3:
    def tangent(subscripts, g, k, x, y, z, g_dot, x_dot, y_dot, z_dot):
        return (
            runtime.einsum_adjoint(subscripts, g_dot, k, x, y, z)
            + (0.0 if k == 0 else runtime.einsum_adjoint(subscripts, g, k, x_dot, y, z))
            + (0.0 if k == 1 else runtime.einsum_adjoint(subscripts, g, k, x, y_dot, z))
            + (0.0 if k == 2 else runtime.einsum_adjoint(subscripts, g, k, x, y, z_dot))
        )

    def adjoint(subscripts, g, k, x, y, z, out_bar):
        xk = out_bar if k == 0 else x
        yk = out_bar if k == 1 else y
        zk = out_bar if k == 2 else z
        return (
            runtime.unbroadcast(np.einsum(subscripts, xk, yk, zk), g),
            (
                runtime.zeros_like(x)
                if k == 0
                else runtime.einsum_adjoint(subscripts, g, 0, xk, yk, zk)
            ),
            (
                runtime.zeros_like(y)
                if k == 1
                else runtime.einsum_adjoint(subscripts, g, 1, xk, yk, zk)
            ),
            (
                runtime.zeros_like(z)
                if k == 2
                else runtime.einsum_adjoint(subscripts, g, 2, xk, yk, zk)
            ),
        )


@product(
    "matmul",
    "x y",
    np.matmul,
    syntax=Syntax("binop", "@"),
    also=(np.matmul,),
    batch=PRODUCT,
)
class matmul:
    def tangent(x, y, x_dot, y_dot):
        return x_dot @ y + x @ y_dot

    def adjoint(x, y, out_bar):
        return runtime.matmul_adjoint_x(out_bar, x, y), runtime.matmul_adjoint_y(
            out_bar, x, y
        )


@product("dot", "x y", np.dot, batch=DOT)
class dot:
    def tangent(x, y, x_dot, y_dot):
        return np.dot(x_dot, y) + np.dot(x, y_dot)

    def adjoint(x, y, out_bar):
        return runtime.dot_adjoint_x(out_bar, x, y), runtime.dot_adjoint_y(
            out_bar, x, y
        )


@product("vdot", "x y", np.vdot, batch=LOOP)
class vdot:
    def tangent(x, y, x_dot, y_dot):
        return np.vdot(x_dot, y) + np.vdot(x, y_dot)

    def adjoint(x, y, out_bar):
        return np.reshape(out_bar * y, np.shape(x)), np.reshape(
            out_bar * x, np.shape(y)
        )


@product("inner", "x y", np.inner, batch=LOOP)
class inner:
    def tangent(x, y, x_dot, y_dot):
        return np.inner(x_dot, y) + np.inner(x, y_dot)

    def adjoint(x, y, out_bar):
        return runtime.inner_adjoint_x(out_bar, x, y), runtime.inner_adjoint_y(
            out_bar, x, y
        )


@product("outer", "x y", np.outer, batch=LOOP)
class outer:
    def tangent(x, y, x_dot, y_dot):
        return np.outer(x_dot, y) + np.outer(x, y_dot)

    def adjoint(x, y, out_bar):
        return (
            np.reshape(out_bar @ np.ravel(y), np.shape(x)),
            np.reshape(np.ravel(x) @ out_bar, np.shape(y)),
        )


@product("tensordot", "x, y, axes=2", np.tensordot, nondiff="axes", batch=LOOP)
class tensordot:
    def tangent(x, y, axes, x_dot, y_dot):
        return np.tensordot(x_dot, y, axes) + np.tensordot(x, y_dot, axes)

    def adjoint(x, y, axes, out_bar):
        return runtime.tensordot_adjoint_x(
            out_bar, x, y, axes
        ), runtime.tensordot_adjoint_y(out_bar, x, y, axes)


@product(
    "einsum", "subscripts, x", np.einsum, nondiff="subscripts", view=True, batch=LOOP
)
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
    batch=LOOP,
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
    batch=LOOP,
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


@linalg("inv", "x", batch=NATURAL)
class inv:
    def tangent(out, x_dot):
        return -(out @ x_dot @ out)

    def adjoint(out, out_bar):
        transposed = np.swapaxes(out, -1, -2)
        return -(transposed @ out_bar @ transposed)


@linalg("solve", "a b", batch=LOOP)
class solve:
    def tangent(a, b, out, a_dot, b_dot):
        return runtime.solve_tangent(a, b, out, a_dot, b_dot)

    def adjoint(a, b, out, out_bar):
        b_bar = runtime.solve_adjoint_b(out_bar, a, b)
        return runtime.solve_adjoint_a(b_bar, out, a, b), runtime.unbroadcast(b_bar, b)


@linalg("det", "x", batch=NATURAL)
class det:
    def tangent(x, x_dot):
        return np.sum(runtime.cofactor(x) * x_dot, axis=(-2, -1))

    def adjoint(x, out_bar):
        return np.expand_dims(out_bar, (-2, -1)) * runtime.cofactor(x)


@linalg("slogdet", "x", result_type=SEQ_RESULT, batch=NATURAL)
class slogdet:
    def tangent(x, x_dot):
        logdet_dot = np.sum(runtime.inverse_transposed(x) * x_dot, axis=(-2, -1))
        return [0.0 * logdet_dot, logdet_dot]

    def adjoint(x, out_bar):
        return np.expand_dims(out_bar[1], (-2, -1)) * runtime.inverse_transposed(x)
