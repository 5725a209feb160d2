"""The forms of dissemination, named by concern like the views."""
