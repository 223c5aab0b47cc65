"""Settings for the load benchmark: the product's settings plus two reference views."""

from lsp_assess.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
