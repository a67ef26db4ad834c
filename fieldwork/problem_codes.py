"""Every problem code, once, with what it means.

A ``Problem``'s code (``fieldwork.problems``) is a stable name that tests and other tools match
on, so it is spelled here and nowhere else: a module imports the constant it raises (the
constant's name is the code in capitals; tests/test_architecture.py fails on a code spelled
anywhere else). A code never changes once released: other tools and the contract's import
rules rely on it. A new refusal that needs a new code adds it here, with its meaning.
"""

# Files: reading what someone hands us
UNREADABLE_FILE = "unreadable_file"  # the file could not be opened or read at all
# the file opens but its layout is broken (not the sheet or text it claims to be)
MALFORMED_FILE = "malformed_file"
UNSUPPORTED_FILE = "unsupported_file"  # a kind of file this command or page does not read (by its ending)
UNWRITABLE_FILE = "unwritable_file"  # the output file could not be written where asked
EMPTY_FILE = "empty_file"  # the file holds no rows to read
FILE_TOO_LARGE = "file_too_large"  # the file is larger than an import may be
TOO_MANY_ROWS = "too_many_rows"  # more rows than one import, listing or export may hold
# the text is in none of the encodings read (UTF-8, UTF-16 with a mark, Windows-1252)
BAD_ENCODING = "bad_encoding"
READ_AS_CP1252 = "read_as_cp1252"  # a warning: the file was read as Windows-1252, not UTF-8
# a warning: some text looks encoded twice (such as 'â€™' for an apostrophe)
LOOKS_DOUBLE_ENCODED = "looks_double_encoded"
MISSING_SHEET = "missing_sheet"  # the workbook has no sheet of the name the import reads
MISSING_FILE = "missing_file"  # a file the questionnaire names (for its choices) is not beside it
BAD_FILE = "bad_file"  # the uploaded file is empty or not the kind asked for
UNCALCULATED_FORMULA = "uncalculated_formula"  # a cell holds a formula whose value was never calculated
BAD_OUTPUT = "bad_output"  # the output file's name or ending is not one the command writes
BAD_FORMAT = "bad_format"  # a format that is not offered
BAD_OPTION = "bad_option"  # an option (layout, labels, notes) that does not go with the others or is not offered

# Columns and rows of an imported table
UNKNOWN_COLUMN = "unknown_column"  # a column the questionnaire does not have
UNNAMED_COLUMN = "unnamed_column"  # a column with no header but with values below it
DUPLICATE_COLUMN = "duplicate_column"  # two columns of the same name
MISSING_COLUMN = "missing_column"  # a column the import needs is not there
BAD_COLUMN_MAP = "bad_column_map"  # a column named in the column map is not in the file
MISSING_VALUE = "missing_value"  # a row leaves blank a value it must give

# Case references
BAD_CASE_REF = "bad_case_ref"  # a case reference that breaks the inspection's pattern or is blank
BAD_CASE_REF_PATTERN = "bad_case_ref_pattern"  # the inspection's case reference pattern is not a valid pattern
# the same case reference twice (in one file, or already in the database)
DUPLICATE_CASE_REF = "duplicate_case_ref"
CASE_EXISTS = "case_exists"  # the case is already in the database with an assessment
UNKNOWN_CASE = "unknown_case"  # no case with that reference in the inspection

CASE_REFS_CLASH = "case_refs_clash"  # renaming case references would give two cases the same one
CASE_NOT_FOUND = "case_not_found"  # no case of that reference to rename

# Answers
UNKNOWN_CODE = "unknown_code"  # a code that is not one of the question's (or the list's) answer codes
BAD_VALUE = "bad_value"  # a value that is not of the question's type (a number, a date ...) or out of its range
MISSING_ANSWER = "missing_answer"  # a required question (or one a figure needs) has no answer
MISSING_REQUIRED = "missing_required"  # a required value is blank in an imported row
IRRELEVANT_ANSWER = "irrelevant_answer"  # an answer to a question that the case's skip logic makes irrelevant
CONSTRAINT = "constraint"  # an answer the question's own check refuses (its constraint)
CONSTRAINT_FAILED = "constraint_failed"  # an imported answer the question's own check refuses (its constraint)
NOT_ASKED = "not_asked"  # an answer to a question that is not asked for this case
OUTSIDE_FILTER = "outside_filter"  # a code its choice_filter leaves out of the list, given the case's answers
UNKNOWN_QUESTION = "unknown_question"  # the questionnaire has no question of that name
UNKNOWN_ANSWER = "unknown_answer"  # an answer code that the question does not have
BAD_CHARACTER = "bad_character"  # text holding a character an .xlsx cannot hold (a control character)
TOO_LONG = "too_long"  # text longer than its field may hold
PERSONAL_DATA = "personal_data"  # text that looks like personal data (a name, a date of birth, a phone number ...)
NOTE_PERSONAL_DATA = "note_personal_data"  # an evidence note that looks like personal data
NOT_CONTEXT = "not_context"  # a field that is not one of the case's context questions

