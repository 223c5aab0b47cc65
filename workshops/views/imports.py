"""CSV imports of invitees and of responses (being written)."""
