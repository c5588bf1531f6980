"""Functions with control flow, with points away from branch switches."""

import math


def branchy(x, y):
    if x > y:
        z = x * y
    elif x > 0.0:
        z = math.sin(x) + y
    else:
        z = -x
    return z * z


def nested_if(x, y):
    if x > 0.0:
        if y > 0.0:
            r = x * y
        else:
            r = x - y
    else:
        r = y * y
    return r + x


def if_without_else(x):
    y = x * 2.0
    if y > 1.0:
        y = math.log(y)
    return y * x


def ternary(x):
    return math.sqrt(x) if x > 0.0 else 0.0 * x


def ternary_chain(x):
    return x * x if x > 2.0 else (math.exp(x) if x > 0.0 else -x)


def boolean_conditions(x, y):
    if x > 0.0 and y > 0.0:
        r = x * y
    elif x > 0.0 or not y < -1.0:
        r = x + y
    else:
        r = x - y
    return r


def short_circuit_guards_log(x):
    if x > 0.0 and math.log(x) > 0.5:
        return x * 2.0
    return x


def truthiness(x, flag: int):
    if flag:
        return x * 3.0
    return x


def early_return(x):
    if x > 1.0:
        return x * x
    y = x + 1.0
    if y > 1.5:
        return y * 3.0
    return math.sin(y)


def early_return_two_values(x, y):
    if x > y:
        return x, y * 2.0
    return y, x * 3.0


def counted_loop(x, n: int):
    y = x
    for i in range(n):
        y = math.sin(y) * 0.9 + 0.1 * y * i
    return y


def loop_with_start_stop_step(x):
    s = 0.0
    for k in range(10, 2, -3):
        s = s + x**k / k
    return s


def loop_bound_from_computation(x, n: int):
    m = 2 * n + 1
    s = x
    for i in range(1, m):
        s = s * 0.5 + math.cos(x * i)
    return s


def int_state_in_loop(x, n: int):
    count = 0
    y = x
    for i in range(n):
        count = count + i % 3
        y = y + x * count
    return y


def int_becomes_float(x):
    s = 0
    for i in range(4):
        s = s + x * i
    return s


def fixed_point(x):
    y = x
    k = 0
    while abs(y) > 1e-3 and k < 100:
        y = y * 0.5 + 0.01 * x
        k = k + 1
    return y


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12 * a:
        x = 0.5 * (x + a / x)
    return x


def swap_loop(a, b):
    for i in range(3):
        a, b = b, a * 2.0
    return a - b


def unrolled(x):
    total = 0.0
    for w in (1.0, 2.0, x):
        total = total + w * x
    return total


def nested_loops(x, n: int):
    s = 0.0
    for i in range(n):
        for j in range(i):
            if (i + j) % 2 == 0:
                s = s + x * j
            else:
                s = s - math.cos(x) / (j + 1)
    return s


def euler_ode(y0, rate):
    y = y0
    t = 0.0
    for step in range(50):
        y = y + 0.02 * (-rate * y + math.sin(t))
        t = t + 0.02
    return y


def loop_with_branch(x, n: int):
    y = x
    for i in range(n):
        if y > 1.0:
            y = y * 0.5
        else:
            y = y * y + 0.7
    return y


def while_with_branch(x):
    y = x
    steps = 0
    while y < 10.0:
        if steps % 2 == 0:
            y = y * 1.5 + 0.1
        else:
            y = y + math.sqrt(y)
        steps = steps + 1
    return y


CONTROL_CASES = [
    (branchy, (0.3, 0.8)),
    (branchy, (0.9, 0.2)),
    (branchy, (-0.4, 0.2)),
    (nested_if, (0.5, -0.3)),
    (nested_if, (-0.5, 0.3)),
    (if_without_else, (0.7,)),
    (if_without_else, (0.2,)),
    (ternary, (2.0,)),
    (ternary_chain, (2.5,)),
    (ternary_chain, (0.5,)),
    (ternary_chain, (-0.5,)),
    (boolean_conditions, (0.5, 0.7)),
    (boolean_conditions, (-0.5, 0.7)),
    (boolean_conditions, (-0.5, -1.7)),
    (short_circuit_guards_log, (-1.0,)),
    (short_circuit_guards_log, (2.0,)),
    (truthiness, (0.4, 1)),
    (truthiness, (0.4, 0)),
    (early_return, (1.5,)),
    (early_return, (0.8,)),
    (early_return, (0.2,)),
    (counted_loop, (0.5, 5)),
    (loop_with_start_stop_step, (1.1,)),
    (loop_bound_from_computation, (0.3, 3)),
    (int_state_in_loop, (0.4, 6)),
    (int_becomes_float, (0.9,)),
    (fixed_point, (0.8,)),
    (newton_sqrt, (2.0,)),
    (swap_loop, (1.0, 2.0)),
    (unrolled, (0.7,)),
    (nested_loops, (0.7, 4)),
    (euler_ode, (1.0, 0.7)),
    (loop_with_branch, (0.9, 6)),
    (while_with_branch, (1.3,)),
]

MULTI_OUTPUT_CONTROL_CASES = [
    (early_return_two_values, (0.5, 0.2)),
    (early_return_two_values, (0.1, 0.2)),
]


def break_on_threshold(x, n: int):
    y = x
    for i in range(n):
        y = y * 1.3 + 0.1
        if y > 3.0:
            break
        y = y + math.sin(y) * 0.1
    return y


def continue_on_odd(x):
    s = 0.0
    for i in range(6):
        if i % 2 == 1:
            continue
        s = s + x**i
    return s


def while_with_break(x):
    y = x
    k = 0
    while k < 50:
        y = y * 0.9 + 0.5
        if y > 2.0:
            break
        k = k + 1
    return y * k


def break_and_continue(x):
    s = 0.0
    for i in range(10):
        if i == 2:
            continue
        if s > 4.0:
            break
        s = s + x * i
    return s


def nested_break(x):
    s = 0.0
    for i in range(4):
        for j in range(4):
            if j > i:
                break
            s = s + x * (i + j)
    return s


JUMP_CASES = [
    (break_on_threshold, (0.7, 10)),
    (break_on_threshold, (0.1, 2)),
    (continue_on_odd, (1.2,)),
    (while_with_break, (0.5,)),
    (break_and_continue, (0.7,)),
    (nested_break, (0.3,)),
]
CONTROL_CASES += JUMP_CASES


def return_from_loop(x):
    y = x
    for i in range(20):
        y = y * 1.2 + 0.05
        if y > 2.0:
            return y * i
    return -y


def return_from_while(x):
    k = 0
    y = x
    while k < 100:
        if y * y > 5.0:
            return y + k
        y = y * 1.1 + 0.2
        k = k + 1
    return 0.0 * y


def return_from_nested_loops(x):
    s = 0.0
    for i in range(5):
        for j in range(5):
            s = s + x * (i + 1) * (j + 1)
            if s > 3.0:
                return s * s
    return s


RETURN_CASES = [
    (return_from_loop, (0.5,)),
    (return_from_loop, (-3.0,)),
    (return_from_while, (0.3,)),
    (return_from_nested_loops, (0.27,)),
    (return_from_nested_loops, (0.001,)),
]
CONTROL_CASES += RETURN_CASES
