"""Pure domain rules: policy, clocks, decision rights, form validation, lifecycle.

No I/O, no SQL, no Textual.
"""
