"""The runtime helpers batched code calls (``runtime.lift``, ``runtime.batch_loop``, ...).

Batched code (:mod:`s2sad.passes.batch`) is not differentiated again: every
argument of these helpers is declared to carry no derivative, so a
transformation that meets one with a varied argument refuses it by name.
"""

from __future__ import annotations

from ..ir.core import ARRAY, SEQ
from .helpers import runtime_helper
from .registry import INT_RESULT, OBJECT_RESULT, SAME, SEQ_RESULT

BATCH_HELPERS: list[str] = []
"""The names of the helpers declared here."""


def _batch_helper(name: str, args: str, **options) -> None:
    """Declare ``runtime.<name>``, none of whose arguments has a derivative."""
    names = args.replace(",", " ").replace("=None", "").replace("=False", "").split()
    options.setdefault("nondiff", " ".join(names))
    runtime_helper(name, args, **options)(None)
    BATCH_HELPERS.append(name)


_batch_helper("batch_size", "x", result_type=INT_RESULT, shape_only="x")
_batch_helper("batched", "x k", result_type=SAME, fresh=True)
_batch_helper("batched_shape", "x k", shape_only="x", read_only=True)
_batch_helper("first", "x", result_type=SAME, view=True)
_batch_helper("lift", "b y", view=True, shape_only="y")
_batch_helper("lift_batched", "b y", view=True, shape_only="y")
_batch_helper("lift_region", "v x index", view=True, shape_only="x")
_batch_helper("batch_axis", "x axis", result_type=OBJECT_RESULT, shape_only="x")
_batch_helper("batch_index", "index", result_type=OBJECT_RESULT)
_batch_helper("getitem_batched", "x index", view=True)
_batch_helper("add_at_batched", "acc x index g", fresh=True, shape_only="x")
_batch_helper("unbroadcast_batched", "g x", view=True, shape_only="x")
_batch_helper(
    "broadcast_like_batched", "t x", view=True, read_only=True, shape_only="x"
)
_batch_helper(
    "unreduce_batched",
    "g, x, axis=None, keepdims=False",
    view=True,
    read_only=True,
    shape_only="x",
)
_batch_helper("setitem_value_adjoint_batched", "g index value", shape_only="value")
_batch_helper("identity_batch", "x", shape_only="x", fresh=True)
_batch_helper("matmul_batched", "x y x_batched y_batched", fresh=True)
_batch_helper("dot_batched", "x y x_batched y_batched", fresh=True)
_batch_helper("dot_adjoint_x_batched", "g x y", fresh=True, shape_only="x")
_batch_helper("dot_adjoint_y_batched", "g x y", fresh=True, shape_only="y")
_batch_helper("matmul_adjoint_x_batched", "g x y", fresh=True, shape_only="x")
_batch_helper("matmul_adjoint_y_batched", "g x y", fresh=True, shape_only="y")
_batch_helper("transpose_batched", "x, axes=None", view=True)
_batch_helper("reshape_batched", "x shape", view=True)
_batch_helper("array_batched", "x, dtype=None")
_batch_helper("item_batched", "x index", fresh=True)
_batch_helper(
    "items_like_batched",
    "g x",
    result_type=lambda types, static: SEQ if types[1] == SEQ else ARRAY,
    view=True,
    shape_only="x",
)
_batch_helper("batch_loop", "name keywords flags args", result_type=SEQ_RESULT)
