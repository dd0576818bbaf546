"""The multilayer perceptron every page trains, with a per-layer trace the pages plot.

    model = MLP([2, 64, 64, 3], activation="relu", init="he_normal", batchnorm=True, dropout=0.2, seed=0)
    out = model.forward(x, train=True)         # x (N, 2) -> logits (N, 3)
    value, dout = losses.get("cross_entropy")(out, y)
    dx = model.backward(dout)                  # fills model.grads (aligned with model.params)
    model.trace[0].z, model.trace[0].grad_W    # what happened inside hidden layer 0
    opt.step([model.flat_params], [model.flat_grads])   # every parameter in one optimizer call

Parameters and gradients live in two flat buffers, ``flat_params`` and ``flat_grads`` (P,):
every entry of ``params``/``grads`` (and ``Dense.W``, ``BatchNorm.gamma``, ...) is a view into
them, in ``params`` order. Elementwise optimizers then run once over P numbers instead of once per
array; ``copy``, ``copy.deepcopy``, pickling and ``load_state_dict`` keep this layout.

Hidden block i, in order: ``dense{i}`` -> [``bn{i}``] -> ``act{i}`` -> [``drop{i}``] with
``bn_position="before"`` (cs231n; Ioffe & Szegedy 2015), or ``dense{i}`` -> ``act{i}`` -> [``bn{i}``]
-> [``drop{i}``] with ``bn_position="after"``. The last layer ``dense{n_hidden}`` is linear (logits).
"""
import copy
from dataclasses import dataclass, field

import numpy as np

from .layers import ActivationLayer, BatchNorm, Dense, Dropout


@dataclass
class LayerTrace:
    """What one dense layer's block saw in the last forward/backward pass (N samples, H units).

    z: (N, H) input of the activation function (after BN when ``bn_position="before"``).
    a: (N, H) output of the activation function.
    out: (N, H) what the next layer receives (after BN when ``"after"``, after dropout).
    grad_a, grad_z: (N, H) dL/da and dL/dz, filled by ``backward``.
    grad_W: (H_prev, H) dL/dW of this block's dense layer, after ``backward`` (else None).
    For the output layer z = a = out = logits and grad_a = grad_z = dout.
    """

    z: np.ndarray
    a: np.ndarray
    out: np.ndarray
    grad_a: np.ndarray | None = None
    grad_z: np.ndarray | None = None
    # the dense layer's input (N, H_prev) and dL/d(its output) (N, H): grad_W is their product, formed only
    # when someone reads it (a training step never does; copying every dW each step cost ~2 % of it)
    x_in: np.ndarray | None = field(default=None, repr=False)
    grad_out: np.ndarray | None = field(default=None, repr=False)
    _grad_W: np.ndarray | None = field(default=None, repr=False)

    @property
    def grad_W(self) -> np.ndarray | None:
        if self._grad_W is None and self.grad_out is not None:
            self._grad_W = self.x_in.T @ self.grad_out  # the product Dense.backward computed: same numbers
        return self._grad_W


@dataclass
class _Block:
    dense: Dense
    act: ActivationLayer | None = None
    bn: BatchNorm | None = None
    drop: Dropout | None = None


