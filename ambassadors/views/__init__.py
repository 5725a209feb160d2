"""Views of the ambassadors app, one module per area; each module lists its own urlpatterns."""
