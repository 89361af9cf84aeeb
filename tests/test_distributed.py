"""ocr.distributed on a local Dask cluster: the same pages as a single process, failures reported."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="Dask is not installed (pip install -e '.[dask]')")

import ocr  # noqa: E402
from ocr import distributed as odist  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [str(ROOT / "samples" / "synthetic_page.png"), str(ROOT / "samples" / "ruled_note.png")]


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes: tasks, model and pages really cross process borders."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def model():
    return ocr.Model.load()


@pytest.fixture(scope="module")
def expected(model):
    return {p: ocr.read(p, model=model) for p in SAMPLES}


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(Path(SAMPLES[0]).read_bytes()[:300])  # a truncated PNG
    return str(path)


def test_same_pages_as_single_process(client, model, expected, broken):
    missing = str(Path(broken).with_name("missing.png"))
    paths = [SAMPLES[0], broken, SAMPLES[1], missing]
    results = odist.read_many(paths, client=client, model=model)  # the Model itself is shipped
    assert [r.path for r in results] == paths
    assert [r.ok for r in results] == [True, False, True, False]
    for r in results[0], results[2]:
        want = expected[r.path]
        assert r.error is None
        assert r.page.to_json() == want.to_json()
        assert r.page.to_text() == want.to_text()
        assert all(c.crop is None for c in r.page.chars)  # not shipped back by default
    path, page, error = results[1]  # a plain tuple too
    assert page is None and error.startswith(broken + ": ")
    assert results[3].error == f"{missing}: no such file"


def test_keep_crops_and_read_kwargs(client, model):
    [r] = odist.read_many(SAMPLES[:1], client=client, model=model, keep_crops=True, context=False)
    assert r.ok and all(c.crop is not None and c.crop.shape == (32, 32) for c in r.page.chars)
    assert r.page.to_json() == ocr.read(SAMPLES[0], model=model, context=False).to_json()


def test_bad_model_fails_before_any_image(client, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ocr.errors.ModelError, match="not a handocr model"):
        odist.read_many(SAMPLES, client=client, model=str(bad))


def test_own_local_cluster(expected):
    """client=None makes a LocalCluster and closes it afterwards."""
    [r] = odist.read_many(SAMPLES[1:], n_workers=1)
    assert r.page.to_json() == expected[SAMPLES[1]].to_json()


def test_command_with_scheduler(client, expected, broken, tmp_path, capsys):
    out = tmp_path / "out"
    code = odist.main([*SAMPLES, broken, "--scheduler", client.scheduler.address,
                       "-o", str(out), "--format", "json"])
    assert code == 1
    assert sorted(f.name for f in out.iterdir()) == ["ruled_note.json", "synthetic_page.json"]
    for p in SAMPLES:
        assert (out / (Path(p).stem + ".json")).read_text() == expected[p].to_json()
    err = capsys.readouterr().err
    assert f"handocr: error: {broken}: " in err
    assert "read 2 of 3 files" in err and "1 failed: " + broken in err


def test_command_to_stdout(client, expected, capsys):
    assert odist.main([SAMPLES[0], "--scheduler", client.scheduler.address]) == 0
    assert capsys.readouterr().out == expected[SAMPLES[0]].to_text()


def test_every_page_of_a_multi_page_tiff(client, model, expected, tmp_path, capsys):
    tiff = tmp_path / "scan.tif"
    from PIL import Image

    first, *rest = [Image.open(p).convert("L") for p in SAMPLES]
    first.save(tiff, save_all=True, append_images=rest)
    results = odist.read_many([str(tiff), SAMPLES[0]], client=client, model=model)
    assert [r.path for r in results] == [f"{tiff}[1]", f"{tiff}[2]", SAMPLES[0]]
    assert [r.page.text for r in results] == [expected[p].text for p in (*SAMPLES, SAMPLES[0])]
    out = tmp_path / "out"
    assert odist.main([str(tiff), "--scheduler", client.scheduler.address, "-o", str(out)]) == 0
    assert (out / "scan.txt").read_text() == "".join(
        f"==> {tiff}[{k}] <==\n{expected[p].to_text()}" + "\n" * (k == 1) for k, p in enumerate(SAMPLES, 1))
    assert "read 2 of 2 pages" in capsys.readouterr().err


def test_without_dask_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ImportError, match=r"pip install 'handocr\[dask\]'"):
        odist.read_many(SAMPLES)
