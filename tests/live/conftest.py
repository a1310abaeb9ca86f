import pytest

from liveblog.live import events


@pytest.fixture(autouse=True)
def fresh_breaker(monkeypatch):
    """Each test starts with the broadcast circuit closed."""
    monkeypatch.setattr(events, "breaker", events.CircuitBreaker())
