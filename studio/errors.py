"""One base for every expected failure, so the CLI and the pages catch exactly these.

An expected failure is bad input or a missing or broken file: its message is one sentence that
names the limit or the fix. Anything else (a bug) is not a ``StudioError`` and stays a traceback.
"""

from __future__ import annotations


class StudioError(Exception):
    """An expected failure; ``str(error)`` is the one sentence shown to the person."""


class InputError(StudioError, ValueError):
    """A value given to the studio is out of range or does not fit (sizes, weights, masks…)."""


class UnknownChoiceError(StudioError, KeyError):
    """A name that is not among the valid choices; the message lists them."""

    def __str__(self) -> str:  # KeyError would show the message quoted, as a repr
        return str(self.args[0]) if self.args else ""


class ConfigError(StudioError):
    """A server setting (an environment variable the operator sets) is malformed."""
