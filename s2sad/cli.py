"""The ``s2sad`` command: write derivative files, print IR, compare against SymPy and finite differences.

    s2sad --version
    s2sad grad FILE.py:FUNC [--wrt a,b] [-o DIR]
    s2sad value_and_grad FILE.py:FUNC [--wrt a,b] [-o DIR]
    s2sad jvp FILE.py:FUNC [-o DIR]
    s2sad vjp FILE.py:FUNC [-o DIR]
    s2sad hvp FILE.py:FUNC [--wrt a,b] [-o DIR]
    s2sad hessian FILE.py:FUNC [--wrt a,b] [-o DIR]
    s2sad jacobian FILE.py:FUNC [--mode fwd|rev|auto] [--wrt a,b] [-o DIR]
    s2sad ir FILE.py:FUNC [--derivative KIND] [--wrt a,b]
    s2sad compare FILE.py:FUNC --at 2.0,3.0
    s2sad graph FILE.py:FUNC [--derivative KIND] [--wrt a,b] [-o out.dot|out.svg|out.png]
    s2sad show FILE.py:FUNC [--derivative KIND] [--wrt a,b] [-o page.html]

Each derivative kind has its command (``jacfwd`` and ``jacrev`` too);
``jacobian --mode auto`` writes the files of both modes, between which
``s2sad.jacobian`` chooses at call time.  ``--wrt`` takes names or indices
(``--wrt 0,2``) and defaults, as the API does, to the first parameter; ``--at``
takes negative numbers (``--at -1.0,3.0``).  Errors are printed as
``file:line:col: message`` and exit with status 1; output piped into a command
that stops reading early (``| head``) ends quietly.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from .api import derive, normalize_wrt
from .errors import S2SADError
from .frontend.program import lower
from .ir.printer import print_function
from .passes.pipeline import KINDS, derivative_functions
from .version import __version__

EXAMPLE = "examples/autodiff_intro.py:L"
"""The function the subcommands' help shows in its examples."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(_joined_values(argv))
    try:
        return args.run(args)
    except S2SADError as error:
        print(error, file=sys.stderr)
        return 1
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _joined_values(argv: list[str]) -> list[str]:
    """``argv`` with ``--at VALUE`` written ``--at=VALUE``, so that a value starting
    with a minus sign (``-1.0,3.0``) is not read as an option."""
    joined: list[str] = []
    for token in argv:
        if joined and joined[-1] == "--at":
            joined[-1] = f"--at={token}"
        else:
            joined.append(token)
    return joined


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="s2sad",
        description="Source-to-source automatic differentiation for Python.",
    )
    parser.add_argument("--version", action="version", version=f"s2sad {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for kind, declared in KINDS.items():
        sub = _command(
            commands,
            kind,
            f"write the {kind} of FUNC to a file",
            f"s2sad {kind} {EXAMPLE}"
            + (" --wrt w1,w2 -o generated" if declared.picks else " -o generated"),
        )
        _target(sub)
        if declared.picks:
            _wrt(sub)
        sub.add_argument(
            "-o",
            "--output-dir",
            help="directory (default: $S2SAD_OUTPUT_DIR, else generated/)",
        )
        sub.set_defaults(run=_write, kind=kind)
    jacobian = _command(
        commands,
        "jacobian",
        "write the Jacobian files of FUNC (forward, reverse or both)",
        f"s2sad jacobian {EXAMPLE} --mode rev --wrt 0",
    )
    _target(jacobian)
    _wrt(jacobian)
    jacobian.add_argument(
        "--mode",
        choices=list(JACOBIAN_KINDS),
        default="auto",
        help="fwd: the jacfwd file, rev: the jacrev file, auto (default): both",
    )
    jacobian.add_argument(
        "-o",
        "--output-dir",
        help="directory (default: $S2SAD_OUTPUT_DIR, else generated/)",
    )
    jacobian.set_defaults(run=_write_jacobian)
    show = _command(
        commands,
        "ir",
        "print the IR of FUNC or of a derivative of it",
        f"s2sad ir {EXAMPLE} --derivative grad --wrt w1",
    )
    _target(show)
    _wrt(show)
    show.add_argument(
        "--derivative", choices=list(KINDS), help="print this derivative's IR"
    )
    show.set_defaults(run=_show_ir)
    drawing = _command(
        commands,
        "graph",
        "draw the computational graph of FUNC or of a derivative (DOT, SVG or PNG)",
        f"s2sad graph {EXAMPLE} --derivative grad --wrt w1,w2 -o L_grad.svg",
    )
    _target(drawing)
    _wrt(drawing)
    drawing.add_argument(
        "--derivative", choices=list(KINDS), help="draw this derivative's graph"
    )
    drawing.add_argument(
        "-o",
        "--output",
        help="write to this .dot, .svg or .png file (default: print the DOT text)",
    )
    drawing.set_defaults(run=_draw)
    page = _command(
        commands,
        "show",
        "write an HTML page of a derivative of FUNC beside its source, with its IR "
        "and graph",
        f"s2sad show {EXAMPLE} --derivative grad --wrt w1,w2 -o L_grad.html",
    )
    _target(page)
    _wrt(page)
    page.add_argument(
        "--derivative",
        choices=list(KINDS),
        default="grad",
        help="the derivative shown (default: grad)",
    )
    page.add_argument(
        "-o", "--output", help="write to this .html file (default: print the page)"
    )
    page.set_defaults(run=_show_page)
    check = _command(
        commands,
        "compare",
        "compare the gradient with SymPy and finite differences",
        f"s2sad compare {EXAMPLE} --at -1.5,3.0",
    )
    _target(check)
    check.add_argument(
        "--at", required=True, help="the point, comma-separated, e.g. -1.5,3.0"
    )
    check.set_defaults(run=_compare)
    return parser


def _command(commands: Any, name: str, summary: str, example: str) -> Any:
    """The subcommand ``name``, its help ending with an example of its use."""
    return commands.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", metavar="FILE.py:FUNC", help="the function to differentiate"
    )


