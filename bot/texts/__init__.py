"""The words of each capability, one module each: what a runner or an admin reads.

``runs``, ``runfiles``, ``habits``, ``progress``, ``profile``, ``accounts``,
``nudge_settings`` and ``data_rights``. Clubs keep theirs in ``bot/clubs/texts/`` and
what a nudge says is in ``bot/nudges/texts.py`` (their message sources word what the
sweep sends, below this package); /help and the command layer's words are in
``bot/core/texts.py``. Services raise the refusals these modules return; handlers and
message sources read the rest.
"""
