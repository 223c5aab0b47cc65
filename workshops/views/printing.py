"""The printable questionnaire, as HTML and as PDF (being written)."""
