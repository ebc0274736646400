"""Expected failures share one base; the CLI turns exactly those into one line and exit 2."""

import io

import pytest

from studio import cli
from studio.errors import StudioError, UnknownChoiceError
from studio.images import ImageError
from studio.parsing import ParserWeightsError, class_ids
from studio.study import StudyLogError
from studio.style import StyleEngineError


@pytest.mark.parametrize("error", [ImageError, ParserWeightsError, StudyLogError, StyleEngineError, cli.UsageError])
def test_every_expected_failure_is_a_studio_error(error):
    assert issubclass(error, StudioError)


def test_an_unknown_choice_reads_as_a_sentence_not_a_quoted_key():
    with pytest.raises(UnknownChoiceError) as caught:
        class_ids("gown")
    assert str(caught.value).startswith("Unknown garment or class 'gown'; choose one of: background")


def test_a_bug_is_a_traceback_not_exit_2(monkeypatch):
    def broken(args):
        raise ZeroDivisionError("a bug")

    parser = cli.build_parser()
    args = parser.parse_args(["parse", "--classes"])
    args.run = broken
    monkeypatch.setattr(cli, "build_parser", lambda: type("P", (), {"parse_args": lambda self, argv: args})())
    with pytest.raises(ZeroDivisionError):
        cli.main([], stderr=io.StringIO())


def test_an_unwritable_output_is_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    stderr = io.StringIO()
    code = cli.main(["parse", "sample_images/photos/astronaut.png", "-o", str(blocker / "out")], stderr=stderr)
    assert code == cli.EXIT_BAD_INPUT
    assert stderr.getvalue().count("\n") == 1 and "could not be written" in stderr.getvalue()
