"""The ``handocr`` command line.

Data goes to stdout (or ``-o``); progress and messages go to stderr.

Exit codes: 0 success, 1 some input failed (the failures are listed on stderr),
2 usage error (bad option or argument).
"""

import glob
import os
import sys

import click

from . import progress

IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif", ".pnm", ".ppm", ".pgm",
              ".heic", ".heif")
FORMATS = {"text": ".txt", "json": ".json", "tsv": ".tsv", "hocr": ".hocr"}

EXIT_HELP = """\b
Exit codes:
  0  success
  1  an input (image, model, data) could not be used; the others were processed
  2  usage error (unknown option, bad value)
"""


class _Group(click.Group):
    """The command group: an input or output handocr refuses ends in one line, not a traceback."""

    def invoke(self, ctx):
        from .errors import HandocrError

        try:
            return super().invoke(ctx)
        except HandocrError as e:
            raise click.ClickException(str(e)) from None


@click.group(cls=_Group, epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "--version", package_name="handocr", prog_name="handocr",
                      message="%(prog)s %(version)s")  # looked up only when asked
def main():
    """Read handwritten block capitals and digits from photos.

    \b
    handocr read PHOTO.jpg            print the text, line by line
    handocr boxes PHOTO.jpg -o x.png  draw letter boxes, lines, words, labels
    handocr train DATA... -o m.npz    train the NumPy MLP classifier
    handocr eval DATA                 accuracy / character error rate
    """


@main.command(epilog=EXIT_HELP)
@click.argument("data", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Where to write the trained model (.npz).")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=1e-3, show_default=True,
              help="Learning rate (Adam).")
@click.option("--epochs", type=click.IntRange(min=1), default=30, show_default=True,
              help="Passes over the training data.")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True,
              help="Mini-batch size.")
@click.option("--hidden", default="512,256", show_default=True,
              help="Hidden layer sizes, comma separated (e.g. 64 or 512,256).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: same seed and data give the same weights.")
@click.option("--features", type=click.Choice(["pixels", "directions", "deskewed", "moments"]), default="pixels",
              show_default=True,
              help="Network input: the 32x32 pixels; the pixels plus stroke directions "
                   "per 4x4 cell; both of the crop sheared upright, plus its slant; or "
                   "both of the crop sheared upright, centred on its ink's centre of mass "
                   "and scaled by its spread, plus the slant, scale and aspect "
                   "(ocr.features). The bundled model averages five pixel, five "
                   "deskewed and two moments networks (models/README.md).")
@click.option("--crossed", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of the 7, Z and 0 samples drawn crossed by a bar (7, Z) or slashed (0), "
                   "as many people write them; the data has few.")
@click.option("--init", "init", type=click.Path(exists=True, dir_okay=False),
              help="Start from this model's network (tuning it further) instead of random weights; "
                   "--member picks one of an ensemble's networks. --hidden and --features must match it.")
@click.option("--member", type=click.IntRange(min=0), default=0, show_default=True,
              help="With --init: which of the model's networks to start from (0 = the first).")
@click.option("--plots", type=click.Path(file_okay=False),
              help="Folder for training curves, confusion matrix and first-layer weights (PNG).")
@click.option("--checkpoint", type=click.Path(dir_okay=False),
              help="Save a checkpoint here after every epoch.")
@click.option("--resume", type=click.Path(exists=True, dir_okay=False),
              help="Resume from a checkpoint written by --checkpoint.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or per-epoch report.")
def train(data, output, lr, epochs, batch_size, hidden, seed, features, crossed, init, member, plots, checkpoint,
          resume, quiet):
    """Train the classifier on labelled characters and write a model file.

    DATA are NIST36/NIST26 .mat files (a *_train.mat uses its sibling *_valid.mat
    for validation), folders of LABEL/*.png crops, or the shared data folder
    (../shared/data, its emnist/ and photo_chars/ parts). Prints training loss and
    accuracy and validation accuracy after every epoch.
    """
    from .train import cli_train

    cli_train(data=data, output=output, lr=lr, epochs=epochs, batch_size=batch_size,
              hidden=hidden, seed=seed, plots=plots, checkpoint=checkpoint, resume=resume,
              quiet=quiet, features=features, crossed=crossed, init=init, member=member)


