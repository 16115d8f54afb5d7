"""Seeded synthetic demo data: an applications export, reviewer scores, reviewer accounts.

Everything here is made up (fictional people, hospitals and e-mails under example.org) and
made from one seed, so ``selector demo`` regenerates ``data/`` byte for byte. The export is
shaped like a Microsoft Forms download of an anonymous form (``Email``/``Name`` say
"anonymous"; the form asks for them) and carries a few deliberately bad rows so the
validation report has something to show.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from selector.demo_accounts import APPLICATIONS_FILE, REVIEWERS_FILE, SCORES_FILE
from selector.errors import InputError, Location

DEMO_SEED = 2026

#: The rubric criteria of rubrics/dei_leadership.toml, in order.
CRITERIA = (
    "awareness",
    "reflection",
    "empowerment",
    "action",
    "leadership",
    "project",
    "commitment",
)

#: A fixed time for the workbook's properties and zip entries (byte-identical output).
_FIXED_TIME = dt.datetime(2026, 1, 31, 12, 0, 0)

HEADERS = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Full name",
    "Institutional e-mail address",
    "What is your current post-graduate year (PGY)?",
    "Residency program / specialty",
    "Home program / hospital site",
    "If you are a PGY-1, has your program director approved your participation?",
    "Personal statement: why do diversity, equity and inclusion matter to you and your practice?",
    "Describe your leadership experience (roles, initiatives, outcomes).",
    "Proposed second-year project (QI, advocacy, education or community engagement)",
    "Can you attend the monthly evening seminars for both years of the track?",
    "How did you hear about the track?",
]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SITES = (
    "Harbor Point Medical Center",
    "Elm Hollow Children's Hospital",
    "Maple Fork Community Hospital",
    "Lantern Bay Health",
)

_FIRST = _words(
    "Aurelia Bram Cosima Dario Elowen Fennick Giselle Hollis Ines Jorund Kestrel Lumen Mireille "
    "Nico Oriel Perrin Quinlan Rosalind Soren Tamsin Ulla Vesper Wrenna Xavi Yara Zephyr Alder "
    "Briony Caspian Delphine Emrys Florian Greer Halcyon Isolde Juno Kit Linnea Marlo Noor"
)
_LAST = _words(
    "Quillfeather Marbleway Larkspur Fernwhistle Cloudberry Thistledown Brambleton Copperkettle "
    "Moonwhistle Puddingstone Starfable Willowisp Hollyhock Bumblebrook Tinderbox Inkwell "
    "Pebbleworth Lanternby Kettleburn Mossbottom Fiddlewood Gingerwick Honeycomb Juniperly "
    "Acornfield Buttonbridge Candlewax Dapplegrove Emberlee Foxglove Glimmerton Hazelnook "
    "Ivybright Jamjar Kiteflyer Lemonade Mapleleaf Nutmegger Orchardly Periwinkle"
)

#: The applicants the selection story is about: (specialty as written, PGY or None for any of
#: PGY2-PGY4, PGY1 approved, quality). The best scorers cluster: four Internal Medicine and three
#: Emergency Medicine residents (the last two alike, a tie) make "at most 2 per specialty" bind;
#: two approved PGY1s make "at most 1 PGY1" bind; a strong PGY1 without approval is ineligible.
_STRONG = (
    ("IM", None, False, 4.75),
    ("Internal Medicine", None, False, 4.6),
    ("IM", None, False, 4.5),
    ("Internal Med", None, False, 4.45),
    ("EM", None, False, 4.7),
    ("Emergency Medicine", None, False, 4.4),
    ("EM", None, False, 4.4),
    ("Peds", 1, True, 4.5),
    ("Psych", 1, True, 4.3),
    ("General Surgery", 1, False, 4.6),
)
#: (how the rest wrote their specialty, how many): 12 specialties in all, 39 applicants.
_SPECIALTIES = (
    ("Internal Medicine", 1),
    ("IM", 1),
    ("EM", 1),
    ("Peds", 2),
    ("Pediatrics", 2),
    ("General Surgery", 3),
    ("Family Med", 4),
    ("Psych", 3),
    ("OB/GYN", 3),
    ("Anesthesia", 3),
    ("Neurology", 2),
    ("Orthopedics", 2),
    ("Radiology", 1),
    ("Dermatology", 1),
)
#: PGY levels of the other 29: 3 PGY1 (1 approved), then PGY2..PGY6.
_PGYS = [1] * 3 + [2] * 8 + [3] * 8 + [4] * 5 + [5] * 3 + [6] * 2
_PGY_CHOICES = {
    1: "PGY-1 (intern)",
    2: "PGY-2",
    3: "PGY-3",
    4: "PGY-4",
    5: "PGY-5 (fellow)",
    6: "PGY-6 or above (fellow)",
}

_OPENINGS = (
    "Growing up as the first in my family to attend college, I saw how language and cost kept "
    "my neighbours from care.",
    "During my intern year I cared for patients whose outcomes tracked their zip code more "
    "closely than their diagnosis.",
    "I came to medicine after working as a community health worker, and that work still shapes "
    "how I listen to patients.",
    "I did not think much about equity until a patient told me she had stopped taking insulin "
    "because she could not afford it.",
    "As an immigrant and a second-language speaker, I know what it is to be misunderstood in a "
    "clinic room.",
    "Our hospital serves a city where a ten-minute drive changes life expectancy by a decade.",
)
_REFLECTIONS = (
    "Reflecting on it, I recognised my own assumptions about who 'follows instructions' and "
    "changed how I counsel.",
    "I have learned to ask who is missing from the room when our team makes decisions.",
    "I still find it hard to name bias when I see it on rounds, and I want the tools to do so.",
    "Implicit-bias training made me uncomfortable in a useful way; I now audit my own notes.",
    "I want to move from caring about these issues to being accountable for results.",
)
_GOALS = (
    "I hope to lead a health-equity committee in my department.",
    "I want a career in academic medicine that keeps equity at the centre of teaching.",
    "I would like to work in public policy on access to care.",
    "I hope to build community partnerships that outlast my training.",
    "I want to mentor students from backgrounds like mine.",
)
_ROLES = (
    "chief of our resident wellness committee",
    "co-founder of a Spanish-language patient education clinic",
    "resident representative to the GME diversity council",
    "organiser of a free blood-pressure screening day at a local church",
    "lead of a journal club on structural racism in medicine",
    "peer mentor for incoming interns from under-represented groups",
    "volunteer at a student-run free clinic",
    "member of the hospital interpreter-access working group",
)
_OUTCOMES = (
    "We doubled attendance over one year.",
    "The clinic now runs monthly with twelve volunteers.",
    "Our proposal changed the interpreter request workflow on two units.",
    "Screening reached 140 adults, 30 of whom were referred for follow-up.",
    "It is too early to measure results, but the group meets regularly.",
    "I learned a lot about building consensus across departments.",
)
_PROJECTS = (
    "A QI project to raise interpreter use for patients with limited English proficiency on the "
    "inpatient wards, measured monthly.",
    "An advocacy project with a local tenants' union on housing conditions and childhood asthma.",
    "An education series for residents on structural competency, with pre/post surveys.",
    "A community-engagement project: blood-pressure self-monitoring kits lent through public "
    "libraries.",
    "A QI project to reduce missed follow-up appointments by offering evening telehealth slots.",
    "A curriculum on caring for patients with disabilities, co-designed with disability advocates.",
    "Improving the accuracy of race, ethnicity and language data collected at registration.",
    "A mentoring pipeline pairing residents with first-generation pre-medical students.",
)
_SEMINARS = (
    "Yes",
    "Yes",
    "Yes, with my program director's support",
    "Probably; night-float blocks may conflict",
)
_HEARD = ("Program director", "GME newsletter", "A colleague in the track", "Grand rounds", "")


@dataclass
class _Person:
    first: str
    last: str
    pgy: int
    specialty: str
    site: str
    approved: bool
    quality: float

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        return f"{self.first.lower()}.{self.last.lower()}@example.org"


def _people(rng: random.Random) -> list[_Person]:
    """39 well-formed applicants (the strong ones first) plus one with a specialty the alias
    table does not know."""
    specialties = [name for name, n in _SPECIALTIES for _ in range(n)]
    pgys = list(_PGYS)
    rng.shuffle(specialties)
    rng.shuffle(pgys)
    firsts = rng.sample(_FIRST, 40)
    lasts = rng.sample(_LAST, 40)
    people = [
        _Person(
            firsts[i],
            lasts[i],
            pgy or rng.randint(2, 4),
            specialty,
            rng.choice(SITES),
            approved,
            quality,
        )
        for i, (specialty, pgy, approved, quality) in enumerate(_STRONG)
    ]
    approvals = iter([True, False, False])
    for i, (specialty, pgy) in enumerate(zip(specialties, pgys, strict=True), start=len(people)):
        people.append(
            _Person(
                first=firsts[i],
                last=lasts[i],
                pgy=pgy,
                specialty=specialty,
                site=rng.choice(SITES),
                approved=next(approvals) if pgy == 1 else False,
                quality=round(rng.uniform(1.8, 4.2), 2),
            )
        )
    people.append(_Person(firsts[39], lasts[39], 3, "Lifestyle Medicine", SITES[0], False, 3.4))
    return people


def _answers(rng: random.Random, p: _Person) -> list[str]:
    statement = " ".join([rng.choice(_OPENINGS), rng.choice(_REFLECTIONS), rng.choice(_GOALS)])
    roles = rng.sample(_ROLES, 2 if p.quality > 3.2 else 1)
    leadership = " ".join(f"I served as {r}. {rng.choice(_OUTCOMES)}" for r in roles)
    approval = ("Yes" if p.approved else "No") if p.pgy == 1 else "Not applicable (PGY-2 or above)"
    return [
        approval,
        statement,
        leadership,
        rng.choice(_PROJECTS),
        rng.choice(_SEMINARS),
        rng.choice(_HEARD),
    ]


def _twin(a: _Person, b: _Person) -> tuple[str, str]:
    """Make ``b`` alike ``a`` (same site and quality: identical reviews to come, a tie)."""
    b.site, b.quality = a.site, a.quality
    return a.email, b.email


def _bad_row(rng: random.Random, name: str, email: str, pgy: str, specialty: str) -> list[object]:
    p = _Person("", "", 2, specialty, SITES[1], False, 3.0)
    return [name, email, pgy, specialty, p.site, *_answers(rng, p)]


def _application_rows(rng: random.Random, people: list[_Person]) -> list[list[object]]:
    """Form rows in submission order, with the deliberately bad ones mixed in."""
    rows: list[list[object]] = []
    for p in people:
        pgy = _PGY_CHOICES[p.pgy]
        rows.append([p.name, p.email, pgy, p.specialty, p.site, *_answers(rng, p)])
    # Deliberately bad rows: a medical student, a missing e-mail, an earlier duplicate.
    rows.append(
        _bad_row(rng, "Pip Examplestone", "pip.examplestone@example.org", "MS4", "Internal Med")
    )
    rows.append(_bad_row(rng, "Tobin Nullworth", "", "PGY-3", "Peds"))
    rng.shuffle(rows)
    resubmitted = next(r for r in rows if r[1] == people[len(_STRONG) + 2].email)
    first_draft = list(resubmitted)
    first_draft[6] = "Draft, I will finish this later."
    rows.insert(rows.index(resubmitted) // 2, first_draft)

    out: list[list[object]] = []
    when = dt.datetime(2026, 1, 5, 8, 0)
    for i, row in enumerate(rows, start=1):
        when += dt.timedelta(minutes=rng.randint(40, 900))
        start = when - dt.timedelta(minutes=rng.randint(6, 45), seconds=rng.randint(0, 59))
        out.append([i, start, when, "anonymous", "anonymous", *row])
    return out


def _stable_xlsx(data: bytes) -> bytes:
    """The workbook re-zipped with fixed timestamps, so the same content gives the same bytes."""
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    body,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)
    return buf.getvalue()


def applications_xlsx(rows: list[list[object]]) -> bytes:
    """The export as Microsoft Forms writes it: one sheet, bold headers, real date cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for col in ("B", "C"):
        for cell in ws[col][1:]:
            cell.number_format = "m/d/yy h:mm:ss"
    wb.properties.creator = "selector demo"
    wb.properties.created = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_xlsx(buf.getvalue())


