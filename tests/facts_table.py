"""The statutory facts carebot states, transcribed from ../shared/FACTS.md (November 2026).

Content tests check every amount, age, time limit and phone number in content/ against this
table, and check that the topics which must state a fact do state it. When FACTS.md changes,
change this table with it.
"""

# Money (FACTS.md "Care leavers"): setting-up-home minimum £3,000 (was £2,000 before April
# 2023), HE bursary £2,000, 16-19 bursary up to £1,200 a year, apprenticeship bursary £3,000
# paid as three £1,000 instalments (was £1,000 before August 2023).
AMOUNTS = {"£1,000", "£1,200", "£2,000", "£3,000"}

# Ages (eligibility 13 weeks from 14, categories 16-17 and 18+, personal adviser to 21 and
# up to 25, Staying Put to 21, priority need 18-20, shared accommodation exemption under 25,
# Universal Credit from 18, Childline under 19).
AGES = {13, 14, 15, 16, 17, 18, 19, 20, 21, 25}

# Time limits: reviews (20 working days; 3 months; 6 months), pathway plan every 6 months,
# complaints (10 up to 20, 25 up to 65 working days), Always Heard replies in 1 working day,
# apprenticeship instalments at 60, 120 and 300 days, eligibility "13 weeks".
WORKING_DAYS = {1, 10, 20, 25, 65}
MONTHS = {3, 6}
DAYS = {60, 120, 300}
WEEKS = {13}

# Helplines named in FACTS.md ("Advocacy", "Complaints", "Safeguarding signposting").
PHONES = {
    "0808 800 5792",  # Coram Voice Always Heard
    "0808 808 1001",  # NYAS
    "0800 528 0731",  # Children's Commissioner Help at Hand
    "0800 023 2033",  # Become Care Advice Line
    "0300 061 0614",  # Local Government and Social Care Ombudsman
    "0800 1111",  # Childline
    "116 123",  # Samaritans
    "0808 800 5000",  # NSPCC
    "85258",  # Shout
    "999",
}

# Facts a topic must state, in its rendered answers (any audience).
REQUIRED = {
    "he_bursary": ["£2,000"],
    "bursary_16_19": ["£1,200"],
    "apprenticeship_bursary": ["£3,000", "£1,000"],
    "setting_up_home_allowance": ["£3,000"],
    "personal_adviser": ["21", "25"],
    "staying_put": ["21"],
    "review_how_often": ["20 working days", "3 months", "6 months"],
    "pathway_plan": ["16", "6 months"],
    "complaint_stages": ["10 working days", "25 working days", "65"],
    "complaint_ombudsman": ["0300 061 0614"],
    "always_heard": ["0808 800 5792"],
    "nyas": ["0808 808 1001"],
    "housing_priority": ["18", "25"],
}

# Statements that contradict FACTS.md and must never appear.
FORBIDDEN = {
    "review_how_often": ["4 weeks", "four weeks", "28 days"],
    "he_bursary": ["£2,000 a year", "£2,000 each year", "per year"],
    "setting_up_home_allowance": ["£2,000"],
}
