"""Small assertions shared by the suite."""

import re


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


def assert_one_h1(response) -> None:
    html = response.content.decode()
    assert h1_count(html) == 1, f"{response.request['PATH_INFO']}: {h1_count(html)} <h1>"
