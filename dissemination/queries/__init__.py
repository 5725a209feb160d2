"""The read paths of dissemination, named by concern: relations, outreach_*, newsletters_*."""
