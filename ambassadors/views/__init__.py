"""Views of the ambassadors app, one module per area; ambassadors/urls.py lists their routes."""
