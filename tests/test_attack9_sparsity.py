"""Attack 9: ``sparsity="detect"`` (dependence sets, colourings, the check
direction) and batched derivatives of joins whose items are list items.

Each test is one defect found: a wrong derivative with no error, a traceback
from inside s2sad or its generated code, or a print shown twice.
"""

import warnings

import numpy as np
import pytest

import attack9_functions as af
import s2sad


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("attack9")


def _central(f, x, h=1e-6):
    columns = [
        (np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2 * h)
        for e in np.eye(x.size)
    ]
    return np.stack(columns, axis=-1)


# ------------------------------------------------------------- sparsity="detect"


@pytest.mark.parametrize("mode", ["fwd", "rev", "auto"])
@pytest.mark.parametrize("dense", [True, False])
def test_the_call_that_widens_a_jacobian_pattern_prints_once(
    mode, dense, out_dir, capsys
):
    jacobian = s2sad.jacobian(
        af.loud_switch, mode=mode, sparsity="detect", dense=dense, output_dir=out_dir
    )
    below, above = np.array([-1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])
    for x, source in ((below, "dependences"), (above, "widened"), (below, "widened")):
        capsys.readouterr()
        jacobian(x)
        assert capsys.readouterr().out.count("called") == 1
        assert jacobian.pattern_source == source


@pytest.mark.parametrize("diagonal", [False, True])
def test_the_call_that_widens_a_hessian_pattern_prints_once(diagonal, out_dir, capsys):
    hessian = s2sad.hessian(
        af.loud_hessian_switch, sparsity="detect", diagonal=diagonal, output_dir=out_dir
    )
    below, above = np.array([-1.0, 2.0, 3.0, 0.5]), np.array([1.0, 2.0, 3.0, 0.5])
    for x in (below, above, below):
        capsys.readouterr()
        found = hessian(x)
        assert capsys.readouterr().out.count("called") == 1
        dense = s2sad.hessian(af.loud_hessian_switch, output_dir=out_dir)(x)
        capsys.readouterr()
        assert np.allclose(found, np.diag(dense) if diagonal else dense)
    assert hessian.pattern_source == "widened"


