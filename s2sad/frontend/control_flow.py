"""Lowering of Python control flow to structured regions: ``if``, ``for``, ``while``, ``and``/``or``, ternaries.

A mixin of the frontend's lowering.  Each construct becomes one op that owns
its regions: the variables a branch or a loop body assigns, and that exist
around it, become the op's results (and, for loops, loop-carried block
arguments).  ``return`` inside ``if`` branches is lowered by making the rest
of the function the other branch, so every path yields the returned values.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import Callable

from ..checkpoints import SCHEDULES, WHILE_SCHEDULES, checkpointed
from ..errors import UnsupportedSyntaxError
from ..ir.core import (
    BOOL,
    INT,
    TEMPORARY,
    Block,
    Builder,
    Value,
    is_array,
    join_types,
)
from .arrays import IteratedRows
from ..ir.operators import COMPARISONS
from ..ir.ops import CHECKPOINT
from ..ir.operands import loop_inits
from ..rules.registry import PRIMITIVES


class ControlFlowLowering:
    """The control-flow half of the frontend's lowering (see the module docstring)."""

    # ------------------------------------------------------------ bodies and returns

    def returning_body(self, body: list[ast.stmt]) -> list[Value]:
        """Lower ``body``, which must return on every path; the returned values."""
        for index, stmt in enumerate(body):
            rest = body[index + 1 :]
            if isinstance(stmt, ast.Return):
                if rest:
                    raise self.error(
                        UnsupportedSyntaxError,
                        rest[0],
                        "unsupported construct: code after return",
                        "remove the unreachable code",
                    )
                return self.returned_values(stmt)
            if isinstance(stmt, ast.If) and _contains_return(stmt):
                return self.returning_if(stmt, rest)
            if isinstance(stmt, (ast.For, ast.While)) and _contains_return(stmt):
                return self.returning_loop(stmt, rest)
            self.statement(stmt)
        raise self.error(
            UnsupportedSyntaxError,
            body[-1] if body else self.node,
            "not every path through the function ends with a return statement",
            "return the value to differentiate on every path",
        )

    def returning_loop(self, stmt: ast.stmt, rest: list[ast.stmt]) -> list[Value]:
        """A loop with a ``return`` inside: a flag and the returned values are
        carried out of it, then ``values if returned else <rest of the body>``."""
        flag = self.flag_name("return")
        slots = [self.flag_name("result") for _ in range(self.result_count)]
        self.env[flag] = self.builder.const(False)
        for slot in slots:
            self.env[slot] = self.builder.const(0.0)
        outer, self.return_slots = self.return_slots, (flag, slots)
        self.statement(stmt)
        self.return_slots = outer
        regions, values = [], []
        branches = (
            lambda: [self.env[s] for s in slots],
            lambda: self.returning_body(rest),
        )
        for lower in branches:
            block, returned = self.region([], lower)
            regions.append(block)
            values.append(returned)
        hints = [self.node.name if len(slots) == 1 else TEMPORARY] * len(slots)
        return self.join("if", [self.env[flag]], regions, values, hints, stmt)

    def returning_if(self, stmt: ast.If, rest: list[ast.stmt]) -> list[Value]:
        """An ``if`` with a ``return`` inside: the code after it joins each branch that falls through."""
        cond = self.condition(stmt.test)
        then_body = stmt.body if _always_returns(stmt.body) else stmt.body + rest
        else_body = stmt.orelse if _always_returns(stmt.orelse) else stmt.orelse + rest
        regions, values = [], []
        for body in (then_body, else_body):
            block, returned = self.region(
                [], lambda body=body: self.returning_body(body)
            )
            regions.append(block)
            values.append(returned)
        if len(values[0]) != len(values[1]):
            raise self.error(
                UnsupportedSyntaxError,
                stmt,
                f"the branches return {len(values[0])} and {len(values[1])} values",
                "return the same number of values on every path",
            )
        hints = [self.node.name if len(values[0]) == 1 else TEMPORARY] * len(values[0])
        return self.join("if", [cond], regions, values, hints, stmt)

    # ------------------------------------------------------------ regions

    def region(self, args: list[Value], lower) -> tuple[Block, object]:
        """Run ``lower()`` with the builder inside a new block taking ``args``.

        The environment is restored afterwards; returns the block and what
        ``lower`` returned.
        """
        block = Block(args=list(args))
        saved_block, saved_env = self.builder.block, dict(self.env)
        self.builder.block = block
        try:
            result = lower()
        finally:
            self.builder.block, self.env = saved_block, saved_env
        return block, result

    def join(
        self,
        name: str,
        operands: list[Value],
        regions: list[Block],
        yields: list[list[Value]],
        hints: list[str],
        node: ast.AST,
        result_types: list[str] | None = None,
    ) -> list[Value]:
        """Terminate each region with its ``yield`` and append the op owning them."""
        for block, values in zip(regions, yields):
            Builder(self.builder.function, block).op("yield", values, [])
        types = result_types or [
            _join_types([values[k] for values in yields]) for k in range(len(hints))
        ]
        op = self.builder.op(
            name, operands, types, hints=hints, regions=regions, loc=self.info.loc(node)
        )
        inits = loop_inits(op)
        for k, result in enumerate(op.results):
            flowing = [values[k] for values in yields if k < len(values)]
            self.may_share(result, flowing + inits[k : k + 1])
        return op.results

    # ------------------------------------------------------------ if statements and expressions

    def if_statement(self, stmt: ast.If) -> None:
        """``if``/``elif``/``else``: the variables either branch assigns become the op's results."""
        cond = self.condition(stmt.test)
        assigned = _assigned_names(stmt.body + stmt.orelse)
        envs = []
        regions = []
        for body in (stmt.body, stmt.orelse):
            block, env = self.region([], lambda body=body: self._lower_block(body))
            regions.append(block)
            envs.append(env)
        changed = [
            n for env in envs for n, v in env.items() if self.env.get(n) is not v
        ]
        names = list(dict.fromkeys(n for n in changed if all(n in env for env in envs)))
        self.scope_out(
            [n for n in assigned if n not in names and n not in self.env],
            f"is assigned in only one branch of the if statement at line "
            f"{self.info.loc(stmt).line}, so it may be undefined here",
        )
        results = self.join(
            "if",
            [cond],
            regions,
            [[env[n] for n in names] for env in envs],
            names,
            stmt,
        )
        self.env.update(zip(names, results))

    def _lower_block(self, body: list[ast.stmt]) -> dict[str, Value]:
        self.statements(body)
        return dict(self.env)

    def statements(self, body: list[ast.stmt]) -> None:
        """Lower a statement list; inside a loop, ``break`` and ``continue`` set
        flags and the statements after one that may have set them run under
        ``if not (flag or flag)``."""
        jumps = self.loop_flags[-1] if self.loop_flags else {}
        for index, stmt in enumerate(body):
            if isinstance(stmt, (ast.Break, ast.Continue)) and jumps:
                kind = "break" if isinstance(stmt, ast.Break) else "continue"
                self.env[jumps[kind]] = self.builder.const(
                    True, loc=self.info.loc(stmt)
                )
                return
            if isinstance(stmt, ast.Return) and "return" in jumps:
                flag, slots = self.return_slots
                values = self.returned_values(stmt)
                if len(values) != len(slots):
                    raise self.error(
                        UnsupportedSyntaxError,
                        stmt,
                        f"this return gives {len(values)} values, others {len(slots)}",
                        "return the same number of values on every path",
                    )
                self.env.update(zip(slots, values))
                self.env[flag] = self.builder.const(True, loc=self.info.loc(stmt))
                return
            self.statement(stmt)
            rest = body[index + 1 :]
            if rest and jumps and _may_jump(stmt):
                flags = [ast.Name(f, ast.Load()) for f in jumps.values()]
                test = flags[0] if len(flags) == 1 else ast.BoolOp(ast.Or(), flags)
                guard = ast.If(ast.UnaryOp(ast.Not(), test), rest, [])
                for node in ast.walk(guard.test):
                    ast.copy_location(node, rest[0])
                ast.copy_location(guard, rest[0])
                self.if_statement(guard)
                return

    def if_expression(self, node: ast.IfExp, hint: str) -> Value:
        """``a if c else b``: only the branch taken is evaluated."""
        cond = self.condition(node.test)
        regions, values = [], []
        for branch in (node.body, node.orelse):
            block, value = self.region([], lambda branch=branch: self.expr(branch))
            regions.append(block)
            values.append([value])
        return self.join("if", [cond], regions, values, [hint], node)[0]

    def bool_operation(self, node: ast.BoolOp, hint: str) -> Value:
        """``a and b`` / ``a or b`` with Python's short circuit and result value."""
        result = self.expr(node.values[0])
        for operand in node.values[1:]:
            left = result
            cond = self.truth(left)
            evaluate = (lambda operand=operand: self.expr(operand), lambda: left)
            if isinstance(node.op, ast.Or):
                evaluate = evaluate[::-1]
            regions, values = [], []
            for lower in evaluate:
                block, value = self.region([], lower)
                regions.append(block)
                values.append([value])
            result = self.join("if", [cond], regions, values, [hint], node)[0]
        return result

    def comparison_chain(self, node: ast.Compare, hint: str) -> Value:
        """``a < b < c`` as Python runs it: ``a < b and b < c``, ``b`` evaluated once."""
        return self._chain(self.expr(node.left), node.ops, node.comparators, node, hint)

    def _chain(self, left: Value, ops, comparators, node: ast.Compare, hint: str):
        right = self.expr(comparators[0])
        entry = self.syntax_entry(("compare", COMPARISONS.get(type(ops[0]))), node)
        last = len(ops) == 1
        result = self.apply(entry, [left, right], node, hint if last else TEMPORARY)
        if last:
            return result
        if is_array(result.type) and not self.provisional:
            raise self.error(
                UnsupportedSyntaxError,
                node,
                f"chained comparison of arrays: `{ast.unparse(node)}` (Python raises "
                "ValueError: the truth value of an array is ambiguous)",
                "combine elementwise comparisons: (a < b) & (b < c)",
            )
        regions, values = [], []
        branches = (
            lambda: self._chain(right, ops[1:], comparators[1:], node, TEMPORARY),
            lambda: result,
        )
        for lower in branches:
            block, value = self.region([], lower)
            regions.append(block)
            values.append([value])
        return self.join("if", [result], regions, values, [hint], node)[0]

    def condition(self, test: ast.expr) -> Value:
        """The boolean value of a test expression (Python truthiness for numbers)."""
        return self.truth(self.expr(test))

    def truth(self, value: Value) -> Value:
        """``value`` as a bool: itself if boolean, else ``value != 0``."""
        if value.type == BOOL:
            return value
        return self.builder.op("ne", [value, self.builder.const(0)], [BOOL]).result

    # ------------------------------------------------------------ loops

    def for_statement(self, stmt: ast.For) -> None:
        """``for name in range(...)`` as a ``for`` op; ``for name in (a, b, c)`` unrolled;
        ``for row in X`` over an array as a ``for`` op over its first axis."""
        self._refuse_loop_else(stmt, "for")
        if isinstance(stmt.target, ast.Tuple) or self._is_builtin_call(
            stmt.iter, (enumerate, zip)
        ):
            self.zipped_for(stmt)
            return
        if not isinstance(stmt.target, ast.Name):
            raise self.error(
                UnsupportedSyntaxError,
                stmt.target,
                f"unsupported construct: loop target {ast.unparse(stmt.target)}",
                "loop over one plain variable name",
            )
        if isinstance(stmt.iter, (ast.Tuple, ast.List)):
            self._unrolled_for(stmt)
            return
        if (
            isinstance(stmt.iter, ast.Call)
            and isinstance(stmt.iter.func, (ast.Name, ast.Attribute))
            and not self.is_local(stmt.iter.func)
            and self._resolve_quietly(stmt.iter.func) is checkpointed
        ):
            self._checkpointed_for(stmt)
            return
        if not self._is_range(stmt.iter):
            self._rows_for(stmt)
            return
        bounds = self._range_bounds(stmt.iter)
        target = stmt.target.id

        def body(args: list[Value]) -> list[Value]:
            self.env[target] = args[0]
            return args[1:]

        self._loop(stmt, "for", bounds, body, counter=target)

    def _checkpointed_for(self, stmt: ast.For) -> None:
        """``for t in s2sad.checkpointed(range(...), snapshots=s)``: the loop over
        the range, marked for its reverse sweep to follow a checkpointing schedule."""
        call = stmt.iter
        bound = _checkpoint_arguments(call)
        if bound is None or not self._is_range(bound[0]):
            raise self.error(
                UnsupportedSyntaxError,
                call,
                f"s2sad.checkpointed takes a range and a number of snapshots: "
                f"`{ast.unparse(call)}`",
                "write s2sad.checkpointed(range(n), snapshots=10)",
            )
        steps, snapshots, schedule = bound
        count, kind = self._checkpoint_options(call, snapshots, schedule, SCHEDULES)
        self._refuse_checkpointed_jumps(stmt)
        plain = ast.copy_location(
            ast.For(stmt.target, steps, stmt.body, stmt.orelse, None), stmt
        )
        before = len(self.builder.block.ops)
        self.for_statement(plain)
        self._mark_checkpointed(before, "for", (count, kind))

    def _checkpoint_options(
        self, call: ast.Call, snapshots, schedule, schedules: tuple[str, ...]
    ) -> tuple[int, str]:
        """The number of snapshots and the schedule of a ``checkpointed(...)``
        call (the first of ``schedules`` by default), refused unless known."""
        count = self.expr(snapshots).constant if snapshots is not None else None
        kind = schedules[0]
        if isinstance(schedule, ast.Constant):
            kind = schedule.value
        elif schedule is not None:
            kind = self._resolve_quietly(schedule)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise self.error(
                UnsupportedSyntaxError,
                snapshots or call,
                "s2sad.checkpointed needs snapshots, a whole number >= 1 known when "
                "the derivative is built",
                "pass snapshots=10 (a literal or a module-level constant)",
            )
        if kind not in schedules:
            loop = "for" if schedules == SCHEDULES else "while"
            hint = f"use one of {', '.join(map(repr, schedules))}"
            if loop == "while":
                hint = (
                    "a while loop's trip count is known only once it ends: drop "
                    "schedule= (the online schedule), or loop over "
                    "s2sad.checkpointed(range(n), ...) for binomial or periodic"
                )
            raise self.error(
                UnsupportedSyntaxError,
                schedule,
                f"a checkpointed {loop} loop cannot follow the checkpointing "
                f"schedule {kind!r}",
                hint,
            )
        return count, kind

    def _refuse_checkpointed_jumps(self, stmt: ast.For | ast.While) -> None:
        """A checkpointed loop's body runs whole: no ``break``, ``continue`` or ``return``."""
        jumps = _jumps(stmt.body) & {"break", "return", "continue"}
        if jumps:
            raise self.error(
                UnsupportedSyntaxError,
                stmt,
                f"a checkpointed loop runs every step: its body cannot "
                f"{' or '.join(sorted(jumps))}",
                "move the condition into the step's arithmetic (np.where) or the "
                "loop's condition, or loop without s2sad.checkpointed",
            )

    def _is_range(self, node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Call)
            and not node.keywords
            and 1 <= len(node.args) <= 3
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and self._resolve(node.func) is builtins.range
        )

    def _range_bounds(self, node: ast.Call) -> list[Value]:
        args = [self.expr(a) for a in node.args]
        if len(args) == 1:
            args = [self.builder.const(0)] + args
        if len(args) == 2:
            args.append(self.builder.const(1))
        return args

    def _rows_for(self, stmt: ast.For) -> None:
        """``for row in X``: ``for k in range(len(X))`` with ``row = X[k]``, a view.

        ``X`` is read once, as Python does; a write into it (or into an array
        sharing its memory) other than into the current row would change the
        rows still to come, and is refused where it is written.
        """
        if isinstance(stmt.iter, ast.Call) and self._is_builtin(stmt.iter.func):
            raise self._unsupported_iterable(stmt.iter)
        rows = self.expr(stmt.iter)
        if not is_array(rows.type):
            raise self._unsupported_iterable(stmt.iter)
        count = self.apply(PRIMITIVES["len"], [rows], stmt.iter, TEMPORARY)
        bounds = [self.builder.const(0), count, self.builder.const(1)]
        target = stmt.target.id
        getitem = PRIMITIVES["getitem"]
        loop = IteratedRows(rows, ast.unparse(stmt.iter), self.info.loc(stmt).line)
        sharing = {n for n, v in self.env.items() if self.shares_memory(v, rows)}

        def body(args: list[Value]) -> list[Value]:
            self.env[target] = self.apply(getitem, [rows, args[0]], stmt.target, target)
            loop.current = {self.env[target]}
            for carried in args[1:]:
                if carried.hint in sharing:
                    self.may_share(carried, [rows])
            return args[1:]

        self.iterated.append(loop)
        self._loop(stmt, "for", bounds, body, counter=self.flag_name("row"))
        self.iterated.pop()

    def _is_builtin_call(self, node: ast.expr, builtins_: tuple) -> bool:
        """True for a call of one of the Python builtins ``builtins_`` (``zip(a, b)``)."""
        return (
            isinstance(node, ast.Call)
            and self._is_builtin(node.func)
            and any(self._resolve_quietly(node.func) is b for b in builtins_)
        )

    def _is_builtin(self, node: ast.expr) -> bool:
        """True for ``zip``, ``reversed``, ``enumerate`` and every other Python builtin."""
        if not isinstance(node, (ast.Name, ast.Attribute)) or self.is_local(node):
            return False
        callee = self._resolve_quietly(node)
        return callee is not None and any(callee is v for v in vars(builtins).values())

    def _unsupported_iterable(self, node: ast.expr) -> Exception:
        return self.error(
            UnsupportedSyntaxError,
            node,
            f"unsupported construct: for loop over `{ast.unparse(node)}`",
            "loop over range(...), a tuple of values or the rows of an array",
        )

    def _unrolled_for(
        self, stmt: ast.For, items: list[list[tuple[str, Value]]] | None = None
    ) -> None:
        """``for v in (a, b, c)``: the elements are evaluated first, as Python does,
        then the body is lowered once per element (``items``: the names each
        iteration binds, and their values).  ``break``, ``continue`` and ``return``
        set this loop's own flags; the elements after a ``break`` or ``return`` run
        under ``if not broke``."""
        if items is None:
            target = stmt.target.id
            items = [
                [(target, self.expr(element, hint=target))]
                for element in stmt.iter.elts
            ]
        flags = self._jump_flags(stmt.body)
        self.loop_flags.append(flags)
        try:
            for index, bindings in enumerate(items):
                if "continue" in flags:
                    self.env[flags["continue"]] = self.builder.const(False)
                if index == 0 or not self._stop_flags():
                    self.env.update(bindings)
                    self.statements(stmt.body)
                    continue
                binds = []
                for target, value in bindings:
                    name = self.flag_name("item")
                    self.env[name] = value
                    bind = ast.Assign(
                        [ast.Name(target, ast.Store())], ast.Name(name, ast.Load())
                    )
                    for node in ast.walk(bind):
                        ast.copy_location(node, stmt.target)
                    binds.append(bind)
                self.if_statement(self._unless_broken_statement([*binds, *stmt.body]))
        finally:
            self.loop_flags.pop()

    def _jump_flags(self, body: list[ast.stmt]) -> dict[str, str]:
        """The flags of a loop whose body is ``body``: ``break`` starts False, a
        ``continue`` flag is reset by each iteration, ``return`` is the function's."""
        jumps = _jumps(body)
        flags = {
            kind: self.flag_name(kind)
            for kind in ("break", "continue")
            if kind in jumps
        }
        if "break" in flags:
            self.env[flags["break"]] = self.builder.const(False)
        if "return" in jumps:
            flags["return"] = self.return_slots[0]
        return flags

    def _refuse_loop_else(self, stmt: ast.For | ast.While, kind: str) -> None:
        if stmt.orelse:
            raise self.error(
                UnsupportedSyntaxError,
                stmt.orelse[0],
                f"unsupported construct: {kind} ... else",
                "move the else code after the loop",
            )

    def while_statement(self, stmt: ast.While) -> None:
        """``while test:`` as a ``while`` op; the test is its first region."""
        self._refuse_loop_else(stmt, "while")
        test = stmt.test
        if (
            isinstance(test, ast.Call)
            and isinstance(test.func, (ast.Name, ast.Attribute))
            and not self.is_local(test.func)
            and self._resolve_quietly(test.func) is checkpointed
        ):
            self._checkpointed_while(stmt)
            return
        self._loop(stmt, "while", [], lambda args: args)

    def _checkpointed_while(self, stmt: ast.While) -> None:
        """``while s2sad.checkpointed(test, snapshots=s)``: the loop on ``test``,
        marked for its reverse sweep to follow the online schedule."""
        call = stmt.test
        bound = _checkpoint_arguments(call)
        if bound is None:
            raise self.error(
                UnsupportedSyntaxError,
                call,
                f"s2sad.checkpointed takes the loop's condition and a number of "
                f"snapshots: `{ast.unparse(call)}`",
                "write while s2sad.checkpointed(t < T, snapshots=10):",
            )
        test, snapshots, schedule = bound
        count, kind = self._checkpoint_options(
            call, snapshots, schedule, WHILE_SCHEDULES
        )
        self._refuse_checkpointed_jumps(stmt)
        plain = ast.copy_location(ast.While(test, stmt.body, stmt.orelse), stmt)
        before = len(self.builder.block.ops)
        self._loop(plain, "while", [], lambda args: args)
        self._mark_checkpointed(before, "while", (count, kind))

    def _mark_checkpointed(self, before: int, name: str, options: tuple) -> None:
        """Mark the last ``name`` loop op lowered after op ``before`` of the block
        as checkpointed with ``options`` (snapshots, schedule)."""
        ops = self.builder.block.ops[before:]
        loop = next(op for op in reversed(ops) if op.name == name)
        loop.attrs[CHECKPOINT] = options

    def _loop(
        self, stmt, name: str, operands: list[Value], bind, counter: str = ""
    ) -> None:
        """A loop op carrying the variables its body assigns that exist before it.

        Carried values start with the type they have before the loop; a
        carried ``int`` that the body makes a ``float`` (or a ``float`` it
        makes an array) is lowered again with the wider type.  An array the
        body writes into through another name (``z = y; z[0] = 1.0``) is
        carried once, and every name for it is bound to that one value.
        """
        written = _written_names(stmt.body)
        assigned = self._loop_assigned(stmt.body, written)
        jumps = _jumps(stmt.body)
        flags = self._jump_flags(stmt.body)
        if "break" in flags:
            assigned.append(flags["break"])
        if "return" in flags:
            assigned += [flags["return"], *self.return_slots[1]]
        targets = _target_names(stmt) or [counter]
        carried = [
            n for n in assigned if n in self.env and n not in (counter, *targets)
        ]
        self.loop_aliases.append(self._shared_names(carried, stmt.body))
        carried = [n for n in carried if n not in self.loop_aliases[-1]]
        loop = _LoopParts(getattr(stmt, "test", None), bind, counter)
        if name == "for" and jumps & {"break", "return"}:
            loop = self._leaving_early(stmt, operands, bind, counter)
            name, operands = "while", []
            carried.insert(0, loop.key)
        types = {n: self.env[n].type for n in carried}
        self.loop_flags.append(flags)
        regions, yields = self._widened_regions(stmt, name, carried, types, loop)
        self.loop_flags.pop()
        self._refuse_shared_yields(carried, yields[-1], written, stmt)
        inits = [self.env[n] for n in carried]
        result_types = [types[n] for n in carried]
        hints = [loop.hints.get(n, n) for n in carried]
        results = self.join(
            name, operands + inits, regions, yields, hints, stmt, result_types
        )
        self.env.update(zip(carried, results))
        for name in loop.lost:
            self.env.pop(name, None)
        self._bind_aliases()
        aliases = self.loop_aliases.pop()
        self._scope_out_of_loop(
            stmt, [n for n in assigned if n not in carried and n not in aliases]
        )

    def _loop_assigned(self, body: list[ast.stmt], written: list[str]) -> list[str]:
        """The names a loop body assigns or writes into (with their aliases):
        the candidates for carried values."""
        assigned = _assigned_names(body)
        assigned += self.with_aliases(written, assigned)
        assigned += [
            n
            for n in _aliased_names(body, written)
            if n in self.env and is_array(self.env[n].type) and n not in assigned
        ]
        return assigned

    def _widened_regions(
        self, stmt, name: str, carried: list[str], types: dict[str, str], loop
    ) -> tuple[list[Block], list[list[Value]]]:
        """The loop's regions, lowered again with wider ``types`` (updated in
        place) until no carried value's type changes in the body."""
        while True:
            regions, yields = self._loop_regions(stmt, name, carried, types, loop)
            widened = {
                n: join_types([types[n], v.type])
                for n, v in zip(carried, yields[-1])
                if join_types([types[n], v.type]) != types[n]
            }
            if not widened:
                return regions, yields
            types.update(widened)

    def _scope_out_of_loop(self, stmt, local: list[str]) -> None:
        """After a loop, names only its body assigned (``local``) and its
        targets may not be read."""
        line = self.info.loc(stmt).line
        self.scope_out(
            local,
            f"is assigned inside the loop at line {line} but not before it, so it "
            "may be undefined here",
        )
        for target in _target_names(stmt):
            self.scope_out(
                [target],
                f"is the target of the for loop at line {line}, whose value after "
                "the loop s2sad does not keep",
                f"copy it inside the loop ({target}_last = {target}) and read that",
            )

    def _shared_names(self, carried: list[str], body: list[ast.stmt]) -> dict[str, str]:
        """Carried names bound to the same array as an earlier one (and not
        reassigned in ``body``) -> that earlier name."""
        reassigned = {
            node.id
            for stmt in body
            for node in ast.walk(stmt)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
        }
        first: dict[Value, str] = {}
        shared: dict[str, str] = {}
        for n in carried:
            value = self.env[n]
            if n in reassigned or not is_array(value.type):
                continue
            if value in first:
                shared[n] = first[value]
            else:
                first[value] = n
        return shared

    def _refuse_shared_yields(
        self, carried: list[str], yielded: list[Value], written: list[str], stmt
    ) -> None:
        """Two names that end an iteration as one array, one of them written into:
        the next iteration would need them to stay one array, which s2sad does not carry.
        """
        for i, first in enumerate(carried):
            for second, value in zip(carried[i + 1 :], yielded[i + 1 :]):
                shared = self.shares_memory(yielded[i], value)
                if shared and is_array(value.type) and {first, second} & set(written):
                    raise self.error(
                        UnsupportedSyntaxError,
                        stmt,
                        f"{first!r} and {second!r} are the same array at the end of each "
                        "iteration of this loop, and the loop writes into one of them",
                        f"copy one of them: {second} = {first}.copy()",
                    )

    def _bind_aliases(self) -> None:
        for alias, name in self.loop_aliases[-1].items():
            self.env[alias] = self.env[name]

    def _leaving_early(self, stmt, bounds: list[Value], bind, counter: str):
        """A ``for`` loop that ``break`` or ``return`` can leave, as a ``while`` loop
        with an ``int`` counter: ``while not broke and i < stop``, then ``i += step``.

        The generated code leaves the loop when the source does, and reverse
        mode runs back only the iterations that ran.
        """
        start, stop, step = bounds
        key = self.flag_name("counter") if counter in _target_names(stmt) else counter
        self.env[key] = start
        names = {}
        for kind, value in (("stop", stop), ("step", step)):
            names[kind] = self.flag_name(kind)
            self.env[names[kind]] = value

        def compare(left: str, op: ast.cmpop, right) -> ast.Compare:
            right = (
                right if isinstance(right, ast.expr) else ast.Name(right, ast.Load())
            )
            return ast.Compare(ast.Name(left, ast.Load()), [op], [right])

        sign = step.constant
        if sign == 0 and isinstance(sign, int):
            raise self.error(
                UnsupportedSyntaxError,
                stmt.iter,
                "range() step must not be zero",
                "give the loop a positive or negative step",
            )
        up = compare(key, ast.Lt(), names["stop"])
        down = compare(key, ast.Gt(), names["stop"])
        if not isinstance(sign, int):
            zero = ast.Constant(0)
            rising = compare(names["step"], ast.Gt(), zero)
            falling = compare(names["step"], ast.Lt(), zero)
            test = ast.BoolOp(
                ast.Or(),
                [
                    ast.BoolOp(ast.And(), [rising, up]),
                    ast.BoolOp(ast.And(), [falling, down]),
                ],
            )
        else:
            test = up if sign > 0 else down
        for node in ast.walk(test):
            ast.copy_location(node, stmt.iter)
        add = self.syntax_entry(("binop", "+"), stmt.iter)
        hint = counter if counter != "_" else self.flag_name("row")

        def advance() -> None:
            self.env[key] = self.apply(add, [self.env[key], step], stmt.iter, hint)

        return _LoopParts(
            test, lambda args: [args[0], *bind(args)], "", advance, key, {key: hint}
        )

    def _loop_regions(self, stmt, name, carried, types, loop: "_LoopParts"):
        """The loop's regions and what each yields: ``while`` has a test region first."""
        regions, yields = [], []

        def value(n: str) -> Value:
            return self.builder.value(loop.hints.get(n, n), types[n])

        if name == "while":
            test_args = [value(n) for n in carried]
            self.carry_sharing(carried, test_args)

            def test() -> list[Value]:
                self.env.update(zip(carried, test_args))
                self._bind_aliases()
                return [self.condition(self._unless_broken(loop.test))]

            block, cond = self.region(test_args, test)
            regions.append(block)
            yields.append(cond)
        counter = loop.counter
        counters = [self.builder.value(counter, INT)] if counter else []
        args = counters + [value(n) for n in carried]
        self.carry_sharing(carried, args[len(counters) :])

        def body() -> list[Value]:
            start = dict(zip(carried, loop.bind(args)))
            self.env.update(start)
            self._bind_aliases()
            flags = self.loop_flags[-1]
            if "continue" in flags:
                self.env[flags["continue"]] = self.builder.const(False)
            inner = stmt.body
            if name == "for" and ("break" in flags or "return" in flags):
                inner = [self._unless_broken_statement(stmt.body)]
            self.statements(inner)
            if loop.advance is not None:
                loop.advance()
            loop.lost.update(n for n in carried if n not in self.env)
            return [self.env.get(n, start[n]) for n in carried]

        block, yielded = self.region(args, body)
        regions.append(block)
        yields.append(yielded)
        return regions, yields

    def _stop_flags(self) -> list[ast.expr]:
        flags = self.loop_flags[-1]
        return [
            ast.Name(flags[k], ast.Load()) for k in ("break", "return") if k in flags
        ]

    def _unless_broken(self, test: ast.expr) -> ast.expr:
        """``not (broke or done) and test`` when the loop can be left early, else ``test``."""
        stops = self._stop_flags()
        if not stops:
            return test
        stop = stops[0] if len(stops) == 1 else ast.BoolOp(ast.Or(), stops)
        clear = ast.UnaryOp(ast.Not(), stop)
        combined = ast.BoolOp(ast.And(), [clear, test])
        for node in ast.walk(combined):
            if not hasattr(node, "lineno"):
                ast.copy_location(node, test)
        return combined

    def _unless_broken_statement(self, body: list[ast.stmt]) -> ast.If:
        """``if not broke: body`` for the body of a ``for`` loop that can be left early."""
        stops = self._stop_flags()
        stop = stops[0] if len(stops) == 1 else ast.BoolOp(ast.Or(), stops)
        guard = ast.If(ast.UnaryOp(ast.Not(), stop), body, [])
        for node in ast.walk(guard.test):
            ast.copy_location(node, body[0])
        return ast.copy_location(guard, body[0])

    def flag_name(self, kind: str) -> str:
        """A variable name the function does not use, for a loop's ``break``/``continue``
        flag, a ``return``'s flag and results, the counter of a loop over rows, an
        element of an unrolled loop, or the counter and bounds of a loop left early."""
        base = {
            "break": "broke",
            "continue": "skip",
            "return": "done",
            "result": "result",
            "row": "k",
            "item": "item",
            "counter": "counter",
            "stop": "stop",
            "step": "step",
        }[kind]
        name, k = base, 0
        while name in self.reserved_names:
            k += 1
            name = f"{base}_{k}"
        self.reserved_names.add(name)
        return name

    # ------------------------------------------------------------ scoping

    def scope_out(self, names: list[str], why: str, hint: str = "") -> None:
        """Forget ``names`` after a construct, remembering why (and what to do) for a later use."""
        for name in names:
            self.env.pop(name, None)
            self.out_of_scope[name] = (
                f"variable {name!r} {why}",
                hint or f"assign {name} before that statement too",
            )


