"""``panel-tui serve`` refuses every request without its token, as Jupyter does.

A real server in a subprocess, asked over real HTTP on loopback: the page, its
static files and the websocket that drives the app are all refused without the
token, or with a wrong one; the URL printed at start opens the page and sets
the cookie that the page's own requests carry; a websocket from another origin
is refused even with the cookie.
"""

from __future__ import annotations

import base64
import os
import urllib.error
import urllib.request

import pytest


def status(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def websocket_headers(**extra: str) -> dict[str, str]:
    key = base64.b64encode(os.urandom(16)).decode()
    return {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
        **extra,
    }


@pytest.fixture(scope="module")
def served(served_to_module):  # noqa: ANN001, ANN201
    """One server for every test here: each only asks it (a start costs seconds)."""
    return served_to_module


def test_the_server_listens_on_loopback_with_a_long_token(served) -> None:
    assert served.url.startswith("http://127.0.0.1:")
    assert len(served.token) >= 40  # token_urlsafe(32)


@pytest.mark.parametrize("path", ["/", "/ws", "/static/js/textual.js", "/download/x"])
@pytest.mark.parametrize("token", [None, "", "wrong", "TOKEN-PREFIX"])
def test_without_the_right_token_everything_is_refused(served, path: str, token: str) -> None:
    if token == "TOKEN-PREFIX":
        token = served.token[:-1]  # all but its last character
    query = "" if token is None else f"?token={token}"
    headers = websocket_headers() if path == "/ws" else {}
    code, _, body = status(f"{served.base}{path}{query}", headers)
    assert code == 403, (path, token)
    assert "needs its token" in body


def test_a_wrong_cookie_is_refused_too(served) -> None:
    code, _, _ = status(f"{served.base}/", {"Cookie": "panel-tui-token=guess"})
    assert code == 403


def test_the_printed_url_opens_the_app_and_sets_a_strict_cookie(served) -> None:
    code, headers, body = status(served.url)
    assert code == 200
    assert "data-session-websocket-url" in body
    cookie = headers["Set-Cookie"]
    assert f"panel-tui-token={served.token}" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The page's own requests carry the cookie, not the token.
    jar = {"Cookie": f"panel-tui-token={served.token}"}
    assert status(f"{served.base}/static/js/textual.js", jar)[0] == 200


def test_a_websocket_from_another_origin_is_refused_even_with_the_cookie(served) -> None:
    headers = websocket_headers(
        Cookie=f"panel-tui-token={served.token}", Origin="http://evil.example"
    )
    code, _, body = status(f"{served.base}/ws", headers)
    assert code == 403 and "another site" in body
