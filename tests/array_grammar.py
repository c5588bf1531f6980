"""The array language of the random-program grammar (see program_grammar.py).

Programs ``f(x, y)`` take a float array ``x`` of shape ``(3,)`` and a float
``y``; the preamble sets array variables ``a0 = x * 1.0`` and ``a1 =
np.sin(x)`` (never ``x`` itself, so no write reaches the argument) and
scalars ``s0``, ``s1``.  Families of their own, on top of the control-flow
families:

- ``inplace``: ``a0[i] = e``, ``a0[1] += e``, ``a0 *= e``, ``a0 += A``,
  ``a0[1:] += A[:2]``, ``a0[:2] = e`` — later statements read the new value,
  earlier ones (and aliases) the old;
- ``alias``: ``a1 = a0`` (both names then share one array);
- ``tuple_of_arrays``: ``t0 = (a1, a0)`` in the preamble, ``t0 = (A, A)``,
  ``a0, a1 = t0`` and reads of ``t0[0]``;
- ``list_container``: ``l0 = [0.0, y]``, ``l0[1] = e``, ``l0[0] += e`` and
  reads of ``l0[k]``;
- ``element_loop``: ``e0 = np.zeros(3)`` and ``e1 = np.zeros(3)`` (equal until
  written) filled element by element, ``e0[i] = s * e0[i - 1] + x[i]``,
  ``e1[i - 1] += e``, with reads of ``e0[k]`` and ``e1[k]`` (``i - 1`` is ``-1``
  at ``i = 0``).
"""

from __future__ import annotations

from program_grammar import (
    MARKERS,
    MAX_EXPRESSION_DEPTH,
    Assign,
    Choices,
    Node,
    Scope,
    scalar_expression,
)

ARRAY_FAMILIES = (
    "inplace",
    "alias",
    "tuple_of_arrays",
    "list_container",
    "element_loop",
)
ARRAYS = ("a0", "a1")
ELEMENT_ARRAYS = ("e0", "e1")
SHAPE = (3,)
MARKERS.update(
    {
        "t0": "tuple_of_arrays",
        "l0": "list_container",
        "e0": "element_loop",
        "e1": "element_loop",
    }
)


