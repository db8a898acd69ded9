"""Small assertions shared by the suite."""

import re


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


def assert_one_h1(response) -> None:
    html = response.content.decode()
    assert h1_count(html) == 1, f"{response.request['PATH_INFO']}: {h1_count(html)} <h1>"


def login_staff(client, user) -> None:
    """Log a staff user in as if they had passed the password and the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _ = StaticDevice.objects.get_or_create(user=user, name="Test backup codes")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# Every HTML page reads the program's settings (its name and contact, in the header and footer)
# once; query budgets of pages count that on top of the page's own queries.
PROGRAM_SETTINGS_QUERIES = 1
