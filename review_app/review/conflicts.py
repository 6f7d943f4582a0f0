"""Conflicts of interest: which person may not review which proposal, and why. Pure rules over plain data.

Rules, each with a reason code, in the order they are reported:
  speaker       the person is a speaker or co-speaker of the proposal (never overridable);
  declared      the reviewer or a speaker declared the conflict (never overridable);
  organisation  the person's organisation equals a (co-)speaker's or the project organisation, compared on a
                normalised key (see `normalise`) after the committee's alias groups (transitive);
  city          a person from a city or public administration, and a speaker from a city or administration in
                the same city, or the project is in that city;
  email_domain  the same email domain as a speaker, public mail providers excepted.
The committee may override the last three (an `Override` per person, proposal and reason).

A conflict's matches name speakers by id and quote organisations and cities: they are for the committee's eyes
only, never for a reviewer under blind review.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple


class Reason(enum.StrEnum):
    speaker = "speaker"
    declared = "declared"
    organisation = "organisation"
    city = "city"
    email_domain = "email_domain"


_ORDER = tuple(Reason)  # iterating an enum is slow; the bulk function does it per conflicted pair
OVERRIDABLE = frozenset({Reason.organisation, Reason.city, Reason.email_domain})
PUBLIC_BODY_TYPES = frozenset({"city", "administration"})  # values of accounts.models.OrganisationType
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "web.de", "gmx.de", "gmx.net", "t-online.de", "outlook.com", "hotmail.com",
    "live.com", "yahoo.com", "yahoo.de", "icloud.com", "me.com", "posteo.de", "mailbox.org", "freenet.de",
    "aol.com", "protonmail.com", "proton.me",
})
# Legal forms, as whole words after folding; runs of single letters are joined first, so "e. V." is "ev".
LEGAL_FORMS = frozenset({
    "gmbh", "ggmbh", "mbh", "ag", "ev", "kg", "ug", "haftungsbeschraenkt", "kgaa", "ohg", "gbr", "se", "eg", "co",
})
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[^\W_]+")


class Person(NamedTuple):  # named tuples: a thousand are built per page, several times faster than dataclasses
    id: int
    email: str = ""
    organisation: str = ""
    organisation_type: str = ""
    city: str = ""


class ProposalParties(NamedTuple):
    """Who stands behind a proposal: its speakers (co-speakers included) and the project's organisation and city."""

    id: int
    speakers: tuple[Person, ...] = ()
    project_organisation: str = ""
    project_city: str = ""


@dataclass(frozen=True)
class Declaration:
    person_id: int  # the reviewer who must not review
    proposal_id: int
    declared_by: int  # the reviewer themself or a speaker
    reason: str = ""


@dataclass(frozen=True)
class Override:
    person_id: int
    proposal_id: int
    reason: Reason  # only the OVERRIDABLE ones take effect


@dataclass(frozen=True)
class Match:
    """What a conflict rests on: the person is a speaker ("self"); a speaker's ("speaker", their id) or the
    project's ("project", `field` "organisation" or "city") `text` matched; or a declaration ("declared", by whom,
    `field` "reviewer", "speaker" or "person", `text` the reason given)."""

    source: str
    person_id: int | None = None
    text: str = ""
    field: str = ""

    def english(self) -> str:
        if self.source == "self":
            return "speaker of this proposal"
        if self.source == "speaker":
            return f'speaker #{self.person_id} "{self.text}"'
        if self.source == "project":
            return f'project {self.field} "{self.text}"'
        who = "the reviewer" if self.field == "reviewer" else f"{self.field} #{self.person_id}"
        return f"declared by {who}: {self.text}" if self.text else f"declared by {who}"


@dataclass(frozen=True)
class Conflict:
    person_id: int
    proposal_id: int
    reason: Reason
    matches: tuple[Match, ...]
    own: str = ""  # the person's own organisation or city, for those reasons
    overridden: bool = False

    @property
    def detail(self) -> str:
        """The conflict in plain English, speakers by id (logs and tests; pages translate `matches`)."""
        text = "; ".join(m.english() for m in self.matches)
        return f'"{self.own}" matches {text}' if self.own else text


@lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """The comparison key of an organisation or city: case, umlauts, accents, punctuation and legal forms gone."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", name).casefold().translate(_FOLD))
    words: list[str] = []
    joining = False  # the last word is a run of single letters ("e. V.", "G m b H")
    for word in _WORD.findall("".join(ch for ch in text if not unicodedata.combining(ch))):
        if len(word) == 1 and joining:
            words[-1] += word
        else:
            words.append(word)
            joining = len(word) == 1
    return " ".join(word for word in words if word not in LEGAL_FORMS)


@lru_cache(maxsize=65536)
def email_domain(email: str) -> str:
    """The domain of an address, lower-case; "" without one."""
    local, at, domain = email.strip().rpartition("@")
    return domain.rstrip(".").casefold() if at and local else ""


class ConflictRules:
    """The committee's alias groups, declarations and overrides, applied to one pair or to many at once."""

    def __init__(self, aliases: Iterable[tuple[str, str]] = (), declarations: Iterable[Declaration] = (),
                 overrides: Iterable[Override] = ()):
        parent: dict[str, str] = {}

        def root(key: str) -> str:
            while parent.setdefault(key, key) != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for first, second in aliases:
            a, b = root(normalise(first)), root(normalise(second))
            if a and b and a != b:
                parent[max(a, b)] = min(a, b)  # the smallest key names the group, whatever the input order
        self._alias = {key: root(key) for key in list(parent)}
        self._declared: dict[tuple[int, int], list[Declaration]] = defaultdict(list)
        for declaration in declarations:
            self._declared[declaration.person_id, declaration.proposal_id].append(declaration)
        self._overridden = {(o.person_id, o.proposal_id, o.reason) for o in overrides if o.reason in OVERRIDABLE}

    def org_key(self, name: str) -> str:
        key = normalise(name)
        return self._alias.get(key, key)

    def conflicts_for(self, person: Person, proposal: ProposalParties,
                      include_overridden: bool = False) -> list[Conflict]:
        """Every conflict between one person and one proposal, comparing the pair directly."""
        others = [s for s in proposal.speakers if s.id != person.id]
        found: dict[Reason, list[Match]] = {}
        if len(others) < len(proposal.speakers):
            found[Reason.speaker] = [Match("self")]
        if key := self.org_key(person.organisation):
            found[Reason.organisation] = [_speaker_match(s.id, s.organisation) for s in others
                                          if self.org_key(s.organisation) == key]
            if self.org_key(proposal.project_organisation) == key:
                found[Reason.organisation].append(_project_match("organisation", proposal.project_organisation))
        if person.organisation_type in PUBLIC_BODY_TYPES and (key := normalise(person.city)):
            found[Reason.city] = [_speaker_match(s.id, s.city) for s in others
                                  if s.organisation_type in PUBLIC_BODY_TYPES and normalise(s.city) == key]
            if normalise(proposal.project_city) == key:
                found[Reason.city].append(_project_match("city", proposal.project_city))
        if (domain := email_domain(person.email)) and domain not in PUBLIC_MAIL_DOMAINS:
            found[Reason.email_domain] = [_speaker_match(s.id, domain) for s in others
                                          if email_domain(s.email) == domain]
        return self._conflicts(person, proposal, found, include_overridden)

    def conflict_map(self, persons: Iterable[Person], proposals: Iterable[ProposalParties],
                     include_overridden: bool = False) -> dict[tuple[int, int], list[Conflict]]:
        """`conflicts_for` over every person × proposal, returning only the conflicted pairs.

        Each proposal's keys go into an index once, and each person looks up only their own keys, so the work
        grows with the number of conflicts rather than with persons × proposals.
        """
        proposals = list(proposals)
        by_speaker: dict[int, list[int]] = defaultdict(list)
        by_org: dict[str, list[tuple[int, int | None, str]]] = defaultdict(list)
        by_city: dict[str, list[tuple[int, int | None, str]]] = defaultdict(list)
        by_domain: dict[str, list[tuple[int, int | None, str]]] = defaultdict(list)
        for i, proposal in enumerate(proposals):
            for s in proposal.speakers:
                by_speaker[s.id].append(i)
                by_org[self.org_key(s.organisation)].append((i, s.id, s.organisation))
                if s.organisation_type in PUBLIC_BODY_TYPES:
                    by_city[normalise(s.city)].append((i, s.id, s.city))
                by_domain[email_domain(s.email)].append((i, s.id, ""))
            by_org[self.org_key(proposal.project_organisation)].append((i, None, proposal.project_organisation))
            by_city[normalise(proposal.project_city)].append((i, None, proposal.project_city))
        position = {proposal.id: i for i, proposal in enumerate(proposals)}
        declared_by_person: dict[int, set[int]] = defaultdict(set)
        for person_id, proposal_id in self._declared:
            if proposal_id in position:
                declared_by_person[person_id].add(position[proposal_id])

        result: dict[tuple[int, int], list[Conflict]] = {}
        for person in persons:
            found: dict[int, dict[Reason, list[Match]]] = defaultdict(dict)
            for i in by_speaker.get(person.id, ()):
                found[i][Reason.speaker] = [Match("self")]
            lookups = [(Reason.organisation, by_org, self.org_key(person.organisation))]
            if person.organisation_type in PUBLIC_BODY_TYPES:
                lookups.append((Reason.city, by_city, normalise(person.city)))
            if (domain := email_domain(person.email)) not in PUBLIC_MAIL_DOMAINS:
                lookups.append((Reason.email_domain, by_domain, domain))
            for reason, index, key in lookups:
                for i, speaker_id, text in index.get(key, ()) if key else ():
                    if speaker_id != person.id:
                        match = (_speaker_match(speaker_id, text or key) if speaker_id is not None
                                 else _project_match(str(reason), text))
                        found[i].setdefault(reason, []).append(match)
            for i in sorted(found.keys() | declared_by_person.get(person.id, set())):
                if conflicts := self._conflicts(person, proposals[i], found.get(i, {}), include_overridden):
                    result[person.id, proposals[i].id] = conflicts
        return result

    def _conflicts(self, person: Person, proposal: ProposalParties, found: dict[Reason, list[Match]],
                   include_overridden: bool) -> list[Conflict]:
        """The found matches and the declarations as conflicts, in the order of `Reason`, overrides applied."""
        if declarations := self._declared.get((person.id, proposal.id)):
            speaker_ids = {s.id for s in proposal.speakers}
            found[Reason.declared] = [_declared_by(d, person.id, speaker_ids) for d in declarations]
        conflicts = []
        for reason in _ORDER:
            if matches := found.get(reason):
                overridden = (person.id, proposal.id, reason) in self._overridden
                if include_overridden or not overridden:
                    own = (person.organisation if reason is Reason.organisation else
                           person.city if reason is Reason.city else "")
                    conflicts.append(Conflict(person.id, proposal.id, reason, tuple(matches), own, overridden))
        return conflicts


