"""torch.optim's SGD, Adam, AdamW, RMSprop and Adagrad in numpy, for lists of float64 arrays.

Each optimizer takes torch's constructor keywords with torch's defaults, refuses the values torch refuses with
torch's words (``Invalid learning rate: -1``) as a :class:`losses.LossInputError`, and updates the parameter arrays
in place, following the single-tensor code path of torch 2.13 (torch/optim/<name>.py, ``_single_tensor_<name>``)
operation by operation, so that a run agrees with torch to rounding.

>>> import numpy as np
>>> w = np.array([1.0, -2.0])
>>> opt = SGD([w], lr=0.1, momentum=0.9)
>>> opt.step([np.array([1.0, 1.0])]); w
array([ 0.9, -2.1])

``lr`` may be changed between steps (``opt.lr = ...``), as a torch scheduler changes ``param_groups[0]['lr']``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from losses import LossInputError

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "OPTIMIZERS", "Option", "make"]


@dataclass(frozen=True)
class Option:
    """A constructor keyword: its torch default and the limits torch checks.

    ``kind`` is 'float', 'bool' or 'pair' (Adam's betas).  ``low`` is the smallest allowed value (``None``: no
    check); ``high_open`` marks a strict upper limit ``high`` (betas < 1).  ``ui_high`` caps a slider where torch
    sets no upper limit.
    """

    name: str
    kind: str
    default: object
    low: float | None = None
    high: float | None = None
    high_open: bool = False
    ui_high: float | None = None


def _fail(name: str, value, allowed: str, message: str):
    raise LossInputError("range", name, value, allowed, message)


def _number(name: str, value) -> float:
    """A real, finite option value.  torch accepts NaN (its ``lr < 0`` checks are False for NaN); a NaN or infinite
    option can only produce NaN parameters, so it is refused here."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise LossInputError("dtype", name, repr(value), "a real number",
                             f"{name} must be a real number, found {value!r}")
    if not math.isfinite(float(value)):
        raise LossInputError("not_finite", name, repr(float(value)), "a finite number",
                             f"{name} must be a finite number, found {float(value)!r}")
    return value


