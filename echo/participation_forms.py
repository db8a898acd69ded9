"""Forms of participation: a case presentation, session feedback, and staff's upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .cases import CASE_FIELDS as CASE_TEXT_FIELDS
from .cases import identifiers_by_field

CASE_HELP = {
    "title": _("A short, general title, such as “Repeat overdoses after release from jail”."),
    "question": _("What you would like the faculty and the other programs to advise on."),
    "background": _("The situation in general terms: no names, dates, places or numbers."),
    "tried": _("What your program or partners have done so far."),
    "help_wanted": _("What kind of advice or resources would help most."),
}


class CaseForm(forms.Form):
    """A de-identified case. Any identifier found keeps the form from validating, and
    `findings` says where, so the page can show each one beside its field."""

    title = forms.CharField(label=_("Title"), max_length=200, help_text=CASE_HELP["title"])
    question = forms.CharField(
        label=_("Your question for the faculty"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=CASE_HELP["question"],
    )
    background = forms.CharField(
        label=_("Background"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=6000,
        help_text=CASE_HELP["background"],
    )
    tried = forms.CharField(
        label=_("What has been tried"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=CASE_HELP["tried"],
    )
    help_wanted = forms.CharField(
        label=_("What would help"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=CASE_HELP["help_wanted"],
    )
    confirm = forms.BooleanField(
        label=_(
            "I have removed names, nicknames, relatives' names and anything else that could "
            "identify the person."
        ),
        error_messages={"required": _("Confirm that you removed names and other identifiers.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings: dict[str, list] = {}
        self.checked_text: dict[str, str] = {}

    def clean(self):
        cleaned = super().clean()
        # Kept for the page to highlight: adding an error below drops the field's value.
        self.checked_text = {name: cleaned.get(name) or "" for name in CASE_TEXT_FIELDS}
        self.findings = identifiers_by_field(cleaned)
        for name, findings in self.findings.items():
            kinds = ", ".join(dict.fromkeys(finding.label for finding in findings))
            self.add_error(
                name,
                _("Remove %(kinds)s: it is highlighted below this field.") % {"kinds": kinds},
            )
        return cleaned

    def case_data(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("title", "question", "background",
                                                             "tried", "help_wanted")}  # fmt: skip


class FeedbackForm(forms.Form):
    usefulness = forms.TypedChoiceField(
        label=_("How useful was this session to your work?"),
        choices=[
            (1, _("1 – not useful")),
            (2, "2"),
            (3, "3"),
            (4, "4"),
            (5, _("5 – very useful")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    will_apply = forms.TypedChoiceField(
        label=_("Will you apply something from this session?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What was most useful, or what would you change? (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("Staff read this without your name. Please leave out anything identifying."),
    )


class ReportUploadForm(forms.Form):
    report = forms.FileField(
        label=_("Attendance export (Zoom participant report CSV, or Teams attendance report)"),
        help_text=_("Upload the file as the platform exported it. At most 8 MB."),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the certificate revoked? (kept in its history)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
