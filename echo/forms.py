"""The public registration form: the core questions, then the series' own questions."""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from deflection_portal.content_language import falls_back, mark_english, translated_html

from .models import InterestSignup, Question, QuestionKind, RegistrationRequest, Series

LONG_ANSWER_MAX_CHARS = 5000
SHORT_ANSWER_MAX_CHARS = 300
YES, NO = "Yes", "No"
WORD_RE = re.compile(r"\S+")
FORM_EXPIRED = _(
    "This form was open for a long time, so we could not accept it as it was. Please check "
    "your answers and send it again."
)

# Bot traps. People never see the trap field and take more than a few seconds to answer;
# a submission that fills the trap or comes back too fast is "received" but not stored.
# The signed start time is good for PORTAL_FORM_MAX_AGE_SECONDS and stores one request.
TRAP_FIELD = "extra_reference"
STARTED_FIELD = "form_started"
STARTED_SALT = "echo.registration-form.started"


def sign_started(at: float | None = None) -> str:
    """The signed time a form was shown (and a random nonce), sent back with the answers."""
    started = at if at is not None else time.time()
    return signing.dumps([started, secrets.token_urlsafe(9)], salt=STARTED_SALT)


def _started_at(token: str) -> float:
    """The start time in a token; BadSignature (SignatureExpired) for a forged (old) one."""
    max_age = settings.PORTAL_FORM_MAX_AGE_SECONDS
    value = signing.loads(token or "", salt=STARTED_SALT, max_age=max_age)
    started = float(value[0])
    if time.time() - started > max_age:
        raise signing.SignatureExpired("form started too long ago")
    return started


