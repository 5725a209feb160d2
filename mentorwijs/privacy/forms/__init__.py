"""The privacy pages' forms, one module per concern."""
