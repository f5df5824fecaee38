"""[Disputes] "Multi-agency integration breaks down less from lack of goodwill…": its three
worked examples, walked through the command line."""

from __future__ import annotations


def test_example_1_a_time_bound_ladder_for_an_eligibility_dispute(walk) -> None:  # noqa: ANN001
    # A complete structured form opens the dispute; the frontline clock starts (high: 24 h).
    ref = walk.open(dispute_type="eligibility", risk="high", responding_agencies=["MCO"])
    shown = walk.show(ref)
    assert (shown["status"], shown["stage"], shown["clock"]["state"]) == ("open", 0, "on_track")
    assert walk.queue("--breached") == []
    # The teams cannot agree within the window: the clock breaches, loudly.
    walk.later(hours=25)
    assert walk.queue("--breached") == [ref]
    refused = walk.refused("cbh_duty", "escalate", ref, "--impact", "no ACT contact for a day")
    assert refused.returncode == 1 and "breach" in refused.stderr  # a reason is a rule
    # Step 1: supervisor-to-supervisor call, with the reason and the impact on the person.
    walk.as_(
        "cbh_duty", "escalate", ref, "--breach-reason", "MCO intake lead on leave",
        "--impact", "no ACT contact for a day", "--note", "supervisors to call at 10",
    )  # fmt: skip
    shown = walk.show(ref)
    assert shown["stage"] == 1 and shown["stages"][0]["breach_reason"] == "MCO intake lead on leave"
    # Step 2: the rapid-resolution panel slot; the panel cannot agree.
    walk.later(hours=2)
    walk.as_("cbh_sup", "escalate", ref, "--impact", "still waiting for ACT")
    assert walk.queue("--section", "at_panel") == [ref]
    walk.as_(
        "chair", "decide", ref, "--outcome", "no_agreement",
        "--rationale", "county and MCO read criterion 4.2 differently", "--review", "+7",
    )  # fmt: skip
    walk.as_("chair", "escalate", ref, "--impact", "third day without a decision")
    # Step 3: the named authority (eligibility: the program manager) decides, with
    # rationale and review date. Nobody else may.
    assert walk.refused("chair", "decide", ref, "--final", "--outcome", "assigned",
                        "--receiving", "MCO", "--rationale", "criteria met for ACT",
                        "--review", "+30").returncode == 1  # fmt: skip
    walk.as_(
        "pm", "decide", ref, "--final", "--outcome", "assigned", "--receiving", "MCO",
        "--rationale", "two admissions in 90 days meet ACT criteria", "--review", "+30",
    )  # fmt: skip
    shown = walk.show(ref)
    decision = shown["decisions"][-1]
    assert (shown["status"], decision["kind"], decision["capacity"]) == (
        "decided",
        "final",
        "program_manager",
    )
    # The receiving team confirms acceptance with a start plan; the other side cannot.
    assert walk.refused("cbh_duty", "accept", ref, "--start-plan", "ACT intake Thursday",
                        "--start", "today").returncode == 1  # fmt: skip
    walk.as_("mco_front", "accept", ref, "--start-plan", "ACT intake Thursday 10:00",
             "--start", "+2")  # fmt: skip
    shown = walk.show(ref)
    assert shown["status"] == "closed" and shown["acceptance"]["start_plan"].startswith("ACT")
    assert walk.queue() == [] and walk.queue("--section", "closed") == [ref]
    assert walk.actions(ref)[-1] == "confirm_acceptance"
    walk.verify()


def test_example_2_a_provisional_package_to_its_hard_deadline(walk) -> None:  # noqa: ANN001
    ref = walk.open(dispute_type="eligibility", risk="critical")
    walk.as_("cbh_duty", "cover", ref, "--provider", "CBH", "--level", "daily welfare call")
    # A 15-day package is refused (the policy: 7–14 days); a 7-day bridge is authorised.
    bad = walk.refused("cbh_duty", "provisional", ref, "--coordinator", "cbh_front",
                       "--actions", "welfare check", "--days", "15")  # fmt: skip
    assert bad.returncode in (1, 2) and "14" in bad.stderr
    walk.as_(
        "cbh_duty", "provisional", ref, "--coordinator", "cbh_front", "--actions",
        "welfare check; medication reconciliation; safety plan refresh", "--days", "7",
    )  # fmt: skip
    # Every contact attempt is documented against the package.
    walk.as_("cbh_front", "contact", ref, "--method", "phone", "--outcome", "no_answer")
    walk.later(hours=3)
    walk.as_("cbh_front", "contact", ref, "--method", "visit", "--outcome", "reached",
             "--note", "meds reconciled")  # fmt: skip
    package = walk.show(ref)["packages"][0]
    assert package["status"] == "active"
    assert [c["outcome"] for c in package["contacts"]] == ["no_answer", "reached"]
    assert walk.queue("--section", "provisional_expiring") == []
    # Near the deadline the package is listed as expiring.
    walk.later(days=6)
    assert walk.queue("--section", "provisional_expiring") == [ref]
    # At the deadline no funded pathway: the dispute escalates again, with evidence.
    walk.later(days=1, hours=1)
    walk.as_(
        "cbh_duty", "escalate", ref, "--breach-reason", "no pathway by the package's deadline",
        "--impact", "package ran out; person still without ACT",
    )  # fmt: skip
    shown = walk.show(ref)
    assert shown["packages"][0]["status"] == "escalated" and shown["stage"] == 1
    walk.verify()


def test_example_3_the_plan_holder_convenes_synchronisations(walk) -> None:  # noqa: ANN001
    ref = walk.open(dispute_type="safeguarding", risk="high")
    walk.as_("cbh_duty", "holder", ref, "cbh_front", "--period", "28d", "--next-sync", "+3d")
    plan = walk.show(ref)["plan"]
    assert plan["holder_login"] == "cbh_front" and plan["period_ends"] is not None
    # A trigger (missed visits) before the sync was due: the plan holder convenes one.
    walk.later(days=1)
    walk.as_(
        "cbh_front", "sync", ref, "--trigger", "missed_visits",
        "--with", "cbh_front (CBH), mco_front (MCO), APS duty worker",
        "--outcome", "APS to visit today; MCO to restart medication oversight", "--next", "+2d",
    )  # fmt: skip
    shown = walk.show(ref)
    assert [s["trigger"] for s in shown["syncs"]] == ["missed_visits"]
    assert not shown["plan"]["sync_overdue"]
    # The next one is missed: the dispute says "sync due" until one is recorded.
    walk.later(days=2, hours=1)
    assert walk.show(ref)["plan"]["sync_overdue"] is True
    assert "! SYNC DUE" in walk.cli.ok("show", ref)
    walk.as_("cbh_front", "sync", ref, "--trigger", "scheduled", "--with", "CBH, MCO",
             "--outcome", "engagement improving; keep daily calls")  # fmt: skip
    assert walk.show(ref)["plan"]["sync_overdue"] is False
    assert walk.actions(ref).count("record_sync") == 2
    walk.verify()
