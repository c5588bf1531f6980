"""Attack 8 on checkpointing: regressions for defects found in ``s2sad.checkpoint``,
``s2sad.checkpointed`` loops and ``s2sad.memory_report``.

Checkpointed gradients must equal the stored ones bit for bit.
"""

import numpy as np
import pytest

import s2sad


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("attack8")


def _equal(f, plain, args, wrt, out_dir):
    found = s2sad.grad(f, wrt=wrt, output_dir=out_dir)(*args)
    expected = s2sad.grad(plain, wrt=wrt, output_dir=out_dir)(*args)
    for a, b in zip(found, expected):
        np.testing.assert_array_equal(a, b)


def nested(u, n: int):
    for t in s2sad.checkpointed(range(n), snapshots=2):
        for j in s2sad.checkpointed(range(3), snapshots=2):
            u = np.sin(u) * (t + j + 1)
    return np.sum(u)


def nested_plain(u, n: int):
    for t in range(n):
        for j in range(3):
            u = np.sin(u) * (t + j + 1)
    return np.sum(u)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_nested_checkpointed_loops(n, out_dir):
    _equal(nested, nested_plain, (np.linspace(0.1, 0.5, 3), n), (0,), out_dir)
