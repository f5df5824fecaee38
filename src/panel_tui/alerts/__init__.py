"""Alerts to people who are not looking: digests by e-mail (SMTP) or webhook.

``run.py`` finds the clocks newly at warning or breach (store/read/alerts.py),
claims them in the sent-record (store/ledger/alerts.py, where the exactly-once
reasoning is), sends one digest per person (``send.py``) and marks them sent.
Standard library only for sending (smtplib, urllib).
"""
