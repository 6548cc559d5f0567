"""The collector settings of a collecting process (kinerja.heap), each in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys


def _in_fresh_interpreter(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_young_passes_spaced_out_never_tightened_or_re_enabled() -> None:
    out = _in_fresh_interpreter(
        "import gc\n"
        "from kinerja.heap import YOUNG_PASS_EVERY, for_batch_work\n"
        "for_batch_work(); a = gc.get_threshold()[0]\n"
        "gc.set_threshold(50_000, 10, 10); for_batch_work(); b = gc.get_threshold()[0]\n"
        "gc.set_threshold(0); for_batch_work(); c = gc.get_threshold()[0]\n"
        "print(a == YOUNG_PASS_EVERY, b, c)\n"
    )
    assert out.split() == ["True", "50000", "0"]


def test_the_validator_and_imports_are_out_of_the_collectors_reach() -> None:
    """A full pass after the validator is built walks what came after it, not the ~300,000
    objects of the imports and Great Expectations' context."""
    out = _in_fresh_interpreter(
        "import gc\n"
        "from kinerja.intake.validation import shared_validator\n"
        "before = len(gc.get_objects())\n"
        "shared_validator()\n"
        "print(before, gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    before, frozen, walked = map(int, out.split())
    assert frozen > before > walked