def _per_layer(value, n, what):
    """A scalar/name repeated n times, or a list that must have exactly n entries."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{what}: expected {n} entries (one per layer), got {len(value)}")
        return list(value)
    return [value] * n


class MLP:
    """Fully connected network sizes = [D_in, H_1, ..., H_L, C].

    activation: a name from ``activations.NAMES`` or a list, one per hidden layer.
    init: an initializer name, a float std, or a list, one per dense layer (L + 1).
    batchnorm / bn_position ("before" | "after") / bn_momentum: batch norm in every hidden block.
    dropout: a rate in [0, 1) or a list, one per hidden layer, applied after the activation.
    activation_kwargs: hyperparameters for the activations (a dict, or a list of dicts per hidden layer).
    seed: initial weights and ``self.rng`` (dropout masks, rrelu slopes) come from two independent
    streams spawned from it, so changing dropout never changes the initial weights.
    """

    def __init__(self, sizes, activation="relu", init="he_normal", batchnorm=False, bn_position="before",
                 dropout=0.0, bias=True, seed=0, dtype=np.float64, activation_kwargs=None, bn_momentum=0.1):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least input and output sizes, all >= 1, got {sizes}")
        if bn_position not in ("before", "after"):
            raise ValueError(f"unknown bn_position {bn_position!r}; valid: before, after")
        self.sizes, self.dtype = sizes, np.dtype(dtype)
        self.n_hidden = len(sizes) - 2
        self.batchnorm, self.bn_position = batchnorm, bn_position
        acts = _per_layer(activation, self.n_hidden, "activation")
        inits = _per_layer(init, self.n_hidden + 1, "init")
        rates = _per_layer(dropout, self.n_hidden, "dropout")
        kwargs = _per_layer(activation_kwargs or {}, self.n_hidden, "activation_kwargs")
        init_seq, run_seq = np.random.SeedSequence(seed).spawn(2)
        init_rng = np.random.default_rng(init_seq)
        self.rng = np.random.default_rng(run_seq)

        self.blocks = []
        for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            block = _Block(Dense(d_in, d_out, inits[i], bias, init_rng, self.dtype))
            if i < self.n_hidden:
                block.act = ActivationLayer(acts[i], d_out, self.dtype, **kwargs[i])
                if batchnorm:
                    block.bn = BatchNorm(d_out, bn_momentum, dtype=self.dtype)
                if rates[i] != 0:
                    block.drop = Dropout(rates[i])
            self.blocks.append(block)
        self._frozen = set()
        self.trace = []
        self._flatten()

    # ---- structure -------------------------------------------------------------------------

    def _named_layers(self):
        """(name, layer, block index) in forward order."""
        for i, b in enumerate(self.blocks):
            order = [("dense", b.dense), ("bn", b.bn), ("act", b.act)]
            if self.bn_position == "after":
                order = [("dense", b.dense), ("act", b.act), ("bn", b.bn)]
            for kind, layer in order + [("drop", b.drop)]:
                if layer is not None:
                    yield f"{kind}{i}", layer, i

    def _flatten(self):
        """Move every parameter and gradient into views of two new flat buffers (values kept)."""
        layers = [(layer, i) for _, layer, i in self._named_layers()]
        sizes = [p.size for layer, _ in layers for p in layer.params]
        self.flat_params = np.empty(sum(sizes), dtype=self.dtype)
        self.flat_grads = np.empty(sum(sizes), dtype=self.dtype)
        self._params, self._grads, self._param_blocks = [], [], []
        start = 0
        for layer, i in layers:
            new_p, new_g = [], []
            for p, g in zip(layer.params, layer.grads):
                view_p = self.flat_params[start:start + p.size].reshape(p.shape)
                view_g = self.flat_grads[start:start + p.size].reshape(p.shape)
                np.copyto(view_p, p, casting="same_kind")
                np.copyto(view_g, g, casting="same_kind")
                new_p.append(view_p)
                new_g.append(view_g)
                start += p.size
            layer._rebind(new_p, new_g)
            self._params += new_p
            self._grads += new_g
            self._param_blocks += [i] * len(new_p)

    def unflatten(self, flat):
        """flat: (P,) array laid out like ``flat_params`` -> views of it shaped like ``params``."""
        if np.shape(flat) != self.flat_params.shape:
            raise ValueError(f"expected a flat array of shape {self.flat_params.shape}, got {np.shape(flat)}")
        views, start = [], 0
        for p in self._params:
            views.append(flat[start:start + p.size].reshape(p.shape))
            start += p.size
        return views

    def __getstate__(self):
        state = dict(self.__dict__)
        for key in ("flat_params", "flat_grads", "_params", "_grads", "_param_blocks"):
            state.pop(key, None)  # rebuilt from the layers' arrays by __setstate__
        return state

    def __setstate__(self, state):
        """copy.deepcopy and pickle copy each view on its own: gather them into new flat buffers."""
        self.__dict__.update(state)
        self._flatten()

    @property
    def params(self):
        """All learned arrays, aligned with ``grads``/``param_names``/``trainable``; update them in place.
        Each is a view into ``flat_params``."""
        return list(self._params)

    @property
    def grads(self):
        """dL/dparam for each entry of ``params``, written in place by ``backward`` (views into
        ``flat_grads``)."""
        return list(self._grads)

    @property
    def param_names(self):
        """E.g. "dense0.W", "dense0.b", "bn0.gamma", "bn0.beta", "act0.alpha"."""
        return [f"{name}.{p}" for name, layer, _ in self._named_layers() for p in layer.param_names]

    @property
    def trainable(self):
        """False for parameters of frozen blocks: the optimizer/training loop must skip them."""
        return [i not in self._frozen for i in self._param_blocks]

    @property
    def weights(self):
        """The dense W matrices only, (H_prev, H) each, for L1/L2 penalties and max-norm."""
        return [b.dense.W for b in self.blocks]

    @property
    def activations(self):
        """The activation objects of the hidden layers (``core.activations``)."""
        return [b.act.activation for b in self.blocks[:-1]]

    def freeze(self, dense_layer_indices):
        """Freeze whole blocks (dense + its BN + prelu slopes) by dense-layer index; negatives count
        from the output layer. Gradients are still computed (the trace stays complete) and batch-norm
        running statistics still update in training mode, as in PyTorch."""
        idx = [dense_layer_indices] if np.isscalar(dense_layer_indices) else list(dense_layer_indices)
        n = len(self.blocks)
        for i in idx:
            if not -n <= i < n:
                raise ValueError(f"dense layer index {i} out of range for {n} dense layers")
            self._frozen.add(i % n)

    def unfreeze(self, dense_layer_indices=None):
        """Unfreeze the given blocks, or all of them (the default)."""
        if dense_layer_indices is None:
            self._frozen.clear()
            return
        idx = [dense_layer_indices] if np.isscalar(dense_layer_indices) else list(dense_layer_indices)
        self._frozen.difference_update(i % len(self.blocks) for i in idx)

    # ---- forward / backward ----------------------------------------------------------------

    def forward(self, x, train=False, rng=None):
        """x: (N, D_in) -> logits (N, C). ``train`` switches dropout, batch statistics and rrelu's
        random slopes; these draw from ``rng`` (default ``self.rng``). Rewrites ``self.trace``."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(f"MLP expects x of shape (N, {self.sizes[0]}), got {x.shape}")
        rng = self.rng if rng is None else rng
        self.trace = []
        h = x
        for b in self.blocks[:-1]:
            z = b.dense.forward(h, train)
            if b.bn is not None and self.bn_position == "before":
                z = b.bn.forward(z, train)
            a = b.act.forward(z, train, rng)
            h = a
            if b.bn is not None and self.bn_position == "after":
                h = b.bn.forward(h, train)
            if b.drop is not None:
                h = b.drop.forward(h, train, rng)
            self.trace.append(LayerTrace(z=z, a=a, out=h))
        logits = self.blocks[-1].dense.forward(h, train)
        self.trace.append(LayerTrace(z=logits, a=logits, out=logits))
        return logits

    def release(self):
        """Drop what the last forward pass kept for backward: the trace and every layer's cached arrays.

        An inference pass over a large input (a decision map's grid of points) would otherwise hold arrays of
        that size for as long as the network lives. The next forward pass works as before."""
        self.trace = []
        for block in self.blocks:
            for layer in (block.dense, block.bn, block.act, block.drop):
                if layer is not None:
                    layer.release()

    def backward(self, dout, need_dx=True):
        """dout: dL/dlogits (N, C) -> dx (N, D_in). Fills ``grads`` and the trace's grad_* fields.

        need_dx=False returns None and skips the first layer's input gradient (a training loop
        never uses it). ``trace[i].grad_W`` is a copy: it keeps this pass's value after later passes.
        """
        if not self.trace:
            raise RuntimeError("backward called before forward")
        dout = np.asarray(dout, dtype=self.dtype)
        if dout.shape != self.trace[-1].z.shape:
            raise ValueError(f"dout shape {dout.shape} does not match the output shape {self.trace[-1].z.shape}")
        last = self.trace[-1]
        last.grad_a = last.grad_z = dout
        last.x_in, last.grad_out = self.blocks[-1].dense.x, dout
        g = self.blocks[-1].dense.backward(dout, need_dx or self.n_hidden > 0)
        for i in reversed(range(self.n_hidden)):
            b, t = self.blocks[i], self.trace[i]
            if b.drop is not None:
                g = b.drop.backward(g)
            if b.bn is not None and self.bn_position == "after":
                g = b.bn.backward(g)
            t.grad_a = g
            g = t.grad_z = b.act.backward(g)
            if b.bn is not None and self.bn_position == "before":
                g = b.bn.backward(g)
            t.x_in, t.grad_out = b.dense.x, g
            g = b.dense.backward(g, need_dx or i > 0)
        return g

    # ---- state ---------------------------------------------------------------------------------

    def state_dict(self):
        """Copies of every parameter and the batch-norm running statistics, by name."""
        state = {}
        for name, layer, _ in self._named_layers():
            for pname, p in zip(layer.param_names, layer.params):
                state[f"{name}.{pname}"] = p.copy()
            if isinstance(layer, BatchNorm):
                state[f"{name}.running_mean"] = layer.running_mean.copy()
                state[f"{name}.running_var"] = layer.running_var.copy()
        return state

    def load_state_dict(self, state):
        """Copy arrays from ``state`` into the model in place; keys and shapes must match exactly."""
        own = self._state_arrays()
        missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
        if missing or unexpected:
            raise ValueError(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
        for key, dest in own.items():
            src = np.asarray(state[key])
            if src.shape != dest.shape:
                raise ValueError(f"state dict {key!r}: expected shape {dest.shape}, got {src.shape}")
        for key, dest in own.items():  # checked everything first, so a bad dict changes nothing
            np.copyto(dest, state[key], casting="same_kind")

    def _state_arrays(self):
        own = {}
        for name, layer, _ in self._named_layers():
            for pname, p in zip(layer.param_names, layer.params):
                own[f"{name}.{pname}"] = p
            if isinstance(layer, BatchNorm):
                own[f"{name}.running_mean"] = layer.running_mean
                own[f"{name}.running_var"] = layer.running_var
        return own

    def copy(self):
        """An independent deep copy (parameters, running stats, rng state, frozen blocks), with its
        own flat buffers."""
        return copy.deepcopy(self)

    # ---- diagnostics ----------------------------------------------------------------------------

    def dead_unit_fraction(self, x):
        """x: (N, D_in) -> (n_hidden,): per hidden layer, the fraction of units whose activation is 0
        on every sample (dead ReLUs). Runs an inference forward pass, so it rewrites ``trace``."""
        self.forward(x, train=False)
        return np.array([np.mean(np.all(t.a == 0, axis=0)) for t in self.trace[:-1]])

    def __repr__(self):
        names = [a.name for a in self.activations]
        return (f"MLP(sizes={self.sizes}, activation={names}, batchnorm={self.batchnorm}, "
                f"bn_position={self.bn_position!r}, dtype={self.dtype})")