def _speaker_match(speaker_id: int, text: str) -> Match:
    return Match("speaker", speaker_id, text)


def _project_match(what: str, text: str) -> Match:
    return Match("project", None, text, what)


def _declared_by(declaration: Declaration, person_id: int, speaker_ids: set[int]) -> Match:
    by = declaration.declared_by
    kind = "reviewer" if by == person_id else "speaker" if by in speaker_ids else "person"
    return Match("declared", by, declaration.reason, kind)


def conflicts_for(person: Person, proposal: ProposalParties, aliases: Iterable[tuple[str, str]] = (),
                  declarations: Iterable[Declaration] = (), overrides: Iterable[Override] = (),
                  include_overridden: bool = False) -> list[Conflict]:
    """Every conflict between one person and one proposal (overridden ones only when asked)."""
    return ConflictRules(aliases, declarations, overrides).conflicts_for(person, proposal, include_overridden)


def conflict_map(persons: Iterable[Person], proposals: Iterable[ProposalParties],
                 aliases: Iterable[tuple[str, str]] = (), declarations: Iterable[Declaration] = (),
                 overrides: Iterable[Override] = (), include_overridden: bool = False,
                 ) -> dict[tuple[int, int], list[Conflict]]:
    """Conflicts of many persons with many proposals, keyed by (person id, proposal id); conflict-free pairs absent."""
    return ConflictRules(aliases, declarations, overrides).conflict_map(persons, proposals, include_overridden)
