"""Importing the library must stay cheap: TensorFlow and torch load only with their models."""

import subprocess
import sys

from studio import config


def test_studio_imports_neither_tensorflow_nor_torch():
    code = ("import sys, studio, studio.cli, studio.images, studio.style, studio.pattern, studio.parsing, "
            "studio.composite, studio.tryon, studio.study, studio.body, studio.masks, studio.sew, studio.errors\n"
            "print(sorted(m for m in ('tensorflow', 'torch', 'streamlit', 'ai_edge_litert') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=config.PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
