"""Corner cases found in review: each function once broke a transformation."""

import math
import math as m

K = 2.0
NEGATIVE = -1.5
FLAG = True


def zero_base(x):
    return 0**x + 2.0**x


def power_at_zero(x, y):
    return x**y


def int_exponent(x, n: int):
    return x**n


def local_named_math(x):
    math = x * 2.0
    return m.sin(math)


def parameter_named_math(math):
    return m.sin(math) * 2.0


def parameter_named_runtime(runtime, x):
    return 0**x * runtime + x


def negative_default(x, y=-2.0):
    return x * y


def float_default(x, y=2.0):
    return x * y + math.sin(y)


def reassociation(x):
    return 3.0 * (0.1 * x)


def zero_numerator(x):
    return 0.0 / x + x


def int_doubling(x, n: int):
    k = n + n
    return x * k


def constants_from_module(x):
    return x * NEGATIVE + K * FLAG


def reassigned_parameter(x, y):
    x = x * y
    x = math.sin(x) + y
    y = x * x
    return y - x


def returns_parameter_twice(x, y):
    return x, x * y, x


def variable_named_like_generated(x, x_bar, t1):
    x_dot = x * x_bar
    return x_dot * t1


def very_long_expression(alpha_parameter, beta_parameter):
    return (
        alpha_parameter * beta_parameter * math.sin(alpha_parameter * beta_parameter)
        + alpha_parameter**3 * math.cos(beta_parameter) * math.exp(-alpha_parameter)
        - beta_parameter / (1.0 + alpha_parameter * alpha_parameter + beta_parameter)
    )


def negative_power(x):
    return x**-1.5 + (-x) ** 2


def outer():
    def docstring_at_column_zero(x):
        """A docstring whose
        second line starts at column zero."""
        return x * x

    return docstring_at_column_zero


def reads_global_before_assigning(x):
    y = K * x  # <-
    K = 3.0  # noqa: F841
    return y


class Scaler:
    def scale(self, x):
        return 2.0 * x


def comparison_as_number(x):
    return x * (x > 1.0)
