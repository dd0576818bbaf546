"""Optimizers: one registry entry per optimizer, used by the networks, the 2-D trajectories and the page.

An optimizer is one ``Rule`` in ``RULES``: its update rule, torch's defaults, the valid range of each
hyperparameter, the values the optimizers page offers for the ones a student tunes there, the LaTeX of
its update in the symbols the page shows, and the learning rate the page starts with. The engine, the
page (menus, sliders, the formula of "inside one step") and the tests read that entry; ``register``
adds one at run time (checked when it is added, so a wrong entry fails there, not on the page).

An update rule is a pure function written with arithmetic operators only::

    rule(g, state, t, lr, *hp, sqrt, maximum, parts=None) -> (delta, new_state)

g is the gradient (a Python float, or an array of any shape), state a tuple shaped like g, t the
step number counting from 1, delta the change to add to θ. ``sqrt``/``maximum`` are injected:
``np.sqrt``/``np.maximum`` for arrays, ``math.sqrt``/``max`` for floats. The same function therefore
updates a (784, 100) weight matrix (``Optimizer.step``), K stacked 2-D points with hyperparameter
arrays of shape (K, 1) (``sweep``) and a single coordinate as a Python float (``trajectory``,
``race``: Python float arithmetic is ~10x cheaper than NumPy on a 2-vector). A dict passed as
``parts`` receives the rule's intermediate terms for the "inside one step" view.

A network passes all its parameters as one flat array (``MLP.flat_params``): one rule call per step.
Its temporaries are large (a few hundred kB); ``core.runtime`` keeps glibc from returning them to the
system after every step, which would otherwise cost more than the arithmetic.

Rules, epsilon placement and defaults follow PyTorch's ``torch.optim`` documentation. Every
optimizer also takes ``weight_decay`` λ (adds λθ to g, as torch does) and
``decoupled_weight_decay`` (AdamW-style, Loshchilov & Hutter 2019: θ ← θ − lr·λ·θ before the update).

Public API::

    optim.NAMES, optim.DEFAULTS[name], optim.RULES[name] (a Rule), optim.rule(name)
    optim.register(optim.Rule(...)); optim.unregister(name)
    opt = optim.make("adam", lr=1e-3)            # == optim.get(...)
    opt.step(params, grads); opt.set_lr(lr); opt.lr; opt.t; opt.state_dict(); opt.load_state_dict(d)
    opt.step([net.flat_params], [net.flat_grads])  # an MLP: every parameter in one call
    optim.trajectory(name, surface, start, steps, schedule=None, noise=0.0, seed=0, **hp) -> (T+1, 2)
    optim.race(entries, surface, start, steps, schedule=None, noise=0.0, seed=0) -> Race
    optim.sweep(name, surface, start, steps, schedule=None, noise=0.0, seed=0, **hp) -> Race
    optim.explain_step(name, hp, surface, start, step, schedule=None, noise=0.0, seed=0) -> dict
    optim.ema_path(path, decay), optim.polyak_path(path)
"""

import inspect
import math
import string
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from core import surfaces as _surfaces
from core.registry import lookup, with_defaults

# A coordinate beyond this (or NaN/inf) counts as divergence in the 2-D runs.
DIVERGENCE_LIMIT = 1e6


# ---------------------------------------------------------------- update rules
def _sgd(g, state, t, lr, sqrt, maximum, parts=None):
    """SGD: θ ← θ − lr·g."""
    return -lr * g, state


def _momentum(g, state, t, lr, momentum, sqrt, maximum, parts=None):
    """Momentum (SGD with momentum μ): b ← μ·b + g (b = g at t = 1); θ ← θ − lr·b."""
    (b,) = state
    b = momentum * b + g
    if parts is not None:
        parts["first_moment"] = b
    return -lr * b, (b,)


def _nesterov(g, state, t, lr, momentum, sqrt, maximum, parts=None):
    """Nesterov (SGD, nesterov=True): b ← μ·b + g; θ ← θ − lr·(g + μ·b).

    Read as two moves: the momentum carries θ to the look-ahead point θ − lr·μ·b, and the
    gradient corrects from there by −lr·g (Sutskever et al. 2013's form of Nesterov 1983).
    """
    (b,) = state
    b = momentum * b + g
    if parts is not None:
        parts["first_moment"] = b
        parts["lookahead_step"] = -lr * momentum * b
    return -lr * (g + momentum * b), (b,)


def _adagrad(g, state, t, lr, eps, sqrt, maximum, parts=None):
    """AdaGrad (Duchi et al. 2011): s ← s + g²; θ ← θ − lr·g / (√s + ε)."""
    (s,) = state
    s = s + g * g
    scale = sqrt(s) + eps
    if parts is not None:
        parts["scale"] = scale
    return -lr * g / scale, (s,)


