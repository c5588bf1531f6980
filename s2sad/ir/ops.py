"""The structural ops of the IR, declared once: their shape, effects and printed form.

A *primitive* (``add``, ``np.sum``) is declared in the rule table
(:mod:`s2sad.rules.registry`); every other op is declared here.  A declaration
says which operands the op takes (named leading operands, then a variadic
group), how many results it has, which regions it owns (each region's leading
block arguments, whether the carried values follow, what it yields), what it
does besides computing its results (its *effects*), whether it ends a block
and how the printer writes it.  The verifier, the printer, the simplifier, the
in-place analysis and the emitter read these declarations; the accessors of
:mod:`s2sad.ir.operands` name the parts of an op (``loop_inits(op)``) so that
no pass slices operand lists by arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY = "any"
"""A count that may be anything."""
CARRIED = "carried"
"""A count equal to the op's number of results (the values a loop or ``if`` carries)."""

TAPE = "tape"
"""Creates, pushes on or pops from reverse mode's tape: never removed, merged or moved."""
STORES = "stores"
"""Keeps its operands for later (on the tape, in a tuple, in a helper's frame):
writing into one in place would change what it keeps."""
RESIDUALS = "residuals"
"""Takes apart the residual tuple a backward sweep starts with: kept first, even unread."""
OUTPUT = "output"
"""Does something the user sees (prints, checks an assertion): never removed."""


@dataclass(frozen=True)
class RegionDecl:
    """One region of a structured op.

    ``args`` names the region's leading block arguments (``for``'s counter);
    when ``carried`` the carried values follow them.  ``yields`` is the count
    of values its ``yield`` returns: :data:`CARRIED`, or a number (``while``'s
    ``before`` region yields its condition).
    """

    label: str
    args: tuple[str, ...] = ()
    carried: bool = False
    yields: str | int = CARRIED


@dataclass(frozen=True)
class OpDecl:
    """A structural op: ``operands`` names the leading operands, ``rest`` the
    variadic group after them and ``rest_count`` its length (:data:`ANY`,
    :data:`CARRIED` or a ``(least, most)`` pair); ``results`` is a number,
    :data:`ANY` or :data:`CARRIED`.

    ``printed`` is how the printer writes it: ``op`` (``r = name(a, b)``),
    ``terminator`` (``yield a, b``), ``literal`` (a constant written where it
    is used) or ``index`` (a static tuple written where it is used, when its
    result is an ``object``).  ``statement`` names the Python statement the
    emitter writes for it.
    """

    name: str
    operands: tuple[str, ...] = ()
    rest: str = ""
    rest_count: str | tuple[int, int] = 0
    results: int | str = 0
    regions: tuple[RegionDecl, ...] = ()
    effects: frozenset[str] = frozenset()
    terminator: bool = False
    printed: str = "op"
    statement: str = "assign"

    @property
    def carries(self) -> bool:
        """True when the variadic operands are the initial values of carried results."""
        return self.rest_count == CARRIED


def _declare(*decls: OpDecl) -> dict[str, OpDecl]:
    return {decl.name: decl for decl in decls}


CHECKPOINTED_LOOP = "checkpointed_loop"
"""The op reversing a checkpointed loop by its schedule (``runtime.checkpointed_loop``)."""
CHECKPOINTED_WHILE = "checkpointed_while"
"""The op reversing a checkpointed ``while`` loop by the online schedule
(``runtime.checkpointed_while``)."""
CHECKPOINTED_SWEEP = "checkpointed_sweep"
"""The op running a checkpointed loop in reverse mode's forward sweep by its
schedule (``runtime.checkpointed_sweep``; ``checkpointed_while_sweep`` for a
``while`` loop, whose sweep names its ``condition``): the state after the
loop, then what the loop's reversal resumes from (the snapshots its schedule
takes on the way)."""