# Assessments and saving
UNKNOWN_ASSESSMENT = "unknown_assessment"  # no such assessment
STALE_VERSION = "stale_version"  # the assessment was saved by someone else since it was read (the optimistic lock)
CHANGED_ELSEWHERE = "changed_elsewhere"  # a question read on screen was changed elsewhere before this save
NOT_DRAFT = "not_draft"  # the assessment is not a draft, so it cannot be changed that way
NOT_COMPLETE = "not_complete"  # the assessment is not complete, so it cannot be used that way
READ_ONLY = "read_only"  # a field that is fixed when the case is added and cannot be changed here
# the database refused the write: a clash with a save at the same moment, or a rule it keeps
WRITE_CLASH = "write_clash"
DATABASE_BUSY = "database_busy"  # the database stayed busy (locked) for longer than a save waits
DATABASE_REFUSED = "database_refused"  # the database refused the app's account the write (permission denied)
AUDIT_TRAIL_MISSING = "audit_trail_missing"  # the audit table was renamed or dropped: no fresh, empty trail is made over it
SIGNED_OUT = "signed_out"  # the page's session ended before the save (the form asks for sign-in again)
SESSION_ENDED = "session_ended"  # the account or browser session was ended; nothing was saved
NOT_IN_INSPECTION = "not_in_inspection"  # the questionnaire (or case) is not one of this inspection's

NO_ENTRY = "no_entry"  # an answer to an entry of a repeat group that does not exist (removed elsewhere)
TOO_MANY_ENTRIES = "too_many_entries"  # more entries of a repeat group than its maximum allows
TOO_FEW_ENTRIES = "too_few_entries"  # an imported case with fewer entries of a repeat group than its minimum
WRONG_ENTRY_COUNT = "wrong_entry_count"  # an imported case whose entries of a repeat group are not its repeat_count
UNKNOWN_REPEAT = "unknown_repeat"  # the questionnaire has no repeat group of that name
DUPLICATE_REPEAT = "duplicate_repeat"  # two sheets or files of an import hold the same repeat group
NO_PARENT = "no_parent"  # an imported entry whose case (parent row) is not in the file
DUPLICATE_ENTRY = "duplicate_entry"  # the same entry of a case given twice in an import
MISSING_LINK = "missing_link"  # a repeat group's sheet or file has no column linking each entry to its case
NO_ENTRIES = "no_entries"  # a warning: the form has repeat groups but the file holds no entries of them
BY_ENTRY_VARIABLE = "by_entry_variable"  # a breakdown by a question asked once per entry of a repeat group
INDICATOR_OVER_ENTRIES = "indicator_over_entries"  # an indicator reading questions asked per entry
ENTRY_REFUSED = "entry_refused"  # an entry of a repeat group cannot be added or removed here (the reason says why)

# the database's schema is older than this program, and this connection may not migrate it
SCHEMA_NOT_CURRENT = "schema_not_current"
BAD_APP_ROLE = "bad_app_role"  # a PostgreSQL role for the app that is not set up as the app needs

# Accounts and permissions
PERMISSION_DENIED = "permission_denied"  # the actor's role or forces do not allow this
BAD_USER_NAME = "bad_user_name"  # an account name that breaks the naming rule or is reserved
USER_NAME_TAKEN = "user_name_taken"  # an account of that name exists already
BAD_ROLE = "bad_role"  # a role that is not one of the roles
UNKNOWN_FORCE = "unknown_force"  # a force code that is not one of contract section 6
WEAK_PASSWORD = "weak_password"  # a password that is too short, too long or too easy to guess
UNKNOWN_USER = "unknown_user"  # no account of that name
LAST_ADMIN = "last_admin"  # the change would leave no active admin
# the name or password is wrong, or the account is disabled or locked (one message for all)
SIGN_IN_REFUSED = "sign_in_refused"

