from contextlib import contextmanager

from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common import LeadScoringCommon

OK = "allowed"
NO = AccessError  # refused by the access rights or the record rules
UE = UserError  # refused with a message
ROLES = ("employee", "salesman", "team_leader", "all_documents", "manager", "portal")

# One row per model operation or action, one column per role of ROLES: OK, or
# the error the role gets. Each row is checked by the method ``_cell_<row>``
# with the role's environment; an allowed cell also checks what the role gets
# (the rows and counts of the leads it may see, and only those). The users
# belong to the first company only; a lead and a rule of the second company
# exist and are never seen nor changed.
# fmt: off
MATRIX = [
    # row                                      emp sales leader all manager portal
    # crm.lead, our fields
    ("lead_read_score",                        NO, OK, OK, OK, OK, NO),
    ("lead_read_score_of_hidden_lead",         NO, NO, NO, OK, OK, NO),
    ("lead_read_score_of_other_company",       NO, NO, NO, NO, NO, NO),
    # crm.lead.scoring.rule
    ("rule_read",                              NO, OK, OK, OK, OK, NO),
    ("rule_create",                            NO, NO, NO, NO, OK, NO),
    ("rule_write",                             NO, NO, NO, NO, OK, NO),
    ("rule_unlink",                            NO, NO, NO, NO, OK, NO),
    ("rule_of_other_company",                  NO, NO, NO, NO, NO, NO),
    ("rule_write_of_other_company",            NO, NO, NO, NO, NO, NO),
    ("rule_unlink_of_other_company",           NO, NO, NO, NO, NO, NO),
    # crm.lead.score.history
    ("history_read",                           NO, OK, OK, OK, OK, NO),
    ("history_read_of_hidden_lead",            NO, NO, NO, OK, OK, NO),
    ("history_read_of_other_company",          NO, NO, NO, NO, NO, NO),
    ("history_create",                         NO, NO, NO, NO, NO, NO),
    ("history_write",                          NO, NO, NO, NO, NO, NO),
    ("history_unlink",                         NO, NO, NO, NO, OK, NO),
    # crm.lead.scoring.evaluation
    ("evaluation_read",                        NO, OK, OK, OK, OK, NO),
    ("evaluation_run",                         NO, NO, NO, NO, OK, NO),
    ("evaluation_of_other_company",            NO, NO, NO, NO, NO, NO),
    ("action_apply_suggested_points",          NO, NO, NO, NO, OK, NO),
    # crm.team, our fields
    ("team_read_min_score",                    NO, NO, NO, NO, OK, NO),
    ("team_write_min_score",                   NO, NO, NO, NO, OK, NO),
    # actions and counts
    ("action_recompute_score",                 NO, OK, OK, OK, OK, NO),
    ("action_recompute_score_of_hidden_lead",  NO, NO, NO, OK, OK, NO),
    ("rule_matching_leads_count",              NO, OK, OK, OK, OK, NO),
    ("action_preview_leads",                   NO, OK, OK, OK, OK, NO),
    ("team_qualified_leads_count",             NO, OK, OK, OK, OK, NO),
    ("lead_analysis",                          NO, OK, OK, OK, OK, NO),
    ("action_assign_leads",                    UE, UE, UE, UE, OK, UE),
]
# fmt: on


