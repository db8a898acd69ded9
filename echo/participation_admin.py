"""Staff admin for participation: each session's attendance sheet (import a report, match or
ignore rows, mark by hand, read the feedback), certificates (revoke, reinstate, history) and
case presentations (read, schedule; the Faculty group may do exactly that).

Every change here calls a function of `echo.attendance`, `echo.certificates` or
`echo.cases`; the admin chooses which one and reports what happened.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import attendance, cases, certificates
from .feedback import session_results
from .models import (
    Attendance,
    AttendanceReport,
    AttendanceSheet,
    CasePresentation,
    Certificate,
    CertificateEvent,
    RegistrationRequest,
    ReportRow,
    RequestState,
    Session,
    SessionFeedback,
)
from .participation_forms import ReportUploadForm, RevokeForm

UNMATCHED_SHOWN = 200


def _count(queryset) -> Coalesce:
    """A correlated COUNT subquery (several of them never multiply each other's rows)."""
    counted = queryset.order_by().values(queryset.model._meta.get_field("session").attname)
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )


# --- Attendance sheets ---------------------------------------------------------------------


@admin.register(AttendanceSheet)
class AttendanceSheetAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "series",
        "starts_at",
        "attended_display",
        "unmatched_display",
        "feedback_display",
    ]
    list_filter = ["series"]
    list_select_related = ["series"]
    search_fields = ["title", "series__title"]
    ordering = ["-starts_at"]
    date_hierarchy = "starts_at"

    def get_queryset(self, request):
        session = OuterRef("pk")
        attended = Attendance.objects.filter(session=session).filter(
            Q(marked=True)
            | Q(marked__isnull=True, report_minutes__gte=F("session__series__attended_minutes"))
        )
        unmatched = ReportRow.objects.filter(
            report__session=session, report__is_current=True, request__isnull=True, ignored=False
        ).values("report__session")
        return (
            super()
            .get_queryset(request)
            .annotate(
                attended_n=_count(attended),
                unmatched_n=Coalesce(
                    Subquery(
                        unmatched.annotate(n=Count("pk")).values("n"), output_field=IntegerField()
                    ),
                    0,
                ),
                feedback_n=_count(SessionFeedback.objects.filter(session=session)),
            )
        )

    @admin.display(description=_("attended"), ordering="attended_n")
    def attended_display(self, obj) -> int:
        return obj.attended_n

    @admin.display(description=_("rows to match"), ordering="unmatched_n")
    def unmatched_display(self, obj) -> int:
        return obj.unmatched_n

    @admin.display(description=_("feedback answers"), ordering="feedback_n")
    def feedback_display(self, obj) -> int:
        return obj.feedback_n

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.sheet_view(request, object_id)

    def sheet_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        session = (
            Session.objects.select_related("series").filter(pk=object_id).first()
            if str(object_id).isdigit()
            else None
        )
        if session is None:
            raise Http404(gettext("No such session."))
        if not self.has_view_or_change_permission(request, session):
            raise PermissionDenied
        upload_form = ReportUploadForm()
        if request.method == "POST":
            if not self.has_change_permission(request, session):
                raise PermissionDenied
            upload_form, done = self._handle_post(request, session)
            if done:
                return HttpResponseRedirect(request.path)
        return TemplateResponse(
            request,
            "admin/echo/attendancesheet/sheet.html",
            {
                **self.admin_site.each_context(request),
                **self.sheet_context(session),
                "title": gettext("Attendance: %(session)s") % {"session": session},
                "opts": self.opts,
                "original": session,
                "upload_form": upload_form,
                "can_change": self.has_change_permission(request, session),
                "max_mb": attendance.MAX_REPORT_BYTES // (1024 * 1024),
            },
        )

    def sheet_context(self, session: Session) -> dict:
        participants = list(
            RegistrationRequest.objects.filter(
                series_id=session.series_id, state=RequestState.APPROVED
            )
            .order_by("full_name", "pk")
            .only("full_name", "email", "organization")
        )
        rows = {row.request_id: row for row in Attendance.objects.filter(session=session)}
        threshold = session.series.attended_minutes
        sheet = []
        for participant in participants:
            row = rows.get(participant.pk)
            minutes = row.report_minutes if row else None
            marked = row.marked if row else None
            attended = marked if marked is not None else (minutes or 0) >= threshold
            sheet.append(
                {"participant": participant, "minutes": minutes, "marked": marked,
                 "attended": attended}
            )  # fmt: skip
        reports = list(
            AttendanceReport.objects.filter(session=session).select_related("uploaded_by")
        )
        current = next((report for report in reports if report.is_current), None)
        unmatched, unmatched_total, ignored = [], 0, []
        if current is not None:
            pending = ReportRow.objects.filter(report=current, request__isnull=True, ignored=False)
            unmatched_total = pending.count()
            unmatched = list(pending.order_by("-minutes", "name", "pk")[:UNMATCHED_SHOWN])
            ignored = list(ReportRow.objects.filter(report=current, ignored=True)[:UNMATCHED_SHOWN])
        results = session_results(session)
        return {
            "session": session,
            "series": session.series,
            "sheet": sheet,
            "attended_total": sum(1 for line in sheet if line["attended"]),
            "participants": participants,
            "reports": reports,
            "current_report": current,
            "unmatched": unmatched,
            "unmatched_total": unmatched_total,
            "ignored": ignored,
            "results": results,
            "bars": results.bars(width=300),
        }

    def _handle_post(self, request: HttpRequest, session: Session):
        action = request.POST.get("action", "")
        if action == "upload":
            form = ReportUploadForm(request.POST, request.FILES)
            if not form.is_valid():
                return form, False
            uploaded = form.cleaned_data["report"]
            data = uploaded.read(attendance.MAX_REPORT_BYTES + 1)
            try:
                result = attendance.import_report(
                    session=session, file_name=uploaded.name, data=data, actor=request.user
                )
            except attendance.ReportError as error:
                self.message_user(request, error.message, messages.ERROR)
                return form, False
            if not result.already_imported:
                self.log_change(request, session, gettext("Attendance report imported."))
            level = messages.INFO if result.already_imported else messages.SUCCESS
            self.message_user(request, result.summary(), level)
            return ReportUploadForm(), True
        try:
            if action == "mark":
                self._save_marks(request, session)
            elif action in {"match", "ignore", "restore"}:
                self._resolve(request, session, action)
            else:
                self.message_user(request, gettext("Nothing to do."), messages.WARNING)
        except attendance.ReportError as error:
            self.message_user(request, error.message, messages.ERROR)
        return ReportUploadForm(), True

    def _save_marks(self, request: HttpRequest, session: Session) -> None:
        values = {"report": None, "attended": True, "absent": False}
        participants = RegistrationRequest.objects.filter(
            series_id=session.series_id, state=RequestState.APPROVED
        )
        current = dict(
            Attendance.objects.filter(session=session).values_list("request_id", "marked")
        )
        changed = 0
        for participant in participants:
            choice = request.POST.get(f"mark-{participant.pk}")
            if choice not in values or values[choice] == current.get(participant.pk):
                continue
            attendance.mark_attendance(
                session=session, request=participant, attended=values[choice], actor=request.user
            )
            changed += 1
        if changed:
            self.log_change(request, session, gettext("Attendance marked by hand."))
        self.message_user(
            request,
            ngettext("%(count)d mark saved.", "%(count)d marks saved.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    def _resolve(self, request: HttpRequest, session: Session, action: str) -> None:
        row = (
            ReportRow.objects.filter(
                pk=request.POST.get("row") if str(request.POST.get("row", "")).isdigit() else None,
                report__session=session,
                report__is_current=True,
            )
            .select_related("report__session__series")
            .first()
        )
        if row is None:
            self.message_user(request, gettext("That row is no longer listed."), messages.ERROR)
            return
        participant = None
        if action == "match":
            participant_id = request.POST.get("participant", "")
            participant = RegistrationRequest.objects.filter(
                pk=participant_id if participant_id.isdigit() else None
            ).first()
            if participant is None:
                self.message_user(request, gettext("Choose a participant."), messages.ERROR)
                return
        attendance.resolve_row(row=row, request=participant, ignore=action == "ignore")
        text = {
            "match": gettext("%(row)s matched to %(name)s."),
            "ignore": gettext("%(row)s ignored."),
            "restore": gettext("%(row)s is back on the list to match."),
        }[action] % {
            "row": row.name or row.email or gettext("A row"),
            "name": participant.full_name if participant else "",
        }
        self.log_change(request, session, text)
        self.message_user(request, text, messages.SUCCESS)


# --- Certificates --------------------------------------------------------------------------


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    fields = ["created_at", "action", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ValidityFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("valid", _("Valid")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "valid":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["holder", "series", "issued_at", "status"]
    list_filter = [ValidityFilter, "request__series"]
    list_select_related = ["request__series"]
    search_fields = ["request__full_name", "request__email"]
    search_help_text = _("Search by the holder's name or email.")
    ordering = ["-issued_at"]
    actions = ["revoke_selected", "reinstate_selected"]
    fields = ["holder", "series", "issued_at", "status", "revoke_reason", "links"]
    readonly_fields = fields
    inlines = [CertificateEventInline]

    @admin.display(description=_("holder"), ordering="request__full_name")
    def holder(self, obj: Certificate) -> str:
        return obj.request.full_name

    @admin.display(description=_("series"), ordering="request__series__title")
    def series(self, obj: Certificate) -> str:
        return obj.request.series.title

    @admin.display(description=_("status"), boolean=False)
    def status(self, obj: Certificate) -> str:
        return gettext("Valid") if obj.is_valid else gettext("Revoked")

    @admin.display(description=_("links"))
    def links(self, obj: Certificate) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:echo_certificate_pdf", args=[obj.pk]),
            gettext("Certificate (PDF)"),
            obj.get_verification_url(),
            gettext("Public verification page"),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="echo_certificate_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        certificate = (
            Certificate.objects.select_related("request__series").filter(pk=object_id).first()
        )
        if certificate is None:
            raise Http404(gettext("No such certificate."))
        if not self.has_view_permission(request, certificate):
            raise PermissionDenied
        response = HttpResponse(
            certificates.render_certificate_pdf(certificate), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="certificate-{certificate.pk}.pdf"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke selected certificates…"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        """Ask for the reason first (kept in each certificate's history), then revoke."""
        selected = list(queryset.select_related("request__series").order_by("pk"))
        form = RevokeForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            done, skipped = 0, 0
            for certificate in selected:
                try:
                    certificates.revoke_certificate(
                        certificate=certificate,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except certificates.CertificateError:
                    skipped += 1
                    continue
                done += 1
                self.log_change(
                    request,
                    certificate,
                    gettext("Revoked. Reason: %(reason)s")
                    % {"reason": form.cleaned_data["reason"]},
                )
            text = ngettext(
                "%(count)d certificate revoked.", "%(count)d certificates revoked.", done
            ) % {"count": done}
            if skipped:
                text += " " + gettext("%(count)d skipped: already revoked.") % {"count": skipped}
            self.message_user(request, text, messages.SUCCESS if done else messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Revoke certificates"),
            "opts": self.opts,
            "selected": selected,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/echo/certificate/revoke_selected.html", context)

    @admin.action(description=_("Reinstate selected certificates"), permissions=["change"])
    def reinstate_selected(self, request, queryset):
        done = 0
        for certificate in queryset.order_by("pk"):
            try:
                certificates.reinstate_certificate(certificate=certificate, actor=request.user)
            except certificates.CertificateError:
                continue
            done += 1
            self.log_change(request, certificate, gettext("Reinstated."))
        self.message_user(
            request,
            ngettext(
                "%(count)d certificate reinstated.", "%(count)d certificates reinstated.", done
            )
            % {"count": done},
            messages.SUCCESS if done else messages.WARNING,
        )


# --- Case presentations --------------------------------------------------------------------


class ScheduledFilter(admin.SimpleListFilter):
    title = _("scheduled")
    parameter_name = "scheduled"

    def lookups(self, request, model_admin):
        return [("no", _("Not yet scheduled")), ("yes", _("Scheduled"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(session__isnull=True)
        if self.value() == "yes":
            return queryset.filter(session__isnull=False)
        return queryset


@admin.register(CasePresentation)
class CasePresentationAdmin(admin.ModelAdmin):
    """Cases are the presenter's words: nobody edits them here; staff and faculty schedule."""

    list_display = ["title", "presenter", "series", "submitted_at", "session"]
    list_filter = [ScheduledFilter, "request__series"]
    list_select_related = ["request__series", "session"]
    search_fields = ["title"]
    search_help_text = _("Search by title.")
    ordering = ["-submitted_at"]
    fieldsets = [
        (
            _("Case"),
            {
                "fields": [
                    "presenter",
                    "series",
                    "submitted_at",
                    "title",
                    "question",
                    "background",
                    "tried",
                    "help_wanted",
                    "confirmed_deidentified",
                ]
            },
        ),  # fmt: skip
        (_("Schedule"), {"fields": ["session", "scheduled_at"]}),
    ]
    readonly_fields = [
        "presenter",
        "series",
        "submitted_at",
        "title",
        "question",
        "background",
        "tried",
        "help_wanted",
        "confirmed_deidentified",
        "scheduled_at",
    ]

    @admin.display(description=_("presenter"), ordering="request__full_name")
    def presenter(self, obj: CasePresentation) -> str:
        return f"{obj.request.full_name} ({obj.request.organization})"

    @admin.display(description=_("series"), ordering="request__series__title")
    def series(self, obj: CasePresentation) -> str:
        return obj.request.series.title

    def has_add_permission(self, request):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "session" in form.base_fields:
            field = form.base_fields["session"]
            field.queryset = Session.objects.filter(
                series_id=obj.request.series_id, is_cancelled=False
            ).select_related("series")
            field.label_from_instance = lambda session: f"{session} – {session.when}"
            field.help_text = gettext("The presenter is emailed the session's date when you save.")
        return form

    def save_model(self, request, obj, form, change):
        if "session" in form.changed_data:
            try:
                cases.schedule_case(case=obj, session=obj.session, actor=request.user)
            except cases.CaseError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        # Nothing else on the case is editable, so nothing else is saved.
