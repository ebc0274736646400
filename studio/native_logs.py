"""Native libraries that log on the process's stderr, kept quiet where their lines are noise.

The LiteRT runtime (BlazePose's interpreter) prints "INFO: Created TensorFlow Lite XNNPACK delegate
for CPU." from C++ straight to file descriptor 2 on every interpreter it makes; no Python logger or
environment variable controls it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the duration: the LiteRT runtime's C++ logging
    writes straight to it (no Python logger or environment variable controls that INFO line).
    Python's own ``sys.stderr`` is flushed first; what other threads write to fd 2 meanwhile
    (a few milliseconds while an interpreter is made) is lost too."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)