def claim_start_token(token: str) -> bool:
    """Mark a start token used, once, in the shared cache: False if it was used before."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return cache.add(f"echo:form-token:{digest}", 1, settings.PORTAL_FORM_MAX_AGE_SECONDS + 60)


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text or ""))


class MinimumWordsValidator:
    def __init__(self, minimum: int):
        self.minimum = minimum

    def __call__(self, value: str) -> None:
        words = count_words(value)
        if words < self.minimum:
            raise forms.ValidationError(
                ngettext(
                    "Please write at least %(minimum)d word; this answer has %(words)d.",
                    "Please write at least %(minimum)d words; this answer has %(words)d.",
                    self.minimum,
                ),
                code="too_few_words",
                params={"minimum": self.minimum, "words": words},
            )


def prepare_people_fields(form: forms.Form, *, consent_label, consent_missing) -> None:
    """The sector and county prompts and the required privacy consent, as both public forms
    ask them."""
    form.fields["sector"].choices = [("", _("Choose a sector"))] + list(
        form.fields["sector"].choices
    )[1:]
    form.fields["county"].choices = [("", _("Choose a county or tribe"))] + list(
        form.fields["county"].choices
    )[1:]
    consent = form.fields["consent"]
    consent.required = True
    consent.label = consent_label
    consent.help_text = format_html(
        '<a href="{}">{}</a>', reverse("echo:privacy"), _("Read the privacy notice")
    )
    consent.error_messages["required"] = consent_missing


def mark_required(form: forms.Form) -> None:
    """Required fields are marked once: a star after the label (CSS) for the eye, and
    aria-required on the control for assistive technology; never "(required)" in the label
    text, which every error message would repeat."""
    for field in form.fields.values():
        # Radio and checkbox groups are marked on their legend; a single radio cannot be.
        grouped = isinstance(field.widget, forms.RadioSelect | forms.HiddenInput)
        if field.required and not grouped:
            field.widget.attrs["aria-required"] = "true"


@dataclass
class Fieldset:
    legend: str
    fields: list  # BoundField


class RegistrationForm(forms.ModelForm):
    """Core fields of RegistrationRequest plus one field per question of the series.

    Question fields are named `question_<pk>`; `answers()` maps each Question to its cleaned
    value. Every field is length-capped and every choice is checked against the series'
    own questions, whatever the browser sent.
    """

    CORE_SECTIONS = (
        (_("About you"), ("full_name", "email", "phone")),
        (_("Your work"), ("organization", "role_title", "sector", "county")),
    )

    class Meta:
        model = RegistrationRequest
        fields = [
            "full_name",
            "email",
            "phone",
            "organization",
            "role_title",
            "sector",
            "county",
            "consent",
        ]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "organization": forms.TextInput(attrs={"autocomplete": "organization"}),
            "role_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    extra_reference = forms.CharField(
        required=False,
        max_length=200,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form_started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, series: Series, questions: list[Question] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[STARTED_FIELD].initial = sign_started()
        self.series = series
        self.questions = list(questions if questions is not None else series.questions.all())
        self.fields["phone"].help_text = _("Optional. Only staff see it.")
        self.fields["email"].help_text = _("We write to you here about your request.")
        prepare_people_fields(
            self,
            consent_label=_(
                "I have read the privacy notice and agree that my answers are used to review my "
                "request"
            ),
            consent_missing=_(
                "Please agree to the privacy notice so that we can review your request."
            ),
        )
        for question in self.questions:
            self.fields[self.question_field_name(question)] = self._question_field(question)
        mark_required(self)

    @staticmethod
    def question_field_name(question: Question) -> str:
        return f"question_{question.pk}"

    def _question_field(self, question: Question) -> forms.Field:
        common = {
            "label": translated_html(question, "label"),
            "required": question.required,
            "help_text": translated_html(question, "help_text"),
        }
        kind = question.kind
        if kind == QuestionKind.SHORT_TEXT:
            return forms.CharField(max_length=SHORT_ANSWER_MAX_CHARS, **common)
        if kind == QuestionKind.LONG_TEXT:
            validators = [MinimumWordsValidator(question.min_words)] if question.min_words else []
            attrs = {"rows": 5, "data-word-count": ""}
            if question.min_words:
                attrs["data-min-words"] = str(question.min_words)
                hint = ngettext(
                    "At least %(count)d word.", "At least %(count)d words.", question.min_words
                ) % {"count": question.min_words}
                help_text = common["help_text"]
                common["help_text"] = format_html("{} {}", help_text, hint) if help_text else hint
            return forms.CharField(
                max_length=LONG_ANSWER_MAX_CHARS,
                widget=forms.Textarea(attrs=attrs),
                validators=validators,
                **common,
            )
        english_choices = falls_back(question, "choices")
        choices = [
            (value, mark_english(label) if english_choices else label)
            for value, label in question.choice_options()
        ]
        if kind == QuestionKind.SINGLE_CHOICE:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if kind == QuestionKind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        return forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common
        )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, _("This answer contains characters we cannot store."))
        try:
            _started_at(cleaned.get(STARTED_FIELD, ""))
        except signing.SignatureExpired:
            # A person who left the form open: ask again, with a fresh start time.
            self.add_error(None, FORM_EXPIRED)
            self.data = self.data.copy()
            self.data[STARTED_FIELD] = sign_started()
        except (signing.BadSignature, TypeError, ValueError, IndexError):
            pass  # forged: looks_automated() says so
        return cleaned

    def _post_clean(self):
        # The model's unique constraint involves the state and the series, which the form
        # does not edit; submit_request handles duplicates without telling the public.
        pass

    def looks_automated(self) -> bool:
        """True for a filled trap field, a missing, forged or expired start time, answers
        sent back faster than a person could write them, or a start time that was already
        used (one shown form stores one request; replays are "received" and dropped).

        Call it once, just before storing: it uses the start time up. The form then carries
        a fresh one, so that if it is shown again (the series was busy) it can be sent."""
        if self.cleaned_data.get(TRAP_FIELD):
            return True
        token = self.cleaned_data.get(STARTED_FIELD, "")
        try:
            started = _started_at(token)
        except (signing.BadSignature, TypeError, ValueError, IndexError):
            return True
        if time.time() - started < settings.PORTAL_FORM_MIN_FILL_SECONDS:
            return True
        if not claim_start_token(token):
            return True
        self.data = self.data.copy()
        self.data[STARTED_FIELD] = sign_started()
        return False

    def core_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def answers(self) -> dict[Question, str | list[str]]:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.question_field_name(question))
            if value in (None, "", []):
                continue
            answers[question] = value
        return answers

    def fieldsets(self) -> list[Fieldset]:
        sets = [
            Fieldset(str(legend), [self[name] for name in names])
            for legend, names in self.CORE_SECTIONS
        ]
        by_section: dict[str, list] = {}
        for question in self.questions:
            by_section.setdefault(translated_html(question, "section"), []).append(
                self[self.question_field_name(question)]
            )
        sets += [Fieldset(section, fields) for section, fields in by_section.items()]
        if "consent" in self.fields:
            sets.append(Fieldset(str(_("Privacy")), [self["consent"]]))
        return sets


class InterestForm(forms.ModelForm):
    """The interest list of a series whose run is over: who to tell about the next one."""

    class Meta:
        model = InterestSignup
        fields = ["full_name", "email", "county", "sector", "consent"]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    extra_reference = RegistrationForm.base_fields[TRAP_FIELD]
    form_started = RegistrationForm.base_fields[STARTED_FIELD]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[STARTED_FIELD].initial = sign_started()
        self.fields["email"].help_text = _("We write to you here when the next run opens.")
        prepare_people_fields(
            self,
            consent_label=_(
                "I have read the privacy notice and agree that you keep these details to tell "
                "me about the next run"
            ),
            consent_missing=_(
                "Please agree to the privacy notice so that we can keep your details."
            ),
        )
        mark_required(self)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, _("This answer contains characters we cannot store."))
        return cleaned

    def _post_clean(self):
        # One entry per email per series is kept by the service, without telling the public.
        pass

    looks_automated = RegistrationForm.looks_automated

    def signup_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EditAnswersForm(RegistrationForm):
    """The applicant's corrections to a pending request: every answer but the email (the
    request's identity) and the consent already given."""

    EDITABLE = ("full_name", "phone", "organization", "role_title", "sector", "county")
    CORE_SECTIONS = (
        (_("About you"), ("full_name", "phone")),
        (_("Your work"), ("organization", "role_title", "sector", "county")),
    )

    def __init__(self, *args, registration_request: RegistrationRequest, **kwargs):
        questions = list(registration_request.series.questions.all())
        initial = {name: getattr(registration_request, name) for name in self.EDITABLE}
        by_question = {a.question_id: a.value for a in registration_request.answers.all()}
        for question in questions:
            value = by_question.get(question.pk, "")
            if question.kind == QuestionKind.MULTIPLE_CHOICE:
                value = [line for line in value.splitlines() if line]
            initial[self.question_field_name(question)] = value
        super().__init__(
            *args,
            series=registration_request.series,
            questions=questions,
            initial=initial,
            **kwargs,
        )
        for name in ("email", "consent", TRAP_FIELD, STARTED_FIELD):
            del self.fields[name]

    def clean_email(self) -> str:
        return ""

    def core_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.EDITABLE}

    def fieldsets(self) -> list[Fieldset]:
        return [fieldset for fieldset in super().fieldsets() if fieldset.fields]