@main.command(epilog=EXIT_HELP)
@click.argument("models", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Where to write the combined model (.npz).")
@click.option("--name", help="The combined model's name (default: the first model's).")
def combine(models, output, name):
    """Combine trained models into one that averages their probabilities.

    MODELS are model files with the same classes and hidden layers, e.g.
    `handocr train` runs with different --seed values; their inputs may differ
    (--features pixels, directions, deskewed or moments: each network keeps its own). The combined
    file holds every network; reading costs about as many times the classifier's
    share of the time (a few milliseconds a page each). The bundled model is
    such an ensemble of twelve (models/README.md).
    """
    import numpy as np

    from .model import Model, combine as combine_models

    combined = combine_models([Model.load(m) for m in models], name=name)
    combined.save(output, dtype=np.float16)
    say(f"{output}: {len(combined.members)} networks", False)


# ----------------------------------------------------------------------------- helpers

def run():
    """Console-script entry point: :func:`main`, then exit without interpreter teardown.

    Tearing down the interpreter (freeing every module, NumPy's included) takes
    30-60 ms here, a tenth of a whole ``handocr read``. All work is finished by then:
    outputs are written and closed (:mod:`ocr.atomic`), worker pools are shut down.
    So the exit handlers registered with :mod:`atexit` run, stdout and stderr are
    flushed, and the process ends with :func:`os._exit`.
    """
    import atexit

    try:
        main()  # standalone mode: always ends in SystemExit
        code = 0
    except SystemExit as e:
        code = e.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the data did not all get out
            code = code or 1
    os._exit(code)


def _small_blas():
    """One BLAS thread for reading: the classifier's matrices are small, and
    threads only fight over the cores (and with -j workers). Must run before
    numpy is imported; a value the user set is kept."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def say(msg, quiet=False):
    """Chatter goes to stderr, never to stdout (which carries the data)."""
    if not quiet:
        click.echo(msg, err=True)


def expand_inputs(args):
    """Expand arguments into image inputs: files, globs, folders (their images), ``-`` (stdin).

    Returns a list of names; names that match nothing are kept so that they are
    reported as missing.
    """
    out = []
    for a in args:
        if a == "-":
            out.append("-")
        elif os.path.isdir(a):
            found = sorted(os.path.join(a, f) for f in os.listdir(a) if f.lower().endswith(IMAGE_EXTS))
            out.extend(found or [a])
        elif not os.path.exists(a) and glob.has_magic(a):
            out.extend(sorted(glob.glob(a)) or [a])
        else:
            out.append(a)
    return out


def pages_of(names, stdin=None):
    """Every page of the inputs: ``(shown name, input, page, index of the input)``.

    A multi-page TIFF gives one item a page, shown as ``scan.tif[2]`` (numbered from
    1; ``<stdin>[2]`` for the bytes `stdin` of ``-``); any other input is one page,
    shown as it is named. Only ``.tif``/``.tiff`` files and stdin's bytes are opened
    to count (:func:`ocr.load.page_count`).
    """
    from .load import page_count

    out = []
    for i, n in enumerate(names):
        k = 1
        if n == "-" and stdin:
            k = page_count(stdin)
        elif n.lower().endswith((".tif", ".tiff")):
            k = page_count(n)
        shown = "<stdin>" if n == "-" else n
        out += [(n, n, 0, i)] if k == 1 else [(f"{shown}[{p + 1}]", n, p, i) for p in range(k)]
    return out


def _load_model(path):
    from .model import Model

    return Model.load(path)


def _load_lexicon(source, off=False):
    """The lexicon for `--lexicon SOURCE`, None for `--no-lexicon`; without either, the
    English one, or none (with a note on stderr) when pyspellchecker is missing."""
    from .errors import HandocrError
    from .lexicon import Lexicon

    if off:
        return None
    try:
        return Lexicon.load(source or "en")
    except HandocrError as e:
        if source is None:
            click.echo(f"handocr: {e}; reading without a lexicon", err=True)
            return None
        raise click.ClickException(str(e)) from None


def _prepare(loaded):
    """The pipeline's image stages (imported on the loading thread, not before)."""
    from .pipeline import prepare

    return prepare(loaded)


def _source(name):
    return sys.stdin.buffer.read() if name == "-" else name


_WORKER = {}


def _read_one(job, fetch=None):
    """Read one input; returns (name, page or None, error message or None). Runs in workers.

    `fetch`, when given, returns the input already loaded and through the image stages
    (:meth:`ocr.load.LoadAhead.take`).
    """
    from .errors import HandocrError
    from .pipeline import read

    name, path, number, model_path, max_pixels, context = job
    shown = "<stdin>" if name == "-" else name
    try:
        model = _WORKER.get(model_path)
        if model is None:
            model = _WORKER[model_path] = _load_model(model_path)
        if fetch:
            src = fetch()
        else:
            from .load import load_image

            src = load_image(_WORKER["-"] if path == "-" else path, max_pixels=max_pixels,
                             name=shown, page=number)
        page = read(src, model=model, max_pixels=max_pixels, context=context, name=shown,
                    lexicon=_WORKER.get("lexicon"))
        for ch in page.chars:
            ch.crop = None  # not needed by the caller; keeps results small across processes
        return name, page, None
    except HandocrError as e:
        return name, None, str(e)
    except MemoryError:
        return name, None, f"{name}: not enough memory"
    except Exception as e:  # a bug must not take the rest of a batch down with it
        return name, None, _internal_error(shown, e)


def _internal_error(name, e):
    """One line for an unexpected exception (a bug) on input `name`."""
    detail = (str(e).splitlines() or [""])[0][:200]
    return f"{name}: internal error, please report: {type(e).__name__}: {detail}"


def render(pages, fmt):
    """Several pages in one document of `fmt` (for stdout)."""
    if fmt == "json":
        import json

        if len(pages) == 1:
            return pages[0].to_json()
        return json.dumps([p.to_dict() for p in pages], indent=2) + "\n"
    if fmt == "tsv":
        from .page import TSV_HEADER

        rows = [TSV_HEADER]
        for k, p in enumerate(pages, 1):
            rows += ["\t".join(str(v) for v in r) for r in p.tsv_rows(page_num=k)]
        return "\n".join(rows) + "\n"
    if fmt == "hocr":
        from .page import pages_to_hocr

        return pages_to_hocr(pages)
    if len(pages) == 1:
        return pages[0].to_text()
    return "\n".join(f"==> {p.name} <==\n{p.to_text()}" for p in pages)


# ----------------------------------------------------------------------------- read

@main.command(epilog=EXIT_HELP)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(),
              help="Output file (one input) or folder (several inputs: one file per image, "
                   "a multi-page TIFF's pages together). "
                   "Default: stdout.")
