"""What every command module shares: the app, consoles, options and one-line failures."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from conform.terminal import (
    err,
)
from edl.cut import Cut
from edl.errors import MconformError
from edl.rate import Rate, parse_rate

app = typer.Typer(
    name="mconform",
    help="Conform, sync, fit and hand off film music.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


cut_app = typer.Typer(help="Read, show and convert locked cuts (EDL, OTIO).", no_args_is_help=True)


app.add_typer(cut_app, name="cut")


temp_app = typer.Typer(
    help="The temp library: catalog, loudness, normalisation, licence and usage.",
    no_args_is_help=True,
)


app.add_typer(temp_app, name="temp")


RateOption = Annotated[
    str,
    typer.Option(
        "--rate",
        "-r",
        help="Frame rate of the cut: 23.976, 24, 25, 29.97, 29.97df, 30, 47.952, 48, 50, "
        "59.94, 60, a fraction such as 24000/1001, or auto (the lowest standard rate that fits).",
    ),
]


MatchOption = Annotated[
    str,
    typer.Option(
        "--match",
        help="Source identity for matching shots: auto (reel, or clip name where the reel is "
        "AX), reel, clip, file or reel+clip.",
    ),
]


ForceOption = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]


DbOption = Annotated[Path, typer.Option("--db", help="Catalog file (SQLite)")]


DEFAULT_DB = Path("temp_library.sqlite")


def fail(message: str) -> None:
    """Print a one-line error and exit with code 2."""
    _error("mconform: error:", message)
    raise typer.Exit(2)


MAX_TOKEN = 120  # characters of one word of an error message; longer input is cut


def one_line(message: object, limit: int = 600) -> str:
    """A message as one short line: whitespace folded, any word over 120 characters cut.

    Input quoted in a library's message (a 4 000-digit number, a binary blob) must not
    turn a one-line error into a screenful. A long word keeps its head and its tail, so a
    long path still shows its file name and line.
    """
    half = MAX_TOKEN // 2
    words = [w if len(w) <= MAX_TOKEN else w[:half] + "…" + w[-half:] for w in str(message).split()]
    text = " ".join(words)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(label: str, message: object) -> None:
    """One line on stderr; the message is text, never rich markup (it may quote input)."""
    from rich.markup import escape

    err.print(f"[bold red]{label}[/] {escape(one_line(message))}", soft_wrap=True)


def rate_option(text: str) -> Rate | None:
    """``auto`` -> None (the reader picks), else an exact rate."""
    if text.strip().lower() == "auto":
        return None
    return parse_rate(text)


LenientOption = Annotated[
    bool,
    typer.Option("--lenient", help="Skip EDL events that cannot be read, with a warning."),
]


def load_cut(path: Path, rate_text: str, lenient: bool = False) -> Cut:
    """Read a cut, noting on stderr when the rate was chosen automatically."""
    from edl.io import read_cut  # the readers: only for commands that read a cut

    cut = read_cut(path, rate_option(rate_text), lenient)
    for warning in cut.warnings:
        err.print(f"[yellow]note:[/] {path.name}: {warning}", soft_wrap=True)
    return cut


def _click_exceptions() -> tuple[tuple[type, ...], tuple[type, ...], tuple[type, ...]]:
    """Click's usage, other and abort exceptions: typer >= 0.29 vendors click as typer._click."""
    import importlib

    modules = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            continue
    return (
        tuple(m.UsageError for m in modules),
        tuple(m.ClickException for m in modules),
        tuple(a for a in {getattr(m, "Abort", None) for m in [typer, *modules]} if a),
    )


def main() -> None:
    """Entry point: project errors become one line and exit 2, anything else exit 3.

    ``--debug`` anywhere on the command line shows the traceback instead.
    """
    import gc

    # A command makes hundreds of thousands of small objects (30 000 shots) and few cycles:
    # the default collector rescans them all hundreds of times (a third of `diff`'s time).
    gc.freeze()  # what the imports made is never garbage
    gc.set_threshold(50_000, 20, 10)
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv.remove("--debug")
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), "mconform")
    from conform.cli import load_commands

    load_commands(command)  # only the module of the command given: start-up
    usage_errors, click_errors, aborts = _click_exceptions()
    try:
        code = app(standalone_mode=False)  # usage errors come here, to be told in one line
    except usage_errors as error:
        if type(error).__name__ == "NoArgsIsHelpError" and error.ctx is not None:
            print(error.ctx.get_help())  # click >= 8.2 raises this for a bare group
            sys.exit(2)
        where = error.ctx.command_path if error.ctx is not None else "mconform"
        _error(f"{where}: error:", f"{error.format_message()}; see {where} --help")
        sys.exit(2)
    except click_errors as error:
        _error("mconform: error:", error.format_message())
        sys.exit(error.exit_code)
    except aborts:
        err.print("[bold red]mconform: interrupted[/]")
        sys.exit(130)
    except MconformError as error:
        if debug:
            raise
        _error("mconform: error:", error)
        sys.exit(2)
    except OSError as error:
        if debug:
            raise
        where = f"{error.filename}: " if error.filename else ""
        _error("mconform: error:", f"{where}{error.strerror or error}")
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("[bold red]mconform: interrupted[/]")
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        if debug:
            raise
        sqlite3 = sys.modules.get("sqlite3")  # loaded only by catalog commands
        if sqlite3 is not None and isinstance(error, sqlite3.Error):
            _error("mconform: error:", f"catalog: {error}")
            sys.exit(2)
        cause = one_line(error, 300) or type(error).__name__
        _error(
            f"mconform {one_line(command, 40)}: internal error:",
            f"{type(error).__name__}: {cause}; run with --debug for the traceback",
        )
        sys.exit(3)
    if isinstance(code, int) and code:
        sys.exit(code)
