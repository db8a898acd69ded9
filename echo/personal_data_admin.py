"""Applicants' rights in the admin: a copy of everything stored about them, or its erasure.
Administrators only; erasure after a confirmation page, and it cannot be undone."""

import json

from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import services


class PersonalDataActions:
    """Bulk actions of the request list for subject access and erasure requests."""

    def has_erase_permission(self, request) -> bool:
        # Erasure cannot be undone: administrators only, never the Reviewers group.
        return request.user.is_superuser

    @admin.action(
        description=_("Export the applicants' personal data (JSON)"), permissions=["erase"]
    )
    def export_personal_data(self, request, queryset):
        data = [
            services.export_request_data(registration_request=registration_request)
            for registration_request in queryset.select_related("series").order_by("pk")
        ]
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.now().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Erase the applicants' personal data…"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        """After a confirmation page, anonymise each selected request (cannot be undone)."""
        selected = list(queryset.select_related("series").order_by("pk"))
        if request.POST.get("confirm") == "yes":
            for registration_request in selected:
                services.anonymise_request(registration_request=registration_request)
                self.log_change(request, registration_request, "Personal data erased")
            self.message_user(
                request,
                ngettext(
                    "Personal data erased from %(count)d request.",
                    "Personal data erased from %(count)d requests.",
                    len(selected),
                )
                % {"count": len(selected)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Erase personal data"),
            "opts": self.opts,
            "selected": selected,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/echo/registrationrequest/erase_personal_data.html", context
        )
