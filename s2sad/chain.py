"""Jacobian chain bracketing: the cheapest way to get the Jacobian of a chain of stages.

For ``y = f_k(... f_2(f_1(x)))`` the Jacobian is the product ``J_k ⋯ J_2 J_1``
of the stages' Jacobians, ``J_s`` of shape ``sizes[s + 1] × sizes[s]``.  Each
contiguous sub-chain ``s..t`` can be had in one of three ways:

* **forward**: push ``sizes[s]`` tangent directions through stages ``s..t``
  (cost ``sizes[s] · Σ tangent[r]``),
* **reverse**: one forward sweep taping the stages, then pull ``sizes[t + 1]``
  adjoint directions back (cost ``Σ primal[r] + sizes[t + 1] · Σ adjoint[r]``),
* **split** at ``u``: the sub-chains ``s..u`` and ``u+1..t`` each their
  cheapest way, then one dense product (cost ``sizes[t+1] · sizes[u+1] · sizes[s]``).

:func:`best_plan` finds the cheapest plan by dynamic programming over the
sub-chains (as in Naumann's Jacobian chain bracketing problem); all-forward
and all-reverse are two of the plans it weighs.  The costs are in the units
the caller gives the stages' sweeps in (floating-point operations, say).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

FORWARD = "forward"
REVERSE = "reverse"
SPLIT = "split"


@dataclass(frozen=True)
class Stage:
    """One stage of a chain: its name and the cost of one primal evaluation,
    one tangent sweep (one direction) and one adjoint sweep (one direction)."""

    name: str
    primal: float
    tangent: float
    adjoint: float


@dataclass(frozen=True)
class Plan:
    """How to get the Jacobian of stages ``first..last`` (inclusive): ``mode`` is
    FORWARD or REVERSE over the whole sub-chain, or SPLIT into ``parts``."""

    first: int
    last: int
    mode: str
    cost: float
    parts: tuple["Plan", ...] = ()

    def describe(self, stages: list[Stage]) -> str:
        """The plan as a bracketing, e.g. ``(fwd[f3 f2] · rev[f1])``."""
        if self.mode == SPLIT:
            left, right = self.parts
            return f"({right.describe(stages)} · {left.describe(stages)})"
        names = " ".join(stages[s].name for s in range(self.last, self.first - 1, -1))
        return f"{'fwd' if self.mode == FORWARD else 'rev'}[{names}]"


def sweep_cost(
    stages: list[Stage], sizes: list[int], first: int, last: int, mode: str
) -> float:
    """The cost of the Jacobian of stages ``first..last`` by one mode over all of them."""
    span = stages[first : last + 1]
    if mode == FORWARD:
        return sizes[first] * sum(s.tangent for s in span)
    return sum(s.primal for s in span) + sizes[last + 1] * sum(s.adjoint for s in span)


def product_cost(sizes: list[int], first: int, split: int, last: int) -> float:
    """The dense product of the Jacobians of ``split+1..last`` and ``first..split``."""
    return sizes[last + 1] * sizes[split + 1] * sizes[first]


def best_plan(stages: list[Stage], sizes: list[int]) -> Plan:
    """The cheapest plan for the whole chain (dynamic programming over its
    ``O(k²)`` sub-chains, ``O(k³)`` time); ties go to forward, then reverse,
    then the earliest split."""
    _check(stages, sizes)

    @functools.lru_cache(maxsize=None)
    def best(first: int, last: int) -> Plan:
        candidates = [
            Plan(first, last, mode, sweep_cost(stages, sizes, first, last, mode))
            for mode in (FORWARD, REVERSE)
        ]
        for split in range(first, last):
            left, right = best(first, split), best(split + 1, last)
            cost = left.cost + right.cost + product_cost(sizes, first, split, last)
            candidates.append(Plan(first, last, SPLIT, cost, (left, right)))
        return min(candidates, key=lambda plan: plan.cost)

    return best(0, len(stages) - 1)


def _check(stages: list[Stage], sizes: list[int]) -> None:
    if not stages:
        raise ValueError("a chain needs at least one stage")
    if len(sizes) != len(stages) + 1:
        raise ValueError(
            f"a chain of {len(stages)} stages has {len(stages) + 1} sizes, got {len(sizes)}"
        )
