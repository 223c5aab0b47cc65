"""Reports: documents built from an assessment (the printable questionnaire, PDFs)."""
