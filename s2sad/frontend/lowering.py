"""Python source -> IR: reads a function with ``inspect`` and ``ast`` and lowers it to SSA.

Variables are renamed into SSA values as they are assigned; names that are not
local are resolved, at transformation time, in the function's globals,
closure and builtins: numbers become constants and callables become
primitives of the rule table.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .. import runtime
from ..checkpoints import checkpoint, is_checkpointed
from ..errors import NoDerivativeRuleError, UnsupportedSyntaxError
from ..ir.core import (
    ARRAY,
    BOOL,
    FLOAT,
    INT,
    TEMPORARY,
    Builder,
    Function,
    Value,
    is_array,
    new_function,
)
from .arrays import ArrayLowering, IteratedRows
from .lists import ListLowering
from .control_flow import ControlFlowLowering
from .loop_sources import LoopSourceLowering
from .side_effects import SideEffectLowering
from ..ir.operators import BINARY, COMPARISONS
from ..ir.ops import CHECKPOINT
from .source import SourceInfo, is_library
from ..rules.registry import (
    DEFAULT,
    PRIMITIVES,
    Primitive,
    arities,
    lookup_call,
    lookup_callable,
    lookup_syntax,
    registered,
    specialized,
)

USER = "user"
RULE = "rule"
"""Lowering modes: a user's function, or a derivative rule (which may use ``a if c else b``)."""

VARIADIC = (min, max)
"""Callables whose calls with more than two arguments are folded left into two-argument calls."""

UNSUPPORTED = {
    ast.Try: ("try statement", "differentiate the code inside the try block instead"),
    ast.With: (
        "with statement",
        "move the with block outside the differentiated function",
    ),
    ast.Lambda: ("lambda", "define a module-level function and register a rule for it"),
    ast.Global: ("global statement", "pass the value as a parameter instead"),
    ast.Nonlocal: ("nonlocal statement", "pass the value as a parameter instead"),
    ast.ListComp: (
        "list comprehension",
        "build the list in a for loop: v = [0.0] * n, then v[i] = ... in the loop",
    ),
    ast.SetComp: ("set comprehension", "write the computation out element by element"),
    ast.DictComp: (
        "dict comprehension",
        "write the computation out element by element",
    ),
    ast.GeneratorExp: (
        "generator expression",
        "write the computation out element by element",
    ),
    ast.FunctionDef: ("nested function definition", "define helpers at module level"),
    ast.ClassDef: ("class definition", "define classes at module level"),
    ast.Import: ("import statement", "import modules at module level"),
    ast.ImportFrom: ("import statement", "import modules at module level"),
    ast.Delete: (
        "del statement",
        "remove the del statement; values are immutable here",
    ),
    ast.Raise: ("raise statement", "check inputs before calling the derivative"),
    ast.Yield: ("yield", "generators cannot be differentiated; return a value"),
    ast.YieldFrom: (
        "yield from",
        "generators cannot be differentiated; return a value",
    ),
    ast.Await: ("await", "async code cannot be differentiated"),
    ast.AsyncFunctionDef: ("async function", "async code cannot be differentiated"),
    ast.Dict: ("dict display", "dicts are not supported yet; use separate variables"),
    ast.Set: ("set display", "sets are not supported yet; use separate variables"),
    ast.JoinedStr: ("f-string", "strings cannot be differentiated"),
    ast.NamedExpr: ("assignment expression (:=)", "assign with a separate statement"),
    ast.Starred: ("starred expression", "pass arguments one by one"),
    ast.Match: ("match statement", "use if / elif / else"),
    ast.AsyncFor: ("async for", "async code cannot be differentiated"),
    ast.AsyncWith: ("async with", "async code cannot be differentiated"),
}


