"""Every word of clubs, challenges, boards, the run feed and kudos, by sub-capability.

- :mod:`~bot.clubs.texts.amounts`: how a challenge's numbers read (amounts, labels, ranks, bars)
- :mod:`~bot.clubs.texts.boards`: boards, standing lines and ``/settings boards``
- :mod:`~bot.clubs.texts.club`: ``/club`` and its settings, and their refusals
- :mod:`~bot.clubs.texts.challenges`: ``/challenge`` create, list, join, leave, end, and refusals
- :mod:`~bot.clubs.texts.posts`: the club posts (start, last day, most cheered, final results)
- :mod:`~bot.clubs.texts.feed`: the run feed, kudos, ``/settings feed`` and ``/club feed``

Pure functions of the models; import each word from its module.
"""