@click.option("-f", "--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True,
              help="text: lines of words; json: boxes and confidences; tsv: Tesseract's TSV "
                   "columns; hocr: XHTML as Tesseract writes it.")
@click.option("-m", "--model", "model_path", type=click.Path(dir_okay=False),
              help="Model file (.npz) to classify with. Default: the bundled model.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0,
              help="Images read in parallel. Default 0: one per CPU core.")
@click.option("--max-pixels", type=click.IntRange(min=1), default=100_000_000, show_default=True,
              help="Refuse images claiming more pixels than this (decompression bombs). "
                   "Large photos under it are downscaled, not refused.")
@click.option("--no-context", is_flag=True,
              help="Classify each character alone, without the word's letter/digit context.")
@click.option("--lexicon", metavar="en|FILE",
              help="Re-read unsure words that are no word as dictionary words: 'en' (English, "
                   "the default) or a file of words, one per line (optionally with a count). "
                   "A word read may also become one the classifier saw as well in it (JUKE reads JUNE). "
                   "Characters the classifier is sure of never change (but in a reading of six or more "
                   "one letter from a word: BEFORF reads BEFORE), nor numbers or single characters, "
                   "but a stroke read I as much as 1, which the words beside it decide (I WILL, BRING 1 TOWEL).")
@click.option("--no-lexicon", is_flag=True, help="Keep every word as the classifier reads it.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
def read(inputs, output, fmt, model_path, jobs, max_pixels, no_context, lexicon, no_lexicon, quiet):
    """Read the handwritten text of images.

    INPUTS are image files (JPEG, PNG, TIFF, WebP, ...), globs ("notes/*.jpg"),
    folders (every image in them) or - for an image on stdin. The text comes
    out one page line per output line, words separated by single spaces. Every
    page of a multi-page TIFF is read (named scan.tif[1], scan.tif[2], ...).

    \b
    Examples:
      handocr read photo.jpg
      handocr read scans/ -o out/ --format json -j 2
      cat photo.jpg | handocr read - --format hocr > photo.hocr
      handocr read codes.jpg --no-lexicon    # part numbers, not words
    """
    _small_blas()
    from .atomic import check_folder, write_text

    names = expand_inputs(inputs)
    _WORKER.pop("-", None)
    if "-" in names:
        _WORKER["-"] = sys.stdin.buffer.read()
    items = pages_of(names, _WORKER.get("-"))  # a multi-page TIFF's pages, one by one
    to_dir = bool(output) and (len(names) > 1 or os.path.isdir(output))
    if output and not to_dir:
        check_folder(output)  # before the reading, not after it
    n_jobs = min(jobs or os.cpu_count() or 1, len(items))
    ahead = None
    if _serial(n_jobs):
        from .load import LoadAhead

        # The first image is decoded and analysed on a thread while the model
        # loads, each next one while the one before is classified.
        ahead = LoadAhead([(_WORKER["-"], "<stdin>" if n == "-" else n, k) if path == "-" else (path, n, k)
                           for n, path, k, _ in items],
                          then=_prepare, max_pixels=max_pixels)
    _WORKER[model_path] = _load_model(model_path)  # a bad model fails once, before any image
    _WORKER["lexicon"] = _load_lexicon(lexicon, no_lexicon)
    if to_dir:
        os.makedirs(output, exist_ok=True)
    targets = _output_names(names, FORMATS[fmt])
    last_page = {i: n for n, _, _, i in items}  # an input's file is written after its last page
    jobs_list = [(n, path, k, model_path, max_pixels, not no_context) for n, path, k, _ in items]
    pages, failed, done = [], [], []
    with progress.bar(range(len(items)), "Reading", quiet or len(items) < 2) as bar:
        for (shown, _, _, i), (name, page, err) in zip(items, _map_jobs(_read_one, jobs_list, n_jobs, ahead)):
            bar.update(1)
            if err:
                failed.append((name, err))
            elif to_dir:
                done.append(page)
            else:
                pages.append(page)
            if to_dir and shown == last_page[i]:
                # written as soon as read: an interrupted batch keeps what is done
                if done:
                    write_text(os.path.join(output, targets[i]), render(done, fmt))
                done = []
    for _, err in failed:
        click.echo(f"handocr: error: {err}", err=True)
    if pages and output:
        write_text(output, render(pages, fmt))
    elif pages:
        click.echo(render(pages, fmt), nl=False)
    if failed:
        if len(items) > 1:
            say(f"handocr: {len(failed)} of {len(items)} inputs failed: "
                + ", ".join(n for n, _ in failed))
        sys.exit(1)


def _serial(n_jobs):
    """Whether jobs run in this process (one job, no fork, or stdin's bytes to share)."""
    return n_jobs < 2 or not hasattr(os, "fork") or "-" in _WORKER


def _map_jobs(fn, jobs, n_jobs, ahead=None):
    """Yield fn(job) for each job, in order, on `n_jobs` forked processes when > 1.

    When run in this process, ``fn(job, ahead.take)`` gets its image from `ahead`
    (an :class:`ocr.load.LoadAhead` over the same inputs), if given.
    """
    if _serial(n_jobs):
        for job in jobs:
            yield fn(job, ahead.take) if ahead else fn(job)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # Forked workers inherit the model already loaded in _WORKER.
    with ProcessPoolExecutor(n_jobs, mp_context=mp.get_context("fork")) as ex:
        yield from ex.map(fn, jobs)


def _output_names(names, ext):
    """One output file name per input: its stem plus `ext`, made unique (x.txt, x-2.txt)."""
    out, seen = [], {}
    for n in names:
        stem = "stdin" if n == "-" else os.path.splitext(os.path.basename(n.rstrip("/")))[0]
        seen[stem] = seen.get(stem, 0) + 1
        out.append(stem + ext if seen[stem] == 1 else f"{stem}-{seen[stem]}{ext}")
    return out


# ----------------------------------------------------------------------------- boxes

@main.command(epilog=EXIT_HELP)
@click.argument("image", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Where to write the overlay (PNG).")
@click.option("-m", "--model", "model_path", type=click.Path(dir_okay=False),
              help="Model file (.npz). Default: the bundled model.")
@click.option("--crops", type=click.Path(dir_okay=False),
              help="Also write the 32x32 classifier inputs as a labelled contact sheet (PNG).")
@click.option("--low", type=click.FloatRange(0, 1), default=0.6, show_default=True,
              help="Shade characters whose confidence is below this.")
@click.option("--max-pixels", type=click.IntRange(min=1), default=100_000_000, show_default=True,
              help="Refuse images claiming more pixels than this.")
@click.option("--page", "page_number", type=click.IntRange(min=1), default=1, show_default=True,
              help="Which page of a multi-page TIFF to draw.")
@click.option("--lexicon", metavar="en|FILE", help="As for read (default: English).")
@click.option("--no-lexicon", is_flag=True, help="As for read: the classifier's own reading.")
def boxes(image, output, model_path, crops, low, max_pixels, page_number, lexicon, no_lexicon):
    """Draw what the reader sees: letter boxes, lines, words and predicted labels.

    Each text line gets its own colour; a frame surrounds each word; every box is
    labelled with its character and confidence (percent); low-confidence
    characters are shaded red. The recognised text is printed on stdout, as
    `handocr read` reads it with the same options.
    """
    _small_blas()
    import numpy as np

    from .atomic import atomic_path, check_folder
    from .errors import HandocrError
    from .load import load_image
    from .overlay import contact_sheet, draw_overlay
    from .pipeline import read as read_page

    for path in (output, crops):
        if path:
            check_folder(path)
    model = _load_model(model_path)
    words = _load_lexicon(lexicon, no_lexicon)
    src = _source(image)
    try:
        loaded = load_image(src, max_pixels=max_pixels, name=image, page=page_number - 1)
        page = read_page(loaded, model=model, lexicon=words)
    except HandocrError as e:
        raise click.ClickException(str(e)) from None
    except MemoryError:
        raise click.ClickException(f"{image}: not enough memory") from None
    except Exception as e:  # a bug: one line, not a traceback
        raise click.ClickException(_internal_error(image, e)) from None
    pic = draw_overlay(loaded.grey, page, loaded.scale, low_conf=low)
    with atomic_path(output, suffix=".png") as tmp:
        pic.save(tmp, format="PNG")
    if crops:
        cs = [c.crop for c in page.chars]
        sheet = contact_sheet(np.stack(cs) if cs else np.ones((0, 32, 32)),
                              [f"{c.text}{int(100 * c.conf)}" for c in page.chars])
        with atomic_path(crops, suffix=".png") as tmp:
            sheet.save(tmp, format="PNG")
    click.echo(page.to_text(), nl=False)


# ----------------------------------------------------------------------------- eval

def _page_pairs(folder):
    """(image, ground truth) pairs of a folder: every <name>.gt.txt with an image beside it."""
    pairs = []
    for gt in sorted(glob.glob(os.path.join(folder, "*.gt.txt"))):
        stem = gt[: -len(".gt.txt")]
        img = next((stem + e for e in IMAGE_EXTS if os.path.exists(stem + e)), None)
        if img:
            pairs.append((img, gt))
    return pairs


@main.command("eval", epilog=EXIT_HELP)
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-m", "--model", "model_path", type=click.Path(dir_okay=False),
              help="Model file (.npz). Default: the bundled model.")
@click.option("--split", type=click.Choice(["valid", "all"]), default="valid", show_default=True,
              help="For character data: only the part held out from training (as `handocr train` "
                   "splits it with the model's seed), or all of it.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--plots", type=click.Path(file_okay=False),
              help="Folder for a confusion matrix (characters) or aligned mistakes (pages).")
@click.option("--lexicon", metavar="en|FILE",
              help="For pages: read them as `handocr read --lexicon` does (default: en).")
@click.option("--no-lexicon", is_flag=True, help="For pages: read them as `handocr read --no-lexicon` does.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def evaluate(data, model_path, split, as_json, plots, lexicon, no_lexicon, quiet):
    """Measure accuracy on labelled characters, or character error rate on pages.

    DATA is a folder of page images with <name>.gt.txt ground truth (prints the
    character error rate of each page, spaces and punctuation ignored, and the
    layout error rate where spaces and line breaks count), or labelled
    characters: a NIST .mat file, a folder of LABEL/*.png crops, an EMNIST
    folder or the shared data folder (prints accuracy and per-class figures).
    """
    import json

    model = _load_model(model_path)
    result = {"model": model.name, "pages": [], "characters": []}
    words = []  # the lexicon, loaded for the first folder of pages
    for path in data:
        pairs = _page_pairs(path) if os.path.isdir(path) else []
        if pairs:
            if not words:
                words.append(_load_lexicon(lexicon, no_lexicon))
                result["lexicon"] = words[0].name if words[0] is not None else None
            result["pages"].extend(_eval_pages(pairs, model, quiet, words[0]))
        else:
            result["characters"].extend(_eval_chars(path, model, split))
    if plots:
        _eval_plots(plots, result)
    for r in result["characters"]:
        r.pop("confusion", None)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    if result["pages"]:
        click.echo(f"{'page':24s} {'cer':>7s} {'layout':>7s} {'lines':>6s} {'time':>6s}")
        for p in result["pages"]:
            click.echo(f"{os.path.basename(p['image']):24s} {p['cer']:7.3f} {p['cer_layout']:7.3f} "
                       f"{p['exact_lines']:6.2f} {p['time']:5.2f}s")
        errs = sum(p["errors"] for p in result["pages"])
        chars = sum(p["chars"] for p in result["pages"])
        click.echo(f"{'all pages':24s} {errs / max(1, chars):7.3f}")
    for r in result["characters"]:
        click.echo(f"{r['data']} ({r['split']}): accuracy {r['accuracy']:.4f} on {r['n']} characters "
                   f"(class-balanced {r['balanced']:.4f}, O=0 and I=1 as one {r['merged']:.4f})")
        worst = sorted(r["per_class"].items(), key=lambda kv: kv[1]["accuracy"])[:5]
        click.echo("  worst classes: " + ", ".join(f"{c} {v['accuracy']:.3f}" for c, v in worst))
        click.echo("  most confused: " + ", ".join(f"{p['true']}->{p['pred']} {p['count']}"
                                                 for p in r["confused"][:8]))


def _eval_pages(pairs, model, quiet, lexicon=None):
    import time

    from .evaluate import page_scores
    from .pipeline import read as read_page

    out = []
    with progress.bar(pairs, "Pages", quiet or len(pairs) < 2) as bar:
        for img, gt in bar:
            t = time.perf_counter()
            page = read_page(img, model=model, lexicon=lexicon)
            dt = time.perf_counter() - t
            with open(gt, encoding="utf-8") as f:
                truth = f.read()
            s = page_scores(truth, page.text)
            out.append({"image": img, **{k: round(v, 4) if isinstance(v, float) else v for k, v in s.items()},
                        "time": round(dt, 3), "text": page.text, "truth": truth})
    return out


def _eval_chars(path, model, split):
    import numpy as np

    from .evaluate import char_report

    if split == "valid":
        from .train import gather

        sources = gather([path])
        parts = [(f"{path}:{s.name}", s.Xva, s.yva) for s in sources]
    else:
        from .datasets import load_labelled

        X, y = load_labelled(path)
        parts = [(str(path), X, y)]
    out = []
    for name, X, y in parts:
        pred = model.predict_proba(X).argmax(axis=1) if len(y) else np.zeros(0, int)
        r = char_report(y, pred, model.classes)
        r.update({"data": name, "split": split})
        out.append(r)
    return out


def _eval_plots(folder, result):
    from .plots import confusion_plot, page_mistakes_plot

    os.makedirs(folder, exist_ok=True)
    from .atomic import write_text

    for k, r in enumerate(result["characters"]):
        confusion_plot(r["confusion"], os.path.join(folder, f"confusion_{k + 1}.png"), title=r["data"])
        rows = ["| true | read as | count |", "|---|---|---:|"]
        rows += [f"| {p['true']} | {p['pred']} | {p['count']} |" for p in r["confused"]]
        write_text(os.path.join(folder, f"confused_{k + 1}.md"),
                   f"Most confused pairs, {r['data']} ({r['split']}, {r['n']} characters)\n\n"
                   + "\n".join(rows) + "\n")
    if result["pages"]:
        page_mistakes_plot(result["pages"], os.path.join(folder, "page_mistakes.png"))


# ----------------------------------------------------------------------------- enroll

@main.command(epilog=EXIT_HELP)
@click.argument("photos", nargs=-1, type=click.Path(dir_okay=False, allow_dash=False))
@click.option("--text", "texts", multiple=True, type=click.Path(dir_okay=False),
              help="The text written on the photos (one written line per text line). Give it once "
                   "for all photos, or once per photo, in the same order. With --template: the "
                   "text to print (default: the alphabet and digits three times).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="The fine-tuned model (.npz); with --template, the sheet (.png or .pdf).")
@click.option("--template", is_flag=True,
              help="Write a sheet saying what to write where (and TEXT.txt beside it unless "
                   "--text is given), instead of enrolling.")
@click.option("-m", "--model", "model_path", type=click.Path(dir_okay=False),
              help="Model to start from (.npz). Default: the bundled model.")
@click.option("--crops", type=click.Path(file_okay=False),
              help="Also save the labelled characters as CROPS/LABEL/*.png.")
@click.option("--data", "data_paths", multiple=True, type=click.Path(exists=True),
              help="Original training data mixed into every batch (any `handocr train` DATA; "
                   "only its training part is used). Default: ../shared/data/emnist when present; "
                   "without data the weights are held near the base model's instead.")
@click.option("--epochs", type=click.IntRange(min=1), default=15, show_default=True,
              help="Fine-tuning epochs (40 batches of 128 each).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
def enroll(photos, texts, output, template, model_path, crops, data_paths, epochs, seed, quiet):
    """Learn one person's handwriting from photos of a known text.

    \b
    1. handocr enroll --template -o template.pdf     (also writes template.txt)
    2. copy the sheet's lines by hand, photograph the page
    3. handocr enroll photo.jpg --text template.txt -o my-model.npz
    4. handocr read --model my-model.npz notes.jpg

    Each photo is segmented and its letters are matched with the text line by
    line; a page whose lines do not match the text is refused, naming the line.
    The model is then fine-tuned from its own weights on the labelled letters,
    mixed with its original training data so that other hands are not forgotten.
    Several photos (e.g. several pages of the template) are combined.
    """
    _small_blas()
    import numpy as np

    from .atomic import check_folder
    from .enroll import (align, analyse_page, fine_tune, read_text, render_template, save_crops,
                         save_template, template_lines)

    def tell(msg):  # status lines on stderr, silenced by --quiet
        say(msg, quiet)

    check_folder(output)
    if template:
        if photos:
            raise click.UsageError("--template takes no photos")
        if len(texts) > 1:
            raise click.UsageError("--template takes at most one --text")
        lines = read_text(texts[0]) if texts else template_lines()
        save_template(render_template(lines), output)
        tell(f"wrote {output}")
        if not texts:
            from .atomic import write_text

            txt = os.path.splitext(output)[0] + ".txt"
            write_text(txt, "\n".join(lines) + "\n")
            tell(f"wrote {txt} (give it to --text)")
        return
    if not photos:
        raise click.UsageError("give the photos of the enrolment pages (or --template)")
    if not texts:
        raise click.UsageError("--text is required: the text written on the photos")
    if len(texts) not in (1, len(photos)):
        raise click.UsageError(f"give --text once, or once per photo ({len(photos)}), not {len(texts)} times")
    model = _load_model(model_path)
    X, y = [], []
    for k, photo in enumerate(photos):
        lines = read_text(texts[k] if len(texts) > 1 else texts[0])
        samples = align(analyse_page(photo, name=photo), lines, model)
        tell(f"{photo}: {len(samples)} characters on {len(lines)} lines")
        if crops:
            stem = os.path.splitext(os.path.basename(photo))[0]
            save_crops(samples, crops, prefix=f"{k + 1:02d}_{stem}")
        X += [s.crop for s in samples]
        y += [s.label for s in samples]
    if crops:
        tell(f"labelled characters saved in {crops}/LABEL/")
    base = None
    paths = list(data_paths)
    if not paths:
        from .datasets import data_dir

        default = data_dir() / "emnist"
        paths = [str(default)] if default.is_dir() else []
    if paths:
        from .train import gather

        base = gather(paths)  # the models' common split: its held-out part stays out
        tell("mixing in " + ", ".join(f"{s.name} ({len(s.ytr)} training samples)" for s in base))
    new = fine_tune(model, np.stack(X), y, base_data=base, epochs=epochs, seed=seed,
                    enrolled_from=[os.path.basename(p) for p in photos],
                    name=os.path.splitext(os.path.basename(output))[0], report=tell)
    new.meta["training"]["command"] = "handocr enroll " + " ".join(
        [*photos, *sum((["--text", t] for t in texts), []), "-o", output])
    new.save(output, dtype=np.float16)
    tell(f"wrote {output}: fine-tuned {model.name} on {len(y)} characters; "
             f"read with: handocr read --model {output} PHOTO")
