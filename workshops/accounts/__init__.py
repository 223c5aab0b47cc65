"""Accounts: django-allauth's sign-in, password reset, second factors, single
sign-on and sessions, fitted to the product's rules (accounts come from
invitations; some roles need a second factor; each organisation's own provider)."""
