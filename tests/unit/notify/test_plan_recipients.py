"""Who gets the mail about a file: the agency's registered address, and the Info sheet's contact
only inside the agency's registered domain(s). Agency text never reaches a mail header."""

from __future__ import annotations

from dataclasses import replace

import pytest
from kinerja.catalog import Catalog
from kinerja.notify.plan import is_address, recipients


@pytest.mark.parametrize(
    ("contact", "to", "problem"),
    [
        (None, ("dinkes@medan.example",), None),
        ("petugas@medan.example", ("dinkes@medan.example", "petugas@medan.example"), None),
        ("Petugas@Medan.Example", ("dinkes@medan.example", "Petugas@Medan.Example"), None),
        ("DINKES@medan.example", ("dinkes@medan.example",), None),  # the same address once
        ("petugas@gmail.example", ("dinkes@medan.example",), None),  # outside: not used, no fuss
        ("petugas@medan.example.attacker.example", ("dinkes@medan.example",), None),
        ("petugas@@medan", ("dinkes@medan.example",), "tidak sah"),
        ("a@medan.example\nBcc: x@evil.example", ("dinkes@medan.example",), "tidak sah"),
        ("a@medan.example, x@evil.example", ("dinkes@medan.example",), "tidak sah"),
        ("Petugas <a@medan.example>", ("dinkes@medan.example",), "tidak sah"),
    ],
)
def test_the_info_contact_only_inside_the_registered_domain(
    catalog: Catalog, contact: str | None, to: tuple[str, ...], problem: str | None
) -> None:
    pd = catalog.pd("DINKES")
    assert pd is not None and pd.email == "dinkes@medan.example"
    got, problems = recipients(pd, contact)
    assert got == to
    assert (problem is None and problems == ()) or (problem is not None and problem in problems[0])


def test_an_agency_without_a_usable_address_gets_nothing_and_says_why(catalog: Catalog) -> None:
    pd = catalog.pd("DINKES")
    assert pd is not None
    assert recipients(replace(pd, email=""), "petugas@medan.example") == (
        (),
        ("PD tidak punya alamat e-mail di perangkat_daerah.csv",),
    )
    to, problems = recipients(replace(pd, email="dinkes at medan"), "petugas@medan.example")
    assert to == () and "tidak sah" in problems[0]


def test_plain_addresses_only() -> None:
    assert is_address("a.b+c@sub.medan.example")
    for bad in ("", "a@b", "a b@c.example", "a@c.example\r\n", "a@c.example\n", "x" * 250 + "@c.example"):
        assert not is_address(bad), bad
