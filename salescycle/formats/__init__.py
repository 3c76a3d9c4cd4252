"""SalesCycle's own formats over Django's, per language (FORMAT_MODULE_PATH).

One rule for both languages: a date reads 2027-03-05 and a time 2027-03-05 14:30 wherever it is
shown, months are named in the reader's language, and the first input format is the one a
browser's date box speaks, so a value Django writes into a form is the value it reads back.
Numbers shown on pages go through the `amount` filter (core_tags), which groups thousands with
a comma in both languages."""
