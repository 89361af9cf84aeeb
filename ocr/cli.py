"""The ``handocr`` command line.

Data goes to stdout (or ``-o``); progress and messages go to stderr.

Exit codes: 0 success, 1 some input failed (the failures are listed on stderr),
2 usage error (bad option or argument).
"""

import click

EXIT_HELP = """\b
Exit codes:
  0  success
  1  an input (image, model, data) could not be used; the others were processed
  2  usage error (unknown option, bad value)
"""


def _version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("handocr")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


@click.group(epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="handocr", message="%(prog)s %(version)s")
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
@click.option("--plots", type=click.Path(file_okay=False),
              help="Folder for training curves, confusion matrix and first-layer weights (PNG).")
@click.option("--checkpoint", type=click.Path(dir_okay=False),
              help="Save a checkpoint here after every epoch.")
@click.option("--resume", type=click.Path(exists=True, dir_okay=False),
              help="Resume from a checkpoint written by --checkpoint.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or per-epoch report.")
def train(data, output, lr, epochs, batch_size, hidden, seed, plots, checkpoint, resume, quiet):
    """Train the classifier on labelled characters and write a model file.

    DATA are NIST36/NIST26 .mat files (a *_train.mat uses its sibling *_valid.mat
    for validation), folders of LABEL/*.png crops, or the shared data folder
    (../shared/data, its emnist/ and photo_chars/ parts). Prints training loss and
    accuracy and validation accuracy after every epoch.
    """
    from .train import cli_train

    cli_train(data=data, output=output, lr=lr, epochs=epochs, batch_size=batch_size,
              hidden=hidden, seed=seed, plots=plots, checkpoint=checkpoint, resume=resume,
              quiet=quiet)