def _flag(name: str, value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise LossInputError("dtype", name, repr(value), "True or False", f"{name} must be True or False, found {value!r}")


def _at_least_zero(name: str, value, words: str) -> float:
    """torch's ``if not 0.0 <= value: raise ValueError(f"Invalid {words}: {value}")``; the value is echoed as given."""
    value = _number(name, value)
    if not 0.0 <= value:
        _fail(name, value, "[0, inf)", f"Invalid {words}: {value}")
    return float(value)


def _params(params) -> list[np.ndarray]:
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            raise LossInputError("dtype", f"params[{i}]", type(p).__name__ if not isinstance(p, np.ndarray)
                                 else p.dtype.name, "a float64 numpy array",
                                 f"params[{i}] must be a float64 numpy array (updated in place)")
    return params


class _Optimizer:
    """What every optimizer shares: its parameter list, its step counter and the shape check of ``step``."""

    name = ""
    OPTIONS: tuple[Option, ...] = ()

    def __init__(self, params):
        self.params = _params(params)
        self.steps = 0

    def options(self) -> dict:
        return {o.name: getattr(self, o.name) for o in self.OPTIONS}

    def _grads(self, grads) -> list[np.ndarray]:
        grads = list(grads)
        if len(grads) != len(self.params):
            raise LossInputError("lengths", "grads", f"{len(grads)} arrays", f"{len(self.params)} arrays",
                                 f"step() got {len(grads)} gradients for {len(self.params)} parameters")
        for i, (g, p) in enumerate(zip(grads, self.params)):
            if np.shape(g) != p.shape:
                raise LossInputError("shape", f"grads[{i}]", str(np.shape(g)), str(p.shape),
                                     f"grads[{i}] shape {np.shape(g)} does not match params[{i}] shape {p.shape}")
        return grads

    def step(self, grads) -> None:
        """Update the parameters in place from one gradient per parameter (shaped like it)."""
        self.steps += 1
        self._update(self._grads(grads))

    def fast_step(self, grads) -> None:
        """``step`` without the checks of ``grads``, for a training loop that builds them itself."""
        self.steps += 1
        self._update(grads)

    def _update(self, grads) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """torch's lerp_ in place, with its two formulas: for weight < 0.5 ``start + w (end - start)``, else
    ``end - (end - start)(1 - w)`` (aten/src/ATen/native/Lerp.h), so that the rounding is torch's."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1.0 - weight)


class SGD(_Optimizer):
    r"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay.

    Per step, with :math:`g` the gradient: :math:`g \leftarrow g + \lambda\theta`; with momentum,
    :math:`b \leftarrow g` at the first step and :math:`b \leftarrow \mu b + (1 - \tau) g` after, then
    :math:`g \leftarrow g + \mu b` (Nesterov) or :math:`g \leftarrow b`; finally :math:`\theta \leftarrow \theta -
    \gamma g`.  ``maximize`` ascends instead.
    """

    name = "sgd"
    OPTIONS = (
        Option("lr", "float", 1e-3, low=0.0, ui_high=2.0),
        Option("momentum", "float", 0.0, low=0.0, ui_high=0.999),
        Option("dampening", "float", 0.0, ui_high=1.0),
        Option("weight_decay", "float", 0.0, low=0.0, ui_high=1.0),
        Option("nesterov", "bool", False),
        Option("maximize", "bool", False),
    )

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False):
        super().__init__(params)
        # The checks and their words are torch.optim.SGD.__init__'s, in its order.
        lr = _number("lr", lr)
        if lr < 0.0:
            _fail("lr", lr, "[0, inf)", f"Invalid learning rate: {lr}")
        momentum = _number("momentum", momentum)
        if momentum < 0.0:
            _fail("momentum", momentum, "[0, inf)", f"Invalid momentum value: {momentum}")
        weight_decay = _number("weight_decay", weight_decay)
        if weight_decay < 0.0:
            _fail("weight_decay", weight_decay, "[0, inf)", f"Invalid weight_decay value: {weight_decay}")
        dampening = _number("dampening", dampening)
        self.nesterov = _flag("nesterov", nesterov)
        self.maximize = _flag("maximize", maximize)
        if self.nesterov and (momentum <= 0 or dampening != 0):
            raise LossInputError("range", "nesterov", True, "momentum > 0 and dampening = 0",
                                 "Nesterov momentum requires a momentum and zero dampening")
        self.lr, self.momentum, self.dampening, self.weight_decay = (float(lr), float(momentum), float(dampening),
                                                                      float(weight_decay))
        self.momentum_buffers: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, grads) -> None:
        lr, momentum, weight_decay = self.lr, self.momentum, self.weight_decay
        for i, param in enumerate(self.params):
            grad = -grads[i] if self.maximize else grads[i]
            if weight_decay != 0:
                grad = grad + weight_decay * param
            if momentum != 0:
                buf = self.momentum_buffers[i]
                if buf is None:
                    buf = self.momentum_buffers[i] = np.array(grad, dtype=np.float64)
                else:
                    buf *= momentum
                    buf += (1 - self.dampening) * grad
                grad = grad + momentum * buf if self.nesterov else buf
            param -= lr * grad


