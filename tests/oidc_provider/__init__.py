"""A small OpenID Connect provider for the single sign-on tests, built on
django-oauth-toolkit: its own Django project, run in a separate process on a free
127.0.0.1 port (``tests.oidc``), with its own temporary database."""