def _rmsprop(g, state, t, lr, rho, eps, sqrt, maximum, parts=None):
    """RMSprop (Hinton 2012): s ← ρ·s + (1 − ρ)·g²; θ ← θ − lr·g / (√s + ε)."""
    (s,) = state
    s = rho * s + (1.0 - rho) * g * g
    scale = sqrt(s) + eps
    if parts is not None:
        parts["scale"] = scale
    return -lr * g / scale, (s,)


def adam_textbook(g, state, t, lr, beta1, beta2, eps, sqrt, maximum, parts=None):
    """Adam as Kingma & Ba 2015 write it (Algorithm 1, with torch's ε outside the root)::

        m ← β1·m + (1 − β1)·g          first moment: an average of the gradients
        v ← β2·v + (1 − β2)·g²         second moment: an average of their squares
        m̂ = m / (1 − β1ᵗ)              bias corrections: m and v start at 0
        v̂ = v / (1 − β2ᵗ)
        θ ← θ − lr·m̂ / (√v̂ + ε)

    The reference for ``_adam``, which computes the same steps in fewer passes over θ: the two are
    compared step for step in tests/test_optim.py and timed in bench/bench_optim.py.
    """
    m, v = state
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    scale = sqrt(v_hat) + eps
    if parts is not None:
        parts["first_moment"] = m_hat
        parts["scale"] = scale
    return -lr * m_hat / scale, (m, v)


def _adam(g, state, t, lr, beta1, beta2, eps, sqrt, maximum, parts=None):
    """Adam (Kingma & Ba 2015): m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
    m̂ = m / (1 − β1ᵗ); v̂ = v / (1 − β2ᵗ); θ ← θ − lr·m̂ / (√v̂ + ε)   (``adam_textbook``, line by line).

    Computed in a folded form: the state holds M = m / (1 − β1) and V = v / (1 − β2), whose updates
    M ← β1·M + g and V ← β2·V + g² skip the multiplications by (1 − β); those constants join the bias
    corrections in one step size and one ε (Kingma & Ba's own "efficient order", sec. 2, taken one step
    further): four passes over θ fewer, 1.3-1.4x faster per step on a network's flat parameters, float64 and
    float32 (bench/bench_optim.py --only adam); on the 2-D race's Python floats the two are within 10 %.
    """
    M, V = state
    M = beta1 * M + g
    V = beta2 * V + g * g
    # m̂ = c1·M and √v̂ = c2·√V; ** 0.5 keeps a Python float a Python float (np.sqrt would make it a NumPy
    # scalar, and float32 parameters would then be updated in float64)
    c1 = (1.0 - beta1) / (1.0 - beta1 ** t)
    c2 = ((1.0 - beta2) / (1.0 - beta2 ** t)) ** 0.5
    if parts is not None:
        parts["first_moment"] = c1 * M
        parts["scale"] = c2 * sqrt(V) + eps
    # lr·m̂ / (√v̂ + ε) = (lr·c1/c2)·M / (√V + ε/c2)
    return -(lr * c1 / c2) * M / (sqrt(V) + eps / c2), (M, V)


def _nadam(g, state, t, lr, beta1, beta2, eps, momentum_decay, sqrt, maximum, parts=None):
    """NAdam (Dozat 2016): μ_t = β1·(1 − ½·0.96^(t·ψ)), ψ = momentum_decay; m, v as Adam;
    θ ← θ − lr·(1 − μ_t) / (1 − ∏_{i≤t} μ_i) · g / (√v̂ + ε)
          − lr·μ_{t+1} / (1 − ∏_{i≤t+1} μ_i) · m / (√v̂ + ε)."""
    m, v, mu_product = state
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = mu_product * mu
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    scale = sqrt(v / (1.0 - beta2 ** t)) + eps
    if parts is not None:
        parts["first_moment"] = m
        parts["scale"] = scale
    delta = (-lr * (1.0 - mu) / (1.0 - mu_product) * g / scale
             - lr * mu_next / (1.0 - mu_product * mu_next) * m / scale)
    return delta, (m, v, mu_product)


def _adamax(g, state, t, lr, beta1, beta2, eps, sqrt, maximum, parts=None):
    """Adamax (Kingma & Ba 2015, sec. 7): m ← β1·m + (1 − β1)·g; u ← max(β2·u, |g| + ε);
    θ ← θ − lr / (1 − β1ᵗ) · m / u."""
    m, u = state
    m = beta1 * m + (1.0 - beta1) * g
    u = maximum(beta2 * u, abs(g) + eps)
    correction1 = 1.0 - beta1 ** t
    if parts is not None:
        parts["first_moment"] = m / correction1
        parts["scale"] = u
    return -lr / correction1 * m / u, (m, u)  # lr / (1 − β1ᵗ) first: one number, not a pass over θ


