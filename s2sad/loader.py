"""Writes generated source files atomically and imports them, cached by content hash.

A generated file records, in its header, the hash of everything it was built
from (the function's IR, the options, the s2sad version).  Loading a
derivative first looks for a file with that hash: if present — written by this
process or an earlier one — it is imported as is, and nothing is regenerated.

Files go to ``$S2SAD_OUTPUT_DIR`` when that variable is set, else to
``generated/`` under the current working directory; every API function also
takes an ``output_dir`` argument.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

from .errors import S2SADError

HASH_PREFIX = "# content hash: "
ENV_VAR = "S2SAD_OUTPUT_DIR"


@dataclass
class Loaded:
    """An imported generated module, its file and source, and whether the file already existed."""

    module: ModuleType
    path: Path
    source: str
    cached: bool


_IMPORTED: dict[tuple[str, str], Loaded] = {}


def resolve_output_dir(override: str | os.PathLike | None = None) -> Path:
    """Where generated files go: ``override``, else ``$S2SAD_OUTPUT_DIR``, else ``./generated``."""
    if override is not None:
        return Path(override)
    return Path(os.environ.get(ENV_VAR) or Path.cwd() / "generated")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@functools.cache
def _umask() -> int:
    """The process umask (read once: setting it is the only way to read it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def recorded_hash(path: Path) -> str | None:
    """The content hash in the header of an existing generated file, if any."""
    try:
        with open(path, encoding="utf-8") as handle:
            for _ in range(10):
                line = handle.readline()
                if line.startswith(HASH_PREFIX):
                    return line[len(HASH_PREFIX) :].strip()
    except OSError:
        return None
    return None


def load(path: Path, key: str, build: Callable[[], str]) -> Loaded:
    """Import the generated module at ``path`` whose content hash is ``key``.

    ``build()`` produces the source; it is called only when neither this
    process nor an existing file already has the module for ``key``.  The
    module is registered in ``sys.modules``, so its functions can be pickled.
    """
    path = path.resolve()
    known = _IMPORTED.get((str(path), key))
    if known is not None:
        return known
    cached = recorded_hash(path) == key
    if not cached:
        write_atomic(path, build())
    source = path.read_text(encoding="utf-8")
    name = f"s2sad_generated_{path.stem}_{key.rpartition(':')[2][:12]}"
    module = _import(name, path)
    sys.modules[name] = module
    loaded = Loaded(module, path, source, cached)
    _IMPORTED[(str(path), key)] = loaded
    return loaded


def _import(name: str, path: Path) -> ModuleType:
    """Execute the generated file at ``path`` as module ``name``.

    A file that does not import is removed (so that a later call rewrites it)
    and reported as an ``S2SADError`` naming it.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        path.unlink(missing_ok=True)
        raise S2SADError(
            f"generated file does not import: {type(error).__name__}: {error}",
            file=str(path),
            hint="this is a bug in s2sad (or the file was edited): please report it",
        ) from error
    return module