@pytest.mark.parametrize("mode", ["fwd", "auto"])
def test_an_infinite_entry_does_not_hide_a_nonzero_the_pattern_misses(mode, out_dir):
    # the pattern at a is the diagonal; at b, sqrt'(0) = inf in row 0 and row 0
    # gains J[0, 3] = 1: the check of row 0 (inf == inf) accepted the diagonal
    # and dropped the 1 (jacrev shows it)
    jacobian = s2sad.jacobian(
        af.root_and_reversed, mode=mode, sparsity="detect", output_dir=out_dir
    )
    a, b = np.array([0.5, 0.5, 0.5, 0.5]), np.array([0.0, 0.5, 0.5, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jacobian(a)
        found = jacobian(b)
        dense = s2sad.jacfwd(af.root_and_reversed, output_dir=out_dir)(b)
    assert found[0, 3] != 0.0  # NaN where jacfwd has it (0 * inf), never 0
    np.testing.assert_array_equal(found, dense)
    assert jacobian.pattern_source == "widened"
    c = np.array([2.0, 0.5, 0.5, 2.0])
    expected = s2sad.jacfwd(af.root_and_reversed, output_dir=out_dir)(c)
    assert np.allclose(jacobian(c), expected, rtol=1e-12)


@pytest.mark.parametrize("given", [False, True])
def test_a_missed_entry_beside_large_entries_of_its_row_is_caught(given, out_dir):
    sparsity = np.eye(4, dtype=bool) if given else "detect"
    jacobian = s2sad.jacobian(
        af.penalty, mode="fwd", sparsity=sparsity, output_dir=out_dir
    )
    below, above = np.full(4, -0.5), np.array([2.0, 0.5, 0.5, 0.5])
    jacobian(below)
    expected = s2sad.jacfwd(af.penalty, output_dir=out_dir)(above)
    try:
        found = jacobian(above)
    except s2sad.S2SADError:
        assert given  # a given pattern that misses a nonzero is refused
        return
    np.testing.assert_array_equal(found, expected)


@pytest.mark.parametrize("mode", ["fwd", "rev", "auto"])
@pytest.mark.parametrize("dense", [True, False])
def test_a_zero_size_parameter_has_an_empty_sparse_jacobian(mode, dense, out_dir):
    jacobian = s2sad.jacobian(
        af.sine_times, mode=mode, sparsity="detect", dense=dense, output_dir=out_dir
    )
    found = jacobian(np.zeros(0))  # was: ValueError from reshape(-1, 0)
    if dense:
        assert np.shape(found) == (0, 0)
    else:
        values, (rows, columns) = found
        assert values.size == rows.size == columns.size == 0
    x = np.array([0.4, 0.9])
    derivative = np.sin(x) + x * np.cos(x)
    if dense:
        assert np.allclose(jacobian(x), np.diag(derivative))
    else:
        assert np.allclose(jacobian(x)[0], derivative)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_a_one_dimensional_pattern_of_a_scalar_output_is_taken(mode, out_dir):
    # the docs shape a pattern out.shape + x.shape: (n,) for a scalar output
    x = np.array([0.3, -0.7, 1.2, 0.9, 0.6])
    jacobian = s2sad.jacobian(
        af.squares, mode=mode, sparsity=np.ones(5, dtype=bool), output_dir=out_dir
    )
    expected = s2sad.jacfwd(af.squares, output_dir=out_dir)(x)
    assert np.allclose(jacobian(x), expected, rtol=1e-12)
    missing = np.array([True, False, True, True, True])
    with pytest.raises(s2sad.S2SADError, match="misses nonzeros"):
        s2sad.jacobian(af.squares, mode=mode, sparsity=missing, output_dir=out_dir)(x)


def test_a_banded_constant_operator_gives_a_banded_pattern(out_dir):
    x = np.linspace(0.1, 1.0, 40)
    jacobian = s2sad.jacobian(
        af.banded, mode="fwd", sparsity="detect", output_dir=out_dir
    )
    assert np.allclose(jacobian(x), s2sad.jacfwd(af.banded, output_dir=out_dir)(x))
    assert jacobian.products == 4


def test_hessian_triplets_keep_their_layout_from_call_to_call(out_dir):
    # the widening call laid them out row by row (np.nonzero), the next call
    # upper triangle then lower: values reused with the first rows and columns
    # (read-only, "shared by the calls") went to the wrong entries
    hessian = s2sad.hessian(
        af.cubes_switch, sparsity="detect", dense=False, output_dir=out_dir
    )
    below, above = np.array([-0.3, 2.7, 1.5, -0.9]), np.array([0.3, 0.7, 1.2, 0.9])
    hessian(below)
    first = hessian(above)
    assert hessian.pattern_source == "widened"
    second = hessian(above)
    dense = s2sad.hessian(af.cubes_switch, output_dir=out_dir)(above)
    for values, (rows, columns) in (first, second):
        np.testing.assert_array_equal(rows, first[1][0])
        np.testing.assert_array_equal(columns, first[1][1])
        assert np.allclose(values, dense[rows, columns], rtol=1e-12)


def test_reverse_mode_triplets_keep_their_layout_from_values_to_products(
    out_dir, monkeypatch
):
    # a pattern found from values is returned row by row; reverse mode's
    # products then laid the same pattern out column by column
    from s2sad import dependences

    monkeypatch.setattr(dependences, "pattern_from", lambda run: None)
    jacobian = s2sad.jacobian(
        af.outer_reversed,
        mode="rev",
        sparsity="detect",
        dense=False,
        output_dir=out_dir,
    )
    x = np.array([0.3, -0.7, 1.2])
    first, second = jacobian(x), jacobian(x)
    assert jacobian.pattern_source == "values"
    np.testing.assert_array_equal(first[1][0], second[1][0])
    np.testing.assert_array_equal(first[1][1], second[1][1])
    assert np.allclose(first[0], second[0], rtol=1e-12)


@pytest.mark.parametrize("mode", ["fwd", "rev", "auto"])
def test_outputs_sized_by_the_values_find_their_pattern_anew(mode, out_dir):
    # same shapes, 2 outputs then 3: "the sparsity pattern has 2 rows, but the
    # output at these arguments has 3 entries", though no pattern was given
    jacobian = s2sad.jacobian(
        af.positive_squares, mode=mode, sparsity="detect", output_dir=out_dir
    )
    dense = s2sad.jacfwd(af.positive_squares, output_dir=out_dir)
    for x in (np.array([1.0, -1.0, 2.0]), np.array([1.0, 1.0, 2.0])):
        assert np.array_equal(jacobian(x), dense(x))
    given = s2sad.jacobian(
        af.positive_squares,
        mode=mode,
        sparsity=np.array([[True, False, False], [False, False, True]]),
        output_dir=out_dir,
    )
    given(np.array([1.0, -1.0, 2.0]))
    with pytest.raises(s2sad.S2SADError, match="has 2 rows, but the output"):
        given(np.array([1.0, 1.0, 2.0]))


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev"])
def test_np_dot_of_a_batch_is_one_product(mode, out_dir):
    # np.dot (and its adjoints) ran once per direction in batched code: the
    # dense Jacobian of n = 3000 took 30 s where A @ x takes 0.6 s
    jacobian = getattr(s2sad, mode)(af.dotted, output_dir=out_dir)
    assert "batch_loop" not in jacobian.source
    x = np.linspace(0.1, 1.0, 6)
    assert np.allclose(jacobian(x), _central(af.dotted, x), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("mode", ["fwd", "rev", "auto"])
def test_a_one_tuple_output_is_nested_as_the_dense_jacobian(mode, out_dir):
    # the dense Jacobian of (y,) is (J,); the sparse one was J, and in reverse
    # mode (dense fallback, every row needed) an array shaped (1, n, n)
    x = np.array([0.3, -0.7, 1.2, 0.9, 0.6])
    dense = s2sad.jacobian(af.one_tuple, mode=mode, output_dir=out_dir)(x)
    found = s2sad.jacobian(
        af.one_tuple, mode=mode, sparsity="detect", output_dir=out_dir
    )(x)
    assert isinstance(found, tuple) and len(found) == 1
    assert np.shape(found[0]) == (5, 5)
    assert np.allclose(found[0], dense[0], rtol=1e-12)


def test_an_arrowhead_pattern_takes_two_colours():
    # the star colouring once looked at every neighbour of the hub in Python for
    # each leaf (6 s at n = 3000); it now reads them in one vectorised step
    from s2sad.sparsity import star_colouring

    pattern = np.eye(2000, dtype=bool)
    pattern[0, :] = pattern[:, 0] = True
    colours = star_colouring(pattern)
    assert colours.max() + 1 == 2 and colours[0] != colours[1]
    assert len(set(colours[1:])) == 1


# ------------------------------------------------- list items in joins, batched


def test_the_gradient_adds_both_adjoints_of_a_list_item_read_twice(out_dir):
    # add_seq added nested adjoints with `+`: two lists concatenated, and the
    # gradient silently read the first pair only ([3, 4, 0] for [4, 6, 0])
    x = np.array([0.3, 0.7, 1.1])
    assert np.allclose(s2sad.grad(af.one_row_twice, output_dir=out_dir)(x), [4, 6, 0])


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev", "jacobian"])
def test_the_jacobian_of_list_items_joined_twice(mode, out_dir):
    x = np.array([0.3, 0.7, 1.1])
    found = getattr(s2sad, mode)(af.two_rows_twice, output_dir=out_dir)(x)
    assert np.allclose(found, _central(af.two_rows_twice, x), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev", "jacobian"])
def test_the_jacobian_of_an_item_of_a_list_item(mode, out_dir):
    x = np.array([0.3, 0.7, 1.1])
    found = getattr(s2sad, mode)(af.item_of_item, output_dir=out_dir)(x)
    assert np.allclose(found, _central(af.item_of_item, x), rtol=1e-7, atol=1e-8)


HESSIAN = {
    "hessian": lambda f, x, d: s2sad.hessian(f, output_dir=d)(x),
    "detect": lambda f, x, d: s2sad.hessian(f, sparsity="detect", output_dir=d)(x),
    "batched_hvp": lambda f, x, d: s2sad.batched_hvp(f, output_dir=d)(x, np.eye(3)),
    "hvp": lambda f, x, d: np.stack(
        [s2sad.hvp(f, output_dir=d)(x, e) for e in np.eye(3)]
    ),
    "jacfwd(grad)": lambda f, x, d: s2sad.jacfwd(
        s2sad.grad(f, output_dir=d), output_dir=d
    )(x),
}


@pytest.mark.parametrize("kind", list(HESSIAN))
@pytest.mark.parametrize(
    "f", [af.item_of_item_loss, af.item_of_item_helper_loss], ids=lambda f: f.__name__
)
def test_second_derivatives_of_an_item_of_a_list_item(f, kind, out_dir):
    x = np.array([0.3, 0.7, 1.1])
    gradient = s2sad.grad(f, output_dir=out_dir)
    assert np.allclose(gradient(x), _central(f, x), rtol=1e-6, atol=1e-8)
    expected = _central(gradient, x)
    found = HESSIAN[kind](f, x.copy(), out_dir)
    assert np.allclose(found, expected, rtol=1e-6, atol=1e-7)


def test_jacrev_of_the_gradient_of_an_item_of_a_list_item(out_dir):
    x = np.array([0.3, 0.7, 1.1])
    gradient = s2sad.grad(af.item_of_item_loss, output_dir=out_dir)
    found = s2sad.jacrev(gradient, output_dir=out_dir)(x)
    assert np.allclose(found, _central(gradient, x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev", "jacobian", "detect"])
@pytest.mark.parametrize(
    "f",
    [
        af.list_written,
        af.list_written_concatenated,
        af.list_written_hstacked,
        af.list_written_vstacked,
    ],
    ids=lambda f: f.__name__,
)
def test_the_jacobian_of_a_list_written_item_by_item_then_joined(f, mode, out_dir):
    # the list is lowered to an array: np.stack of its batch of tangents read
    # the batch axis as the items (jacfwd gave the Jacobian transposed, no
    # error), and jacrev's adjoint of it was a list written at [:, 1]
    x = np.array([0.3, 0.7, 1.1])
    if mode == "detect":
        jacobian = s2sad.jacobian(f, sparsity="detect", output_dir=out_dir)
    else:
        jacobian = getattr(s2sad, mode)(f, output_dir=out_dir)
    assert np.allclose(jacobian(x), _central(f, x), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("kind", list(HESSIAN))
@pytest.mark.parametrize(
    "f", [af.list_written_loss, af.list_written_hstacked_loss], ids=lambda f: f.__name__
)
def test_second_derivatives_of_a_list_written_item_by_item(f, kind, out_dir):
    x = np.array([0.3, 0.7, 1.1])
    gradient = s2sad.grad(f, output_dir=out_dir)
    expected = _central(gradient, x)
    found = HESSIAN[kind](f, x.copy(), out_dir)
    assert np.allclose(found, expected, rtol=1e-6, atol=1e-7)


def test_jacrev_of_an_item_of_a_list_item_joined_by_hstack(out_dir):
    x = np.array([0.3, 0.7, 1.1])
    found = s2sad.jacrev(af.pairs_joined, output_dir=out_dir)(x)
    assert np.allclose(found, _central(af.pairs_joined, x), rtol=1e-7, atol=1e-8)


def test_jacrev_of_the_gradient_of_stacked_list_items(out_dir):
    x = np.array([0.3, 0.7, 1.1])
    gradient = s2sad.grad(af.rows_stacked_loss, output_dir=out_dir)
    found = s2sad.jacrev(gradient, output_dir=out_dir)(x)
    assert np.allclose(found, _central(gradient, x), rtol=1e-6, atol=1e-7)