# ---------------------------------------------------------------- the registry
# A range is (test, wording); every test works elementwise on (K, 1) arrays too.
POSITIVE = (lambda v: v > 0, "> 0")
NON_NEGATIVE = (lambda v: v >= 0, ">= 0")
UNIT = (lambda v: (v >= 0) & (v < 1), "in [0, 1)")
_DECAY = {"weight_decay": 0.0, "decoupled_weight_decay": False}
# What the page's formula fills in besides the hyperparameters: the step t, this step's lr (after a
# schedule) and the 2-vectors of ``explain_step``.
LATEX_FIELDS = ("t", "lr", "gradient", "first_moment", "scale", "lookahead", "update")


@dataclass(frozen=True)
class Rule:
    """One optimizer: what the engine, the optimizers page and the tests know about it.

    name: registry name (the page's text for it is ``common.opt_<name>``).
    update: the rule function (see the module docstring); its hyperparameters after lr, in call order,
        are the keys of ``defaults`` after "lr".
    defaults: {"lr": ..., hp: ...}, torch.optim's defaults.
    state: one entry per state slot: None -> zeros shaped like θ, a number -> that scalar.
    ranges: {hp: (test, wording)} for every hyperparameter after lr (lr and weight decay are shared).
    sliders: {hp: values} the optimizers page offers for the hyperparameters a student tunes there;
        each default is one of its values.
    latex: the rows of the update as the page writes it (PyTorch's convention, ε outside the root);
        ``$name`` marks a number the page fills in: a hyperparameter or one of LATEX_FIELDS.
    first_lr: the learning rate the optimizers page starts with.
    """

    name: str
    update: Callable
    defaults: dict
    state: tuple
    latex: tuple
    first_lr: float
    ranges: dict = field(default_factory=dict)
    sliders: dict = field(default_factory=dict)

    @property
    def hp_names(self) -> tuple:
        """The hyperparameters after lr, in the rule's call order."""
        return tuple(key for key in self.defaults if key != "lr")

    def init(self, theta):
        """The state at t = 0 for θ (a Python float or an array)."""
        if isinstance(theta, float):
            return tuple(0.0 if v is None else v for v in self.state)
        # one array per slot: Optimizer.step may write a slot in place (chunk by chunk)
        return tuple(np.zeros_like(theta) if v is None else v for v in self.state)


def _range_checks(entry: Rule) -> dict:
    """{hp: (test, wording)} of every hyperparameter of ``entry``: lr and weight decay belong to every optimizer."""
    return {"lr": POSITIVE, **entry.ranges, "weight_decay": NON_NEGATIVE}


def _checked(entry: Rule) -> Rule:
    """A copy of ``entry`` (latex as a tuple of rows); an inconsistent entry -> ValueError naming what is wrong,
    so a mistake fails when the optimizer is registered, not on the page."""
    where = f"optimizer {entry.name!r}"
    latex = (entry.latex,) if isinstance(entry.latex, str) else tuple(entry.latex)
    entry = replace(entry, defaults=dict(entry.defaults), state=tuple(entry.state), latex=latex,
                    ranges=dict(entry.ranges), sliders=dict(entry.sliders))
    if not isinstance(entry.name, str) or not entry.name.isidentifier():
        raise ValueError(f"{where}: the name must be a Python identifier (it keys controls and URLs)")
    params = list(inspect.signature(entry.update).parameters)
    expected = ["g", "state", "t", "lr", *entry.hp_names, "sqrt", "maximum", "parts"]
    if params != expected or next(iter(entry.defaults), None) != "lr":
        raise ValueError(f"{where}: the rule takes ({', '.join(params)}), the defaults give "
                         f"({', '.join(expected)}); list lr first, then the rule's hyperparameters in call order")
    if set(entry.ranges) != set(entry.hp_names):
        raise ValueError(f"{where}: give a range for each of {', '.join(entry.hp_names) or 'none'}, "
                         f"got {', '.join(entry.ranges) or 'none'}")
    checks = _range_checks(entry)
    for key, value in [("lr", entry.first_lr), *entry.defaults.items(),
                       *[(key, v) for key, values in entry.sliders.items() for v in values]]:
        if key not in checks:
            raise ValueError(f"{where}: {key} is not a hyperparameter of the rule")
        test, wording = checks[key]
        if not test(float(value)):
            raise ValueError(f"{where}: {key} must be {wording}, got {value}")
    for key, values in entry.sliders.items():
        if entry.defaults[key] not in values:
            raise ValueError(f"{where}: the default {key} = {entry.defaults[key]} is not among the slider's values")
    if any(v is not None and not isinstance(v, (int, float)) for v in entry.state):
        raise ValueError(f"{where}: a state slot starts as None (zeros) or a number")
    fields = {*entry.defaults, *LATEX_FIELDS}
    for row in entry.latex:
        template = string.Template(row)
        unknown = set(template.get_identifiers()) - fields
        if not template.is_valid() or unknown:
            raise ValueError(f"{where}: the LaTeX row {row!r} names {sorted(unknown) or 'a bad $ field'}; "
                             f"fields: {', '.join(sorted(fields))}")
    return entry


