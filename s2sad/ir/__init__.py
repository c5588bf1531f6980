"""The IR at the bottom of the package: values, ops and blocks (core), the
structural ops declared as data (ops), Python's operator tables, the printed
text form and its parser."""
