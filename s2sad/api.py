"""The public transformations: ``grad``, ``value_and_grad``, ``jvp``, ``vjp``, ``hvp``, ``hessian``.

Each turns a user function into generated derivative code: lower it to IR,
transform, emit a source file, import it (see :mod:`s2sad.cache.loader` for where
files go and how they are reused).  The transformation happens when
``grad(f)`` is called, so names ``f`` uses must already be defined then.
The functions handed back check, on every call, what the generated code
cannot: a gradient's output is a scalar, arguments are plain numbers or
arrays, tangents and cotangents match the primals and outputs (see
:mod:`s2sad.checks`).
"""

from __future__ import annotations

import functools
import inspect
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from . import dependences, runtime
from .version import __version__
from .backend.module import emit_module
from .checks import (
    DERIVED,
    check_batches,
    check_cotangents,
    check_directions,
    accepts_containers,
    check_primal_types,
    refuse_containers,
    fill_tangents,
    gradient_entry,
    not_scalar,
    one_cotangent,
    ints_of,
    own_arrays,
    refuse_array_output,
    refuse_int_tangents,
    refuse_integer_arrays,
    resolve_target,
    unpopped,
    with_defaults,
    zero_tangent,
)
from .display import displayable
from .errors import DifferentiationError, ScalarOutputError, call_site, function_site
from .compressed import Sparse, Sweep, checked_sparsity, shapes_key
from .cache.fingerprint import source_key
from .frontend.program import lower
from .backend.layout import flattened, grouped
from .ir.core import DIFFERENTIABLE, FLOAT, Function, is_array
from .cache.loader import (
    HASH_PREFIX,
    Loaded,
    load,
    load_by_source_key,
    resolve_output_dir,
)
from .cache.loader import short_name
from .analysis.kinds import float_array_parameters
from .seeds import basis, float_dtype, number_or
from .cache.provenance import content_hash, file_stem, source_name
from .passes.identity import IDENTITY_KIND
from .passes.pipeline import (
    derivative_functions,
    kind_named,
)

Wrt = int | str | Sequence[int | str]
PathLike = str | os.PathLike | None


@dataclass
class Derivative:
    """A generated derivative: its loaded module, its file, what callers need to
    know of it (``meta``) and, on demand, the IR it came from."""

    loaded: Loaded
    meta: dict
    rebuild: Callable[[], list[Function]] = field(repr=False, default=list)
    _functions: list[Function] | None = field(default=None, repr=False)

    @property
    def functions(self) -> list[Function]:
        """The IR functions of the file (lowered again if the file came from the cache)."""
        if self._functions is None:
            self._functions = self.rebuild()
        return self._functions

    @property
    def path(self) -> Path:
        """The generated file."""
        return self.loaded.path

    @property
    def source(self) -> str:
        """The generated code."""
        return self.loaded.source

    def entry(self, index: int = 0) -> Callable[..., Any]:
        """The ``index``-th generated function, carrying ``.source`` and ``.path``
        (and the derivative it belongs to, so that it can be differentiated again)."""
        fn = getattr(self.loaded.module, self.meta["names"][index])
        fn.source = self.source
        fn.path = self.path
        setattr(fn, DERIVED, (self, index))
        return displayable(fn)

    def identity_columns(self) -> Callable[..., Any] | None:
        """A ``jacfwd`` file's columns for the identity seed (its second function,
        where :mod:`s2sad.passes.identity` wrote one), else None."""
        names = self.meta["names"]
        if len(names) > 1 and names[1].endswith(f"_{IDENTITY_KIND}"):
            return self.entry(1)
        return None


def derive(
    f: Callable[..., Any],
    kind: str,
    wrt: Wrt = 0,
    output_dir: PathLike = None,
    arrays: frozenset[int] = frozenset(),
    ints: frozenset[int] = frozenset(),
) -> Derivative:
    """Generate (or reuse) the derivative ``kind`` of ``f`` and import it.

    ``kind`` is ``grad``, ``value_and_grad``, ``jvp`` or ``vjp``; ``wrt`` picks
    the parameters (ignored by ``jvp`` and ``vjp``, which use all of them);
    ``arrays`` lists parameters known to be arrays (the primals ``vjp`` got),
    ``ints`` unannotated ones passed Python ints (not differentiated, as in JAX).
    A file an earlier run generated from the same source (same code, globals,
    rules, options and compiler) is found by its source key, without lowering.
    """
    directory = resolve_output_dir(output_dir)
    derived = getattr(f, DERIVED, None)
    if derived is not None:
        return _derive_again(*derived, kind, wrt, directory, arrays)
    module_name, qualname = source_name(f)
    wrt = wrt if kind_named(kind).picks else None
    request = (
        f"kind={kind}, wrt={wrt!r}, arrays={sorted(arrays)}, ints={sorted(ints)}, "
        f"dir={module_name}"
    )
    skey = source_key(f, request)
    if skey is not None:
        found = load_by_source_key(directory / module_name, skey)
        if found is not None:
            loaded, meta = found
            rebuild = functools.partial(_functions_of, f, kind, wrt, arrays, ints)
            return Derivative(loaded, meta, rebuild)
    primal, indices, single, functions = _build(f, kind, wrt, arrays, ints)
    return emit_derivative(
        primal, kind, indices, single, functions, directory, module_name, qualname, skey
    )


