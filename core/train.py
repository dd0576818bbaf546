"""The training loop the pages drive in chunks, with per-layer diagnostics recorded as it goes.

    tr = Trainer(net, dataset, optimizer="adam", opt_kwargs={"lr": 1e-3}, batch_size=64, eval_every=10)
    tr.run(200)            # 200 more updates; run(a); run(b) is bit-identical to run(a + b)
    tr.history["test_acc"], tr.history["grad_norm"]   # (T,), (T, L)
    tr.diverged_at         # None, or the update whose loss/weights went NaN/inf (not recorded)

One update: mini-batch -> forward (train mode) -> loss + L1/L2 penalty -> backward ->
gradient clipping -> optimizer step on the trainable parameters -> max-norm.
Shapes: N samples, L dense layers (hidden + output), H hidden layers (L - 1), T recorded rows.
"""

import numpy as np

from core import losses, optim, regularization, schedules

_ELEMENTWISE = ("mse", "mae", "huber")  # losses that compare outputs with targets entry by entry


class Trainer:
    """Trains ``net`` (a ``core.nn.MLP``) on ``dataset`` (a ``core.data.Dataset``).

    loss: a name from ``losses.NAMES``. For classification with mse/mae/huber and C > 1 outputs
        the labels become one-hot targets; with bce the net has one output (a logit).
    optimizer, opt_kwargs: ``optim.make(optimizer, **opt_kwargs)``; weight_decay and
        decoupled_weight_decay (AdamW) live there. Frozen parameters (``net.freeze``, also
        between chunks) are not changed: the optimizer sees a zero gradient for them and their
        values are restored after its step (one optimizer over all parameters keeps a step cheap:
        it steps once on ``net.flat_params``, so its state has a single position, the flat buffer).
    batch_size: None for full-batch gradient descent, else mini-batches drawn without
        replacement from a reshuffled order each epoch (the last batch of an epoch may be smaller).
    schedule: None, a callable step -> lr, or (name, hp) for ``schedules.get``; a missing
        ``lr``/``max_lr`` is filled with the optimizer's lr. Step t (from 0) uses schedule(t).
    l1, l2: penalties λΣ|W| and ½λΣW² on the dense weights (not biases), added to loss and grads.
    max_norm: after each update, every unit's incoming weight vector is rescaled to norm <= c.
    clip_value, clip_norm: clip each gradient entry / the global gradient norm before the update.
    seed: the Generator of the mini-batch order. eval_every: a history row every this many updates.
        Per-layer statistics are computed only for the updates that record a row.
    max_steps: optional budget; ``done`` turns True when it is reached or the run diverged.
    """

    def __init__(self, net, dataset, loss="cross_entropy", optimizer="sgd", opt_kwargs=None,
                 batch_size=None, schedule=None, l1=0.0, l2=0.0, max_norm=None, clip_value=None,
                 clip_norm=None, seed=0, eval_every=1, max_steps=None):
        self.net, self.data = net, dataset
        self.loss_name = loss
        self.loss_fn = losses.get(loss)
        n = dataset.x_train.shape[0]
        if batch_size is not None and not (_is_int(batch_size) and 1 <= batch_size <= n):
            raise ValueError(f"batch_size must be None or an integer in [1, {n}], got {batch_size!r}")
        for name, value in (("l1", l1), ("l2", l2)):
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        for name, value in (("max_norm", max_norm), ("clip_value", clip_value), ("clip_norm", clip_norm)):
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be None or > 0, got {value}")
        if not (_is_int(eval_every) and eval_every >= 1):
            raise ValueError(f"eval_every must be an integer >= 1, got {eval_every!r}")
        if max_steps is not None and not (_is_int(max_steps) and max_steps >= 0):
            raise ValueError(f"max_steps must be None or an integer >= 0, got {max_steps!r}")
        out_width = net.sizes[-1]
        if dataset.task == "classification" and loss != "bce" and out_width != dataset.n_classes:
            raise ValueError(f"the net has {out_width} outputs but {dataset.name} has "
                             f"{dataset.n_classes} classes")
        self.batch_size, self.eval_every, self.max_steps = batch_size, eval_every, max_steps
        self.l1, self.l2, self.max_norm = l1, l2, max_norm
        self.clip_value, self.clip_norm = clip_value, clip_norm
        self.seed = seed

        opt_kwargs = dict(opt_kwargs or {})
        self.optimizer_name = optimizer
        self.optimizer = optim.make(optimizer, **opt_kwargs)
        self.base_lr = self.optimizer.lr
        self.schedule = _make_schedule(schedule, self.base_lr)

        self.x_train, self.x_test = dataset.x_train, dataset.x_test
        self.y_train = self._targets(dataset.y_train)
        self.y_test = self._targets(dataset.y_test)
        self.labels_train, self.labels_test = dataset.y_train, dataset.y_test

        self.rng = np.random.default_rng(seed)
        self._order, self._cursor = None, 0
        self.step, self.samples_seen = 0, 0
        self.diverged_at, self.message = None, ""
        self._rows = {key: [] for key in self._keys()}
        self._cache = None

    # ---- public state ----------------------------------------------------------------------

    @property
    def epoch(self) -> float:
        """Passes over the training set so far (samples seen / N)."""
        return self.samples_seen / self.x_train.shape[0]

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def done(self) -> bool:
        """True once the run diverged or reached ``max_steps``: ``run`` does nothing more."""
        return self.diverged or (self.max_steps is not None and self.step >= self.max_steps)

    @property
    def lr(self) -> float:
        """The learning rate of the next update."""
        return float(self.schedule(self.step)) if self.schedule is not None else float(self.base_lr)

    @property
    def history(self) -> dict:
        """Recorded rows as arrays: 1-D (T,) per scalar; grad_norm, update_ratio, weight_norm
        (T, L); dead_fraction (T, H). Row t is measured right after update ``step[t]``:

        lr, batch_loss (train-mode data loss + penalty on the update's batch), penalty,
        train_loss / test_loss (inference-mode data loss on the whole set after the update),
        train_acc / test_acc (classification only), grad_norm ‖dL/dW‖ (with the penalty, before
        clipping), update_ratio ‖ΔW‖ / ‖W‖ of this update, weight_norm ‖W‖ after it,
        dead_fraction: share of hidden units whose activation was 0 on every sample of the batch
        (dead ReLUs; 0 for other activations, whose output is not exactly 0 on a range).
        """
        if self._cache is None or self._cache[0] != len(self._rows["step"]):
            n_layers, n_hidden = len(self.net.weights), self.net.n_hidden
            widths = {"grad_norm": n_layers, "update_ratio": n_layers, "weight_norm": n_layers,
                      "dead_fraction": n_hidden}
            out = {}
            for key, rows in self._rows.items():
                if key in widths:
                    out[key] = np.array(rows, dtype=float).reshape(len(rows), widths[key])
                else:
                    out[key] = np.array(rows, dtype=int if key == "step" else float)
            self._cache = (len(self._rows["step"]), out)
        return self._cache[1]

    # ---- training --------------------------------------------------------------------------

    def run(self, n_steps):
        """Train ``n_steps`` more updates (fewer if the run diverges or hits max_steps); returns self."""
        if not (_is_int(n_steps) and n_steps >= 0):
            raise ValueError(f"n_steps must be an integer >= 0, got {n_steps!r}")
        # NaN/inf is a result here, not an error: no warning may leak (ARCHITECTURE.md)
        with np.errstate(all="ignore"):
            for _ in range(n_steps):
                if self.done:
                    break
                self._update()
        return self

    def _next_batch(self):
        """Indices of the next mini-batch (None: the whole training set)."""
        n = self.x_train.shape[0]
        if self.batch_size is None:
            return None
        if self._order is None or self._cursor >= n:
            self._order, self._cursor = self.rng.permutation(n), 0  # reshuffle every epoch
        idx = self._order[self._cursor:self._cursor + self.batch_size]
        self._cursor += idx.size
        return idx

    def _update(self):
        net = self.net
        index = self.step + 1  # the update being made, counted from 1
        record = index % self.eval_every == 0  # per-layer statistics are only needed for a row
        lr = self.lr
        idx = self._next_batch()
        xb = self.x_train if idx is None else self.x_train[idx]
        yb = self.y_train if idx is None else self.y_train[idx]

        out = net.forward(xb, train=True)
        loss, dout = self.loss_fn(out, yb)
        weights = net.weights
        penalty, pen_grads = 0.0, []
        for lam, fn in ((self.l1, regularization.l1_penalty), (self.l2, regularization.l2_penalty)):
            if lam > 0:
                value, extra = fn(weights, lam)
                penalty += value
                pen_grads.append(extra)
        batch_loss = loss + penalty
        if not np.isfinite(batch_loss):
            return self._diverge(index, f"the training loss became {batch_loss} at update {index}")
        # dead ReLUs in this forward pass: a >= 0, so "0 on every sample" is "column max is 0"
        dead = [float(np.mean(t.a.max(axis=0) == 0)) if act.name == "relu" else 0.0
                for t, act in zip(net.trace[:-1], net.activations)] if record else None

        net.backward(dout, need_dx=False)
        params, trainable = net.params, net.trainable
        w_pos = _positions(params, weights)
        frozen = [i for i, flag in enumerate(trainable) if not flag]
        # The optimizer updates every parameter in one call on the net's flat buffers. What it
        # steps on is the data gradient itself, or a copy when penalties, frozen blocks or
        # clipping change it (the layers' buffers stay the data gradient).
        step_grad, grads = net.flat_grads, net.grads
        if pen_grads or frozen or self.clip_value is not None or self.clip_norm is not None:
            step_grad = step_grad.copy()
            grads = net.unflatten(step_grad)
            for extra in pen_grads:
                for pos, g in zip(w_pos, extra):
                    grads[pos] += g
        grad_norm = [_norm(grads[pos]) for pos in w_pos] if record else None
        for i in frozen:
            grads[i][...] = 0  # a zero gradient: momentum still moves them, so they are restored below
        if self.clip_value is not None:
            np.clip(step_grad, -self.clip_value, self.clip_value, out=step_grad)
        if self.clip_norm is not None:
            clipped, _ = regularization.clip_by_global_norm(grads, self.clip_norm)
            for g, c in zip(grads, clipped):
                g[...] = c
        before = [W.copy() for W in weights] if record else None
        kept = [params[i].copy() for i in frozen]
        self.optimizer.set_lr(lr)
        self.optimizer.step([net.flat_params], [step_grad])
        for i, value in zip(frozen, kept):
            params[i][...] = value  # undo weight decay and momentum on frozen parameters
        if self.max_norm is not None:
            for pos, W in zip(w_pos, weights):
                if trainable[pos]:
                    regularization.max_norm_(W, self.max_norm)
        weight_norm = [_norm(W) for W in weights]
        if not np.all(np.isfinite(weight_norm)):
            return self._diverge(index, f"the weights became NaN/inf at update {index}")

        seen = self.samples_seen + xb.shape[0]
        if not record:
            self.step, self.samples_seen = index, seen
            return None
        update_ratio = [_norm(W - W0) / (w0 + 1e-12)  # +tiny: a zero-initialised layer stays finite
                        for W, W0, w0 in zip(weights, before, map(_norm, before))]
        row = {"step": index, "epoch": seen / self.x_train.shape[0], "lr": lr, "batch_loss": batch_loss,
               "penalty": penalty, "grad_norm": grad_norm, "update_ratio": update_ratio,
               "weight_norm": weight_norm, "dead_fraction": dead}
        row["train_loss"], acc_train = self.evaluate(self.x_train, self.labels_train)
        row["test_loss"], acc_test = self.evaluate(self.x_test, self.labels_test)
        if self.data.task == "classification":
            row["train_acc"], row["test_acc"] = acc_train, acc_test
        checked = row if len(self.x_test) else {k: v for k, v in row.items() if not k.startswith("test_")}
        if not all(np.all(np.isfinite(v)) for v in checked.values()):
            return self._diverge(index, f"the loss or a layer statistic became NaN/inf at update {index}")
        self.step, self.samples_seen = index, seen
        for key, value in row.items():
            self._rows[key].append(value)
        return None

    def _diverge(self, index, message):
        """Stop the run: ``index`` (= step + 1) is the failed update; it is not recorded or counted."""
        self.diverged_at = index
        self.message = message + "; training stopped (try a smaller learning rate or initial weights)."

    def release(self):
        """Drop the arrays the network's last pass kept for backward (``MLP.release``); training goes on as before."""
        self.net.release()

    # ---- inference -------------------------------------------------------------------------

    def predict_proba(self, x):
        """x (N, D) -> class probabilities (N, C) in inference mode (bce: (N, 2) from the logit)."""
        if self.data.task != "classification":
            raise ValueError("predict_proba needs a classification dataset")
        with np.errstate(all="ignore"):
            out = self.net.forward(x, train=False)
            self.net.release()  # an inference pass (a map's grid) leaves nothing behind in the network
            if self.loss_name == "bce":
                p = 1.0 / (1.0 + np.exp(-out[:, 0]))
                return np.stack([1.0 - p, p], axis=1)
            if self.loss_name == "cross_entropy":
                return losses.softmax(out)
        return out  # mse/mae/huber on one-hot targets: the raw scores

    def predict(self, x):
        """x (N, D) -> labels (N,) (classification) or predictions (N, 1) (regression)."""
        with np.errstate(all="ignore"):
            out = self.net.forward(x, train=False)
            self.net.release()
        return self._labels(out) if self.data.task == "classification" else out

    def evaluate(self, x, y):
        """Data loss and accuracy of ``x`` (N, D) against labels/targets ``y`` in inference mode.

        -> (loss, acc); acc is None for regression. No penalty is included. An empty set (no test points held
        out) has no loss or accuracy: (nan, nan), which the history keeps as gaps and the divergence check skips.
        """
        if len(x) == 0:
            return float("nan"), (float("nan") if self.data.task == "classification" else None)
        with np.errstate(all="ignore"):
            out = self.net.forward(x, train=False)
            self.net.release()
            value, _ = self.loss_fn(out, self._targets(y))
        if self.data.task != "classification":
            return float(value), None
        return float(value), float(np.mean(self._labels(out) == np.asarray(y)))

    def _labels(self, out):
        if out.shape[1] > 1:
            return np.argmax(out, axis=1)
        threshold = 0.0 if self.loss_name == "bce" else 0.5  # a logit vs a 0/1 score
        return (out[:, 0] > threshold).astype(int)

    def _targets(self, y):
        """Loss targets for labels y: one-hot (N, C) for elementwise losses on classes."""
        if (self.data.task == "classification" and self.loss_name in _ELEMENTWISE
                and self.net.sizes[-1] > 1):
            return np.eye(self.net.sizes[-1])[np.asarray(y)]
        return y

    def _keys(self):
        keys = ["step", "epoch", "lr", "batch_loss", "penalty", "train_loss", "test_loss",
                "grad_norm", "update_ratio", "weight_norm", "dead_fraction"]
        if self.data.task == "classification":
            keys += ["train_acc", "test_acc"]
        return keys


