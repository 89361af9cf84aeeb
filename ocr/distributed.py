"""Read many images on a Dask cluster (``dask.distributed``).

An optional extra: ``pip install 'handocr[dask]'`` (from a checkout:
``pip install -e '.[dask]'``). This module imports without Dask; its functions
raise an :class:`ImportError` that says how to install it.

>>> from ocr.distributed import read_many
>>> results = read_many(["a.jpg", "b.jpg"])            # doctest: +SKIP
>>> for r in results:                                   # doctest: +SKIP
...     print(r.path, r.page.text if r.ok else r.error)

Every file is read by :func:`ocr.read` on a worker, exactly as in a single
process, so the pages are the same byte for byte in every output format. The
model is loaded once, in the calling process (a bad model fails there, before
any image is read), and broadcast to the workers once: each worker keeps one
copy in memory for all the files it reads.

The workers open the files themselves, so with a remote scheduler every path
must be readable by every worker (a shared file system, same paths).

Command line::

    python -m ocr.distributed FILES... [--scheduler ADDRESS] [-o DIR] [--format text|json]
"""

import argparse
import os
import sys
import time
from typing import NamedTuple, Optional

INSTALL_HINT = "handocr's Dask support needs dask.distributed: pip install 'handocr[dask]'"


class ReadResult(NamedTuple):
    """The outcome of reading one file.

    A named tuple, so ``path, page, error = result`` works as well as
    ``result.page``. Exactly one of `page` and `error` is None.

    Attributes
    ----------
    path : str
        The input path, as given (``os.fspath`` of it).
    page : ocr.page.Page or None
        The read page; None when the file failed.
    error : str or None
        One line naming the file and the problem (as ``handocr read`` prints it
        after ``handocr: error:``); None on success.
    """

    path: str
    page: Optional[object]
    error: Optional[str]

    @property
    def ok(self):
        """True when the file was read."""
        return self.error is None


def _require_distributed():
    """Import and return ``dask.distributed``, or raise ImportError with the install hint."""
    try:
        import distributed
    except ImportError as e:
        raise ImportError(f"{INSTALL_HINT} ({e})") from None
    return distributed


def _internal_error(name, e):
    """One line for an unexpected exception (a bug) on input `name`."""
    detail = (str(e).splitlines() or [""])[0][:200]
    return f"{name}: internal error, please report: {type(e).__name__}: {detail}"


def _read_task(path, model, keep_crops, read_kwargs):
    """Read every page of one file on a worker; never raises for a bad input.

    Returns a list of ReadResult: one for most files, one a page for a multi-page
    TIFF (named ``scan.tif[2]``, as ``handocr read`` names them).
    """
    from .cli import pages_of
    from .errors import HandocrError
    from .load import load_image
    from .pipeline import read

    results = []
    for shown, name, k, _ in pages_of([os.fspath(path)]):
        try:
            loaded = load_image(name, page=k, name=shown,
                                **{o: read_kwargs[o] for o in ("max_pixels", "work_pixels") if o in read_kwargs})
            page = read(loaded, model=model, **read_kwargs)
        except HandocrError as e:
            results.append(ReadResult(shown, None, str(e)))
            continue
        except MemoryError:
            results.append(ReadResult(shown, None, f"{shown}: not enough memory"))
            continue
        except Exception as e:  # a bug must not take the rest of the set down with it
            results.append(ReadResult(shown, None, _internal_error(shown, e)))
            continue
        if not keep_crops:
            for ch in page.chars:
                ch.crop = None  # the 32x32 classifier inputs: big to ship back, rarely wanted
        results.append(ReadResult(shown, page, None))
    return results


def _local_client(distributed, n_workers=None):
    """A Client on a new LocalCluster: one single-threaded worker process per core."""
    n = n_workers or os.cpu_count() or 1
    cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    return distributed.Client(cluster)