def _registry(*rules) -> dict:
    checked = [_checked(entry) for entry in rules]
    return {entry.name: entry for entry in checked}


MOMENTA = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)  # the page's slider values, shared by the rules that use them
RHOS = (0.0, 0.5, 0.9, 0.95, 0.99, 0.999)
BETA1S = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
BETA2S = (0.5, 0.9, 0.99, 0.999, 0.9999)
EPSILONS = (1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 0.1, 1.0)
_ADAM_MOMENTS = r"m \leftarrow $beta1\,m + (1 - $beta1)\,g,\quad v \leftarrow $beta2\,v + (1 - $beta2)\,g^2"

# torch.optim defaults (momentum 0.9 because μ = 0 would make momentum and nesterov plain SGD). first_lr:
# Deep Learning from Scratch ch. 6's rates for the four optimizers it races (DLFS_PRESET), 0.1 or 0.3 for
# the others.
RULES = _registry(
    Rule("sgd", _sgd, {"lr": 1e-3}, state=(), first_lr=0.95,
         latex=(r"\Delta\theta = -\eta\,g = $update",)),
    Rule("momentum", _momentum, {"lr": 1e-3, "momentum": 0.9}, state=(None,), first_lr=0.1,
         ranges={"momentum": NON_NEGATIVE}, sliders={"momentum": MOMENTA},
         latex=(r"b \leftarrow $momentum\,b + g = $first_moment",
                r"\Delta\theta = -\eta\,b = $update")),
    Rule("nesterov", _nesterov, {"lr": 1e-3, "momentum": 0.9}, state=(None,), first_lr=0.1,
         ranges={"momentum": NON_NEGATIVE}, sliders={"momentum": MOMENTA},
         latex=(r"b \leftarrow $momentum\,b + g = $first_moment",
                r"\theta - \eta\mu b = $lookahead",
                r"\Delta\theta = -\eta\,(g + $momentum\,b) = $update")),
    Rule("adagrad", _adagrad, {"lr": 1e-2, "eps": 1e-10}, state=(None,), first_lr=1.5,
         ranges={"eps": POSITIVE}, sliders={"eps": EPSILONS},
         latex=(r"s \leftarrow s + g^2,\quad \sqrt{s} + $eps = $scale",
                r"\Delta\theta = -\eta\,\frac{g}{\sqrt{s} + \varepsilon} = $update")),
    Rule("rmsprop", _rmsprop, {"lr": 1e-2, "rho": 0.99, "eps": 1e-8}, state=(None,), first_lr=0.1,
         ranges={"rho": UNIT, "eps": POSITIVE}, sliders={"rho": RHOS, "eps": EPSILONS},
         latex=(r"s \leftarrow $rho\,s + (1 - $rho)\,g^2,\quad \sqrt{s} + \varepsilon = $scale",
                r"\Delta\theta = -\eta\,\frac{g}{\sqrt{s} + \varepsilon} = $update")),
    # the folded form runs; the page shows the textbook form (adam_textbook), the same steps
    Rule("adam", _adam, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, state=(None, None), first_lr=0.3,
         ranges={"beta1": UNIT, "beta2": UNIT, "eps": POSITIVE},
         sliders={"beta1": BETA1S, "beta2": BETA2S, "eps": EPSILONS},
         latex=(_ADAM_MOMENTS,
                r"\hat m = \frac{m}{1 - \beta_1^t} = $first_moment,\quad \hat v = \frac{v}{1 - \beta_2^t},\quad "
                r"\sqrt{\hat v} + \varepsilon = $scale",
                r"\Delta\theta = -\eta\,\frac{\hat m}{\sqrt{\hat v} + \varepsilon} = $update")),
    Rule("nadam", _nadam, {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 4e-3},
         state=(None, None, 1.0), first_lr=0.3,
         ranges={"beta1": UNIT, "beta2": UNIT, "eps": POSITIVE, "momentum_decay": NON_NEGATIVE},
         sliders={"beta1": BETA1S, "beta2": BETA2S, "eps": EPSILONS},
         latex=(_ADAM_MOMENTS,
                r"m = $first_moment,\quad \sqrt{\hat v} + \varepsilon = $scale",
                r"\Delta\theta = -\eta\left(\frac{(1-\mu_t)\,g}{1-\prod_{i\le t}\mu_i} + "
                r"\frac{\mu_{t+1}\,m}{1-\prod_{i\le t+1}\mu_i}\right)\frac{1}{\sqrt{\hat v} + \varepsilon}"
                r" = $update")),
    Rule("adamax", _adamax, {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, state=(None, None),
         first_lr=0.3, ranges={"beta1": UNIT, "beta2": UNIT, "eps": POSITIVE},
         sliders={"beta1": BETA1S, "beta2": BETA2S, "eps": EPSILONS},
         latex=(r"m \leftarrow $beta1\,m + (1 - $beta1)\,g,\quad \hat m = $first_moment",
                r"u \leftarrow \max($beta2\,u,\ |g| + \varepsilon) = $scale",
                r"\Delta\theta = -\eta\,\frac{\hat m}{u} = $update")),
)
NAMES = tuple(RULES)
DEFAULTS = {name: {**entry.defaults, **_DECAY} for name, entry in RULES.items()}


def rule(name) -> Rule:
    """The registry entry of ``name``; unknown name -> ValueError listing the valid names."""
    return lookup(RULES, name, "optimizer")


def register(entry: Rule) -> Rule:
    """Add an optimizer at run time: it joins NAMES, DEFAULTS, make(), the 2-D runs and the page's menus.
    A name already taken or an inconsistent entry -> ValueError. Returns the checked entry."""
    global NAMES
    entry = _checked(entry)
    if entry.name in RULES:
        raise ValueError(f"optimizer {entry.name!r} is already registered (unregister it first)")
    RULES[entry.name] = entry
    DEFAULTS[entry.name] = {**entry.defaults, **_DECAY}
    NAMES = tuple(RULES)
    return entry


def unregister(name) -> Rule:
    """Remove an optimizer from the registry (e.g. one a test registered); returns its entry."""
    global NAMES
    entry = rule(name)
    del RULES[name], DEFAULTS[name]
    NAMES = tuple(RULES)
    return entry


# Deep Learning from Scratch ch. 6 (optimizer_compare_naive.py): bowl, start (-7, 2), 30 steps.
DLFS_PRESET = {
    "surface": "bowl", "start": (-7.0, 2.0), "steps": 30,
    "entries": [("sgd", {"lr": 0.95}), ("momentum", {"lr": 0.1, "momentum": 0.9}),
                ("adagrad", {"lr": 1.5}), ("adam", {"lr": 0.3, "beta1": 0.9, "beta2": 0.999})],
}


def _validated(name, hp: dict) -> dict:
    """DEFAULTS[name] updated by hp, checked; bad name/key/value -> ValueError."""
    merged = with_defaults(DEFAULTS, name, "optimizer", hp)
    for key, (test, wording) in _range_checks(RULES[name]).items():
        value = merged[key]
        value = float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)
        if not np.all(test(value)):
            raise ValueError(f"{name}: {key} must be {wording}, got {merged[key]}")
        merged[key] = value
    if not isinstance(merged["decoupled_weight_decay"], (bool, np.bool_)):
        raise ValueError(f"{name}: decoupled_weight_decay must be True or False")
    merged["decoupled_weight_decay"] = bool(merged["decoupled_weight_decay"])
    return merged


