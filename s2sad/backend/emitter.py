"""One IR function -> one Python ``def``: statements, inlined temporaries, structured control flow.

Each op becomes an assignment to its value's name; temporaries read exactly
once, in the same block, are inlined into the expression that reads them, and
constants are written as literals.  ``if``, ``for`` and ``while`` ops become
the Python statements of the same name: a loop-carried value, the loop's
result and the block argument share one variable, assigned before the loop
and at the end of each iteration.  Each statement carries the source location
of the op it comes from (see :mod:`s2sad.backend.lines`).
"""

from __future__ import annotations

import ast
import copy
import math
from collections import Counter
from typing import Any

from .formatting import LINE_LENGTH
from .lines import SOURCE_LOC
from .bindings import Conflict, first_conflict
from ..errors import InternalError
from ..passes.inplace import basic_index, sharing_memory, writes_in_place
from ..ir.core import (
    NOT_CONSTANT,
    Block,
    Function,
    Op,
    Value,
    is_array,
    walk_ops,
)
from ..ir.operators import BINARY_NODES, COMPARISON_NODES
from ..ir.module import derived_name, reversal_callees
from ..ir.ops import LOOPS, TANGENTS
from ..ir.operands import (
    carried_args,
    declaration,
    loop_inits,
    reversal_parts,
    sweep_parts,
    written_at_each_use,
)
from ..rules.registry import PRIMITIVES, Primitive
from .records import Chunks
from .release import release_dead_arrays


def dotted(name: str) -> ast.expr:
    """The expression ``a.b.c`` for the text ``"a.b.c"``."""
    parts = name.split(".")
    node: ast.expr = ast.Name(parts[0], ast.Load())
    for part in parts[1:]:
        node = ast.Attribute(node, part, ast.Load())
    return node


def literal(value: Any) -> ast.expr:
    """An expression for a constant (negative numbers as ``-x``, so precedence stays right)."""
    if isinstance(value, tuple):
        return ast.Tuple([literal(v) for v in value], ast.Load())
    if value is None or value is Ellipsis or isinstance(value, str):
        return ast.Constant(value)
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return dotted("math.nan")
        node = dotted("math.inf")
        return node if value > 0 else ast.UnaryOp(ast.USub(), node)
    if not isinstance(value, bool) and (
        value < 0 or (value == 0 and math.copysign(1, value) < 0)
    ):
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


