"""Attack 10: sequences retyped by their structure, dependence sets through
matrix products, sparse recovery, ``s2sad show`` and checkpointed while loops.

Each test is one defect found: a wrong derivative with no error, or a
traceback from inside s2sad or its generated code.
"""

import numpy as np
import pytest

import attack10_functions as af
import s2sad

X = np.array([0.7, -0.4, 1.3])


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("attack10")


def _central(f, x, h=1e-6):
    columns = [
        (np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2 * h)
        for e in np.eye(x.size)
    ]
    return np.stack(columns, axis=-1)


# ------------------------------------------------- lists of lists (sequences.py)


def test_np_array_of_items_of_a_list_of_lists(out_dir):
    # the adjoint of np.array(rows[1]) is an array, added to the list adjoint of
    # rows[0]'s item: runtime.add_seq broadcast the whole array to each number
    expected = _central(af.array_of_items, X)
    np.testing.assert_allclose(
        s2sad.grad(af.array_of_items, output_dir=out_dir)(X), expected, atol=1e-8
    )
    np.testing.assert_allclose(
        s2sad.jacrev(af.array_of_items, output_dir=out_dir)(X), expected, atol=1e-8
    )
    hessian = _central(lambda x: _central(af.array_of_items, x, 1e-4), X, 1e-4)
    np.testing.assert_allclose(
        s2sad.hessian(af.array_of_items, output_dir=out_dir)(X), hessian, atol=1e-5
    )


@pytest.mark.parametrize("name", ["rows_by_counter", "loop_rows"])
def test_jacrev_of_a_gradient_whose_list_adjoint_a_loop_sums(name, out_dir):
    # the gradient sums the adjoint of a list of lists over a loop; the loop's
    # carried value lost its structure, so its items (lists) were indexed as
    # batches ([:, 1]) in the Jacobian of the gradient
    f = getattr(af, name)
    g = s2sad.grad(f, output_dir=out_dir)
    expected = s2sad.hessian(f, output_dir=out_dir)(X)
    np.testing.assert_allclose(s2sad.jacrev(g, output_dir=out_dir)(X), expected)
    np.testing.assert_allclose(s2sad.jacfwd(g, output_dir=out_dir)(X), expected)


def test_np_array_of_a_list_of_lists_of_arrays(out_dir):
    # np.array's adjoint, an array, was added to the list adjoint of stack's
    # items by broadcasting each row to every item: a wrong gradient, no error
    f = af.array_of_nested_arrays
    np.testing.assert_allclose(
        s2sad.grad(f, output_dir=out_dir)(X), _central(f, X), atol=1e-8
    )
    parts = [
        s2sad.hessian(g, output_dir=out_dir)(X)
        for g in (af.nested_arrays_a, af.nested_arrays_b)
    ]
    np.testing.assert_allclose(s2sad.hessian(f, output_dir=out_dir)(X), sum(parts))


@pytest.mark.parametrize("name", ["array_of_number_rows", "array_of_rows_numbers"])
@pytest.mark.parametrize("jacobian", ["jacrev", "jacfwd", "hessian"])
def test_batched_adjoint_of_np_array_of_a_list_of_lists(name, jacobian, out_dir):
    # the adjoint of np.array(rows) was an array typed as the list: in batched
    # code its items were indexed as lists of batches (t12[1] of a batch)
    f = getattr(af, name)
    found = getattr(s2sad, jacobian)(f, output_dir=out_dir)(X)
    if jacobian == "hessian":
        expected = s2sad.jacfwd(s2sad.grad(f, output_dir=out_dir), output_dir=out_dir)
        np.testing.assert_allclose(found, expected(X))
    else:
        np.testing.assert_allclose(found, _central(f, X), atol=1e-8)


