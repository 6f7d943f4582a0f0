"""Conflict-of-interest rules: one test per rule, both ways, and the bulk function against the pairwise one."""

from __future__ import annotations

import random

import pytest

from review_app.review.conflicts import (
    PUBLIC_MAIL_DOMAINS,
    Conflict,
    ConflictRules,
    Declaration,
    Match,
    Override,
    Person,
    ProposalParties,
    Reason,
    conflict_map,
    conflicts_for,
    normalise,
)

REVIEWER = 1


def reviewer(**fields) -> Person:
    return Person(**{"id": REVIEWER, "email": "rev@example.org", "organisation_type": "company", **fields})


def speaker(id: int = 2, **fields) -> Person:
    return Person(**{"id": id, "email": f"s{id}@speaker.example", "organisation_type": "company", **fields})


def proposal(*speakers: Person, **fields) -> ProposalParties:
    return ProposalParties(id=10, speakers=speakers or (speaker(),), **fields)


def reasons(conflicts: list[Conflict]) -> list[Reason]:
    return [c.reason for c in conflicts]


# --- speaker --------------------------------------------------------------------------------------------------


def test_a_co_speaker_is_conflicted_and_only_as_speaker():
    me = reviewer(organisation="Muster GmbH")
    conflicts = conflicts_for(me, proposal(speaker(2), Person(REVIEWER, "rev@example.org", "Muster GmbH")))
    assert [(c.reason, c.detail) for c in conflicts] == [(Reason.speaker, "speaker of this proposal")]


def test_someone_else_is_not_a_speaker():
    assert conflicts_for(reviewer(), proposal(speaker(2), speaker(3))) == []


# --- organisation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mine", "theirs"), [
    ("Muster GmbH", "muster gmbh."),
    ("Müller & Söhne AG", "MUELLER & SOEHNE"),
    ("Förderverein Smart City e. V.", "Foerderverein Smart-City eV"),
    ("Muster GmbH & Co. KG", "  Muster   gGmbH "),
])
def test_the_same_organisation_spelled_differently_is_a_conflict(mine, theirs):
    conflicts = conflicts_for(reviewer(organisation=mine), proposal(speaker(organisation=theirs)))
    assert reasons(conflicts) == [Reason.organisation]
    assert conflicts[0].detail == f'"{mine}" matches speaker #2 "{theirs}"'


def test_the_project_organisation_counts_too():
    conflicts = conflicts_for(reviewer(organisation="Stadtwerke Herne AG"),
                              proposal(speaker(organisation="Agentur X"), project_organisation="stadtwerke herne"))
    assert reasons(conflicts) == [Reason.organisation]
    assert conflicts[0].detail == '"Stadtwerke Herne AG" matches project organisation "stadtwerke herne"'


@pytest.mark.parametrize(("mine", "theirs"), [
    ("Stadt Herne", "Stadt Bochum"),
    ("Stadt Herne", "Stadtverwaltung Herne"),  # not without the committee's alias
    ("", ""),
    ("GmbH", "AG"),  # nothing left once the legal form is gone
])
def test_different_or_empty_organisations_are_no_conflict(mine, theirs):
    assert conflicts_for(reviewer(organisation=mine), proposal(speaker(organisation=theirs),
                                                                project_organisation=theirs)) == []


def test_the_committees_aliases_join_spellings_transitively():
    aliases = [("Stadt Herne", "Stadtverwaltung Herne"), ("stadtverwaltung herne", "Herne (Stadt)")]
    for theirs in ("Stadtverwaltung Herne", "Herne (Stadt)"):
        conflicts = conflicts_for(reviewer(organisation="Stadt Herne"), proposal(speaker(organisation=theirs)),
                                  aliases=aliases)
        assert reasons(conflicts) == [Reason.organisation]
    assert conflicts_for(reviewer(organisation="Stadt Herne"), proposal(speaker(organisation="Stadt Bochum")),
                         aliases=aliases) == []
    rules = ConflictRules(aliases=[("B", "C"), ("A", "B")])
    assert rules.org_key("A") == rules.org_key("C") == "a"


