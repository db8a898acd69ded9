"""Staff invitations, and resetting a colleague's second factor, in the admin."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import InviteForm
from .models import StaffInvite

User = get_user_model()


@admin.register(StaffInvite)
class StaffInviteAdmin(admin.ModelAdmin):
    """Invite someone by email with a role; the list shows every link sent and its state."""

    form = InviteForm
    list_display = ["email", "purpose", "role", "state", "invited_by", "created_at", "expires_at"]
    list_filter = ["purpose", "role"]
    list_select_related = ["invited_by"]
    search_fields = ["email"]
    search_help_text = _("Search by email address.")
    date_hierarchy = "created_at"
    add_fields = ["email", "role"]
    record_fields = ["purpose", "user", "invited_by", "created_at", "expires_at", "used_at"]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else [*self.add_fields, *self.record_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*self.add_fields, *self.record_fields]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.may_invite_administrators = request.user.is_superuser
        return form

    @admin.display(description=_("state"))
    def state(self, obj: StaffInvite) -> str:
        if obj.is_used:
            return gettext("Used")
        if obj.is_expired():
            return gettext("Expired or replaced")
        return gettext("Waiting")

    def has_change_permission(self, request, obj=None):
        return False  # a sent link is a record; send a new invitation instead

    def save_model(self, request, obj, form, change):
        try:
            services.invite_staff(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                invite=obj,
            )
        except ValidationError as error:  # the address got an account since the form was checked
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            gettext(
                "The invitation is stored and will be emailed to %(email)s. Its link works "
                "once, until %(when)s."
            )
            % {
                "email": obj.email,
                "when": date_format(timezone.localtime(obj.expires_at), "N j, Y, P T"),
            },
            messages.SUCCESS,
        )

    def log_addition(self, request, obj, message):
        if obj.pk is not None:  # nothing is recorded for an invitation that was refused
            super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        # The service's message says what happened; skip Django's "added successfully".
        return HttpResponseRedirect(reverse("admin:staff_staffinvite_changelist"))


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's user admin, with the second factor in the list and a way to reset it."""

    list_display = [*UserAdmin.list_display, "has_authenticator"]
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_authenticator=Exists(confirmed))

    @admin.display(description=_("authenticator app"), boolean=True)
    def has_authenticator(self, obj) -> bool:
        return obj.has_authenticator

    @admin.action(
        description=_("Reset the second factor and email a new set-up link"),
        permissions=["change"],
    )
    def reset_second_factor(self, request, queryset):
        users = list(queryset.order_by("username"))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Reset the second factor?"),
                "opts": self.opts,
                "users": users,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "select_across": request.POST.get("select_across", "0"),
            }
            return TemplateResponse(request, "admin/staff/reset_second_factor.html", context)
        done, skipped = [], []
        for user in users:
            try:
                removed, invite = services.reset_second_factor(user=user, reset_by=request.user)
            except ValidationError as error:
                skipped.append(f"{user.get_username()} ({' '.join(error.messages)})")
                continue
            self.log_change(
                request,
                user,
                gettext(
                    "Second factor reset: %(count)d device(s) removed; a new set-up link was "
                    "emailed to %(email)s."
                )
                % {"count": removed, "email": invite.email},
            )
            done.append(user.get_username())
        if done:
            self.message_user(
                request,
                ngettext(
                    "Second factor reset for %(names)s; a set-up link is on its way by email.",
                    "Second factors reset for %(names)s; set-up links are on their way by email.",
                    len(done),
                )
                % {"names": ", ".join(done)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                gettext("Not reset: %(names)s.") % {"names": "; ".join(skipped)},
                messages.WARNING,
            )
        return None
