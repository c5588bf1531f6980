"""A value overwritten in its variable before a derivative reads it (issue: trust, class 1).

The emitter lets a loop's carried value, its result and the value yielded into it
share one variable; these programs put statements before and after inner loops so
that sharing would make a read see the new value. Both modes are checked against
finite differences, and the naming check itself on a hand-made conflict.
"""

import pytest
from derivative_checks import check_all
from overwrite_functions import ARRAY_CASES, SCALAR_CASES

from s2sad.backend.bindings import first_conflict
from s2sad.frontend.program import lower

CASES = SCALAR_CASES + ARRAY_CASES


@pytest.mark.parametrize("f, point", CASES, ids=[f.__name__ for f, _ in CASES])
def test_every_transformation(f, point):
    """grad, value_and_grad, jvp and vjp against finite differences and each other."""
    check_all(f, point, wrt=tuple(range(len(point))))


def overwrite(x):
    v = x * 3.0
    w = v + x
    return w


def test_the_naming_check_finds_a_read_after_overwrite():
    """``v`` forced into ``x``'s variable: the check names the read of ``x`` that breaks."""
    function = lower(overwrite)
    x = function.params[0]
    v = function.body.ops[1].result
    assert v.hint == "v"

    def check(names):
        return first_conflict(
            function,
            lambda value: names.get(value, value.name),
            lambda block: set(),
            lambda op: False,
        )

    assert check({}) is None
    conflict = check({v: x.name})
    assert (conflict.value, conflict.variable, conflict.found) == (x, x.name, (v,))
    w = function.body.ops[2].result
    assert check({w: v.name}) is None