def test_normalise_folds_case_umlauts_accents_punctuation_and_legal_forms():
    assert normalise("Straße-Café  Nöth UG (haftungsbeschränkt)") == "strasse cafe noeth"
    assert normalise("Stadt Herne") == "stadt herne"


# --- city -----------------------------------------------------------------------------------------------------


def test_a_city_person_and_a_city_speaker_from_the_same_city_conflict():
    me = reviewer(organisation="Stadt Herne", organisation_type="city", city="Herne")
    them = speaker(organisation="Kreisverwaltung", organisation_type="administration", city=" herne ")
    conflicts = conflicts_for(me, proposal(them))
    assert reasons(conflicts) == [Reason.city]
    assert conflicts[0].detail == '"Herne" matches speaker #2 " herne "'


def test_an_administration_person_conflicts_with_a_project_in_their_city():
    me = reviewer(organisation="Bezirksregierung", organisation_type="administration", city="Münster")
    conflicts = conflicts_for(me, proposal(speaker(city="Berlin"), project_city="Muenster"))
    assert reasons(conflicts) == [Reason.city]
    assert conflicts[0].detail == '"Münster" matches project city "Muenster"'


def test_a_company_person_in_the_same_city_is_no_city_conflict():
    me = reviewer(organisation="Muster GmbH", organisation_type="company", city="Herne")
    them = speaker(organisation="Stadt Herne", organisation_type="city", city="Herne")
    assert conflicts_for(me, proposal(them, project_city="Herne")) == []


def test_a_city_person_and_a_company_speaker_in_the_same_city_do_not_conflict_nor_do_other_cities():
    me = reviewer(organisation="Stadt Herne", organisation_type="city", city="Herne")
    assert conflicts_for(me, proposal(speaker(organisation_type="company", city="Herne"))) == []
    assert conflicts_for(me, proposal(speaker(organisation_type="city", city="Bochum"), project_city="Bochum")) == []


# --- email domain ---------------------------------------------------------------------------------------------


def test_the_same_email_domain_is_a_conflict():
    conflicts = conflicts_for(reviewer(email="anna@Herne.de"), proposal(speaker(email="bert@herne.DE")))
    assert [(c.reason, c.detail) for c in conflicts] == [(Reason.email_domain, 'speaker #2 "herne.de"')]
    assert conflicts[0].matches == (Match("speaker", 2, "herne.de"),)


@pytest.mark.parametrize("domain", sorted(PUBLIC_MAIL_DOMAINS))
def test_a_public_mail_provider_is_never_a_conflict(domain):
    assert conflicts_for(reviewer(email=f"anna@{domain}"), proposal(speaker(email=f"bert@{domain}"))) == []


def test_different_domains_are_no_conflict():
    assert conflicts_for(reviewer(email="anna@herne.de"), proposal(speaker(email="bert@bochum.de"))) == []


# --- declared -------------------------------------------------------------------------------------------------


def test_a_conflict_declared_by_the_reviewer_or_by_a_speaker():
    declarations = [Declaration(REVIEWER, 10, REVIEWER, "former colleague"), Declaration(REVIEWER, 10, 2)]
    conflicts = conflicts_for(reviewer(), proposal(speaker(2)), declarations=declarations)
    assert [(c.reason, c.detail) for c in conflicts] == [
        (Reason.declared, "declared by the reviewer: former colleague; declared by speaker #2")]


def test_a_declaration_for_another_proposal_or_person_is_no_conflict():
    declarations = [Declaration(REVIEWER, 11, REVIEWER), Declaration(99, 10, 2)]
    assert conflicts_for(reviewer(), proposal(speaker(2)), declarations=declarations) == []


# --- overrides ------------------------------------------------------------------------------------------------


