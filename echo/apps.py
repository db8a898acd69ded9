from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EchoConfig(AppConfig):
    name = "echo"
    verbose_name = _("ECHO programs")
