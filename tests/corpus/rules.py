"""Primitives: every derivative rule against finite differences (scalar and
array), and calls without a rule, which must be refused at their line."""

import math
import random
import statistics

import numpy as np

from corpus.entry import derivative, error

ARRAY = np.array([0.3, -0.6, 0.9, 0.45])


def scalar_sin(x):
    return math.sin(x) * x + x


def scalar_cos(x):
    return math.cos(x) * x + x


def scalar_tan(x):
    return math.tan(x) * x + x


def scalar_asin(x):
    return math.asin(x) * x + x


def scalar_acos(x):
    return math.acos(x) * x + x


def scalar_atan(x):
    return math.atan(x) * x + x


def scalar_atan2(x):
    return math.atan2(x, 0.4) * x + x


def scalar_sinh(x):
    return math.sinh(x) * x + x


def scalar_cosh(x):
    return math.cosh(x) * x + x


def scalar_tanh(x):
    return math.tanh(x) * x + x


def scalar_asinh(x):
    return math.asinh(x) * x + x


def scalar_acosh(x):
    return math.acosh(x) * x + x


def scalar_atanh(x):
    return math.atanh(x) * x + x


def scalar_exp(x):
    return math.exp(x) * x + x


def scalar_expm1(x):
    return math.expm1(x) * x + x


def scalar_log(x):
    return math.log(x) * x + x


def scalar_log_base(x):
    return math.log(x, 3.0) * x + x


def scalar_log1p(x):
    return math.log1p(x) * x + x


def scalar_log2(x):
    return math.log2(x) * x + x


def scalar_log10(x):
    return math.log10(x) * x + x


def scalar_sqrt(x):
    return math.sqrt(x) * x + x


def scalar_hypot(x):
    return math.hypot(x, 0.4) * x + x


def scalar_mpow(x):
    return math.pow(x, 2.5) * x + x


def scalar_fabs(x):
    return math.fabs(x) * x + x


def scalar_abs(x):
    return abs(x) * x + x


def scalar_min(x):
    return min(x, 0.9) * x + x


def scalar_max(x):
    return max(x, 0.2) * x + x


def scalar_power(x):
    return x**3.0 * x + x


def scalar_rpower(x):
    return 2.0**x * x + x


def scalar_floordiv(x):
    return x // 0.3 + x * x + x


def scalar_mod(x):
    return x % 0.3 * x + x


def scalar_pow_builtin(x):
    return pow(x, 3) * x + x


def scalar_neg(x):
    return -x * x * x + x


def scalar_pi(x):
    return math.pi * x * x + x


def scalar_div(x):
    return 1.0 / x * x + x


def array_sin(x):
    return np.sum((np.sin(x)) * 1.5)


def array_cos(x):
    return np.sum((np.cos(x)) * 1.5)


def array_tan(x):
    return np.sum((np.tan(x)) * 1.5)


def array_arcsin(x):
    return np.sum((np.arcsin(x * 0.5)) * 1.5)


def array_arccos(x):
    return np.sum((np.arccos(x * 0.5)) * 1.5)


def array_arctan(x):
    return np.sum((np.arctan(x)) * 1.5)


def array_sinh(x):
    return np.sum((np.sinh(x)) * 1.5)


def array_cosh(x):
    return np.sum((np.cosh(x)) * 1.5)


def array_tanh(x):
    return np.sum((np.tanh(x)) * 1.5)


def array_arcsinh(x):
    return np.sum((np.arcsinh(x)) * 1.5)


def array_arccosh(x):
    return np.sum((np.arccosh(x + 2.0)) * 1.5)


def array_arctanh(x):
    return np.sum((np.arctanh(x * 0.5)) * 1.5)


def array_exp(x):
    return np.sum((np.exp(x)) * 1.5)


def array_expm1(x):
    return np.sum((np.expm1(x)) * 1.5)


def array_exp2(x):
    return np.sum((np.exp2(x)) * 1.5)