def emit_derivative(
    primal: Function,
    kind: str,
    indices: list[int],
    single: bool,
    functions: list[Function],
    directory: Path,
    module_name: str,
    qualname: str,
    skey: str | None,
) -> Derivative:
    """Write (or find by content hash) and import the file of ``functions``."""
    names = [primal.params[i].name for i in indices]
    options = derivative_options(primal, kind, indices, single)
    key = content_hash(primal, options)
    stem = short_name(file_stem(primal, kind, names, single))
    path = directory / module_name / f"{stem}.py"
    header = file_header(module_name, qualname, options, key)
    meta = {
        "names": [function.name for function in functions],
        "numbers": [k for k, p in enumerate(primal.params) if p.type == FLOAT],
        "floats": sorted(float_array_parameters(primal)),
        "array_output": any(is_array(v.type) for v in primal.returned),
        "outputs": len(primal.returned),
        "one_tuple": primal.one_tuple,
        "layout": primal.body.terminator.attrs.get("layout"),
        "indices": indices,
    }
    loaded = load(path, key, lambda: emit_module(functions, header), skey, meta)
    return Derivative(loaded, meta, _functions=functions)


def derivative_options(
    primal: Function, kind: str, indices: list[int], single: bool
) -> str:
    """The options a derivative file records: ``kind=grad, wrt=(w1, w2)``."""
    names = [primal.params[i].name for i in indices]
    wrt_text = (
        names[0] if single else f"({', '.join(names)}{',' if len(names) == 1 else ''})"
    )
    return f"kind={kind}, wrt={wrt_text}"


def file_header(module_name: str, qualname: str, options: str, key: str) -> str:
    """The comment block a derivative file starts with."""
    return "\n".join(
        [
            f"# Generated by s2sad {__version__} from {module_name}.{qualname}. Do not edit: regenerate.",
            f"# options: {options}",
            f"{HASH_PREFIX}{key}",
        ]
    )


def _derive_again(
    inner: Derivative,
    index: int,
    kind: str,
    wrt: Wrt | None,
    directory: Path,
    arrays: frozenset[int],
) -> Derivative:
    """The derivative ``kind`` of a function s2sad generated: transformed from
    its IR (kept, or lowered again from its source), not from the generated text.
    ``arrays`` are the parameters the caller passes arrays for: none may be one
    the generated function takes as a number."""
    primal = inner.functions[index]
    numbers = [
        primal.params[k].name for k in sorted(arrays) if primal.params[k].type == FLOAT
    ]
    if numbers:
        raise DifferentiationError(
            f"{kind} of {primal.name}, which s2sad generated for numbers: got an array "
            f"for {', '.join(numbers)}",
            hint="pass numbers, or annotate the parameter `: np.ndarray` in the "
            "function first differentiated",
            **call_site(),
        )
    wrt = wrt if kind_named(kind).picks else None
    indices, single = normalize_wrt(primal, wrt)
    functions = derivative_functions(primal, kind, indices, single)
    module_name = inner.path.parent.name
    derivative = emit_derivative(
        primal,
        kind,
        indices,
        single,
        functions,
        directory,
        module_name,
        primal.name,
        None,
    )
    return derivative


def hvp(
    f: Callable[..., Any] | None = None, wrt: Wrt = 0, *, output_dir: PathLike = None
) -> Any:
    """The Hessian-vector product of scalar-valued ``f``: ``hvp(f)(*args, v)``
    is ∇²f(args)·v, the derivative of the gradient along ``v``, shaped like the
    parameter ``wrt``.

    With ``wrt`` a tuple, ``v`` and the result are tuples: the blocks of the
    Hessian over those parameters times the directions.  One generated file,
    forward mode over the gradient's reverse mode, computes it in one forward
    and one backward sweep without building the Hessian; the returned function
    carries its ``.source`` and ``.path``, and ``.generated`` (the generated
    function, of the arguments then one direction per ``wrt`` parameter)
    can be differentiated again.
    """
    if f is None:
        return functools.partial(hvp, wrt=wrt, output_dir=output_dir)
    key = (f, "hvp", tuple(wrt) if isinstance(wrt, list) else wrt, output_dir)
    return cached(key, lambda: _hessian_vector(f, wrt, output_dir))