@tagged("post_install", "-at_install")
class TestScoringAccessMatrix(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        leader_group = cls.env.ref(
            "lead_management.group_sale_team_leader", raise_if_not_found=False
        )
        if not leader_group:
            # lead_scoring alone: a team level like lead_management's
            leader_group = cls.env["res.groups"].create(
                {
                    "name": "Own team's documents (test)",
                    "implied_ids": [
                        Command.link(cls.env.ref("sales_team.group_sale_salesman").id)
                    ],
                }
            )
            cls.env["ir.rule"].create(
                {
                    "name": "Leads of my teams (test)",
                    "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                    "groups": [Command.link(leader_group.id)],
                    "domain_force": "['|', '|', ('user_id', '=', user.id),"
                    " ('user_id', '=', False), ('team_id.user_id', '=', user.id)]",
                }
            )
        groups = {
            "employee": "base.group_user",
            "salesman": "sales_team.group_sale_salesman",
            "team_leader": "sales_team.group_sale_salesman",
            "all_documents": "sales_team.group_sale_salesman_all_leads",
            "manager": "sales_team.group_sale_manager",
            "portal": "base.group_portal",
            "colleague": "sales_team.group_sale_salesman",
        }
        cls.users = {
            role: mail_new_test_user(
                cls.env,
                login=f"matrix_{role}",
                name=f"Matrix {role}",
                groups=group,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
            for role, group in groups.items()
        }
        cls.users["team_leader"].groups_id = [Command.link(leader_group.id)]
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Matrix Team",
                "user_id": cls.users["team_leader"].id,
                "company_id": company.id,
            }
        )
        cls.env["crm.team.member"].create(
            {"crm_team_id": cls.team.id, "user_id": cls.users["colleague"].id}
        )
        # each company's rule scores the leads of its company and the
        # company-less lead
        cls.rule = cls._create_rule(
            "Matrix rule", 5, [("name", "ilike", "matrix")], company=company
        )
        cls.rule_c2 = cls._create_rule(
            "Matrix rule of company 2",
            7,
            [("name", "ilike", "matrix")],
            company=cls.company_2,
        )
        Evaluation = cls.env["crm.lead.scoring.evaluation"]
        cls.evaluation = Evaluation.evaluate(company)
        cls.evaluation_c2 = Evaluation.evaluate(cls.company_2)

        def lead(name, user=False, team=False, lead_company=company):
            return cls._create_lead(
                name,
                user_id=user and cls.users[user].id,
                team_id=team and team.id,
                company_id=lead_company and lead_company.id,
            )

        cls.lead_own = lead("matrix own", "salesman")
        cls.lead_lost = lead("matrix lost", "salesman")
        cls.lead_lost.action_set_lost()
        cls.lead_unassigned = lead("matrix unassigned", lead_company=False)
        cls.lead_team = lead("matrix team", "colleague", cls.team)
        cls.lead_other = lead("matrix other", "colleague")
        cls.lead_c2 = lead("matrix company 2", lead_company=cls.company_2)
        cls.leads = (
            cls.lead_own
            | cls.lead_lost
            | cls.lead_unassigned
            | cls.lead_team
            | cls.lead_other
            | cls.lead_c2
        )
        all_a = cls.leads - cls.lead_c2
        cls.visible = {
            "salesman": cls.lead_own | cls.lead_lost | cls.lead_unassigned,
            "team_leader": cls.lead_unassigned | cls.lead_team,
            "all_documents": all_a,
            "manager": all_a,
            "employee": cls.Lead,
            "portal": cls.Lead,
        }
        cls.hidden_lead = {
            "salesman": cls.lead_other,
            "team_leader": cls.lead_other,
            "all_documents": cls.lead_other,
            "manager": cls.lead_other,
            "employee": cls.lead_other,
            "portal": cls.lead_other,
        }

    def test_fixture(self):
        """Every lead is scored and has its history row, the lost one too."""
        self.assertEqual(self.lead_unassigned.lead_score, 12)
        self.assertEqual(self.lead_own.lead_score, 5)
        self.assertEqual(self.lead_c2.lead_score, 7)
        self.assertFalse(self.lead_lost.active)
        History = self.env["crm.lead.score.history"]
        self.assertEqual(
            History.search([("lead_id", "in", self.leads.ids)]).lead_id, self.leads
        )

    def test_access_matrix(self):
        for cell, *outcomes in MATRIX:
            for role, outcome in zip(ROLES, outcomes, strict=True):
                with self.subTest(cell=cell, role=role):
                    self._check_cell(cell, role, outcome)

    def _check_cell(self, cell, role, outcome):
        env = self.env(user=self.users[role], context={"tracking_disable": True})
        check = getattr(self, f"_cell_{cell}")
        with self._rolled_back():
            if outcome == OK:
                check(env, role)
            else:
                with self.assertRaises(outcome):
                    check(env, role)

    @contextmanager
    def _rolled_back(self):
        """Whatever the cell changed is undone for the next one."""
        savepoint = self.env.cr.savepoint()
        try:
            yield
            self.env.flush_all()
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)

    # crm.lead, our fields

    def _cell_lead_read_score(self, env, role):
        lead = self.lead_unassigned.with_env(env)
        lead.fetch(["lead_score", "score_date", "score_rule_data"])
        self.assertEqual(lead.lead_score, 12)
        # the second company's rule scores it but stays hidden
        values = lead.web_read(
            {
                "score_rule_ids": {"fields": {"name": {}, "points": {}}},
                "score_history_ids": {"fields": {"new_score": {}}},
            }
        )[0]
        self.assertEqual(
            [rule["name"] for rule in values["score_rule_ids"]], ["Matrix rule"]
        )
        self.assertEqual(
            [row["new_score"] for row in values["score_history_ids"]], [12]
        )

    def _cell_lead_read_score_of_hidden_lead(self, env, role):
        lead = self.hidden_lead[role].with_env(env)
        lead.read(["lead_score", "score_rule_ids", "score_history_ids"])

    def _cell_lead_read_score_of_other_company(self, env, role):
        self.lead_c2.with_env(env).read(["lead_score", "score_history_ids"])

    # crm.lead.scoring.rule

    def _cell_rule_read(self, env, role):
        Rule = env["crm.lead.scoring.rule"].with_context(active_test=False)
        rules = Rule.search([("id", "in", (self.rule | self.rule_c2).ids)])
        self.assertEqual(rules.mapped("name"), ["Matrix rule"])

    def _cell_rule_create(self, env, role):
        rule = env["crm.lead.scoring.rule"].create(
            {"name": "Matrix new", "points": 1, "domain": "[('name', '=', 'x')]"}
        )
        self.assertEqual(rule.company_id, self.company)

    def _cell_rule_write(self, env, role):
        self.rule.with_env(env).write({"points": 6})
        self.assertEqual(self.lead_own.with_env(env).lead_score, 6)
        self.assertEqual(self.lead_unassigned.with_env(env).lead_score, 13)
        self.assertEqual(self.lead_c2.sudo().lead_score, 7, "not of its company")

    def _cell_evaluation_read(self, env, role):
        evaluations = env["crm.lead.scoring.evaluation"].search(
            [("id", "in", (self.evaluation | self.evaluation_c2).ids)]
        )
        self.assertEqual(evaluations.ids, self.evaluation.ids)
        evaluations.fetch(["ranking_quality", "closed_count", "line_ids"])
        evaluations.line_ids.fetch(["won_rate"])

    def _cell_evaluation_run(self, env, role):
        evaluation = env["crm.lead.scoring.evaluation"].evaluate()
        self.assertEqual(evaluation.company_id, self.company)
        self.assertIn(self.rule, evaluation.rule_ids)
        self.assertNotIn(self.rule_c2, evaluation.rule_ids)

    def _cell_evaluation_of_other_company(self, env, role):
        self.evaluation_c2.with_env(env).fetch(["ranking_quality"])

    def _cell_action_apply_suggested_points(self, env, role):
        self.rule.with_env(env).action_apply_suggested_points()
        # too few closed leads to learn from: its points are its suggestion
        self.assertEqual(self.rule.points, 5)

    def _cell_rule_unlink(self, env, role):
        self.rule.with_env(env).unlink()
        self.assertEqual(self.lead_own.with_env(env).lead_score, 0)

    def _cell_rule_of_other_company(self, env, role):
        self.rule_c2.with_env(env).read(["name"])

    def _cell_rule_write_of_other_company(self, env, role):
        self.rule_c2.with_env(env).write({"points": 1})

    def _cell_rule_unlink_of_other_company(self, env, role):
        self.rule_c2.with_env(env).unlink()

    # crm.lead.score.history

    def _cell_history_read(self, env, role):
        History = env["crm.lead.score.history"]
        rows = History.search([("lead_id", "in", self.leads.ids)])
        self.assertEqual(rows.lead_id.with_env(self.env), self.visible[role])
        self.assertEqual(
            History.search_count([("lead_id", "in", self.leads.ids)]),
            len(self.visible[role]),
        )
        groups = History.read_group(
            [("lead_id", "in", self.leads.ids)], ["new_score:sum"], []
        )
        self.assertEqual(groups[0]["__count"], len(self.visible[role]))
        # a row read by id, as a client reaching it by its id
        rows[:1].read(["lead_id", "new_score"])

    def _cell_history_read_of_hidden_lead(self, env, role):
        row = self.hidden_lead[role].score_history_ids[:1]
        self.assertTrue(row)
        row.with_env(env).read(["lead_id", "new_score"])

    def _cell_history_read_of_other_company(self, env, role):
        row = self.lead_c2.score_history_ids[:1]
        self.assertTrue(row)
        row.with_env(env).read(["new_score"])

    def _cell_history_create(self, env, role):
        env["crm.lead.score.history"].create(
            {"lead_id": self.lead_unassigned.id, "new_score": 99}
        )

    def _cell_history_write(self, env, role):
        self.lead_unassigned.score_history_ids.with_env(env).write({"new_score": 99})

    def _cell_history_unlink(self, env, role):
        rows = self.lead_unassigned.score_history_ids.with_env(env)
        rows.unlink()
        self.assertFalse(rows.exists())

    # crm.team, our fields

    def _cell_team_read_min_score(self, env, role):
        self.team.with_env(env).read(["min_score"])

    def _cell_team_write_min_score(self, env, role):
        self.team.with_env(env).write({"min_score": 10})

    # actions and counts

    def _cell_action_recompute_score(self, env, role):
        lead = self.lead_unassigned.with_env(env)
        self.env.cr.execute(
            "UPDATE crm_lead_score SET score = 0 WHERE lead_id = %s", [lead.id]
        )
        lead.invalidate_recordset(["lead_score"])
        lead.action_recompute_score()
        self.assertEqual(lead.lead_score, 12)

    def _cell_action_recompute_score_of_hidden_lead(self, env, role):
        self.hidden_lead[role].with_env(env).action_recompute_score()

    def _cell_rule_matching_leads_count(self, env, role):
        # active, not won leads the role may see (the lost one is archived)
        visible = self.visible[role].filtered("active")
        count = self.rule.with_env(env).read(["lead_count"])[0]["lead_count"]
        self.assertEqual(count, len(visible))

    def _cell_action_preview_leads(self, env, role):
        action = self.rule.with_env(env).action_preview_leads()
        leads = env[action["res_model"]].search(action["domain"])
        self.assertEqual(
            leads.with_env(self.env) & self.leads, self.visible[role].filtered("active")
        )

    def _cell_team_qualified_leads_count(self, env, role):
        self.team.sudo().min_score = 5
        # the unassigned lead of the second company reaches it too, unseen
        self.assertEqual(self.team.sudo().qualified_lead_count, 2)
        team = self.team.with_env(env)
        self.assertEqual(
            team.read(["qualified_lead_count"])[0]["qualified_lead_count"], 1
        )

    def _cell_lead_analysis(self, env, role):
        visible = self.visible[role].filtered("active")
        groups = env["crm.lead"].read_group(
            [("id", "in", self.leads.ids)], ["lead_score:sum"], []
        )
        self.assertEqual(groups[0]["__count"], len(visible))
        self.assertEqual(groups[0]["lead_score"], sum(visible.mapped("lead_score")))

    def _cell_action_assign_leads(self, env, role):
        self.team.with_env(env).action_assign_leads()
        self.assertFalse(self.lead_c2.sudo().team_id)