OPS = _declare(
    OpDecl("const", results=1, printed="literal"),
    OpDecl(
        "pack",
        rest="items",
        rest_count=ANY,
        results=1,
        effects=frozenset({STORES}),
        printed="index",
    ),
    OpDecl(
        "unpack",
        ("residuals",),
        results=ANY,
        effects=frozenset({RESIDUALS}),
        statement="tape",
    ),
    OpDecl(
        "call",
        rest="args",
        rest_count=ANY,
        results=ANY,
        effects=frozenset({STORES}),
        statement="call",
    ),
    OpDecl(
        CHECKPOINTED_LOOP,
        ("start", "stop", "step"),
        rest="values",
        rest_count=ANY,
        results=ANY,
        statement="checkpointed",
    ),
    OpDecl(
        CHECKPOINTED_SWEEP,
        ("start", "stop", "step"),
        rest="values",
        rest_count=ANY,
        results=ANY,
        effects=frozenset({STORES}),
        statement="checkpointed_sweep",
    ),
    OpDecl(
        CHECKPOINTED_WHILE,
        rest="values",
        rest_count=ANY,
        results=ANY,
        statement="checkpointed_while",
    ),
    OpDecl("tape", results=1, effects=frozenset({TAPE}), statement="tape"),
    OpDecl(
        "push",
        ("tape",),
        rest="values",
        rest_count=ANY,
        effects=frozenset({TAPE, STORES}),
        statement="tape",
    ),
    OpDecl("pop", ("tape",), results=ANY, effects=frozenset({TAPE}), statement="tape"),
    OpDecl(
        "if",
        ("condition",),
        results=ANY,
        regions=(RegionDecl("then"), RegionDecl("else")),
        statement="if",
    ),
    OpDecl(
        "for",
        ("start", "stop", "step"),
        rest="inits",
        rest_count=CARRIED,
        results=CARRIED,
        regions=(RegionDecl("body", ("counter",), carried=True),),
        statement="for",
    ),
    OpDecl(
        "while",
        rest="inits",
        rest_count=CARRIED,
        results=CARRIED,
        regions=(
            RegionDecl("before", carried=True, yields=1),
            RegionDecl("body", carried=True),
        ),
        statement="while",
    ),
    OpDecl(
        "yield",
        rest="values",
        rest_count=ANY,
        terminator=True,
        printed="terminator",
        statement="none",
    ),
    OpDecl(
        "return",
        rest="values",
        rest_count=ANY,
        terminator=True,
        printed="terminator",
        statement="return",
    ),
    OpDecl(
        "print",
        rest="values",
        rest_count=ANY,
        effects=frozenset({OUTPUT}),
        statement="effect",
    ),
    OpDecl(
        "assert",
        rest="test_and_message",
        rest_count=(1, 2),
        effects=frozenset({OUTPUT}),
        statement="effect",
    ),
)
"""Every structural op, by name."""

CHECKPOINT = "checkpoint"
"""The attribute of a ``call`` op whose callee reverse mode recomputes where its
adjoint is needed instead of storing its intermediates (``s2sad.checkpoint``)."""

CONDITION = "condition"
"""The attribute of a ``call`` op of a checkpointed ``while`` loop's condition
function: reverse mode's online schedule calls it, it has no derivative."""

CHECKPOINTED_REVERSALS = (CHECKPOINTED_LOOP, CHECKPOINTED_WHILE)
"""The ops reversing a checkpointed loop: forward mode follows them with
tangents (a Hessian-vector product), reverse mode does not reverse them again."""

SWEEP = "sweep"
"""The attribute of a checkpointed loop's reversal that resumes from a
``checkpointed_sweep``: its operand after the adjoints is what the sweep kept."""

TANGENTS = "tangents"
"""The attribute of a checkpointed loop's reversal that also carries tangents
(``runtime.checkpointed_loop_jvp``): its operands are followed by the tangents
of those the tangent depends on, its results by their tangents."""

DIRECTIONS = "directions"
"""The attribute of a reversal carrying tangents in batches of directions
(``s2sad.hessian``): its tangents are batches, its last operand their count,
and the runtime runs the schedule once per direction."""

TERMINATORS = tuple(name for name, decl in OPS.items() if decl.terminator)
LOOPS = tuple(name for name, decl in OPS.items() if decl.carries)
"""The ops whose results are carried from one iteration to the next."""