@dataclass
class Callee:
    """What a call site needs to know of a function being lowered (possibly recursively)."""

    name: str
    params: int
    defaults: tuple[Any, ...]
    results: int
    function: Function | None = None
    """The lowered function, once lowering it has finished."""
    scalars: set[int] = field(default_factory=set)
    """Indices of the parameters lowered as numbers."""
    required: set[int] = field(default_factory=set)
    """Indices of the parameters that can only be numbers (annotated, or used so)."""
    uses_arrays: bool = False
    """It calls NumPy, indexes, or calls a helper that does."""
    one_tuple: bool = False
    """It returns a tuple of one value (``return (y,)``): a call used as a value is that tuple."""
    array_writes: dict[int, Exception] = field(default_factory=dict)
    """Unannotated parameters an augmented assignment (``s *= 2``) writes into
    in place if they are arrays (a number is rebound) -> the refusal of a call
    that passes an array for one."""


class ArrayForNumber(Exception):
    """A call passes arrays for parameters annotated ``float`` (their ``indices``)."""

    def __init__(self, indices: list[int]):
        super().__init__(indices)
        self.indices = indices


class Lowering(
    ControlFlowLowering,
    LoopSourceLowering,
    SideEffectLowering,
    ArrayLowering,
    ListLowering,
):
    """Lowers one function's statements and expressions to IR; the mixins add
    control flow, loop sources, side effects, arrays and lists.  ``program`` is
    the :class:`~s2sad.frontend.program.Program` that resolves helper calls."""

    def __init__(
        self,
        fn: Callable[..., Any],
        node: ast.FunctionDef,
        info: SourceInfo,
        mode: str,
        program: Any,
        kinds: dict[str, str] | None = None,
        helper: bool = False,
    ):
        self.fn = fn
        self.is_helper = helper
        """A function called by the one being differentiated (it may not write into its arguments)."""
        self.kinds = kinds or {}
        self.provisional = mode == USER and kinds is None
        """A first lowering, with unannotated parameters arrays, only to find their kinds."""
        self.program = program
        self.node = node
        self.info = info
        self.mode = mode
        self.scope = _scope_of(fn)
        self.env: dict[str, Value] = {}
        self.out_of_scope: dict[str, tuple[str, str]] = {}
        """Names a construct left undefined or unknown -> the error and hint of a read."""
        self.loop_flags: list[dict[str, str]] = []
        self.loop_aliases: list[dict[str, str]] = []
        """Per enclosing loop: names carried as another name's array (``z = y``)."""
        self.return_slots: tuple[str, list[str]] | None = None
        self.result_count = result_count(node)
        self.tuples: dict[Value, list[Value]] = {}
        """Tuples this function builds -> their elements (``t[0]`` is ``t``'s first)."""
        self.views: dict[Value, set[Value]] = {}
        self.outside: dict[Value, str] = {}
        """Arrays read from outside the function (module-level, closed over), by name."""
        """Array values that may share memory with others (``y[1:]``, ``y.T``, an
        ``if`` that yields ``y``) -> those values."""
        self.stale: dict[str, tuple[str, str]] = {}
        """Names that may no longer be read (a write through a view), with the error and hint."""
        self.iterated: list[IteratedRows] = []
        """The arrays enclosing ``for row in X`` loops run over, innermost last."""
        self.array_writes: dict[int, Exception] = {}
        """As :attr:`Callee.array_writes`, for this function."""

    def error(self, cls: type, node: ast.AST, message: str, hint: str) -> Exception:
        loc = self.info.loc(node)
        return cls(message, file=self.info.file, line=loc.line, col=loc.col, hint=hint)

    def unsupported(self, node: ast.AST) -> Exception:
        construct, hint = UNSUPPORTED.get(
            type(node), (type(node).__name__, "rewrite this construct")
        )
        return self.error(
            UnsupportedSyntaxError, node, f"unsupported construct: {construct}", hint
        )

    def run(self) -> Function:
        self.inferred: set[str] = set()
        params = self._params()
        names = [n for n in ast.walk(self.node) if isinstance(n, ast.Name)]
        reserved = {n.id for n in names}
        self.reserved_names = set(reserved)
        self.assigned = {n.id for n in names if isinstance(n.ctx, ast.Store)}
        self.find_containers()
        function = new_function(
            self.node.name,
            params,
            reserved | {p for p, _ in params},
            defaults=self._defaults(),
            file=self.info.file,
            line=self.info.loc(self.node).line,
        )
        self.builder = Builder(function, exact=self.mode == USER)
        for param in function.params:
            self.env[param.name] = param
        body = (
            self.node.body[1:] if _is_docstring(self.node.body[0]) else self.node.body
        )
        values = self.returning_body(body)
        self.builder.ret(values, loc=self.info.loc(self.last_return))
        function.inferred = self.inferred
        return function

    def _params(self) -> list[tuple[str, str]]:
        args = self.node.args
        for extra, what in ((args.vararg, "*args"), (args.kwarg, "**kwargs")):
            if extra is not None:
                raise self.error(
                    UnsupportedSyntaxError,
                    extra,
                    f"unsupported construct: {what} parameter",
                    "list the parameters one by one",
                )
        if args.kwonlyargs:
            raise self.error(
                UnsupportedSyntaxError,
                args.kwonlyargs[0],
                "unsupported construct: keyword-only parameter",
                "make it an ordinary positional parameter",
            )
        params = []
        for arg in args.posonlyargs + args.args:
            annotated = _annotated_type(arg)
            if annotated is None and self.mode == USER:
                self.inferred.add(arg.arg)
            params.append(
                (
                    arg.arg,
                    self.kinds.get(arg.arg)
                    or annotated
                    or (ARRAY if self.mode == USER else FLOAT),
                )
            )
        return params

    def _defaults(self) -> tuple[Any, ...]:
        values = []
        for node in self.node.args.defaults:
            try:
                value = ast.literal_eval(node)
            except ValueError:
                value = None
            if not _is_number(value):
                raise self.error(
                    UnsupportedSyntaxError,
                    node,
                    "unsupported construct: non-numeric default value",
                    "defaults must be int or float literals",
                )
            values.append(value)
        return tuple(values)

    # ------------------------------------------------------------ statements

    def statement(self, stmt: ast.stmt) -> None:
        """Lower one statement into the current block."""
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
            if len(stmt.targets) > 1:
                raise self.error(
                    UnsupportedSyntaxError,
                    stmt,
                    "unsupported construct: chained assignment into an array",
                    "write each assignment on its own line",
                )
            self.store_subscript(stmt.targets[0], stmt.value)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self._check_target(target)
            for target in stmt.targets:
                self._assign(target, stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._check_target(stmt.target)
            self._assign(stmt.target, stmt.value)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Subscript):
            self.store_subscript(stmt.target, stmt.value, stmt.op)
        elif isinstance(stmt, ast.AugAssign):
            self._check_target(stmt.target)
            self.augmented_array(stmt.target, stmt.value, stmt.op)
            before = self.env.get(stmt.target.id)
            value = ast.BinOp(
                left=ast.Name(stmt.target.id, ast.Load()), op=stmt.op, right=stmt.value
            )
            ast.copy_location(value, stmt)
            ast.copy_location(value.left, stmt.target)
            self._assign(stmt.target, value)
            self.refuse_casting_update(stmt, before)
        elif isinstance(stmt, ast.If):
            self.if_statement(stmt)
        elif isinstance(stmt, ast.For):
            self.for_statement(stmt)
        elif isinstance(stmt, ast.While):
            self.while_statement(stmt)
        elif isinstance(stmt, ast.Pass) or _is_docstring(stmt):
            pass
        elif isinstance(stmt, ast.Expr) and self.is_print(stmt.value):
            self.print_statement(stmt.value)
        elif isinstance(stmt, ast.Assert):
            self.assert_statement(stmt)
        elif isinstance(stmt, ast.Expr) and isinstance(
            stmt.value, (ast.Yield, ast.YieldFrom, ast.Await)
        ):
            raise self.unsupported(stmt.value)
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and self.list_method(stmt.value)
        ):
            pass
        elif isinstance(stmt, ast.Expr):
            raise self.error(
                UnsupportedSyntaxError,
                stmt,
                "unsupported construct: expression statement",
                "differentiated functions must be pure; assign the value or remove the statement",
            )
        else:
            raise self.unsupported(stmt)

    def _check_target(self, target: ast.expr) -> None:
        names = target.elts if isinstance(target, ast.Tuple) else [target]
        for name in names:
            if not isinstance(name, ast.Name):
                raise self.error(
                    UnsupportedSyntaxError,
                    name,
                    f"unsupported construct: assignment to {ast.unparse(name)}",
                    "assign to plain variable names",
                )

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            container = self.list_value(target.id, value)
            self.env[target.id] = (
                self.expr(value, hint=target.id) if container is None else container
            )
            self.stale.pop(target.id, None)
            return
        elements = self.values(value, len(target.elts))
        for name, element in zip(target.elts, elements):
            if element.is_temporary:
                element.hint = name.id
                element.name = self.builder.function.names.fresh(name.id)
            self.env[name.id] = element
            self.stale.pop(name.id, None)

    def returned_values(self, stmt: ast.Return) -> list[Value]:
        """The values a ``return`` statement returns."""
        self.last_return = stmt
        if stmt.value is None:
            raise self.error(
                UnsupportedSyntaxError,
                stmt,
                "return without a value",
                "return the value to differentiate",
            )
        if isinstance(stmt.value, ast.Tuple):
            return [self.expr(element) for element in stmt.value.elts]
        if isinstance(stmt.value, ast.Call) and _is_helper(
            self._resolve_quietly(stmt.value.func)
        ):
            return self.values(stmt.value)
        return [self.expr(stmt.value, hint=self.node.name)]

    # ------------------------------------------------------------ expressions

    def expr(self, node: ast.expr, hint: str = TEMPORARY) -> Value:
        """Lower an expression; its outermost op's result is named ``hint``."""
        if isinstance(node, ast.Constant):
            if not _is_number(node.value):
                raise self.error(
                    UnsupportedSyntaxError,
                    node,
                    f"unsupported constant {node.value!r}",
                    "only int, float and bool literals can appear in differentiated code",
                )
            return self.builder.const(node.value, loc=self.info.loc(node))
        if isinstance(node, ast.Name):
            return self.name_value(node)
        if isinstance(node, ast.Attribute) and self.is_local(node):
            return self.attribute(node, hint)
        if isinstance(node, ast.Attribute):
            return self._external_constant(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node, hint)
        if isinstance(node, ast.BinOp):
            self.refuse_list_operator(node)
            symbol = self.operator_symbol(node.op)
            return self._primitive_op(
                node, ("binop", symbol), [node.left, node.right], hint
            )
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, hint)
        if isinstance(node, ast.Compare):
            return self.compare(node, hint)
        if isinstance(node, ast.IfExp) and self.mode == RULE:
            return self._primitive_op(
                node, ("ifexp", ""), [node.test, node.body, node.orelse], hint
            )
        if isinstance(node, ast.IfExp):
            return self.if_expression(node, hint)
        if isinstance(node, ast.BoolOp):
            return self.bool_operation(node, hint)
        if isinstance(node, ast.Call):
            return self._call(node, hint)
        if isinstance(node, (ast.Tuple, ast.List)):
            return self.argument(node)
        raise self.unsupported(node)

    def name_value(self, node: ast.Name) -> Value:
        """A name read: a local value, an error where it cannot be read, or a
        module-level constant."""
        if node.id in self.stale:
            message, why = self.stale[node.id]
            raise self.error(UnsupportedSyntaxError, node, message, why)
        if node.id in self.env:
            return self.env[node.id]
        if node.id in self.out_of_scope:
            message, why = self.out_of_scope[node.id]
            raise self.error(UnsupportedSyntaxError, node, message, why)
        return self._external_constant(node)

    def unary(self, node: ast.UnaryOp, hint: str) -> Value:
        """``+a``, ``-a`` (a negative literal folded) and ``not a``."""
        if isinstance(node.op, ast.UAdd):
            return self.expr(node.operand, hint)
        if isinstance(node.op, ast.USub):
            operand = node.operand
            if isinstance(operand, ast.Constant) and _is_number(operand.value):
                return self.builder.const(-operand.value, loc=self.info.loc(node))
            return self._primitive_op(node, ("unary", "-"), [operand], hint)
        if isinstance(node.op, ast.Not):
            operand = self.truth(self.expr(node.operand))
            entry = lookup_syntax("unary", "not")
            return self.apply(entry, [operand], node, hint)
        raise self.error(
            UnsupportedSyntaxError,
            node,
            f"unsupported construct: unary {type(node.op).__name__}",
            "only +, - and not are supported",
        )

    def compare(self, node: ast.Compare, hint: str) -> Value:
        """``a < b``; a chain ``a < b < c`` as ``a < b and b < c`` (not in rules)."""
        if len(node.ops) > 1 and self.mode != RULE:
            return self.comparison_chain(node, hint)
        if len(node.ops) != 1:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                "unsupported construct: chained comparison",
                "compare two values at a time",
            )
        symbol = COMPARISONS.get(type(node.ops[0]))
        return self._primitive_op(
            node, ("compare", symbol), [node.left, node.comparators[0]], hint
        )

    def _primitive_op(
        self,
        node: ast.expr,
        syntax: tuple[str, str | None],
        args: list[ast.expr],
        hint: str,
    ) -> Value:
        entry = self.syntax_entry(syntax, node)
        return self.apply(entry, [self.expr(a) for a in args], node, hint)

    def syntax_entry(self, syntax: tuple[str, str | None], node: ast.AST) -> Primitive:
        """The primitive an operator spells; an error naming the operator if none."""
        entry = lookup_syntax(*syntax) if syntax[1] is not None else None
        if entry is None:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"unsupported construct: operator in `{ast.unparse(node)}`",
                "use + - * / // % ** @ and comparisons",
            )
        return entry

    @staticmethod
    def operator_symbol(op: ast.operator) -> str | None:
        """The symbol of a binary operator node (``+``), None if s2sad has none."""
        return BINARY.get(type(op))

    def apply(
        self, entry: Primitive, operands: list[Value], node: ast.AST, hint: str
    ) -> Value:
        """Append ``entry(operands)``, or its array twin when an operand is an array."""
        entry, result_type = specialized(entry, operands)
        op = self.builder.op(
            entry.name, operands, [result_type], hints=[hint], loc=self.info.loc(node)
        )
        if entry.view:
            self.may_share(op.result, operands[:1])
        return op.result

    def _call(self, node: ast.Call, hint: str) -> Value:
        if isinstance(node.func, ast.Attribute) and self.is_local(node.func):
            return self.method_call(node, hint)
        callee = self._resolve(node.func)
        return self.call_primitive(callee, node, hint, ast.unparse(node.func))

    def call_primitive(
        self, callee: Any, node: ast.Call, hint: str, name: str
    ) -> Value:
        """A call of ``callee`` (spelled ``name``): a primitive, a helper, or an error."""
        keywords = {k.arg: k.value for k in node.keywords}
        if None in keywords:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"unsupported construct: ** argument in call to {name}",
                "pass arguments by name one by one",
            )
        if callee is builtins.sum:
            return self.builtin_sum(node, hint)
        variadic = any(callee is v for v in VARIADIC)
        if variadic and len(node.args) > 2 and not keywords:
            return self.folded_call(callee, node, hint)
        entry = lookup_call(callee, node.args, keywords)
        if entry is not None:
            bound = entry.bind(node.args, keywords)
            defaults = entry.defaults()
            operands = [
                (
                    self.builder.const(defaults[arg])
                    if value is DEFAULT
                    else self.argument(value)
                )
                for arg, value in zip(entry.args, bound)
            ]
            return self.apply(entry, operands, node, hint)
        if registered(callee) and not arities(callee):
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"{name}() does not take these arguments: `{ast.unparse(node)}`",
                f"s2sad supports {name}({_signature_text(registered(callee))})",
            )
        if keywords and _is_helper(callee):
            raise self.error(
                UnsupportedSyntaxError,
                node.keywords[0].value,
                f"unsupported construct: keyword argument in call to {name}",
                "pass arguments by position",
            )
        args = [self.expr(a) for a in node.args]
        if _is_helper(callee) and self.mode == USER:
            return self.helper_value(callee, args, node, hint)
        raise self.unknown_call(callee, node, name, len(args), keywords)

    def folded_call(self, callee: Any, node: ast.Call, hint: str) -> Value:
        """``min(a, b, c)`` as ``min(min(a, b), c)``: two arguments at a time."""
        args = [self.expr(a) for a in node.args]
        pair = lookup_callable(callee, 2)
        result = args[0]
        for arg in args[1:-1]:
            result = self.apply(pair, [result, arg], node, TEMPORARY)
        return self.apply(pair, [result, args[-1]], node, hint)

    def helper_value(
        self, callee: Callable[..., Any], args: list[Value], node: ast.Call, hint: str
    ) -> Value:
        """A call of the user's function ``callee`` used as one value."""
        results = self.call_helper(callee, args, node, hint)
        if self.program.callees[callee].one_tuple:
            return self.pack(results, node, "tuple")
        if len(results) != 1:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"{ast.unparse(node.func)} returns {len(results)} values here used as one",
                "unpack them: a, b = f(x)",
            )
        return results[0]

    def unknown_call(
        self, callee: Any, node: ast.Call, name: str, count: int, keywords: dict
    ) -> Exception:
        """The error for a call of ``callee`` with ``count`` arguments that s2sad
        cannot lower: wrong arguments to a primitive, or no rule at all."""
        known = arities(callee)
        if known and keywords:
            entry = registered(callee)[0]
            return self.error(
                UnsupportedSyntaxError,
                node.keywords[0].value,
                f"{name}() does not take the keyword argument(s) "
                f"{', '.join(keywords)} here (`{ast.unparse(node)}`)",
                f"call it as {name}({', '.join(entry.args)}), without "
                f"{', '.join(k + '=' for k in keywords)}",
            )
        if known:
            counts = " or ".join(str(k) for k in known)
            return self.error(
                UnsupportedSyntaxError,
                node,
                f"{name}() called with {count} argument(s); s2sad supports {counts}",
                f"call {name} with {counts} argument(s)",
            )
        registrable = getattr(callee, "__module__", None) and hasattr(
            callee, "__qualname__"
        )
        return self.error(
            NoDerivativeRuleError,
            node,
            f"no derivative rule for {name}() (called as `{ast.unparse(node)}`)",
            (
                f"register one with @s2sad.derivative_rule({name}); see s2sad.derivative_rule's docstring"
                if registrable
                else f"call {name} from a module-level Python function and register a "
                "rule for that function with @s2sad.derivative_rule"
            ),
        )

    def call_helper(
        self, fn: Callable[..., Any], args: list[Value], node: ast.Call, hint: str
    ) -> list[Value]:
        """A ``call`` op to the user's own function ``fn`` (lowered too, once)."""
        arrays = (
            set()
            if self.provisional
            else {k for k, a in enumerate(args) if is_array(a.type)}
        )
        try:
            callee = self.program.callee(fn, arrays)
        except ArrayForNumber as refused:
            names = ", ".join(
                inspect.getfullargspec(fn).args[k] for k in refused.indices
            )
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"{ast.unparse(node.func)}() is passed an array for {names}, annotated float",
                "annotate it np.ndarray, or leave it unannotated",
            ) from None
        missing = callee.params - len(args)
        if missing < 0 or missing > len(callee.defaults):
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"{ast.unparse(node.func)}() takes {callee.params} argument(s), got {len(args)}",
                "pass one value per parameter",
            )
        if missing:
            args = args + [self.builder.const(d) for d in callee.defaults[-missing:]]
        hints = [hint] if callee.results == 1 else [TEMPORARY] * callee.results
        if callee.function is not None:
            types = [v.type for v in callee.function.returned]
        else:
            kind = ARRAY if any(is_array(a.type) for a in args) else FLOAT
            types = [kind] * callee.results
        op = self.builder.op(
            "call",
            args,
            types,
            hints=hints,
            attrs={
                "callee": callee.name,
                **({CHECKPOINT: True} if is_checkpointed(fn) else {}),
            },
            loc=self.info.loc(node),
        )
        for result in op.results:
            self.may_share(result, args)
        return op.results

    def values(self, node: ast.expr, count: int | None = None) -> list[Value]:
        """The values of a tuple display, or of a call to a helper returning several."""
        if isinstance(node, ast.Tuple):
            values = [self.expr(element) for element in node.elts]
        elif isinstance(node, ast.Call) and _is_helper(
            self._resolve_quietly(node.func)
        ):
            if node.keywords:
                return [self._call(node, TEMPORARY)]
            args = [self.expr(a) for a in node.args]
            values = self.call_helper(self._resolve(node.func), args, node, TEMPORARY)
        elif count is not None:
            values = self.unpack_sequence(self.expr(node), count, node)
        else:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                "unsupported construct: unpacking a non-tuple",
                "unpack a tuple display such as `a, b = x, y`, or a call returning several values",
            )
        if count is not None and len(values) != count:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"cannot unpack {len(values)} values into {count} names",
                "make both sides the same length",
            )
        return values

    def _resolve_quietly(self, node: ast.expr) -> Any:
        try:
            return self._resolve(node)
        except UnsupportedSyntaxError:
            return None

    def _resolve(self, node: ast.expr) -> Any:
        """The Python object a dotted name refers to at transformation time."""
        if isinstance(node, ast.Name):
            if node.id in self.env:
                raise self.error(
                    UnsupportedSyntaxError,
                    node,
                    f"cannot call the local value {node.id}",
                    "call module-level functions only",
                )
            if node.id in self.assigned:
                raise self.error(
                    UnsupportedSyntaxError,
                    node,
                    f"local variable {node.id!r} is used before it is assigned",
                    "assign it earlier (Python would raise UnboundLocalError here)",
                )
            if node.id in self.scope:
                return self.scope[node.id]
            if hasattr(builtins, node.id):
                return getattr(builtins, node.id)
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"name {node.id!r} is not defined",
                "s2sad resolves names when the derivative is built: define it before calling grad/jvp/vjp",
            )
        if isinstance(node, ast.Attribute):
            owner = self._resolve(node.value)
            if not hasattr(owner, node.attr):
                raise self.error(
                    UnsupportedSyntaxError,
                    node,
                    f"{ast.unparse(node.value)} has no attribute {node.attr!r}",
                    "check the spelling",
                )
            return getattr(owner, node.attr)
        if (
            isinstance(node, ast.Call)
            and self._resolve_quietly(node.func) is checkpoint
        ):
            if len(node.args) != 1 or node.keywords:
                raise self.error(
                    UnsupportedSyntaxError,
                    node,
                    f"s2sad.checkpoint takes one function: `{ast.unparse(node)}`",
                    "write s2sad.checkpoint(helper)(arguments)",
                )
            target = self._resolve(node.args[0])
            try:
                return checkpoint(target)
            except UnsupportedSyntaxError as refused:
                raise self.error(
                    UnsupportedSyntaxError, node.args[0], refused.message, refused.hint
                ) from None
        raise self.error(
            UnsupportedSyntaxError,
            node,
            f"unsupported construct: call of `{ast.unparse(node)}`",
            "call functions by name, e.g. math.sin(x)",
        )

    def _external_constant(self, node: ast.expr) -> Value:
        """A name from outside the function read as a constant: a number, a tuple
        or list of numbers (folded in), or a NumPy array (read by name)."""
        value = self._resolve(node)
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            value = value.item()
        if _is_number(value):
            return self.builder.const(value, loc=self.info.loc(node))
        static = _static_sequence(value)
        if static is not None:
            return self.builder.const(static, loc=self.info.loc(node))
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            return self._constant_array(node, value)
        raise self.error(
            UnsupportedSyntaxError,
            node,
            f"`{ast.unparse(node)}` is {type(value).__name__}, not a number or array",
            "only numbers, tuples or lists of numbers and NumPy arrays from outside "
            "the function can be used as values; pass it as a parameter",
        )

    def _constant_array(self, node: ast.expr, value: np.ndarray) -> Value:
        """``runtime.constant(module, name, digest)``: a module-level array read by
        its name, a closed-over one through the runtime's registry."""
        digest = value_digest(value)
        module = getattr(self.fn, "__module__", None)
        text = ast.unparse(node)
        if (
            isinstance(node, ast.Name)
            and module
            and getattr(self.fn, "__globals__", {}).get(node.id) is value
        ):
            where = (module, node.id)
        elif isinstance(node, ast.Attribute) and inspect.ismodule(
            self._resolve_quietly(node.value)
        ):
            where = (self._resolve(node.value).__name__, node.attr)
        else:
            key = f"{self.fn.__qualname__}.{text}@{digest}"
            runtime.CLOSED_OVER[key] = value
            where = ("<closure>", key)
        operands = [self.builder.const(v) for v in (*where, digest)]
        array = self.apply(PRIMITIVES["constant"], operands, node, TEMPORARY)
        self.outside[array] = text
        return array


