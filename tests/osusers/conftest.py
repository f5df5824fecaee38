"""One shared install for the real-user tests, and a host of fresh users per module."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from osusers.oskit import Host, Install


@pytest.fixture(scope="session")
def install() -> Iterator[Install]:
    assert os.geteuid() == 0, "these tests create OS users: run them as root (CI does)"
    built = Install.build()
    yield built
    built.remove()


@pytest.fixture(scope="module")
def host(install: Install) -> Iterator[Host]:
    made = Host(install)
    yield made
    made.remove()
