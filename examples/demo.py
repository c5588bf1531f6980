"""The headline example (`make demo`): the lecture's L(w1, w2), its generated derivatives, and how they compare.

Writes generated/autodiff_intro/L_grad_w1_w2.py, L_jvp.py and L_jacfwd_w1_w2.py
(the comparison's), all committed, prints the gradient's source, the
forward-mode tangent, and the comparison with SymPy's symbolic derivative and
finite differences at (w1, w2) = (2, 3).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from autodiff_intro import L  # noqa: E402

import s2sad  # noqa: E402
from s2sad.compare import compare  # noqa: E402

OUTPUT = HERE.parent / "generated"


def main() -> None:
    """Generate, show and check the derivatives of L."""
    grad_L = s2sad.grad(L, wrt=("w1", "w2"), output_dir=OUTPUT)
    print(f"# {grad_L.path.relative_to(HERE.parent)}")
    print(grad_L.source)
    print(f"grad L(2, 3) = {grad_L(2.0, 3.0)}")

    value, tangent = s2sad.jvp(L, (2.0, 3.0), (1.0, 0.0), output_dir=OUTPUT)
    jvp_path = OUTPUT / "autodiff_intro" / "L_jvp.py"
    print(
        f"jvp  L(2, 3)·(1, 0) = {tangent}   (value {value}; {jvp_path.relative_to(HERE.parent)})"
    )
    print()
    print(compare(L, (2.0, 3.0), output_dir=OUTPUT).format())


if __name__ == "__main__":
    main()
