from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Partnerships and workshops"

    def ready(self) -> None:
        # Each connects its receivers for the audit log of accounts.
        import workshops.accounts.mfa
        import workshops.accounts.signals
        import workshops.accounts.sso  # noqa: F401
        from workshops.models import Person
        from workshops.services import assessment

        # A signal rather than a call in the person form: a personal link must be
        # withdrawn whichever way an address changes (the form, the admin site, a
        # future import), or a coordinator could redirect someone's link.
        pre_save.connect(assessment.remember_email, sender=Person, dispatch_uid="remember_email")
        post_save.connect(
            assessment.withdraw_links_on_new_email, sender=Person, dispatch_uid="withdraw_links"
        )
