"""The search field of a list: every word typed must match somewhere in the row."""

MAX_WORDS = 5  # enough for a name and a place; more only makes the query longer


def every_word(queryset, value: str, matches):
    """Narrow `queryset` to the rows where each word of `value` gives a match: `matches(word)` returns
    the Q (or expression) one word must satisfy. It only narrows the queryset it is given, which holds
    what the user may see."""
    for word in value.split()[:MAX_WORDS]:
        queryset = queryset.filter(matches(word))
    return queryset