# ---------------------------------------------------------------- the network path
class Optimizer:
    """Updates a list of parameter arrays in place; the state is kept per list position.

    Hyperparameters may be floats or arrays broadcastable to the parameters (e.g. (K, 1) for K
    stacked variants of a (K, D) parameter).
    """

    def __init__(self, name: str, hp: dict):
        self.name = name
        self.hp = hp
        self._rule = RULES[name]
        self._rule_hp = tuple(hp[key] for key in self._rule.hp_names)
        self.t = 0
        self._state = None

    @property
    def lr(self):
        return self.hp["lr"]

    def set_lr(self, lr):
        """Set the learning rate (a schedule may reach 0, e.g. cosine with eta_min 0)."""
        value = float(lr) if np.ndim(lr) == 0 else np.asarray(lr, dtype=float)
        if not np.all(value >= 0):
            raise ValueError(f"learning rate must be >= 0, got {lr}")
        self.hp["lr"] = value

    def step(self, params, grads):
        """params, grads: lists of arrays, matching shapes. θ is updated in place."""
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameters but {len(grads)} gradients")
        for p, g in zip(params, grads):
            if np.shape(p) != np.shape(g):
                raise ValueError(f"parameter shape {np.shape(p)} != gradient shape {np.shape(g)}")
        if self._state is None:
            self._state = [self._rule.init(p) for p in params]
        elif len(self._state) != len(params):
            raise ValueError(f"optimizer state holds {len(self._state)} parameters, got {len(params)}")
        self.t += 1
        lr, wd = self.hp["lr"], self.hp["weight_decay"]
        coupled = decoupled = False
        if (wd != 0) if isinstance(wd, float) else np.any(wd):  # the common float case without a NumPy call
            decoupled = self.hp["decoupled_weight_decay"]
            coupled = not decoupled
        # One call per array; a network passes its single flat buffer (MLP.flat_params), so a step is one call.
        with np.errstate(all="ignore"):  # divergence shows up as NaN/inf; the caller reports it
            for i, (p, g) in enumerate(zip(params, grads)):
                if coupled:
                    g = g + wd * p  # L2 penalty ½λθ² folded into the gradient
                delta, self._state[i] = self._rule.update(g, self._state[i], self.t, lr, *self._rule_hp,
                                                          np.sqrt, np.maximum)
                if decoupled:
                    p *= 1.0 - lr * wd  # Loshchilov & Hutter 2019 (AdamW)
                p += delta

    def state_dict(self) -> dict:
        """Copies of t, hp and the per-position state."""
        state = None if self._state is None else [
            tuple(np.copy(s) for s in slot) for slot in self._state]
        return {"name": self.name, "t": self.t, "hp": dict(self.hp), "state": state}

    def load_state_dict(self, saved: dict):
        if saved["name"] != self.name:
            raise ValueError(f"state of {saved['name']!r} cannot load into {self.name!r}")
        self.t = int(saved["t"])
        self.hp = _validated(self.name, dict(saved["hp"]))
        self._rule_hp = tuple(self.hp[key] for key in self._rule.hp_names)
        self._state = None if saved["state"] is None else [
            tuple(np.copy(s) for s in slot) for slot in saved["state"]]

    def __repr__(self):
        return f"Optimizer({self.name!r}, {self.hp})"


