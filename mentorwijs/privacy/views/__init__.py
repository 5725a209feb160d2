"""The privacy pages, one module per concern: a person's data (person), account holders' data
(account), and the policy pages (retention periods, processing register, audit trail); urls.py lists
their routes."""