# Questionnaires, frameworks and codebooks (the criteria folder, XLSForms)
# no questionnaire of that id (in the criteria folder or the inspection)
UNKNOWN_QUESTIONNAIRE = "unknown_questionnaire"
# the questionnaire version a record names is not stored here
UNKNOWN_QUESTIONNAIRE_VERSION = "unknown_questionnaire_version"
# the questionnaire is not one the inspection uses
QUESTIONNAIRE_NOT_IN_INSPECTION = "questionnaire_not_in_inspection"
# a version of the same number with different content is stored here
QUESTIONNAIRE_VERSION_DIFFERS = "questionnaire_version_differs"
# a version number stored already with other content: a change of wording needs a new version
VERSION_CHANGED = "version_changed"
UNKNOWN_FRAMEWORK = "unknown_framework"  # no framework of that id
FRAMEWORK_MISMATCH = "framework_mismatch"  # a questionnaire written for another framework than the inspection's
UNKNOWN_CRITERION = "unknown_criterion"  # no criterion of that id in the framework
BAD_CRITERION = "bad_criterion"  # a framework criterion without an id or a text
BAD_SCALE = "bad_scale"  # a framework's grading scale is not a list of grades with codes and labels
UNKNOWN_INSPECTION = "unknown_inspection"  # no inspection of that code is held here
WRONG_INSPECTION = "wrong_inspection"  # the record belongs to another inspection than the one acted on
BAD_CODE = "bad_code"  # a codebook entry without a unique code or a label
MISSING_CODE = "missing_code"  # the codebook lacks a code that must be offered
NO_CODEBOOK = "no_codebook"  # the inspection has no codebook for this kind of record
UNKNOWN_TYPE = "unknown_type"  # a question type the toolkit does not know
UNKNOWN_CHOICES = "unknown_choices"  # a question names a choice list that does not exist
UNKNOWN_SECTION = "unknown_section"  # a question names a section that does not exist
UNKNOWN_VARIABLE = "unknown_variable"  # an expression or option names a variable the questionnaire does not have
BAD_NAME = "bad_name"  # a questionnaire, question or choice name that breaks the naming rule
DUPLICATE_NAME = "duplicate_name"  # two questions (or sections) of the same name
DUPLICATE_CODE = "duplicate_code"  # two answer codes of the same name in one list
BAD_EXPRESSION = "bad_expression"  # an expression (skip logic, constraint, indicator) that does not parse
SELF_REFERENCE = "self_reference"  # an expression that refers to its own question
CYCLE = "cycle"  # calculations or skip rules that depend on each other in a circle
BAD_TEMPLATE = "bad_template"  # a wording template that names a field it is not given
# a contract questionnaire whose variables or codes differ from the contract's
CONTRACT_MISMATCH = "contract_mismatch"
# a question marked required that the contract does not make required
REQUIRED_NOT_ALLOWED = "required_not_allowed"
MISSING_FIELD = "missing_field"  # a field a record or a file must give is missing or blank
BAD_ENTRY_LIMIT = "bad_entry_limit"  # a repeat's min/max is not a whole number, or min > max
REPEAT_NOT_SUPPORTED = "repeat_not_supported"  # a repeat group where repeats are not read
XLSFORM_REFUSED = "xlsform_refused"  # the XLSForm converter (pyxform) refused the form
LABELS_EXPORT = "labels_export"  # an ODK/Kobo export with labels instead of codes (export it with codes)

# Findings, figures and the report
NOT_SINGLE_CHOICE = "not_single_choice"  # a breakdown or filter on a question that is not single choice
EMPTY_FILTER = "empty_filter"  # a filter that names no code
BAD_FILTER = "bad_filter"  # a filter that is not written as VARIABLE=CODE
INDICATOR_TOO_WIDE = "indicator_too_wide"  # an indicator that uses more variables than one query may pivot
UNKNOWN_FINDING = "unknown_finding"  # no finding of that id
UNKNOWN_BEARING = "unknown_bearing"  # no finding bearing of that id
BAD_STATISTIC = "bad_statistic"  # an agreement statistic that is not offered
BAD_PLAN = "bad_plan"  # the sample-size plan cannot be worked out from what was given

# Evidence, judgements and case examples
BAD_EXCERPT = "bad_excerpt"  # an excerpt that is not written as CRITERION:CODE:TEXT
EVIDENCE_CHANGED = "evidence_changed"  # an evidence record changed since it was opened
UNKNOWN_EVIDENCE = "unknown_evidence"  # no evidence record of that reference
# evidence about another force or CPS Area than the judgement's
EVIDENCE_OF_ANOTHER_UNIT = "evidence_of_another_unit"
MISSING_RATIONALE = "missing_rationale"  # a judgement without its rationale
JUDGEMENT_CHANGED = "judgement_changed"  # a judgement changed since it was opened
UNKNOWN_GRADE = "unknown_grade"  # a grade that is not on the framework's scale
NO_SCALE = "no_scale"  # the framework has no grading scale to judge on
UNKNOWN_UNIT = "unknown_unit"  # a unit type that is not force or cps_area
UNKNOWN_EXAMPLE = "unknown_example"  # no case example of that id
EMPTY_NARRATIVE = "empty_narrative"  # a case example without its narrative
DUPLICATE_EXAMPLE = "duplicate_example"  # the same case example (case, criterion, finding, narrative) marked already
NOTHING_NAMED = "nothing_named"  # a case example that names neither a criterion nor a finding
NOT_COUNTED = "not_counted"  # a case without a complete, counted assessment (cannot be an example)