_REVIEWERS = (
    ("reviewer1@example.org", "Rowan Reviewwright", SITES[0]),
    ("reviewer2@example.org", "Sable Scoresby", SITES[0]),  # lenient
    ("reviewer3@example.org", "Tully Rubrickson", SITES[1]),
    ("reviewer4@example.org", "Umber Anchorfield", SITES[2]),
    ("reviewer5@example.org", "Vale Sternwood", SITES[3]),  # harsh
    ("reviewer6@example.org", "Wynn Markwell", SITES[1]),
)
_BIAS = {"reviewer2@example.org": 0.9, "reviewer5@example.org": -1.0}


def reviewers_csv() -> bytes:
    """Demo accounts: six reviewers (one per line), a coordinator and a chair."""
    rows = [("email", "name", "program", "role")]
    rows += [(email, name, site, "reviewer") for email, name, site in _REVIEWERS]
    rows.append(
        ("coordinator@example.org", "Cora Coordinata", "Graduate Medical Education", "coordinator")
    )
    rows.append(("chair@example.org", "Chandra Chairwell", "Graduate Medical Education", "chair"))
    return _csv(rows)


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def scores_csv(
    rng: random.Random, applicants: list[tuple[str, _Person]], twins: dict[str, str]
) -> bytes:
    """Long-format scores: three reviewers per applicant, never one from the applicant's site.

    Each applicant has a latent quality; each review adds the reviewer's bias (one lenient,
    one harsh) and noise. ``twins`` (id → id) get identical reviews, so there are ties.
    """
    load = {email: 0 for email, _, _ in _REVIEWERS}
    by_id: dict[str, dict[str, dict[str, int]]] = {}
    for applicant_id, p in applicants:
        if applicant_id in twins.values():
            continue
        allowed = [email for email, _, site in _REVIEWERS if site != p.site]
        chosen = sorted(allowed, key=lambda e: (load[e], rng.random()))[:3]
        reviews = {
            email: {
                c: max(1, min(5, round(p.quality + _BIAS.get(email, 0.0) + rng.gauss(0, 0.55))))
                for c in CRITERIA
            }
            for email in chosen
        }
        by_id[applicant_id] = reviews
        if applicant_id in twins:
            by_id[twins[applicant_id]] = reviews
        for email in chosen:
            load[email] += 2 if applicant_id in twins else 1
    rows: list[tuple[object, ...]] = [("applicant_id", "reviewer", "criterion", "score")]
    for applicant_id, _ in applicants:
        for email in sorted(by_id[applicant_id]):
            rows += [(applicant_id, email, c, s) for c, s in by_id[applicant_id][email].items()]
    return _csv(rows)


