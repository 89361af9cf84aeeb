"""Model files: round trip, every refusal, the bundled model."""

import json

import numpy as np
import pytest

from ocr import CLASSES, mlp
from ocr.errors import ModelError
from ocr.model import Model, combine, default_meta


def _model(seed=0, hidden=(16,)):
    params = mlp.init_params([1024, *hidden, 36], np.random.default_rng(seed))
    params["b1"] += 0.01
    return Model.from_params(params, default_meta([1024, *hidden, 36], seed=seed))


def _crops(n=20, seed=1):
    return np.random.default_rng(seed).random((n, 32, 32)).astype(np.float32)


def _write(path, meta=None, **arrays):
    """An .npz written by hand: meta (dict -> JSON bytes) plus arrays."""
    if meta is not None:
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    return path


def _good_arrays(hidden=16):
    p = mlp.init_params([1024, hidden, 36], np.random.default_rng(0))
    return p, default_meta([1024, hidden, 36])


def test_round_trip_identical_predictions(tmp_path):
    m = _model()
    path = tmp_path / "m.npz"
    m.save(path)
    m2 = Model.load(path)
    crops = _crops()
    np.testing.assert_array_equal(m.predict_proba(crops), m2.predict_proba(crops))
    assert m.predict(crops) == m2.predict(crops)
    assert m2.classes == CLASSES and m2.meta["training"]["seed"] == 0
    for k in m.params:
        assert m2.params[k].dtype == np.float32


def test_float16_storage_round_trip(tmp_path):
    m = _model(hidden=(64, 32))
    m.save(tmp_path / "a.npz", dtype=np.float16)
    a = Model.load(tmp_path / "a.npz")
    a.save(tmp_path / "b.npz", dtype=np.float16)
    b = Model.load(tmp_path / "b.npz")
    crops = _crops()
    np.testing.assert_array_equal(a.predict_proba(crops), b.predict_proba(crops))
    np.testing.assert_allclose(a.predict_proba(crops), m.predict_proba(crops), atol=2e-3)
    assert a.meta["weights_dtype"] == "float16"
    m.save(tmp_path / "c.npz")
    assert (tmp_path / "a.npz").stat().st_size < 0.7 * (tmp_path / "c.npz").stat().st_size


