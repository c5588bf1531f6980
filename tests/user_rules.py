"""A user-defined primitive with its own derivative rule, and functions that call it."""

import math

import s2sad


def softplus(x):
    return math.log1p(math.exp(x))


@s2sad.derivative_rule(softplus)
class SoftplusRule:
    def tangent(x, x_dot):
        return x_dot / (1.0 + math.exp(-x))

    def adjoint(x, out_bar):
        return out_bar / (1.0 + math.exp(-x))


def scaled_distance(x, y, scale):
    return scale * math.sqrt(x * x + y * y)


@s2sad.derivative_rule(scaled_distance)
class ScaledDistanceRule:
    def tangent(x, y, scale, out, x_dot, y_dot, scale_dot):
        return scale * scale * (x * x_dot + y * y_dot) / out + out / scale * scale_dot

    def adjoint(x, y, scale, out, out_bar):
        r = out / scale
        return out_bar * scale * x / r, out_bar * scale * y / r, out_bar * r


def uses_softplus(x, w):
    return softplus(w * x) + 2.0 * softplus(-x)


def uses_distance(a, b):
    return scaled_distance(a, b * b, 3.0) + a


def cube(x):
    return x * x * x


def square(x):
    return x * x


def pair_product(x, y):
    return x * y


def uses_pair_product(x, y):
    return pair_product(x, y) + x
