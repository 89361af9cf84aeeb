"""Atomic writes (ocr.atomic): through links, and in place on pipes and devices."""

import os
import stat
import threading

import pytest

from ocr import atomic


def test_a_file_is_replaced_whole_and_nothing_is_left_beside_it(tmp_path):
    f = tmp_path / "out.txt"
    f.write_text("old")
    atomic.write_text(f, "new")
    assert f.read_text() == "new" and os.listdir(tmp_path) == ["out.txt"]


def test_a_symbolic_link_is_written_through(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic.write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["link.txt", "real.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_is_written_into_not_replaced(tmp_path):
    # renaming a temporary file onto /dev/null or a pipe would replace the device itself
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    atomic.write_text(fifo, "through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe"]


def test_a_folder_that_cannot_be_written_in_is_an_output_error(tmp_path):
    from ocr.errors import OutputError

    with pytest.raises(OutputError, match="does not exist"):
        atomic.check_folder(tmp_path / "missing" / "out.txt")
    atomic.check_folder(tmp_path / "out.txt")  # its folder is there
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=r"file/out.txt: cannot write"):
        atomic.write_text(blocker / "out.txt", "new")
    with pytest.raises(OutputError, match="cannot write"):  # renaming onto a folder fails
        atomic.write_text(tmp_path, "new")
    assert sorted(os.listdir(tmp_path)) == ["file"]
