"""The partnership network's findings in plain words, always in the same order: how dense
it is, who works with the most partners, who links the rest, who is on the edge, how each
sector is joined to the others, how many ties cross sectors and are confirmed by both
sides, who is not known, and what changed since the previous round.
"""

from __future__ import annotations

from workshops.models import Sector
from workshops.services.network import Network


def listed(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def organisations(n: int) -> str:
    return f"{n} organisation{'' if n == 1 else 's'}"


def sector_words(sector: str) -> str:
    """ "the third sector": a sector as a sentence names it."""
    return f"the {Sector(sector).label.lower()}"


def _overview(network: Network) -> list[str]:
    ties, known = len(network.ties), len(network.members)
    return [
        f"{organisations(known)} {'is' if known == 1 else 'are'} known to the network, with {ties} "
        f"tie{'' if ties == 1 else 's'} between them out of {network.possible} possible: "
        f"a density of {network.density:.2f}."
    ]


def _most_connected(network: Network) -> list[str]:
    top = max((m.degree for m in network.members), default=0)
    if top == 0:
        return []
    names = [m.organisation.name for m in network.members if m.degree == top]
    others = len(network.members) - 1
    if len(names) == 1:
        return [f"{names[0]} works with {top} of {others} partners, more than any other."]
    return [f"{listed(names)} each work with {top} of {others} partners, more than any other."]


def _brokers(network: Network) -> list[str]:
    top = max((m.betweenness for m in network.members), default=0)
    if top == 0:
        return []
    names = [m.organisation.name for m in network.members if m.betweenness == top]
    verb = "links" if len(names) == 1 else "each link"
    return [
        f"{listed(names)} {verb} partners that would otherwise be apart more than any "
        f"other (betweenness {top:.2f})."
    ]


def _edge(network: Network) -> list[str]:
    said = []
    if isolates := network.isolates:
        names = listed([m.organisation.name for m in isolates])
        said.append(
            f"{organisations(len(isolates))} work{'s' if len(isolates) == 1 else ''} with no "
            f"other partner: {names}."
        )
    if one := network.one_tie:
        names = listed([f"{m.organisation.name} (with {m.partners[0][0].name})" for m in one])
        said.append(
            f"{organisations(len(one))} work{'s' if len(one) == 1 else ''} with only one "
            f"partner: {names}."
        )
    return said


def _sectors(network: Network) -> list[str]:
    """Which organisations of each sector have a tie outside it, when there is more than
    one sector to join."""
    present = [s for s in Sector.values if any(m.organisation.sector == s for m in network.members)]
    if len(present) < 2:
        return []
    said = []
    for sector in present:
        links = [
            m.organisation.name
            for m in network.members
            if m.organisation.sector == sector and any(p.sector != sector for p, _ in m.partners)
        ]
        words = sector_words(sector)
        if not links:
            said.append(f"No organisation connects {words} to the rest.")
        elif len(links) == 1:
            said.append(f"Only {links[0]} connects {words} to the rest.")
        else:
            said.append(f"{organisations(len(links))} connect {words} to the rest.")
    return said


def _across_and_confirmed(network: Network) -> list[str]:
    ties = len(network.ties)
    if not ties:
        return []
    return [
        f"{network.across} of {ties} ties ({share(network.across, ties)}) cross sectors; "
        f"{network.within} {'is' if network.within == 1 else 'are'} within one sector.",
        f"{network.confirmed} of {ties} ties ({share(network.confirmed, ties)}) are "
        "confirmed by both sides.",
    ]


def _unknown(network: Network) -> list[str]:
    if not network.unknown:
        return []
    n = len(network.unknown)
    return [
        f"{organisations(n)} {'is' if n == 1 else 'are'} not known: nobody from "
        f"{'it' if n == 1 else 'them'} answered and nobody said whether they work with "
        f"{'it' if n == 1 else 'them'}: {listed([o.name for o in network.unknown])}."
    ]


def _since(network: Network) -> list[str]:
    change = network.change
    if change is None:
        return []
    parts = []
    for count, pairs, verb in (
        (len(change.gained), change.gained, "gained"),
        (len(change.lost), change.lost, "lost"),
    ):
        named = "; ".join(f"{a.name} and {b.name}" for a, b in pairs)
        parts.append(
            f"{count} tie{'' if count == 1 else 's'} {verb}" + (f" ({named})" if named else "")
        )
    before, now = change.density_before, change.density_now
    move = "rose" if now > before else "fell" if now < before else "stayed"
    density = (
        f"density {move} from {before:.2f} to {now:.2f}"
        if move != "stayed"
        else f"density stayed at {now:.2f}"
    )
    said = [f"Since “{change.previous}”: {', '.join(parts)}; {density}."]
    if change.centrality:
        moved = [f"{o.name} ({was:.2f} to {now:.2f})" for o, was, now in change.centrality]
        said.append(
            f"Linking partners that would otherwise be apart changed most for {listed(moved)}."
        )
    return said


def findings(network: Network) -> list[str]:
    """What the network shows, in words, in a fixed order."""
    if network.withheld:
        return []
    said = []
    for part in (
        _overview,
        _most_connected,
        _brokers,
        _edge,
        _sectors,
        _across_and_confirmed,
        _unknown,
        _since,
    ):
        said += part(network)
    return said
