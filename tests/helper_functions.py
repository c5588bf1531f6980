import math


def square_plus(x, c=1.0):
    return x * x + c


def polar(r, theta):
    return r * math.cos(theta), r * math.sin(theta)


def uses_helpers(x, y):
    a = square_plus(x)
    px, py = polar(a, y)
    return px * py + square_plus(y, 2.0)


def power(x, n: int):
    if n == 0:
        return 1.0
    return x * power(x, n - 1)


def uses_recursion(x):
    return power(x, 4) + x


def clipped_step(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def loop_calling_helper(x, n: int):
    y = x
    for i in range(n):
        y = clipped_step(y * 1.4, -2.0, 2.5) + square_plus(0.1 * y, 0.0)
    return y


def chain_of_helpers(x):
    return outer_helper(x) * 2.0


def outer_helper(x):
    return middle_helper(x) + math.sin(x)


def middle_helper(x):
    a, b = polar(x, x * 0.5)
    return a * b


def fib_like(x, n: int):
    if n <= 1:
        return x
    return fib_like(x, n - 1) * 0.5 + fib_like(x, n - 2) * math.cos(x)


def bisect_root(c):
    lo = 0.0
    hi = 2.0 + c
    k = 0
    while k < 60:
        mid = 0.5 * (lo + hi)
        if mid * mid - c > 0.0:
            hi = mid
        else:
            lo = mid
        k = k + 1
    return lo * c


HELPER_CASES = [
    (uses_helpers, (0.7, 0.4)),
    (uses_recursion, (1.3,)),
    (power, (1.3, 3)),
    (loop_calling_helper, (0.3, 5)),
    (chain_of_helpers, (0.8,)),
    (fib_like, (0.9, 5)),
    (polar, (1.5, 0.3)),
]
