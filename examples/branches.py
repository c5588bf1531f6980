"""Branches: s2sad differentiates the branch that runs.

A condition on an active value makes the function piecewise.  Away from the
switch points each piece is smooth and the derivative is that piece's
derivative; at a switch point s2sad returns the derivative of the branch the
condition selects (like JAX and PyTorch), which may differ from the other
side's.  The generated gradient keeps the ``if``: its reverse sweep tests the
same condition and runs the adjoint of the branch taken.

- ``huber(r, delta)``: the Huber loss, quadratic near 0 and linear beyond
  ``delta``; an early ``return`` in the quadratic branch.
- ``tax(income)``: a progressive tax with ``if``/``elif``/``else`` brackets; its
  derivative is the marginal rate, a step function.
"""


def huber(r, delta):
    if abs(r) <= delta:
        return 0.5 * r * r
    return delta * (abs(r) - 0.5 * delta)


def tax(income):
    if income <= 10000.0:
        owed = 0.0
    elif income <= 40000.0:
        owed = 0.2 * (income - 10000.0)
    else:
        owed = 6000.0 + 0.4 * (income - 40000.0)
    return owed
