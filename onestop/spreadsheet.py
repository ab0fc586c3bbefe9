"""Text the portal writes into spreadsheet files (CSV and XLSX) stays text: a name, an address or a
note that begins like a formula (``=HYPERLINK(...)``, ``+84 ...``, ``-1``, ``@SUM(...)``) is never run
by the spreadsheet program that opens the file (formula or "CSV" injection).

One rule for every export (the dossier register, the reports, the catalogue):

- numbers written as numbers (int, float, Decimal, a negative one included) stay numbers;
- text beginning with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed, or with
  the full-width forms of the first four (U+FF1D, U+FF0B, U+FF0D, U+FF20), which some spreadsheet
  programs read as the half-width ones, is "formula-like";
- in a document a person reads (CSV, the register, a report), formula-like text is written behind an
  apostrophe (``spreadsheet_text``), the mark spreadsheet programs show for "text as typed";
- in a workbook read back by the portal (the catalogue's XLSX), it is written unchanged as a text cell
  with Excel's own "text as typed" mark (``quotePrefix``), so the import reads exactly what was
  exported (``xlsx_keep_text``).

In every XLSX, no text cell is ever stored as a formula (``xlsx_keep_text``).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def formula_like(value) -> bool:
    """``value`` is text that a spreadsheet program could read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def spreadsheet_text(value):
    """``value`` as a cell of a CSV or XLSX a person reads: formula-like text behind an apostrophe,
    anything else (numbers, dates, other text) unchanged."""
    return "'" + value if formula_like(value) else value


def xlsx_keep_text(worksheet) -> None:
    """Every text cell of ``worksheet`` stored as text, never as a formula (openpyxl writes text that
    begins with ``=`` as one); formula-like text also gets the "text as typed" mark, so editing the
    cell in a spreadsheet program keeps it text."""
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if formula_like(cell.value):
                    cell.quotePrefix = True