@pytest.mark.parametrize("jacobian", ["jacfwd", "hessian"])
def test_a_list_written_into_a_row_of_an_array_in_batched_code(jacobian, out_dir):
    # rows[1] = [a, b] into an array: the batch of the list (two batches) was
    # written as it was into [:, 1], shaped (2, n) for a place (n, 2)
    found = getattr(s2sad, jacobian)(af.row_replaced, output_dir=out_dir)(X)
    expected = (
        s2sad.jacrev(af.row_replaced, output_dir=out_dir)(X)
        if jacobian == "jacfwd"
        else _central(s2sad.grad(af.row_replaced, output_dir=out_dir), X)
    )
    np.testing.assert_allclose(found, expected, atol=1e-7)


@pytest.mark.xfail(
    strict=True,
    reason="jacrev of a gradient whose loop writes lists into rows of an array: "
    "the batched adjoint of the tape's list reaches runtime.lift_region shaped "
    "(n, 2) for a region of n (cannot reshape)",
)
def test_jacrev_of_a_gradient_writing_lists_into_rows_in_a_loop(out_dir):
    g = s2sad.grad(af.row_replaced_in_loop, output_dir=out_dir)
    expected = s2sad.hessian(af.row_replaced_in_loop, output_dir=out_dir)(X)
    np.testing.assert_allclose(s2sad.jacrev(g, output_dir=out_dir)(X), expected)


@pytest.mark.parametrize("kind", ["grad", "value_and_grad"])
def test_a_list_of_lists_argument_is_refused_clearly(kind, out_dir):
    # the generated code accumulated the inner lists' adjoints with +=, which
    # concatenates; the check of the gradient's structure then raised a NumPy
    # ValueError (np.shape of a ragged list) instead of its own error
    rows = [[1.5, np.ones(3)], [X * 2.0, X * 3.0]]
    gradient = getattr(s2sad, kind)(
        af.list_argument_rows, wrt=(0, 1), output_dir=out_dir
    )
    with pytest.raises(s2sad.S2SADError, match="holding lists"):
        gradient(rows, X)


# ------------------------------------------------------- sparse recovery


@pytest.mark.parametrize("mode", ["fwd", "rev", "auto"])
@pytest.mark.parametrize("dense", [True, False])
def test_a_pattern_with_no_nonzeros_at_first(mode, dense, out_dir):
    # (x > 0.5) masks every entry at the first point: recovering no nonzeros
    # added floats into bincount's int array
    jacobian = s2sad.jacobian(
        af.switched_matrix,
        mode=mode,
        sparsity="detect",
        dense=dense,
        output_dir=out_dir,
    )
    for x in (np.zeros(3), np.array([1.0, 2.0, 0.0]), np.zeros(3)):
        expected = s2sad.jacfwd(af.switched_matrix, output_dir=out_dir)(x)
        found = jacobian(x)
        if not dense:
            values, (rows, columns) = found
            found = np.zeros_like(expected)
            found[rows, columns] = values
        np.testing.assert_allclose(found, expected)


def test_a_hessian_pattern_with_no_nonzeros_at_first(out_dir):
    hessian = s2sad.hessian(af.switched_quad, sparsity="detect", output_dir=out_dir)
    for x in (np.zeros(3), np.array([1.0, 2.0, 3.0]), np.zeros(3)):
        expected = s2sad.hessian(af.switched_quad, output_dir=out_dir)(x)
        np.testing.assert_allclose(hessian(x), expected)


# ------------------------------------------------------------------ s2sad.show


@pytest.mark.parametrize(
    "options",
    [{"derivative": ["grad"]}, {"output": 3}],
    ids=["derivative-a-list", "output-a-number"],
)
def test_show_refuses_arguments_of_the_wrong_type(options):
    with pytest.raises(s2sad.S2SADError):
        s2sad.show(af.nested2, **options)


def test_show_writes_a_page_named_in_capitals(tmp_path):
    page = tmp_path / "page.HTML"
    assert s2sad.show(af.nested2, output=page) == page.read_text(encoding="utf-8")