def array_log(x):
    return np.sum((np.log(x + 2.0)) * 1.5)


def array_log1p(x):
    return np.sum((np.log1p(x + 1.0)) * 1.5)


def array_log2(x):
    return np.sum((np.log2(x + 2.0)) * 1.5)


def array_log10(x):
    return np.sum((np.log10(x + 2.0)) * 1.5)


def array_sqrt(x):
    return np.sum((np.sqrt(x + 2.0)) * 1.5)


def array_cbrt(x):
    return np.sum((np.cbrt(x + 2.0)) * 1.5)


def array_square(x):
    return np.sum((np.square(x)) * 1.5)


def array_reciprocal(x):
    return np.sum((np.reciprocal(x + 2.0)) * 1.5)


def array_abs(x):
    return np.sum((np.abs(x)) * 1.5)


def array_power(x):
    return np.sum((np.power(x + 2.0, 1.5)) * 1.5)


def array_hypot(x):
    return np.sum((np.hypot(x, 0.5)) * 1.5)


def array_arctan2(x):
    return np.sum((np.arctan2(x, 0.5)) * 1.5)


def array_maximum(x):
    return np.sum((np.maximum(x, 0.05)) * 1.5)


def array_minimum(x):
    return np.sum((np.minimum(x, 0.05)) * 1.5)


def array_logaddexp(x):
    return np.sum((np.logaddexp(x, 0.3)) * 1.5)


def array_sinc(x):
    return np.sum((np.sinc(x)) * 1.5)


def array_clip(x):
    return np.sum((np.clip(x, -0.5, 0.5)) * 1.5)


def array_where(x):
    return np.sum((np.where(x > 0.0, x * x, -x)) * 1.5)


def array_sum_axis(x):
    return np.sum((np.sum(x.reshape(2, 2), axis=0)) * 1.5)


def array_mean(x):
    return np.sum((np.mean(x)) * 1.5)


def array_prod(x):
    return np.sum((np.prod(x)) * 1.5)


def array_amax(x):
    return np.sum((np.max(x)) * 1.5)


def array_amin(x):
    return np.sum((np.min(x)) * 1.5)


def array_var(x):
    return np.sum((np.var(x)) * 1.5)


def array_std(x):
    return np.sum((np.std(x)) * 1.5)


def array_cumsum(x):
    return np.sum((np.cumsum(x)) * 1.5)


def array_cumprod(x):
    return np.sum((np.cumprod(x)) * 1.5)


def array_trace(x):
    return np.sum((np.trace(x.reshape(2, 2))) * 1.5)


def array_norm(x):
    return np.sum((np.linalg.norm(x)) * 1.5)


def array_inv(x):
    return np.sum((np.linalg.inv(x.reshape(2, 2) + 3.0 * np.eye(2))) * 1.5)


def array_solve(x):
    return np.sum((np.linalg.solve(x.reshape(2, 2) + 3.0 * np.eye(2), x[:2])) * 1.5)


def array_det(x):
    return np.sum((np.linalg.det(x.reshape(2, 2))) * 1.5)


def array_matmul(x):
    return np.sum((x.reshape(2, 2) @ x.reshape(2, 2)) * 1.5)


def array_dot(x):
    return np.sum((np.dot(x, x)) * 1.5)


def array_outer(x):
    return np.sum((np.outer(x, x)) * 1.5)


def array_einsum(x):
    return np.sum((np.einsum("i,i->", x, x)) * 1.5)


def array_reshape(x):
    return np.sum((x.reshape(2, 2).T) * 1.5)


def array_concatenate(x):
    return np.sum((np.concatenate([x, x * 2.0])) * 1.5)


def array_stack(x):
    return np.sum((np.stack([x, x * x])) * 1.5)


def array_flip(x):
    return np.sum((np.flip(x)) * 1.5)


def array_roll(x):
    return np.sum((np.roll(x, 1)) * 1.5)