class Adam(_Optimizer):
    r"""Adam (Kingma & Ba), with torch's ``amsgrad`` and L2 ``weight_decay`` added to the gradient.

    Per step t: :math:`g \leftarrow g + \lambda\theta`; :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`;
    :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`; with amsgrad :math:`v_{max} \leftarrow \max(v_{max}, v)`
    replaces v below; :math:`\theta \leftarrow \theta - \frac{\gamma}{1-\beta_1^t}\, m /
    (\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon)`.
    """

    name = "adam"
    DECOUPLED = False
    OPTIONS = (
        Option("lr", "float", 1e-3, low=0.0, ui_high=1.0),
        Option("betas", "pair", (0.9, 0.999), low=0.0, high=1.0, high_open=True),
        Option("eps", "float", 1e-8, low=0.0, ui_high=1.0),
        Option("weight_decay", "float", 0.0, low=0.0, ui_high=1.0),
        Option("amsgrad", "bool", False),
        Option("maximize", "bool", False),
    )

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False):
        super().__init__(params)
        lr = _number("lr", lr)
        if not 0.0 <= lr:
            _fail("lr", lr, "[0, inf)", f"Invalid learning rate: {lr}")
        eps = _number("eps", eps)
        if not 0.0 <= eps:
            _fail("eps", eps, "[0, inf)", f"Invalid epsilon value: {eps}")
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise LossInputError("shape", "betas", repr(betas), "two numbers",
                                 f"betas must be a pair of numbers, found {betas!r}") from None
        for index, beta in enumerate((beta1, beta2)):
            beta = _number("betas", beta)
            if not 0.0 <= beta < 1.0:
                _fail("betas", beta, "[0, 1)", f"Invalid beta parameter at index {index}: {beta}")
        weight_decay = _number("weight_decay", weight_decay)
        if not 0.0 <= weight_decay:
            _fail("weight_decay", weight_decay, "[0, inf)", f"Invalid weight_decay value: {weight_decay}")
        self.amsgrad = _flag("amsgrad", amsgrad)
        self.maximize = _flag("maximize", maximize)
        self.lr, self.eps, self.weight_decay = float(lr), float(eps), float(weight_decay)
        self.betas = (float(beta1), float(beta2))
        self.exp_avgs = [np.zeros_like(p) for p in self.params]
        self.exp_avg_sqs = [np.zeros_like(p) for p in self.params]
        self.max_exp_avg_sqs = [np.zeros_like(p) for p in self.params] if self.amsgrad else []

    def _update(self, grads) -> None:
        lr, eps, weight_decay = self.lr, self.eps, self.weight_decay
        beta1, beta2 = self.betas
        step = float(self.steps)
        # torch's non-capturable branch computes the corrections as Python floats.
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        for i, param in enumerate(self.params):
            grad = -grads[i] if self.maximize else grads[i]
            if weight_decay != 0:
                if self.DECOUPLED:
                    param *= 1 - lr * weight_decay
                else:
                    grad = grad + weight_decay * param
            exp_avg, exp_avg_sq = self.exp_avgs[i], self.exp_avg_sqs[i]
            _lerp_(exp_avg, grad, 1 - beta1)
            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * (grad * grad)
            if self.amsgrad:
                np.maximum(self.max_exp_avg_sqs[i], exp_avg_sq, out=self.max_exp_avg_sqs[i])
                denom = np.sqrt(self.max_exp_avg_sqs[i]) / bias_correction2_sqrt + eps
            else:
                denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
            param -= step_size * (exp_avg / denom)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter): :math:`\theta \leftarrow \theta(1 - \gamma\lambda)`
    before the Adam update, instead of adding :math:`\lambda\theta` to the gradient; ``weight_decay`` defaults to
    0.01, as in torch."""

    name = "adamw"
    DECOUPLED = True
    OPTIONS = tuple(Option("weight_decay", "float", 1e-2, low=0.0, ui_high=1.0) if o.name == "weight_decay" else o
                    for o in Adam.OPTIONS)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class RMSprop(_Optimizer):
    r"""RMSprop (Hinton), with torch's ``centered``, ``momentum`` and L2 ``weight_decay``.

    Per step: :math:`g \leftarrow g + \lambda\theta`; :math:`v \leftarrow \alpha v + (1-\alpha) g^2`; centered:
    :math:`\bar g \leftarrow \alpha \bar g + (1-\alpha) g` and :math:`\tilde v = v - \bar g^2`, else
    :math:`\tilde v = v`; with momentum :math:`b \leftarrow \mu b + g / (\sqrt{\tilde v} + \epsilon)` and
    :math:`\theta \leftarrow \theta - \gamma b`, else :math:`\theta \leftarrow \theta - \gamma g / (\sqrt{\tilde v}
    + \epsilon)`.
    """

    name = "rmsprop"
    OPTIONS = (
        Option("lr", "float", 1e-2, low=0.0, ui_high=1.0),
        Option("alpha", "float", 0.99, low=0.0, ui_high=1.0),
        Option("eps", "float", 1e-8, low=0.0, ui_high=1.0),
        Option("weight_decay", "float", 0.0, low=0.0, ui_high=1.0),
        Option("momentum", "float", 0.0, low=0.0, ui_high=0.999),
        Option("centered", "bool", False),
        Option("maximize", "bool", False),
    )

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 maximize=False):
        super().__init__(params)
        self.lr = _at_least_zero("lr", lr, "learning rate")
        self.eps = _at_least_zero("eps", eps, "epsilon value")
        self.momentum = _at_least_zero("momentum", momentum, "momentum value")
        self.weight_decay = _at_least_zero("weight_decay", weight_decay, "weight_decay value")
        self.alpha = _at_least_zero("alpha", alpha, "alpha value")
        self.centered = _flag("centered", centered)
        self.maximize = _flag("maximize", maximize)
        self.square_avgs = [np.zeros_like(p) for p in self.params]
        self.grad_avgs = [np.zeros_like(p) for p in self.params] if self.centered else []
        self.momentum_buffers = [np.zeros_like(p) for p in self.params] if self.momentum > 0 else []

    def _update(self, grads) -> None:
        lr, alpha, eps, weight_decay = self.lr, self.alpha, self.eps, self.weight_decay
        for i, param in enumerate(self.params):
            grad = -grads[i] if self.maximize else grads[i]
            if weight_decay != 0:
                grad = grad + weight_decay * param
            square_avg = self.square_avgs[i]
            square_avg *= alpha
            square_avg += (1 - alpha) * (grad * grad)
            if self.centered:
                grad_avg = self.grad_avgs[i]
                _lerp_(grad_avg, grad, 1 - alpha)
                avg = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = np.sqrt(square_avg)
            avg += eps
            if self.momentum > 0:
                buf = self.momentum_buffers[i]
                buf *= self.momentum
                buf += grad / avg
                param -= lr * buf
            else:
                param -= lr * (grad / avg)


class Adagrad(_Optimizer):
    r"""Adagrad (Duchi et al.), with torch's ``lr_decay``, ``initial_accumulator_value`` and L2 ``weight_decay``.

    Per step t: :math:`g \leftarrow g + \lambda\theta`; :math:`\tilde\gamma = \gamma / (1 + (t - 1)\eta)`;
    :math:`s \leftarrow s + g^2` (s starts at ``initial_accumulator_value``);
    :math:`\theta \leftarrow \theta - \tilde\gamma\, g / (\sqrt{s} + \epsilon)`.
    """

    name = "adagrad"
    OPTIONS = (
        Option("lr", "float", 1e-2, low=0.0, ui_high=2.0),
        Option("lr_decay", "float", 0.0, low=0.0, ui_high=1.0),
        Option("weight_decay", "float", 0.0, low=0.0, ui_high=1.0),
        Option("initial_accumulator_value", "float", 0.0, low=0.0, ui_high=1.0),
        Option("eps", "float", 1e-10, low=0.0, ui_high=1.0),
        Option("maximize", "bool", False),
    )

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
                 maximize=False):
        super().__init__(params)
        self.lr = _at_least_zero("lr", lr, "learning rate")
        self.lr_decay = _at_least_zero("lr_decay", lr_decay, "lr_decay value")
        self.weight_decay = _at_least_zero("weight_decay", weight_decay, "weight_decay value")
        self.initial_accumulator_value = _at_least_zero("initial_accumulator_value", initial_accumulator_value,
                                                        "initial_accumulator_value value")
        self.eps = _at_least_zero("eps", eps, "epsilon value")
        self.maximize = _flag("maximize", maximize)
        self.sums = [np.full_like(p, self.initial_accumulator_value) for p in self.params]

    def _update(self, grads) -> None:
        clr = self.lr / (1 + (self.steps - 1) * self.lr_decay)
        for i, param in enumerate(self.params):
            grad = -grads[i] if self.maximize else grads[i]
            if self.weight_decay != 0:
                grad = grad + self.weight_decay * param
            state_sum = self.sums[i]
            state_sum += grad * grad
            std = np.sqrt(state_sum)
            std += self.eps
            param -= clr * (grad / std)


OPTIMIZERS: dict[str, type[_Optimizer]] = {cls.name: cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)}


def make(name: str, params, **options) -> _Optimizer:
    """The optimizer called ``name`` ('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad') over ``params``."""
    if name not in OPTIMIZERS:
        raise LossInputError("choice", "optimizer", repr(name), tuple(OPTIMIZERS),
                             f"optimizer={name!r} is not one of " + ", ".join(repr(n) for n in OPTIMIZERS))
    cls = OPTIMIZERS[name]
    known = {o.name for o in cls.OPTIONS}
    for key in options:
        if key not in known:
            raise LossInputError("choice", "option", repr(key), tuple(sorted(known)),
                                 f"{cls.__name__} has no option {key!r}; its options: " + ", ".join(sorted(known)))
    return cls(params, **options)
