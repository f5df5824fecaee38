"""The words and people of the demo: agencies, staff, and realistic dispute texts.

Everything a demo dispute says comes from here: the seven agencies and the
sixteen people (every role of ``rules.policy.KNOWN_ROLES`` is held), and the
phrase banks the planner picks from (triggers, pathways, problem statements,
rule conflicts, notes, rationales). Plain constants only: changing a phrase
changes the demo's text, not its shape.
"""

from __future__ import annotations

# The login the app starts as on a demo store is defined where the app opens one.
from panel_tui.store.constants import DEMO_LOGIN

ADMIN_LOGIN = "admin"

DEMO_AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("CBH", "County Behavioral Health", "county behavioral health"),
    ("MCO", "Managed Care Organization", "managed care"),
    ("HSG", "Housing Authority", "housing"),
    ("APS", "Adult Protective Services", "adult protective services"),
    ("HDT", "Hospital Discharge Team", "hospital"),
    ("CRS", "Crisis Response and EMS", "crisis/EMS"),
    ("CPN", "Community Provider Network", "community provider"),
)

#: login, display name, roles, agency. Every role of rules.policy.KNOWN_ROLES is held.
DEMO_PEOPLE: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    (DEMO_LOGIN, "Dana Whitfield", ("duty_lead",), "CBH"),
    ("duty2", "Marcus Okafor", ("duty_lead",), "MCO"),
    ("chair", "Priya Raman", ("panel_chair",), "CBH"),
    ("super", "Tom Castillo", ("supervisor",), "CBH"),
    ("super2", "Helen Brandt", ("supervisor",), "MCO"),
    ("front1", "Jordan Lee", ("frontline",), "CBH"),
    ("front2", "Aisha Mensah", ("frontline",), "HSG"),
    ("front3", "Sam Kowalski", ("frontline",), "APS"),
    ("front4", "Rosa Delgado", ("frontline",), "HDT"),
    ("front5", "Ben Adeyemi", ("frontline",), "CRS"),
    ("front6", "Lena Fischer", ("frontline",), "CPN"),
    ("pm", "Grace Liu", ("program_manager",), "CBH"),
    ("clin", "Dr Elena Novak", ("clinical_lead",), "MCO"),
    ("integ", "Omar Haddad", ("integration_lead",), "CPN"),
    ("liaison", "Ruth Ellison", ("commissioner_liaison",), None),
    ("oversight", "Kwame Asante", ("oversight",), None),
)

