from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.template.defaultfilters import pluralize

from workshops.models import Membership, Organisation, Partnership, Person, User
from workshops.services.partnership import verify_partnership


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "authority_type", "county_partnership", "verified_at"]
    list_filter = ["authority_type", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "area"]
    # Set only by the action below, which logs it and sends the emails that waited.
    readonly_fields = ["verified_at", "verified_by"]
    inlines = [MembershipInline]
    actions = ["verify"]

    @admin.action(description="Verify the selected partnerships (checked as real)")
    def verify(self, request: HttpRequest, queryset) -> None:
        done = [
            p for p in queryset if verify_partnership(p, request.user, request.path) is not None
        ]
        self.message_user(request, f"{len(done)} partnership{pluralize(len(done))} verified.")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "partnership"]
    list_filter = ["sector"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "role", "layer", "partnership"]
    list_filter = ["role", "layer"]
    search_fields = ["name", "email"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "role"]
    list_filter = ["role"]
