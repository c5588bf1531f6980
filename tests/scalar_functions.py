"""A table of scalar, loop-free test functions and points inside their domains.

Every function is differentiated by the tests in several modes and checked
against finite differences and SymPy.
"""

import math
from math import exp, sqrt

SCALE = 1.5
OFFSET = 2


def seed_L(w1, w2):
    v1 = math.log(w1)
    v2 = w2 * v1
    v3 = math.sqrt(v2)
    return v2 + v3


def polynomial(x):
    return 3.0 * x**3 - 2 * x**2 + x - 7.0


def rational(x, y):
    return (x * x + 1.0) / (y - 0.5 * x)


def product_chain(a, b, c):
    return a * b * c + a * b - c


def trig_mix(x, y):
    return math.sin(x) * math.cos(y) + math.tan(x * y)


def inverse_trig(x):
    return math.asin(x) + math.acos(x / 2.0) + math.atan(3.0 * x)


def angle(y, x):
    return math.atan2(y, x)


def hyperbolic(x):
    return math.sinh(x) * math.cosh(x) - math.tanh(x)


def inverse_hyperbolic(x):
    return math.asinh(x) + math.acosh(x + 1.5) + math.atanh(x / 2.0)


def exponential(x, y):
    return math.exp(x * y) + math.expm1(x) - exp(-y)


def logarithms(x, y):
    return (
        math.log(x)
        + math.log(y, 3.0)
        + math.log1p(x)
        + math.log2(y)
        + math.log10(x * y)
    )


def log_any_base(x, b):
    return math.log(x, b)


def roots(x):
    return sqrt(x) + math.sqrt(1.0 + x * x)


def hypotenuse(x, y):
    return math.hypot(x, y) * math.hypot(x, 2.0)


def powers(x, y):
    return x**y + pow(y, 2) + math.pow(x, 0.5) + 2.0**x


def negative_base_square(x):
    return x**2 + (-x) ** 3


def absolute(x, y):
    return abs(x - y) + math.fabs(x * y) + abs(-3.0 * y)


def minmax(x, y, z):
    return max(x, y) * min(y, z) + max(x, y, z) - min(x, 0.25)


def unary_ops(x):
    y = -x
    z = +y
    return -(z * z) + -math.sin(-x)


def tuple_assignment(x, y):
    a, b = x * y, x + y
    a, b = b, a
    return a / b


def augmented(x, y):
    s = x
    s += y
    s *= x
    s -= 1.0
    s /= y
    s **= 2
    return s


def constants(x):
    return math.pi * x + math.e**x - SCALE * x * OFFSET


def reuse(x):
    y = x
    y = y * y
    y = y * y
    return y + x


def shared_subexpression(x, y):
    return math.sin(x * y) + math.cos(x * y) * (x * y)


def deep_composition(x):
    return math.exp(math.sin(math.log(math.sqrt(x * x + 1.0))))


def softplus_like(x):
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def gaussian(x, mu, sigma):
    z = (x - mu) / sigma
    return math.exp(-0.5 * z * z) / (sigma * math.sqrt(2.0 * math.pi))


def rosenbrock2(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def unused_parameter(x, y):
    return x * x


def constant_output(x):
    return 4.0


def identity(x):
    return x


def integer_arithmetic(x):
    k = 3 * 4 - 10
    return x**k + k // 2 + x % 1.5


def with_default(x, y=2.0):
    return x * y + y


def annotated(x: float, scale: float) -> float:
    y: float = x * scale
    return y * y


def docstring_and_pass(x):
    """A docstring is skipped."""
    pass
    return x * 2.0


def many_parameters(a, b, c, d, e):
    return a * b + c * d - e * a + math.sin(b * c * d * e)


SCALAR_CASES = [
    (seed_L, (2.0, 3.0)),
    (polynomial, (1.3,)),
    (rational, (0.7, 2.2)),
    (product_chain, (1.1, -0.4, 2.5)),
    (trig_mix, (0.3, 0.8)),
    (inverse_trig, (0.4,)),
    (angle, (0.5, -1.2)),
    (hyperbolic, (0.6,)),
    (inverse_hyperbolic, (0.3,)),
    (exponential, (0.4, 1.1)),
    (logarithms, (1.7, 2.3)),
    (log_any_base, (5.0, 2.5)),
    (roots, (2.0,)),
    (hypotenuse, (3.0, -4.0)),
    (powers, (1.4, 2.1)),
    (negative_base_square, (-1.3,)),
    (absolute, (0.5, -1.5)),
    (minmax, (0.2, 0.9, 0.5)),
    (unary_ops, (0.8,)),
    (tuple_assignment, (1.2, 0.7)),
    (augmented, (1.1, 0.6)),
    (constants, (0.9,)),
    (reuse, (1.3,)),
    (shared_subexpression, (0.5, 1.5)),
    (deep_composition, (0.8,)),
    (softplus_like, (-0.7,)),
    (sigmoid, (0.3,)),
    (gaussian, (0.5, 0.1, 1.3)),
    (rosenbrock2, (-1.2, 1.0)),
    (unused_parameter, (1.5, 2.5)),
    (constant_output, (1.0,)),
    (identity, (2.5,)),
    (integer_arithmetic, (1.7,)),
    (with_default, (1.5, 2.0)),
    (annotated, (0.7, 1.9)),
    (docstring_and_pass, (0.3,)),
    (many_parameters, (0.1, 0.2, 0.3, 0.4, 0.5)),
]


def two_outputs(x, y):
    return x * y, math.sin(x) + y


def three_outputs(a, b):
    s = a + b
    return s, s * s, math.exp(a - b)


def output_is_input(x, y):
    return y, x * y


MULTI_OUTPUT_CASES = [
    (two_outputs, (0.4, 1.5)),
    (three_outputs, (0.3, -0.2)),
    (output_is_input, (1.5, 2.0)),
]
