"""Progress bars: click's, on stderr, and only when a person is watching."""

import sys


def wanted(quiet=False):
    """Show progress? Not with --quiet, nor when stdout or stderr is not a terminal
    (output piped or redirected, CI logs)."""
    return not quiet and sys.stdout.isatty() and sys.stderr.isatty()


def bar(items=None, label="", quiet=False, length=None):
    """A click progress bar on stderr, hidden unless :func:`wanted`."""
    import click

    return click.progressbar(items, label=label, file=sys.stderr, length=length, hidden=not wanted(quiet))
