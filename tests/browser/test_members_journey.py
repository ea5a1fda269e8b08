"""The studio's members in a real browser: the owner invites a colleague from her profile's
Members link; the colleague opens the emailed link, says her name, chooses a password, lands
signed in and sees the studio's clients."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Trainer
from tests.browser.conftest import PHONE, TABLET, assert_accessible, screenshot, sign_in
from tests.conftest import make_client, make_trainer

pytestmark = pytest.mark.browser


def test_the_owner_invites_a_colleague_who_joins_and_sees_the_studios_clients(page, browser, live_server, transactional_db):
    owner = make_trainer("owner@example.com", "Olivia Owner", studio_name="Bounce Back Fitness")
    make_client(owner, "Amira Haddad")

    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name=re.compile("Members")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members of Bounce Back Fitness")
    page.get_by_label("Their email address").fill("cara@example.com")
    page.get_by_label("Role").select_option("trainer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to cara@example.com. The link works for 7 days.")).to_be_visible()
    expect(page.get_by_role("cell", name="cara@example.com", exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "members-owner.png")
    page.set_viewport_size(PHONE)
    screenshot(page, "members-owner-phone.png")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    colleague = browser.new_context(locale="en-GB", timezone_id="Europe/London").new_page()
    colleague.goto(f"{live_server.url}{path}")
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Join Bounce Back Fitness")
    colleague.get_by_label("Your name").fill("Cara Colleague")
    colleague.locator("#id_password1").fill("a-good-long-passphrase")
    colleague.locator("#id_password2").fill("a-good-long-passphrase")
    assert_accessible(colleague)
    screenshot(colleague, "members-join.png")
    colleague.get_by_role("button", name="Create account and join").click()
    expect(colleague.get_by_role("button", name="Sign out")).to_be_visible()
    colleague.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(colleague.get_by_role("link", name="Amira Haddad")).to_have_count(0)  # the clients she leads first: none yet
    colleague.get_by_role("link", name="Everyone’s").click()
    expect(colleague.get_by_role("link", name="Amira Haddad")).to_be_visible()
    colleague.context.close()

    page.set_viewport_size(TABLET)
    page.reload()
    expect(page.get_by_role("cell", name="Cara Colleague", exact=True)).to_be_visible()
    expect(page.get_by_text("No invitations waiting.")).to_be_visible()
    screenshot(page, "members-after-join.png")

    # Her hand-over, then her removal: she leads a client now, so the page asks who takes her over.
    from clients.models import Client
    Client.objects.update(trainer=Trainer.objects.get(email="cara@example.com"))
    page.get_by_role("link", name="Remove Cara Colleague").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Cara Colleague")
    expect(page.get_by_label("Who takes over the clients she leads")).to_have_value(str(owner.pk))
    assert_accessible(page)
    screenshot(page, "members-remove.png")
    page.get_by_role("button", name="Remove her from the studio").click()
    expect(page.get_by_text("Cara Colleague is no longer a member")).to_be_visible()
    assert Client.objects.get().trainer_id == owner.pk
