from django.contrib import admin

from questions.models import BankVersion, Item, Section


class ReadOnlyAdmin(admin.ModelAdmin):
    """Bank rows are immutable once loaded: change the YAML and reload instead."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BankVersion)
class BankVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "loaded_at"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["number", "heading", "name", "aspect", "bank"]
    list_filter = ["bank", "aspect"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["key", "text", "kind", "investigate_when", "na_allowed", "bank"]
    list_filter = ["bank", "kind", "section__number"]
    search_fields = ["key", "text"]
