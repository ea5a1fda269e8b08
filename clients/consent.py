"""The consent wording, versioned. The one place it is written: the client page shows the
current version to read to her, each consent record keeps the version she agreed to, and
her data export includes the wording of every version in her history.

Never edit a published version's text: add a new version and make it CURRENT."""

VERSIONS = {
    "1": {
        "published": "2026-11-26",
        "text": (
            "I agree that my trainer may record and keep health information about me in Restride: "
            "my pregnancy and birth, pelvic floor and core symptoms, the results of my strength and "
            "load tests, and how my running sessions go. It is used only to assess and plan my return "
            "to running and to refer me to a GP or pelvic health physiotherapist when needed. I can ask "
            "for a copy of everything about me, or for it to be deleted, and I can withdraw my consent "
            "at any time."
        ),
    },
}
CURRENT = "1"


def wording(version):
    """The text she agreed to; None for consents recorded before the wording was versioned."""
    entry = VERSIONS.get(version or "")
    return entry["text"] if entry else None