@tagged("post_install", "-at_install")
class TestScoreHistoryVisibility(TransactionCase):
    """The database as it is (demo data included): a new salesperson with
    "Own Documents Only" sees exactly the history rows of the leads they may
    read."""

    def test_new_salesperson_sees_history_of_readable_leads_only(self):
        colleague = mail_new_test_user(
            self.env, login="history_colleague", groups="sales_team.group_sale_salesman"
        )
        rule = self.env["crm.lead.scoring.rule"].create(
            {"name": "History rule", "points": 3, "domain": "[('name', '=like', 'h%')]"}
        )
        hidden = self.env["crm.lead"].create(
            {"name": "hidden", "user_id": colleague.id}
        )
        self.assertEqual(hidden.score_history_ids.new_score, rule.points)
        user = mail_new_test_user(
            self.env, login="history_own_docs", groups="sales_team.group_sale_salesman"
        )
        env = self.env(user=user)
        readable = env["crm.lead"].with_context(active_test=False).search([])
        self.assertNotIn(hidden, readable)
        History = self.env["crm.lead.score.history"]
        expected = History.search([("lead_id", "in", readable.ids)])
        visible = History.with_env(env).search([])
        self.assertEqual(visible.ids, expected.ids)
        self.assertEqual(History.with_env(env).search_count([]), len(expected))
        self.assertLess(len(visible), History.search_count([]))
        with self.assertRaises(AccessError):
            hidden.score_history_ids.with_env(env).read(["new_score"])