def test_an_override_suppresses_a_computed_conflict_and_only_that_one():
    me = reviewer(organisation="Muster GmbH", email="anna@muster.de")
    them = proposal(speaker(organisation="Muster", email="bert@muster.de"))
    overrides = [Override(REVIEWER, 10, Reason.organisation)]
    assert reasons(conflicts_for(me, them)) == [Reason.organisation, Reason.email_domain]
    assert reasons(conflicts_for(me, them, overrides=overrides)) == [Reason.email_domain]
    shown = conflicts_for(me, them, overrides=overrides, include_overridden=True)
    assert [(c.reason, c.overridden) for c in shown] == [(Reason.organisation, True), (Reason.email_domain, False)]
    assert conflicts_for(me, them, overrides=[Override(REVIEWER, 11, Reason.organisation)]) == conflicts_for(me, them)


def test_speaker_and_declared_conflicts_cannot_be_overridden():
    me = reviewer()
    them = proposal(speaker(2), Person(REVIEWER))
    overrides = [Override(REVIEWER, 10, Reason.speaker), Override(REVIEWER, 10, Reason.declared)]
    declarations = [Declaration(REVIEWER, 10, 2)]
    conflicts = conflicts_for(me, them, declarations=declarations, overrides=overrides)
    assert reasons(conflicts) == [Reason.speaker, Reason.declared]


# --- bulk -----------------------------------------------------------------------------------------------------

ORGANISATIONS = ["Muster GmbH", "muster gmbh.", "Stadt Herne", "Stadtverwaltung Herne", "Stadt Bochum",
                 "Müller AG", "Mueller", "Förderverein e.V.", "Fraunhofer IAIS", "TU Dortmund", "", "GmbH"]
CITIES = ["Herne", "herne", "Bochum", "Münster", "Muenster", "Dortmund", ""]
TYPES = ["city", "administration", "company", "startup", "research", "other"]
DOMAINS = ["herne.de", "muster.de", "tu-dortmund.de", "gmail.com", "web.de", "HERNE.de"]


def _instance(seed: int, n_reviewers: int, n_proposals: int, spread: int = 0):
    """Reviewers, proposals, aliases, declarations and overrides; `spread` extra organisations and cities dilute
    the small pools of look-alike names, which on their own make about one pair in seven a conflict."""
    rng = random.Random(seed)
    organisations = ORGANISATIONS + [f"Firma {i} GmbH" for i in range(spread)]
    cities = CITIES + [f"Ort {i}" for i in range(spread // 5)]

    def person(id: int) -> Person:
        organisation = rng.choice(organisations)
        if spread:  # a public provider, or the organisation's own domain
            domain = rng.choice(["gmail.com", "web.de", f"{normalise(organisation)}.example"])
        else:
            domain = rng.choice(DOMAINS)
        return Person(id, f"p{id}@{domain.replace(' ', '-')}", organisation, rng.choice(TYPES), rng.choice(cities))

    people = [person(i) for i in range(n_reviewers * 3)]  # the first n_reviewers also review
    proposals = [ProposalParties(1000 + j, tuple(rng.sample(people, rng.randint(1, 3))),
                                 rng.choice(organisations), rng.choice(cities)) for j in range(n_proposals)]
    reviewers = people[:n_reviewers]
    declarations = [Declaration(rng.randrange(n_reviewers), 1000 + rng.randrange(n_proposals), rng.randrange(50))
                    for _ in range(n_proposals // 10)]
    overrides = [Override(rng.randrange(n_reviewers), 1000 + rng.randrange(n_proposals), rng.choice(list(Reason)))
                 for _ in range(n_proposals)]
    aliases = [("Stadt Herne", "Stadtverwaltung Herne"), ("TU Dortmund", "Technische Universität Dortmund")]
    return reviewers, proposals, aliases, declarations, overrides


@pytest.mark.parametrize("include_overridden", [False, True])
def test_the_bulk_function_equals_the_pairwise_one(include_overridden):
    reviewers, proposals, aliases, declarations, overrides = _instance(7, 40, 300)
    rules = ConflictRules(aliases, declarations, overrides)
    expected = {}
    for person in reviewers:
        for item in proposals:
            if conflicts := rules.conflicts_for(person, item, include_overridden):
                expected[person.id, item.id] = conflicts
    assert len(expected) > 1000 and {c.reason for cs in expected.values() for c in cs} == set(Reason)
    assert conflict_map(reviewers, proposals, aliases, declarations, overrides, include_overridden) == expected