@dataclass
class _LoopParts:
    """How a loop op is built: the ``while`` test, how the body binds its block
    arguments, the ``for`` counter, the statement ending each iteration (the
    counter of a ``for`` lowered to ``while``), that counter's carried name,
    and the hints of carried names that differ from them."""

    test: ast.expr | None
    bind: Callable[[list[Value]], list[Value]]
    counter: str = ""
    advance: Callable[[], None] | None = None
    key: str = ""
    hints: dict[str, str] = field(default_factory=dict)
    lost: set[str] = field(default_factory=set)
    """Carried names an inner construct left unreadable (an inner loop's target)."""


def _target_names(stmt: ast.stmt) -> list[str]:
    """The names a ``for`` statement's target binds (none for ``while``)."""
    if not isinstance(stmt, ast.For):
        return []
    return [n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)]


def _assigned_names(body: list[ast.stmt]) -> list[str]:
    """Names assigned anywhere in ``body`` (loop targets and arrays written
    into, ``y[i] = v``, included), in a stable order."""
    names: list[str] = []
    for stmt in body:
        for node in ast.walk(stmt):
            name = None
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                name = node.id
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                name = written_name(node)
            if name is not None and name not in names:
                names.append(name)
    return names


def _aliased_names(body: list[ast.stmt], written: list[str]) -> list[str]:
    """Names ``body`` binds a written-into name to (``z = y`` with ``z[i] = v``):
    the loop carries them, since a write through ``z`` changes them."""
    names: list[str] = []
    for stmt in body:
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Name)
                and any(
                    isinstance(t, ast.Name) and t.id in written for t in node.targets
                )
                and node.value.id not in names
            ):
                names.append(node.value.id)
    return names