def _hessian_vector(
    f: Callable[..., Any], wrt: Wrt, output_dir: PathLike
) -> Callable[..., Any]:
    entry = Entry(f, "hvp", wrt, output_dir)
    target = entry.target

    def hessian_vector(*args: Any) -> Any:
        if not args:
            raise target.error(
                f"hvp of {target.label} takes the arguments, then v",
                "call it as hvp_f(*args, v)",
            )
        *primals, v = args
        primals = tuple(primals)
        full = entry.arguments(primals, "hvp")
        directions = (v,) if entry.single else _directions(target, v, entry.count)
        check_directions(target, primals, directions, entry.positions)
        return entry.run("hvp", *with_defaults(entry.target, full), *directions)

    return entry.named(hessian_vector)


@dataclass
class Entry:
    """The generated file of a derivative ``kind`` with respect to parameters
    ``wrt`` (a Hessian-vector product ``hvp``, ``hessian`` for batches of
    directions, a Jacobian's ``jacfwd`` or ``jacrev``) and the checks of its
    arguments."""

    f: Callable[..., Any]
    kind: str
    wrt: Wrt
    output_dir: PathLike
    derivative_name = "Hessian"
    integer_numbers = True
    """Integer numbers (not arrays) for ``wrt`` are taken as floats."""

    def __post_init__(self) -> None:
        self.target = resolve_target(self.f)
        shifted = self.target.shift_wrt(self.wrt)
        derivative = _memo_derive(self.target.fn, self.kind, shifted, self.output_dir)
        self.derivative = derivative
        self.generated = derivative.entry()
        self.single = not isinstance(shifted, (tuple, list))
        self.positions = self.target.callers(derivative.meta["indices"])
        self.numbers = self.target.callers(derivative.meta["numbers"])
        self.floats = self.target.callers(derivative.meta.get("floats", ()))
        params = inspect.signature(self.target.fn).parameters.values()
        required = sum(1 for p in params if p.default is inspect.Parameter.empty)
        self.arities = range(required, len(params) + 1)

    @property
    def count(self) -> int:
        """How many parameters ``wrt`` names."""
        return len(self.positions)

    def arguments(self, primals: tuple, who: str) -> tuple:
        """The full arguments of the generated function for the caller's
        ``primals``, checked as the gradient's are."""
        target = self.target
        check_primal_types(target, primals, who)
        full = target.arguments(primals)
        if len(full) not in self.arities:
            target.check_arity(len(full), exact=False)
        refuse_integer_arrays(target, who, primals, self.floats)
        scalar_output = kind_named(self.kind).scalar_output
        _refuse_arrays_for_numbers(target, primals, self.numbers, who, scalar_output)
        refuse_containers(target, primals, self.positions, who)
        accepts_containers(target, full)
        self._refuse_integers(primals, who)
        return full

    def _refuse_integers(self, primals: tuple, who: str) -> None:
        """Refuse an integer or boolean array for a ``wrt`` parameter (an integer
        number too unless :attr:`integer_numbers`)."""
        for k in [k for k in self.positions if k < len(primals)]:
            value = primals[k]
            number = isinstance(value, (bool, int, np.integer, np.bool_))
            array = isinstance(value, np.ndarray) and value.dtype.kind in "biu"
            if array or (number and not self.integer_numbers):
                name = self.target.names[len(self.target.args) + k]
                raise self.target.error(
                    f"{who} of {self.target.label}: argument {name} is "
                    f"{'an integer array' if array else 'an integer'}, which has no "
                    f"{self.derivative_name}",
                    f"pass a float ({name} = float({name}) or {name}.astype(float))",
                )

    def run(self, who: str, *args: Any) -> Any:
        """The generated function at ``args``; an output of more than one element
        is refused in ``who``'s name, at the function's ``def``."""
        try:
            return self.generated(*args)
        except ScalarOutputError as error:
            raise not_scalar(self.target, who, error.shape) from None

    def named(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` named and documented as the generated function, with its
        ``.source``, ``.path`` and ``.generated``."""
        generated = self.generated
        fn.__name__ = fn.__qualname__ = generated.__name__
        fn.__doc__ = generated.__doc__
        fn.source, fn.path = generated.source, generated.path
        fn.generated = generated
        return displayable(fn)


def batched_hvp(
    f: Callable[..., Any], wrt: Wrt = 0, output_dir: PathLike = None
) -> Callable[..., Any]:
    """Hessian-vector products of scalar-valued ``f`` for a batch of directions:
    ``batched_hvp(f)(*args, V)`` is ``[∇²f(args)·V[j] for j in range(k)]`` as one
    array of shape ``(k,) + x.shape`` (``(k,)`` for a number ``x``), computed by
    one call of vectorised generated code, not ``k`` calls.

    ``V`` holds the ``k`` directions along its leading axis; with ``wrt`` a
    tuple, ``V`` and the result are tuples of such batches, one per parameter.
    The returned function carries ``.source`` and ``.path`` of the generated
    file (``<f>_hessian_<wrt>.py``).
    """
    key = (f, "batched_hvp", tuple(wrt) if isinstance(wrt, list) else wrt, output_dir)
    return cached(key, lambda: _batched_products(f, wrt, output_dir))


def _batched_products(
    f: Callable[..., Any], wrt: Wrt, output_dir: PathLike
) -> Callable[..., Any]:
    entry = Entry(f, "hessian", wrt, output_dir)
    target = entry.target

    def products_for(who: str, args: tuple) -> Any:
        if not args:
            raise target.error(
                f"{who} of {target.label} takes the arguments, then V",
                f"call it as {who}_f(*args, V)",
            )
        *primals, batches = args
        primals = tuple(primals)
        full = entry.arguments(primals, who)
        if entry.single:
            batches = (batches,)
        else:
            batches = _directions(target, batches, entry.count, who, "V")
        check_batches(target, primals, batches, entry.positions, who)
        batches = tuple(np.asarray(v, np.result_type(v, 0.0)) for v in batches)
        results = _run_batched(entry, full, primals, batches, who)
        results = tuple(
            r.copy() if any(np.may_share_memory(r, v) for v in batches) else r
            for r in results
        )
        return results[0] if entry.single else results

    def products(*args: Any) -> Any:
        return products_for("batched_hvp", args)

    products.positions = entry.positions
    products.arguments = entry.arguments
    products.products_for = products_for
    return entry.named(products)


def _run_batched(
    entry: "Entry", full: tuple, primals: tuple, batches: tuple, who: str
) -> tuple:
    """The generated batched products as a tuple (empty batches without running it),
    each of shape ``(k,)`` and its parameter's shape; ``who`` names the caller in
    errors."""
    count = len(batches[0])
    if not count:
        return tuple(np.zeros((0,) + np.shape(primals[k])) for k in entry.positions)
    results = entry.run(who, *with_defaults(entry.target, full), *batches)
    results = (results,) if entry.single else tuple(results)
    shapes = [(count,) + np.shape(primals[k]) for k in entry.positions]
    if all(np.shape(r) == shape for r, shape in zip(results, shapes)):
        return results
    return tuple(
        np.array(runtime.broadcast_like_batched(r, primals[k]))
        for r, k in zip(results, entry.positions)
    )


def hessian(
    f: Callable[..., Any] | None = None,
    wrt: Wrt = 0,
    *,
    diagonal: bool = False,
    sparsity: Any = None,
    dense: bool = True,
    output_dir: PathLike = None,
) -> Any:
    """The Hessian of scalar-valued ``f`` with respect to parameter(s) ``wrt``:
    ``hessian(f)(*args)`` has shape ``x.shape + x.shape`` (a float for a number
    ``x``); with ``wrt`` a tuple, ``H[i][j]`` is the block of shape ``s_i + s_j``
    (as JAX's ``hessian``).  ``diagonal=True`` returns only the diagonal, shaped
    like the parameter (a tuple of them for a tuple ``wrt``).

    It is one call of the batched Hessian-vector product (:func:`batched_hvp`)
    with every basis direction of every parameter in one batch.  The returned
    function carries ``.source`` and ``.path`` of that generated file.

    With ``sparsity`` (one parameter ``x``), the Hessian comes from one product
    per colour of a star colouring of the pattern, in one batch with one random
    check direction more: a tridiagonal Hessian takes four.  ``sparsity`` is a
    symmetric boolean array of shape ``(n, n)`` or ``x.shape + x.shape``, True
    where an entry can be nonzero (a pattern that misses a nonzero is refused
    at the call that shows it), or ``"detect"``, as for :func:`s2sad.jacobian`
    (the dependences run through the batched HVP code).  ``.products`` is the
    number of directions of the last call, ``.pattern_source`` where its
    pattern came from.  With
    ``dense=False`` a sparse Hessian is returned as the triplets ``(values,
    (rows, columns))`` of its pattern's entries in the ``n × n`` matrix of the
    flattened ``x`` (as ``scipy.sparse.coo_matrix`` takes them; the rows and
    columns read-only, shared by the calls), skipping the
    dense array.
    """
    if f is None:
        return functools.partial(
            hessian,
            wrt=wrt,
            diagonal=diagonal,
            sparsity=sparsity,
            dense=dense,
            output_dir=output_dir,
        )
    sparsity = checked_sparsity(sparsity, dense)
    if sparsity is not None:
        return _hessian(f, wrt, diagonal, (sparsity, dense), output_dir)
    key = (f, "hessian", tuple(wrt) if isinstance(wrt, list) else wrt, diagonal)
    key += (output_dir,)
    return cached(key, lambda: _hessian(f, wrt, diagonal, None, output_dir))


def _hessian(
    f: Callable[..., Any],
    wrt: Wrt,
    diagonal: bool,
    sparsity: Any,
    output_dir: PathLike,
) -> Callable[..., Any]:
    entry = Entry(f, "hessian", wrt, output_dir)
    sparse = None
    if sparsity is not None:
        if not entry.single:
            raise entry.target.error(
                f"hessian of {entry.target.label} with sparsity: a sparse Hessian is "
                "with respect to one parameter",
                "pass one parameter as wrt (stack several with np.concatenate)",
            )
        pattern, dense = sparsity
        error = entry.target.error
        sparse = Sparse(pattern, True, "Hessian", error, dense and not diagonal)

    def hessian_of(*args: Any) -> Any:
        full = entry.arguments(args, "hessian")
        if sparse is None:
            return dense_hessian(full, args, diagonal)
        key = shapes_key(args)
        found = _sparse_hessian(
            entry,
            sparse,
            key,
            full,
            args,
            functools.partial(dense_hessian, full, args, False),
        )
        hessian_of.products = sparse.products
        hessian_of.pattern_source = sparse.sources.get(key)
        x = args[entry.positions[0]]
        if diagonal:
            values, (rows, columns) = found
            on = rows == columns
            entries = np.zeros(np.size(x), dtype=values.dtype)
            entries[rows[on]] = values[on]
            return number_or(entries.reshape(np.shape(x)))
        if sparse.dense:
            return number_or(found.reshape(np.shape(x) + np.shape(x)))
        return found

    def dense_hessian(full: tuple, args: tuple, diagonal: bool) -> Any:
        primals = [args[k] for k in entry.positions]
        seeds = basis(tuple(np.shape(p) for p in primals), float_dtype(primals))
        results = _run_batched(entry, full, args, seeds.batches, "hessian")
        if seeds.shared(results):
            results = tuple(np.array(r) for r in results)
        columns = [r.reshape(seeds.count, n) for r, n in zip(results, seeds.sizes)]
        if diagonal:
            diagonals = tuple(
                number_or(c[seeds.rows[i], seeds.columns[i]].reshape(shape))
                for i, (c, shape) in enumerate(zip(columns, seeds.shapes))
            )
            return diagonals[0] if entry.single else diagonals
        blocks = tuple(
            tuple(
                number_or(c[start : start + n].T.reshape(s_i + s_j))
                for start, n, s_j in zip(seeds.starts, seeds.sizes, seeds.shapes)
            )
            for c, s_i in zip(columns, seeds.shapes)
        )
        return blocks[0][0] if entry.single else blocks

    hessian_of.products = None
    hessian_of.pattern_source = None
    return entry.named(hessian_of)


def _sparse_hessian(
    entry: Entry,
    sparse: Sparse,
    key: tuple,
    full: tuple,
    args: tuple,
    dense: Callable,
) -> Any:
    """The ``n × n`` Hessian (or its triplets) from the compressed products of a
    star colouring of its pattern, at arguments of :func:`shapes_key` ``key``
    (``dense()`` computes it where the pattern is to be found)."""
    x = args[entry.positions[0]]
    dtype = float_dtype([x])

    def multiply(directions: np.ndarray) -> np.ndarray:
        batch = _direction_batch(directions, dtype, np.shape(x))
        (products,) = _run_batched(entry, full, args, (batch,), "hessian")
        return products.reshape(len(batch), -1).T

    def dense_matrix() -> np.ndarray:
        return np.reshape(dense(), (np.size(x), np.size(x)))

    def structure() -> np.ndarray | None:
        return dependences.pattern_from(dependence_rows)

    def dependence_rows() -> np.ndarray:
        seed = dependences.seed(np.shape(x))
        (products,) = _run_batched(entry, full, args, (seed,), "hessian")
        return dependences.rows(products, np.size(x))

    sweeps = {"hvp": Sweep(multiply)}
    return sparse.matrix(key, np.size(x), sweeps, dense_matrix, structure)[0]


_BATCHES: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _direction_batch(directions: np.ndarray, dtype: Any, shape: tuple) -> np.ndarray:
    """The columns of ``directions`` as a read-only batch of ``dtype`` and
    ``shape`` (made once per directions array, dtype and shape; the last 32 kept)."""
    key = (id(directions), np.dtype(dtype).str, shape)
    found = _BATCHES.get(key)
    if found is None or found[0] is not directions:
        if len(_BATCHES) >= 32:
            _BATCHES.clear()
        batch = directions.T.astype(dtype).reshape((-1,) + shape)
        batch.flags.writeable = False
        found = _BATCHES[key] = (directions, batch)
    return found[1]


def _directions(
    target: Any, v: Any, count: int, who: str = "hvp", label: str = "v"
) -> tuple:
    """The directions of an ``hvp`` over ``count`` parameters: a tuple of that many."""
    if not isinstance(v, (tuple, list)) or len(v) != count:
        what = "directions" if who == "hvp" else "batches of directions"
        raise target.error(
            f"{who} of {target.label} over {count} parameters takes {label} as a "
            f"tuple of {count} {what}, got {_described(v)}",
            f"pass one {what[:-1] if who == 'hvp' else 'batch'} per parameter of wrt, "
            "in its order",
        )
    return tuple(v)


def _described(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return type(value).__name__


def _refuse_arrays_for_numbers(
    target: Any, primals: tuple, numbers: tuple, who: str, scalar_output: bool
) -> None:
    """Refuse an array for a parameter the generated code takes as a number (an
    array output first, with ``scalar_output``: the likelier mistake)."""
    for k in numbers:
        if k < len(primals) and isinstance(primals[k], np.ndarray):
            if scalar_output:
                refuse_array_output(target, who, primals, {})
            name = target.names[len(target.args) + k]
            raise target.error(
                f"{who} of {target.label}: got an array for {name}, which {target.label} "
                "uses as a number",
                f"pass a number, or annotate the parameter `{name}: np.ndarray`",
            )


def _build(
    f: Callable[..., Any],
    kind: str,
    wrt: Wrt | None,
    arrays: frozenset[int],
    ints: frozenset[int] = frozenset(),
) -> tuple[Function, list[int], bool, list[Function]]:
    scalar = kind_named(kind).scalar_output
    primal = lower(f, scalar_output=scalar, arrays=arrays, ints=ints)
    indices, single = normalize_wrt(primal, wrt)
    return primal, indices, single, derivative_functions(primal, kind, indices, single)


def _functions_of(
    f: Callable[..., Any],
    kind: str,
    wrt: Wrt | None,
    arrays: frozenset[int],
    ints: frozenset[int] = frozenset(),
) -> list[Function]:
    return _build(f, kind, wrt, arrays, ints)[3]


def normalize_wrt(primal: Function, wrt: Wrt | None) -> tuple[list[int], bool]:
    """Parameter indices for ``wrt`` (None: all) and whether a single one was named."""
    params = [p.name for p in primal.params]
    if wrt is None:
        return list(range(len(params))), False
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    if not items:
        raise _wrt_error(primal, "wrt is empty", "name at least one parameter")
    indices = []
    for item in items:
        index = _parameter_index(primal, params, item)
        if index in indices:
            raise _wrt_error(
                primal,
                f"parameter {params[index]!r} appears twice in wrt={wrt!r}",
                f"name each parameter once, e.g. wrt={tuple(dict.fromkeys(items))!r}",
            )
        kind = primal.params[index].type
        if kind not in DIFFERENTIABLE:
            raise _wrt_error(
                primal,
                f"cannot differentiate with respect to {params[index]!r}: it is annotated {kind}",
                "only float and array parameters have derivatives",
            )
        indices.append(index)
    return indices, single


def _parameter_index(primal: Function, params: list[str], item: Any) -> int:
    hint = f"parameters are: {', '.join(params)}"
    if isinstance(item, bool) or not isinstance(item, (int, str)):
        raise _wrt_error(
            primal, f"wrt entries must be ints or names, got {item!r}", hint
        )
    if isinstance(item, str):
        if item not in params:
            raise _wrt_error(primal, f"{primal.name} has no parameter {item!r}", hint)
        return params.index(item)
    if not -len(params) <= item < len(params):
        message = (
            f"wrt={item} is out of range: {primal.name} has {len(params)} parameter(s)"
        )
        raise _wrt_error(primal, message, hint)
    return item % len(params)


def _wrt_error(
    primal: Function, message: str, hint: str | None = None
) -> DifferentiationError:
    return DifferentiationError(
        message, **function_site(primal.file, primal.line), hint=hint
    )


_MEMO: dict[tuple, Derivative] = {}


def _memo_derive(
    f: Callable[..., Any],
    kind: str,
    wrt: Wrt,
    out: PathLike,
    arrays: frozenset[int] = frozenset(),
    ints: frozenset[int] = frozenset(),
) -> Derivative:
    """``derive`` once per function, kind, ``wrt``, array and int parameters and
    directory in this process.

    Like ``jax.jit``, the memo is keyed on the function object: a module
    constant changed after the first call is not seen.
    """
    key = (
        f,
        kind,
        tuple(wrt) if isinstance(wrt, list) else wrt,
        str(resolve_output_dir(out)),
        arrays,
        ints,
    )
    try:
        hash(key)
    except TypeError:
        return derive(f, kind, wrt, out, arrays, ints)
    if key not in _MEMO:
        _MEMO[key] = derive(f, kind, wrt, out, arrays, ints)
    return _MEMO[key]


_ENTRIES: dict[tuple, Any] = {}
"""What the public functions hand back or run, per function and options: found
here without resolving the output directory again (it is fixed at first use)."""


def cached(key: tuple, make: Callable[[], Any]) -> Any:
    """``_ENTRIES[key]``, made by ``make()`` the first time (every time if unhashable)."""
    try:
        return _ENTRIES[key]
    except KeyError:
        made = _ENTRIES[key] = make()
        return made
    except TypeError:
        return make()


def _gradient(
    f: Callable[..., Any], kind: str, wrt: Wrt, output_dir: PathLike
) -> Callable[..., Any]:
    target = resolve_target(f)
    shifted = target.shift_wrt(wrt)
    derivative = _memo_derive(target.fn, kind, shifted, output_dir)
    vjp = None
    if derivative.meta["array_output"]:
        vjp = _memo_derive(target.fn, "vjp", None, output_dir)
    single = not isinstance(shifted, (tuple, list))
    return gradient_entry(target, kind, derivative, vjp, single)


def grad(
    f: Callable[..., Any] | None = None, wrt: Wrt = 0, *, output_dir: PathLike = None
) -> Any:
    """The gradient of scalar-valued ``f`` with respect to parameter(s) ``wrt``.

    ``wrt`` is an index, a parameter name, or a tuple of those (then the
    gradient is a tuple).  Usable as ``grad(f)``, ``@grad`` or ``@grad(wrt=(0, 1))``.
    The returned function runs the generated code (its ``.source`` and ``.path``)
    after checking the arguments; an output that is not a scalar is refused.
    """
    if f is None:
        return functools.partial(grad, wrt=wrt, output_dir=output_dir)
    key = (f, "grad", tuple(wrt) if isinstance(wrt, list) else wrt, output_dir)
    return cached(key, lambda: _gradient(f, "grad", wrt, output_dir))


def value_and_grad(
    f: Callable[..., Any] | None = None, wrt: Wrt = 0, *, output_dir: PathLike = None
) -> Any:
    """Like :func:`grad`, but the function returns ``(f(...), gradient)``."""
    if f is None:
        return functools.partial(value_and_grad, wrt=wrt, output_dir=output_dir)
    key = (f, "vg", tuple(wrt) if isinstance(wrt, list) else wrt, output_dir)
    return cached(key, lambda: _gradient(f, "value_and_grad", wrt, output_dir))


def jvp(
    f: Callable[..., Any],
    primals: Sequence[Any],
    tangents: Sequence[Any],
    *,
    output_dir: PathLike = None,
) -> tuple[Any, Any]:
    """Forward mode: ``(f(*primals), J·tangents)``, one tangent per primal.

    A tangent may be ``None`` for a primal not differentiated (it counts as zero).
    """
    if type(primals) is not tuple or type(tangents) is not tuple:
        primals, tangents = _sequences(primals, tangents)
    types = tuple(map(type, primals))
    try:
        return _ENTRIES[f, types, output_dir](primals, tangents, types)
    except (KeyError, TypeError):
        run = cached(
            (f, types, output_dir), lambda: _jvp_runner(f, primals, output_dir)
        )
        return run(primals, tangents, types)


def _sequences(primals: Any, tangents: Any) -> tuple[tuple, tuple]:
    """``primals`` and ``tangents`` as tuples; a number or array in their place is refused."""
    for label, given in (("primals", primals), ("tangents", tangents)):
        if not isinstance(given, (tuple, list)):
            raise DifferentiationError(
                f"jvp takes its {label} as a tuple, got {type(given).__name__}",
                hint="pass one value per parameter in a tuple: jvp(f, (x,), (x_dot,))",
                **call_site(),
            )
    return tuple(primals), tuple(tangents)


def _jvp_runner(
    f: Callable[..., Any], primals: tuple, output_dir: PathLike
) -> Callable[[tuple, tuple, tuple], Any]:
    target = resolve_target(f)
    check_primal_types(target, primals, "jvp")
    full = target.arguments(primals)
    target.check_arity(len(full), exact=True)
    accepts_containers(target, full)
    derivative = _memo_derive(
        target.fn,
        "jvp",
        None,
        output_dir,
        own_arrays(full, copy=False)[1],
        ints_of(full),
    )
    fn = derivative.entry()
    arrays = [k for k, v in enumerate(primals) if type(v) is np.ndarray]
    before, after = len(target.args), len(target.keywords)
    floats = target.callers(derivative.meta.get("floats", ()))
    plain = not before and not after

    annotated = getattr(target.fn, "__annotations__", {})
    shift = len(target.args)
    counted = [
        k for k in sorted(ints_of(primals)) if target.names[shift + k] not in annotated
    ]

    def run(primals: tuple, tangents: tuple, types: tuple) -> Any:
        if floats:
            refuse_integer_arrays(target, "jvp", primals, floats)
        if counted:
            refuse_int_tangents(target, tangents, counted)
        if tuple(map(type, tangents)) != types:
            tangents = fill_tangents(target, primals, tangents)
        elif arrays and any(tangents[k].shape != primals[k].shape for k in arrays):
            tangents = fill_tangents(target, primals, tangents)
        if plain:
            return fn(*primals, *tangents)
        full = target.arguments(primals)
        zeros = [zero_tangent(v) for v in full]
        return fn(*full, *zeros[:before], *tangents, *zeros[len(full) - after :])

    if derivative.meta.get("one_tuple"):
        return _as_one_tuples(run)
    layout = derivative.meta.get("layout")
    if layout is not None:
        return _as_halves(run, len(layout))
    return run


def _copied(out: Any) -> Any:
    """``out`` with each array copied: the backward sweep may keep the array the
    caller gets, and must not see the caller's changes to it."""
    if type(out) is np.ndarray:
        return out.copy()
    if isinstance(out, tuple):
        return tuple(map(_copied, out))
    return out


def _as_one_tuples(run: Callable[..., Any]) -> Callable[..., Any]:
    """``run`` for a function returning ``(y,)``: its value and tangent as 1-tuples."""

    def one_tuples(*args: Any) -> tuple[tuple, tuple]:
        out, tangent = run(*args)
        return (out,), (tangent,)

    return one_tuples


def _as_halves(run: Callable[..., Any], groups: int) -> Callable[..., Any]:
    """``run`` for a generated function returning ``groups`` groups of values,
    ``(g,)`` or ``(value, (gx, gy))``: its jvp returns them, then their tangents
    grouped alike; the value and the tangent, each grouped as the function's
    output is."""

    def halves(*args: Any) -> tuple[Any, Any]:
        both = run(*args)
        if groups == 1:
            return both
        return tuple(both[:groups]), tuple(both[groups:])

    return halves


def jvp_function(
    f: Callable[..., Any], *, output_dir: PathLike = None
) -> Callable[..., Any]:
    """The generated ``f_jvp(*primals, *tangents) -> (out, out_dot)`` itself
    (``f`` may be a function s2sad generated, or one ``grad`` returned)."""
    target = resolve_target(f)
    if target.fixed_count:
        raise target.error(
            f"jvp_function of {target.label}: a partial's jvp function would take "
            "its fixed arguments",
            "pass the function itself",
        )
    return _memo_derive(target.fn, "jvp", None, output_dir).entry()


def vjp(
    f: Callable[..., Any], *primals: Any, output_dir: PathLike = None
) -> tuple[Any, Callable[..., Any]]:
    """Reverse mode: ``(f(*primals), vjp_fn)`` with ``vjp_fn(cotangent)`` -> one adjoint per primal.

    The forward sweep runs once, here; ``vjp_fn`` runs only the reverse sweep
    and may be called with many cotangents.  For a function with several
    outputs, the cotangent is a tuple with one entry per output.  Array
    primals are copied first, and array outputs handed back are copies, so
    changing either later does not change ``vjp_fn``.
    """
    key = (f, "vjp", tuple(map(type, primals)), output_dir)
    start = cached(key, lambda: _vjp_runner(f, primals, output_dir))
    return start(primals)


def _vjp_runner(
    f: Callable[..., Any], primals: tuple, output_dir: PathLike
) -> Callable[[tuple], Any]:
    target = resolve_target(f)
    check_primal_types(target, primals, "vjp")
    full = target.arguments(primals)
    target.check_arity(len(full), exact=False)
    accepts_containers(target, full)
    arrays = own_arrays(full, copy=False)[1]
    derivative = _memo_derive(target.fn, "vjp", None, output_dir, arrays, ints_of(full))
    forward_sweep, backward_sweep = derivative.entry(0), derivative.entry(1)
    n_out = derivative.meta["outputs"]
    fixed = target.fixed_count
    floats = target.callers(derivative.meta.get("floats", ()))
    one_tuple = derivative.meta.get("one_tuple", False)
    layout = derivative.meta.get("layout")

    def start(primals: tuple) -> tuple[Any, Callable[..., Any]]:
        if floats:
            refuse_integer_arrays(target, "vjp", primals, floats)
        full, _ = own_arrays(target.arguments(primals), copy=True)
        out, residuals = forward_sweep(*full)

        def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
            """The adjoints of the primals for ``cotangent`` (a tuple for several outputs)."""
            if one_tuple:
                cotangent = one_cotangent(target, cotangent)
            cotangent = flattened(target.label, cotangent, layout)
            cotangents = check_cotangents(target, out, cotangent, n_out)
            adjoints = backward_sweep(unpopped(residuals), *cotangents)
            if fixed:
                adjoints = target.drop_fixed(adjoints)
            return adjoints[: len(primals)]

        vjp_fn.source = derivative.source
        vjp_fn.path = derivative.path
        displayable(vjp_fn)
        given = grouped(_copied(out), n_out, layout)
        return ((given,) if one_tuple else given), vjp_fn

    return start
