"""coursekit.plotting draws what the model says: boundaries where the score crosses the threshold,
the XOR net's hidden space, the History's curves, and the errors delta flowing back (deck 002)."""
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from coursekit import MLP, Linear, ReLU, Sequential, Sigmoid
from coursekit.plotting import accuracy_curves, decision_boundary, error_flow, hidden_space, loss_curves

matplotlib.use("Agg")
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0])


def axes():
    return Figure().subplots()


def goodfellow_xor_net():
    """The hand-made XOR solution (Goodfellow et al. 6.1, deck 001): h = ReLU(x W + c), y = h w + b
    with W = [[1, 1], [1, 1]], c = [0, -1], w = [1, -2], b = 0."""
    first, out = Linear(2, 2, rng=0), Linear(2, 1, rng=0)
    first.W.data[:] = [[1, 1], [1, 1]]
    first.b.data[:] = [0, -1]
    out.W.data[:] = [[1], [-2]]
    out.b.data[:] = [-0.5]  # the book's b = 0 puts (1, 0) on the boundary; -1/2 centres it
    return Sequential(first, ReLU(), out)


@pytest.mark.parametrize("shape", ["(m,)", "(m, 1)"])
def test_binary_boundary_is_where_the_score_crosses_the_threshold(shape):
    def score(P):  # x1 + x2 - 1 > 0 above the anti-diagonal
        s = P[:, 0] + P[:, 1] - 1
        return s if shape == "(m,)" else s[:, None]
    plot = decision_boundary(axes(), score, XOR_X, XOR_Y, threshold=0.0)
    image = np.asarray(plot.image.get_array())
    above = (plot.grid[:, 0] + plot.grid[:, 1] - 1 > 0).reshape(image.shape)
    low, high = plot.image.get_clim()
    assert np.all(image[above] > 0) and np.all(image[~above] <= 0) and low < 0 < high
    # the drawn boundary lies on x1 + x2 = 1
    (segment,) = plot.contour.get_segments()
    np.testing.assert_allclose(segment.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_array_equal(plot.points.get_offsets(), XOR_X)


def test_a_constant_model_has_no_boundary_line_and_update_redraws_in_place():
    ax = axes()
    plot = decision_boundary(ax, lambda P: np.full(len(P), 0.9), XOR_X, XOR_Y)
    assert plot.contour.get_segments() == []
    image, line = plot.image, plot.contour
    plot.update(lambda P: P[:, 0])  # threshold 0.5
    assert plot.image is image and plot.contour is line and len(ax.images) == 1
    (segment,) = line.get_segments()
    np.testing.assert_allclose(segment[:, 0], 0.5, atol=1e-9)  # the boundary x1 = 1/2


def test_multiclass_regions_are_the_argmax_class():
    centres = np.array([[0, 0], [3, 0], [0, 3]])

    def scores(P):  # nearest centre wins
        return -((P[:, None, :] - centres[None]) ** 2).sum(axis=2)
    plot = decision_boundary(axes(), scores, centres.astype(float), np.array([0, 1, 2]))
    image = np.asarray(plot.image.get_array()).ravel()
    nearest = np.argmin(((plot.grid[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    np.testing.assert_array_equal(image, nearest)


def test_hidden_space_of_the_xor_net_is_linearly_separable():
    net = goodfellow_xor_net()
    plot = hidden_space(axes(), net, XOR_X, XOR_Y)
    H = plot.points.get_offsets()
    # by hand: h = ReLU([x1 + x2, x1 + x2 - 1]) -> (0,0), (1,0), (1,0), (2,1)
    np.testing.assert_allclose(H, [[0, 0], [1, 0], [1, 0], [2, 1]])
    # the drawn line h2 = (h1 - 1/2) / 2 has the class-1 points below it and class 0 above
    (x0, x1), (y0, y1) = plot.line.get_data()
    slope = (y1 - y0) / (x1 - x0)
    side = H[:, 1] - (y0 + slope * (H[:, 0] - x0))
    assert np.all(side[XOR_Y == 1] < 0) and np.all(side[XOR_Y == 0] > 0)


def test_hidden_space_needs_two_hidden_units():
    net = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=0))
    with pytest.raises(ValueError, match="2 units"):
        hidden_space(axes(), net, XOR_X, XOR_Y)


def test_curves_plot_the_history_and_skip_what_was_not_recorded():
    history = SimpleNamespace(train_loss=[0.7, 0.5, 0.2], val_loss=[], train_acc=[0.5, 0.75, 1.0],
                              val_acc=[])
    lines = loss_curves(axes(), history, log=True)
    assert set(lines) == {"train_loss"}
    np.testing.assert_array_equal(lines["train_loss"].get_data(), [[1, 2, 3], [0.7, 0.5, 0.2]])
    assert set(accuracy_curves(axes(), history)) == {"train_acc"}
    regression = SimpleNamespace(train_acc=[np.nan] * 3, val_acc=[np.nan] * 3)
    assert accuracy_curves(axes(), regression) == {}


def test_labels_must_be_integers_one_per_point():
    with pytest.raises(ValueError, match="y must be 4 integer class labels"):
        decision_boundary(axes(), lambda P: P[:, 0], XOR_X, XOR_Y.astype(float))


def test_weight_images_show_each_column_as_its_image():
    import matplotlib.pyplot as plt

    from coursekit.plotting import weight_images

    W = np.arange(64 * 3, dtype=float).reshape(64, 3) - 90
    fig, axes = plt.subplots(1, 3)
    images = weight_images(axes, W)
    for j, image in enumerate(images):
        np.testing.assert_array_equal(image.get_array(), W[:, j].reshape(8, 8))
        assert image.get_clim() == (-101.0, 101.0)                # symmetric: the largest |w| is 191 - 90
    with pytest.raises(ValueError, match="shape"):
        weight_images(axes, W[:63])
    plt.close(fig)


def test_error_flow_labels_each_unit_with_its_delta_and_draws_every_term_of_the_recursion_backward():
    net = MLP([2, 3, 2, 1], Sigmoid(), rng=0)
    deltas = [np.array([0.1, -0.2, 0.3]), np.array([[0.5, -0.25]]), np.array([2.0])]
    drawn = error_flow(axes(), net, deltas)
    assert [t.get_text() for t in drawn["deltas"]][:2] == ["$\\delta_1^{(1)} = 0.1$", "$\\delta_2^{(1)} = -0.2$"]
    assert drawn["deltas"][-1].get_text() == "$\\delta_1^{(3)} = 2$"
    # one arrow per weight of layers 2 and 3 (3*2 + 2*1), each from layer l + 1 back to layer l
    assert sorted((l, i, j) for l, i, j, _ in drawn["arrows"]) == \
        [(1, i, j) for i in range(3) for j in range(2)] + [(2, i, 0) for i in range(2)]
    for l, i, j, arrow in drawn["arrows"]:
        assert arrow.xy[0] == l and arrow.xyann[0] == l + 1
    # the widest arrow is the largest term |w_ji delta_j| of any (W^T delta)_i
    terms = {(1, i, j): abs(net[2].W.data[i, j] * deltas[1][0, j]) for i in range(3) for j in range(2)}
    terms |= {(2, i, 0): abs(net[4].W.data[i, 0] * 2.0) for i in range(2)}
    widest = max(drawn["arrows"], key=lambda a: a[3].arrow_patch.get_linewidth())
    assert widest[:3] == max(terms, key=terms.get)


def test_error_flow_needs_one_delta_per_layer_of_the_layers_width():
    net = MLP([2, 3, 1], Sigmoid(), rng=0)
    with pytest.raises(ValueError, match="one array per Linear layer"):
        error_flow(axes(), net, [np.zeros(3)])
    with pytest.raises(ValueError, match=r"widths \[3, 1\]"):
        error_flow(axes(), net, [np.zeros(2), np.zeros(1)])
