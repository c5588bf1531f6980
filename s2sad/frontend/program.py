"""The functions one lowering reaches: the function being differentiated and
the helpers it calls, each lowered once (twice when its parameters' kinds must
first be found), resolved by object and named uniquely."""

from __future__ import annotations

import ast
from typing import Any, Callable

from ..analysis.kinds import scalar_parameters, uses_arrays
from ..analysis.numbers import refine_numbers
from ..analysis.sequences import refine_sequences
from ..errors import DifferentiationError
from ..ir.core import FLOAT, INT, OBJECT, SEQ, Function
from .nesting import refuse_nested_crossings
from ..ir.module import Module
from .lowering import USER, ArrayForNumber, Callee, Lowering, result_count
from .source import SourceInfo, parse_function


def lower(
    fn: Callable[..., Any],
    mode: str = USER,
    scalar_output: bool = False,
    arrays: frozenset[int] = frozenset(),
    ints: frozenset[int] = frozenset(),
) -> Function:
    """Lower a Python function to an IR :class:`Function` (see the module docstring).

    The user's own functions it calls are lowered too, once each, and listed
    with it in one :class:`~s2sad.ir.module.Module` (its ``module``); calls to
    them are ``call`` ops.  A parameter
    without an annotation is an array unless the function can only use it as a
    number (see :mod:`s2sad.analysis.kinds`); the parameters at the indices in
    ``arrays`` are arrays (the caller passes arrays), those in ``ints`` unannotated
    ones the caller passes ints for are ints; ``scalar_output`` says the single
    output must be a number (for gradients).
    """
    program = Program(mode)
    record = program.callee_record(fn)
    main = program.lower(fn, record, scalar_output, arrays, ints=ints)
    Module([main, *(f for f in program.functions if f is not main)])
    main.one_tuple = record.one_tuple
    return main


class Program:
    """The functions one lowering reaches: the function and the helpers it calls."""

    def __init__(self, mode: str):
        self.mode = mode
        self.callees: dict[Any, Callee] = {}
        self.functions: list[Function] = []

    def lower(
        self,
        fn: Callable[..., Any],
        callee: Callee,
        scalar_output: bool = False,
        arrays: frozenset[int] = frozenset(),
        helper: bool = False,
        ints: frozenset[int] = frozenset(),
    ) -> Function:
        """Lower ``fn`` (already registered as ``callee``), first with every
        unannotated parameter an array, then again with those that can only be
        numbers, and are not in ``arrays``, as ``float``."""
        tree, info = parse_function(fn)
        lowering = Lowering(fn, tree, info, self.mode, self, helper=helper)
        function = lowering.run()
        if self.mode == USER:
            helpers = {c.name: c for c in self.callees.values()}
            callee.uses_arrays = uses_arrays(
                function, {n for n, c in helpers.items() if c.uses_arrays}
            )
            required = {n: c.required for n, c in helpers.items()}
            found = scalar_parameters(function, scalar_output, required)
            kinds = {
                p.hint: INT if k in ints else FLOAT
                for k, p in enumerate(function.params)
                if p.hint in function.inferred
                and k not in arrays
                and (k in ints or k in found or not callee.uses_arrays)
            }
            callee.scalars = {
                k
                for k, p in enumerate(function.params)
                if p.type == FLOAT or p.hint in kinds
            }
            callee.required = {
                k
                for k, p in enumerate(function.params)
                if p.type == FLOAT or (p.hint in function.inferred and k in found)
            }
            lowering = Lowering(fn, tree, info, self.mode, self, kinds, helper=helper)
            function = lowering.run()
            refine_sequences(function)
            refine_numbers(function)
        callee.array_writes = lowering.array_writes
        if scalar_output and function.returned[0].type in (SEQ, OBJECT):
            raise DifferentiationError(
                f"{callee.name} returns a tuple or list, not a number: grad needs a "
                "scalar output",
                file=function.file,
                line=_return_line(tree, info),
                hint="use s2sad.jvp or s2sad.vjp for several outputs, or return one number",
            )
        refuse_nested_crossings(function)
        function.name = callee.name
        if callee.function in self.functions:
            self.functions.remove(callee.function)
        callee.function = function
        self.functions.append(function)
        return function

    def callee_record(self, fn: Callable[..., Any]) -> Callee:
        """Register ``fn`` under a name unique in this program, before lowering it."""
        tree, _ = parse_function(fn)
        taken = {c.name for c in self.callees.values()}
        name, k = tree.name, 1
        while name in taken:
            k += 1
            name = f"{tree.name}_{k}"
        params = len(tree.args.posonlyargs) + len(tree.args.args)
        defaults = tuple(getattr(fn, "__defaults__", None) or ())
        self.callees[fn] = Callee(
            name, params, defaults, result_count(tree), one_tuple=_one_tuple(tree)
        )
        return self.callees[fn]

    def callee(self, fn: Callable[..., Any], arrays: set[int]) -> Callee:
        """The helper ``fn`` as a callee, lowered the first time it is called and
        again when a call passes an array for a parameter lowered as a number
        (``arrays``: the indices of the arguments that are arrays)."""
        record = self.callees.get(fn)
        if record is None:
            self.lower(
                fn, self.callee_record(fn), arrays=frozenset(arrays), helper=True
            )
        elif record.function is not None and arrays & record.scalars:
            inferred = {
                k
                for k, p in enumerate(record.function.params)
                if p.hint in record.function.inferred
            }
            forced = (arrays & record.scalars) - inferred
            if forced:
                raise ArrayForNumber(sorted(forced))
            widened = frozenset(arrays | (set(range(record.params)) - record.scalars))
            self.lower(fn, record, arrays=widened, helper=True)
        record = self.callees[fn]
        written = sorted(arrays & record.array_writes.keys())
        if written:
            raise record.array_writes[written[0]]
        return record


def _return_line(node: ast.FunctionDef, info: SourceInfo) -> int | None:
    """The line of ``node``'s first ``return`` in the user's file."""
    for child in ast.walk(node):
        if isinstance(child, ast.Return):
            return info.loc(child).line
    return None


def _one_tuple(node: ast.FunctionDef) -> bool:
    """True when ``node``'s first ``return`` returns a one-element tuple display."""
    for child in ast.walk(node):
        if isinstance(child, ast.Return) and child.value is not None:
            return isinstance(child.value, ast.Tuple) and len(child.value.elts) == 1
    return False
