"""What the pages share instead of repeating it: problems shown as sentences (``problems``),
the pickers of inspection, questionnaire and force (``pickers``), rows of download buttons
(``downloads``), choices kept across a visit to another page (``kept``), the message a page leaves
for its next run (``notices``), tables that show "—" for an empty cell and wrap long text
(``tables``), criteria in pickers read whole (``criteria``), file uploaders that state and apply
the app's own size limit (``uploads``) and the write buttons that Try again presses again after a
busy database (``retry``). Pages import
from here: ``from fieldwork.ui import components`` or ``from fieldwork.ui.components import ...``."""

from fieldwork.ui.components import kept
from fieldwork.ui.components.criteria import criteria_in_full, criterion_option
from fieldwork.ui.components.downloads import Download, download_row
from fieldwork.ui.components.notices import as_typed, flash, heading
from fieldwork.ui.components.pickers import (DEFAULT_QUESTIONNAIRE, current_questionnaires, force_labels,
                                             inspection_picker, questionnaire_picker)
from fieldwork.ui.components.problems import KIND_WORDS, capitalised, problem_rows, sentence, show_problems
from fieldwork.ui.components.retry import pressed
from fieldwork.ui.components.tables import EMPTY, local_time, table
from fieldwork.ui.components.uploads import uploader

__all__ = ["DEFAULT_QUESTIONNAIRE", "Download", "EMPTY", "KIND_WORDS", "as_typed", "capitalised", "criteria_in_full",
           "criterion_option", "current_questionnaires", "download_row", "flash", "force_labels", "heading",
           "inspection_picker", "kept", "local_time", "pressed", "problem_rows", "questionnaire_picker", "sentence",
           "show_problems", "table", "uploader"]