def make(name, **hp) -> Optimizer:
    """Optimizer ``name`` with ``hp`` over DEFAULTS[name]; bad name/hp -> ValueError."""
    return Optimizer(name, _validated(name, hp))


get = make  # the registry convention: family.get(name, **hp)


# ---------------------------------------------------------------- the 2-D path
@dataclass
class Race:
    """K runs on one surface, T steps each.

    entries: [(name, full hp dict)] * K. surface: its name.
    paths: (K, T+1, 2) points, always finite: after a divergence the last finite point repeats
        (so animation frames hold still); paths[k, :valid_len[k]] are the real points.
    losses: (K, T+1) surface value at each point of ``paths``.
    diverged_at: Optional[int] * K, the step t (1..T) whose point was NaN/inf or beyond
        DIVERGENCE_LIMIT; None if the run stayed finite. valid_len: (K,) int, = diverged_at or T+1.
    """

    entries: list
    surface: str
    paths: np.ndarray
    losses: np.ndarray
    diverged_at: list
    valid_len: np.ndarray


def _lr_factors(schedule, steps):
    """(T,) list of multipliers of each run's lr; schedule(step) with step from 0."""
    if schedule is None:
        return [1.0] * steps
    factors = [float(schedule(step)) for step in range(steps)]
    if not all(f >= 0 and math.isfinite(f) for f in factors):
        raise ValueError("a schedule must give finite factors >= 0")
    return factors


def _noise(noise, seed, steps):
    """(T, 2) Gaussian gradient noise with std ``noise`` (minibatch-like), or None if noise is 0."""
    if not noise >= 0:
        raise ValueError(f"noise std must be >= 0, got {noise}")
    if noise == 0:
        return None
    return noise * np.random.default_rng(seed).standard_normal((steps, 2))


def _check_run(surface, start, steps):
    surf = _surfaces.get(surface)
    start = surf.default_start if start is None else start
    if not (float(steps) == int(steps) and steps >= 0):
        raise ValueError(f"steps must be a whole number >= 0, got {steps}")
    return surf, start, int(steps)