class ArrayLanguage:
    """Expressions and assignments over a ``(3,)`` array and floats."""

    name = "array"
    imports = ("math", "numpy as np")
    params = ("x", "y")

    def preamble(self, scope: Scope) -> tuple:
        lines = [
            ("a0", "x * 1.0"),
            ("a1", "np.sin(x)"),
            ("s0", "y"),
            ("s1", "np.sum(x) * 0.5"),
        ]
        if "tuple_of_arrays" in scope.families:
            lines.append(("t0", "(a1, a0)"))
        if "list_container" in scope.families:
            lines.append(("l0", "[0.0, y]"))
        if "element_loop" in scope.families:
            lines += [(e, "np.zeros(3)") for e in ELEMENT_ARRAYS]
        return tuple(lines)

    def main_scope(self, families, max_nesting, helpers) -> Scope:
        return Scope(
            families=families,
            language=self,
            variables=("s0", "s1"),
            readable=("y", "s0", "s1"),
            max_nesting=max_nesting,
            helpers=helpers,
        )

    # ------------------------------------------------------------ scalars

    def scalar(self, ch: Choices, scope: Scope, depth: int = MAX_EXPRESSION_DEPTH):
        return scalar_expression(ch, scope, depth)

    def scalar_leaf(self, ch: Choices, scope: Scope):
        if "list_container" in scope.families and ch.chance(20):
            return f"l0[{ch.choice(('0', '1', '-1'))}]"
        if "element_loop" in scope.families and ch.chance(30):
            return f"{ch.choice(ELEMENT_ARRAYS)}[{element_index(ch, scope)}]"
        if ch.chance(30):
            return f"{ch.choice(self.array_leaves(scope))}[{index(ch, scope)}]"
        return None

    def scalar_kinds(self, scope: Scope) -> list:
        return ["sum", "dot", "index"]

    def scalar_node(self, ch: Choices, scope: Scope, kind: str, depth: int):
        if kind == "sum":
            return Node("np.sum({0})", (self.array(ch, scope, depth - 1),))
        if kind == "dot":
            return Node(
                "(np.dot({0}, {1}) * 0.1)",
                (self.array(ch, scope, depth - 1), self.array(ch, scope, depth - 1)),
            )
        return Node("{0}[%s]" % index(ch, scope), (self.array(ch, scope, depth - 1),))

    # ------------------------------------------------------------ arrays

    def array_leaves(self, scope: Scope) -> tuple:
        leaves = ARRAYS + ("x",)
        if "tuple_of_arrays" in scope.families:
            leaves += ("t0[0]", "t0[1]")
        return leaves

    def array(self, ch: Choices, scope: Scope, depth: int):
        """A ``(3,)`` float array expression."""
        if depth <= 0 or ch.integer(0, 2) == 0:
            return ch.choice(self.array_leaves(scope))
        kind = ch.choice(
            (
                "+",
                "-",
                "*",
                "scale",
                "/",
                "sin",
                "tanh",
                "exp",
                "flip",
                "cumsum",
                "roll",
            )
        )

        def sub():
            return self.array(ch, scope, depth - 1)

        if kind in ("+", "-", "*"):
            return Node("({0} %s {1})" % kind, (sub(), sub()))
        if kind == "scale":
            return Node("({0} * {1})", (sub(), self.scalar(ch, scope, depth - 1)))
        if kind == "/":
            return Node("({0} / (1.5 + {1} * {1}))", (sub(), sub()))
        if kind in ("sin", "tanh"):
            return Node("np.%s({0})" % kind, (sub(),))
        if kind == "exp":
            return Node("np.exp(np.tanh({0}))", (sub(),))
        if kind == "flip":
            return Node("{0}[::-1]", (sub(),))
        if kind == "cumsum":
            return Node("(np.cumsum({0}) * 0.3)", (sub(),))
        return Node("np.roll({0}, 1)", (sub(),))

    def fresh_array(self, ch: Choices, scope: Scope, depth: int = 2):
        """An array expression that is never a bare name (so never an alias)."""
        value = self.array(ch, scope, depth)
        if isinstance(value, str):
            return Node("({0} * 1.0)", (value,))
        return value

    def tuple_item(self, ch: Choices, scope: Scope):
        """An array for a tuple: a shared variable only with ``alias``; never ``x``."""
        value = self.array(ch, scope, 1)
        if value == "x" or (isinstance(value, str) and "alias" not in scope.families):
            return Node("({0} * 1.0)", (value,))
        return value

    # ------------------------------------------------------------ statements

    def assignment(self, ch: Choices, scope: Scope) -> Assign:
        families = scope.families
        kinds = ["scalar", "scalar", "array", "array"]
        for family in ARRAY_FAMILIES:
            if family in families:
                kinds += [family, family]
        kind = ch.choice(tuple(kinds))
        a = ch.choice(ARRAYS)
        if kind == "scalar":
            target = ch.choice(scope.variables)
            op = ch.choice(("=", "=", "+=", "-="))
            return Assign(target, op, self.scalar(ch, scope), (target,))
        if kind == "array":
            return Assign(a, "=", self.fresh_array(ch, scope), (a,))
        if kind == "inplace":
            return self.inplace(ch, scope, a)
        if kind == "element_loop":
            return self.element(ch, scope)
        if kind == "alias":
            other = ARRAYS[1 - ARRAYS.index(a)]
            return Assign(a, "=", other, (a,), "alias")
        if kind == "tuple_of_arrays":
            if ch.chance(50):
                value = Node(
                    "({0}, {1})",
                    tuple(self.tuple_item(ch, scope) for _ in range(2)),
                )
                return Assign("t0", "=", value, ("t0",), "tuple_of_arrays")
            first, second = ch.choice((ARRAYS, ARRAYS[::-1]))
            return Assign(
                f"{first}, {second}", "=", "t0", (first, second), "tuple_of_arrays"
            )
        slot = ch.choice(("0", "1", "-1"))
        shape = ch.integer(0, 3)
        if shape == 0:
            value = Node(
                "[{0}, {1}]", (self.scalar(ch, scope, 1), self.scalar(ch, scope, 1))
            )
            return Assign("l0", "=", value, ("l0",), "list_container")
        op = "=" if shape == 1 else ch.choice(("+=", "-=", "*="))
        return Assign(
            f"l0[{slot}]", op, self.scalar(ch, scope, 2), ("l0",), "list_container"
        )

    def inplace(self, ch: Choices, scope: Scope, a: str) -> Assign:
        kind = ch.integer(0, 5)
        if kind == 0:
            target, op, value = (
                f"{a}[{index(ch, scope)}]",
                "=",
                self.scalar(ch, scope, 2),
            )
        elif kind == 1:
            target, op = f"{a}[{index(ch, scope)}]", ch.choice(("+=", "-=", "*="))
            value = self.scalar(ch, scope, 2)
        elif kind == 2:
            target, op, value = a, "*=", self.scalar(ch, scope, 2)
        elif kind == 3:
            target, op, value = a, ch.choice(("+=", "-=")), self.array(ch, scope, 2)
        elif kind == 4:
            target, op = f"{a}[1:]", ch.choice(("+=", "-="))
            value = Node("{0}[:2]", (self.array(ch, scope, 1),))
        else:
            target, op, value = f"{a}[:2]", "=", self.scalar(ch, scope, 2)
        return Assign(target, op, value, (a,), "inplace")

    def element(self, ch: Choices, scope: Scope) -> Assign:
        """A write of one element of ``e0`` or ``e1``: a recurrence on the previous
        element, or an augmented write of any element."""
        e = ch.choice(ELEMENT_ARRAYS)
        target = f"{e}[{element_index(ch, scope)}]"
        if ch.chance(50):
            return Assign(
                target,
                ch.choice(("+=", "-=", "*=")),
                self.scalar(ch, scope, 2),
                (e,),
                "element_loop",
            )
        previous = f"{e}[{element_index(ch, scope, previous=True)}]"
        value = Node(
            "({0} * %s + {1})" % previous,
            (self.scalar(ch, scope, 1), self.scalar(ch, scope, 2)),
        )
        return Assign(target, "=", value, (e,), "element_loop")

    def result(self, ch: Choices, scope: Scope):
        if "element_loop" in scope.families:
            return Node(
                "({0} + np.sum({1}) + np.sum(e0 * e1) + np.sum(e0 * e0))",
                (self.scalar(ch, scope, 2), self.array(ch, scope, 2)),
            )
        return Node(
            "({0} + np.sum({1}))", (self.scalar(ch, scope, 2), self.array(ch, scope, 2))
        )


def index(ch: Choices, scope: Scope) -> str:
    """An index valid for a ``(3,)`` array: a literal or an enclosing loop index."""
    return ch.choice(("0", "1", "2", "-1") + scope.indices)


def element_index(ch: Choices, scope: Scope, previous: bool = False) -> str:
    """An index of an ``e`` array: a literal or a loop index, or ``i - 1`` (the
    element before, ``-1`` at ``i = 0``); ``previous`` prefers the latter."""
    before = tuple(f"{i} - 1" for i in scope.indices)
    if previous and before:
        return ch.choice(before)
    return ch.choice(("0", "1", "-1") + scope.indices + before)


ARRAY = ArrayLanguage()
