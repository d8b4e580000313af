"""The one exception type the core raises for bad input.

Everything that a user can get wrong (an unknown name, a learning rate <= 0, a
malformed value) raises ``GdlabError`` with a one-line message meant for that
user. The CLI prints it and exits 2; the browser bridge returns it as an error
message. Anything else escaping the core is a bug.
"""


class GdlabError(ValueError):
    """Bad input, described in one line a learner can act on."""
