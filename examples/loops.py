"""Loops: what reverse mode has to remember, and what forward mode does not.

In the lectures' terms, reverse mode runs a forward pass that stores the
intermediates ``v_i`` and a backward pass that accumulates the adjoints
``v̄_i = Σ v̄_j ∂v_j/∂v_i`` in the opposite order.  With a loop the forward pass
produces one ``v_i`` per iteration, so the generated gradient stores, per
iteration, only the values its backward pass reads (a Python list, the
*tape*), then runs the loop backwards, popping them.  Forward mode needs no
tape: the generated jvp carries ``(x, ẋ)`` through the same loop.

- ``relax(x0, a)``: 1000 steps of ``x ← a·sin x + (1 − a)·x`` (with ``a = 0.9``,
  the loop of ``benchmarks/scalar.py``).  The iteration creeps towards its
  fixed point 0 like ``√(3 / (a·n))``, so after 1000 steps the result still
  depends on both ``x0`` and ``a``: the backward pass is a 1000-step product of
  ``∂x_{n+1}/∂x_n = a·cos x_n + 1 − a``, each factor read from the tape.
- ``oscillator_energy(k, c)``: a damped oscillator ``x'' = −k·x − c·x'``
  integrated with the midpoint rule (RK2), 400 steps of ``DT``; the energy at
  the end.  Two carried values, two intermediate stages per step: the
  derivative of the *discretised* solution, exact, not an approximation of
  the ODE's sensitivity.
- ``kepler(m, e)``: Kepler's equation ``E − e·sin E = M`` solved by Newton's
  method in a ``while`` loop that runs until the residual is below ``1e-12``.
  The trip count depends on the data: the gradient records how many
  iterations ran and replays that many backwards.  Differentiating the
  converged iteration gives the implicit-function derivative
  ``∂E/∂M = 1 / (1 − e·cos E)``, ``∂E/∂e = sin E / (1 − e·cos E)``.
- ``bouncing_ball(v0, angle, drag, restitution)``: a longer, realistic function
  (nested loops, ``if``/``elif``/``else``, ternaries, a ``break``, a ``while``,
  ``abs``): ``benchmarks/scalar.py`` times its transformation.
"""

import math

DT = 0.01
"""Time step of ``oscillator_energy`` and ``bouncing_ball``."""

GRAVITY = 9.81

MAGNUS = 0.002
"""Magnus-force coefficient of ``bouncing_ball`` (per unit spin)."""


def relax(x0, a):
    x = x0
    for _ in range(1000):
        x = a * math.sin(x) + (1.0 - a) * x
    return x


def oscillator_energy(k, c):
    x, v = 1.0, 0.0
    for _ in range(400):
        x_mid = x + 0.5 * DT * v
        v_mid = v + 0.5 * DT * (-k * x - c * v)
        x = x + DT * v_mid
        v = v + DT * (-k * x_mid - c * v_mid)
    return 0.5 * v * v + 0.5 * k * x * x


def kepler(m, e):
    E = m
    residual = E - e * math.sin(E) - m
    while abs(residual) > 1e-12:
        E = E - residual / (1.0 - e * math.cos(E))
        residual = E - e * math.sin(E) - m
    return E


def bouncing_ball(v0, angle, drag, restitution):
    """Where a ball thrown at ``v0`` and ``angle`` comes to rest.

    Semi-implicit Euler, four substeps per step: quadratic air drag in air
    that thins with height, a wind that grows with it, the Magnus force of
    the spin each bounce gives the ball, bounces off the ground and off a
    wall at ``x = 100`` that lose energy, then a roll on three surfaces.
    """
    x, y = 0.0, 0.0
    vx = v0 * math.cos(angle)
    vy = v0 * math.sin(angle)
    spin = 0.0
    bounces = 0
    for _ in range(2000):
        for _ in range(4):
            density = 1.0 if y < 20.0 else math.exp((20.0 - y) / 80.0)
            wind = 0.0 if y < 1.0 else 0.8 * math.log(y)
            rel_vx = vx - wind
            push = drag * density * math.hypot(rel_vx, vy)
            vx -= 0.25 * DT * (push * rel_vx + MAGNUS * spin * vy)
            vy -= 0.25 * DT * (GRAVITY + push * vy - MAGNUS * spin * vx)
            x += 0.25 * DT * vx
            y += 0.25 * DT * vy
        if y < 0.0:
            y = -restitution * y
            vy = -restitution * vy
            spin = 0.6 * spin + 0.4 * vx
            vx = 0.9 * vx
            bounces += 1
            if vy < 1.0 or bounces > 8:
                break
        elif x > 100.0:
            x = 200.0 - x
            vx = -restitution * vx
    if x < 40.0:
        friction = 0.5
    elif x < 80.0:
        friction = 0.3
    else:
        friction = 0.2 if bounces < 3 else 0.4
    speed = abs(vx)
    rolled = 0.0
    while speed > 0.01:
        rolled += speed * DT
        speed -= friction * GRAVITY * DT
    if speed < 0.0:
        rolled += 0.5 * speed * DT
    return x + rolled if vx > 0.0 else x - rolled
