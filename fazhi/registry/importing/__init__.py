"""Excel/CSV import of entities: parse -> validate every row -> stage -> confirm.

``template`` (the columns and the template workbook), ``validation`` (every row checked),
``bulk`` (the insert); files are read by the one reader, ``fazhi.core.spreadsheets``; the
services that stage, confirm and discard a batch are ``fazhi.registry.services.imports``.

Upload parses and validates the whole file and stores the normalised rows in the batch
(``ImportBatch.payload``, zlib-compressed ``marshal``) together with every error found. Nothing
reaches the directory until a batch without errors is confirmed; confirm inserts the whole batch
in one transaction with one audit event. Before and while reading, ``fazhi.core.import_limits``
refuses a file too large, an .xlsx that would inflate too far, and a sheet past the row limit
(nothing is written), and only the first errors are kept with the count of all. Spreadsheets are
read by python-calamine (.xlsx, .xls, .ods) or the standard library (CSV); validation is plain
Python over the rows (division codes are validated once per distinct value); existing codes are
looked up through the directory's unique indexes; confirm writes straight to the tables
(``bulk.bulk_insert``).
"""