# Sampling
NO_FRAME = "no_frame"  # no sampling frame for that force and questionnaire
FRAME_ALREADY_DRAWN = "frame_already_drawn"  # the frame has been drawn from; it can no longer be replaced
FRAME_TOO_SMALL = "frame_too_small"  # the frame holds fewer cases than the sample asks for
IN_OTHER_FRAME = "in_other_frame"  # the case is already in another frame
ALREADY_DRAWN = "already_drawn"  # a sample has already been drawn for this frame
ALREADY_IN_REGISTER = "already_in_register"  # the case is already in the register
ALREADY_EXCLUDED = "already_excluded"  # the case was excluded already
NOT_IN_SAMPLE = "not_in_sample"  # the case is not in the sample
BAD_REASON = "bad_reason"  # an exclusion reason that is not offered (or "other" without words)
BAD_SAMPLE_SETTING = "bad_sample_setting"  # a sample setting out of range (percent, number, seed, allocation)
NO_TARGET = "no_target"  # no sample size for the force: give a target
MISSING_STRATUM_VALUE = "missing_stratum_value"  # a case without a value for a stratum the sample is drawn by
BAD_INSPECTOR = "bad_inspector"  # the inspector is not named, or not as an account name can be

# Second marking and moderation
BAD_SAMPLE = "bad_sample"  # a second-marking sample setting out of range
NOTHING_TO_SAMPLE = "nothing_to_sample"  # no complete primary assessment to second-mark
ALREADY_SECOND_MARKED = "already_second_marked"  # the assessment is second-marked already
NO_SECOND_MARKER = "no_second_marker"  # no inspector other than the first can second-mark it
SAME_INSPECTOR = "same_inspector"  # the second marker is the first inspector
FORCE_NOT_COVERED = "force_not_covered"  # the second marker's forces do not cover the case's force
UNKNOWN_INSPECTOR = "unknown_inspector"  # no inspector of that name
UNKNOWN_SECOND_MARKING = "unknown_second_marking"  # no second marking of that id
NOT_A_SECOND_MARKER = "not_a_second_marker"  # the actor is not this case's second marker
NOT_READY_FOR_MODERATION = "not_ready_for_moderation"  # the second marking is not complete yet
ALREADY_MODERATED = "already_moderated"  # the moderation is finished already
NOT_A_DISAGREEMENT = "not_a_disagreement"  # an agreed answer for a question the two inspectors answered alike
UNDECIDED = "undecided"  # a disagreement without an agreed answer yet
MODERATION_CHANGED = "moderation_changed"  # another lead saved an agreed answer since this lead opened the case
NOT_ELIGIBLE = "not_eligible"  # no such assessment in this inspection to second-mark

# Bundles and merges
BUNDLE_CORRUPT = "bundle_corrupt"  # the file is not a readable bundle (not a zip, or cut short)
BUNDLE_FORMAT = "bundle_format"  # not a fieldwork bundle of a format this toolkit reads
BUNDLE_INVALID = "bundle_invalid"  # a bundle whose content breaks its own rules (a missing field, a bad value)
BUNDLE_TAMPERED = "bundle_tampered"  # the bundle's checksum does not match its content
BUNDLE_TOO_LARGE = "bundle_too_large"  # the bundle is larger than a bundle may be
BUNDLE_TIME_AHEAD = "bundle_time_ahead"  # a warning: a bundle's times lie more than a day ahead of this clock (kept)
BUNDLE_UID_CLASH = "bundle_uid_clash"  # an incoming assessment's identity is held here by another case
NOTHING_TO_EXPORT = "nothing_to_export"  # nothing to put in a bundle
UNKNOWN_CONFLICT = "unknown_conflict"  # no open merge conflict of that case
NOT_A_SIDE = "not_a_side"  # the assessment chosen is not one of the conflict's sides

# Demonstration data and the audit log
DEMO_INVALID = "demo_invalid"  # demonstration data that does not fit its questionnaire
DEMO_REFUSED = "demo_refused"  # demonstration data cannot be loaded into this inspection
BAD_DATE_RANGE = "bad_date_range"  # a date range whose start is after its end
