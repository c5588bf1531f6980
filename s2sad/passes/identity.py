"""Identity seeds: the columns of a Jacobian where the batch of tangents is the identity.

``jacfwd`` calls its batched tangent function with the basis of a parameter
``x``: every direction ``e_k`` at once, the identity.  Where that batch meets a
matrix product, ``W @ e_k`` is the ``k``-th column of ``W``, so the whole batch
of products is ``W`` with its last axis first (``np.moveaxis(W, -1, 0)``, the
transpose of a matrix): a view, where the product would cost ``n`` times the
product ``W @ x``.  :func:`identity_columns` copies the batched function without
its tangent parameter, starting from the identity itself for a vector ``x``
(``runtime.identity_batch(x)``), and rewrites every such product; the copy is
worth generating only where one was rewritten.  What else reads the identity
keeps reading it, made once.
"""

from __future__ import annotations

from ..ir.core import (
    ARRAY,
    Block,
    Builder,
    Function,
    Op,
    Value,
    walk_block,
)
from ..ir.module import detached_copies
from .simplify import simplify

IDENTITY_KIND = "jacfwd_identity"
"""The derived-name kind of a Jacobian's columns for the identity seed."""


def identity_columns(
    function: Function, primal: int, seed: int, name: str
) -> Function | None:
    """A copy of the batched tangent function ``function`` called ``name``, whose
    tangent batch (parameter ``seed``) is the identity over the vector at parameter
    ``primal``, dropped from its parameters; None where no product of a matrix
    with the identity could be rewritten (the copy would gain nothing)."""
    (made,) = detached_copies([function])
    made.module, made.name = function.module, name
    identity = made.params[seed]
    del made.body.args[seed]
    builder = Builder(made, Block())
    builder.block.ops.append(
        Op("identity_batch", [made.params[primal]], [identity], {}, [], None)
    )
    made.body.ops[:0] = builder.block.ops
    if not _rewrite_products(made, made.body, identity):
        return None
    simplify(made)
    return made


def _rewrite_products(function: Function, block: Block, identity: Value) -> int:
    """Rewrite ``W @ e_k`` for the identity batch ``identity`` into the columns of
    ``W``, in ``block`` and its regions; the number of products rewritten."""
    count = 0
    for op in list(walk_block(block)):
        if _matrix_times_identity(op, identity):
            count += 1
            _columns_of(function, op)
    return count


def _matrix_times_identity(op: Op, identity: Value) -> bool:
    """``matmul_batched(W, identity, False, True)``: an unbatched ``W`` times each
    direction of the identity."""
    if op.name != "matmul_batched":
        return False
    x, y, x_batched, y_batched = op.operands
    return (
        y is identity
        and x is not identity
        and not x_batched.constant
        and (y_batched.constant is True)
    )


def _columns_of(function: Function, op: Op) -> None:
    """Turn ``op`` into ``np.moveaxis(W, -1, 0)``: the column ``W[..., k]`` for
    each direction ``e_k``, computed as a view."""
    builder = Builder(function, Block())
    source, destination = builder.const(-1), builder.const(0)
    constants = builder.block.ops
    block = _block_holding(function.body, op)
    at = block.ops.index(op)
    block.ops[at:at] = constants
    op.name = "np.moveaxis"
    op.operands = [op.operands[0], source, destination]
    op.result.type = ARRAY


def _block_holding(block: Block, op: Op) -> Block:
    """The block (``block`` or one nested in it) whose ops include ``op``."""
    if op in block.ops:
        return block
    for inner in block.ops:
        for region in inner.regions:
            if any(o is op for o in walk_block(region)):
                return _block_holding(region, op)
    raise ValueError(f"op {op.name} is not in the function")