def _scalar_run(name, hp, surf, start, lrs, noise, explain_at=0):
    """One run with Python floats, both coordinates through the same rule.

    lrs: (T,) list of learning rates. noise: (T, 2) array or None.
    Returns (xs, ys, diverged_at, parts): the points up to the divergence (lists), the step of
    divergence or None, and at step ``explain_at`` the per-coordinate parts (else None).
    """
    entry = RULES[name]
    update, grad = entry.update, surf.grad
    rule_hp = tuple(hp[key] for key in entry.hp_names)
    wd = hp["weight_decay"]
    coupled_wd = bool(wd) and not hp["decoupled_weight_decay"]
    decoupled_wd = bool(wd) and hp["decoupled_weight_decay"]
    nx, ny = (None, None) if noise is None else (noise[:, 0].tolist(), noise[:, 1].tolist())
    sqrt, maximum, limit = math.sqrt, max, DIVERGENCE_LIMIT
    x, y = float(start[0]), float(start[1])
    sx, sy = entry.init(x), entry.init(y)
    xs, ys = [x], [y]
    px = py = None
    for t, lr in enumerate(lrs, 1):
        gx, gy = grad(x, y)
        if nx is not None:
            gx += nx[t - 1]
            gy += ny[t - 1]
        if coupled_wd:
            gx += wd * x
            gy += wd * y
        if t == explain_at:
            px, py = {"point": x, "gradient": gx}, {"point": y, "gradient": gy}
        dx, sx = update(gx, sx, t, lr, *rule_hp, sqrt, maximum, px)
        dy, sy = update(gy, sy, t, lr, *rule_hp, sqrt, maximum, py)
        if decoupled_wd:
            x *= 1.0 - lr * wd
            y *= 1.0 - lr * wd
        x += dx
        y += dy
        if not (-limit <= x <= limit and -limit <= y <= limit):  # also False for NaN
            return xs, ys, t, None
        xs.append(x)
        ys.append(y)
        if px is not None:
            return xs, ys, None, (px, py)
    return xs, ys, None, None


def _finish(entries, surf, paths, diverged_at):
    """Fill diverged tails with the last finite point, evaluate losses, build the Race."""
    steps = paths.shape[1] - 1
    valid_len = np.array([steps + 1 if d is None else d for d in diverged_at], dtype=int)
    for k, n in enumerate(valid_len):
        paths[k, n:] = paths[k, n - 1]
    losses = surf.value(paths[..., 0], paths[..., 1])
    return Race(entries, surf.name, paths, losses, list(diverged_at), valid_len)


def race(entries, surface="bowl", start=None, steps=100, schedule=None, noise=0.0, seed=0) -> Race:
    """Run each (name, hp) entry from the same start; see Race for the result.

    schedule: None or callable step -> factor; step t (from 1) uses lr · schedule(t − 1), e.g.
        ``schedules.get("cosine", T_max=steps)`` (its lr defaults to 1, a pure multiplier).
    noise, seed: every entry sees the same gradient noise draws (the same "minibatches").
    start: (x, y); None -> the surface's default_start.
    """
    if len(entries) == 0:
        raise ValueError("race needs at least one (name, hp) entry")
    surf, start, steps = _check_run(surface, start, steps)
    factors, draws = _lr_factors(schedule, steps), _noise(noise, seed, steps)
    checked = [(name, _validated(name, dict(hp or {}))) for name, hp in entries]
    for name, hp in checked:
        if any(np.ndim(v) for v in hp.values()):
            raise ValueError(f"race takes one number per hyperparameter ({name}); use sweep for K values")
    paths = np.empty((len(checked), steps + 1, 2))
    diverged_at = []
    for k, (name, hp) in enumerate(checked):
        lrs = [hp["lr"] * f for f in factors]
        xs, ys, diverged, _ = _scalar_run(name, hp, surf, start, lrs, draws)
        paths[k, :len(xs), 0] = xs
        paths[k, :len(xs), 1] = ys
        diverged_at.append(diverged)
    return _finish(checked, surf, paths, diverged_at)


def trajectory(name, surface="bowl", start=None, steps=100, schedule=None, noise=0.0, seed=0,
               **hp) -> np.ndarray:
    """(T+1, 2) points of one run (see race; after a divergence the last finite point repeats)."""
    return race([(name, hp)], surface, start, steps, schedule, noise, seed).paths[0]


