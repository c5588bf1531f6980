"""Lists and tuples passed as arguments: refused where a second-order derivative
or a Jacobian differentiates them (a list's ``*`` repeats it where an array's
scales); a gradient of one computed with as a whole is refused; elsewhere
they are used as they are, and a function that cannot take one raises its own
error, not a derivative's."""

import numpy as np
import pytest

import s2sad


def cubes(x):
    return np.sum(x**3)


def indexed(xs):
    return xs[0] * xs[1] ** 2


def repeated(x):
    y = x * 2
    return y[0] * y[3]


def scaled(table, y):
    return table[0] * y**2


def cubed_table(table, y):
    return np.sum(table**3) * y


def doubled(x: np.ndarray):
    return x * 2.0


CALLS = [
    ("hvp", lambda f, x: s2sad.hvp(f)(x, x)),
    ("hessian", lambda f, x: s2sad.hessian(f)(x)),
    ("jacfwd", lambda f, x: s2sad.jacfwd(f)(x)),
    ("jacrev", lambda f, x: s2sad.jacrev(f)(x)),
    ("hutchinson_trace", lambda f, x: s2sad.hutchinson_trace(f)(x)),
]


@pytest.mark.parametrize("who, call", CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("f", [cubes, indexed, repeated])
@pytest.mark.parametrize("container", [list, tuple])
def test_a_differentiated_container_is_refused(who, call, f, container):
    with pytest.raises(s2sad.DifferentiationError) as caught:
        call(f, container([0.5, 2.0]))
    message = str(caught.value)
    assert container.__name__ in message and "np.asarray(" in message
    assert caught.value.line == f.__code__.co_firstlineno


@pytest.mark.parametrize("who", ["grad", "value_and_grad"])
@pytest.mark.parametrize("container", [list, tuple])
def test_a_gradient_of_a_container_computed_with_whole_is_refused(who, container):
    with pytest.raises(s2sad.DifferentiationError, match="container read by index"):
        getattr(s2sad, who)(repeated)(container([0.5, 2.0]))
    assert np.allclose(getattr(s2sad, "grad")(indexed)(container([0.5, 2.0])), [4, 2])
    with pytest.raises(TypeError):
        getattr(s2sad, who)(cubes)(container([0.5, 2.0]))


def test_a_constant_list_is_used_as_the_function_uses_it():
    assert s2sad.grad(scaled, wrt=1)([3.0, 4.0], 0.5) == pytest.approx(3.0)
    hvp = s2sad.hvp(scaled, wrt=1)
    assert hvp([3.0, 4.0], 0.5, 1.0) == pytest.approx(6.0)
    assert s2sad.hessian(scaled, wrt=1)((3.0, 4.0), 0.5) == pytest.approx(6.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: s2sad.grad(cubed_table, wrt=1)([3.0], 0.5),
        lambda: s2sad.hvp(cubed_table, wrt=1)([3.0], 0.5, 1.0),
        lambda: s2sad.hessian(cubed_table, wrt=1)([3.0], 0.5),
        lambda: s2sad.jacfwd(cubed_table, wrt=1)([3.0], 0.5),
    ],
)
def test_a_function_that_cannot_take_a_list_raises_its_own_error(call):
    with pytest.raises(TypeError) as caught:
        call()
    assert caught.traceback[-1].path.name == "test_list_arguments.py"
    assert "generated" not in str(caught.traceback[-1].path)


def test_arrays_of_the_same_values_differentiate():
    x = np.array([0.5, 2.0])
    assert np.allclose(s2sad.hessian(cubes)(x), np.diag(6.0 * x))
    assert np.allclose(s2sad.jacfwd(doubled)(x), 2.0 * np.eye(2))
