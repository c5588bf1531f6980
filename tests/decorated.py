"""Functions differentiated with the decorator forms of s2sad.grad."""

import math

import s2sad


@s2sad.grad
def slope(x):
    return x * math.sin(x)


@s2sad.grad(wrt=(0, 1))
def both_partials(x, y):
    return x * x * y + math.exp(y)


@s2sad.value_and_grad(wrt="y")
def value_and_y_partial(x, y):
    return x / y