def sweep(name, surface="bowl", start=None, steps=100, schedule=None, noise=0.0, seed=0,
          **hp) -> Race:
    """K variants of one optimizer in one vectorized pass through ``Optimizer.step``.

    Any hp may be a sequence of K values (the others are shared): they become (K, 1) arrays and
    the points a (K, 2) array. start: (2,) shared or (K, 2). Same result as K ``race`` entries.
    """
    surf, start, steps = _check_run(surface, start, steps)
    lengths = {len(v) for v in hp.values() if np.ndim(v) == 1}
    if len(lengths) > 1:
        raise ValueError(f"swept hyperparameters must have one length K, got {sorted(lengths)}")
    count = lengths.pop() if lengths else (len(start) if np.ndim(start) == 2 else 1)
    stacked = {key: np.asarray(v, dtype=float)[:, None] if np.ndim(v) == 1 else v
               for key, v in hp.items()}
    opt = make(name, **stacked)
    points = np.array(np.broadcast_to(np.asarray(start, dtype=float), (count, 2)))
    factors, draws = _lr_factors(schedule, steps), _noise(noise, seed, steps)
    full, base_lr = dict(opt.hp), opt.lr
    paths = np.empty((count, steps + 1, 2))
    paths[:, 0] = points
    with np.errstate(all="ignore"):  # diverging rows turn NaN; they are cut below
        for t in range(steps):
            gx, gy = surf.grad(points[:, 0], points[:, 1])
            grads = np.stack([gx, gy], axis=1)
            if draws is not None:
                grads += draws[t]
            opt.set_lr(base_lr * factors[t])
            opt.step([points], [grads])
            paths[:, t + 1] = points
    bad = ~(np.abs(paths) <= DIVERGENCE_LIMIT).all(axis=2)  # (K, T+1); NaN compares False
    diverged_at = [int(np.argmax(row)) if row.any() else None for row in bad]
    entries = [(name, {key: (float(v[k, 0]) if np.ndim(v) == 2 else v) for key, v in full.items()})
               for k in range(count)]
    return _finish(entries, surf, paths, diverged_at)


def explain_step(name, hp, surface="bowl", start=None, step=1, schedule=None, noise=0.0,
                 seed=0) -> dict:
    """The inside of update number ``step`` (1..T) of ``trajectory(name, surface, start, ...)``.

    Returns 2-vectors (ndarray (2,)), or None where the optimizer has no such term:
      point: θ before the step; gradient: g fed to the rule (with noise and coupled weight decay);
      first_moment: b (momentum, nesterov), m̂ (adam, adamax), m (nadam);
      scale: the per-coordinate denominator (√s + ε, √v̂ + ε, or u for adamax);
      lookahead: nesterov only, θ − lr·μ·b, where the momentum alone carries θ;
      update: next_point − point; next_point: θ after the step (equals the trajectory's point).
    A step after the run diverged -> ValueError (use Race.valid_len to stay below it).
    """
    surf, start, _ = _check_run(surface, start, 0)
    if not (float(step) == int(step) and step >= 1):
        raise ValueError(f"step counts from 1, got {step}")
    step = int(step)
    full = _validated(name, dict(hp or {}))
    lrs = [full["lr"] * f for f in _lr_factors(schedule, step)]
    xs, ys, diverged, parts = _scalar_run(name, full, surf, start, lrs, _noise(noise, seed, step),
                                          explain_at=step)
    if parts is None:
        raise ValueError(f"{name} diverged at step {diverged}, before step {step}")
    px, py = parts

    def pair(key):
        return np.array([px[key], py[key]]) if key in px else None

    point, after = np.array([xs[-2], ys[-2]]), np.array([xs[-1], ys[-1]])
    lookahead = pair("lookahead_step")
    return {"point": point, "gradient": pair("gradient"), "first_moment": pair("first_moment"),
            "scale": pair("scale"), "lookahead": None if lookahead is None else point + lookahead,
            "update": after - point, "next_point": after}


# ---------------------------------------------------------------- averaged iterates
def ema_path(path, decay: float) -> np.ndarray:
    """Exponential moving average of the iterates along the step axis.

    path: (..., T+1, 2). ema_0 = θ_0; ema_t = decay·ema_{t−1} + (1 − decay)·θ_t (starting at θ_0,
    so no bias correction is needed). Returns the same shape.
    """
    if not 0 <= decay < 1:
        raise ValueError(f"EMA decay must be in [0, 1), got {decay}")
    path = np.asarray(path, dtype=float)
    out = np.empty_like(path)
    out[..., 0, :] = path[..., 0, :]
    for t in range(1, path.shape[-2]):
        out[..., t, :] = decay * out[..., t - 1, :] + (1.0 - decay) * path[..., t, :]
    return out


def polyak_path(path) -> np.ndarray:
    """Running mean of the iterates (Polyak & Juditsky 1992): θ̄_t = (θ_0 + ... + θ_t) / (t + 1).
    path: (..., T+1, 2) -> same shape."""
    path = np.asarray(path, dtype=float)
    counts = np.arange(1, path.shape[-2] + 1, dtype=float)[:, None]
    return np.cumsum(path, axis=-2) / counts
