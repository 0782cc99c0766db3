"""The registration page with its 获取验证码 button: the code goes to the phone (the console provider's outbox here),
what was typed stays in the form, a wrong code or a second request within the minute says so in Chinese."""

import re
from collections.abc import Callable

from core.sms import last_sent
from tests.web.conftest import Browser
from tests.world import World

PHONE = "13912345678"
MASKED = "139****5678"
PASSWORD = "Tongban#2026x"


def texted_code() -> str:
    found = re.search(r"验证码为 (\d{6})", last_sent(MASKED))
    assert found, "no code in the outbox"
    return found.group(1)


def test_the_registration_page_sends_the_code_and_keeps_what_was_typed(
    browser: Callable[[str | None], Browser], world: World
) -> None:
    visitor = browser(None)
    form = {"phone": PHONE, "name": "吴新", "password": PASSWORD, "password2": PASSWORD}
    sent = visitor.submit("/register", "/register/code", form)
    assert sent.status_code == 200 and f"验证码已发送至 {MASKED}，10分钟内有效" in sent.text
    assert f'value="{PHONE}"' in sent.text and 'value="吴新"' in sent.text
    wrong = visitor.submit(
        "/register", "/register", {**form, "sms_code": "000000" if texted_code() != "000000" else "111111"}
    )
    assert wrong.status_code == 422 and "验证码不正确" in wrong.text and f'value="{PHONE}"' in wrong.text
    again = visitor.submit("/register", "/register/code", form)
    assert again.status_code == 429 and "请稍候一分钟" in again.text
    done = visitor.submit("/register", "/register", {**form, "sms_code": texted_code()})
    assert done.status_code == 200 and "注册成功" in done.text
