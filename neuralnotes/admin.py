from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from neuralnotes.models import Invitation
from neuralnotes.signup import invitation_create, invitation_path, signup_mode


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations to sign up (SIGNUP=invite): "Add invitation" makes a single-use link, shown
    once made and in the list until it is used."""

    list_display = ("__str__", "link", "created_by", "created_at", "expires_at", "state")
    list_filter = ("used_at",)
    fields = ("note", "expires_at", "link", "created_by", "used_at", "used_by")
    readonly_fields = ("link", "created_by", "used_at", "used_by")
    actions = ["make_another"]

    @admin.display(description="link")
    def link(self, invitation: Invitation) -> str:
        if invitation.pk is None:
            return "Made when you save."
        if invitation.used_at is not None:
            return "(used)"
        return format_html("<code>{}</code>", invitation_path(invitation))

    @admin.display(description="state")
    def state(self, invitation: Invitation) -> str:
        if invitation.used_at is not None:
            return f"used by {invitation.used_by or 'a deleted account'}"
        if invitation.expires_at is not None and invitation.expires_at <= timezone.now():
            return "expired"
        return "open"

    def save_model(self, request, obj: Invitation, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj: Invitation, post_url_continue=None):
        self.message_user(
            request,
            f"Send this link to the person you invite; it works once: "
            f"{request.build_absolute_uri(invitation_path(obj))}",
            messages.SUCCESS,
        )
        if signup_mode() != "invite":
            self.message_user(
                request,
                f"Sign-up is {signup_mode()} on this server (SIGNUP): invitation links are only "
                "asked for when it is set to invite.",
                messages.WARNING,
            )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="Make a new invitation for each selected one (same note)")
    def make_another(self, request, queryset) -> None:
        for old in queryset:
            new = invitation_create(created_by=request.user, note=old.note)
            self.message_user(
                request,
                f"{new}: {request.build_absolute_uri(invitation_path(new))}",
                messages.SUCCESS,
            )