def array_diag(x):
    return np.sum((np.diag(x)) * 1.5)


def array_tril(x):
    return np.sum((np.tril(np.outer(x, x))) * 1.5)


def array_index(x):
    return np.sum((x[1] * x[-1]) * 1.5)


def array_slice(x):
    return np.sum((x[1:] - x[:-1] ** 2) * 1.5)


def array_mask(x):
    return np.sum((x[x > 0.0]) * 1.5)


def array_fancy(x):
    return np.sum((x[[0, 0, 2]]) * 1.5)


def array_method_sum(x):
    return np.sum((x.sum() * x.mean()) * 1.5)


def array_tensordot(x):
    return np.sum((np.tensordot(x, x, axes=1)) * 1.5)


def no_rule_erf(x):
    return math.erf(x) + x  # <-


def no_rule_gamma(x):
    return math.gamma(x) + x  # <-


def no_rule_lgamma(x):
    return math.lgamma(x) + x  # <-


def no_rule_erfc(x):
    return math.erfc(x) + x  # <-


def no_rule_i0(x):
    return np.sum(np.i0(x))  # <-


def no_rule_sort(x):
    return np.sum(np.sort(x))  # <-


def no_rule_median(x):
    return np.sum(np.median(x))  # <-


def no_rule_percentile(x):
    return np.sum(np.percentile(x, 50.0))  # <-


def no_rule_fft(x):
    return np.sum(np.fft.fft(x))  # <-


def no_rule_eig(x):
    return np.sum(np.linalg.eig(x.reshape(2, 2)))  # <-


def no_rule_svd(x):
    return np.sum(np.linalg.svd(x.reshape(2, 2)))  # <-


def no_rule_qr(x):
    return np.sum(np.linalg.qr(x.reshape(2, 2)))  # <-


def no_rule_cholesky(x):
    return np.sum(np.linalg.cholesky(x.reshape(2, 2)))  # <-


def no_rule_eigh(x):
    return np.sum(np.linalg.eigh(x.reshape(2, 2)))  # <-


def no_rule_convolve(x):
    return np.sum(np.convolve(x, x))  # <-


def no_rule_interp(x):
    return np.sum(np.interp(0.5, x, x))  # <-


def no_rule_polyval(x):
    return np.sum(np.polyval(x, 0.5))  # <-


def no_rule_pinv(x):
    return np.sum(np.linalg.pinv(x.reshape(2, 2)))  # <-


def no_rule_kron(x):
    return np.sum(np.kron(x, x))  # <-


def no_rule_cross(x):
    return np.sum(np.cross(x[:3], x[1:]))  # <-


def no_rule_gradient(x):
    return np.sum(np.gradient(x))  # <-


def no_rule_remainder(x):
    return math.remainder(x, 0.3) + x  # <-


def no_rule_copysign(x):
    return math.copysign(x, -1.0) + x  # <-


def no_rule_statistics_mean(x):
    return statistics.mean([x, x]) + x  # <-


def no_rule_random(x):
    return random.random() * x + x  # <-


def no_rule_np_random(x):
    return np.sum(np.random.normal() * x)  # <-


def no_rule_unique(x):
    return np.sum(np.unique(x))  # <-


def no_rule_argsort(x):
    return np.sum(x[np.argsort(x)])  # <-


def no_rule_frexp(x):
    return math.frexp(x)[0] + x  # <-


