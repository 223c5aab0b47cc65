from django.urls import path

from workshops import views

urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/new/", views.partnership_create, name="partnership-create"),
    path("partnerships/<int:partnership_id>/", views.partnership_detail, name="partnership"),
    path(
        "partnerships/<int:partnership_id>/edit/", views.partnership_edit, name="partnership-edit"
    ),
    path(
        "partnerships/<int:partnership_id>/organisations/new/",
        views.organisation_create,
        name="organisation-create",
    ),
    path(
        "partnerships/<int:partnership_id>/organisations/<int:organisation_id>/edit/",
        views.organisation_edit,
        name="organisation-edit",
    ),
    path(
        "partnerships/<int:partnership_id>/people/new/", views.person_create, name="person-create"
    ),
    path(
        "partnerships/<int:partnership_id>/people/<int:person_id>/edit/",
        views.person_edit,
        name="person-edit",
    ),
    path("partnerships/<int:partnership_id>/members/new/", views.member_add, name="member-add"),
    path(
        "partnerships/<int:partnership_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member-remove",
    ),
]
