# Filled by a later issue (see ../shared/DESIGN.md for the intended data model).
