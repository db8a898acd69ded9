"""The identifier check that runs on case presentations before anything is stored."""

import pytest

from echo.deidentify import find_identifiers, highlight

# (text, the identifier it contains, its kind)
POSITIVES = [
    ("Seen in the ED on 03/14/2023 after an overdose.", "03/14/2023", "date"),
    ("Admitted 3/4/24 for withdrawal.", "3/4/24", "date"),
    ("Discharged on 2023-11-02 to a sober living house.", "2023-11-02", "date"),
    ("Her birthday is March 14, 1961.", "March 14, 1961", "date"),
    ("First contact was on Jan. 5 at the station.", "Jan. 5", "date"),
    ("Arrested 14 March 2022 for possession.", "14 March 2022", "date"),
    ("He was booked on the 3rd of June.", "3rd of June", "date"),
    ("Released on 6/12 with a referral.", "on 6/12", "date"),
    ("DOB: 4/17 (year withheld)", "DOB: 4/17", "date"),
    ("Follow-up scheduled for December 1st.", "December 1st", "date"),
    ("A 92-year-old man called 911 for his grandson.", "92-year-old", "age"),
    ("The client is 95 years old and lives alone.", "95 years old", "age"),
    ("Age: 91, housed.", "Age: 91", "age"),
    ("She is in her 90s and cares for her nephew.", "in her 90s", "age"),
    ("A 101 yo grandmother reported the overdose.", "101 yo", "age"),
    ("Call her at (503) 555-0142 after 5.", "(503) 555-0142", "phone"),
    ("His cell is 503-555-0199.", "503-555-0199", "phone"),
    ("Reach the family at 541.555.0100.", "541.555.0100", "phone"),
    ("Fax the release to +1 971 555 0123.", "+1 971 555 0123", "phone"),
    ("The local number 555-0147 was disconnected.", "555-0147", "phone"),
    ("Phone: 5035550142", "Phone: 5035550142", "phone"),
    ("Her caseworker wrote from jdoe@lanecounty.org.", "jdoe@lanecounty.org", "email"),
    ("Contact: peer.mentor+intake@example.com", "peer.mentor+intake@example.com", "email"),
    ("SSN 123-45-6789 was on the intake sheet.", "123-45-6789", "ssn"),
    ("Social security number 123 45 6789.", "123 45 6789", "ssn"),
    ("SSN: 123456789 on file", "SSN: 123456789", "ssn"),
    ("MRN 00482913 at the county hospital.", "MRN 00482913", "record"),
    ("Booking number 2023-004512 from the jail.", "Booking number 2023-004512", "record"),
    ("Medicaid ID: AB12345678 is active.", "Medicaid ID: AB12345678", "record"),
    ("Case # 22CR-18311 is pending.", "Case # 22CR-18311", "record"),
    ("Her chart number is 4471923.", "chart number is 4471923"[:0] + "4471923", "record"),
    ("Account 98765432 was referred to collections.", "Account 98765432", "record"),
    ("He lives at 1234 SE Hawthorne Blvd near the clinic.", "1234 SE Hawthorne Blvd", "address"),
    ("Found at 77 Oak Street behind the store.", "77 Oak Street", "address"),
    ("Mail goes to PO Box 1187.", "PO Box 1187", "address"),
    ("She moved to Apt 4B last month.", "Apt 4B", "address"),
    ("The shelter at 210 N Main St is full.", "210 N Main St", "address"),
    ("Eugene, OR 97401 is where he grew up.", "OR 97401", "zip"),
    ("ZIP code 97202 has the highest rate.", "ZIP code 97202", "zip"),
    ("The form lists 97217-1234 as the ZIP.", "97217-1234", "zip"),
    (
        "Her profile is at https://facebook.com/someone.real.",
        "https://facebook.com/someone.real.",
        "url",
    ),
    ("See www.example.org/client/4411 for the post.", "www.example.org/client/4411", "url"),
    ("The GoFundMe page gofundme.com/f/help-jay went viral.", "gofundme.com/f/help-jay", "url"),
    ("The login came from 192.168.10.42.", "192.168.10.42", "ip"),
    (
        "IPv6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 was logged.",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "ip",
    ),
]

NEGATIVES = [
    "We discussed this in session 3 of the series.",
    "2 of 10 participants had tried naloxone before.",
    "The series meets Fridays 1-2 p.m. Pacific.",
    "He started using in 2019 and stopped in 2021.",
    "A 45-year-old man was referred by an officer.",
    "She is 34 years old and a mother of two.",
    "He spent 90 days in treatment.",
    "About 95% of referrals were accepted.",
    "The program received $20M from the state.",
    "Oregon HB 4002 changed possession penalties.",
    "Deflection ECHO 2024 ran for 11 sessions.",
    "Take 2 mg twice a day.",
    "We saw 3 times more referrals in Q3 2023.",
    "The 2024-25 run met on Wednesdays.",
    "From 2019-2020 the numbers doubled.",
    "Officers made 10 ways of referral possible.",
    "There are 3 main points to consider.",
    "The client called 911 twice.",
    "The county has 36 deflection officers.",
    "He relapsed in March 2022 after losing housing.",
    "Our team of 12 meets weekly.",
    "Half of them (1/2) completed intake.",
    "Ratio of 3:1 staff to clients.",
    "ORS 475.752 defines the offence.",
    "Version 2.1 of the protocol applies.",
    "We serve people aged 18 to 64.",
    "The grant covers 24/7 peer support.",
    "She was in her 30s when she first used.",
    "Session 10 covers data and evaluation.",
    "It took 45 minutes to find a bed.",
    "The county spent $120,000 on outreach.",
    "Around 1,500 people were contacted.",
    "Question 4: what would help?",
    "The meeting runs 60 minutes.",
    "A 3-day hold was considered.",
    "He has been sober since 2020.",
    "Four of the 11 sessions were recorded.",
    "We used the LEAD model and the PAARI approach.",
    "Referrals rose 12.5 percent year on year.",
    "The call came in at 10:30 a.m.",
    "The naloxone kits cost $75 each.",
    "She attended 8 of 10 sessions.",
    "Consider step 2 of the pathway.",
    "He lives near the main road with his brother.",
]


def test_the_suite_is_large_enough():
    assert len(POSITIVES) >= 40
    assert len(NEGATIVES) >= 40


@pytest.mark.parametrize(("text", "identifier", "kind"), POSITIVES)
def test_finds_identifier(text, identifier, kind):
    findings = find_identifiers(text)
    assert [(f.text, f.kind) for f in findings] == [(identifier, kind)], findings


@pytest.mark.parametrize("text", NEGATIVES)
def test_leaves_ordinary_text_alone(text):
    assert find_identifiers(text) == []


def test_highlight_marks_the_finding_and_escapes_the_rest():
    text = "<b>Call</b> 503-555-0142 now"
    html = highlight(text, find_identifiers(text))
    assert "&lt;b&gt;Call&lt;/b&gt;" in html
    assert '<mark class="identifier">503-555-0142<span class="visually-hidden">' in html
    assert "phone" in html