# --- the words of the demo -------------------------------------------------------
TRIGGERS = (
    "a crisis presentation to the emergency department",
    "discharge from inpatient psychiatry",
    "an eviction notice for rent arrears",
    "two missed depot injections",
    "an EMS welfare check that found no food in the home",
    "release from county jail without a discharge plan",
    "a fall at home with signs of self-neglect",
    "loss of a shelter bed after an incident",
    "a third involuntary hold in two months",
    "the end of a 30-day crisis residential stay",
)
PATHWAYS = (
    "ACT team",
    "supported housing",
    "step-down residential",
    "intensive case management",
    "crisis stabilization unit",
    "permanent supportive housing with ICM",
    "peer support and outpatient psychiatry",
    "in-home care package",
    "co-occurring (dual-diagnosis) residential program",
    "medication management clinic",
)
PROBLEMS: dict[str, tuple[str, ...]] = {
    "eligibility": (
        "{raising} referred the person to {pathway} after {trigger}. {resp} declined the "
        "referral, saying the entry criteria are not met. No other service has offered an "
        "assessment.",
        "The person was screened out of {pathway} by {resp} after {trigger}; {raising} disputes "
        "the screening and the person has had no follow-up for {days} days.",
    ),
    "funding": (
        "{raising} and {resp} agree {pathway} is needed after {trigger}, but not who pays. "
        "The placement offer lapses on {weekday} unless funding is confirmed.",
        "{pathway} was started on an emergency basis after {trigger}; {resp} refuses to "
        "reimburse it and {raising} has given notice it will stop on {weekday}.",
    ),
    "safeguarding": (
        "{raising} raised a safeguarding concern after {trigger}. {resp} assessed it below "
        "threshold and closed the enquiry; {raising} reports the risk is escalating.",
        "Repeated concerns after {trigger}: {raising} believes the safeguarding threshold is "
        "met, {resp} says it is a care-planning matter for {pathway}.",
    ),
    "capacity": (
        "{pathway} at {resp} has a {weeks}-week waitlist. After {trigger} the person needs a "
        "start within days; no agency will hold the case meanwhile.",
        "{resp} says it has no capacity to take the person into {pathway} after {trigger}; "
        "{raising} cannot hold the case beyond its crisis remit.",
    ),
}
#: Few per type on purpose: recurring themes are what oversight looks for.
RULE_CONFLICTS: dict[str, tuple[str, ...]] = {
    "eligibility": (
        "SMI criterion: CBH requires a qualifying diagnosis; MCO accepts functional impairment "
        "alone",
        "Dual-diagnosis exclusion: substance use read as primary vs co-occurring",
        "Age band at 65: older-adult service vs adult mental health service",
    ),
    "funding": (
        "Step-down funding: who pays for the first 30 days after inpatient discharge",
        "Medical necessity: MCO treats supported housing as a non-covered social service",
        "County of responsibility after 30 days in a shelter outside the county",
    ),
    "safeguarding": (
        "Self-neglect threshold: APS requires a third-party risk; the referrer reads "
        "self-neglect alone as enough",
        "Who assesses decision-making capacity before a safeguarding enquiry",
    ),
    "capacity": (
        "ICM caseload cap of 1:15 in the provider contract vs the duty to accept urgent referrals",
        "72-hour crisis follow-up: owned by the crisis team or by the county clinic",
        "Discharge readiness: medically fit for discharge vs safe to discharge",
    ),
}
REQUESTED = {
    "eligibility": "Decide whether the person is eligible for {pathway}, or name the service "
    "that will assess them.",
    "funding": "Decide which agency funds {pathway} from the start date, and for how long.",
    "safeguarding": "Decide whether the safeguarding threshold is met and which agency leads "
    "the enquiry.",
    "capacity": "Name the agency that will provide {pathway} (or a bridging service) within "
    "5 working days.",
}
RESPONDERS = {
    "eligibility": ("CBH", "MCO", "HSG", "CPN"),
    "funding": ("MCO", "CBH", "MCO", "HSG"),
    "safeguarding": ("APS", "APS", "CBH"),
    "capacity": ("CPN", "HSG", "CBH", "CPN"),
}
RAISERS = ("CBH",) * 5 + ("HDT",) * 4 + ("CRS",) * 3 + ("APS", "APS", "HSG", "HSG", "CPN", "MCO")
CONSENT = (
    "Consent given by the person",
    "Consent via authorised representative",
    "Lawful basis: vital interests",
    "Lawful basis: safeguarding duty",
    "Care coordination (treatment, payment, operations)",
)
RISK_TOOLS = ("C-SSRS", "HCR-20 screen", "vulnerability screen", "brief risk screen")
RISK_LEVEL = {"critical": "imminent risk", "high": "high", "medium": "moderate", "low": "low"}
PLAN_STATE = (
    "care plan last reviewed {weeks} weeks ago",
    "no current service plan",
    "discharge summary attached",
    "housing support plan lapsed",
)
INTERIM = (
    "Daily welfare call by the CBH duty worker",
    "EMS welfare check if there is no contact by 17:00",
    "Pharmacy delivers medication twice weekly",
    "Crisis plan shared with the ED and the crisis team",
    "Shelter bed held for 7 days",
    "Home visit every 48 hours by the community team",
    "Safety plan refreshed with the person and their sister",
)
ABSENT_NOTES = (
    "Requested from {resp}; expected within 48 hours",
    "Not yet done: assessment booked for next week",
    "The person declined to share it for now",
    "Held by the hospital; records request sent",
)
COVER_LEVELS = (
    "Daily phone check-in and medication prompt",
    "Twice-weekly home visit by a community worker",
    "Case held by the duty team with contact every 48 hours",
    "Crisis line flagged; EMS welfare check on a missed contact",
    "Temporary shelter placement with onsite support",
)
PACKAGE_ACTIONS = (
    "Welfare check; medication reconciliation; crisis and safety plan refresh",
    "Coordination contacts every 48 hours; priority psychiatric assessment",
    "Welfare check; priority housing assessment; safety plan refresh",
    "Medication reconciliation; daily contact; priority occupational therapy assessment",
)
CONTACT_NOTES = {
    "reached": "Spoke with the person; engaging and taking medication",
    "no_answer": "No answer; will try again tomorrow",
    "left_message": "Left a voicemail with the callback number",
    "declined": "The person declined the visit today",
    "unsafe": "The person reported thoughts of self-harm; crisis team alerted",
}
CONTACT_OUTCOMES = ("reached",) * 5 + ("no_answer", "no_answer", "left_message", "declined")
RATIONALES = {
    "assigned": (
        "{agency} holds clinical responsibility under the service agreement; {pathway} meets "
        "the assessed need.",
        "The evidence shows the person meets {agency}'s criteria and the risk screen supports "
        "an urgent start.",
    ),
    "joint": (
        "Both agencies have a part: {agency} leads and the other funds its share under a joint "
        "plan reviewed at 30 days.",
    ),
    "not_upheld": (
        "The current arrangement meets the assessed need; the dispute is not upheld and "
        "{agency} continues to hold the case.",
    ),
}
START_PLANS = (
    "Intake booked; care coordinator allocated; first home visit within 72 hours.",
    "Warm handover call held; start on the agreed date with a joint visit.",
    "Placement confirmed; transport arranged; review at two weeks.",
)
WITHDRAW_REASONS = (
    "The person moved out of the county; referral transferred",
    "Agencies agreed at the supervisor call; recorded for audit",
    "The person declined all services after a capacity assessment",
    "Duplicate of an earlier dispute for the same person",
    "The person was admitted to long-term inpatient care",
)
BREACH_REASONS = (
    "Supervisor on leave; no cover arranged",
    "Awaiting the risk screen from the hospital",
    "Panel slot cancelled: not quorate",
    "The responding agency did not return calls",
    "Records request outstanding with the MCO",
    "Final authority unavailable; no delegate named",
)
ESCALATION_NOTES = {
    1: ("Frontline teams could not agree; supervisor call requested",),
    2: ("Supervisor call held; still no agreement; listed for the panel",),
    3: ("Panel could not agree; referred to the named final authority",),
    4: ("Final authority stage overdue; referred to commissioner liaison",),
}
#: The impact on the person logged with each escalation ([Leadership]), by the rung reached.
ESCALATION_IMPACTS = {
    1: "Two days without the agreed support; the person is anxious about the gap",
    2: "Missed medication review; family now covering evening checks",
    3: "A crisis line call this week; risk of losing the tenancy is rising",
    4: "Weeks without a settled plan; repeated crisis contacts and an A&E visit",
}
NOTES = (
    "Called the MCO utilisation team; awaiting a callback",
    "Sister reports the person is sleeping better",
    "Housing officer confirms the tenancy is at risk",
    "Discussed at the morning huddle; no change",
    "GP letter received and added to the record",
    "The person missed today's appointment; follow-up booked",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