class FunctionEmitter:
    """Builds the ``ast.FunctionDef`` of one IR function."""

    def __init__(self, function: Function, chunks: Chunks | None = None):
        self.function = function
        self.chunks = chunks or {}
        """Tape records written over several lines (see :mod:`s2sad.backend.records`)."""
        self.uses = Counter(v for op in function.walk() for v in op.operands)
        self.inline: dict[Value, ast.expr] = {}
        self.names: dict[Value, str] = {}
        self.depth = 0
        self.shape_reads: list[ast.Name] = []
        """The variable reads that ask only for a shape and dtype."""
        self.definer = {r: op for op in function.walk() for r in op.results}
        self.vetoed: set[Value | Op] = set()
        """Values that keep a variable of their own and writes done on a copy,
        because sharing a variable made a read see another value."""
        self.shared: dict[Value, Value | Op] = {}
        """Each value given another value's variable, with what can undo that."""
        writable = writes_in_place(function)
        while True:
            self._name_values(writable - self.vetoed)
            conflict = first_conflict(
                function, self.name, self.inlinable, written_at_each_use
            )
            if conflict is None:
                break
            self.vetoed.add(self._culprit(conflict))

    def _name_values(self, in_place: set[Op]) -> None:
        """Decide which values share a variable (all but the vetoed sharings)."""
        self.names = {}
        self.shared = {}
        self.in_place = in_place
        self.written = {op.operands[0] for op in in_place}
        """Arrays written into in place: they need a variable of their own."""
        self.pinned = sharing_memory(self.function, self.written)
        """Values an in-place write may change: ops reading them are not inlined,
        which would move the read after the write."""
        self._share_loop_variables(self.function.body)
        for op in sorted(in_place, key=_depth_first(self.function)):
            array = op.operands[0]
            if array.is_temporary and array not in self.names:
                self._share(array, self.name(op.result), op)
            self._share(op.result, self.name(array), op)

    def _share(self, value: Value, variable: str, undo: Value | Op | None = None):
        """Give ``value`` the variable ``variable``, unless that was vetoed."""
        undo = value if undo is None else undo
        if undo in self.vetoed:
            return
        self.names[value] = variable
        self.shared[value] = undo

    def _culprit(self, conflict: Conflict) -> Value | Op:
        """The sharing to undo so that ``conflict`` cannot happen again: of a
        value found in the variable, else of the value read, else of any value
        given that variable."""
        suspects = [*conflict.found, conflict.value]
        suspects += [v for v, n in self.names.items() if n == conflict.variable]
        for value in suspects:
            if value in self.shared:
                return self.shared[value]
        raise InternalError(
            f"generated code for {self.function.name} would read "
            f"{conflict.variable} after it was overwritten",
            file=self.function.file,
            line=self.function.line,
            hint="please report this program: s2sad refuses it rather than "
            "generate a wrong derivative",
        )

    def emit(self) -> ast.FunctionDef:
        """The function definition, docstring first."""
        f = self.function
        body: list[ast.stmt] = []
        if f.doc:
            body.append(ast.Expr(ast.Constant(f.doc)))
        body.extend(
            release_dead_arrays(
                self.block(f.body),
                self.releasable(),
                {id(node) for node in self.shape_reads},
            )
        )
        args = ast.arguments(
            posonlyargs=[],
            args=[ast.arg(self.name(p)) for p in f.params],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[literal(v) for v in f.defaults],
        )
        node = ast.FunctionDef(f.name, args, body, decorator_list=[], returns=None)
        node.type_params = []
        return node

    # ------------------------------------------------------------ names

    def name(self, value: Value) -> str:
        """The Python variable holding ``value``."""
        return self.names.get(value, value.name)

    def releasable(self) -> set[str]:
        """The variables that hold only arrays this function may let go of: not the
        results of primitives that may return a view (``x[1:]``, and helpers such
        as ``runtime.unbroadcast`` that sometimes return their argument), whose
        data another array may hold, nor values unpacked from residuals, which the
        caller still holds.  See :mod:`s2sad.backend.release`."""
        values = list(self.function.params)
        kept = set()
        for op in self.function.walk():
            values += op.results
            values += [a for region in op.regions for a in region.args]
            entry = PRIMITIVES.get(op.name)
            if op.name == "unpack" or (entry is not None and entry.view):
                kept.update(self.name(r) for r in op.results)
        kinds: dict[str, set[bool]] = {}
        for value in values:
            kinds.setdefault(self.name(value), set()).add(is_array(value.type))
        return {name for name, kind in kinds.items() if kind == {True}} - kept

    def _share_loop_variables(self, block: Block) -> None:
        """Give a loop's carried block arguments and results one variable, and
        let the value yielded at the end of an iteration (or of a branch) write
        it directly where nothing reads the old value afterwards."""
        # A region op's result has already named its regions' arguments: not renamed.
        defined_here = {r for op in block.ops if not op.regions for r in op.results}
        for op in block.ops:
            if op.name in LOOPS:
                for init, result in zip(loop_inits(op), op.results):
                    if (
                        init in defined_here
                        and self.uses[init] == 1
                        and init not in self.names
                        and not init.is_temporary
                        and init.constant is NOT_CONSTANT
                        and init.hint == result.hint
                    ):
                        if result in self.names:
                            self._share(init, self.name(result))
                        else:
                            self._share(result, self.name(init), init)
                for region in op.regions:
                    for arg, result in zip(carried_args(region, op), op.results):
                        self.names[arg] = self.name(result)
                self._write_directly(op.regions[-1], op.results)
            elif op.name == "if":
                for region in op.regions:
                    self._write_directly(region, op.results)
            for region in op.regions:
                self._share_loop_variables(region)

    def _write_directly(self, region: Block, results: list[Value]) -> None:
        term = region.terminator
        yielded = Counter(term.operands)
        position = {r: i for i, op in enumerate(region.ops) for r in op.results}
        last_read = self._last_reads(region)
        for value, result in zip(term.operands, results):
            if value not in position or yielded[value] > 1 or value in self.names:
                continue
            target = self.name(result)
            if last_read.get(target, -1) <= position[value]:
                self._share(value, target)

    def _last_reads(self, region: Block) -> dict[str, int]:
        """For each variable, the last statement of ``region`` that reads it,
        counting a read inside an inlined temporary at the statement it is
        inlined into."""
        ops = region.ops
        consumer = {v: i for i, op in enumerate(ops) for v in op.operands}
        inlined = self.inlinable(region)
        effective = list(range(len(ops)))
        for i in reversed(range(len(ops))):
            if ops[i].results and ops[i].results[0] in inlined:
                effective[i] = effective[consumer[ops[i].results[0]]]
        last_read: dict[str, int] = {}
        for i, op in enumerate(ops):
            for inner in walk_ops([op]):
                for v in inner.operands:
                    name = self.name(v)
                    last_read[name] = max(last_read.get(name, -1), effective[i])
        return last_read

    # ------------------------------------------------------------ statements

    def block(self, block: Block) -> list[ast.stmt]:
        """The statements of ``block`` (its terminator excluded unless ``return``)."""
        self.depth += 1
        statements = self._statements(block)
        self.depth -= 1
        return statements

    def _statements(self, block: Block) -> list[ast.stmt]:
        inlinable = self.inlinable(block)
        statements: list[ast.stmt] = []
        for op in block.ops:
            start = len(statements)
            decl = declaration(op)
            statement = "assign" if decl is None else decl.statement
            if statement == "none":
                continue
            if statement == "return":
                statements.append(ast.Return(self.returned(op)))
            elif statement == "if":
                statements.extend(self.if_statement(op))
            elif statement == "for":
                statements.extend(self.for_statement(op))
            elif statement == "while":
                statements.extend(self.while_statement(op))
            elif statement == "tape":
                statements.extend(self.tape_statements(op))
            elif statement == "call":
                statements.append(self.call_statement(op))
            elif statement == "checkpointed":
                statements.append(self.checkpointed_statement(op))
            elif statement == "checkpointed_while":
                statements.append(self.checkpointed_while_statement(op))
            elif statement == "checkpointed_sweep":
                statements.append(self.checkpointed_sweep_statement(op))
            elif statement == "effect":
                statements.append(self.effect_statement(op))
            elif op.name == "setitem":
                statements.extend(self.setitem_statements(op))
            elif op.name == "add_at" and op in self.in_place:
                statements.append(self.add_at_statement(op))
            else:
                expr = self.expression(op)
                if written_at_each_use(op) or op.result in inlinable:
                    self.inline[op.result] = expr
                else:
                    statements.append(_assign([self.name(op.result)], [expr]))
            for written in statements[start:]:
                setattr(written, SOURCE_LOC, op.loc)
        return statements

    def inlinable(self, block: Block) -> set[Value]:
        """Temporaries read exactly once, by an op of this same block."""
        read_here = Counter(v for op in block.ops for v in op.operands)
        return {
            op.result
            for op in block.ops
            if len(op.results) == 1
            and not op.regions
            and op.result.is_temporary
            and op.result not in self.names
            and op.result not in self.written
            and not self.pinned.intersection(op.operands)
            and self.uses[op.result] == 1
            and read_here[op.result] == 1
        }

    def region(self, block: Block, targets: list[Value]) -> list[ast.stmt]:
        """A region's statements followed by the assignment of its yields to ``targets``."""
        statements = self.block(block)
        pairs = [
            (self.name(t), v)
            for t, v in zip(targets, block.terminator.operands)
            if self.name(t) != self.name(v) or v in self.inline
        ]
        if pairs:
            names, values = zip(*pairs)
            self.depth += 1
            statements += self.assign_all(names, [self.operand(v) for v in values])
            self.depth -= 1
        return statements

    def assign_all(self, names: list[str], values: list[ast.expr]) -> list[ast.stmt]:
        """``a, b = (x, y)``; or, where that line would be too long for black to
        keep and no value reads a name assigned before it, one line each."""
        statement = _assign(list(names), values)
        line = 4 * self.depth + len(", ".join(names)) + len(" = ")
        line += len(ast.unparse(statement.value))
        if len(names) == 1 or line <= LINE_LENGTH:
            return [statement]
        for k, value in enumerate(values):
            read = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
            if read & set(names[:k]):
                return [statement]
        return [_assign([n], [v]) for n, v in zip(names, values)]

    def if_statement(self, op: Op) -> list[ast.stmt]:
        """``if c: ... else: ...``, or ``r = a if c else b`` (``c or b``, ``c and a``)
        when both branches are expressions."""
        test = self.operand(op.operands[0])
        then_body = self.region(op.regions[0], op.results)
        else_body = self.region(op.regions[1], op.results)
        if len(op.results) == 1 and _single_assignment(then_body, else_body):
            cond = op.operands[0]
            then_value, else_value = (r.terminator.operands[0] for r in op.regions)
            if then_value is cond:
                expr = ast.BoolOp(ast.Or(), [test, else_body[0].value])
            elif else_value is cond:
                expr = ast.BoolOp(ast.And(), [test, then_body[0].value])
            else:
                expr = ast.IfExp(test, then_body[0].value, else_body[0].value)
            return [_assign([self.name(op.result)], [expr])]
        if not then_body and else_body:
            return [ast.If(_negated(test), else_body, [])]
        return [ast.If(test, then_body or [ast.Pass()], else_body)]

    def for_statement(self, op: Op) -> list[ast.stmt]:
        """Initial assignments, then ``for i in range(...):`` carrying the results."""
        lo, hi, step, *inits = op.operands
        body = op.regions[0]
        statements = self._initial(op.results, inits)
        args = [self.operand(v) for v in (lo, hi, step)]
        if _is_literal(args[2], 1):
            args = args[:2] if not _is_literal(args[0], 0) else args[1:2]
        iterable: ast.expr = ast.Call(ast.Name("range", ast.Load()), args, [])
        if op.attrs.get("reversed"):
            iterable = ast.Call(ast.Name("reversed", ast.Load()), [iterable], [])
        counter = body.args[0]
        unread = self.uses[counter] == 0 and counter not in self.names
        target = ast.Name("_" if unread else self.name(counter), ast.Store())
        loop = self.region(body, op.results) or [ast.Pass()]
        statements.append(ast.For(target, iterable, loop, []))
        return statements

    def while_statement(self, op: Op) -> list[ast.stmt]:
        """``while test:``, or ``while True:`` with a ``break`` when the test needs
        statements other than assignments that fold into one expression."""
        before, body = op.regions
        statements = self._initial(op.results, op.operands)
        test_statements = self.block(before)
        test = self.operand(before.terminator.operands[0])
        loop = self.region(body, op.results)
        folded = _folded_test(test_statements, test)
        if folded is not None:
            test_statements, test = [], folded
        if test_statements:
            stop = ast.If(ast.UnaryOp(ast.Not(), test), [ast.Break()], [])
            statements.append(
                ast.While(ast.Constant(True), test_statements + [stop] + loop, [])
            )
        else:
            statements.append(ast.While(test, loop or [ast.Pass()], []))
        return statements

    def call_statement(self, op: Op) -> ast.stmt:
        """``a = f(x)``, or ``(a, b), r = f(x)`` grouped as the callee returns them."""
        call = ast.Call(
            ast.Name(op.attrs["callee"], ast.Load()),
            [self.operand(v) for v in op.operands],
            [],
        )
        names = [self.name(r) for r in op.results]
        groups = op.attrs.get("groups") or (
            (None,) if len(names) == 1 else (len(names),)
        )
        targets: list[ast.expr] = []
        for size in groups:
            if size is None:
                targets.append(ast.Name(names.pop(0), ast.Store()))
            else:
                elements = [ast.Name(names.pop(0), ast.Store()) for _ in range(size)]
                targets.append(ast.Tuple(elements, ast.Store()))
        if groups == (1,):
            first = ast.Subscript(call, ast.Constant(0), ast.Load())
            return ast.Assign([targets[0].elts[0]], first)
        target = targets[0] if len(targets) == 1 else ast.Tuple(targets, ast.Store())
        return ast.Assign([target], call)

    def checkpointed_statement(self, op: Op) -> ast.stmt:
        """``x_bar, W_bar = runtime.checkpointed_loop(f_step, ..., state=(x,), ...)``:
        a checkpointed loop reversed by its schedule (``checkpointed_loop_jvp``
        for one that also carries tangents, returning them after the adjoints)."""
        return self.reversal_statement(op, "runtime.checkpointed_loop")

    def checkpointed_while_statement(self, op: Op) -> ast.stmt:
        """``x_bar, W_bar = runtime.checkpointed_while(f_condition, f_step, ...,
        state=(x,), ...)``: a checkpointed ``while`` loop reversed by the online
        schedule (``checkpointed_while_jvp`` also carrying tangents)."""
        return self.reversal_statement(op, "runtime.checkpointed_while")

    def checkpointed_sweep_statement(self, op: Op) -> ast.stmt:
        """``x_1, sweep = runtime.checkpointed_sweep(f_step, f_step_vjp_fwd,
        range(...), ..., state=(x,), read=(W,))``: a checkpointed loop run by its
        schedule in reverse mode's forward sweep, keeping what its reversal
        resumes from (``checkpointed_while_sweep(f_condition, ...,
        condition_read=(T,))`` for a ``while`` loop)."""
        attrs = op.attrs
        parts = sweep_parts(op)
        step = attrs["step"]
        functions = (step, derived_name(step, "vjp_fwd"))
        groups = ("state", "read")
        entry = "runtime.checkpointed_sweep"
        if "condition" in attrs:
            functions = (attrs["condition"], *functions)
            groups += ("condition_read",)
            entry = "runtime.checkpointed_while_sweep"
        args = self.schedule_arguments(functions, parts["bounds"])
        keywords = [
            ast.keyword(name, literal(attrs[name]))
            for name in ("snapshots", "schedule")
        ]
        keywords += [
            ast.keyword(
                name, ast.Tuple([self.operand(v) for v in parts[name]], ast.Load())
            )
            for name in groups
        ]
        call = ast.Call(dotted(entry), args, keywords)
        targets = [ast.Name(self.name(r), ast.Store()) for r in op.results]
        return ast.Assign([ast.Tuple(targets, ast.Store())], call)

    def schedule_arguments(
        self, functions: tuple[str, ...], bounds: list[Value]
    ) -> list[ast.expr]:
        """The functions a checkpointed loop's schedule runs, by name, then a
        ``for`` loop's ``range(...)`` (none for a ``while`` loop)."""
        args: list[ast.expr] = [ast.Name(name, ast.Load()) for name in functions]
        if bounds:
            operands = [self.operand(v) for v in bounds]
            args.append(ast.Call(ast.Name("range", ast.Load()), operands, []))
        return args

    def reversal_statement(self, op: Op, entry: str) -> ast.stmt:
        """The call of the runtime's ``entry`` reversing a checkpointed loop:
        the condition of a ``while`` loop, the step and its sweeps, a ``for``
        loop's range, then the schedule and the groups of operands by keyword."""
        attrs = op.attrs
        parts = reversal_parts(op)
        called = reversal_callees(op)
        args = self.schedule_arguments(called[3:] + called[:3], parts["bounds"])
        keywords = [
            ast.keyword(name, literal(attrs[name]))
            for name in ("snapshots", "schedule", "wrt")
        ]
        keywords += [
            ast.keyword(name, ast.Tuple([self.operand(v) for v in group], ast.Load()))
            for name, group in parts.items()
            if name not in ("bounds", "sweep", "batch")
        ]
        keywords += [
            ast.keyword(name, self.operand(v))
            for name in ("sweep", "batch")
            for v in parts[name]
        ]
        call = ast.Call(
            dotted(entry + ("_jvp" if attrs.get(TANGENTS) else "")), args, keywords
        )
        targets = [ast.Name(self.name(r), ast.Store()) for r in op.results]
        return ast.Assign([ast.Tuple(targets, ast.Store())], call)

    def setitem_statements(self, op: Op) -> list[ast.stmt]:
        """``y[i] = v``, in place where that is safe (see :mod:`s2sad.passes.inplace`),
        else on a copy: ``y_1 = y.copy()`` then ``y_1[i] = v``."""
        array, index, value = (self.operand(v) for v in op.operands)
        target = self.name(op.result)
        store = ast.Subscript(
            ast.Name(target, ast.Load()), subscript_index(index), ast.Store()
        )
        if op in self.in_place:
            return [ast.Assign([store], value)]
        copy = ast.Call(ast.Attribute(array, "copy", ast.Load()), [], [])
        return [_assign([target], [copy]), ast.Assign([store], value)]

    def add_at_statement(self, op: Op) -> ast.stmt:
        """``acc[i] += g``, ``acc[i] -= h`` for ``g = -h`` (``np.add.at(acc, i, g)``
        where ``i`` may repeat elements)."""
        acc, _, index, g = op.operands
        target = ast.Name(self.name(acc), ast.Load())
        if basic_index(index, self.definer):
            where = subscript_index(self.operand(index))
            value, operator = self.operand(g), ast.Add()
            if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
                value, operator = value.operand, ast.Sub()
            return ast.AugAssign(
                ast.Subscript(target, where, ast.Store()), operator, value
            )
        call = ast.Call(
            dotted("np.add.at"), [target, self.operand(index), self.operand(g)], []
        )
        return ast.Expr(call)

    def tape_statements(self, op: Op) -> list[ast.stmt]:
        """``tape = []``, ``tape.append((a, b))``, ``a, b = tape.pop()`` or
        ``a, b = residuals``; a long record as several appends, popped in reverse."""
        if op.name == "unpack":
            names = [ast.Name(self.name(r), ast.Store()) for r in op.results]
            source = self.operand(op.operands[0])
            if len(names) == 1:
                return [
                    ast.Assign(
                        names, ast.Subscript(source, ast.Constant(0), ast.Load())
                    )
                ]
            return [ast.Assign([ast.Tuple(names, ast.Store())], source)]
        if op.name == "tape":
            return [_assign([self.name(op.result)], [ast.List([], ast.Load())])]
        method = ast.Attribute(
            self.operand(op.operands[0]), "append" if op.name == "push" else "pop"
        )
        if op.name == "push":
            values = [self.operand(v) for v in op.operands[1:]]
            chunks = self.chunks.get(op, [(0, len(values))])
            return [_append(method, values[a:b]) for a, b in chunks]
        names = [self.name(r) for r in op.results]
        chunks = self.chunks.get(op, [(0, len(names))])
        return [_pop(method, names[a:b]) for a, b in reversed(chunks)]

    def effect_statement(self, op: Op) -> ast.stmt:
        """``print(a, b, sep=", ")`` or ``assert test, message``, as the source wrote it."""
        args = [self.operand(v) for v in op.operands]
        if op.name == "assert":
            return ast.Assert(args[0], args[1] if len(args) > 1 else None)
        keywords = [ast.keyword(k, literal(v)) for k, v in sorted(op.attrs.items())]
        return ast.Expr(ast.Call(ast.Name("print", ast.Load()), args, keywords))

    def _initial(self, results: list[Value], inits: list[Value]) -> list[ast.stmt]:
        pairs = [
            (self.name(r), v)
            for r, v in zip(results, inits)
            if self.name(r) != self.name(v)
        ]
        if not pairs:
            return []
        names, values = zip(*pairs)
        return self.assign_all(names, [self.operand(v) for v in values])

    # ------------------------------------------------------------ expressions

    def operand(self, value: Value) -> ast.expr:
        """The expression for reading ``value``: inlined, or its variable."""
        return self.inline.get(value) or ast.Name(self.name(value), ast.Load())

    def expression(self, op: Op) -> ast.expr:
        """The expression computing a region-free op."""
        if op.name == "const":
            return literal(op.attrs["value"])
        args = [self.operand(v) for v in op.operands]
        if op.name == "pack":
            kind = ast.List if op.attrs.get("kind") == "list" else ast.Tuple
            return kind(args, ast.Load())
        entry = PRIMITIVES[op.name]
        self._mark_shape_reads(entry, op, args)
        kind, text = entry.syntax.kind, entry.syntax.text
        if kind == "subscript":
            return ast.Subscript(args[0], subscript_index(args[1]), ast.Load())
        if kind == "attribute":
            return ast.Attribute(args[0], text, ast.Load())
        if kind == "method":
            method = ast.Attribute(args[0], text, ast.Load())
            return ast.Call(method, args[1:], [])
        if kind == "binop":
            return ast.BinOp(args[0], BINARY_NODES[text](), args[1])
        if kind == "unary":
            return ast.UnaryOp(ast.Not() if text == "not" else ast.USub(), args[0])
        if kind == "compare":
            return ast.Compare(args[0], [COMPARISON_NODES[text]()], [args[1]])
        if kind == "ifexp":
            return ast.IfExp(args[0], args[1], args[2])
        return call_expression(entry, op, args)

    def _mark_shape_reads(self, entry: Primitive, op: Op, args: list[ast.expr]) -> None:
        """Record the variables ``op`` reads only for their shape (one by one in a
        tuple or list argument); not inside a value written out at each use,
        whose nodes are shared with its other uses."""
        for name, value, node in zip(entry.args, op.operands, args):
            definer = self.definer.get(value)
            shared = definer is not None and written_at_each_use(definer)
            if name in entry.shape_only and not shared:
                parts = node.elts if isinstance(node, (ast.Tuple, ast.List)) else [node]
                self.shape_reads += [p for p in parts if isinstance(p, ast.Name)]

    def returned(self, op: Op) -> ast.expr:
        """The expression of a ``return``, grouped into tuples by its ``layout``."""
        values = [self.operand(v) for v in op.operands]
        layout = op.attrs.get("layout")
        if layout is None:
            return values[0] if len(values) == 1 else ast.Tuple(values, ast.Load())
        groups: list[ast.expr] = []
        for size in layout:
            if size is None:
                groups.append(values.pop(0))
            else:
                groups.append(
                    ast.Tuple([values.pop(0) for _ in range(size)], ast.Load())
                )
        return groups[0] if len(groups) == 1 else ast.Tuple(groups, ast.Load())


