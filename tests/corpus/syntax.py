"""Python syntax s2sad does not differentiate: each must be refused at its line
(the one ending in ``# <-``) in every mode; and syntax that must work."""

import math

import numpy as np

from corpus.entry import derivative, each_call, error

COUNTER = 0.0


def uses_try(x):
    try:  # <-
        y = x * x
    except ValueError:
        y = 0.0
    return y


def uses_try_finally(x):
    y = x
    try:  # <-
        y = y * 2.0
    finally:
        y = y + 1.0
    return y


def uses_with(x):
    with np.errstate(all="ignore"):  # <-
        y = x * x
    return y


def uses_lambda(x):
    g = lambda t: t * t  # noqa: E731  # <-
    return g(x)


def uses_global(x):
    global COUNTER  # <-
    COUNTER = x
    return x * x


def uses_nonlocal(x):
    y = x

    def inner():  # <-
        nonlocal y
        y = y * 2.0

    inner()
    return y


def uses_closure(x):
    scale = 2.0

    def times(t):  # <-
        return scale * t

    return times(x)


def uses_list_comprehension(x):
    ys = [x * k for k in (1.0, 2.0)]  # <-
    return ys[0] + ys[1]


def uses_set_comprehension(x):
    ys = {x * k for k in (1.0, 2.0)}  # <-
    return x


def uses_dict_comprehension(x):
    ys = {k: x * k for k in (1, 2)}  # <-
    return ys[1]


def uses_generator_expression(x):
    return sum(x * k for k in (1.0, 2.0))  # <-


def uses_yield(x):
    yield x * 2.0  # <-


def uses_yield_from(x):
    yield from (x, x)  # <-


async def uses_async(x):  # <-
    return x * x


def uses_await(x):
    async def inner():  # <-
        return x

    return x


def uses_match(x):
    match x:  # <-
        case 1.0:
            return x
    return x * x


def uses_class_body(x):
    class Box:  # <-
        value = 1.0

    return x * Box.value


def uses_walrus(x):
    if (y := x * x) > 0.0:  # <-
        return y
    return x


def uses_star_args(x, *rest):  # <-
    return x * x


def uses_kwargs(x, **options):  # <-
    return x * x


def uses_star_call(x):
    args = (x, 2.0)
    return math.pow(*args)  # <-


def uses_fstring(x):
    label = f"{x}"  # <-
    return x * x


def uses_string(x):
    label = "x"  # <-
    return x * x


def uses_bytes(x):
    label = b"x"  # <-
    return x * x


def uses_raise(x):
    if x > 100.0:
        raise ValueError("too large")  # <-
    return x * x


def uses_import(x):
    import cmath  # <-

    return x * x


def uses_del(x):
    y = x * x
    z = y
    del y  # <-
    return z


def uses_bare_ellipsis(x):
    ...  # <-
    return x


def uses_for_else(x):
    for _ in range(3):
        x = x * 2.0
    else:
        x = x + 1.0  # <-
    return x


def uses_while_else(x):
    while x < 10.0:
        x = x * 2.0
    else:
        x = x + 1.0  # <-
    return x


def uses_starred_target(x):
    a, *rest = (x, x, x)  # <-
    return a


def uses_attribute_target(x):
    box = np.zeros(2)
    box.flags.writeable = False  # <-
    return x


def uses_dict_literal(x):
    table = {"a": x}  # <-
    return table["a"]


def uses_set_literal(x):
    items = {x, 2.0}  # <-
    return x


def uses_is(x):
    if x is None:  # <-
        return 0.0
    return x * x


def uses_in(x):
    if x in (1.0, 2.0):  # <-
        return x
    return x * x


def uses_eval(x):
    return eval("x * x")  # <-


def uses_getattr(x):
    return getattr(math, "sin")(x)  # <-


def uses_loop_over_argument(x, items: float):
    for item in items:  # <-
        x = x * item
    return x


def uses_one_branch(x):
    if x > 0.0:
        y = x
    return y  # <-


def uses_loop_local(x):
    for k in range(3):
        y = x * k
    return y  # <-


def uses_undefined(x):
    return not_defined_anywhere(x)  # noqa: F821  # <-


def uses_keyword_only(x, *, scale=2.0):  # <-
    return scale * x


def uses_nested_def_return(x):
    def helper(t):  # <-
        return t

    return helper(x)


def uses_while_true_break(x):
    while True:  # loops until the break
        x = x * 0.5
        if x < 0.1:
            break
    return x


def uses_chained_comparison(x):
    if 0.0 < x < 1.0:
        return x * x
    return x


def uses_ternary(x):
    return x * x if x > 0.0 else -x


def uses_elif(x):
    if x > 1.0:
        y = x
    elif x > 0.0:
        y = x * x
    else:
        y = -x
    return y


def uses_tuple_unpacking(x, y):
    a, b = y, x
    return a * b


def uses_augmented(x):
    y = x
    y **= 2.0
    y /= 3.0
    y //= 1.0
    return y + x


def uses_pass(x):
    if x > 10.0:
        pass
    return x * x


def uses_docstring(x):
    """A docstring is fine."""
    return x * x


def uses_annotations(x: float) -> float:
    y: float = x * x
    return y


def uses_positional_only(x, /, y):
    return x * y


def uses_print(x):
    print(x)
    return x * x


def uses_assert(x):
    assert x > -10.0
    return x * x


REFUSED = (
    uses_try,
    uses_try_finally,
    uses_with,
    uses_lambda,
    uses_global,
    uses_nonlocal,
    uses_closure,
    uses_list_comprehension,
    uses_set_comprehension,
    uses_dict_comprehension,
    uses_yield,
    uses_yield_from,
    uses_match,
    uses_class_body,
    uses_walrus,
    uses_star_args,
    uses_kwargs,
    uses_star_call,
    uses_fstring,
    uses_string,
    uses_bytes,
    uses_raise,
    uses_import,
    uses_for_else,
    uses_while_else,
    uses_starred_target,
    uses_attribute_target,
    uses_dict_literal,
    uses_set_literal,
    uses_is,
    uses_in,
    uses_eval,
    uses_getattr,
    uses_one_branch,
    uses_loop_local,
    uses_undefined,
    uses_keyword_only,
    uses_nested_def_return,
    uses_await,
)

ENTRIES = [
    entry
    for fn in REFUSED
    for entry in each_call(error, fn, 0.7, calls=("grad", "jvp", "vjp"))
]
ENTRIES += [
    error(uses_async, 0.7),
    error(uses_loop_over_argument, 0.7, 2.0),
]
ENTRIES += [
    entry
    for fn in (uses_while_true_break, uses_ternary, uses_elif, uses_augmented)
    for entry in each_call(derivative, fn, 0.7)
]
ENTRIES += [
    derivative(uses_pass, 0.7),
    derivative(uses_docstring, 0.7),
    derivative(uses_annotations, 0.7),
    derivative(uses_tuple_unpacking, 0.7, 1.3, wrt=(0, 1)),
    derivative(uses_positional_only, 0.7, 1.3, wrt=(0, 1)),
    error(uses_del, 0.7),
    error(uses_bare_ellipsis, 0.7),
]
ENTRIES += each_call(derivative, uses_generator_expression, 0.7, calls=("grad", "jvp"))
# Harmless constructs that issue 9 asks to accept ("refused though harmless").
for fn in (uses_chained_comparison, uses_print, uses_assert):
    ENTRIES += each_call(derivative, fn, 0.7)