def _scope_of(fn: Callable[..., Any]) -> dict[str, Any]:
    scope = dict(getattr(fn, "__globals__", {}))
    closure = getattr(fn, "__closure__", None) or ()
    for name, cell in zip(fn.__code__.co_freevars, closure):
        try:
            scope[name] = cell.cell_contents
        except ValueError:
            continue
    return scope


def _static_sequence(value: Any) -> tuple | None:
    """A tuple or list of numbers (nested too) as a static tuple, else None."""
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if _is_number(value):
        return value
    if not isinstance(value, (tuple, list)):
        return None
    items = [_static_sequence(v) for v in value]
    return None if any(i is None for i in items) else tuple(items)


def _is_helper(fn: Any) -> bool:
    """A plain Python function of the user's, which s2sad lowers and differentiates too."""
    return inspect.isfunction(fn) and not registered(fn) and not is_library(fn)


def result_count(node: ast.FunctionDef) -> int:
    """How many values ``node`` returns, read from its first ``return``."""
    for child in ast.walk(node):
        if isinstance(child, ast.Return) and child.value is not None:
            return len(child.value.elts) if isinstance(child.value, ast.Tuple) else 1
    return 1


def _signature_text(entries: list[Primitive]) -> str:
    texts = [
        str(e.signature)[1:-1] if e.signature else ", ".join(e.args) for e in entries
    ]
    return ") or (".join(texts)


def _annotated_type(arg: ast.arg) -> str | None:
    """The type an annotation gives: ``float``, ``int``, ``bool``, or an array
    for ``np.ndarray`` / ``NDArray[...]``; None without one."""
    if arg.annotation is None:
        return None
    text = ast.unparse(arg.annotation)
    simple = {"int": INT, "bool": BOOL, "float": FLOAT}
    if text in simple:
        return simple[text]
    if "ndarray" in text or "NDArray" in text or "ArrayLike" in text:
        return ARRAY
    return FLOAT


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, complex)


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def value_digest(value: Any) -> str:
    """A short hash of an array's dtype, shape and contents: a constant the
    generated code reads by name carries it, so the content hash changes with it."""
    array = np.ascontiguousarray(value)
    digest = hashlib.sha256(f"{array.dtype.str} {array.shape}\n".encode())
    digest.update(array.tobytes())
    return digest.hexdigest()[:16]
