"""Misusing the API: bad ``wrt``, tangents and cotangents, things that are not
plain functions.  Each must be refused with a clear error (or, where s2sad can
honour the request, give the right derivative)."""

import functools
import math
import os
import tempfile

import numpy as np

import s2sad
from corpus.entry import custom, derivative, either, error

VECTOR = np.array([0.3, -0.6, 0.9])


def square(x):
    return x * x


def two_args(x, y):
    return x * y + y


def int_param(x, n: int):
    return x * n


def vector_out(x):
    return np.sin(x)


def pair_out(x):
    return x, 2.0 * x  # <-


def array_loss(x):
    return np.sum(x * x)


def returns_array_of_scalar(x):
    return np.array([x, x * x])


def generator(x):
    yield x  # <-


def twice(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 2.0 * fn(x)

    return wrapper


@twice  # <-
def decorated_square(x):
    return x * x


@functools.lru_cache(maxsize=None)
def cached_square(x):
    return x * x


class Model:
    scale = 2.0

    def value(self, x):
        return self.scale * x * x

    @staticmethod
    def static_square(x):
        return x * x

    def __call__(self, x):
        return x * x


def _output_dir_is_a_file():
    handle, path = tempfile.mkstemp()
    os.close(handle)
    return s2sad.grad(square, output_dir=path)(0.7)


def _vjp_fn_cotangent(f, primal, cotangent):
    def action():
        _, vjp_fn = s2sad.vjp(f, primal)
        return vjp_fn(cotangent)

    return action


def _rule_for(target):
    def action():
        @s2sad.derivative_rule(target)
        def rule(x):
            return x

        return rule

    return action


ENTRIES = [
    error(square, 0.7, wrt=1, line="def", name="wrt-out-of-range"),
    error(square, 0.7, wrt=-2, line="def", name="wrt-negative-out-of-range"),
    error(square, 0.7, wrt="z", line="def", name="wrt-unknown-name"),
    error(square, 0.7, wrt=1.5, line="def", name="wrt-float"),
    error(square, 0.7, wrt=True, line="def", name="wrt-bool"),
    error(square, 0.7, wrt=(), line="def", name="wrt-empty"),
    error(two_args, 0.7, 1.3, wrt=(0, 0), line="def", name="wrt-repeated"),
    error(two_args, 0.7, 1.3, wrt=(0, "x"), line="def", name="wrt-repeated-by-name"),
    error(int_param, 0.7, 3, wrt=1, line="def", name="wrt-int-parameter"),
    error(int_param, 0.7, 3, wrt="n", line="def", name="wrt-int-parameter-name"),
    error(two_args, 0.7, 1.3, wrt=[0, None], line="def", name="wrt-none-entry"),
    derivative(two_args, 0.7, 1.3, wrt="y", name="wrt-by-name"),
    derivative(two_args, 0.7, 1.3, wrt=[1, 0], name="wrt-list-reordered"),
    derivative(two_args, 0.7, 1.3, wrt=-1, name="wrt-negative"),
    error(
        square,
        0.7,
        call="jvp",
        tangents=(1.0, 1.0),
        line=None,
        name="jvp-two-tangents-one-primal",
    ),
    error(
        two_args,
        0.7,
        1.3,
        call="jvp",
        tangents=(1.0,),
        line=None,
        name="jvp-one-tangent-two-primals",
    ),
    error(
        square,
        0.7,
        1.3,
        call="jvp",
        tangents=(1.0, 1.0),
        line=None,
        name="jvp-too-many-primals",
    ),
    error(
        array_loss,
        VECTOR,
        call="jvp",
        tangents=(np.ones(2),),
        line=None,
        name="jvp-tangent-wrong-shape",
    ),
    error(
        square,
        0.7,
        call="jvp",
        tangents=((1.0, 2.0),),
        line=None,
        name="jvp-tangent-tuple",
    ),
    error(
        square, 0.7, call="jvp", tangents=("1",), line=None, name="jvp-tangent-string"
    ),
    either(
        array_loss,
        VECTOR,
        call="jvp",
        tangents=(1.0,),
        line=None,
        name="jvp-scalar-tangent-for-array",
    ),
    error(
        array_loss,
        VECTOR,
        call="vjp",
        cotangent=np.ones(3),
        line=None,
        name="vjp-cotangent-wrong-shape",
    ),
    error(
        vector_out,
        VECTOR,
        call="vjp",
        cotangent=np.ones(2),
        line=None,
        name="vjp-vector-cotangent-wrong-shape",
    ),
    error(
        square,
        0.7,
        call="vjp",
        cotangent=(1.0, 1.0),
        line=None,
        name="vjp-cotangent-tuple",
    ),
    error(square, 0.7, call="vjp", cotangent=(), line=None, name="vjp-cotangent-empty"),
    error(
        pair_out,
        0.7,
        call="vjp",
        cotangent=1.0,
        line=None,
        name="vjp-one-cotangent-two-outputs",
    ),
    error(two_args, 0.7, call="vjp", line=None, name="vjp-too-few-primals"),
    error(square, 0.7, 1.3, call="vjp", line=None, name="vjp-too-many-primals"),
    error(3, 0.7, line=None, name="grad-of-int"),
    error("square", 0.7, line=None, name="grad-of-string"),
    error(None, 0.7, call="jvp", line=None, name="jvp-of-none"),
    error(len, 0.7, line=None, name="grad-of-len"),
    error(math.sin, 0.7, line=None, name="grad-of-math-sin"),
    error(np.sum, VECTOR, line=None, name="grad-of-np-sum"),
    error(np.sin, VECTOR, call="jvp", line=None, name="jvp-of-np-sin"),
    error(abs, 0.7, call="vjp", line=None, name="vjp-of-abs"),
    error(int, 0.7, line=None, name="grad-of-int-type"),
    error(generator, 0.7, name="grad-of-generator"),
    either(Model().value, 0.7, name="grad-of-bound-method"),
    either(Model.static_square, 0.7, name="grad-of-staticmethod"),
    either(Model(), 0.7, line=None, name="grad-of-callable-instance"),
    either(functools.partial(two_args, y=2.0), 0.7, line=None, name="grad-of-partial"),
    either(decorated_square, 0.7, name="grad-of-wraps-decorated"),
    either(decorated_square, 0.7, call="jvp", name="jvp-of-wraps-decorated"),
    either(cached_square, 0.7, line=None, name="grad-of-lru-cache"),
    error(lambda x: x * x, 0.7, name="grad-of-lambda"),
    error(lambda x: x * x, 0.7, call="vjp", name="vjp-of-lambda"),
    error(vector_out, VECTOR, line="def", name="grad-of-vector-output"),
    error(returns_array_of_scalar, 0.7, line="def", name="grad-of-np-array-output"),
    error(pair_out, 0.7, name="grad-of-two-outputs"),
    error(pair_out, 0.7, call="value_and_grad", name="value-and-grad-of-two-outputs"),
    derivative(vector_out, VECTOR, call="jvp", name="jvp-of-vector-output"),
    derivative(vector_out, VECTOR, call="vjp", name="vjp-of-vector-output"),
    derivative(pair_out, 0.7, call="jvp", name="jvp-of-two-outputs"),
    custom("output-dir-is-a-file", _output_dir_is_a_file),
    custom("vjp-fn-cotangent-list", _vjp_fn_cotangent(array_loss, VECTOR, [1.0, 2.0])),
    custom("vjp-fn-cotangent-string", _vjp_fn_cotangent(square, 0.7, "1.0")),
    custom("derivative-rule-for-int", _rule_for(int)),
    custom("derivative-rule-for-a-number", _rule_for(3.0)),
    custom("vjp-cotangent-none", _vjp_fn_cotangent(square, 0.7, None)),
]
