"""Single sign-on end to end in real Chromium, against an OpenID Connect provider the test
starts itself (``oidc-provider-mock``, in a thread of this process).

``streamlit run app.py`` gets an ``[auth]`` section through ``--secrets.files`` pointing at a
temporary secrets.toml (the repository's own ``.streamlit/`` is never written), on a database
made beforehand: a cycle, a chair and a reviewer without passwords (single sign-on is their
only way in) and a disabled reviewer. The provider's authorize form lets the browser say who
it is (the ``sub``, which the provider also gives as the ``email`` claim unless set otherwise).
"""

from __future__ import annotations

import json
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import authlib.deprecate  # noqa: F401  (first: it sets its warnings to "always" on import)
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from selector.config import DEFAULT_CONFIG_PATH
from selector.store import Store

with warnings.catch_warnings():  # the provider imports Authlib modules Authlib deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock

from tests.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    dashboard,
    free_port,
    wait_for_run,
)

pytestmark = [
    pytest.mark.browser,
    # The provider runs in this process and uses Authlib APIs that Authlib now deprecates.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:oidc_provider_mock.*"),
]

CHAIR = "chair@committee.example.org"
REVIEWER = "reviewer@committee.example.org"
DISABLED = "retired@committee.example.org"
STRANGER = "stranger@elsewhere.example.org"
AUTH_COOKIE = "_streamlit_user"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A local OpenID Connect provider; yields its issuer URL."""
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[str]:
    """The dashboard with single sign-on through ``provider``; yields its URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    tmp = tmp_path_factory.mktemp("sso")
    db_url = f"sqlite:///{tmp / 'sso.db'}"
    store = Store(db_url)
    system = store.system_user()
    store.create_cycle(system, "2026", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    store.add_user(system, CHAIR, "Chris Chair", "chair", None)
    store.add_user(system, REVIEWER, "Rene Reviewer", "reviewer", None)
    store.add_user(system, DISABLED, "Ray Retired", "reviewer", None)
    store.disable_login(system, DISABLED)
    store.close()

    port = free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-the-sso-test-only"\n'
        'client_id = "selector-test"\n'
        'client_secret = "selector-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with dashboard(tmp, db_url, f"--secrets.files={secrets}", port=port) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile: no cookies from another test."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


def set_claims(provider: str, sub: str, claims: dict[str, object]) -> None:
    """Tell the provider which claims the identity ``sub`` carries."""
    request = urllib.request.Request(
        f"{provider}/users/{quote(sub)}",
        data=json.dumps(claims).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204


def sign_in(page: Page, url: str, sub: str) -> None:
    """Open the dashboard, press single sign-on and sign in at the provider as ``sub``;
    returns once the dashboard has run again."""
    page.goto(url)
    page.locator(".st-key-sso_login_default button").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    wait_for_run(page)


def auth_cookies(context: BrowserContext) -> list[str]:
    return [c["name"] for c in context.cookies() if c["name"].startswith(AUTH_COOKIE)]


def expect_login_page(page: Page, *, signed_in: bool = False) -> None:
    """The login page and nothing of the app: no menu, no log-out, no page of a role. The
    button to sign in by single sign-on shows unless the browser is ``signed_in`` there."""
    sso = ".st-key-sso_logout button" if signed_in else ".st-key-sso_login_default button"
    expect(page.locator(sso)).to_be_visible()
    expect(page.locator(".st-key-login_email input")).to_be_visible()
    expect(page.locator(".st-key-logout")).to_have_count(0)
    expect(page.locator("[data-testid='stSidebarNav']")).to_have_count(0)


def test_a_known_email_signs_in_with_its_role_and_log_out_ends_the_session(
    sso_app: str, provider: str, context: BrowserContext
) -> None:
    page = context.new_page()
    sign_in(page, sso_app, CHAIR)
    expect(page.locator(".st-key-logout button")).to_be_visible()
    expect(page.get_by_role("link", name="Committee")).to_be_visible()
    expect(page.get_by_role("link", name="Selection")).to_be_visible()
    expect(page.get_by_role("link", name="Upload")).to_have_count(0)
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("Chris Chair")
    assert auth_cookies(context)

    page.locator(".st-key-logout button").click()
    # The provider asks to confirm its own log-out, then sends the browser back.
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{sso_app}/**")
    wait_for_run(page)
    expect_login_page(page)
    assert not auth_cookies(context)
    page.reload()
    wait_for_run(page)
    expect_login_page(page)
    expect(page.get_by_text("Chris Chair")).to_have_count(0)

    # The same browser, another person: their own role, nothing of the chair's. Their
    # provider spells the e-mail with capitals; the account is matched all the same.
    set_claims(provider, "rene", {"email": REVIEWER.title(), "name": "Rene"})
    sign_in(page, sso_app, "rene")
    expect(page.get_by_role("heading", name="My reviews")).to_be_visible()
    expect(page.get_by_role("link", name="Committee")).to_have_count(0)
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("Rene Reviewer")


@pytest.mark.parametrize(
    ("sub", "says"),
    [
        (STRANGER, f"{STRANGER} has no account in selector"),
        (DISABLED, f"The account {DISABLED} is disabled"),
    ],
    ids=["unknown", "disabled"],
)
def test_an_identity_without_an_enabled_account_is_refused(
    sso_app: str, context: BrowserContext, sub: str, says: str
) -> None:
    # (An identity without an e-mail, or with one its provider says is unverified, is
    # refused the same way: tests/test_sso.py.)
    page = context.new_page()
    sign_in(page, sso_app, sub)
    refusal = page.get_by_role("alert").filter(has_text=says)
    expect(refusal).to_be_visible()
    expect_login_page(page, signed_in=True)
    page.reload()
    wait_for_run(page)
    expect(refusal).to_be_visible()
    expect_login_page(page, signed_in=True)

    # Signing out of single sign-on clears the identity: the login page without the refusal.
    page.locator(".st-key-sso_logout button").click()
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{sso_app}/**")
    wait_for_run(page)
    expect_login_page(page)
    expect(refusal).to_have_count(0)
    assert not auth_cookies(context)