def _depth_first(function: Function):
    """A sort key putting ops in program order."""
    order = {op: k for k, op in enumerate(function.walk())}
    return order.__getitem__


def call_expression(entry: Primitive, op: Op, args: list[ast.expr]) -> ast.expr:
    """``f(a, b, key=c)``: arguments left at their default are left out, and
    those after one left out, or marked keyword-only, are passed by name."""
    defaults = entry.defaults()
    keyword_only = entry.keyword_only() | (set(defaults) - entry.positional_only())
    positional: list[ast.expr] = []
    keywords: list[ast.keyword] = []
    for name, value, node in zip(entry.args, op.operands, args):
        node = _index_value(node)
        default = defaults.get(name, NOT_CONSTANT)
        if default is not NOT_CONSTANT and _same_constant(value.constant, default):
            continue
        if name in keyword_only or keywords:
            keywords.append(ast.keyword(name, node))
        else:
            positional.append(node)
    return ast.Call(dotted(entry.syntax.text), positional, keywords)


def _same_constant(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default


def subscript_index(index: ast.expr) -> ast.expr:
    """An index expression as written between brackets: ``slice(1, None)`` as ``1:``."""
    if isinstance(index, ast.Tuple):
        return ast.Tuple([subscript_index(e) for e in index.elts], ast.Load())
    if (
        isinstance(index, ast.Call)
        and isinstance(index.func, ast.Name)
        and index.func.id == "slice"
        and not index.keywords
    ):
        parts = [None if _is_none(a) else a for a in index.args]
        return ast.Slice(*parts)
    return index


def _index_value(node: ast.expr) -> ast.expr:
    """An index holding slices, passed as a value: ``np.s_[None, 1:]``."""
    written = subscript_index(node)
    parts = written.elts if isinstance(written, ast.Tuple) else [written]
    if any(isinstance(p, ast.Slice) for p in parts):
        return ast.Subscript(dotted("np.s_"), written, ast.Load())
    return node


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _append(method: ast.Attribute, values: list[ast.expr]) -> ast.stmt:
    """``tape.append(a)`` or ``tape.append((a, b))``."""
    item = values[0] if len(values) == 1 else ast.Tuple(values, ast.Load())
    return ast.Expr(ast.Call(method, [item], []))


def _pop(method: ast.Attribute, names: list[str]) -> ast.stmt:
    """``a = tape.pop()`` or ``a, b = tape.pop()``."""
    call = ast.Call(method, [], [])
    if len(names) == 1:
        return _assign(names, [call])
    target = ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())
    return ast.Assign([target], call)