def _wrt(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wrt",
        help="parameters to differentiate, names or indices, comma-separated "
        "(default: the first, as in the API)",
    )


def load_target(target: str) -> Callable[..., Any]:
    """The function named by ``FILE.py:FUNC``, importing the file as a module."""
    file, sep, name = target.rpartition(":")
    if not sep or not file or not name:
        raise S2SADError(
            f"expected FILE.py:FUNC, got {target!r}",
            hint="e.g. examples/autodiff_intro.py:L",
        )
    path = Path(file)
    if not path.is_file():
        raise S2SADError(f"no such file: {file}", file=file)
    directory = str(path.resolve().parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise S2SADError(
            f"cannot import {file}: {error.msg}",
            file=file,
            line=error.lineno,
            col=error.offset,
        ) from None
    except Exception as error:
        raise S2SADError(
            f"cannot import {file}: {type(error).__name__}: {error}", file=file
        ) from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise S2SADError(f"{file} defines no function {name!r}", file=file)
    return fn


def _wrt_names(fn: Callable[..., Any], text: str | None) -> Any:
    """The parameters named by ``--wrt`` (names, or indices as the API takes them),
    or the first one, as the API's default (one alone as itself, not a tuple)."""
    if not text:
        return 0
    parts = tuple(part.strip() for part in text.split(",") if part.strip())
    wrt = tuple(int(p) if p.lstrip("-").isdigit() else p for p in parts)
    return wrt[0] if len(wrt) == 1 else wrt


def _write(args: argparse.Namespace) -> int:
    fn = load_target(args.target)
    wrt = _wrt_names(fn, getattr(args, "wrt", None))
    derivative = derive(fn, args.kind, wrt, args.output_dir)
    print(derivative.path)
    return 0


JACOBIAN_KINDS = {"fwd": ("jacfwd",), "rev": ("jacrev",), "auto": ("jacfwd", "jacrev")}
"""The derivative kinds ``s2sad jacobian`` writes, by ``--mode``."""


def _write_jacobian(args: argparse.Namespace) -> int:
    fn = load_target(args.target)
    wrt = _wrt_names(fn, args.wrt)
    for kind in JACOBIAN_KINDS[args.mode]:
        print(derive(fn, kind, wrt, args.output_dir).path)
    return 0


def _show_ir(args: argparse.Namespace) -> int:
    fn = load_target(args.target)
    primal = lower(fn)
    if args.derivative is None:
        print(print_function(primal), end="")
        return 0
    wrt = _wrt_names(fn, args.wrt) if KINDS[args.derivative].picks else None
    indices, single = normalize_wrt(primal, wrt)
    for index, function in enumerate(
        derivative_functions(primal, args.derivative, indices, single)
    ):
        if index:
            print()
        print(print_function(function), end="")
    return 0


def _draw(args: argparse.Namespace) -> int:
    from .graph import graph

    fn = load_target(args.target)
    text = graph(fn, args.derivative, _wrt_names(fn, args.wrt), args.output)
    if args.output:
        print(args.output)
    else:
        print(text, end="")
    return 0


def _show_page(args: argparse.Namespace) -> int:
    from .show import show

    fn = load_target(args.target)
    text = show(fn, args.derivative, _wrt_names(fn, args.wrt), args.output)
    if args.output:
        print(args.output)
    else:
        print(text, end="")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from .compare import compare

    fn = load_target(args.target)
    try:
        point = tuple(_number(part.strip()) for part in args.at.split(","))
    except ValueError:
        raise S2SADError(
            f"--at expects comma-separated numbers, got {args.at!r}",
            hint="e.g. --at -1.5,3.0 (an int such as 4 stays an int: a count)",
        ) from None
    print(compare(fn, point).format())
    return 0


def _number(text: str) -> int | float:
    """``4`` as an int (a count, kept fixed), anything else as a float."""
    return int(text) if text.lstrip("-").isdigit() else float(text)


if __name__ == "__main__":
    sys.exit(main())
