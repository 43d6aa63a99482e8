"""Shared fixtures of the unit tests."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _offline_data_layer():
    """No test may reach the network: the data layer's download step is disabled for the whole session.

    Tests that exercise the download path serve files from 127.0.0.1 and re-enable it with monkeypatch.
    Tests that need the real data read them from the cache or from ``$COMPENDIUM_DATA_MIRROR`` (CI sets
    it) and fail, with a message naming every place tried, if the data cannot be found.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COMPENDIUM_OFFLINE", "1")
        yield
