"""The audit log's record of what happens to accounts: signing in, passwords."""

from __future__ import annotations