def iter_read(paths, client=None, model=None, *, keep_crops=False, n_workers=None, **read_kwargs):
    """Read files on a Dask cluster, yielding each result as soon as it is ready.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        Image files, readable by every worker under the same path.
    client : distributed.Client, optional
        Where to run. None: a new ``LocalCluster`` (one single-threaded worker
        process per core, or `n_workers`), closed when the iteration ends.
    model : ocr.model.Model or str or os.PathLike, optional
        Classifier or model file; the bundled model when None. Loaded here, once,
        and sent once to each worker.
    keep_crops : bool
        Keep every character's 32x32 classifier input (``Char.crop``) in the
        returned pages. Off by default: with them a page is about 70 times larger.
    n_workers : int, optional
        Workers of the local cluster made when `client` is None.
    **read_kwargs
        Passed on to :func:`ocr.read` (``max_pixels``, ``work_pixels``,
        ``context``).

    Yields
    ------
    index : int
        Position of the file in `paths`. Every page of a multi-page TIFF is a result
        of its own (named ``scan.tif[2]``), the file's pages yielded one after another
        under the same index.
    result : ReadResult

    Raises
    ------
    ImportError
        Dask (``distributed``) is not installed.
    ocr.errors.ModelError
        The model file cannot be used (before any image is read).
    """
    for i, results in _iter_files(paths, client, model, keep_crops, n_workers, read_kwargs):
        for result in results:
            yield i, result


