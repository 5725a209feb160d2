"""The pages of dissemination, one module per area, named by concern: relations_*, outreach_*,
newsletters_*; urls.py lists their routes."""
