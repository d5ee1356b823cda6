"""Club challenges: the rules of a challenge, how a board reads, and the club's posts."""
