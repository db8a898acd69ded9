"""The staff dashboard on the admin's home page, for anyone who may review requests."""

from django import template

from echo.dashboard import staff_dashboard

register = template.Library()


@register.inclusion_tag("admin/echo/dashboard.html", takes_context=True)
def echo_dashboard(context):
    user = context["request"].user
    if not user.has_perm("echo.view_registrationrequest"):
        return {"dashboard": None}
    return {"dashboard": staff_dashboard()}
