"""The s2sad intermediate representation: structured SSA.

Every :class:`Value` is defined exactly once, either as the result of an
:class:`Op` or as an argument of a :class:`Block`.  Control flow stays
structured: an op such as ``if`` or ``for`` owns *regions*, each a single
:class:`Block` whose last op is a ``yield`` of the values the op produces.
A :class:`Function` is a block whose arguments are the parameters and whose
last op is ``return``.  There are no jumps and no phi nodes.

Types are plain strings: ``float``, ``int`` and ``bool`` for scalars;
``array``, ``array[int]`` and ``array[bool]`` for NumPy arrays (shapes are
not part of the type: generated code works for every shape); ``seq`` for a
tuple or list of numbers or arrays (``np.stack([a, b])``); ``object`` for the
other values code may compute with but never differentiates (shapes, slices,
``None``, strings); ``tape`` for reverse mode's stack of stored values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from .ops import TERMINATORS

FLOAT = "float"
INT = "int"
BOOL = "bool"
ARRAY = "array"
INT_ARRAY = "array[int]"
BOOL_ARRAY = "array[bool]"
SEQ = "seq"
"""A tuple or list holding numbers or arrays, differentiated element by element."""
OBJECT = "object"
"""A value with no derivative and no arithmetic: a shape, a slice, ``None``, a string."""
TAPE = "tape"
"""The type of the list reverse mode pushes primal values on inside regions."""
RESIDUALS = "residuals"
"""The type of the tuple of values a forward sweep hands to its backward sweep."""

TEMPORARY = ""
"""Name hint of a value that has no name in the source (printed as ``t1``, ``t2``...)."""


@dataclass(frozen=True)
class Loc:
    """A position in the user's source: 1-based line and column."""

    line: int
    col: int


NOT_CONSTANT = object()
"""The :attr:`Value.constant` of a value not known when the code is generated."""


class Value:
    """An SSA value: defined once, by an op result or a block argument.

    ``constant`` is the value of a ``const`` op's result (``NOT_CONSTANT``
    for every other value): static arguments such as ``axis`` are read from it.
    """

    __slots__ = ("name", "type", "hint", "constant")

    def __init__(self, name: str, type: str, hint: str, constant: Any = NOT_CONSTANT):
        self.name = name
        self.type = type
        self.hint = hint
        self.constant = constant

    def copy(self) -> "Value":
        """A value with the same name, type, hint and constant."""
        return Value(self.name, self.type, self.hint, self.constant)

    @property
    def is_temporary(self) -> bool:
        """True when the value has no name in the source program."""
        return self.hint == TEMPORARY

    def __repr__(self) -> str:
        return f"Value({self.name}: {self.type})"


@dataclass(eq=False)
class Op:
    """An operation: ``results = name(operands) {attrs}`` with optional regions.

    ``exact`` marks an op of the user's own program: simplification must keep
    its floating-point result bit for bit (derivative ops follow real algebra).
    """

    name: str
    operands: list[Value]
    results: list[Value]
    attrs: dict[str, Any] = field(default_factory=dict)
    regions: list["Block"] = field(default_factory=list)
    loc: Loc | None = None
    exact: bool = False

    @property
    def result(self) -> Value:
        """The single result of an op that has exactly one."""
        if len(self.results) != 1:
            raise ValueError(f"op {self.name} has {len(self.results)} results")
        return self.results[0]


@dataclass(eq=False)
class Block:
    """A straight-line list of ops with block arguments (a region's body)."""

    args: list[Value] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)

    @property
    def terminator(self) -> Op | None:
        """The final ``yield``/``return`` op, if present."""
        if self.ops and self.ops[-1].name in TERMINATORS:
            return self.ops[-1]
        return None


@dataclass(frozen=True)
class FunctionType:
    """Parameter types -> result types."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    def __str__(self) -> str:
        return f"({', '.join(self.inputs)}) -> ({', '.join(self.outputs)})"


@dataclass(eq=False)
class Function:
    """A function: parameters are the body's block arguments; the body ends in ``return``.

    ``defaults`` holds the default values of the trailing parameters (Python
    literals), ``file`` and ``line`` where it was lowered from, ``doc`` the
    docstring the generated code gets and ``module`` the :class:`~.module.Module`
    it belongs to, where its ``call`` ops find their callees.
    """

    name: str
    body: Block
    defaults: tuple[Any, ...] = ()
    file: str | None = None
    line: int | None = None
    doc: str | None = None
    module: Any = field(default=None, repr=False)
    names: "NameTable" = field(default_factory=lambda: NameTable())
    inferred: set[str] = field(default_factory=set)
    """Parameters whose kind (number or array) was inferred, having no annotation."""
    one_tuple: bool = False
    """It returns a tuple of one value (``return (y,)``), which ``returned`` holds bare."""

    @property
    def params(self) -> list[Value]:
        """The parameters, in order."""
        return self.body.args

    @property
    def callees(self) -> list["Function"]:
        """The other functions of its module."""
        others = self.module if self.module is not None else []
        return [f for f in others if f is not self]

    @property
    def returned(self) -> list[Value]:
        """The values the function returns."""
        term = self.body.terminator
        return list(term.operands) if term is not None else []

    @property
    def type(self) -> FunctionType:
        """The function's type."""
        return FunctionType(
            tuple(p.type for p in self.params), tuple(v.type for v in self.returned)
        )

    def walk(self) -> Iterator[Op]:
        """Every op, in program order, nested regions included."""
        return walk_block(self.body)


