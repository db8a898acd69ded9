"""Writing to applicants from the admin: a message to selected requests, and each series' own
wording of the applicant emails, with a preview against a sample request."""

import secrets
from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from . import services
from .email_texts import (
    EDITABLE_KINDS,
    check_placeholders,
    placeholders_for,
    substitute,
    values_for,
)
from .models import EmailKind, EmailText, RegistrationRequest


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10, "cols": 70})
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self):
        cleaned = super().clean()
        for name in ("subject", "body"):
            if cleaned.get(name):
                try:
                    check_placeholders(cleaned[name], None)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class MessageActions:
    """The request list's "message" action (mixed into the request admin)."""

    @admin.action(description=_("Send a message to the selected applicants…"),
                  permissions=["change"])  # fmt: skip
    def message_selected(self, request, queryset):
        selected = list(queryset.select_related("series").order_by("submitted_at", "pk"))
        reachable = [r for r in selected if not r.anonymised_at]
        form = MessageForm(
            request.POST if request.POST.get("confirm") == "yes" else None,
            initial={"token": secrets.token_urlsafe(24)},
        )
        if request.POST.get("confirm") == "yes" and form.is_valid():
            count = services.send_message(
                requests=reachable,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                token=form.cleaned_data["token"],
                user=request.user,
            )
            if count is None:
                self.message_user(
                    request,
                    gettext("This message was already sent; it was not sent again."),
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Message queued for %(count)d applicant; the worker sends it.",
                        "Message queued for %(count)d applicants; the worker sends them.",
                        count,
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Message to applicants"),
            "opts": self.opts,
            "form": form,
            "selected": selected,
            "reachable": len(reachable),
            "placeholders": placeholders_for(None),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/echo/registrationrequest/message.html", context)


class EmailTextForm(forms.ModelForm):
    class Meta:
        model = EmailText
        fields = ["series", "kind", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.value, kind.label) for kind in EmailKind if kind in EDITABLE_KINDS
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        # Each language's wording (subject_en, body_es, ...) is checked the same way.
        for name in [name for name in self.fields if name.startswith(("subject", "body"))]:
            if cleaned.get(name):
                try:
                    check_placeholders(cleaned[name], kind)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned


def sample_request(series) -> RegistrationRequest:
    """A made-up request of the series for previews (never saved)."""
    return RegistrationRequest(
        series=series,
        full_name="Alex Sample",
        email="alex.sample@example.org",
        access_token="sample-status-link-token",
        decision_reason=gettext("(the reason you give when you decline)"),
        submitted_at=timezone.now(),
    )


@admin.register(EmailText)
class EmailTextAdmin(TranslationAdmin):
    """Each series' own wording of its applicant emails. Deleting one reverts that email to
    the default text."""

    form = EmailTextForm
    list_display = ["series", "kind", "subject", "updated_at"]
    list_filter = ["series", "kind"]
    list_select_related = ["series"]
    readonly_fields = ["placeholder_list", "preview"]
    fields = ["series", "kind", "subject", "body", "placeholder_list", "preview"]

    @admin.display(description=_("placeholders you can use"))
    def placeholder_list(self, obj):
        kind = obj.kind if obj and obj.pk else None
        pairs = ((p.name, p.meaning) for p in placeholders_for(kind))
        rows = format_html_join("", "<li><code>{{{}}}</code>: {}</li>", pairs)
        note = gettext(
            "Write {name} to insert the applicant's name, and so on. Nothing else in the "
            "text is interpreted. To go back to the default text, delete this entry."
        )
        return format_html("<p>{}</p><ul>{}</ul>", note, rows)

    @admin.display(description=_("preview (a sample request)"))
    def preview(self, obj):
        if not obj or not obj.pk:
            return gettext("Save to see a preview.")
        context = {
            "sessions": [SimpleNamespace(when=gettext("Friday, May 7, 1:00–2:00 p.m. PDT"))],
            "deadline": gettext("Friday, May 1, 2026, 9:00 a.m. PDT"),
            "position": 2,
        }
        values = values_for(sample_request(obj.series), context)
        return format_html(
            '<div class="email-preview"><p><strong>{}</strong></p><pre>{}</pre></div>',
            substitute(obj.subject, values),
            substitute(obj.body, values),
        )
