"""The MLP: whole-network gradient checks, the trace, state, freezing, errors, and the cs231n
activation-statistics reference experiment run through the engine."""
import numpy as np
import pytest

from core import activations, losses
from core.gradcheck import numerical_gradient, rel_error
from core.nn import MLP

H = 1e-5  # see tests/test_layers.py


def gradcheck_mlp(model, seed=0, n=8):
    """Max relative error over every parameter and the input, for L = Σ model(x) · D, D random.

    A random upstream gradient D gives every sample an O(1) gradient (a confident softmax would give
    some samples ~1e-6, where round-off dominates); the losses' own gradients are checked in
    test_losses.py. Every training forward uses a fresh Generator with the same seed, so dropout
    masks and rrelu slopes are fixed. Asserts first that no pre-activation is within 1e-3 of a kink."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, model.sizes[0]))
    D = rng.standard_normal((n, model.sizes[-1]))

    def loss(_):
        return np.sum(model.forward(x, train=True, rng=np.random.default_rng(5)) * D)

    loss(None)
    dx = model.backward(D)
    assert min(np.abs(t.z).min() for t in model.trace[:-1]) > 1e-3  # the finite difference stays on one side
    errors = {name: rel_error(numerical_gradient(loss, p, h=H), g)
              for name, p, g in zip(model.param_names, model.params, model.grads)}
    errors["x"] = rel_error(numerical_gradient(loss, x, h=H), dx)
    return errors


def test_mlp_gradients_through_cross_entropy():
    """The network and the fused softmax cross-entropy together, checked on the parameters."""
    model = MLP([4, 6, 5, 3], activation="tanh", batchnorm=True, bias=False, seed=3)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    ce = losses.get("cross_entropy")
    _, dout = ce(model.forward(x, train=True), y)
    model.backward(dout)
    for p, g in zip(model.params, model.grads):
        num = numerical_gradient(lambda _: ce(model.forward(x, train=True), y)[0], p, h=H)
        assert rel_error(num, g) <= 1e-7


@pytest.mark.parametrize("kwargs", [
    dict(activation="relu"),
    dict(activation="tanh", init="xavier_normal"),
    dict(activation="relu", batchnorm=True, bias=False),  # a bias before BN has exactly zero gradient
    dict(activation="tanh", batchnorm=True, bn_position="after"),
    dict(activation="prelu"),
    dict(activation="prelu", batchnorm=True, bias=False),
    dict(activation=["rrelu", "elu"], dropout=[0.3, 0.2]),
    dict(activation=["gelu", "swish"], init=["lecun_normal", 0.5, "xavier_uniform"]),
])
def test_mlp_gradients_match_finite_differences(kwargs):
    model = MLP([4, 6, 5, 3], seed=1, **kwargs)
    errors = gradcheck_mlp(model)
    assert max(errors.values()) <= 1e-7, errors


def test_param_names_are_aligned_and_ordered():
    model = MLP([3, 4, 2], activation="prelu", batchnorm=True)
    assert model.param_names == ["dense0.W", "dense0.b", "bn0.gamma", "bn0.beta", "act0.alpha",
                                 "dense1.W", "dense1.b"]
    assert [p.shape for p in model.params] == [(3, 4), (4,), (4,), (4,), (4,), (4, 2), (2,)]
    assert [g.shape for g in model.grads] == [p.shape for p in model.params]
    after = MLP([3, 4, 2], batchnorm=True, bn_position="after", bias=False)
    assert after.param_names == ["dense0.W", "bn0.gamma", "bn0.beta", "dense1.W"]
    assert model.n_hidden == 1 and [w.shape for w in model.weights] == [(3, 4), (4, 2)]


def test_trace_records_each_layer():
    model = MLP([5, 7, 6, 3], activation="tanh", seed=2)
    x = np.random.default_rng(0).standard_normal((10, 5))
    out = model.forward(x)
    model.backward(np.ones_like(out))
    assert len(model.trace) == 3
    for t, (d_in, d_out) in zip(model.trace, [(5, 7), (7, 6), (6, 3)]):
        assert t.z.shape == t.a.shape == t.grad_a.shape == t.grad_z.shape == (10, d_out)
        assert t.grad_W.shape == (d_in, d_out)
    hidden = model.trace[0]
    np.testing.assert_allclose(hidden.z, x @ model.weights[0] + model.params[1])
    np.testing.assert_allclose(hidden.a, np.tanh(hidden.z))
    np.testing.assert_allclose(hidden.grad_z, hidden.grad_a * (1 - hidden.a**2))
    np.testing.assert_allclose(hidden.grad_W, x.T @ hidden.grad_z)
    last = model.trace[-1]
    assert last.z is last.a and np.array_equal(last.z, out)
    np.testing.assert_array_equal(last.grad_z, np.ones_like(out))
    grad_w0 = hidden.grad_W.copy()
    model.forward(2 * x)
    model.backward(np.ones_like(out))
    assert not np.allclose(model.trace[0].grad_W, grad_w0)
    np.testing.assert_array_equal(hidden.grad_W, grad_w0)  # a kept record is a copy, not the reused grad array


def test_same_seed_bit_identical_and_dropout_changes_nothing_at_init():
    x = np.random.default_rng(0).standard_normal((16, 4))
    a = MLP([4, 8, 8, 2], activation="rrelu", dropout=0.3, batchnorm=True, seed=7)
    b = MLP([4, 8, 8, 2], activation="rrelu", dropout=0.3, batchnorm=True, seed=7)
    for _ in range(2):
        np.testing.assert_array_equal(a.forward(x, train=True), b.forward(x, train=True))
    assert not np.array_equal(a.forward(x, train=True), MLP([4, 8, 8, 2], activation="rrelu", dropout=0.3,
                                                             batchnorm=True, seed=8).forward(x, train=True))
    # weights and the dropout stream come from separate streams: dropout does not move the initial weights
    c = MLP([4, 8, 8, 2], seed=7)
    for w1, w2 in zip(a.weights, c.weights):
        np.testing.assert_array_equal(w1, w2)
    # two training passes draw different masks; inference is deterministic
    assert not np.array_equal(a.forward(x, train=True), a.forward(x, train=True))
    np.testing.assert_array_equal(a.forward(x), a.forward(x))


def test_float32_model():
    model = MLP([3, 5, 2], dtype=np.float32, batchnorm=True)
    out = model.forward(np.ones((4, 3)))
    assert out.dtype == np.float32 and all(p.dtype == np.float32 for p in model.params)


def test_unknown_names_raise_listing_valid_names():
    with pytest.raises(ValueError, match=r"unknown activation 'rleu'; valid: .*relu"):
        MLP([2, 3, 1], activation="rleu")
    with pytest.raises(ValueError, match=r"unknown initializer 'he'; valid: .*he_normal"):
        MLP([2, 3, 1], init="he")
    with pytest.raises(ValueError, match="bn_position"):
        MLP([2, 3, 1], bn_position="middle")


def test_bad_shapes_and_settings_raise():
    model = MLP([4, 3, 2])
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        model.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        model.forward(np.zeros(4))
    model.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="dout shape"):
        model.backward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="one per layer"):
        MLP([4, 3, 3, 2], activation=["relu"])
    with pytest.raises(ValueError, match="one per layer"):
        MLP([4, 3, 2], init=["he_normal"])
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        MLP([4, 3, 2], dropout=1.0)
    with pytest.raises(ValueError):
        MLP([4])


def test_freeze_marks_blocks_and_keeps_gradients():
    model = MLP([3, 4, 4, 2], activation="prelu", batchnorm=True)
    model.freeze([0, -1])
    frozen = [n for n, t in zip(model.param_names, model.trainable) if not t]
    assert frozen == ["dense0.W", "dense0.b", "bn0.gamma", "bn0.beta", "act0.alpha", "dense2.W", "dense2.b"]
    out = model.forward(np.random.default_rng(0).standard_normal((6, 3)), train=True)
    model.backward(np.ones_like(out))
    assert np.abs(model.grads[0]).sum() > 0 and model.trace[0].grad_W is not None
    model.unfreeze(0)
    assert model.trainable[0] and not model.trainable[-1]
    model.unfreeze()
    assert all(model.trainable)
    with pytest.raises(ValueError, match="out of range"):
        model.freeze(3)


def test_state_dict_round_trip_and_validation():
    x = np.random.default_rng(0).standard_normal((8, 3))
    a = MLP([3, 5, 2], batchnorm=True, activation="prelu", seed=0)
    a.forward(x, train=True)  # moves the running statistics away from their initial values
    state = a.state_dict()
    assert {"bn0.running_mean", "bn0.running_var", "act0.alpha"} <= set(state)
    b = MLP([3, 5, 2], batchnorm=True, activation="prelu", seed=1)
    params_before = b.params
    b.load_state_dict(state)
    np.testing.assert_array_equal(a.forward(x), b.forward(x))
    assert all(p is q for p, q in zip(params_before, b.params))  # loaded in place
    state["dense0.W"] += 1  # the dict holds copies
    assert not np.array_equal(state["dense0.W"], a.weights[0])
    bad = dict(state, **{"dense0.W": np.zeros((4, 5))})
    snapshot = b.state_dict()
    with pytest.raises(ValueError, match="dense0.W"):
        b.load_state_dict(bad)
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v, snapshot[k])  # a rejected dict changes nothing
    missing = {k: v for k, v in state.items() if k != "bn0.running_var"}
    with pytest.raises(ValueError, match="missing"):
        b.load_state_dict(missing)


def test_copy_is_independent():
    a = MLP([3, 4, 2], seed=0)
    b = a.copy()
    b.weights[0][...] = 0
    assert np.abs(a.weights[0]).sum() > 0
    x = np.ones((2, 3))
    np.testing.assert_array_equal(a.copy().forward(x), a.forward(x))


def test_batchnorm_running_stats_only_move_in_training():
    model = MLP([3, 4, 2], batchnorm=True)
    x = np.random.default_rng(0).standard_normal((10, 3)) + 5
    model.forward(x)
    np.testing.assert_array_equal(model.state_dict()["bn0.running_mean"], 0)
    model.forward(x, train=True)
    assert np.abs(model.state_dict()["bn0.running_mean"]).sum() > 0


def test_dead_unit_fraction():
    model = MLP([3, 10, 8, 2], activation="relu", seed=0)
    b0 = model.params[1]
    b0[:4] = -100.0  # four of ten units in layer 0 can never fire on these inputs
    x = np.random.default_rng(0).standard_normal((50, 3))
    dead = model.dead_unit_fraction(x)
    assert dead.shape == (2,) and dead[0] == pytest.approx(0.4)
    model.params[3][:] = -100.0  # every unit of layer 1
    assert model.dead_unit_fraction(x)[1] == 1.0


def test_activation_kwargs():
    model = MLP([2, 3, 3, 1], activation="leaky_relu", activation_kwargs={"alpha": 0.2})
    assert all(a.hp == {"alpha": 0.2} for a in model.activations)
    model = MLP([2, 3, 3, 1], activation=["elu", "swish"], activation_kwargs=[{"alpha": 0.5}, {"beta": 2.0}])
    assert [a.hp for a in model.activations] == [{"alpha": 0.5}, {"beta": 2.0}]
    assert isinstance(model.activations[1], activations.Swish)


# ---- reference experiment: cs231n lecture 6, "activation statistics" ---------------------------------

@pytest.fixture(scope="module")
def inputs_1000x500():
    return np.random.default_rng(0).standard_normal((1000, 500))


def layer_stds(x, activation, init):
    """Forward 1,000 standard-normal inputs through 10 hidden layers of 500 units, no bias."""
    model = MLP([500] * 11 + [10], activation=activation, init=init, bias=False, seed=0)
    model.forward(x)
    return model, np.array([t.a.std() for t in model.trace[:-1]])


def test_tanh_small_init_vanishes(inputs_1000x500):
    _, stds = layer_stds(inputs_1000x500, "tanh", 0.01)
    assert stds[9] < 1e-4
    assert np.all(np.diff(stds) < 0)  # shrinks every layer


def test_tanh_large_init_saturates(inputs_1000x500):
    model, _ = layer_stds(inputs_1000x500, "tanh", 1.0)
    assert np.mean(np.abs(model.trace[9].a) > 0.99) > 0.85


def test_tanh_xavier_keeps_a_reasonable_spread(inputs_1000x500):
    _, stds = layer_stds(inputs_1000x500, "tanh", "xavier_normal")
    assert 0.15 <= stds[9] <= 0.35


def test_relu_xavier_collapses_and_he_holds(inputs_1000x500):
    _, xavier = layer_stds(inputs_1000x500, "relu", "xavier_normal")
    assert xavier[9] < 0.05
    ratios = xavier[1:] / xavier[:-1]
    assert np.all((ratios > 0.55) & (ratios < 0.85))  # about 1/√2 ≈ 0.71 per layer
    _, he = layer_stds(inputs_1000x500, "relu", "he_normal")
    assert np.all((he >= 0.5) & (he <= 1.5))


# ---- flat parameter buffers and the training fast path --------------------------------------

def _flat_model(**kw):
    return MLP([3, 5, 4, 2], activation="prelu", batchnorm=True, seed=4, **kw)


def _assert_flat_layout(model):
    """Every param/grad is a view into the flat buffers, in ``params`` order, covering them exactly."""
    assert model.flat_params.size == sum(p.size for p in model.params) == model.flat_grads.size
    for p, view in zip(model.params, model.unflatten(model.flat_params)):
        assert np.shares_memory(p, model.flat_params) and np.array_equal(p, view)
        assert np.shares_memory(view, p)
    for g in model.grads:
        assert np.shares_memory(g, model.flat_grads)
    assert model.weights[0] is model.params[0]  # Dense.W is the same view as params[0]


def test_params_and_grads_are_views_of_flat_buffers():
    model = _flat_model()
    _assert_flat_layout(model)
    model.flat_params[:] = np.arange(model.flat_params.size)  # writing the buffer writes the layers
    np.testing.assert_array_equal(model.weights[0].ravel(), np.arange(model.weights[0].size))
    out = model.forward(np.ones((6, 3)), train=True)
    model.backward(np.ones_like(out))
    np.testing.assert_array_equal(model.flat_grads, np.concatenate([g.ravel() for g in model.grads]))
    with pytest.raises(ValueError, match="flat array"):
        model.unflatten(np.zeros(3))


def test_copy_deepcopy_pickle_and_load_keep_the_flat_layout():
    import copy
    import pickle

    model = _flat_model()
    model.forward(np.ones((6, 3)), train=True)
    for other in (model.copy(), copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        _assert_flat_layout(other)
        assert not np.shares_memory(other.flat_params, model.flat_params)
        np.testing.assert_array_equal(other.flat_params, model.flat_params)
        other.flat_params += 1.0  # independent of the original
        assert not np.array_equal(other.flat_params, model.flat_params)
    target = _flat_model()
    target.flat_params[:] = 0
    target.load_state_dict(model.state_dict())
    _assert_flat_layout(target)
    np.testing.assert_array_equal(target.flat_params, model.flat_params)


def test_backward_without_input_gradient_fills_the_same_grads():
    x = np.random.default_rng(1).standard_normal((7, 3))
    a, b = _flat_model(), _flat_model()
    dout = np.random.default_rng(2).standard_normal((7, 2))
    a.forward(x, train=True)
    b.forward(x, train=True)
    dx = a.backward(dout)
    assert dx.shape == x.shape and b.backward(dout, need_dx=False) is None
    np.testing.assert_array_equal(a.flat_grads, b.flat_grads)
    for ta, tb in zip(a.trace, b.trace):
        np.testing.assert_array_equal(ta.grad_W, tb.grad_W)


def test_one_optimizer_call_on_the_flat_buffer_equals_one_per_array():
    from core import optim

    x = np.random.default_rng(3).standard_normal((9, 3))
    y = np.random.default_rng(4).integers(0, 2, 9)
    loss = losses.get("cross_entropy")
    for name in optim.NAMES:
        a, b = _flat_model(), _flat_model()
        opt_a, opt_b = optim.make(name, lr=0.01, weight_decay=0.01), optim.make(name, lr=0.01, weight_decay=0.01)
        for _ in range(4):
            for model, step in ((a, lambda: opt_a.step(a.params, a.grads)),
                                (b, lambda: opt_b.step([b.flat_params], [b.flat_grads]))):
                _, dout = loss(model.forward(x, train=True), y)
                model.backward(dout, need_dx=False)
                step()
        np.testing.assert_array_equal(a.flat_params, b.flat_params, err_msg=name)


def test_allocator_tuning_is_safe_to_repeat():
    """core/runtime.py only changes how glibc recycles memory: calling it again changes nothing and works here."""
    import sys

    from core import runtime

    first, second = runtime.tune_allocator(), runtime.tune_allocator()
    assert first == second
    assert first is (sys.platform.startswith("linux"))  # this machine has glibc; elsewhere it declines quietly


@pytest.mark.parametrize("kwargs", [dict(activation="relu"), dict(activation="rrelu", batchnorm=True, dropout=0.3),
                                    dict(activation="prelu")])
def test_release_lets_the_last_pass_go_and_changes_no_result(kwargs):
    """An inference pass over a big grid kept arrays of the grid's size in the network (its trace, each layer's
    input, ReLU's zeros): MLP.release drops them, and training after it is bit-identical to training without it."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 3)), rng.integers(0, 2, 64)
    grid = rng.standard_normal((4096, 3))
    grads = []
    for release in (False, True):
        net = MLP([3, 16, 16, 2], seed=1, **kwargs)
        step_rng = np.random.default_rng(2)
        for _ in range(3):
            net.forward(grid, train=False)
            if release:
                net.release()
                kept = [layer for b in net.blocks for layer in (b.dense, b.bn, b.act, b.drop) if layer is not None]
                assert net.trace == [] and all(getattr(layer, name) is None for layer in kept for name in layer._KEPT)
                assert not getattr(net.blocks[0].act.activation, "_zeros", {})
            _, dout = losses.get("cross_entropy")(net.forward(x, train=True, rng=step_rng), y)
            net.backward(dout)
            net.flat_params -= 0.1 * net.flat_grads  # in place: the layers view this buffer
        grads.append(net.flat_grads.copy())
    np.testing.assert_array_equal(grads[0], grads[1])
