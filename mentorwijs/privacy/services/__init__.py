"""State changes and reads of the privacy app: a person's data export and erasure."""
