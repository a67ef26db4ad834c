"""The file layer: bytes in and out, nothing else.

Reading a file someone gives us (``table``: a CSV or a sheet of an .xlsx as header and rows;
``text``: encodings and CSV dialects; ``safe_xlsx`` and ``zips``: zip parts counted as they
are unpacked; ``xlsx_sheet``: a sheet streamed row by row; ``foreign``: the download shapes
of KoboToolbox and ODK Central), every limit of ``limits`` checked as it is read; and writing
(``csv_out``: the one CSV writer; ``xlsx_out``: a sheet holding one table), every value made
safe by ``cells``. No database Session, no services, no Streamlit: the services above decide
what the cells mean, and ``exports/`` what goes into a file.
"""