def walk_block(block: Block) -> Iterator[Op]:
    """Every op of ``block`` in program order, descending into regions."""
    return walk_ops(block.ops)


def walk_ops(ops: list[Op]) -> Iterator[Op]:
    """Every op of ``ops`` and of their regions, in program order."""
    for op in ops:
        yield op
        for region in op.regions:
            yield from walk_ops(region.ops)


class NameTable:
    """Hands out unique value names within one function.

    Source identifiers are *reserved* up front so that the suffixed versions
    of one variable (``x_1``, ``x_2``) never collide with another source name.
    """

    def __init__(self, reserved: set[str] | None = None):
        self.taken: set[str] = set()
        self.reserved: set[str] = set(reserved or ())
        self.temporaries = 0
        self.constants = 0

    def fresh(self, hint: str) -> str:
        """A new unique name derived from ``hint`` (a temporary if empty)."""
        if hint == TEMPORARY:
            while True:
                self.temporaries += 1
                name = f"t{self.temporaries}"
                if name not in self.taken and name not in self.reserved:
                    break
        elif hint not in self.taken:
            name = hint
        else:
            k = 1
            while f"{hint}_{k}" in self.taken or f"{hint}_{k}" in self.reserved:
                k += 1
            name = f"{hint}_{k}"
        self.taken.add(name)
        return name


class Builder:
    """Appends ops to a block of a function, naming their results uniquely.

    Ops built by an ``exact`` builder are marked :attr:`Op.exact`.
    """

    def __init__(
        self, function: Function, block: Block | None = None, exact: bool = False
    ):
        self.function = function
        self.block = function.body if block is None else block
        self.exact = exact

    def value(self, hint: str, type: str) -> Value:
        """A fresh value (not yet defined by anything)."""
        return Value(self.function.names.fresh(hint), type, hint)

    def op(
        self,
        name: str,
        operands: list[Value],
        result_types: list[str],
        *,
        hints: list[str] | None = None,
        attrs: dict[str, Any] | None = None,
        regions: list[Block] | None = None,
        loc: Loc | None = None,
    ) -> Op:
        """Append ``name(operands)`` with results of the given types and return the op."""
        hints = hints or [TEMPORARY] * len(result_types)
        results = [self.value(h, t) for h, t in zip(hints, result_types)]
        op = Op(
            name,
            list(operands),
            results,
            dict(attrs or {}),
            list(regions or []),
            loc,
            self.exact,
        )
        if name == "const":
            op.result.constant = op.attrs["value"]
        self.block.ops.append(op)
        return op

    def const(self, value: Any, loc: Loc | None = None) -> Value:
        """A constant: a number, or a static value (see :func:`type_of_constant`)."""
        return self.op(
            "const", [], [type_of_constant(value)], attrs={"value": value}, loc=loc
        ).result

    def ret(self, values: list[Value], loc: Loc | None = None) -> Op:
        """Terminate the function body with ``return values``."""
        return self.op("return", values, [], loc=loc)


ARRAYS = (ARRAY, INT_ARRAY, BOOL_ARRAY)
DIFFERENTIABLE = (FLOAT, ARRAY, SEQ)
"""The types that carry tangents and adjoints."""


def is_array(type: str) -> bool:
    """True for the NumPy array types."""
    return type in ARRAYS


def as_array(type: str) -> str:
    """The array type whose elements have scalar type ``type``."""
    return {INT: INT_ARRAY, BOOL: BOOL_ARRAY}.get(type, ARRAY)


def element_type(type: str) -> str:
    """The scalar type of the elements of an array type (a scalar type is its own)."""
    return {ARRAY: FLOAT, INT_ARRAY: INT, BOOL_ARRAY: BOOL}.get(type, type)


def join_types(types: list[str]) -> str:
    """The type of a value that may be any of ``types`` (an ``if``'s result, a
    loop-carried value): an array if any is, of the widest element type."""
    kinds = set(types)
    if len(kinds) == 1:
        return types[0]
    for special in (OBJECT, SEQ, TAPE, RESIDUALS):
        if special in kinds:
            return special
    elements = {element_type(t) for t in kinds}
    element = BOOL if elements == {BOOL} else INT if elements <= {INT, BOOL} else FLOAT
    return as_array(element) if any(is_array(t) for t in kinds) else element


def type_of_constant(value: Any) -> str:
    """The IR type of a constant: a number, or a static value such as ``None``,
    a string, ``...`` or a tuple of those."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if _is_static(value):
        return OBJECT
    raise TypeError(f"unsupported constant {value!r}")


def _is_static(value: Any) -> bool:
    if value is None or value is Ellipsis or isinstance(value, (str, int, float)):
        return True
    return isinstance(value, tuple) and all(_is_static(v) for v in value)


def new_function(
    name: str,
    params: list[tuple[str, str]],
    reserved: set[str] | None = None,
    **kwargs: Any,
) -> Function:
    """An empty function with parameters given as ``(name, type)`` pairs."""
    function = Function(name, Block(), names=NameTable(reserved), **kwargs)
    builder = Builder(function)
    function.body.args = [builder.value(pname, ptype) for pname, ptype in params]
    return function