def _iter_files(paths, client, model, keep_crops, n_workers, read_kwargs):
    """:func:`iter_read`'s work: yields ``(index, results)``, all of a file's pages at once."""
    distributed = _require_distributed()
    from .model import Model

    paths = list(paths)
    if model is None or isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
        model = Model.load(model)
    if not paths:
        return
    own = client is None
    if own:
        client = _local_client(distributed, n_workers)
    try:
        model_f = client.scatter(model, broadcast=True, hash=False)
        futures = client.map(_read_task, paths, model=model_f, keep_crops=keep_crops,
                             read_kwargs=read_kwargs, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for f in distributed.as_completed(futures):
                i = index[f.key]
                if f.status == "finished":
                    results = f.result()
                else:  # the task itself died (e.g. its worker was killed); say so, go on
                    name = os.fspath(paths[i])
                    try:
                        exc = f.exception()
                    except Exception as e:
                        exc = e
                    results = [ReadResult(name, None, f"{name}: failed on the cluster: "
                                          f"{type(exc).__name__}: {exc}")]
                f.release()
                yield i, results
        finally:
            client.cancel(futures)
            model_f.release()
    finally:
        if own:
            cluster = client.cluster
            client.close()
            cluster.close()


def read_many(paths, client=None, model=None, **kwargs):
    """Read many image files on a Dask cluster; a failed file does not stop the others.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        Image files, readable by every worker under the same path.
    client : distributed.Client, optional
        Where to run. None: a new ``LocalCluster`` (one single-threaded worker
        process per core), closed afterwards.
    model : ocr.model.Model or str or os.PathLike, optional
        Classifier or model file; the bundled model when None. Loaded once here
        (a bad model raises before any image is read) and sent once to each worker.
    **kwargs
        ``keep_crops``, ``n_workers`` (see :func:`iter_read`) and the keyword
        arguments of :func:`ocr.read` (``max_pixels``, ``work_pixels``, ``context``).

    Returns
    -------
    results : list of ReadResult
        One per path, in the order of `paths`: ``(path, page, None)`` for a read
        file, ``(path, None, message)`` for a failed one; a multi-page TIFF gives one
        a page, in order, named ``scan.tif[1]``, ``scan.tif[2]``, ... Each page equals
        ``ocr.read(path, model=model, ...)`` in a single process.

    Raises
    ------
    ImportError
        Dask (``distributed``) is not installed.
    ocr.errors.ModelError
        The model file cannot be used.

    Examples
    --------
    >>> from distributed import Client                      # doctest: +SKIP
    >>> with Client("tcp://scheduler:8786") as client:      # doctest: +SKIP
    ...     results = read_many(paths, client=client)
    >>> failed = [r for r in results if not r.ok]           # doctest: +SKIP
    """
    paths = list(paths)
    results = [[] for _ in paths]
    for i, r in iter_read(paths, client=client, model=model, **kwargs):
        results[i].append(r)
    return [r for file_results in results for r in file_results]


# ----------------------------------------------------------------------------- command line

EXTENSIONS = {"text": ".txt", "json": ".json"}


def _output_names(paths, folder, fmt):
    """Output file of every input: DIR/<stem>.txt|json. Raises ValueError when two collide."""
    out, seen = [], {}
    for p in paths:
        stem = os.path.splitext(os.path.basename(p))[0]
        target = os.path.join(folder, stem + EXTENSIONS[fmt])
        if target in seen:
            raise ValueError(f"{seen[target]} and {p} would both be written to {target}")
        seen[target] = p
        out.append(target)
    return out


def main(argv=None):
    """``python -m ocr.distributed``: read files on a Dask cluster. Returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m ocr.distributed",
        description="Read the handwritten text of many images on a Dask cluster "
                    "(a new local cluster unless --scheduler is given).",
        epilog="Exit codes: 0 success; 1 some inputs failed (listed on stderr) or the model "
               "cannot be used; 2 usage error.")
    parser.add_argument("files", nargs="+", metavar="FILES",
                        help="image files, globs or folders (every image in them)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="address of a running scheduler, e.g. tcp://10.0.0.5:8786; "
                             "the files must be readable by its workers under the same paths")
    parser.add_argument("-w", "--workers", type=int, metavar="N",
                        help="workers of the local cluster (default: one per core)")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="write one file per image into DIR (default: stdout)")
    parser.add_argument("-f", "--format", dest="fmt", choices=list(EXTENSIONS), default="text",
                        help="text (default) or json")
    parser.add_argument("-m", "--model", metavar="PATH", help="model file (default: the bundled model)")
    parser.add_argument("--max-pixels", type=int, default=100_000_000, metavar="N",
                        help="refuse images claiming more pixels than this (default 100000000)")
    parser.add_argument("--no-context", action="store_true",
                        help="classify each character alone, without the word's context")
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.max_pixels < 1:
        parser.error("--max-pixels must be at least 1")

    try:
        distributed = _require_distributed()
    except ImportError as e:
        print(f"handocr: error: {e}", file=sys.stderr)
        return 1
    from .atomic import write_text
    from .cli import expand_inputs, render
    from .errors import HandocrError

    paths = expand_inputs(args.files)
    if "-" in paths:
        parser.error("stdin (-) is not supported here; use handocr read")
    targets = None
    if args.output:
        try:
            targets = _output_names(paths, args.output, args.fmt)
        except ValueError as e:
            parser.error(str(e))
        os.makedirs(args.output, exist_ok=True)

    start = time.perf_counter()
    client = None
    if args.scheduler:
        try:
            client = distributed.Client(args.scheduler, timeout="10s")
        except (OSError, TimeoutError) as e:
            print(f"handocr: error: cannot reach scheduler {args.scheduler}: {e}", file=sys.stderr)
            return 1
    try:
        n_workers = len(client.scheduler_info()["workers"]) if client else (
            args.workers or os.cpu_count() or 1)
        by_file = [[] for _ in paths]
        for i, file_results in _iter_files(paths, client, args.model, False, args.workers,
                                           dict(max_pixels=args.max_pixels, context=not args.no_context)):
            by_file[i] = file_results
            for r in file_results:
                if not r.ok:
                    print(f"handocr: error: {r.error}", file=sys.stderr)
            done = [r.page for r in file_results if r.ok]
            if done and targets:
                write_text(targets[i], render(done, args.fmt))  # a multi-page TIFF's pages together
    except HandocrError as e:
        print(f"handocr: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Aborted!", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()
    results = [r for file_results in by_file for r in file_results]
    pages = [r.page for r in results if r.ok]
    if not targets and pages:
        sys.stdout.write(render(pages, args.fmt))
    failed = [r for r in results if not r.ok]
    where = args.scheduler or "a local cluster"
    unit = "files" if len(results) == len(paths) else "pages"  # a multi-page TIFF's pages count
    print(f"handocr: read {len(results) - len(failed)} of {len(results)} {unit} in "
          f"{time.perf_counter() - start:.1f} s on {n_workers} worker{'s' * (n_workers != 1)} ({where})"
          + (f"; {len(failed)} failed: " + ", ".join(r.path for r in failed) if failed else ""),
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    # Run the importable module's main, not this __main__ copy: the tasks and results
    # sent to worker processes must refer to ocr.distributed, which workers can import.
    from ocr.distributed import main as _main

    sys.exit(_main())