def test_predict_proba_rows_sum_to_one_and_predict_is_argmax():
    m = _model()
    crops = _crops(50)
    p = m.predict_proba(crops)
    assert p.shape == (50, 36) and (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert m.predict(crops) == [CLASSES[i] for i in p.argmax(axis=1)]
    assert m.predict(np.ones((0, 32, 32))) == []
    with pytest.raises(ValueError):
        m.predict_proba(np.ones((3, 28, 28)))


def test_save_is_atomic_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    _model().save(path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        _model(seed=5).save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


def _refuses(path, *words):
    with pytest.raises(ModelError) as e:
        Model.load(path)
    msg = str(e.value)
    assert str(path) in msg
    for w in words:
        assert w in msg, msg
    return msg


def test_refuses_missing_file(tmp_path):
    _refuses(tmp_path / "nope.npz", "no such file")


def test_refuses_non_npz(tmp_path):
    p = tmp_path / "m.npz"
    p.write_text("hello, I am not a model")
    _refuses(p, "not")
    q = tmp_path / "arr.npy"
    np.save(q, np.zeros(3))
    _refuses(q, "not")


def test_refuses_truncated_file(tmp_path):
    p = tmp_path / "m.npz"
    _model().save(p)
    data = p.read_bytes()
    t = tmp_path / "t.npz"
    t.write_bytes(data[: len(data) // 2])
    _refuses(t)


def test_refuses_corrupted_member(tmp_path):
    p = tmp_path / "m.npz"
    params, meta = _good_arrays()
    _write(p, meta, **params)  # stored uncompressed: flip bytes inside W1's data
    data = bytearray(p.read_bytes())
    i = data.index(b"W1.npy") + 400
    data[i:i + 64] = bytes(64)
    p.write_bytes(bytes(data))
    _refuses(p, "corrupt")


def test_stored_files_read_without_copying_equal_np_load(tmp_path):
    """The fast reader of stored .npz files (ocr.model._stored_arrays) gives np.load's
    arrays, and hands anything damaged to np.load, which refuses it."""
    from ocr.model import _stored_arrays

    p = tmp_path / "m.npz"
    _model(hidden=(16, 8)).save(p, dtype=np.float16)
    data = p.read_bytes()
    fast = _stored_arrays(data)
    with np.load(p, allow_pickle=False) as z:
        assert sorted(fast) == sorted(z.files)
        for k in z.files:
            assert fast[k].dtype == z[k].dtype and fast[k].shape == z[k].shape
            np.testing.assert_array_equal(fast[k], z[k])
    rng = np.random.default_rng(0)
    for _ in range(40):
        bad = bytearray(data)
        i = int(rng.integers(0, len(bad)))
        bad[i] ^= int(rng.integers(1, 256))
        q = tmp_path / "bad.npz"
        q.write_bytes(bytes(bad))
        try:
            m = Model.load(q)
        except ModelError:
            continue
        # a flip the zip format does not cover (e.g. an unused header field) changes nothing
        np.testing.assert_array_equal(m.predict_proba(_crops()), Model.load(p).predict_proba(_crops()))


def test_refuses_pickle(tmp_path):
    p = tmp_path / "m.npz"
    params, meta = _good_arrays()
    params["W1"] = np.array([{"evil": 1}] * 3, dtype=object)
    blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(p, meta=blob, **params)  # object array: stored as a pickle
    _refuses(p, "pickle")


def test_refuses_foreign_npz(tmp_path):
    params, meta = _good_arrays()
    _refuses(_write(tmp_path / "a.npz", None, **params), "no 'meta'")
    _refuses(_write(tmp_path / "b.npz", dict(meta, format="other-thing"), **params), "not a handocr model")
    p = tmp_path / "c.npz"
    np.savez(p, meta=np.zeros(3, np.float32), **params)
    _refuses(p, "meta")
    p = tmp_path / "d.npz"
    np.savez(p, meta=np.frombuffer(b"{not json", np.uint8), **params)
    _refuses(p, "JSON")


def test_refuses_newer_format_version(tmp_path):
    params, meta = _good_arrays()
    _refuses(_write(tmp_path / "m.npz", dict(meta, format_version=4), **params), "newer")


def test_refuses_wrong_shapes_and_class_mismatch(tmp_path):
    params, meta = _good_arrays()
    bad = dict(params, W2=np.zeros((16, 35), np.float32))
    _refuses(_write(tmp_path / "a.npz", meta, **bad), "W2", "shape")
    _refuses(_write(tmp_path / "b.npz", dict(meta, classes=CLASSES[:30]), **params), "classes")
    _refuses(_write(tmp_path / "c.npz", dict(meta, layers=[1024, 16, 35]), **params), "classes")
    missing = {k: v for k, v in params.items() if k != "b2"}
    _refuses(_write(tmp_path / "d.npz", meta, **missing), "b2")
    _refuses(_write(tmp_path / "e.npz", dict(meta, layers=[784, 16, 36]), **params), "input")
    ints = dict(params, b1=np.zeros(16, np.int64))
    _refuses(_write(tmp_path / "f.npz", meta, **ints), "dtype")


def test_refuses_nan_weights(tmp_path):
    params, meta = _good_arrays()
    params["W2"][3, 4] = np.nan
    _refuses(_write(tmp_path / "m.npz", meta, **params), "NaN")


def test_refuses_folder(tmp_path):
    _refuses(tmp_path, "folder")


def test_from_params_checks_too():
    params, meta = _good_arrays()
    with pytest.raises(ModelError):
        Model.from_params(dict(params, W1=np.zeros((1024, 17), np.float32)), meta)


def test_bundled_model_loads_with_36_classes():
    m = Model.load()
    assert m.classes == CLASSES and len(m.classes) == 36
    assert m.meta["format"] == "handocr-mlp" and m.meta["format_version"] == 3
    assert m.meta["layers"][0] == 1024 and m.meta["layers"][-1] == 36
    # an ensemble: every member says how it was trained, and on what input
    assert len(m.members) == m.meta["members"] == len(m.meta["training"]["members"]) > 1
    assert all(t["command"].startswith("handocr train ") for t in m.meta["training"]["members"])
    option = {"pixels": None, "pixels+directions-v1": "directions", "deskewed-v1": "deskewed",
              "moments-v1": "moments"}
    for kind, t in zip(m.member_features, m.meta["training"]["members"]):
        for k, o in option.items():
            if o:
                assert (f"--features {o}" in t["command"]) == (kind == k)
    assert set(m.member_features) == {"pixels", "deskewed-v1", "moments-v1"}
    p = m.predict_proba(np.ones((2, 32, 32), np.float32))
    assert p.shape == (2, 36)


def test_bundled_model_reads_drawn_glyphs():
    """The bundled model recognises a few glyphs drawn here (not from any dataset)."""
    from ocr.normalize import normalize_glyph

    def canvas():
        return np.zeros((40, 30), bool)

    L = canvas(); L[4:36, 6:10] = True; L[32:36, 6:26] = True
    T = canvas(); T[4:8, 3:27] = True; T[4:36, 13:17] = True
    H = canvas(); H[4:36, 4:8] = True; H[4:36, 22:26] = True; H[18:22, 4:26] = True
    E = canvas(); E[4:36, 4:8] = True; E[4:8, 4:26] = True; E[18:22, 4:22] = True; E[32:36, 4:26] = True
    crops = np.stack([normalize_glyph(g) for g in (L, T, H, E)])
    assert Model.load().predict(crops) == ["L", "T", "H", "E"]


def test_an_ensemble_averages_its_members_and_round_trips(tmp_path):
    a = Model.from_params(mlp.init_params([1024, 16, 36], np.random.default_rng(1)))
    b = Model.from_params(mlp.init_params([1024, 16, 36], np.random.default_rng(2)))
    both = combine([a, b], name="pair")
    crops = _crops()
    mean = 0.5 * (a.predict_proba(crops).astype(np.float64) + b.predict_proba(crops))
    np.testing.assert_allclose(both.predict_proba(crops), mean, rtol=1e-5, atol=1e-6)
    assert both.predict(crops) == [both.classes[k] for k in mean.argmax(axis=1)]
    path = tmp_path / "pair.npz"
    both.save(path)
    again = Model.load(path)
    assert len(again.members) == 2 and again.meta["format_version"] == 2 and again.name == "pair"
    np.testing.assert_array_equal(again.predict_proba(crops), both.predict_proba(crops))
    # a single network is still written as format version 1 (older handocr reads it)
    a.save(tmp_path / "one.npz")
    assert Model.load(tmp_path / "one.npz").meta["format_version"] == 1
    # three members from an ensemble and a model; shapes must agree
    assert len(combine([both, a]).members) == 3
    with pytest.raises(ModelError, match="layers"):
        combine([a, Model.from_params(mlp.init_params([1024, 8, 36], np.random.default_rng(3)))])


def test_an_ensemble_of_networks_with_different_inputs(tmp_path):
    """Pixels and pixels+directions networks averaged: each member gets its own
    inputs, the file says which (format version 3) and round-trips."""
    a = Model.from_params(mlp.init_params([1024, 16, 36], np.random.default_rng(1)))
    d = Model.from_params(mlp.init_params([1536, 16, 36], np.random.default_rng(2)))
    assert d.features == "pixels+directions-v1"
    mixed = combine([a, d], name="mixed")
    assert mixed.member_features == ["pixels", "pixels+directions-v1"] and mixed.features == "pixels"
    crops = _crops()
    mean = 0.5 * (a.predict_proba(crops).astype(np.float64) + d.predict_proba(crops))
    np.testing.assert_allclose(mixed.predict_proba(crops), mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mixed.logits(crops, member=1), d.logits(crops), rtol=1e-5, atol=1e-5)
    path = tmp_path / "mixed.npz"
    mixed.save(path)
    again = Model.load(path)
    assert again.meta["format_version"] == 3 and again.member_features == mixed.member_features
    np.testing.assert_array_equal(again.predict_proba(crops), mixed.predict_proba(crops))
    # members of one kind of input are still written as version 2
    combine([a, a]).save(tmp_path / "same.npz")
    same = json.loads(np.load(tmp_path / "same.npz")["meta"].tobytes())
    assert same["format_version"] == 2 and "member_features" not in same
    # hidden layers must still agree
    with pytest.raises(ModelError, match="layers"):
        combine([a, Model.from_params(mlp.init_params([1536, 8, 36], np.random.default_rng(3)))])


def test_refuses_member_features_that_do_not_fit(tmp_path):
    params, meta = _good_arrays()
    wide = mlp.init_params([1536, 16, 36], np.random.default_rng(4))
    more = {f"{k}_m1": v for k, v in wide.items()}
    kinds = ["pixels", "pixels+directions-v1"]
    ok = dict(meta, format_version=3, members=2, member_features=kinds)
    assert Model.load(_write(tmp_path / "ok.npz", ok, **params, **more)).member_features == kinds
    _refuses(_write(tmp_path / "v2.npz", dict(ok, format_version=2), **params, **more), "format_version 3")
    _refuses(_write(tmp_path / "n.npz", dict(ok, member_features=kinds[:1]), **params, **more), "member_features")
    _refuses(_write(tmp_path / "k.npz", dict(ok, member_features=["pixels", "edges"]), **params, **more),
             "member_features")
    _refuses(_write(tmp_path / "f.npz", dict(ok, member_features=kinds[::-1]), **params, **more), "member_features")
    # the second network's first layer must fit its own input
    _refuses(_write(tmp_path / "s.npz", dict(ok, member_features=["pixels", "pixels"]), **params, **more), "W1_m1")


def test_refuses_an_ensemble_with_a_member_missing(tmp_path):
    params, meta = _good_arrays()
    more = {f"{k}_m1": v for k, v in params.items() if k != "W2"}
    _refuses(_write(tmp_path / "m.npz", dict(meta, format_version=2, members=2), **params, **more), "W2_m1")
    _refuses(_write(tmp_path / "v.npz", dict(meta, format_version=1, members=2), **params, **more), "format_version")
