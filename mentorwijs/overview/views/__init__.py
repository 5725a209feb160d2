"""The top's pages: home and settings (home), the progress dashboard and its export (dashboard)."""
