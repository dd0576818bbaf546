"""The loss-landscape page as a notebook: train a small network, then the loss on a 2-D slice of parameter space
around the weights it found, with the training path drawn on it (Li et al. 2018)."""
from __future__ import annotations

from notebooks._base import chart_words, fields

FUNCTION = "Exploration"  # the lab function the first cell points to


# the settings cell: these settings of the page, as lab/landscape.py SETTINGS declares them
FIELDS = fields("landscape", "data", "width", "depth", "act", "opt", "lr", "steps", "batch", "wd", "dirs", "grid", "span",
                "seed")

IMPORTS = """
import numpy as np

from core import data, losses, nn, optim  # the engine: data, network, loss and optimizer of the loop below
from figures import landscape as charts   # the page's own chart builders (figures/landscape.py)
from lab import landscape as lesson       # this page's experiments (lab/landscape.py), built on the engine in core/
"""


def loop(v) -> str:
    return """
# the run's random streams, split from `seed` as lesson.Exploration splits them: the data, the initial weights,
# the mini-batches (the fourth draws the plane's directions)
data_seq, net_seq, batch_seq, _ = np.random.SeedSequence(seed).spawn(4)
ds = data.get(dataset, n=lesson.N_SAMPLES, seed=int(data_seq.generate_state(1)[0]))
net = nn.MLP([ds.n_features, *settings.hidden, ds.n_classes], activation=activation,
             seed=int(net_seq.generate_state(1)[0]))
opt = optim.make(optimizer, lr=lr, weight_decay=weight_decay)
loss_fn = losses.get("cross_entropy")
x, y, n = ds.x_train, ds.y_train, ds.n_train
size = None if settings.batch_size is None else min(settings.batch_size, n)  # None: the whole set every update
shuffle = np.random.default_rng(int(batch_seq.generate_state(1)[0]))
order, cursor = None, n

for t in range(steps):
    idx = slice(None)
    if size is not None:
        if cursor >= n:  # a new epoch: a new shuffle
            order, cursor = shuffle.permutation(n), 0
        idx = order[cursor:cursor + size]
        cursor += len(idx)
    out = net.forward(x[idx], train=True)   # forward
    loss, dout = loss_fn(out, y[idx])       # the batch's loss and its gradient at the outputs
    net.backward(dout)                      # backward: the gradient of every parameter
    opt.step(net.params, net.grads)         # the update, in place

# θ*: the weights the slice is centred on; its loss and accuracy on the training set, as the page shows them
out = net.forward(x)
loss, accuracy = loss_fn(out, y)[0], np.mean(np.argmax(out, axis=1) == y)
print(f"after {steps} updates: loss {loss:.6g}, accuracy {accuracy:.1%}")
if res.diverged_at is None:
    same = np.isclose(loss, res.center_loss, rtol=1e-9, atol=0) and accuracy == res.train_acc
    print("the page's θ*:", same)
    assert same, "the loop above no longer repeats the page's training"
"""

EXPERIMENT = """
settings = lesson.Settings(dataset=dataset, width=width, depth=depth, activation=activation, optimizer=optimizer,
                           lr=lr, steps=steps, batch=batch, weight_decay=weight_decay, directions=directions,
                           grid=grid, span=span, seed=seed)
# the page's run: train for `steps` updates, then f(α, β) = L(θ* + α·δ + β·η) row by row; finish() runs it to the end
exploration = lesson.Exploration(settings, compare=False)  # compare: the page's weight-decay cuts, not drawn here
res = exploration.finish()
if res.diverged_at:
    print("the run diverged at update", res.diverged_at)
"""

NUMBERS = """
numbers = {
    "center_loss": res.center_loss,  # the training loss at θ*, the trained weights
    "train_acc": res.train_acc,
    "captured": res.captured,        # the share of the start-to-θ* distance the plane sees
    "n_params": res.n_params,
    "span": res.span,                # the half-width of the grid (with "pca" it grows to hold the whole path)
}
"""


def charts(v) -> tuple:
    return ("contour",)


def chart(text, v) -> str:
    words = chart_words(text, "landscape", {
        "loss": "loss", "start": "start", "end": "end", "path": "path", "step": "common.step_axis"})
    axes = chart_words(text, "landscape", {"x": "axis_delta", "y": "axis_eta", "pc": "axis_pc"}, name="axes")
    return f"""
view = lesson.snapshot(exploration)  # what the page draws at the run's last frame
{words}
{axes}
if directions == "pca" and view.has_slice:  # the axes: the path's two principal directions and their share
    labels["x"], labels["y"] = (axes["pc"].format(k=k, share=f"{{view.explained[k - 1]:.0%}}") for k in (1, 2))
else:
    labels["x"], labels["y"] = axes["x"], axes["y"]
fig = charts.contour(view, labels)
fig.show()
"""
