"""Coordinator · Reviewers & assignments: accounts, automatic assignment, manual overrides."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import streamlit as st

from app_pages import _common, application, state
from selector import workflow
from selector.assignment import OWN_RULE_TEXT
from selector.auth import Role, grantable_roles
from selector.errors import InputError, SelectorError

user = _common.require_role("coordinator")
store = _common.get_store()
cycle = _common.current_cycle()
config = _common.cycle_config(cycle)
ss = st.session_state

st.title("Reviewers & assignments")
st.caption(
    f"Cycle **{cycle.name}** · {config.review.reviewers_per_applicant} reviewers per applicant"
    + "".join(
        f", {OWN_RULE_TEXT[name]}"
        for name in (config.review.own_fields if cycle.avoid_own_program else ())
    )
    + ". Declared conflicts and started reviews are kept when reassigning."
)


def assign() -> None:
    """Assign reviewers (a callback, so the tables below already show the new assignment)."""
    try:
        report = store.assign(user, cycle.name, k=int(ss["assign_k"]))
    except SelectorError as exc:
        ss["assign_outcome"] = ("error", str(exc))
        return
    loads = report.loads.values()
    text = (
        f"{len(report.pairs)} assignments ({report.added} added, {report.removed} removed); "
        f"reviewer loads {min(loads, default=0)}–{max(loads, default=0)}."
    )
    if report.short:
        text += f" {len(report.short)} applicants have too few allowed reviewers: " + ", ".join(
            sorted(report.short)
        )
    text += "".join(f" Note: {line}." for line in report.warnings)
    ss["assign_outcome"] = ("warning" if report.short or report.warnings else "success", text)


people = store.users(user)
logins = store.login_states(user)  # "password", "no password" or "disabled", by e-mail


def read_cycle() -> tuple[list[tuple[str, str]], dict[str, str], workflow.ReviewProgress]:
    """The assignments, the applicants' names by id and the review progress (read once per
    change)."""
    pairs = store.assignments(user, cycle.name)
    applicant_names = {a.applicant_id: a.name for a in store.applicants(user, cycle.name)}
    reviews = store.reviews(user, cycle.name)
    return (
        pairs,
        applicant_names,
        workflow.review_progress(pairs, reviews, config, pool=set(applicant_names)),
    )


pairs, applicant_names, progress = _common.cached("reviewers", cycle.name, read_cycle)
applicant_ids = list(applicant_names)
reviewer_names = {u.email: u.name or u.email for u in people}

st.header("Accounts")
_common.table(
    pd.DataFrame(
        [
            {
                "E-mail": u.email,
                "Name": u.name,
                "Role": u.role.value,
                "Program": u.program,
                "Login": logins.get(u.email, "no password"),
                "Assigned": progress.of(u.email).assigned,
                "Reviewed": progress.of(u.email).complete,
                "Open": progress.of(u.email).open,
                "Conflicts": progress.of(u.email).conflicts,
            }
            for u in people
        ]
    ),
    hide_index=True,
    key="accounts_table",
)

with (
    st.expander("Add an account", icon=":material/person_add:"),
    st.form("add_user_form", clear_on_submit=True),
):
    c1, c2 = st.columns(2)
    email = c1.text_input("E-mail", key="new_user_email")
    name = c2.text_input("Name", key="new_user_name")
    role = c1.selectbox(  # the store refuses the rest (the chair role: a chair or the CLI)
        "Role",
        [r.value for r in grantable_roles(user)],
        index=None,  # no role preselected: whoever adds the account chooses it
        placeholder="Choose a role",
        key="new_user_role",
    )
    program = c2.text_input("Program (to avoid own-program assignments)", key="new_user_program")
    password = st.text_input(
        "Initial password (at least 8 characters)", type="password", key="new_user_password"
    )
    if st.form_submit_button("Add account", key="add_user"):
        try:
            if role is None:
                raise InputError("role_missing", "choose the new account's role")
            added = store.add_user(user, email, name, role, password, program=program)
        except SelectorError as exc:
            _common.show_error(exc)
        else:
            st.toast(f"Account {added.email} added.", icon=":material/task_alt:")
            if not store.login_enabled(user.email) and not ss.get(state.SSO):
                # A real account ended the public demo logins, this session's too: carry on
                # as the account just made for oneself (same role, password just typed).
                _common.login(added)
                ss[state.NOTICE] = (
                    f"The demo logins are retired now that real data is here. You are now "
                    f"logged in as {added.email}; use it from now on."
                )
            st.rerun()


def manage_account() -> None:
    """Disable, enable, reset or change the role of the chosen account (a callback); a
    one-time password is kept for this run only, shown once below."""
    email, action = ss.get("manage_email"), ss.get("manage_action")
    try:
        if not email:
            raise InputError("user_missing", "choose an account")
        if action == "Disable":
            workflow.disable_account(store, user, email)
            ss["manage_outcome"] = (f"{email} is disabled: no login, never assigned.", None)
        elif action in ("Enable", "Reset password"):
            do = workflow.enable_account if action == "Enable" else workflow.reset_password
            ss["manage_outcome"] = (
                f"{email} has a one-time password (shown only now; hand it over, it is to be "
                "changed after logging in):",
                do(store, user, email),
            )
        else:
            new_role = ss.get("manage_role")
            if not new_role:
                raise InputError("role_missing", "choose the new role")
            changed = store.set_role(user, email, new_role)
            ss["manage_outcome"] = (f"{changed.email} is now a {changed.role.value}.", None)
    except SelectorError as exc:
        ss["manage_outcome"] = (exc, None)


with st.expander("Manage an account", icon=":material/manage_accounts:"):
    st.caption(
        "Disable: no login, never assigned (Assign reviewers moves their open reviews). "
        "Enable and Reset password give a one-time password, shown once."
    )
    c1, c2, c3 = st.columns([3, 2, 2])
    c1.selectbox(
        "Account",
        [u.email for u in people if u.email != user.email],
        index=None,
        placeholder="Choose an account",
        key="manage_email",
    )
    chosen = c2.radio(
        "Change",
        ["Disable", "Enable", "Reset password", "Change role"],
        key="manage_action",
    )
    if chosen == "Change role":
        c3.selectbox(
            "New role",
            [r.value for r in grantable_roles(user)],
            index=None,
            placeholder="Choose a role",
            key="manage_role",
        )
    st.button("Apply", key="manage_apply", on_click=manage_account)
    if outcome := ss.pop("manage_outcome", None):
        message, one_time = outcome
        if isinstance(message, SelectorError):
            _common.show_error(message)
        else:
            st.success(message, icon=":material/task_alt:")
            if one_time:
                st.code(one_time, language=None)

if notice := ss.get(state.NOTICE):
    st.success(notice, icon=":material/task_alt:")
    ss[state.NOTICE] = None

st.header("Assign reviewers")
c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
c1.number_input(
    "Reviewers per applicant",
    min_value=1,
    max_value=10,
    value=config.review.reviewers_per_applicant,
    key="assign_k",
)
c2.button(
    "Assign reviewers", type="primary", key="assign", icon=":material/shuffle:", on_click=assign
)
if outcome := ss.pop("assign_outcome", None):
    kind, text = outcome
    {"success": st.success, "warning": st.warning, "error": st.error}[kind](text)

by_applicant: dict[str, list[str]] = defaultdict(list)
for applicant_id, email in pairs:
    by_applicant[applicant_id].append(email)
st.caption("Select a row to open the application.")
application.table(
    pd.DataFrame(
        [
            {
                "Applicant": a,
                "Name": applicant_names[a],
                "Reviewers": ", ".join(
                    f"{reviewer_names.get(e, e)} ({e})" for e in sorted(by_applicant[a])
                ),
                "n": len(by_applicant[a]),
            }
            for a in applicant_ids
        ]
    ),
    hide_index=True,
    key="assignments_table",
)


def add_reviewer(applicant_id: str, reviewer: str) -> None:
    """Assign one more reviewer to an applicant short of reviewers (a callback)."""
    try:
        chosen = workflow.add_reviewer(store, user, cycle.name, applicant_id, reviewer)
    except SelectorError as exc:
        ss["short_outcome"] = exc
    else:
        ss["short_outcome"] = f"{reviewer_names.get(chosen, chosen)} now reviews {applicant_id}."


k = config.review.reviewers_per_applicant
disabled = {email for email, login in logins.items() if login == "disabled"}
short = progress.short(applicant_ids, k, disabled=disabled) if pairs else {}
if short:
    st.header(f"Short of reviewers ({len(short)})")
    st.caption(
        f"Fewer than {k} reviewers without a conflict, complete or open (a declared conflict, "
        "or an open review of a disabled account, leaves a gap). One click adds the eligible "
        "reviewer with the fewest assignments."
    )
    suggestions = _common.cached(
        "short_suggestions",
        cycle.name,
        lambda: {a: next(iter(store.reviewer_options(user, cycle.name, a)), None) for a in short},
    )
    for a, n in list(short.items())[:30]:
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        c1.markdown(_common.plain(f"{a} · {applicant_names[a]}: {n} of {k} reviewers"))
        option = suggestions.get(a)
        if option is None:
            c2.caption("No eligible reviewer left.")
        else:
            email = option[0]
            c2.button(
                f"Add {reviewer_names.get(email, email)}",
                key=f"add_reviewer_{a}",
                icon=":material/person_add:",
                on_click=add_reviewer,
                args=(a, email),
            )
    if len(short) > 30:
        st.caption(f"… and {len(short) - 30} more: Assign reviewers fills them all.")
if outcome := ss.pop("short_outcome", None):
    if isinstance(outcome, SelectorError):
        _common.show_error(outcome)
    else:
        st.success(outcome, icon=":material/task_alt:")

with st.expander("Change one assignment by hand", icon=":material/edit:"):
    reviewer_emails = [  # a disabled account is never assigned
        u.email for u in people if u.role == Role.REVIEWER and logins.get(u.email) != "disabled"
    ]
    with st.form("manual_assignment_form"):
        c1, c2, c3 = st.columns([2, 3, 2])
        applicant_id = c1.selectbox("Applicant", applicant_ids, key="manual_applicant")
        reviewer = c2.selectbox("Reviewer", reviewer_emails, key="manual_reviewer")
        action = c3.radio("Change", ["Assign", "Unassign"], horizontal=True, key="manual_action")
        if st.form_submit_button("Apply", key="manual_apply"):
            try:
                store.set_assignment(
                    user, cycle.name, applicant_id, reviewer, assigned=action == "Assign"
                )
            except SelectorError as exc:
                _common.show_error(exc)
            else:
                st.rerun()

if config.stages:  # an interview round: interviewers for the shortlisted applicants
    last = config.stages[-1]
    st.header(f"Interviewers · {last.title}")
    shortlist = store.shortlist(user, cycle.name)
    if shortlist is None:
        st.info(
            "No shortlist yet: the chair decides it on the Selection page; interviewers are "
            "assigned to the shortlisted applicants only.",
            icon=":material/info:",
        )
    else:
        per = config.stage_config(last.name).review.reviewers_per_applicant
        k = st.number_input("Interviewers per applicant", 1, 10, value=per, key="interview_k")
        if st.button("Assign interviewers", key="assign_interviewers", icon=":material/shuffle:"):
            try:
                done = store.assign(user, cycle.name, k=int(k), stage=last.name)
            except SelectorError as exc:
                _common.show_error(exc)
            else:
                st.success(
                    f"{len(done.pairs)} interview assignment(s) for {len(shortlist)} "
                    "shortlisted applicants.",
                    icon=":material/task_alt:",
                )
        pairs = store.assignments(user, cycle.name, stage=last.name)
        if pairs:
            application.table(
                pd.DataFrame(pairs, columns=["Applicant", "Interviewer"]),
                hide_index=True,
                key="interview_assignments",
            )
