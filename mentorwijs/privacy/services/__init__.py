"""State changes and reads of the privacy app: the data export and erasure of a person and of an account holder."""
