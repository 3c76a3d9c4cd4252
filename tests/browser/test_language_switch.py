import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_switches_from_chinese_to_english_and_it_persists(page, sign_in, manager):
    manager.language = "zh-hans"
    manager.save()

    sign_in(manager)
    greeting = page.get_by_test_id("home-greeting")
    assert "欢迎" in greeting.inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.get_by_test_id("language-en").click()
    page.wait_for_load_state()
    assert "Welcome" in page.get_by_test_id("home-greeting").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"

    manager.refresh_from_db()
    assert manager.language == "en"

    # A new browser session (no cookies) still gets English after signing in again.
    page.context.clear_cookies()
    sign_in(manager)
    assert "Welcome" in page.get_by_test_id("home-greeting").inner_text()


def test_sign_in_page_usable_on_a_phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, locale="en-US"
    )
    try:
        tab = context.new_page()
        tab.goto("/accounts/login/")
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
        assert tab.get_by_test_id("sign-in-submit").is_visible()
    finally:
        context.close()
