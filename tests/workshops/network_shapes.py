"""Networks of known shape for the network's tests: a star, and two clusters joined by one
broker with an isolate and an organisation nobody knows. Built from answers, as people
would give them."""

from __future__ import annotations

from tests.builders import build_network

COUNCIL = "Eastvale District Council"  # the cast's own organisation

STAR = {
    "Fire service": "public",
    COUNCIL: "public",
    "Chamber of commerce": "private",
    "Food bank": "third",
    "Youth club": "third",
}


def star(assessment):
    """The fire service works weekly with every other organisation; they never with each
    other."""
    said = {}
    leaves = [name for name in STAR if name != "Fire service"]
    for leaf in leaves:
        said["Fire service", leaf] = 3
        said[leaf, "Fire service"] = 3
        for other in leaves:
            if other != leaf:
                said[leaf, other] = 0
    return build_network(assessment, STAR, said)


CLUSTERS = {
    COUNCIL: "public",
    "Health trust": "public",
    "Police": "public",
    "Food bank": "third",
    "Youth club": "third",
    "Age concern": "third",
    "Chamber of commerce": "private",
    "Parish council": "public",
    "Water company": "private",
}


def clusters(assessment):
    """Two clusters of three, the council and the food bank each tied to the chamber of
    commerce, which only the chamber answered for with the food bank. The parish council's
    people work with nobody; nobody said anything of the water company, and it did not
    answer."""
    ties = {
        (COUNCIL, "Health trust"): 2,
        (COUNCIL, "Police"): 2,
        ("Health trust", "Police"): 1,
        ("Food bank", "Youth club"): 3,
        ("Food bank", "Age concern"): 2,
        ("Youth club", "Age concern"): 2,
        (COUNCIL, "Chamber of commerce"): 1,
    }
    said = {}
    for (a, b), often in ties.items():
        said[a, b] = said[b, a] = often
    said["Chamber of commerce", "Food bank"] = 2
    said["Food bank", "Chamber of commerce"] = "?"
    said["Youth club", "Water company"] = "?"
    for other in CLUSTERS:
        if other not in {"Parish council", "Water company"}:
            said["Parish council", other] = 0
    return build_network(assessment, CLUSTERS, said)
