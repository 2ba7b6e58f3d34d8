"""The ``asyncmsgd`` command: the toolkit's one entry point (see ``asyncmsgd --help``)."""

__version__ = "0.1.0"