def make_demo(seed: int = DEMO_SEED) -> dict[str, bytes]:
    """The demo files by name: applications export, scores, reviewer accounts."""
    rng = random.Random(seed)
    people = _people(rng)
    middle = sorted(people[len(_STRONG) : 39], key=lambda p: -p.quality)
    # Two ties: the second and third Emergency Medicine residents compete for one seat (the
    # tie-break decides), and two applicants in the middle of the field.
    twin_emails = [_twin(people[5], people[6]), _twin(middle[10], middle[11])]
    rows = _application_rows(rng, people)
    by_email = {p.email: p for p in people}
    latest: dict[str, str] = {}
    for row in rows:  # the latest submission per e-mail is the one intake keeps
        latest[str(row[6])] = f"A{int(str(row[0])):03d}"
    applicants = sorted(
        (
            (applicant_id, by_email[email])
            for email, applicant_id in latest.items()
            if email in by_email
        ),
        key=lambda a: a[0],
    )
    twins = {latest[a]: latest[b] for a, b in twin_emails}
    return {
        APPLICATIONS_FILE: applications_xlsx(rows),
        SCORES_FILE: scores_csv(rng, applicants, twins),
        REVIEWERS_FILE: reviewers_csv(),
    }


def write_demo(out_dir: str | Path, seed: int = DEMO_SEED) -> list[Path]:
    """Write the demo files into ``out_dir`` (created if needed); returns their paths."""
    out = Path(out_dir)
    paths = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in make_demo(seed).items():
            path = out / name
            path.write_bytes(data)
            paths.append(path)
    except OSError as exc:
        raise InputError(
            "demo_unwritable",
            f"cannot write the demo files: {exc.strerror}",
            Location(file=str(out)),
        ) from None
    return paths