def _assign(names: list[str], values: list[ast.expr]) -> ast.stmt:
    if len(names) == 1:
        return ast.Assign([ast.Name(names[0], ast.Store())], values[0])
    target = ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())
    return ast.Assign([target], ast.Tuple(values, ast.Load()))


def _folded_test(statements: list[ast.stmt], test: ast.expr) -> ast.expr | None:
    """``test`` as one expression when ``statements`` only assign names that the
    statements after them or ``test`` read once (``t1 = not broke; t2 = t1 and
    i < n`` gives ``not broke and i < n``); None otherwise."""
    values: dict[str, ast.expr] = {}
    for statement in statements:
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            return None
        values[statement.targets[0].id] = statement.value
    reads = Counter(
        node.id
        for tree in [*values.values(), test]
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id in values
    )
    if any(reads[name] != 1 for name in values):
        return None

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            if node.id in values:
                return self.visit(copy.deepcopy(values[node.id]))
            return node

    return Substitute().visit(copy.deepcopy(test))


def _negated(test: ast.expr) -> ast.expr:
    """``not test``, without doubling a ``not``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test.operand
    return ast.UnaryOp(ast.Not(), test)


def _single_assignment(*bodies: list[ast.stmt]) -> bool:
    return all(
        len(body) == 1
        and isinstance(body[0], ast.Assign)
        and isinstance(body[0].targets[0], ast.Name)
        for body in bodies
    )


def _is_literal(node: ast.expr, value: int) -> bool:
    return (
        isinstance(node, ast.Constant)
        and node.value == value
        and type(node.value) is int
    )
