"""Training: learning, determinism, checkpoint/resume, augmentation, the CLI command."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from ocr import CLASSES
from ocr.errors import ModelError
from ocr.model import Model
from ocr.normalize import normalize_glyph
from ocr.train import FOLDER_SHARE, Config, Source, augment, lr_at, name_split, sample_weights, stratified_split, train


def _shapes(rng, n):
    """n samples of 4 classes (L, T, H, E drawn as bars, jittered), normalised like real crops."""
    X, y = [], []
    for i in range(n):
        c = i % 4
        g = np.zeros((40, 30), bool)
        dx, dy, w = rng.integers(-2, 3), rng.integers(-2, 3), rng.integers(3, 6)
        top, bot, left, right = 4 + dy, 36 + dy, 4 + dx, 26 + dx
        if c == 0:    # L
            g[top:bot, left:left + w] = True; g[bot - w:bot, left:right] = True
        elif c == 1:  # T
            g[top:top + w, left:right] = True; g[top:bot, 13 + dx:13 + dx + w] = True
        elif c == 2:  # H
            g[top:bot, left:left + w] = True; g[top:bot, right - w:right] = True
            g[18 + dy:18 + dy + w, left:right] = True
        else:         # E
            g[top:bot, left:left + w] = True; g[top:top + w, left:right] = True
            g[18 + dy:18 + dy + w, left:right - 4] = True; g[bot - w:bot, left:right] = True
        X.append(normalize_glyph(g))
        y.append(CLASSES.index("LTHE"[c]))
    return np.stack(X), np.array(y, np.int64)


@pytest.fixture(scope="module")
def sources():
    rng = np.random.default_rng(0)
    X, y = _shapes(rng, 240)
    Xv, yv = _shapes(rng, 80)
    return [Source("shapes", "emnist", X, y, Xv, yv)]


def _cfg(**kw):
    kw.setdefault("hidden", [24])
    kw.setdefault("epochs", 4)
    kw.setdefault("batch_size", 32)
    kw.setdefault("lr", 3e-3)
    return Config(**kw)


def test_training_improves_accuracy(sources):
    params, info = train(sources, _cfg(epochs=5))
    h = info["history"]
    assert len(h) == 5
    assert h[-1]["loss"] < h[0]["loss"]
    assert info["valid_acc"] >= 0.9 and info["valid_acc"] > h[0]["valid_acc"] - 1e-9
    assert info["valid"]["shapes"] == pytest.approx(info["valid_acc"])
    assert set(params) == {"W1", "b1", "W2", "b2"} and params["W1"].dtype == np.float32
    assert info["best_epoch"] == 1 + int(np.argmax([r["valid_acc"] for r in h]))


def test_same_seed_same_weights(sources):
    a, _ = train(sources, _cfg(epochs=2, seed=3))
    b, _ = train(sources, _cfg(epochs=2, seed=3))
    c, _ = train(sources, _cfg(epochs=2, seed=4))
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["W1"], c["W1"])


def test_checkpoint_resume_equals_uninterrupted(sources, tmp_path):
    full, full_info = train(sources, _cfg(seed=1), checkpoint=tmp_path / "full.ckpt")
    ck = tmp_path / "part.ckpt"

    def interrupt(line):
        if line.lstrip().startswith("epoch   2/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(sources, _cfg(seed=1), checkpoint=ck, report=interrupt)
    resumed, info = train(sources, _cfg(seed=1), checkpoint=ck, resume=ck)
    for k in full:
        np.testing.assert_array_equal(full[k], resumed[k])
    assert [r["epoch"] for r in info["history"]] == [1, 2, 3, 4]
    assert [r["loss"] for r in info["history"]] == [r["loss"] for r in full_info["history"]]
    from ocr.errors import ModelError

    with pytest.raises(ModelError, match="part.ckpt.*hidden"):
        train(sources, _cfg(seed=1, hidden=[25]), resume=ck)


def test_early_stopping_keeps_best(sources):
    # lr 0 keeps the weights fixed: validation never improves after epoch 1; two
    # epochs of patience are up at epoch 3, but no run stops before half its epochs
    params, info = train(sources, _cfg(lr=1e-12, epochs=20, patience=2))
    assert len(info["history"]) == 10 and info["best_epoch"] == 1
    _, info = train(sources, _cfg(lr=1e-12, epochs=4, patience=2))
    assert len(info["history"]) == 3 and info["best_epoch"] == 1


def test_augment_is_a_small_affine_warp():
    rng = np.random.default_rng(0)
    X, _ = _shapes(rng, 64)
    same = augment(X, rng, rotate=0, shear=0, scale=(1, 1), aspect=0, shift=0)
    np.testing.assert_allclose(same, X, atol=1e-6)
    A = augment(X, rng)
    assert A.shape == X.shape and A.dtype == np.float32
    assert A.min() >= 0 and A.max() <= 1
    diff = np.abs(A - X).mean(axis=(1, 2))
    assert (diff > 0).all() and diff.mean() < 0.2  # every image changed, none beyond recognition
    ink = (X < 0.5).sum(axis=(1, 2)), (A < 0.5).sum(axis=(1, 2))
    assert np.all(np.abs(ink[1] - ink[0]) < 0.6 * ink[0])
    # scale 0.5 about the centre: an upright bar keeps its column and halves its height
    bar = np.ones((1, 32, 32), np.float32); bar[0, 4:28, 14:18] = 0
    half = augment(bar, rng, rotate=0, shear=0, scale=(0.5, 0.5), aspect=0, shift=0)
    rows = np.flatnonzero((half[0] < 0.5).any(axis=1))
    cols = np.flatnonzero((half[0] < 0.5).any(axis=0))
    assert 10 <= rows.min() and rows.max() <= 21 and 10 <= len(rows) <= 13
    assert set(cols) <= {14, 15, 16, 17} and len(cols) >= 1


def test_elastic_warp_bends_strokes_smoothly():
    from ocr.train import _smooth_field

    rng = np.random.default_rng(1)
    field = _smooth_field(rng, 200, 32, 32, 1.0)
    assert field.shape == (200, 2, 32, 32)
    assert 0.4 < field.std() < 1.0  # about the amplitude (interpolation averages it down)
    assert np.abs(np.diff(field, axis=3)).max() < 1.6  # smooth: neighbours move together
    bar = np.ones((50, 32, 32), np.float32)
    bar[:, 4:28, 14:18] = 0
    bent = augment(bar, rng, rotate=0, shear=0, scale=(1, 1), aspect=0, shift=0, elastic=1.0)
    assert not np.allclose(bent, bar)
    cols = [np.flatnonzero((b < 0.5).any(axis=0)) for b in bent]
    assert all(c.min() >= 9 and c.max() <= 22 for c in cols)  # still one upright stroke
    ink = (bent < 0.5).sum(axis=(1, 2))
    assert np.all(np.abs(ink - 96) < 40)


def _seven():
    """A normalised 7: a top bar and a stem slanting down to the left."""
    g = np.zeros((40, 30), bool)
    g[4:8, 4:26] = True
    for r in range(8, 37):
        c = int(round(24 - 12 * (r - 8) / 28))
        g[r, c - 2 : c + 2] = True
    return normalize_glyph(g)


def test_crossed_variants_add_barred_sevens_and_slashed_zeros():
    from ocr.train import cross_variants

    rng = np.random.default_rng(0)
    seven = _seven()
    ring = np.zeros((40, 30), bool)
    rr, cc = np.mgrid[0:40, 0:30]
    ring[np.abs(np.hypot((rr - 20) / 16, (cc - 15) / 11) - 1) < 0.15] = True
    zero = normalize_glyph(ring)
    X = np.stack([seven, zero, seven]).astype(np.float32)
    y = np.array([CLASSES.index(c) for c in "70L"])
    same, labels = cross_variants(X, y, rng, 0.0)
    assert same is X and labels is y
    V, yv = cross_variants(X, y, rng, 1.0)
    assert V.dtype == np.float32 and V.shape == (5, 32, 32) and list(yv) == [*y, y[0], y[1]]
    np.testing.assert_array_equal(V[:3], X)  # the batch itself is kept as it was; no copy of the L
    # the seven's copy: new ink is a bar across its middle, about the pen's width, either side of the stem
    new = (V[3] < 0.5) & ~(X[0] < 0.5)
    ink_rows = np.flatnonzero((X[0] < 0.5).any(axis=1))
    rows = np.flatnonzero(new.any(axis=1))
    mid = 0.5 * (ink_rows.min() + ink_rows.max())
    assert new.sum() >= 10 and rows.size <= 6 and abs(rows.mean() - mid) <= 0.2 * np.ptp(ink_rows)
    stem = np.flatnonzero(X[0][int(round(rows.mean()))] < 0.5).mean()
    cols = np.flatnonzero(new.any(axis=0))
    assert cols.min() < stem < cols.max()
    # the zero's copy (perhaps a little smaller): a slash rising to the right, corner to corner
    def along_slash(crop):  # ink within a pixel of the copy's ink box's rising diagonal
        r, c = np.nonzero(V[4] < 0.5)
        (y0, x0), (y1, x1) = (r.max(), c.min()), (r.min(), c.max())
        rr, cc = np.nonzero(crop < 0.5)
        return np.sum(np.abs((rr - y0) * (x1 - x0) - (cc - x0) * (y1 - y0)) / np.hypot(x1 - x0, y1 - y0) <= 1.0)

    assert along_slash(V[4]) >= 25 and along_slash(X[1]) <= 12
    assert V.min() >= 0 and V.max() <= 1


def test_training_can_start_from_a_trained_network(sources):
    first, _ = train(sources, _cfg(epochs=3))
    calm, info = train(sources, _cfg(epochs=1, lr=1e-9), init=first)
    for k in first:  # a learning rate of nothing leaves the network where it started
        np.testing.assert_allclose(calm[k], first[k], atol=1e-6)
    assert info["valid_acc"] >= 0.9
    with pytest.raises(ModelError, match="1024-16-36"):
        train(sources, _cfg(epochs=1, hidden=[16]), init=first)


def test_splits_and_weights():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(5), [10, 20, 30, 40, 100])
    v = stratified_split(y, 0.1, rng)
    assert list(np.bincount(y[v])) == [1, 2, 3, 4, 10]
    names = [f"A/{i}.png" for i in range(500)]
    m = name_split(names, 0.2)
    assert 70 < m.sum() < 130
    np.testing.assert_array_equal(m[:100], name_split(names[:100], 0.2))  # fixed per file
    big = Source("e", "emnist", np.zeros((len(y), 32, 32)), y, np.zeros((0, 32, 32)), y[:0])
    small = Source("p", "folder", np.zeros((10, 32, 32)), np.arange(10) % 2, np.zeros((0, 32, 32)), y[:0])
    p = sample_weights([big, small])
    assert p.sum() == pytest.approx(1)
    pb = p[: len(y)]
    per_class = [pb[y == c].sum() for c in range(5)]
    np.testing.assert_allclose(per_class, per_class[0], rtol=1e-9)  # classes balanced
    assert p[len(y):].sum() == pytest.approx(FOLDER_SHARE)


def test_lr_schedule():
    lrs = [lr_at(s, 100, 10, 1.0) for s in range(100)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:]))
    assert 0.01 < lrs[-1] < 0.05


# ----------------------------------------------------------------------------- CLI

def _folder_dataset(root, n=8):
    rng = np.random.default_rng(0)
    X, y = _shapes(rng, 4 * n)
    for i, (x, c) in enumerate(zip(X, y)):
        d = root / CLASSES[c]
        d.mkdir(parents=True, exist_ok=True)
        img = np.kron(x, np.ones((2, 2)))  # 64x64, ink 0 on paper 1
        grey = (170 + 60 * img + rng.normal(0, 3, img.shape)).clip(0, 255).astype(np.uint8)
        Image.fromarray(grey).save(d / f"{i:03d}.png")
    return root


def test_cli_train_writes_loadable_model_and_plots(tmp_path):
    from ocr.cli import main

    data = _folder_dataset(tmp_path / "data", n=16)
    out, plots = tmp_path / "m.npz", tmp_path / "plots"
    r = CliRunner().invoke(main, ["train", str(data), "-o", str(out), "--epochs", "6", "--hidden", "32",
                                  "--batch-size", "16", "--lr", "0.005", "--seed", "7",
                                  "--plots", str(plots), "--checkpoint", str(tmp_path / "c.ckpt")])
    assert r.exit_code == 0, r.output
    assert "epoch   6/6" in r.output and "valid acc" in r.output
    m = Model.load(out)
    t = m.meta["training"]
    assert t["command"].startswith("handocr train ") and "--seed 7" in t["command"]
    assert t["seed"] == 7 and t["epochs"] == 6 and t["data"] == [str(data)]
    assert m.meta["layers"] == [1024, 32, 36] and m.features == "pixels"
    assert "--features pixels" in t["command"]
    X, y = _shapes(np.random.default_rng(5), 40)
    assert np.mean([CLASSES.index(c) for c in m.predict(X)] == y) >= 0.7
    assert sorted(p.name for p in plots.iterdir()) == ["confusion.png", "curves.png", "weights.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.ckpt", "data", "m.npz", "plots"]
    q = CliRunner().invoke(main, ["train", str(data), "-o", str(tmp_path / "q.npz"), "--epochs", "1",
                                  "--hidden", "32", "--quiet"])
    assert q.exit_code == 0 and q.output == ""
    # the other kinds of input: pixels and stroke directions (1536 inputs); the same of the
    # crop sheared upright and its slant (1537); of the upright crop moment-normalised,
    # and its slant, scale and aspect (1539)
    for option, size, kind in (("directions", 1536, "pixels+directions-v1"), ("deskewed", 1537, "deskewed-v1"),
                               ("moments", 1539, "moments-v1")):
        r = CliRunner().invoke(main, ["train", str(data), "-o", str(tmp_path / f"{option}.npz"), "--epochs", "1",
                                      "--hidden", "32", "--features", option, "--quiet"])
        m = Model.load(tmp_path / f"{option}.npz")
        assert r.exit_code == 0 and m.meta["layers"] == [size, 32, 36] and m.features == kind
        assert f"--features {option}" in m.meta["training"]["command"]
        assert m.predict_proba(np.ones((2, 32, 32), np.float32)).shape == (2, 36)


def test_cli_train_tunes_a_models_network_further(tmp_path):
    from ocr.cli import main

    data = _folder_dataset(tmp_path / "data", n=16)
    base = tmp_path / "base.npz"
    args = ["train", str(data), "--hidden", "32", "--batch-size", "16", "--lr", "0.005", "--quiet"]
    assert CliRunner().invoke(main, [*args, "-o", str(base), "--epochs", "4"]).exit_code == 0
    out = tmp_path / "tuned.npz"
    r = CliRunner().invoke(main, [*args, "-o", str(out), "--epochs", "1", "--init", str(base), "--member", "0",
                                  "--crossed", "0.5"])
    assert r.exit_code == 0, r.output
    t = Model.load(out).meta["training"]
    assert t["started_from"] == {"model": str(base), "member": 0} and t["config"]["crossed"] == 0.5
    assert f"--crossed 0.5 --init {base} --member 0" in t["command"]
    for extra, problem in ((["--member", "1"], "no --member 1"), (["--features", "moments"], "not moments"),
                           (["--hidden", "16"], "1024-16-36")):
        r = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "bad.npz"), "--epochs", "1", "--init", str(base),
                                      *extra])
        assert r.exit_code == 1 and problem in r.output and "Traceback" not in r.output
    assert not (tmp_path / "bad.npz").exists()


def test_cli_train_errors_and_interrupt(tmp_path, monkeypatch):
    from ocr import train as train_mod
    from ocr.cli import main

    data = _folder_dataset(tmp_path / "data", n=4)
    out = tmp_path / "m.npz"
    r = CliRunner().invoke(main, ["train", str(data), "-o", str(out), "--hidden", "a,b"])
    assert r.exit_code == 2 and "hidden" in r.output
    r = CliRunner().invoke(main, ["train", str(tmp_path / "nope"), "-o", str(out)])
    assert r.exit_code == 1 and "nope" in r.output
    calls = []

    def ctrl_c(*a, **k):
        calls.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(train_mod, "augment", ctrl_c)
    r = CliRunner().invoke(main, ["train", str(data), "-o", str(out), "--epochs", "2", "--hidden", "8"])
    assert calls and r.exit_code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no model, no temporary file


def test_gather_mat_uses_sibling_valid_file(tmp_path):
    from scipy.io import savemat

    from ocr.train import gather

    X, y = _shapes(np.random.default_rng(2), 24)
    rows = np.stack([x.T.ravel() for x in X]).astype(np.float64)  # column-major like NIST36
    onehot = np.eye(36, dtype=np.uint8)[y]
    savemat(tmp_path / "nist36_train.mat", {"train_data": rows[:16], "train_labels": onehot[:16]})
    savemat(tmp_path / "nist36_valid.mat", {"valid_data": rows[16:], "valid_labels": onehot[16:]})
    (src,) = gather([tmp_path / "nist36_train.mat"])
    assert (len(src.ytr), len(src.yva)) == (16, 8)
    np.testing.assert_array_equal(src.yva, y[16:])
    (tmp_path / "nist36_valid.mat").unlink()  # no sibling: 10 % of every class held out by seed
    (alone,) = gather([tmp_path / "nist36_train.mat"])
    assert len(alone.ytr) + len(alone.yva) == 16 and len(alone.yva) >= 4
