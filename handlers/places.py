"""A cadre's places for /week, the digest and the admin listing: the organisation department's list as a
gazetteer, and the villages of the host township none of his entries names yet."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from analysis.places import Gazetteer, KnownPlace, unvisited_villages
from handlers import texts
from storage.entities import Place
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many imported villages a cadre has, and which of them no entry of his names."""

    villages: int
    unvisited: tuple[str, ...]


def known_places(places: Iterable[Place]) -> list[KnownPlace]:
    """The stored places as the gazetteer takes them."""
    return [KnownPlace(p.name, p.type, p.aliases, p.source) for p in places]


def has_villages(places: Iterable[Place]) -> bool:
    return any(p.type == "village" and p.source == "imported" for p in places)


async def coverage(uow: UnitOfWork, person_ids: Collection[int]) -> dict[int, Coverage | None]:
    """For many cadres in two queries: their village coverage, or None for one without an imported village
    (a list learned from his own entries cannot tell what he has not been to)."""
    places = await uow.places.of_many(person_ids)
    wanted = [pid for pid, own in places.items() if has_villages(own)]
    entry_texts = await uow.entries.texts_of(wanted) if wanted else {}
    found: dict[int, Coverage | None] = dict.fromkeys(person_ids)
    for pid in wanted:
        gazetteer = Gazetteer(known_places(places[pid]))
        missing = unvisited_villages(gazetteer, entry_texts[pid])
        found[pid] = Coverage(len(gazetteer.villages()), tuple(v.name for v in missing))
    return found


def coverage_line(found: Coverage | None) -> list[str]:
    """The /week line: the villages not visited yet, or that all are; nothing without an imported list."""
    if found is None:
        return []
    if not found.unvisited:
        return [texts.PLACES_ALL_VISITED.format(count=found.villages)]
    return [texts.PLACES_UNVISITED.format(names="、".join(found.unvisited))]
