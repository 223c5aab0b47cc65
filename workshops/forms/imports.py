from __future__ import annotations

from crispy_forms_gds.layout import Field
from django import forms

from workshops.forms.fields import gds_helper

MAX_UPLOAD_MB = 5

# An error summary of thousands of lines helps nobody: the first ones show
# what is wrong with the file, and the count says how much more there is.
MAX_PROBLEMS_SHOWN = 100


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={
            "required": "Choose a CSV file to upload",
            "empty": "The file is empty",
            "invalid": "Choose a CSV file to upload",
        },
    )

    def __init__(self, *args, submit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []
        self.helper = gds_helper(Field("file"), submit=submit)
        # The page writes its own <form> tag (and token): a file upload needs
        # multipart encoding.
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"The file must be smaller than {MAX_UPLOAD_MB} MB")
        return upload

    def add_problems(self, problems: list[str]) -> None:
        """Report the problems an import found in the file; nothing was stored."""
        self.problems = problems
        count = f"{len(problems):,} problem" + ("" if len(problems) == 1 else "s")
        self.add_error(
            "file", f"The file has {count}, so nothing was imported. Fix it and upload it again"
        )

    @property
    def problems_shown(self) -> list[str]:
        return self.problems[:MAX_PROBLEMS_SHOWN]

    @property
    def problems_not_shown(self) -> int:
        return max(0, len(self.problems) - MAX_PROBLEMS_SHOWN)