SCALAR_POINTS = {
    scalar_sin: 0.7,
    scalar_cos: 0.7,
    scalar_tan: 0.7,
    scalar_asin: 0.3,
    scalar_acos: 0.3,
    scalar_atan: 0.7,
    scalar_atan2: 0.7,
    scalar_sinh: 0.7,
    scalar_cosh: 0.7,
    scalar_tanh: 0.7,
    scalar_asinh: 0.7,
    scalar_acosh: 1.7,
    scalar_atanh: 0.3,
    scalar_exp: 0.7,
    scalar_expm1: 0.7,
    scalar_log: 0.7,
    scalar_log_base: 0.7,
    scalar_log1p: 0.7,
    scalar_log2: 0.7,
    scalar_log10: 0.7,
    scalar_sqrt: 0.7,
    scalar_hypot: 0.7,
    scalar_mpow: 0.7,
    scalar_fabs: -0.7,
    scalar_abs: -0.7,
    scalar_min: 0.7,
    scalar_max: 0.7,
    scalar_power: 0.7,
    scalar_rpower: 0.7,
    scalar_floordiv: 0.7,
    scalar_mod: 0.7,
    scalar_pow_builtin: 0.7,
    scalar_neg: 0.7,
    scalar_pi: 0.7,
    scalar_div: 0.7,
}

ARRAY_FUNCTIONS = (
    array_sin,
    array_cos,
    array_tan,
    array_arcsin,
    array_arccos,
    array_arctan,
    array_sinh,
    array_cosh,
    array_tanh,
    array_arcsinh,
    array_arccosh,
    array_arctanh,
    array_exp,
    array_expm1,
    array_exp2,
    array_log,
    array_log1p,
    array_log2,
    array_log10,
    array_sqrt,
    array_cbrt,
    array_square,
    array_reciprocal,
    array_abs,
    array_power,
    array_hypot,
    array_arctan2,
    array_maximum,
    array_minimum,
    array_logaddexp,
    array_sinc,
    array_clip,
    array_where,
    array_sum_axis,
    array_mean,
    array_prod,
    array_amax,
    array_amin,
    array_var,
    array_std,
    array_cumsum,
    array_cumprod,
    array_trace,
    array_norm,
    array_inv,
    array_solve,
    array_det,
    array_matmul,
    array_dot,
    array_outer,
    array_einsum,
    array_reshape,
    array_concatenate,
    array_stack,
    array_flip,
    array_roll,
    array_diag,
    array_tril,
    array_index,
    array_slice,
    array_mask,
    array_fancy,
    array_method_sum,
    array_tensordot,
)

NO_RULE = {
    no_rule_erf: 0.7,
    no_rule_gamma: 0.7,
    no_rule_lgamma: 0.7,
    no_rule_erfc: 0.7,
    no_rule_i0: ARRAY,
    no_rule_sort: ARRAY,
    no_rule_median: ARRAY,
    no_rule_percentile: ARRAY,
    no_rule_fft: ARRAY,
    no_rule_eig: ARRAY,
    no_rule_svd: ARRAY,
    no_rule_qr: ARRAY,
    no_rule_cholesky: ARRAY,
    no_rule_eigh: ARRAY,
    no_rule_convolve: ARRAY,
    no_rule_interp: ARRAY,
    no_rule_polyval: ARRAY,
    no_rule_pinv: ARRAY,
    no_rule_kron: ARRAY,
    no_rule_cross: ARRAY,
    no_rule_gradient: ARRAY,
    no_rule_remainder: 0.7,
    no_rule_copysign: 0.7,
    no_rule_statistics_mean: 0.7,
    no_rule_random: 0.7,
    no_rule_np_random: ARRAY,
    no_rule_unique: ARRAY,
    no_rule_argsort: ARRAY,
    no_rule_frexp: 0.7,
}

ENTRIES = [derivative(fn, p) for fn, p in SCALAR_POINTS.items()]
ENTRIES += [derivative(fn, p, call="jvp") for fn, p in SCALAR_POINTS.items()]
ENTRIES += [derivative(fn, ARRAY.copy()) for fn in ARRAY_FUNCTIONS]
ENTRIES += [derivative(fn, ARRAY.copy(), call="vjp") for fn in ARRAY_FUNCTIONS[::3]]
ENTRIES += [derivative(fn, ARRAY.copy(), call="jvp") for fn in ARRAY_FUNCTIONS[1::3]]
ENTRIES += [error(fn, p) for fn, p in NO_RULE.items()]