def fit(net, dataset, steps, **trainer_kwargs) -> Trainer:
    """Build a Trainer and run ``steps`` updates: ``fit(net, ds, 500, optimizer="adam")``."""
    return Trainer(net, dataset, **trainer_kwargs).run(steps)


# ---- helpers -------------------------------------------------------------------------------

def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _norm(a):
    """Frobenius norm; a dot of the flat array is the cheapest way NumPy offers."""
    flat = a.ravel()
    return float(np.sqrt(flat @ flat))


def _positions(params, weights):
    """Index in ``params`` of each dense W (matched by identity: layers update in place)."""
    ids = {id(p): i for i, p in enumerate(params)}
    return [ids[id(W)] for W in weights]


def _make_schedule(schedule, base_lr):
    """None, a callable, or (name, hp) -> a callable step -> lr (or None)."""
    if schedule is None or callable(schedule):
        return schedule
    try:
        name, hp = schedule
    except (TypeError, ValueError):
        raise ValueError(f"schedule must be None, a callable or (name, hp), got {schedule!r}") from None
    hp = dict(hp or {})
    defaults = schedules.DEFAULTS.get(name, {})
    for key in ("lr", "max_lr"):  # the schedule runs at the optimizer's own rate unless told
        if key in defaults and key not in hp:
            hp[key] = base_lr
    return schedules.get(name, **hp)