def _written_names(body: list[ast.stmt]) -> list[str]:
    """Names of the arrays ``body`` writes into (``y[i] = v``)."""
    names: list[str] = []
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                name = written_name(node)
                if name is not None and name not in names:
                    names.append(name)
    return names


def written_name(target: ast.Subscript) -> str | None:
    """The variable an assignment to ``target`` (``y[i]``, ``y[i][j]``) writes into."""
    base = target.value
    while isinstance(base, ast.Subscript):
        base = base.value
    return base.id if isinstance(base, ast.Name) else None


def _checkpoint_arguments(call: ast.Call) -> tuple | None:
    """``(range, snapshots, schedule)`` nodes of a ``checkpointed(...)`` call (None
    where one is missing or unknown)."""
    names = ("steps", "snapshots", "schedule")
    given = dict(zip(names, call.args))
    for keyword in call.keywords:
        if keyword.arg not in names or keyword.arg in given:
            return None
        given[keyword.arg] = keyword.value
    if len(call.args) > 3 or "steps" not in given or "snapshots" not in given:
        return None
    return given["steps"], given["snapshots"], given.get("schedule")


def _jumps(body: list[ast.stmt]) -> set[str]:
    """``break``/``continue`` of this loop level (not of nested loops), and ``return`` anywhere."""
    found: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.Break):
            found.add("break")
        elif isinstance(stmt, ast.Continue):
            found.add("continue")
        elif isinstance(stmt, ast.Return):
            found.add("return")
        elif isinstance(stmt, ast.If):
            found |= _jumps(stmt.body) | _jumps(stmt.orelse)
        elif isinstance(stmt, (ast.For, ast.While)) and _contains_return(stmt):
            found.add("return")
    return found


def _may_jump(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` may set a flag that skips the rest of a loop body."""
    if isinstance(stmt, ast.If):
        return bool(_jumps([stmt]))
    return isinstance(stmt, (ast.For, ast.While)) and _contains_return(stmt)


def _contains_return(stmt: ast.stmt) -> bool:
    return any(isinstance(node, ast.Return) for node in ast.walk(stmt))


def _always_returns(body: list[ast.stmt]) -> bool:
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ast.Return):
        return True
    return (
        isinstance(last, ast.If)
        and _always_returns(last.body)
        and _always_returns(last.orelse)
    )


def _join_types(values: list[Value]) -> str:
    return join_types([v.type for v in values])
