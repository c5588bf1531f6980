"""Runs of generated code that the user must not see: their prints and warnings hidden.

Finding a sparsity pattern or timing a Jacobian's stages runs derivative code
once more at the first call; the run that computes the result shows the
function's prints and warnings, so these extra runs hide theirs.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Iterator


@contextlib.contextmanager
def quietly() -> Iterator[None]:
    """A block whose prints (to ``sys.stdout``) and warnings are not shown."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
