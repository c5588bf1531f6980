"""Writes generated source files atomically and imports them, cached by content hash.

A generated file records, in its header, the hash of everything it was built
from (the function's IR, the options, the s2sad version).  Loading a
derivative first looks for a file with that hash: if present — written by this
process or an earlier one — it is imported as is, and nothing is regenerated.
The module executed is always the text this process checked or wrote, never the
path read again, so concurrent writers cannot swap a file under it.

A small index (``<dir>/<module>/.s2sad-index/<source key>``) maps a source key
(:mod:`s2sad.cache.fingerprint`: computed from the function objects, without
lowering) to the file and content hash it produced, so a later process finds a
current file without lowering anything.

Files go to ``$S2SAD_OUTPUT_DIR`` when that variable is set, else to
``generated/`` under the current working directory; every API function also
takes an ``output_dir`` argument.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

from ..errors import DifferentiationError, S2SADError, call_site

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
            return _header_hash(handle.read(4096))
    except OSError:
        return None


def _header_hash(text: str) -> str | None:
    """The content hash recorded in the first lines of ``text``."""
    for line in text.splitlines()[:10]:
        if line.startswith(HASH_PREFIX):
            return line[len(HASH_PREFIX) :].strip()
    return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def load(
    path: Path,
    key: str,
    build: Callable[[], str],
    source_key: str | None = None,
    meta: dict | None = None,
) -> Loaded:
    """Import the generated module at ``path`` whose content hash is ``key``.

    ``build()`` produces the source; it is called only when neither this
    process nor an existing file already has the module for ``key``.  The
    module executed is the text checked (or written) here, never the file
    read again, so another process writing ``path`` meanwhile cannot swap it.
    With a ``source_key``, an index entry records which file and content hash
    it produced and ``meta`` (what callers need to know of the derivative
    without its IR), for :func:`load_by_source_key`.  The module is registered in
    ``sys.modules``, so its functions can be pickled.
    """
    path = _checked_path(path)
    known = _IMPORTED.get((str(path), key))
    if known is not None:
        return known
    source = _read(path)
    cached = source is not None and _header_hash(source) == key
    if not cached:
        source = build()
        _write(path, source)
    if source_key is not None:
        entry = {"file": path.name, "hash": key, "meta": meta or {}}
        _write(_index_path(path.parent, source_key), json.dumps(entry) + "\n")
    return _import(path, key, source, cached)


def load_by_source_key(directory: Path, source_key: str) -> tuple[Loaded, dict] | None:
    """The module an earlier run generated for ``source_key`` under ``directory``
    and the ``meta`` recorded with it, if its index entry names a file whose
    content hash is still the one recorded."""
    try:
        entry = json.loads(_read(_index_path(directory, source_key)) or "null")
        name, key, meta = entry["file"], entry["hash"], entry["meta"]
    except (ValueError, TypeError, KeyError):
        return None
    path = directory.resolve() / name
    known = _IMPORTED.get((str(path), key))
    if known is not None:
        return known, meta
    source = _read(path)
    if source is None or _header_hash(source) != key:
        return None
    return _import(path, key, source, True), meta


INDEX_DIR = ".s2sad-index"
"""Where, next to the generated files, the source-key index entries go."""


def _index_path(directory: Path, source_key: str) -> Path:
    return directory / INDEX_DIR / source_key.rpartition(":")[2]


def _import(path: Path, key: str, source: str, cached: bool) -> Loaded:
    name = f"s2sad_generated_{path.stem}_{key.rpartition(':')[2][:12]}"
    module = ModuleType(name)
    module.__file__ = str(path)
    try:
        exec(compile(source, str(path), "exec"), module.__dict__)
    except Exception as error:
        path.unlink(missing_ok=True)
        raise S2SADError(
            f"generated file does not import: {type(error).__name__}: {error}",
            file=str(path),
            hint="this is a bug in s2sad (or the file was edited): please report it",
        ) from error
    sys.modules[name] = module
    loaded = Loaded(module, path, source, cached)
    _IMPORTED[(str(path), key)] = loaded
    return loaded


MAX_NAME = 120
"""The longest generated file name (file systems allow 255 bytes)."""


def short_name(stem: str) -> str:
    """``stem``, or for a very long one its start and a hash of the whole: the same
    stem always gives the same name."""
    if len(stem.encode()) <= MAX_NAME:
        return stem
    digest = hashlib.sha256(stem.encode()).hexdigest()[:16]
    return f"{stem.encode()[: MAX_NAME - 17].decode(errors='ignore')}_{digest}"


def _checked_path(path: Path) -> Path:
    path = path.resolve()
    for folder in [path.parent, *path.parent.parents]:
        if folder.exists():
            if not folder.is_dir():
                raise DifferentiationError(
                    f"cannot write {path.name}: {folder} is a file, not a directory",
                    hint="pass an output_dir (or set $S2SAD_OUTPUT_DIR) that is a directory",
                    **call_site(),
                )
            break
    return path


def _write(path: Path, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise DifferentiationError(
            f"cannot write the generated file {path}: {exc.strerror or exc}",
            hint="pass an output_dir (or set $S2SAD_OUTPUT_DIR) to a writable directory",
            **call_site(),
        ) from None
