"""``s2sad.checkpoint``: a helper's intermediates recomputed in the backward sweep.

Checkpointed gradients run the same arithmetic as stored ones, so they are
equal to them (to 1e-12) in grad, value_and_grad, vjp, the HVP, the Hessian
and jacrev; they match finite differences; the forward sweep keeps only the
helper's arguments (tracemalloc); and the helper is still a plain function.
"""

import numpy as np
import pytest

import checkpoint_functions as cf
import s2sad
from numerics import peak_memory
from s2sad.errors import S2SADError


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("checkpoint")


def _wrt(point):
    return tuple(k for k, p in enumerate(point) if not isinstance(p, int))


def _differences(f, point, wrt, step=1e-6):
    """Central differences of ``f`` in each entry of each parameter of ``wrt``."""
    found = []
    for k in wrt:
        x = np.asarray(point[k], dtype=float)
        gradient = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[index] = step
            plus = f(*_placed(point, (k,), [x + e if x.ndim else float(x + e)]))
            minus = f(*_placed(point, (k,), [x - e if x.ndim else float(x - e)]))
            gradient[index] = (plus - minus) / (2 * step)
        found.append(gradient if x.ndim else float(gradient))
    return found


def _placed(point, wrt, values):
    args = list(point)
    for k, v in zip(wrt, values):
        args[k] = v
    return args


CASE_IDS = [f"{f.__name__}-{k}" for k, (f, _) in enumerate(cf.CASES)]


@pytest.mark.parametrize("f, point", cf.CASES, ids=CASE_IDS)
def test_checkpointed_gradients_match_finite_differences(f, point, out_dir):
    wrt = _wrt(point)
    before = [np.copy(p) for p in point]
    gradient = s2sad.grad(f, wrt=wrt, output_dir=out_dir)(*point)
    for old, new in zip(before, point):
        np.testing.assert_array_equal(old, new)
    for found, wanted in zip(gradient, _differences(f, point, wrt)):
        np.testing.assert_allclose(found, wanted, rtol=1e-6, atol=1e-8)
    value, again = s2sad.value_and_grad(f, wrt=wrt, output_dir=out_dir)(*point)
    assert value == f(*point)
    for a, b in zip(again, gradient):
        np.testing.assert_array_equal(a, b)
    tangents = tuple(np.ones_like(p) if k in wrt else None for k, p in enumerate(point))
    value, tangent = s2sad.jvp(f, point, tangents, output_dir=out_dir)
    assert value == f(*point)
    expected = sum(np.sum(g) for g in gradient)
    np.testing.assert_allclose(tangent, expected, rtol=1e-10, atol=1e-12)
    out, vjp_fn = s2sad.vjp(f, *point, output_dir=out_dir)
    assert out == f(*point)
    for k, adjoint in zip(wrt, (vjp_fn(1.0)[k] for k in wrt)):
        np.testing.assert_allclose(adjoint, gradient[wrt.index(k)], rtol=1e-12)


def test_checkpointing_changes_no_arithmetic(out_dir):
    point = cf.CASES[0][1]
    stored = s2sad.grad(cf.residual_net_plain, wrt=(0, 1), output_dir=out_dir)(*point)
    recomputed = s2sad.grad(cf.residual_net, wrt=(0, 1), output_dir=out_dir)(*point)
    for a, b in zip(stored, recomputed):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "f, point", cf.CASES[:4] + cf.CASES[6:], ids=CASE_IDS[:4] + CASE_IDS[6:]
)
def test_second_order_through_checkpoints(f, point, out_dir):
    """The HVP (forward over the checkpointed gradient) against finite
    differences of the gradient, and the Hessian against its columns."""
    wrt = (0,)
    gradient = s2sad.grad(f, output_dir=out_dir)
    x = np.asarray(point[0], dtype=float)
    v = np.linspace(0.3, -0.4, x.size).reshape(x.shape) if x.ndim else 0.7
    step = 1e-6
    plus = gradient(*_placed(point, wrt, [x + step * v]))
    minus = gradient(*_placed(point, wrt, [x - step * v]))
    product = s2sad.hvp(f, output_dir=out_dir)(*point, v)
    np.testing.assert_allclose(
        product, (plus - minus) / (2 * step), rtol=1e-5, atol=1e-7
    )
    hessian = s2sad.hessian(f, output_dir=out_dir)(*point)
    np.testing.assert_allclose(
        np.asarray(hessian) @ np.asarray(v) if x.ndim else hessian * v,
        product,
        rtol=1e-10,
        atol=1e-12,
    )


def test_a_jacobian_through_a_checkpoint(out_dir):
    def step(x, W):
        return cf.block(x, W) * 2.0

    x, W = np.linspace(-0.5, 0.5, 4), np.eye(4) * 0.3
    np.testing.assert_allclose(
        s2sad.jacrev(step, output_dir=out_dir)(x, W),
        s2sad.jacfwd(step, output_dir=out_dir)(x, W),
        rtol=1e-12,
    )


def test_the_generated_gradient_recomputes_instead_of_storing(out_dir):
    source = s2sad.grad(cf.residual_net, wrt=(0, 1), output_dir=out_dir).source
    forward, backward = source.split("for _ in reversed(range(4)):")
    assert "block(x_1, W)" in forward and "block_vjp_fwd" not in forward
    assert "block_vjp_fwd(" in backward and "block_vjp_bwd(" in backward
    assert "def block(x, W):" in source


def test_the_forward_sweep_keeps_only_the_arguments(out_dir):
    """16 steps of a smooth map of 10⁵ entries: stored, each step's four
    intermediates the backward sweep reads stay alive until it runs;
    checkpointed, only each step's input."""
    x = np.linspace(-1.0, 1.0, 100_000)
    stored = s2sad.grad(cf.deep_smooth_plain, output_dir=out_dir)
    recomputed = s2sad.grad(cf.deep_smooth, output_dir=out_dir)
    np.testing.assert_array_equal(stored(x), recomputed(x))
    assert peak_memory(recomputed, x) < 0.4 * peak_memory(stored, x)


def test_checkpoint_is_the_function_for_plain_python():
    assert cf.block(np.ones(2), np.eye(2)).shape == (2,)
    assert s2sad.checkpoint(cf.plain_block) is s2sad.checkpoint(cf.plain_block)
    assert s2sad.checkpoint(cf.block) is cf.block
    assert cf.block.__name__ == "block" and cf.block.__doc__ == cf.plain_block.__doc__


def test_checkpoint_refuses_what_is_not_a_def():
    with pytest.raises(S2SADError, match="function defined with def"):
        s2sad.checkpoint(np.sin)


def test_the_residual_network_example_gives_one_gradient_every_way(out_dir):
    import checkpointing

    args = checkpointing.arguments(rows=3, width=4)
    functions = [checkpointing.network, checkpointing.network_checkpointed_blocks]
    functions += [checkpointing.binomial(s) for s in checkpointing.SNAPSHOTS]
    expected = s2sad.grad(functions[0], wrt=(0, 1, 2), output_dir=out_dir)(*args)
    for function in functions[1:]:
        found = s2sad.grad(function, wrt=(0, 1, 2), output_dir=out_dir)(*args)
        for a, b in zip(found, expected):
            np.testing.assert_array_equal(a, b)
    peak, seconds, _ = checkpointing.measure(functions[1], args, out_dir)
    assert peak > 0 and seconds > 0
