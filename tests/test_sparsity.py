"""Colourings, seeds and recovery of sparse Jacobians and Hessians."""

import itertools

import numpy as np
import pytest

from s2sad.sparsity import (
    column_colouring,
    recover_hessian,
    recover_jacobian,
    seed_matrix,
    star_colouring,
)


def tridiagonal(n):
    return np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= 1


def random_pattern(rng, m, n, density):
    return rng.random((m, n)) < density


def random_symmetric(rng, n, density):
    upper = np.triu(rng.random((n, n)) < density, 1)
    return upper | upper.T | np.eye(n, dtype=bool)


def test_a_tridiagonal_jacobian_takes_three_colours():
    colours = column_colouring(tridiagonal(50))
    assert colours.max() + 1 == 3


@pytest.mark.parametrize("seed", range(40))
def test_columns_sharing_a_row_differ_and_recovery_is_exact(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 30, size=2)
    pattern = random_pattern(rng, m, n, rng.uniform(0.02, 0.4))
    colours = column_colouring(pattern)
    for row in pattern:
        used = colours[row]
        assert len(set(used)) == len(used)
    jacobian = np.where(pattern, rng.normal(size=(m, n)), 0.0)
    compressed = jacobian @ seed_matrix(colours)
    assert np.array_equal(recover_jacobian(compressed, pattern, colours), jacobian)


def paths_of_four(graph):
    n = len(graph)
    for a, b, c, d in itertools.permutations(range(n), 4):
        if graph[a, b] and graph[b, c] and graph[c, d]:
            yield a, b, c, d


@pytest.mark.parametrize("seed", range(30))
def test_star_colourings_are_star_colourings(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    pattern = random_symmetric(rng, n, rng.uniform(0.1, 0.6))
    colours = star_colouring(pattern)
    graph = pattern & ~np.eye(n, dtype=bool)
    for i, j in zip(*np.nonzero(graph)):
        assert colours[i] != colours[j]
    for path in paths_of_four(graph):
        assert len({colours[v] for v in path}) >= 3, path


@pytest.mark.parametrize("seed", range(40))
def test_hessians_are_recovered_from_star_colourings(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 40))
    pattern = random_symmetric(rng, n, rng.uniform(0.02, 0.3))
    values = rng.normal(size=(n, n))
    hessian = np.where(pattern, values + values.T, 0.0)
    colours = star_colouring(pattern)
    compressed = hessian @ seed_matrix(colours)
    assert np.allclose(recover_hessian(compressed, pattern, colours), hessian, atol=0)


def test_a_tridiagonal_hessian_takes_three_colours_and_an_arrow_two():
    assert star_colouring(tridiagonal(30)).max() + 1 == 3
    arrow = np.eye(20, dtype=bool)
    arrow[0, :] = arrow[:, 0] = True
    assert star_colouring(arrow).max() + 1 == 2


def test_bad_patterns_are_refused():
    with pytest.raises(ValueError, match="symmetric"):
        star_colouring(np.triu(np.ones((3, 3), dtype=bool)))
    with pytest.raises(ValueError, match="square"):
        star_colouring(np.ones((2, 3), dtype=bool))
    with pytest.raises(ValueError, match="2-D"):
        column_colouring(np.ones(3, dtype=bool))
